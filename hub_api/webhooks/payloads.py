"""An event's body: `{id, type, timestamp, data}`, with the object as the subscriber may see it."""

import json
from datetime import datetime

from flask import current_app, g

from hub_api.access.policies import catalogue_reader, participant_reader
from hub_api.access.visibility import get_visible_participant
from hub_api.auth.principal import Principal
from hub_api.errors import NotFound
from hub_api.extensions import db
from hub_api.models import Agreement, Cohort
from hub_api.schemas.agreements import AgreementSchema
from hub_api.schemas.cohorts import CohortSchema
from hub_api.schemas.enrolments import EnrolmentSchema
from hub_api.schemas.participants import ParticipantSchema
from hub_api.services.enrolments import get_enrolment

CATALOGUE = {"cohort": (Cohort, CohortSchema), "agreement": (Agreement, AgreementSchema)}


def _data(principal: Principal, object_type: str, object_id: int) -> dict | None:
    """The object as the routes would show it to `principal`; None when it may not see it."""
    try:
        if object_type in CATALOGUE:
            model, schema = CATALOGUE[object_type]
            found = db.session.get(model, object_id)
            return schema().dump(found) if found is not None and catalogue_reader(principal) else None
        if not participant_reader(principal):
            return None
        if object_type == "participant":
            return ParticipantSchema().dump(get_visible_participant(principal, object_id))
        if object_type == "enrolment":
            return EnrolmentSchema().dump(get_enrolment(principal, object_id))
    except NotFound:
        return None
    raise ValueError(f"no payload for {object_type}")


def render(principal: Principal, event, message_id: str, now: datetime) -> str | None:
    """The JSON body of `event` for one subscriber, or None when the object is hidden from it."""
    data = dict(event.details)
    if event.object_type is not None:
        with current_app.test_request_context():  # schemas decide per field from g.principal
            g.principal = principal
            try:
                shown = _data(principal, event.object_type, event.object_id)
            finally:
                g.pop("principal", None)
        if shown is None:
            return None
        data.update(shown)
    body = {"id": message_id, "type": event.event_type, "timestamp": now.isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
