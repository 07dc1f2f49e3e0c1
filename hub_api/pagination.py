"""Paged, sorted, deterministic lists over a `select`, with `Link` and `X-Total-Count` headers."""

import math
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request
from marshmallow import ValidationError, fields, validate

from hub_api.extensions import db
from hub_api.schemas.base import BaseSchema, timestamp

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000

PAGINATION_HEADERS = {
    "X-Total-Count": {
        "description": "Number of items over all pages",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": "RFC 8288 links: first, prev, next, last",
        "schema": {"type": "string"},
    },
}


def sort_field(*names: str, default: str) -> fields.String:
    """A `sort` argument limited to `names`, each optionally prefixed by `-` for descending."""
    allowed = {*names, *(f"-{n}" for n in names)}

    def check(value: str) -> None:
        unknown = [key for key in value.split(",") if key not in allowed]
        if unknown:
            raise ValidationError(
                f"Cannot sort by {', '.join(unknown)}; use one of {', '.join(sorted(names))}, "
                "optionally prefixed with '-' for descending, comma-separated."
            )

    return fields.String(
        load_default=default,
        validate=check,
        metadata={"description": f"Sort keys: {', '.join(names)}; prefix '-' for descending."},
    )


class ListArgsSchema(BaseSchema):
    """Paging and change-tracking arguments that every list accepts."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )
    updated_since = timestamp(
        metadata={"description": "Only objects changed at or after this ISO 8601 time."}
    )


def _ordering(sort: str, sortable: dict) -> list:
    clauses = []
    for key in sort.split(","):
        column = sortable[key.lstrip("-")]
        ordered = column.desc() if key.startswith("-") else column.asc()
        clauses.append(ordered.nulls_last())  # the same place for NULLs on both databases
    return clauses


def _link_header(page: int, page_size: int, last: int) -> str:
    base = request.base_url
    args = request.args.to_dict()
    targets = {"first": 1, "last": last}
    if page > 1:
        targets["prev"] = min(page - 1, last)
    if page < last:
        targets["next"] = page + 1
    links = []
    for rel, number in targets.items():
        query = urlencode({**args, "page": number, "page_size": page_size})
        links.append(f'<{base}?{query}>; rel="{rel}"')
    return ", ".join(links)


def paginate(
    stmt: sa.Select, args: dict, *, model, sortable: dict, changed_column=None
) -> tuple[list, int, dict]:
    """Apply `updated_since`, sorting and paging to `stmt`; return (items, 200, headers)."""
    if args.get("updated_since") is not None:
        column = model.updated_at if changed_column is None else changed_column
        stmt = stmt.where(column >= args["updated_since"])
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page, page_size = args["page"], args["page_size"]
    tiebreak = model.id.desc() if args["sort"].startswith("-") else model.id.asc()
    ordered = stmt.order_by(*_ordering(args["sort"], sortable), tiebreak)
    items = list(db.session.scalars(ordered.limit(page_size).offset((page - 1) * page_size)).unique())
    last = max(1, math.ceil(total / page_size))
    headers = {"X-Total-Count": str(total), "Link": _link_header(page, page_size, last)}
    return items, 200, headers
