"""Liveness and readiness probes for load balancers and orchestrators."""

import sqlalchemy as sa
from flask import jsonify
from sqlalchemy.exc import SQLAlchemyError

from hub_api import db_watchdog
from hub_api.api import Blueprint
from hub_api.errors import problem
from hub_api.extensions import db
from hub_api.schemas.health import HealthSchema, ReadinessSchema

READY_DEADLINE_SECONDS = 1.5  # a load balancer's probe wants its answer within 2 s

blp = Blueprint("health", __name__, description="Service health probes")


@blp.route("/health", methods=["GET"])
@blp.public
@blp.response(200, HealthSchema)
def health():
    """Liveness: the process answers."""
    return jsonify(status="ok")


@blp.route("/ready", methods=["GET"])
@blp.public
@blp.response(200, ReadinessSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="Database unreachable")
def ready():
    """Readiness: the database answers; 503 while it does not."""
    try:
        with db_watchdog.deadline(READY_DEADLINE_SECONDS):
            db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return problem(503, "The database is unreachable.", headers={"Retry-After": "5"})
    return jsonify(status="ready", database="ok")
