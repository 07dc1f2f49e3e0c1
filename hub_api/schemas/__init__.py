"""Marshmallow schemas: request bodies, query arguments and response shapes."""
