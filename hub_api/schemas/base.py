"""The base schema and field types that every schema in the API builds on."""

import re
from collections.abc import Mapping
from datetime import UTC

from flask import g, has_request_context
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from hub_api.models.enums import LANGUAGES


class BaseSchema(Schema):
    """Rejects unknown fields, and text with NUL characters, so bad input is a 422."""

    class Meta:
        unknown = RAISE

    @pre_load(pass_collection=True)
    def refuse_nul_characters(self, data, **_kwargs):
        """NUL cannot be stored in PostgreSQL text; name the field that carries one."""
        if isinstance(data, Mapping):
            bad = sorted(
                str(key).encode("utf-8", "backslashreplace").decode()
                for key, value in data.items()
                if _has_nul(key) or _has_nul(value)
            )
            if bad:
                message = "Must not contain NUL characters or unpaired surrogates."
                raise ValidationError({key: [message] for key in bad})
        return data


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _has_nul(value) -> bool:
    """NUL characters, or lone UTF-16 surrogates that no database or encoder accepts."""
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Multilingual(fields.Dict):
    """Text in several languages: `{"en": "...", "ru": "..."}`, at least one entry."""

    def __init__(self, max_length: int = 300, **kwargs):
        metadata = {
            "description": "Text keyed by language code (" + ", ".join(LANGUAGES) + ").",
            "example": {"en": "Kostanay Training Academy", "ru": "Костанайская академия"},
            **kwargs.pop("metadata", {}),
        }
        super().__init__(
            keys=fields.String(validate=validate.OneOf(LANGUAGES)),
            values=fields.String(validate=validate.Length(min=1, max=max_length)),
            metadata=metadata,
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if not result:
            raise ValidationError("Give the text in at least one language.")
        stripped = {lang: text.strip() for lang, text in result.items()}
        blank = {lang: ["Must not be blank."] for lang, text in stripped.items() if not text}
        if blank:
            raise ValidationError(blank)
        return stripped


MAX_ID = 2**31 - 1  # ids are INTEGER columns on both databases


def integer_field(**kwargs) -> fields.Integer:
    """An integer in a JSON body: text ("5") and fractions (2.5) are refused, not converted or truncated."""
    return fields.Integer(strict=True, **kwargs)


def id_field(**kwargs) -> fields.Integer:
    """A reference to another object's id in a JSON body: a positive integer the database can hold."""
    return integer_field(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def id_filter(**kwargs) -> fields.Integer:
    """An id in a query string, where every value comes as text."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class JsonBoolean(fields.Boolean):
    """true or false in a JSON body; 1, 0 and text such as "yes" are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class JsonNumber(fields.Float):
    """A number in a JSON body; text ("8") is refused, not converted."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def each_once(what: str):
    """A list validator: each item appears once ("List each <what> once.")."""

    def check(values: list) -> None:
        if len(values) != len(set(values)):
            raise ValidationError(f"List each {what} once.")

    return check


def enum_field(enum_cls, **kwargs) -> fields.Enum:
    """An enum field that reads and writes the member's value, as the contract spells it."""
    return fields.Enum(enum_cls, by_value=True, **kwargs)


class TrimmedString(fields.String):
    """A string stripped of surrounding whitespace that must not end up blank."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Must not be blank.")
        return text


class PersonalText(fields.String):
    """A person's name or email: shown only to callers `may_see` allows, otherwise null."""

    def __init__(self, *, may_see, **kwargs):
        super().__init__(**kwargs)
        self.may_see = may_see

    def _serialize(self, value, attr, obj, **kwargs):
        principal = g.get("principal") if has_request_context() else None
        if has_request_context() and (principal is None or not self.may_see(principal)):
            return None
        return super()._serialize(value, attr, obj, **kwargs)


def choice_field(enum_cls, **kwargs) -> fields.String:
    """A string limited to an enum's values, for values kept in JSON lists."""
    return fields.String(validate=validate.OneOf([m.value for m in enum_cls]), **kwargs)


class UTCTimestamp(fields.AwareDateTime):
    """An ISO 8601 date-time with offset, converted to UTC; one that UTC cannot hold is a 422."""

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise ValidationError("Out of range once converted to UTC.") from exc


def timestamp(**kwargs) -> fields.AwareDateTime:
    """An ISO 8601 date-time with offset; a value without offset is taken as UTC."""
    return UTCTimestamp(default_timezone=UTC, **kwargs)


def email_field(**kwargs) -> fields.Email:
    """An email address that fits the 254-character columns."""
    return fields.Email(validate=validate.Length(max=254), **kwargs)


class TimestampedSchema(BaseSchema):
    """`id`, `created_at` and `updated_at`, which every object carries."""

    id = fields.Integer(dump_only=True)
    created_at = timestamp(dump_only=True)
    updated_at = timestamp(dump_only=True)
