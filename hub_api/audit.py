"""Recording of writes and security events in the append-only audit trail."""

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from hub_api.extensions import db
from hub_api.models import AuditEvent

# Bookkeeping rows: auth rows are covered by explicit auth events, and the webhook outbox keeps
# its own log of every attempt. Auditing the worker's writes would also move the statistics'
# data fingerprint on every delivery, so a polling dashboard would never get its 304.
UNAUDITED_TABLES = {
    "audit_events",
    "token_families",
    "refresh_tokens",
    "idempotency_keys",
    "webhook_events",
    "webhook_deliveries",
    "webhook_attempts",
}
# Column changes that happen as a side effect (signing in, a failed delivery), not as a write by anyone.
INCIDENTAL_COLUMNS = {
    "last_login_at",
    "last_used_at",
    "updated_at",
    "version",
    "search_text",
    "failing_since",
}


def _context() -> dict:
    """Actor and request facts for an event, from the current request if there is one."""
    if not has_request_context():
        return {"actor_type": "system", "actor_label": "cli"}
    principal = g.get("principal")
    facts = {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path[:300],
        "ip_address": request.remote_addr,
        "actor_type": "anonymous",
    }
    if principal is not None:
        facts.update(
            actor_type=principal.kind,
            actor_id=principal.id,
            actor_label=principal.label,
            institution_id=principal.institution_id,
        )
    return facts


def _event(action: str, *, object_type=None, object_id=None, outcome="success", details=None):
    return AuditEvent(
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details or {},
        **_context(),
    )


def record(action: str, **facts) -> AuditEvent:
    """Add an event to the current transaction; it commits or rolls back with the request."""
    event = _event(action, **facts)
    db.session.add(event)
    return event


def record_many(object_type: str, events: list[tuple[str, int, dict]]) -> None:
    """Add (action, object id, details) events in one bulk INSERT, for writes made in bulk."""
    if not events:
        return
    context = {"actor_id": None, "actor_label": None, "institution_id": None, **_context()}
    rows = [
        {
            "action": action,
            "outcome": "success",
            "object_type": object_type,
            "object_id": str(object_id),
            "details": details,
            "request_id": None,
            "method": None,
            "path": None,
            "ip_address": None,
            **context,
        }
        for action, object_id, details in events
    ]
    db.session.execute(sa.insert(AuditEvent).execution_options(render_nulls=True), rows)


def record_export(what: str, count: int, **details) -> AuditEvent:
    """Record a read that hands out personal data: what, how many rows, in what scope."""
    return record(f"{what}.export", object_type=what, details={"count": count, **details})


def security_event(action: str, *, outcome: str, details: dict | None = None, **facts) -> None:
    """Queue an event that must survive the request's rollback (failed logins, refusals)."""
    g.setdefault("security_events", []).append(
        {"action": action, "outcome": outcome, "details": details or {}, **facts}
    )


def persist_security_events() -> None:
    """Write the queued security events in a transaction of their own."""
    events = g.pop("security_events", []) if has_request_context() else []
    if not events:
        return
    for event in events:
        record(**event)
    db.session.commit()


def _changed_columns(obj) -> list[str]:
    """Names of changed columns and relationships (link tables have no row of their own)."""
    state = sa.inspect(obj)
    attributes = (*state.mapper.column_attrs, *state.mapper.relationships)
    return sorted(
        attr.key
        for attr in attributes
        if attr.key not in INCIDENTAL_COLUMNS and state.attrs[attr.key].history.has_changes()
    )


def _collect_writes(session: Session, _flush_context, _instances) -> None:
    pending = session.info.setdefault("audit_pending", [])
    for op, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in UNAUDITED_TABLES:
                continue
            fields = _changed_columns(obj) if op == "update" else []
            if op == "update" and not fields:
                continue
            pending.append((op, obj, fields))


def _write_events(session: Session, _flush_context) -> None:
    pending = session.info.pop("audit_pending", [])
    for op, obj, fields in pending:
        details = {"fields": fields} if fields else {}
        identity = sa.inspect(obj).identity
        session.add(
            _event(
                f"{obj.__tablename__}.{op}",
                object_type=obj.__tablename__,
                object_id=identity[0] if identity else None,
                details=details,
            )
        )


def install_write_auditing() -> None:
    """Record every insert, update and delete of an audited model, whoever makes it."""
    if sa.event.contains(Session, "before_flush", _collect_writes):
        return
    sa.event.listen(Session, "before_flush", _collect_writes)
    sa.event.listen(Session, "after_flush_postexec", _write_events)
