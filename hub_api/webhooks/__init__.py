"""Webhooks: subscriptions, the outbox, signed deliveries and the worker that sends them."""
