"""Idempotent loader of the demo data set: partners, programmes, agreements, curricula, cohorts, accounts.

Partners are institutions with their contacts; curricula come with their modules and adoptions;
cohorts with their seat allocations and sessions (trainers, attendance); participants with their
enrolments and the certificates completion earns.

The upserts live by domain in load_partners, load_catalogue and load_training; this module orders them.

Both functions run inside an app context, only add and flush (the caller commits), and touch a
row only when its stored values differ from the data set, so a second run changes nothing.
Rows the data set does not list (contacts, sessions, participants or enrolments added through the
API) are left alone, and the seat counters count them too.
"""

import sqlalchemy as sa
from marshmallow import ValidationError

from hub_api.auth import tokens
from hub_api.auth.passwords import hash_secret, needs_rehash, verify_secret
from hub_api.demo.agreements import AGREEMENTS
from hub_api.demo.cohorts import COHORTS
from hub_api.demo.curricula import ADOPTIONS, CURRICULA
from hub_api.demo.institutions import DEMO_ACCOUNTS, INSTITUTIONS
from hub_api.demo.load_catalogue import (
    CurriculumKey,
    upsert_adoption,
    upsert_agreement,
    upsert_curriculum,
    upsert_programme,
)
from hub_api.demo.load_common import apply_changes
from hub_api.demo.load_partners import institution_by_code, upsert_contact, upsert_institution
from hub_api.demo.load_training import load_cohorts
from hub_api.demo.participants import ENROLMENTS, PARTICIPANTS
from hub_api.demo.programmes import PROGRAMMES
from hub_api.extensions import db
from hub_api.models import Agreement, Curriculum, Institution, Programme, User
from hub_api.schemas.users import PASSWORD


def load_demo() -> str:
    """Load or refresh the demo partners, programmes, agreements, curricula, cohorts and participants.

    Return a one-line summary.
    """
    outcomes = {"added": 0, "updated": 0, "unchanged": 0}
    loaded: dict[str, Institution] = {}
    contacts = 0
    for entry in INSTITUTIONS:
        institution, outcome = upsert_institution(entry, loaded)
        loaded[entry["code"]] = institution
        outcomes[outcome] += 1
        for contact_entry in entry.get("contacts", ()):
            outcomes[upsert_contact(institution, contact_entry)] += 1
            contacts += 1
    db.session.flush()
    programmes: dict[str, Programme] = {}
    for entry in PROGRAMMES:
        programme, outcome = upsert_programme(entry, loaded)
        programmes[entry["code"]] = programme
        outcomes[outcome] += 1
    db.session.flush()
    agreements: dict[str, Agreement] = {}
    for entry in AGREEMENTS:
        agreement, outcome = upsert_agreement(entry, loaded, programmes, agreements)
        agreements[entry["reference"]] = agreement
        outcomes[outcome] += 1
    db.session.flush()
    curricula: dict[CurriculumKey, Curriculum] = {}
    for entry in CURRICULA:
        curriculum, outcome = upsert_curriculum(entry, loaded, curricula)
        curricula[(entry["code"], entry["number"])] = curriculum
        outcomes[outcome] += 1
    db.session.flush()
    for entry in ADOPTIONS:
        outcomes[upsert_adoption(entry, loaded, agreements, curricula)] += 1
    db.session.flush()
    for outcome in load_cohorts(loaded, programmes, agreements, curricula).values():
        outcomes[outcome] += 1
    sessions = sum(len(entry["sessions"]) for entry in COHORTS)
    return (
        f"{len(loaded)} institutions, {contacts} contacts, {len(programmes)} programmes, "
        f"{len(agreements)} agreements, {len(curricula)} curriculum versions, {len(ADOPTIONS)} adoptions, "
        f"{len(PARTICIPANTS)} participants, {len(COHORTS)} cohorts, {sessions} sessions, "
        f"{len(ENROLMENTS)} enrolments ({outcomes['added']} added, {outcomes['updated']} updated)"
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
            institution = institution_by_code(institution_code)
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
            apply_changes(user, values)
            db.session.flush()
            if password_changed:
                # As when an admin changes a password: sessions signed in with the old one end.
                tokens.revoke_all_for(user=user, reason="account_changed")
        accounts.append((email, role.value))
    db.session.flush()
    return accounts
