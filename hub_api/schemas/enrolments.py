"""Enrolment schemas: a participant's place and results in a cohort, nominations, and certificates."""

from flask import url_for
from marshmallow import fields, validate

from hub_api.models.enums import CohortStatus, EnrolmentStatus
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import (
    BaseSchema,
    Multilingual,
    TimestampedSchema,
    each_once,
    enum_field,
    id_field,
    id_filter,
    integer_field,
    timestamp,
)
from hub_api.schemas.participants import ParticipantSummarySchema

NOMINATION_STATUSES = (EnrolmentStatus.NOMINATED, EnrolmentStatus.ENROLLED)
SCORE = validate.Range(min=0, max=100)
MAX_BULK = 200


class CertificateSchema(BaseSchema):
    """The certificate a completion earned, and where anyone can verify it."""

    number = fields.String(dump_only=True)
    code = fields.String(dump_only=True, metadata={"description": "Secret verification code"})
    issued_on = fields.Date(dump_only=True)
    valid = fields.Boolean(dump_only=True)
    revoked_at = timestamp(dump_only=True, allow_none=True)
    verify_url = fields.Method("_verify_url", dump_only=True)

    def _verify_url(self, certificate) -> str:
        return url_for("certificates.verify_certificate", code=certificate.code, _external=True)


class CohortSummarySchema(BaseSchema):
    """The cohort an enrolment is in."""

    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    title = Multilingual(dump_only=True)
    status = enum_field(CohortStatus, dump_only=True)
    host_institution_id = fields.Integer(dump_only=True)
    curriculum_id = fields.Integer(dump_only=True)
    starts_on = fields.Date(dump_only=True)
    ends_on = fields.Date(dump_only=True)


class EnrolmentSchema(TimestampedSchema):
    """A participant's enrolment: status, results, derived attendance and certificate."""

    cohort_id = fields.Integer(dump_only=True)
    participant_id = id_field(required=True)
    institution_id = fields.Integer(dump_only=True, metadata={"description": "The participant's institution"})
    status = enum_field(
        EnrolmentStatus,
        load_default=EnrolmentStatus.NOMINATED,
        validate=validate.OneOf(NOMINATION_STATUSES),
        metadata={"description": "On creation: nominated (default), or enrolled by the host"},
    )
    status_changed_at = timestamp(dump_only=True)
    pre_score = fields.Integer(dump_only=True, allow_none=True)
    post_score = fields.Integer(dump_only=True, allow_none=True)
    satisfaction = fields.Integer(dump_only=True, allow_none=True)
    attendance_rate = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "Share of the sessions attended, 0 to 1"}
    )
    certificate = fields.Nested(CertificateSchema, dump_only=True, allow_none=True)
    participant = fields.Nested(ParticipantSummarySchema, dump_only=True)
    cohort = fields.Nested(CohortSummarySchema, dump_only=True)


class EnrolmentPatchSchema(BaseSchema):
    """A move (confirm, outcome, withdraw) and results; the host records results."""

    status = enum_field(EnrolmentStatus)
    pre_score = integer_field(allow_none=True, validate=SCORE)
    post_score = integer_field(allow_none=True, validate=SCORE)
    satisfaction = integer_field(allow_none=True, validate=validate.Range(min=1, max=5))


class BulkNominationSchema(BaseSchema):
    """Many participants for one cohort."""

    participant_ids = fields.List(
        id_field(), required=True, validate=[validate.Length(min=1, max=MAX_BULK), each_once("participant")]
    )
    status = enum_field(
        EnrolmentStatus, load_default=EnrolmentStatus.NOMINATED, validate=validate.OneOf(NOMINATION_STATUSES)
    )


class BulkResultSchema(BaseSchema):
    """What happened to one participant of a bulk nomination."""

    participant_id = fields.Integer()
    status = fields.Integer(metadata={"description": "201 when enrolled, else the refusal's HTTP status"})
    enrolment_id = fields.Integer(allow_none=True)
    detail = fields.String(metadata={"description": "Why it was refused"})


class BulkReportSchema(BaseSchema):
    """Per-participant results of a bulk nomination."""

    created = fields.Integer()
    refused = fields.Integer()
    results = fields.List(fields.Nested(BulkResultSchema))


class EnrolmentQuerySchema(ListArgsSchema):
    """Filters for enrolment lists."""

    status = enum_field(EnrolmentStatus)
    institution_id = id_filter(metadata={"description": "The participants' institution"})
    sort = sort_field("created_at", "updated_at", "status_changed_at", default="created_at")


class VerificationSchema(BaseSchema):
    """What the public learns from a certificate's code: nothing more personal than initials."""

    valid = fields.Boolean()
    certificate_number = fields.String()
    holder_initials = fields.String(allow_none=True)
    cohort_title = Multilingual()
    curriculum_title = Multilingual()
    issued_on = fields.Date()
    issuer = Multilingual()
