"""Load the demo partners: institutions (with their sub-units) and their contacts."""

import copy

import sqlalchemy as sa

from hub_api.demo.load_common import apply_changes
from hub_api.extensions import db
from hub_api.models import Contact, Institution
from hub_api.models.enums import InstitutionStatus

# Institution fields the data set owns, with the value an entry that omits them gets.
INSTITUTION_DEFAULTS = {
    "short_name": None,
    "region": None,
    "city": None,
    "website": None,
    "email": None,
    "status": InstitutionStatus.ACTIVE,
    "external_ids": {},
}
CONTACT_DEFAULTS = {"position": None, "email": None, "phone": None, "roles": []}


def _institution_values(entry: dict, parent_id: int | None) -> dict:
    values = {**INSTITUTION_DEFAULTS, **entry, "parent_id": parent_id}
    values.pop("parent", None)
    values.pop("contacts", None)
    return values


def _contact_values(entry: dict) -> dict:
    return {**CONTACT_DEFAULTS, **entry}


def institution_by_code(code: str) -> Institution | None:
    """The institution with this code, or None."""
    return db.session.scalar(sa.select(Institution).where(Institution.code == code))


def upsert_institution(entry: dict, loaded: dict[str, Institution]) -> tuple[Institution, str]:
    """Add or update a demo institution (its parent listed before it); return it and the outcome."""
    parent_code = entry.get("parent")
    if parent_code is not None and parent_code not in loaded:
        raise ValueError(f"Demo institution {entry['code']}: list parent {parent_code} before it.")
    parent_id = loaded[parent_code].id if parent_code else None
    values = _institution_values(entry, parent_id)
    institution = institution_by_code(entry["code"])
    if institution is None:
        institution = Institution(**copy.deepcopy(values))
        db.session.add(institution)
        db.session.flush()  # its id is needed by sub-units and contacts
        return institution, "added"
    return institution, "updated" if apply_changes(institution, values) else "unchanged"


def upsert_contact(institution: Institution, entry: dict) -> str:
    """Add or update a demo contact of the institution, matched by name; return the outcome."""
    values = _contact_values(entry)
    contact = db.session.scalars(
        sa.select(Contact)
        .where(Contact.institution_id == institution.id, Contact.name == entry["name"])
        .order_by(Contact.id)
    ).first()
    if contact is None:
        db.session.add(Contact(institution_id=institution.id, **copy.deepcopy(values)))
        return "added"
    return "updated" if apply_changes(contact, values) else "unchanged"
