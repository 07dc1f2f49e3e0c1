"""`hub-api worker`: fans out the outbox, sends due deliveries, notices expiring agreements.

Run as many copies as needed on PostgreSQL: they share the work through row locks taken with
SKIP LOCKED. On SQLite, one copy."""

import logging
import threading

from flask import Flask

from hub_api.extensions import db
from hub_api.webhooks.delivery import claim_due, record, send
from hub_api.webhooks.dispatch import dispatch_pending
from hub_api.webhooks.expiry import notice_expiring

log = logging.getLogger("hub_api.worker")
IDLE_SECONDS = 1.0


def run_once(app: Flask) -> int:
    """One round: expiring agreements, fan-out, then every due delivery. Returns the work done."""
    with app.app_context():
        done = notice_expiring()
        db.session.commit()
        done += dispatch_pending()
        db.session.commit()
        claimed = claim_due()
        db.session.commit()  # the attempt numbers are taken before anything is sent
        for item in claimed:
            outcome = send(item)
            record(item, outcome)
            db.session.commit()
            log.info(
                "delivery %s attempt %s: %s",
                item.delivery_id,
                item.attempt_id,
                outcome.status_code or outcome.error,
            )
        return done + len(claimed)


def run(app: Flask, stop: threading.Event) -> None:
    """Work until `stop` is set, resting a second whenever a round finds nothing to do."""
    log.info("webhook worker started")
    while not stop.is_set():
        try:
            busy = run_once(app)
        except Exception:  # a database outage must not end the worker: log, rest, retry
            log.exception("worker round failed; retrying")
            with app.app_context():
                db.session.remove()
            busy = 0
        if not busy:
            stop.wait(IDLE_SECONDS)
