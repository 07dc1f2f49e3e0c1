"""Contacts of an institution, always reached through their institution."""

import sqlalchemy as sa

from hub_api.access.objects import ensure_can_edit_institution
from hub_api.auth.principal import Principal
from hub_api.errors import NotFound
from hub_api.extensions import db
from hub_api.models import Contact, Institution
from hub_api.queries import json_list_contains


def contacts_query(institution_id: int, filters: dict) -> sa.Select:
    """An institution's contacts matching the list filters."""
    stmt = sa.select(Contact).where(Contact.institution_id == institution_id)
    if filters.get("role") is not None:
        stmt = stmt.where(json_list_contains(Contact.roles, filters["role"]))
    return stmt


def get_contact(institution_id: int, contact_id: int) -> Contact:
    """The contact, if it belongs to that institution; otherwise 404."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.institution_id != institution_id:
        raise NotFound(f"Institution {institution_id} has no contact with id {contact_id}.")
    return contact


def create_contact(*, principal: Principal, institution: Institution, data: dict) -> Contact:
    """Add a contact person to an institution the caller may edit."""
    ensure_can_edit_institution(principal, institution.id, {})
    contact = Contact(institution_id=institution.id, **data)
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(*, principal: Principal, contact: Contact, changes: dict) -> Contact:
    """Change a contact of an institution the caller may edit."""
    ensure_can_edit_institution(principal, contact.institution_id, {})
    for key, value in changes.items():
        setattr(contact, key, value)
    db.session.flush()
    return contact


def delete_contact(*, principal: Principal, contact: Contact) -> None:
    """Remove a contact of an institution the caller may edit."""
    ensure_can_edit_institution(principal, contact.institution_id, {})
    db.session.delete(contact)
    db.session.flush()
