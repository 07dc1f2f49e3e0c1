"""The change feed's arguments and pages."""

from marshmallow import ValidationError, fields, validate

from hub_api.models.change import FEED_TABLES, OPERATIONS
from hub_api.schemas.base import BaseSchema, timestamp
from hub_api.services.changes.cursor import decode

MAX_LIMIT = 1000


class Cursor(fields.String):
    """A cursor this feed handed out, read as the position it stands for."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return decode(text)
        except ValueError as exc:
            raise ValidationError(
                "Not a cursor this feed handed out: send back a `next_cursor` unchanged, or leave "
                "`after` out to start at the beginning."
            ) from exc


class TypeList(fields.String):
    """Comma-separated feed types, each one known."""

    def _deserialize(self, value, attr, data, **kwargs):
        names = [name.strip() for name in super()._deserialize(value, attr, data, **kwargs).split(",")]
        unknown = [name for name in names if name not in FEED_TABLES]
        if unknown or not names:
            known = ", ".join(FEED_TABLES)
            raise ValidationError(f"Unknown type {', '.join(unknown)}; choose from: {known}.")
        return list(dict.fromkeys(names))


class ChangeQuerySchema(BaseSchema):
    """Where to read from, which types, how many entries."""

    after = Cursor(
        metadata={"description": "The `next_cursor` of the previous page; without it, the beginning."}
    )
    types = TypeList(
        load_default=lambda: list(FEED_TABLES),
        metadata={"description": f"Comma-separated, of: {', '.join(FEED_TABLES)}. All by default."},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))


class ChangeSchema(BaseSchema):
    """One change: which object, what happened to it, when."""

    type = fields.String(validate=validate.OneOf(list(FEED_TABLES)), metadata={"example": "participant"})
    id = fields.Integer(metadata={"description": "The object's id"})
    op = fields.String(validate=validate.OneOf(OPERATIONS), metadata={"example": "updated"})
    at = timestamp()


class ChangePageSchema(BaseSchema):
    """Entries in commit order, and the cursor to read on from (also when there were none)."""

    items = fields.List(fields.Nested(ChangeSchema))
    next_cursor = fields.String()
