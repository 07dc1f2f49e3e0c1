"""The audit trail, read-only, for hub administrators."""

import sqlalchemy as sa

from hub_api.access.policies import hub_admin
from hub_api.api import Blueprint
from hub_api.models import AuditEvent
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.audit import AuditEventSchema, AuditQuerySchema

blp = Blueprint(
    "audit_events",
    __name__,
    url_prefix="/api/v1/audit-events",
    description="Audit trail (hub admins)",
)

EXACT_FILTERS = (
    "action",
    "outcome",
    "actor_type",
    "actor_id",
    "object_type",
    "object_id",
    "request_id",
)


@blp.route("", methods=["GET"])
@blp.access(hub_admin)
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEventSchema(many=True), headers=PAGINATION_HEADERS)
def list_audit_events(args):
    """List audit events

    Logins, failed logins, refusals and every write, newest first. Append-only."""
    stmt = sa.select(AuditEvent)
    for name in EXACT_FILTERS:
        if args.get(name) is not None:
            stmt = stmt.where(getattr(AuditEvent, name) == args[name])
    if args.get("since") is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= args["since"])
    if args.get("until") is not None:
        stmt = stmt.where(AuditEvent.occurred_at < args["until"])
    return paginate(
        stmt,
        args,
        model=AuditEvent,
        sortable={"occurred_at": AuditEvent.occurred_at},
        changed_column=AuditEvent.occurred_at,
    )
