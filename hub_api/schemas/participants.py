"""Participant schemas: the officer's record, changes, list filters, and the summary nested elsewhere."""

from flask import g, has_request_context
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from hub_api.access.policies import participant_reader
from hub_api.access.visibility import owns_participant
from hub_api.models.enums import Gender, StaffCategory
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import (
    BaseSchema,
    JsonBoolean,
    PersonalText,
    TimestampedSchema,
    TrimmedString,
    enum_field,
    id_field,
    id_filter,
)
from hub_api.schemas.problems import ProblemSchema

REF_LENGTH = NAME_LENGTH = validate.Length(max=100)
NAME_FIELDS = ("given_name", "family_name")
NULL_WHEN_ERASED = "Null once the participant is erased; required on creation"
REF_DESCRIPTION = "The institution's own reference (personnel number); unique within the institution"


class _OwnerOnly:
    """Shows the value only to the participant's own institution (and the hub), else null.

    A host institution sees the names and results of its guests, never their contact details."""

    def _serialize(self, value, attr, obj, **kwargs):
        principal = g.get("principal") if has_request_context() else None
        if principal is not None and not owns_participant(principal, obj):
            return None
        return super()._serialize(value, attr, obj, **kwargs)


class OwnerOnlyText(_OwnerOnly, TrimmedString):
    """Text that only the participant's own institution reads back."""


class OwnerOnlyEmail(_OwnerOnly, fields.Email):
    """An email address that only the participant's own institution reads back."""


class ParticipantSummarySchema(BaseSchema):
    """Who an enrolment belongs to; names only for callers allowed to read participants."""

    id = fields.Integer(dump_only=True)
    institution_id = fields.Integer(dump_only=True)
    given_name = PersonalText(may_see=participant_reader, dump_only=True, allow_none=True)
    family_name = PersonalText(may_see=participant_reader, dump_only=True, allow_none=True)
    gender = enum_field(Gender, dump_only=True)
    staff_category = enum_field(StaffCategory, dump_only=True)
    erased = fields.Boolean(dump_only=True)


def _person_fields(required: bool) -> dict:
    """The fields a partner writes about a person, required on creation and optional on change."""
    return {
        "given_name": TrimmedString(required=required, validate=NAME_LENGTH),
        "family_name": TrimmedString(required=required, validate=NAME_LENGTH),
        "gender": enum_field(Gender, required=required),
        "staff_category": enum_field(StaffCategory, required=required),
        "position": OwnerOnlyText(allow_none=True, validate=validate.Length(max=200)),
        "region": OwnerOnlyText(allow_none=True, validate=validate.Length(max=120)),
        "email": OwnerOnlyEmail(allow_none=True, validate=validate.Length(max=254)),
        "is_trainer": JsonBoolean(metadata={"description": "Also trains others (default false)"}),
    }


class ParticipantSchema(TimestampedSchema.from_dict(_person_fields(required=True))):
    """A participant; POST creates one, erased ones keep only the anonymous facts."""

    given_name = TrimmedString(
        required=True, allow_none=True, validate=NAME_LENGTH, metadata={"description": NULL_WHEN_ERASED}
    )
    family_name = TrimmedString(
        required=True, allow_none=True, validate=NAME_LENGTH, metadata={"description": NULL_WHEN_ERASED}
    )

    institution_id = id_field(
        metadata={"description": "Set on creation only; defaults to the caller's own institution"}
    )
    external_ref = OwnerOnlyText(
        allow_none=True, validate=REF_LENGTH, metadata={"description": REF_DESCRIPTION}
    )
    erased = fields.Boolean(dump_only=True)
    erased_at = fields.AwareDateTime(dump_only=True, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def named(self, data, **_kwargs):
        """A new participant has both names; only erasure empties them (reported with other errors)."""
        missing = {
            name: ["Field may not be null."] for name in NAME_FIELDS if name in data and data[name] is None
        }
        if missing:
            raise ValidationError(missing)


class ParticipantPatchSchema(BaseSchema.from_dict(_person_fields(required=False))):
    """Changes to a participant; the institution never changes."""

    external_ref = TrimmedString(allow_none=True, validate=REF_LENGTH)


class ParticipantQuerySchema(ListArgsSchema):
    """Filters for the participant list."""

    institution_id = id_filter()
    gender = enum_field(Gender)
    staff_category = enum_field(StaffCategory)
    is_trainer = fields.Boolean()
    region = fields.String(validate=validate.Length(min=1, max=120))
    external_ref = fields.String(validate=validate.Length(min=1, max=100))
    erased = fields.Boolean(metadata={"description": "true: only erased participants; false: none of them"})
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "names; also reference or email of your own institution's participants"},
    )
    sort = sort_field("family_name", "given_name", "created_at", "updated_at", default="family_name")


class ImportArgsSchema(BaseSchema):
    """Where a roster goes, and whether to only try it."""

    institution_id = id_filter(
        metadata={"description": "Defaults to the caller's own institution; hub admins must give it"}
    )
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "true: validate and report, write nothing"}
    )


class ParticipantImportRowSchema(BaseSchema.from_dict(_person_fields(required=True))):
    """One roster row: the participant whose `external_ref` it names, created or brought up to date.

    A field left out is left alone on an existing participant; `is_trainer` null or blank means false."""

    external_ref = TrimmedString(
        required=True, validate=REF_LENGTH, metadata={"description": REF_DESCRIPTION}
    )
    is_trainer = fields.Boolean(allow_none=True, metadata={"description": "true/false, 1/0, yes/no"})

    @post_load
    def blank_is_not_a_trainer(self, data, **_kwargs):
        """An empty `is_trainer` means false."""
        if "is_trainer" in data and data["is_trainer"] is None:
            data["is_trainer"] = False
        return data


class ImportRowResultSchema(BaseSchema):
    """What the import did, or would do, with one row."""

    row = fields.Integer(
        metadata={"description": "1-based number of the data row (neither the header nor blank lines count)"}
    )
    external_ref = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(("created", "updated", "unchanged", "error")))
    participant_id = fields.Integer(allow_none=True, metadata={"description": "null when not (yet) created"})
    changed = fields.List(fields.String(), metadata={"description": "Fields an update changes"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field → messages"},
    )


class ImportSummarySchema(BaseSchema):
    """How many rows ended in each status."""

    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    error = fields.Integer()


class ImportReportSchema(BaseSchema):
    """The outcome of a roster import, row by row."""

    dry_run = fields.Boolean()
    committed = fields.Boolean(metadata={"description": "Whether the changes were saved"})
    summary = fields.Nested(ImportSummarySchema)
    rows = fields.List(fields.Nested(ImportRowResultSchema))


class ImportProblemSchema(ProblemSchema):
    """The 422 of an import that was refused: a problem document with the per-row report."""

    report = fields.Nested(ImportReportSchema)
