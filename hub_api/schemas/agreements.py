"""Agreement schemas: parties, commitments, transitions, renewals and list filters."""

from marshmallow import ValidationError, fields, validate, validates_schema

from hub_api.access.policies import contact_reader, hub_admin
from hub_api.models.enums import (
    AgreementKind,
    AgreementStatus,
    CommitmentPeriod,
    CooperationArea,
    PartyRole,
    ProgrammeMetric,
)
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import (
    BaseSchema,
    JsonBoolean,
    Multilingual,
    PersonalText,
    TimestampedSchema,
    choice_field,
    enum_field,
    id_field,
    id_filter,
    integer_field,
)

REFERENCE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9/._-]{1,59}$",
    error="Use 2-60 letters, digits, '/', '.', '_' or '-', starting with a letter or digit.",
)
# Any status is a well-formed move; the service answers 409 for those not allowed from here.
MOVES = [s.value for s in AgreementStatus]


class PartySchema(BaseSchema):
    """An institution's part in an agreement and who signed for it."""

    institution_id = id_field(required=True)
    role = enum_field(PartyRole, load_default=PartyRole.PARTY)
    signatory_name = PersonalText(
        may_see=contact_reader,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "null for callers who may not see people's names (analysts)"},
    )
    signatory_title = fields.String(allow_none=True, validate=validate.Length(max=200))
    signed_on = fields.Date(allow_none=True)


class CommitmentSchema(BaseSchema):
    """A promise such as 40 officers trained per year."""

    metric = enum_field(ProgrammeMetric, required=True)
    target = integer_field(required=True, validate=validate.Range(min=0, max=10_000_000))
    per = enum_field(CommitmentPeriod, required=True)


def check_terms(data: dict) -> None:
    """Two distinct parties at least, no institution twice, dates in order, commitments unique."""
    errors: dict[str, list[str]] = {}
    parties = data.get("parties")
    if parties is not None:
        institutions = [p["institution_id"] for p in parties]
        if len(institutions) != len(set(institutions)):
            errors["parties"] = ["An institution can appear only once among the parties."]
        elif len({p["institution_id"] for p in parties if p["role"] is PartyRole.PARTY}) < 2:
            errors["parties"] = ["An agreement needs at least two institutions with role 'party'."]
    effective, expires = data.get("effective_from"), data.get("expires_on")
    if effective and expires and expires <= effective:
        errors["expires_on"] = ["Must be after effective_from."]
    commitments = data.get("commitments") or []
    keys = [(c["metric"], c["per"]) for c in commitments]
    if len(keys) != len(set(keys)):
        errors["commitments"] = ["Give each metric at most one commitment per period."]
    if errors:
        raise ValidationError(errors)


class AgreementSchema(TimestampedSchema):
    """An agreement; POST takes it without the read-only fields and creates a draft."""

    reference = fields.String(required=True, validate=REFERENCE, metadata={"example": "MOU-2024-KTA-KG"})
    title = Multilingual(required=True, max_length=500)
    kind = enum_field(AgreementKind, required=True)
    status = enum_field(
        AgreementStatus,
        dump_only=True,
        attribute="effective_status",
        metadata={"description": "Read-only; an active agreement past expires_on reads `expired`."},
    )
    parties = fields.List(fields.Nested(PartySchema), required=True)
    areas = fields.List(choice_field(CooperationArea), load_default=list)
    signed_place = fields.String(allow_none=True, validate=validate.Length(max=120))
    signed_on = fields.Date(
        dump_only=True, allow_none=True, metadata={"description": "Set by the transition to signed."}
    )
    effective_from = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True, metadata={"description": "null: open-ended"})
    auto_renew = JsonBoolean(load_default=False)
    programme_id = id_field(allow_none=True, load_default=None)
    predecessor_id = fields.Integer(dump_only=True, allow_none=True)
    successor_id = fields.Integer(dump_only=True, allow_none=True)
    commitments = fields.List(fields.Nested(CommitmentSchema), load_default=list)
    notes = fields.String(allow_none=True, validate=validate.Length(max=4000))

    @validates_schema
    def terms(self, data, **_kwargs):
        """Parties, dates and commitments are consistent."""
        check_terms(data)


class AgreementPatchSchema(TimestampedSchema):
    """Changes to the terms of a draft or negotiation; lists given replace the stored ones."""

    reference = fields.String(validate=REFERENCE)
    title = Multilingual(max_length=500)
    kind = enum_field(AgreementKind)
    parties = fields.List(fields.Nested(PartySchema))
    areas = fields.List(choice_field(CooperationArea))
    signed_place = fields.String(allow_none=True, validate=validate.Length(max=120))
    effective_from = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    auto_renew = JsonBoolean()
    programme_id = id_field(allow_none=True)
    commitments = fields.List(fields.Nested(CommitmentSchema))
    notes = fields.String(allow_none=True, validate=validate.Length(max=4000))

    @validates_schema
    def terms(self, data, **_kwargs):
        """The same consistency checks as on creation, for the fields given."""
        check_terms(data)


class TransitionSchema(BaseSchema):
    """A lifecycle move: draft → negotiation → signed → active → terminated."""

    to = fields.String(
        required=True,
        validate=validate.OneOf(MOVES),
        metadata={
            "description": "The status to move to; only the next one in the lifecycle is allowed (409)."
        },
    )
    on = fields.Date(metadata={"description": "When it happened; today if omitted."})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class TransitionRecordSchema(BaseSchema):
    """One recorded lifecycle move."""

    id = fields.Integer()
    from_status = enum_field(AgreementStatus, data_key="from")
    to_status = enum_field(AgreementStatus, data_key="to")
    on = fields.Date()
    note = fields.String(allow_none=True)
    actor_label = PersonalText(
        may_see=hub_admin,
        allow_none=True,
        data_key="by",
        metadata={"description": "Who made the move; shown to hub admins only"},
    )
    created_at = fields.AwareDateTime()


class RenewalSchema(BaseSchema):
    """Options for a renewal; everything else is copied from the agreement renewed."""

    reference = fields.String(validate=REFERENCE, metadata={"description": "Default: <reference>-R"})
    effective_from = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)


class AgreementQuerySchema(ListArgsSchema):
    """Filters for the agreement list."""

    status = enum_field(AgreementStatus, metadata={"description": "Effective status, `expired` included"})
    kind = enum_field(AgreementKind)
    party = id_filter(metadata={"description": "Agreements this institution is a party to"})
    programme_id = id_filter()
    area = choice_field(CooperationArea)
    expiring_within_days = fields.Integer(
        validate=validate.Range(min=0, max=3650),
        metadata={"description": "Active agreements ending within this many days"},
    )
    signed_from = fields.Date()
    signed_to = fields.Date()
    q = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "reference or title"}
    )
    sort = sort_field(
        "reference",
        "signed_on",
        "expires_on",
        "effective_from",
        "created_at",
        "updated_at",
        default="reference",
    )
