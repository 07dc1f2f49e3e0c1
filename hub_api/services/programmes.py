"""Programme rules: known donor and implementer institutions, a forward period, one target per metric."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hub_api.errors import Conflict, ValidationFailed
from hub_api.extensions import db
from hub_api.models import Agreement, Institution, Programme, ProgrammeTarget
from hub_api.models.base import utcnow
from hub_api.queries import search_matches

LIST_OPTIONS = (
    selectinload(Programme.donors),
    selectinload(Programme.implementers),
    selectinload(Programme.targets),
)

LIST_ATTRIBUTES = ("donors", "implementers", "targets")


def programmes_query(filters: dict) -> sa.Select:
    """Programmes matching the list filters, with donors, implementers and targets loaded."""
    stmt = sa.select(Programme).options(*LIST_OPTIONS)
    if filters.get("donor_id") is not None:
        stmt = stmt.where(Programme.donors.any(Institution.id == filters["donor_id"]))
    if filters.get("implementer_id") is not None:
        stmt = stmt.where(Programme.implementers.any(Institution.id == filters["implementer_id"]))
    if filters.get("active_on") is not None:
        day = filters["active_on"]
        stmt = stmt.where(
            sa.or_(Programme.starts_on.is_(None), Programme.starts_on <= day),
            sa.or_(Programme.ends_on.is_(None), Programme.ends_on >= day),
        )
    if filters.get("q"):
        stmt = stmt.where(search_matches(Programme.search_text, filters["q"]))
    return stmt


def institutions_by_id(ids: list[int], *, field: str) -> list[Institution]:
    """The institutions with these ids, in the order given, or a 422 naming the missing ones."""
    found = {i.id: i for i in db.session.scalars(sa.select(Institution).where(Institution.id.in_(ids)))}
    missing = sorted(set(ids) - set(found))
    if missing:
        raise ValidationFailed(
            f"{field} names institutions that do not exist.",
            errors={field: [f"No institution with id {i}." for i in missing]},
        )
    return [found[i] for i in dict.fromkeys(ids)]


def _check_code_free(code: str, programme_id: int | None = None) -> None:
    clash = db.session.scalar(sa.select(Programme.id).where(Programme.code == code))
    if clash is not None and clash != programme_id:
        raise Conflict("A programme with this code already exists.", errors={"code": ["Already used."]})


def _apply(programme: Programme, data: dict) -> None:
    data = dict(data)
    # Sorted by id, as the relationships load them, so a write answers what a later GET reads.
    if "donor_ids" in data:
        donors = institutions_by_id(data.pop("donor_ids"), field="donor_ids")
        programme.donors = sorted(donors, key=lambda i: i.id)
    if "implementer_ids" in data:
        implementers = institutions_by_id(data.pop("implementer_ids"), field="implementer_ids")
        programme.implementers = sorted(implementers, key=lambda i: i.id)
    if "targets" in data:
        targets = [ProgrammeTarget(**t) for t in data.pop("targets")]
        programme.targets = sorted(targets, key=lambda t: t.metric.value)
    for key, value in data.items():
        setattr(programme, key, value)
    if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
        raise ValidationFailed(
            "The programme cannot end before it starts.", errors={"ends_on": ["Too early."]}
        )


def create_programme(*, data: dict) -> Programme:
    """Register a programme."""
    _check_code_free(data["code"])
    programme = Programme()
    _apply(programme, data)
    db.session.add(programme)
    db.session.flush()
    return programme


def update_programme(*, programme: Programme, changes: dict) -> Programme:
    """Change a programme; lists given replace the stored ones."""
    if "code" in changes:
        _check_code_free(changes["code"], programme.id)
    _apply(programme, changes)
    if any(sa.inspect(programme).attrs[name].history.has_changes() for name in LIST_ATTRIBUTES):
        # A change to the lists alone updates no column: touch the row so the version (ETag)
        # and updated_at move too.
        programme.updated_at = utcnow()
    db.session.flush()
    return programme


def delete_programme(*, programme: Programme) -> None:
    """Remove a programme that no agreement refers to."""
    linked = db.session.scalar(
        sa.select(sa.func.count()).select_from(Agreement).where(Agreement.programme_id == programme.id)
    )
    if linked:
        raise Conflict(f"{linked} agreement(s) refer to this programme; unlink them first.")
    db.session.delete(programme)
    db.session.flush()
