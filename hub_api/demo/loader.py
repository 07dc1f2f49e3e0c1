"""Idempotent loader of the demo data set: upserts institutions, contacts and demo accounts.

Both functions run inside an app context, only add and flush (the caller commits), and touch a
row only when its stored values differ from the data set, so a second run changes nothing.
"""

import copy

import sqlalchemy as sa
from marshmallow import ValidationError

from hub_api.auth import tokens
from hub_api.auth.passwords import hash_secret, needs_rehash, verify_secret
from hub_api.demo.institutions import DEMO_ACCOUNTS, INSTITUTIONS
from hub_api.extensions import db
from hub_api.models import Contact, Institution, User
from hub_api.models.enums import InstitutionStatus
from hub_api.schemas.users import PASSWORD

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


def _apply(obj, values: dict) -> bool:
    """Set the attributes whose stored value differs; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, copy.deepcopy(value))
            changed = True
    return changed


def _institution_values(entry: dict, parent_id: int | None) -> dict:
    values = {**INSTITUTION_DEFAULTS, **entry, "parent_id": parent_id}
    values.pop("parent", None)
    values.pop("contacts", None)
    return values


def _contact_values(entry: dict) -> dict:
    return {**CONTACT_DEFAULTS, **entry}


def _by_code(code: str) -> Institution | None:
    return db.session.scalar(sa.select(Institution).where(Institution.code == code))


def _upsert_institution(entry: dict, loaded: dict[str, Institution]) -> tuple[Institution, str]:
    parent_code = entry.get("parent")
    if parent_code is not None and parent_code not in loaded:
        raise ValueError(f"Demo institution {entry['code']}: list parent {parent_code} before it.")
    parent_id = loaded[parent_code].id if parent_code else None
    values = _institution_values(entry, parent_id)
    institution = _by_code(entry["code"])
    if institution is None:
        institution = Institution(**copy.deepcopy(values))
        db.session.add(institution)
        db.session.flush()  # its id is needed by sub-units and contacts
        return institution, "added"
    return institution, "updated" if _apply(institution, values) else "unchanged"


def _upsert_contact(institution: Institution, entry: dict) -> str:
    values = _contact_values(entry)
    contact = db.session.scalars(
        sa.select(Contact)
        .where(Contact.institution_id == institution.id, Contact.name == entry["name"])
        .order_by(Contact.id)
    ).first()
    if contact is None:
        db.session.add(Contact(institution_id=institution.id, **copy.deepcopy(values)))
        return "added"
    return "updated" if _apply(contact, values) else "unchanged"


def load_demo() -> str:
    """Load or refresh the demo institutions and contacts; return a one-line summary."""
    outcomes = {"added": 0, "updated": 0, "unchanged": 0}
    loaded: dict[str, Institution] = {}
    contacts = 0
    for entry in INSTITUTIONS:
        institution, outcome = _upsert_institution(entry, loaded)
        loaded[entry["code"]] = institution
        outcomes[outcome] += 1
        for contact_entry in entry.get("contacts", ()):
            outcomes[_upsert_contact(institution, contact_entry)] += 1
            contacts += 1
    db.session.flush()
    return (
        f"{len(loaded)} institutions, {contacts} contacts "
        f"({outcomes['added']} added, {outcomes['updated']} updated)"
    )


def _password_matches(user: User, password: str) -> bool:
    return verify_secret(user.password_hash, password) and not needs_rehash(user.password_hash)


def reset_demo_accounts(password: str) -> list[tuple[str, str]]:
    """Create or reset the demo accounts with `password`; return (email, role) pairs."""
    try:
        PASSWORD(password)
    except ValidationError as exc:
        raise ValueError(f"Demo password rejected: {' '.join(exc.messages)}") from exc
    accounts = []
    for email, full_name, role, institution_code in DEMO_ACCOUNTS:
        institution_id = None
        if institution_code is not None:
            institution = _by_code(institution_code)
            if institution is None:
                raise LookupError(f"Institution {institution_code} is missing; run load_demo() first.")
            institution_id = institution.id
        values = {
            "full_name": full_name,
            "role": role,
            "institution_id": institution_id,
            "is_active": True,
        }
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            db.session.add(User(email=email, password_hash=hash_secret(password), **values))
        else:
            password_changed = not _password_matches(user, password)
            if password_changed:
                values["password_hash"] = hash_secret(password)
            _apply(user, values)
            db.session.flush()
            if password_changed:
                # As when an admin changes a password: sessions signed in with the old one end.
                tokens.revoke_all_for(user=user, reason="account_changed")
        accounts.append((email, role.value))
    db.session.flush()
    return accounts
