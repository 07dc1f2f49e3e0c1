"""Institution rules: known countries, sub-units without cycles, coordinator limits."""

import sqlalchemy as sa

from hub_api.access.objects import ensure_can_edit_institution
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, ValidationFailed
from hub_api.extensions import db
from hub_api.models import AgreementParty, ApiClient, Country, Institution, User
from hub_api.models.programme import programme_donors, programme_implementers
from hub_api.queries import search_matches
from hub_api.services.lookups import require_reference


def institutions_query(filters: dict) -> sa.Select:
    """The institutions matching the list filters, unordered and unpaged."""
    stmt = sa.select(Institution)
    for name in ("country", "kind", "parent_id", "status"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Institution, name) == filters[name])
    if filters.get("q"):
        stmt = stmt.where(search_matches(Institution.search_text, filters["q"]))
    return stmt


def check_country(code: str | None) -> None:
    """A 422 on `country` unless the code is a known country."""
    if code is None:
        return
    if db.session.scalar(sa.select(Country.id).where(Country.code == code)) is None:
        raise ValidationFailed(
            f"Unknown country {code}.", errors={"country": [f"{code} is not a known country code."]}
        )


def _check_code_free(code: str | None, institution_id: int | None) -> None:
    """A 409 naming `code` when another institution has it, the same on every database."""
    if code is None:
        return
    stmt = sa.select(Institution.id).where(Institution.code == code)
    if institution_id is not None:
        stmt = stmt.where(Institution.id != institution_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(
            f"An institution with code {code} already exists.",
            errors={"code": ["an institution with this code already exists"]},
        )


def _check_parent(institution_id: int | None, parent_id: int | None) -> None:
    """The parent must exist and must not be the institution itself or one of its sub-units."""
    parent = require_reference(Institution, parent_id, field="parent_id", label="institution")
    while parent is not None:
        if parent.id == institution_id:
            raise ValidationFailed(
                "An institution cannot sit under itself or one of its own sub-units.",
                errors={"parent_id": ["This parent would create a cycle."]},
            )
        parent = db.session.get(Institution, parent.parent_id) if parent.parent_id else None


def create_institution(*, data: dict) -> Institution:
    """Register a new institution."""
    check_country(data.get("country"))
    _check_code_free(data.get("code"), None)
    _check_parent(None, data.get("parent_id"))
    institution = Institution(**data)
    db.session.add(institution)
    db.session.flush()
    return institution


def update_institution(*, principal: Principal, institution: Institution, changes: dict) -> Institution:
    """Apply changes the caller is allowed to make."""
    ensure_can_edit_institution(principal, institution.id, changes)
    check_country(changes.get("country"))
    _check_code_free(changes.get("code"), institution.id)
    if "parent_id" in changes:
        _check_parent(institution.id, changes["parent_id"])
    for key, value in changes.items():
        setattr(institution, key, value)
    db.session.flush()
    return institution


def delete_institution(*, institution: Institution) -> None:
    """Remove an institution; references to it (sub-units, accounts, agreements...) make this a 409."""
    references = (
        ("sub-units", Institution.parent_id),
        ("user accounts", User.institution_id),
        ("API clients", ApiClient.institution_id),
        ("agreements it is party to", AgreementParty.institution_id),
        ("programmes it funds", programme_donors.c.institution_id),
        ("programmes it implements", programme_implementers.c.institution_id),
    )
    # Checked here so the 409 says why on every database (SQLite names no constraint).
    held = [
        label
        for label, column in references
        if db.session.scalar(sa.select(column).where(column == institution.id).limit(1)) is not None
    ]
    if held:
        raise Conflict(
            f"The institution still has {' and '.join(held)}; move or remove them first, "
            "or set `status: inactive` instead."
        )
    db.session.delete(institution)
    db.session.flush()
