import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hub_api import clock
from hub_api.demo.agreements import AGREEMENTS
from hub_api.demo.cohorts import COHORTS
from hub_api.demo.curricula import ADOPTIONS, CURRICULA
from hub_api.demo.institutions import DEMO_ACCOUNTS, INSTITUTIONS
from hub_api.demo.loader import load_demo, reset_demo_accounts
from hub_api.demo.participants import ENROLMENTS, KZ_REGIONS, PARTICIPANTS
from hub_api.demo.programmes import PROGRAMMES
from hub_api.extensions import db
from hub_api.models import (
    Agreement,
    AgreementCommitment,
    AgreementParty,
    AgreementTransition,
    Attendance,
    AuditEvent,
    Certificate,
    Cohort,
    CohortSession,
    Contact,
    Curriculum,
    CurriculumAdoption,
    CurriculumModule,
    Enrolment,
    Institution,
    Participant,
    Programme,
    ProgrammeTarget,
    SeatAllocation,
    User,
)
from hub_api.models.cohort import session_trainers
from hub_api.models.enrolment import CONFIRMED, SEAT_HOLDING
from hub_api.models.enums import (
    AgreementKind,
    AgreementStatus,
    CohortKind,
    CohortStatus,
    CurriculumStatus,
    DeliveryMode,
    EnrolmentStatus,
    Gender,
    PartyRole,
    ProgrammeMetric,
    Role,
    StaffCategory,
)
from hub_api.schemas.agreements import AgreementSchema
from hub_api.schemas.cohorts import CohortSchema
from hub_api.schemas.contacts import ContactSchema
from hub_api.schemas.curricula import AdoptionSchema, CurriculumSchema
from hub_api.schemas.institutions import InstitutionSchema
from hub_api.schemas.participants import ParticipantSchema
from hub_api.schemas.programmes import ProgrammeSchema
from hub_api.services import certificates
from hub_api.services.agreements import NEXT_STATUS
from hub_api.services.cohorts import has_seats_for
from tests.helpers import bearer, login, row_count

DEMO_PASSWORD = "demo-password-for-tests"
SUMMARY = (
    "16 institutions, 15 contacts, 3 programmes, 9 agreements, 7 curriculum versions, 4 adoptions, "
    "132 participants, 7 cohorts, 43 sessions, 130 enrolments ({added} added, {updated} updated)"
)
DEMO_CODES = {
    "KTA",
    "KTA-PVE",
    "KG-MIA-ACAD",
    "KNU",
    "KG-SCS",
    "KZ-PSC",
    "UNODC",
    "UNOCT",
    "EU",
    "NL-GOV",
    "NIKA",
    "US-DOS-CT",
    "US-DOS-INL",
    "KZ-MIA",
    "TJ-GUIUN-TC",
    "UZ-MIA-ACAD",
}
# People the source articles name; none of them may be a demo contact or account.
REAL_PEOPLE = [
    "Darmenov",
    "Mukanov",
    "Dzhanuzakov",
    "Abdyrakhmanov",
    "Fedotova",
    "Zafari",
    "Mektepbayeva",
    "Zhaubasarova",
    "Telenkov",
    "Baimukashev",
    "O'Brien",
    "O\u2019Brien",
    "Sidorov",
]
# The same people as Russian-language records would spell them.
REAL_PEOPLE_CYRILLIC = [
    "Дарменов",
    "Муканов",
    "Джанузаков",
    "Абдырахманов",
    "Федотова",
    "Зафари",
    "Мектепбаева",
    "Жаубасарова",
    "Теленков",
    "Баймукашев",
    "О'Брайен",
    "Сидоров",
]


def load(app) -> str:
    with app.app_context():
        summary = load_demo()
        db.session.commit()
    return summary


def reset(app, password=DEMO_PASSWORD) -> list[tuple[str, str]]:
    with app.app_context():
        accounts = reset_demo_accounts(password)
        db.session.commit()
    return accounts


def find(client, admin, q: str) -> list[dict]:
    response = client.get("/api/v1/institutions", query_string={"q": q}, headers=admin.headers)
    assert response.status_code == 200, response.json
    return response.json


def snapshot(dbs) -> dict:
    """Every demo-relevant row's identity and version, to compare across runs."""
    dbs.expire_all()
    institutions = {
        i.code: (i.id, i.version, i.updated_at, i.parent_id, i.name, i.external_ids)
        for i in dbs.scalars(sa.select(Institution))
    }
    contacts = {
        (c.institution_id, c.name): (c.id, c.version, c.updated_at, c.roles)
        for c in dbs.scalars(sa.select(Contact))
    }
    programmes = {
        p.code: (p.id, p.version, p.updated_at, p.name, p.donor_ids, p.implementer_ids)
        for p in dbs.scalars(sa.select(Programme))
    }
    targets = set(
        dbs.execute(sa.select(ProgrammeTarget.programme_id, ProgrammeTarget.metric, ProgrammeTarget.target))
    )
    agreements = {
        a.reference: (a.id, a.version, a.updated_at, a.status, a.signed_on, a.predecessor_id, a.areas)
        for a in dbs.scalars(sa.select(Agreement))
    }
    parties = {
        (p.agreement_id, p.institution_id): (p.id, p.role, p.signatory_name, p.signed_on)
        for p in dbs.scalars(sa.select(AgreementParty))
    }
    commitments = {
        c.id: (c.agreement_id, c.metric, c.target, c.per) for c in dbs.scalars(sa.select(AgreementCommitment))
    }
    transitions = {
        t.id: (t.agreement_id, t.from_status, t.to_status, t.on, t.created_at)
        for t in dbs.scalars(sa.select(AgreementTransition))
    }
    curricula = {
        (c.code, c.number): (
            c.id,
            c.version,
            c.updated_at,
            c.status,
            c.derived_from_id,
            c.published_at,
            c.title,
            c.audiences,
        )
        for c in dbs.scalars(sa.select(Curriculum))
    }
    modules = {
        (m.curriculum_id, m.position): (m.id, m.title, m.hours, m.learning_outcomes)
        for m in dbs.scalars(sa.select(CurriculumModule))
    }
    adoptions = {
        (a.curriculum_id, a.institution_id): (
            a.id,
            a.version,
            a.updated_at,
            a.agreement_id,
            a.adopted_on,
            a.language,
            a.local_title,
            a.notes,
        )
        for a in dbs.scalars(sa.select(CurriculumAdoption))
    }
    return {
        "institutions": institutions,
        "contacts": contacts,
        "programmes": programmes,
        "targets": targets,
        "agreements": agreements,
        "parties": parties,
        "commitments": commitments,
        "transitions": transitions,
        "curricula": curricula,
        "modules": modules,
        "adoptions": adoptions,
        **training_snapshot(dbs),
    }


def training_snapshot(dbs) -> dict:
    """Every participant, cohort, session, enrolment, attendance and certificate row, as stored."""
    participants = {
        (p.institution_id, p.external_ref): (
            p.id,
            p.version,
            p.updated_at,
            p.given_name,
            p.family_name,
            p.gender,
            p.staff_category,
            p.position,
            p.region,
            p.is_trainer,
            p.search_text,
        )
        for p in dbs.scalars(sa.select(Participant))
    }
    cohorts = {
        c.code: (
            c.id,
            c.version,
            c.updated_at,
            c.status,
            c.title,
            c.curriculum_id,
            c.starts_on,
            c.ends_on,
            c.capacity,
            c.seats_taken,
            c.search_text,
        )
        for c in dbs.scalars(sa.select(Cohort))
    }
    allocations = {
        (a.cohort_id, a.institution_id): (a.id, a.seats, a.seats_taken)
        for a in dbs.scalars(sa.select(SeatAllocation))
    }
    sessions = {
        (s.cohort_id, s.starts_at): (s.id, s.version, s.updated_at, s.ends_at, s.topic, s.mode)
        for s in dbs.scalars(sa.select(CohortSession))
    }
    trainers = set(dbs.execute(sa.select(session_trainers)).all())
    enrolments = {
        (e.cohort_id, e.participant_id): (
            e.id,
            e.version,
            e.updated_at,
            e.institution_id,
            e.status,
            e.status_changed_at,
            e.pre_score,
            e.post_score,
            e.satisfaction,
        )
        for e in dbs.scalars(sa.select(Enrolment))
    }
    attendance = {
        (a.session_id, a.enrolment_id): (a.id, a.present, a.minutes)
        for a in dbs.scalars(sa.select(Attendance))
    }
    certificates_ = {
        c.enrolment_id: (c.id, c.version, c.updated_at, c.number, c.code, c.issued_on, c.revoked_at)
        for c in dbs.scalars(sa.select(Certificate))
    }
    return {
        "participants": participants,
        "cohorts": cohorts,
        "allocations": allocations,
        "sessions": sessions,
        "trainers": trainers,
        "enrolments": enrolments,
        "attendance": attendance,
        "certificates": certificates_,
    }


@pytest.mark.parametrize(
    ("query", "code", "en_part", "ru_part"),
    [
        ("Kostanay Training", "KTA", "Kostanay Training Academy", "Костанайская академия"),
        ("Preventing Violent", "KTA-PVE", "Preventing Violent Extremism", "экстремизма"),
        ("Академия Министерства внутренних дел Кыргызской", "KG-MIA-ACAD", "Interior Affairs", "Кыргызской"),
        ("Balasagyn", "KNU", "Kyrgyz National University", "Баласагына"),
        ("Convoy", "KG-SCS", "Security and Convoy Service", "конвоирования"),
        ("уголовно-исполнительной", "KZ-PSC", "Penal System Committee", "Комитет"),
        ("Drugs and Crime", "UNODC", "United Nations Office on Drugs", "наркотикам"),
        ("Counter-Terrorism", "UNOCT", "Counter-Terrorism", "Контртеррористическое"),
        ("European Union", "EU", "European Union", "Европейский союз"),
        ("Нидерландов", "NL-GOV", "Netherlands", "Нидерландов"),
        ("NIKA", "NIKA", "Communicative Development", "НИКА"),
        ("Bureau of Counterterrorism", "US-DOS-CT", "U.S. Department of State", "терроризмом"),
        ("Narcotics and Law Enforcement", "US-DOS-INL", "(INL)", "наркотиками"),
        ("Министерство внутренних дел", "KZ-MIA", "Kazakhstan", "Министерство"),
        ("Criminal Punishments", "TJ-GUIUN-TC", "Tajikistan", "Таджикистан"),
        ("Uzbekistan", "UZ-MIA-ACAD", "Uzbekistan", "Узбекистан"),
    ],
)
def test_named_institution_is_found_with_english_and_russian_names(
    app, client, admin, query, code, en_part, ru_part
):
    load(app)
    found = find(client, admin, query)
    assert [i["code"] for i in found] == [code]
    assert en_part in found[0]["name"]["en"]
    assert ru_part in found[0]["name"]["ru"]


def test_every_demo_institution_has_english_and_russian_names(app, client, admin):
    assert load(app).startswith("16 institutions, 15 contacts, 3 programmes, 9 agreements")
    response = client.get("/api/v1/institutions?page_size=100", headers=admin.headers)
    assert response.status_code == 200
    listed = {i["code"]: i for i in response.json}
    assert set(listed) == DEMO_CODES
    for code, institution in listed.items():
        assert institution["name"].get("en"), code
        assert institution["name"].get("ru"), code
        assert institution["status"] == "active"


def test_kinds_and_countries(app, client, admin):
    load(app)
    response = client.get("/api/v1/institutions?page_size=100", headers=admin.headers)
    facts = {i["code"]: (i["kind"], i["country"]) for i in response.json}
    assert facts["KTA"] == ("academy", "KZ")
    assert facts["KNU"] == ("university", "KG")
    assert facts["KG-SCS"] == ("penitentiary_service", "KG")
    assert facts["KZ-PSC"] == ("penitentiary_service", "KZ")
    assert facts["UNODC"] == ("international_organisation", "AT")
    assert facts["UNOCT"] == ("international_organisation", "US")
    assert facts["EU"] == ("donor", "BE")
    assert facts["NL-GOV"] == ("donor", "NL")
    assert facts["NIKA"] == ("ngo", "KZ")
    assert facts["US-DOS-CT"] == ("donor", "US")
    assert facts["US-DOS-INL"] == ("donor", "US")
    assert facts["KZ-MIA"] == ("ministry", "KZ")
    assert facts["TJ-GUIUN-TC"] == ("academy", "TJ")
    assert facts["UZ-MIA-ACAD"] == ("academy", "UZ")
    kta = next(i for i in response.json if i["code"] == "KTA")
    assert kta["city"] == "Kostanay"
    assert kta["region"] == "Kostanay Region"
    assert kta["external_ids"]["unodc_partner_registry"]
    assert "kk" in kta["name"]


def test_pve_centre_is_a_sub_unit_of_kta(app, client, admin):
    load(app)
    kta = find(client, admin, "KTA")
    kta_id = next(i["id"] for i in kta if i["code"] == "KTA")
    response = client.get(f"/api/v1/institutions?parent_id={kta_id}", headers=admin.headers)
    assert response.status_code == 200
    assert [i["code"] for i in response.json] == ["KTA-PVE"]
    assert response.json[0]["parent_id"] == kta_id
    assert next(i for i in kta if i["code"] == "KTA")["parent_id"] is None


def test_contacts_have_roles_and_are_invented(app, client, admin, dbs):
    load(app)
    kta_id = dbs.scalar(sa.select(Institution.id).where(Institution.code == "KTA"))
    response = client.get(f"/api/v1/institutions/{kta_id}/contacts?role=signatory", headers=admin.headers)
    assert response.status_code == 200
    assert len(response.json) == 1
    assert "head" in response.json[0]["roles"]
    assert response.json[0]["position"] == "Head of the Academy"

    contacts = dbs.scalars(sa.select(Contact)).all()
    assert len(contacts) == 15
    with_contacts = {c.institution_id for c in contacts}
    for code in ("KTA", "KTA-PVE", "KG-MIA-ACAD", "KNU", "KG-SCS", "KZ-PSC", "KZ-MIA", "TJ-GUIUN-TC"):
        institution_id = dbs.scalar(sa.select(Institution.id).where(Institution.code == code))
        assert institution_id in with_contacts, code
    for contact in contacts:
        assert contact.roles, contact.name
        assert contact.email is None or contact.email.endswith(".example"), contact.email
        for surname in REAL_PEOPLE:
            assert surname.casefold() not in contact.name.casefold()


def test_demo_accounts_do_not_name_real_people():
    for email, full_name, _role, _code in DEMO_ACCOUNTS:
        assert email.endswith(".example")
        for surname in REAL_PEOPLE:
            assert surname.casefold() not in full_name.casefold()


def test_data_set_passes_the_api_validation():
    for entry in INSTITUTIONS:
        body = {k: v for k, v in entry.items() if k not in ("parent", "contacts")}
        body["kind"] = body["kind"].value
        assert InstitutionSchema().validate(body) == {}, entry["code"]
        for contact in entry.get("contacts", ()):
            assert ContactSchema().validate(dict(contact)) == {}, contact["name"]


def test_loading_twice_changes_nothing(app, dbs, count_queries):
    first = load(app)
    assert first == SUMMARY.format(added=54 + 132 + 7 + 43 + 130, updated=0)
    before = snapshot(dbs)
    audit_before = row_count(dbs, AuditEvent)
    assert len(before["institutions"]) == 16
    assert len(before["contacts"]) == 15
    assert len(before["programmes"]) == 3
    assert len(before["targets"]) == 11
    assert len(before["agreements"]) == 9
    assert len(before["parties"]) == 23
    assert len(before["commitments"]) == 12
    assert len(before["transitions"]) == 22
    assert len(before["curricula"]) == 7
    assert len(before["modules"]) == 29
    assert len(before["adoptions"]) == 4
    assert len(before["participants"]) == 132
    assert len(before["cohorts"]) == 7
    assert len(before["allocations"]) == 3 + 4
    assert len(before["sessions"]) == 43
    assert len(before["trainers"]) == 68
    assert len(before["enrolments"]) == 130
    assert len(before["attendance"]) == 737
    assert len(before["certificates"]) == 114

    with count_queries() as statements:
        second = load(app)

    assert second == SUMMARY.format(added=0, updated=0)
    writes = [s for s in statements if s.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    after = snapshot(dbs)
    assert after == before
    assert row_count(dbs, AuditEvent) == audit_before


def test_refresh_restores_edited_data_and_keeps_ids_and_other_rows(app, dbs):
    load(app)
    kta = dbs.scalar(sa.select(Institution).where(Institution.code == "KTA"))
    pve = dbs.scalar(sa.select(Institution).where(Institution.code == "KTA-PVE"))
    kta_id, pve_id = kta.id, pve.id
    kta.name = {"en": "Renamed"}
    kta.website = "https://renamed.example"
    pve.parent_id = None
    head = dbs.scalar(
        sa.select(Contact).where(Contact.institution_id == kta_id, Contact.name == "Bolat Yesimkhanov")
    )
    head_id = head.id
    head.roles = ["other"]
    dbs.delete(dbs.scalar(sa.select(Contact).where(Contact.name == "Aigerim Tulegenova")))
    dbs.add(Contact(institution_id=kta_id, name="Someone Added By Hand", roles=["trainer"]))
    dbs.add(Institution(code="OTHER", name={"en": "Not demo"}, kind="other", country="KZ"))
    dbs.commit()

    summary = load(app)

    assert summary == SUMMARY.format(added=1, updated=3)
    dbs.expire_all()
    kta = dbs.get(Institution, kta_id)
    assert kta.name["en"] == "Kostanay Training Academy"
    assert kta.name["ru"].startswith("Костанайская академия")
    assert kta.website is None
    assert dbs.get(Institution, pve_id).parent_id == kta_id
    assert dbs.get(Contact, head_id).roles == ["head", "signatory"]
    names = set(dbs.scalars(sa.select(Contact.name).where(Contact.institution_id == kta_id)))
    assert names == {"Bolat Yesimkhanov", "Aigerim Tulegenova", "Someone Added By Hand"}
    assert dbs.scalar(sa.select(Institution).where(Institution.code == "OTHER")) is not None
    assert row_count(dbs, Institution) == 17


def test_demo_accounts_sign_in_with_their_roles(app, client, dbs):
    load(app)
    accounts = reset(app)
    assert accounts == [(email, role.value) for email, _, role, _ in DEMO_ACCOUNTS]
    assert {role for _, role in accounts} == {"hub_admin", "coordinator", "analyst"}
    kta_id = dbs.scalar(sa.select(Institution.id).where(Institution.code == "KTA"))
    for email, role in accounts:
        signed_in = login(client, email, DEMO_PASSWORD)
        assert signed_in.status_code == 200, signed_in.json
        token = signed_in.json["access_token"]
        me = client.get("/api/v1/auth/me", headers=bearer(token))
        assert me.status_code == 200
        assert me.json["email"] == email
        assert me.json["role"] == role
        assert me.json["institution_id"] == (kta_id if role == "coordinator" else None)
        assert login(client, email, "not-the-demo-password").status_code == 401


def test_resetting_twice_keeps_accounts_and_sessions(app, client, dbs):
    load(app)
    reset(app)
    hashes = dict(dbs.execute(sa.select(User.email, User.password_hash)).all())
    token = login(client, "admin@demo-hub.example", DEMO_PASSWORD).json["access_token"]

    reset(app)

    dbs.expire_all()
    assert dict(dbs.execute(sa.select(User.email, User.password_hash)).all()) == hashes
    me = client.get("/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200


def test_reset_reenables_a_disabled_account(app, client, admin):
    load(app)
    reset(app)
    users = client.get("/api/v1/users", query_string={"q": "coordinator@demo-hub"}, headers=admin.headers)
    assert users.status_code == 200
    [coordinator] = users.json
    disabled = client.patch(
        f"/api/v1/users/{coordinator['id']}", json={"is_active": False}, headers=admin.headers
    )
    assert disabled.status_code == 200, disabled.json
    assert disabled.json["is_active"] is False
    assert login(client, "coordinator@demo-hub.example", DEMO_PASSWORD).status_code == 401

    reset(app)

    signed_in = login(client, "coordinator@demo-hub.example", DEMO_PASSWORD)
    assert signed_in.status_code == 200, signed_in.json


def test_reset_restores_role_and_new_password_ends_old_sessions(app, client, dbs):
    load(app)
    reset(app, "first-demo-password")
    old_token = login(client, "admin@demo-hub.example", "first-demo-password").json["access_token"]
    admin_user = dbs.scalar(sa.select(User).where(User.email == "admin@demo-hub.example"))
    admin_user.role = Role.ANALYST
    dbs.commit()

    reset(app, "second-demo-password")

    assert login(client, "admin@demo-hub.example", "first-demo-password").status_code == 401
    signed_in = login(client, "admin@demo-hub.example", "second-demo-password")
    assert signed_in.status_code == 200
    headers = bearer(signed_in.json["access_token"])
    assert client.get("/api/v1/auth/me", headers=headers).json["role"] == "hub_admin"
    stale = client.get("/api/v1/auth/me", headers=bearer(old_token))
    assert stale.status_code == 401


def test_reset_rejects_a_short_password_and_needs_the_institutions(app, engine):
    with app.app_context():
        with pytest.raises(ValueError, match="12"):
            reset_demo_accounts("short")
        with pytest.raises(LookupError, match="KTA"):
            reset_demo_accounts(DEMO_PASSWORD)
        db.session.rollback()


# --- programmes and agreements ----------------------------------------------------------------

DEMO_TODAY = date(2026, 11, 21)


@pytest.fixture
def fixed_today(monkeypatch):
    """The clock reads 2026-11-21, the day the demo agreements' statuses are described for."""
    monkeypatch.setattr(clock, "today", lambda: DEMO_TODAY)
    return DEMO_TODAY


def institution_codes(dbs) -> dict[int, str]:
    return dict(dbs.execute(sa.select(Institution.id, Institution.code)).all())


def agreement(dbs, reference: str) -> Agreement:
    dbs.expire_all()
    return dbs.scalar(sa.select(Agreement).where(Agreement.reference == reference))


def test_three_programmes_with_their_donors_implementers_and_targets(app, dbs):
    load(app)
    codes = institution_codes(dbs)
    programmes = {p.code: p for p in dbs.scalars(sa.select(Programme))}
    assert set(programmes) == {"UN-GP-VEP", "RFTF-DET-II", "KZ-POLICE-REFORM"}
    facts = {
        code: (sorted(codes[i] for i in p.donor_ids), sorted(codes[i] for i in p.implementer_ids))
        for code, p in programmes.items()
    }
    assert facts == {
        "UN-GP-VEP": (["EU", "NL-GOV", "UNOCT"], ["UNOCT", "UNODC"]),
        "RFTF-DET-II": (["US-DOS-CT"], ["UNODC"]),
        "KZ-POLICE-REFORM": (["US-DOS-INL"], ["UNODC"]),
    }
    global_programme = programmes["UN-GP-VEP"]
    assert "Violent Extremist Prisoners" in global_programme.name["en"]
    assert "Prevention of Radicalization to Violence in Prisons" in global_programme.name["en"]
    targets = {t.metric: t.target for t in global_programme.targets}
    # "56 trained (11% women), 150 more slated"
    assert targets[ProgrammeMetric.PARTICIPANTS_TRAINED] == 56 + 150
    assert targets[ProgrammeMetric.WOMEN_TRAINED] == round(0.11 * 206)
    assert programmes["RFTF-DET-II"].name["en"] == "RFTF Detention Program Phase II"
    assert programmes["KZ-POLICE-REFORM"].name["en"] == "Support to Police Reform in Kazakhstan"
    for programme in programmes.values():
        assert programme.name.get("ru"), programme.code
        assert programme.targets, programme.code
        assert programme.starts_on < programme.ends_on


def test_bishkek_mou_links_three_parties_with_unodc_supporting(app, dbs):
    load(app)
    codes = institution_codes(dbs)
    mou = agreement(dbs, "MOU/2024/KTA-KGMIA-KNU")
    assert mou.kind is AgreementKind.MOU
    assert mou.status is AgreementStatus.ACTIVE
    assert mou.signed_place == "Bishkek"
    assert mou.signed_on == date(2024, 6, 12)
    assert mou.areas == ["capacity_building", "staff_qualification", "joint_education"]
    roles = {codes[p.institution_id]: p.role for p in mou.parties}
    assert roles == {
        "KTA": PartyRole.PARTY,
        "KG-MIA-ACAD": PartyRole.PARTY,
        "KNU": PartyRole.PARTY,
        "UNODC": PartyRole.SUPPORTING,
    }
    for party in mou.parties:
        if party.role is PartyRole.PARTY:
            assert party.signatory_name and party.signatory_title
            assert party.signed_on == date(2024, 6, 12)
    assert mou.commitments
    programme = dbs.get(Programme, mou.programme_id)
    assert programme.code == "RFTF-DET-II"


def test_country_workplan_under_the_police_reform_programme(app, dbs, fixed_today):
    load(app)
    codes = institution_codes(dbs)
    workplan = agreement(dbs, "WP/2020/UNODC-KZ-MIA")
    assert workplan.kind is AgreementKind.WORKPLAN
    assert dbs.get(Programme, workplan.programme_id).code == "KZ-POLICE-REFORM"
    assert {codes[p.institution_id] for p in workplan.parties} == {"UNODC", "KZ-MIA"}
    assert workplan.effective_status is AgreementStatus.EXPIRED


def test_every_status_appears_when_read_on_the_demo_day(app, dbs, fixed_today):
    load(app)
    dbs.expire_all()
    effective = set(dbs.scalars(sa.select(Agreement.effective_status)))
    assert effective == {
        "draft",
        "negotiation",
        "signed",
        "active",
        "terminated",
        "expired",
        "superseded",
    }
    stored = set(dbs.scalars(sa.select(Agreement.status)))
    assert stored == {
        AgreementStatus.DRAFT,
        AgreementStatus.NEGOTIATION,
        AgreementStatus.SIGNED,
        AgreementStatus.ACTIVE,
        AgreementStatus.TERMINATED,
    }
    # The Python reading agrees with the SQL one, row by row.
    by_sql = dict(dbs.execute(sa.select(Agreement.reference, Agreement.effective_status)).all())
    for row in dbs.scalars(sa.select(Agreement)):
        assert row.effective_status.value == by_sql[row.reference], row.reference


def test_one_active_agreement_expires_within_90_days(app, dbs, fixed_today):
    load(app)
    dbs.expire_all()
    expiring = dbs.scalars(
        sa.select(Agreement.reference).where(
            Agreement.effective_status == AgreementStatus.ACTIVE.value,
            Agreement.expires_on.between(fixed_today, fixed_today + timedelta(days=90)),
        )
    ).all()
    assert expiring == ["MOU/2024/KTA-UZ-MIA"]


def test_superseded_agreement_is_linked_to_its_active_renewal(app, dbs, fixed_today):
    load(app)
    old = agreement(dbs, "MOU/2021/KTA-TJ-GUIUN")
    renewal = agreement(dbs, "MOU/2021/KTA-TJ-GUIUN-R")
    assert renewal.predecessor_id == old.id
    assert old.successor_id == renewal.id
    assert old.status is AgreementStatus.ACTIVE
    assert old.effective_status is AgreementStatus.SUPERSEDED
    assert renewal.effective_status is AgreementStatus.ACTIVE
    draft_renewal = agreement(dbs, "MOU/2024/KTA-UZ-MIA-R")
    assert draft_renewal.effective_status is AgreementStatus.DRAFT
    # A draft renewal does not supersede the agreement it renews.
    assert dbs.get(Agreement, draft_renewal.predecessor_id).effective_status is AgreementStatus.ACTIVE


def test_histories_lead_from_draft_to_the_stored_status(app, dbs):
    load(app)
    dbs.expire_all()
    for row in dbs.scalars(sa.select(Agreement)):
        steps = dbs.scalars(
            sa.select(AgreementTransition)
            .where(AgreementTransition.agreement_id == row.id)
            .order_by(AgreementTransition.id)
        ).all()
        current = AgreementStatus.DRAFT
        for step in steps:
            assert step.from_status is current, row.reference
            assert NEXT_STATUS[current] is step.to_status, row.reference
            assert step.actor_label == "demo"
            current = step.to_status
        assert current is row.status, row.reference
        assert [s.on for s in steps] == sorted(s.on for s in steps), row.reference
        signed = [s.on for s in steps if s.to_status is AgreementStatus.SIGNED]
        assert row.signed_on == (signed[0] if signed else None), row.reference
        for party in row.parties:
            if row.signed_on is None or party.role is not PartyRole.PARTY:
                assert party.signed_on is None, row.reference
            else:
                assert party.signed_on <= row.signed_on, row.reference
        assert len({p.institution_id for p in row.parties if p.role is PartyRole.PARTY}) >= 2


def test_signatories_are_invented():
    for entry in AGREEMENTS:
        for party in entry["parties"]:
            for surname in REAL_PEOPLE:
                assert surname.casefold() not in (party["signatory_name"] or "").casefold()


def test_programmes_and_agreements_pass_the_api_validation():
    ids = {entry["code"]: n for n, entry in enumerate(INSTITUTIONS, start=1)}
    for entry in PROGRAMMES:
        body = {
            "code": entry["code"],
            "name": entry["name"],
            "description": entry["description"],
            "starts_on": entry["starts_on"].isoformat(),
            "ends_on": entry["ends_on"].isoformat(),
            "donor_ids": [ids[c] for c in entry["donors"]],
            "implementer_ids": [ids[c] for c in entry["implementers"]],
            "targets": [{"metric": m.value, "target": t} for m, t in entry["targets"].items()],
        }
        assert ProgrammeSchema().validate(body) == {}, entry["code"]
    for entry in AGREEMENTS:
        body = {
            "reference": entry["reference"],
            "title": entry["title"],
            "kind": entry["kind"].value,
            "areas": entry["areas"],
            "auto_renew": entry.get("auto_renew", False),
            "parties": [
                {
                    "institution_id": ids[p["institution"]],
                    "role": p["role"].value,
                    "signatory_name": p["signatory_name"],
                    "signatory_title": p["signatory_title"],
                    "signed_on": p["signed_on"] and p["signed_on"].isoformat(),
                }
                for p in entry["parties"]
            ],
            "commitments": [
                {"metric": c["metric"].value, "target": c["target"], "per": c["per"].value}
                for c in entry.get("commitments", ())
            ],
        }
        for key in ("signed_place", "notes"):
            if key in entry:
                body[key] = entry[key]
        for key in ("effective_from", "expires_on"):
            if key in entry:
                body[key] = entry[key].isoformat()
        assert AgreementSchema().validate(body) == {}, entry["reference"]


def test_refresh_restores_an_edited_agreement(app, dbs):
    load(app)
    mou = agreement(dbs, "MOU/2024/KTA-KGMIA-KNU")
    mou_id = mou.id
    mou.expires_on = date(2030, 1, 1)
    mou.parties = [p for p in mou.parties if p.role is PartyRole.PARTY]
    mou.commitments[0].target = 1
    dbs.execute(sa.delete(AgreementTransition).where(AgreementTransition.agreement_id == mou_id))
    dbs.add(
        AgreementTransition(
            agreement_id=mou_id,
            from_status=AgreementStatus.ACTIVE,
            to_status=AgreementStatus.TERMINATED,
            on=date(2026, 1, 1),
            actor_label="someone@hub.example",
        )
    )
    dbs.commit()

    assert load(app) == SUMMARY.format(added=0, updated=1)

    mou = agreement(dbs, "MOU/2024/KTA-KGMIA-KNU")
    assert mou.id == mou_id
    assert mou.expires_on == date(2029, 6, 12)
    assert len(mou.parties) == 4
    assert sorted(c.target for c in mou.commitments) == [10, 40]
    labels = list(
        dbs.scalars(
            sa.select(AgreementTransition.actor_label).where(AgreementTransition.agreement_id == mou_id)
        )
    )
    assert sorted(labels) == ["demo", "demo", "demo", "someone@hub.example"]
    assert load(app) == SUMMARY.format(added=0, updated=0)


# --- the same facts through the API -----------------------------------------------------------


def listed(client, admin, path: str, **params) -> list[dict]:
    response = client.get(path, query_string={"page_size": 100, **params}, headers=admin.headers)
    assert response.status_code == 200, response.json
    return response.json


def test_api_lists_each_status_and_the_expiring_agreement(app, client, admin, fixed_today):
    load(app)
    expected = {
        "draft": ["MOU/2024/KTA-UZ-MIA-R"],
        "negotiation": ["MOU/2026/KTA-KG-SCS"],
        "signed": ["CA/2026/KTA-KZ-PSC"],
        "active": ["MOU/2021/KTA-TJ-GUIUN-R", "MOU/2024/KTA-KGMIA-KNU", "MOU/2024/KTA-UZ-MIA"],
        "terminated": ["LOI/2022/KGMIA-TJ-GUIUN"],
        "expired": ["WP/2020/UNODC-KZ-MIA"],
        "superseded": ["MOU/2021/KTA-TJ-GUIUN"],
    }
    for status, references in expected.items():
        found = listed(client, admin, "/api/v1/agreements", status=status)
        assert [a["reference"] for a in found] == references, status
        assert {a["status"] for a in found} == {status}
    expiring = listed(client, admin, "/api/v1/agreements", expiring_within_days=90)
    assert [a["reference"] for a in expiring] == ["MOU/2024/KTA-UZ-MIA"]
    assert len(listed(client, admin, "/api/v1/agreements")) == 9


def test_api_shows_the_bishkek_mou_its_history_and_the_renewal_chain(app, client, admin, dbs):
    load(app)
    codes = institution_codes(dbs)
    [mou] = listed(client, admin, "/api/v1/agreements", q="MOU/2024/KTA-KGMIA")
    assert mou["signed_on"] == "2024-06-12"
    assert mou["signed_place"] == "Bishkek"
    assert {codes[p["institution_id"]]: p["role"] for p in mou["parties"]} == {
        "KTA": "party",
        "KG-MIA-ACAD": "party",
        "KNU": "party",
        "UNODC": "supporting",
    }
    history = listed(client, admin, f"/api/v1/agreements/{mou['id']}/transitions")
    assert [(t["from"], t["to"]) for t in history] == [
        ("draft", "negotiation"),
        ("negotiation", "signed"),
        ("signed", "active"),
    ]
    [old] = listed(client, admin, "/api/v1/agreements", q="MOU/2021/KTA-TJ-GUIUN", status="superseded")
    renewal = client.get(f"/api/v1/agreements/{old['successor_id']}", headers=admin.headers).json
    assert renewal["predecessor_id"] == old["id"]
    assert renewal["reference"] == "MOU/2021/KTA-TJ-GUIUN-R"


def test_api_lists_the_programmes_with_their_donors(app, client, admin, dbs):
    load(app)
    codes = institution_codes(dbs)
    programmes = listed(client, admin, "/api/v1/programmes")
    donors = {p["code"]: sorted(codes[i] for i in p["donor_ids"]) for p in programmes}
    assert donors == {
        "KZ-POLICE-REFORM": ["US-DOS-INL"],
        "RFTF-DET-II": ["US-DOS-CT"],
        "UN-GP-VEP": ["EU", "NL-GOV", "UNOCT"],
    }
    by_donor = listed(
        client, admin, "/api/v1/programmes", donor_id=next(i for i, c in codes.items() if c == "EU")
    )
    assert [p["code"] for p in by_donor] == ["UN-GP-VEP"]


def test_refresh_restores_an_edited_programme(app, dbs):
    load(app)
    programme = dbs.scalar(sa.select(Programme).where(Programme.code == "UN-GP-VEP"))
    programme_id = programme.id
    programme.donors = programme.donors[:1]
    programme.ends_on = None
    programme.targets = [t for t in programme.targets if t.metric is not ProgrammeMetric.WOMEN_TRAINED]
    programme.targets[0].target = 1
    dbs.commit()

    assert load(app) == SUMMARY.format(added=0, updated=1)

    dbs.expire_all()
    programme = dbs.get(Programme, programme_id)
    assert len(programme.donors) == 3
    assert programme.ends_on == date(2025, 12, 31)
    assert {t.metric: t.target for t in programme.targets} == PROGRAMMES[0]["targets"]
    assert load(app) == SUMMARY.format(added=0, updated=0)


# --- curricula and adoptions ------------------------------------------------------------------

# The four course designs the articles describe, with a word of each title in English and Russian.
COURSE_DESIGNS = {
    "UNODC-NMR-ELEARN": ("Nelson Mandela Rules", "Правила Нельсона Манделы"),
    "KTA-PVE-MODULES": ("Preventing violent extremism", "насильственного экстремизма"),
    "NIKA-ONLINE-TOT": ("Training of trainers", "Тренинг для тренеров"),
    "UNODC-MEDIA-COMMS": ("the basics of work with the media", "основы работы со СМИ"),
}


def curricula_by_key(client, admin, **params) -> dict[tuple[str, int], dict]:
    found = listed(client, admin, "/api/v1/curricula", **params)
    return {(c["code"], c["version"]): c for c in found}


def test_the_four_course_designs_have_english_and_russian_titles(app, client, admin, dbs):
    load(app)
    codes = institution_codes(dbs)
    curricula = curricula_by_key(client, admin)
    assert len(curricula) == 7
    for code, (en_part, ru_part) in COURSE_DESIGNS.items():
        versions = [c for (c_code, _), c in curricula.items() if c_code == code]
        assert versions, code
        for curriculum in versions:
            assert en_part in curriculum["title"]["en"], code
            assert ru_part in curriculum["title"]["ru"], code
            assert curriculum["status"] == "published", code
    for curriculum in curricula.values():
        assert curriculum["title"].get("en") and curriculum["title"].get("ru"), curriculum["code"]

    nmr = curricula[("UNODC-NMR-ELEARN", 1)]
    assert codes[nmr["owner_institution_id"]] == "UNODC"
    assert nmr["delivery_modes"] == ["e_learning"]
    assert "nelson_mandela_rules" in nmr["standards"]

    tot = curricula[("NIKA-ONLINE-TOT", 1)]
    assert codes[tot["owner_institution_id"]] == "NIKA"
    assert tot["delivery_modes"] == ["online"]
    assert tot["audiences"] == ["instructor"]

    media = curricula[("UNODC-MEDIA-COMMS", 1)]
    assert media["title"]["en"] == "Effective communications: the basics of work with the media"
    assert media["delivery_modes"] == ["online"]
    assert media["audiences"] == ["media_officer"]
    # Nine two-hour online sessions.
    assert media["total_hours"] == 9 * 2.0

    for version in (1, 2):
        pve = curricula[("KTA-PVE-MODULES", version)]
        assert pve["audiences"] == ["psychologist", "pve_inspector", "security_officer"]
        assert codes[pve["owner_institution_id"]] == "KTA-PVE"
    [draft] = listed(client, admin, "/api/v1/curricula", status="draft")
    assert draft["code"] == "KTA-BANGKOK-TOKYO"
    assert draft["published_at"] is None
    assert {"bangkok_rules", "tokyo_rules"} <= set(draft["standards"])


def test_kostanay_adaptation_is_derived_from_the_unodc_source(app, client, admin):
    load(app)
    curricula = curricula_by_key(client, admin)
    source = curricula[("UNODC-VEP", 1)]
    assert source["standards"][0] == "unodc_vep_handbook"
    # The README's walk-through finds the source this way.
    assert listed(client, admin, "/api/v1/curricula", q="handbook", latest="true") == [source]
    assert source["audiences"] == ["psychologist", "pve_inspector", "security_officer"]
    adaptations = [curricula[("KTA-PVE-MODULES", 1)], curricula[("KTA-PVE-MODULES", 2)]]
    for adaptation in adaptations:
        assert adaptation["derived_from_id"] == source["id"]
    detail = client.get(f"/api/v1/curricula/{source['id']}", headers=admin.headers)
    assert detail.status_code == 200
    assert detail.json["derivative_ids"] == [a["id"] for a in adaptations]
    derived = listed(client, admin, "/api/v1/curricula", derived_from_id=source["id"])
    assert [(c["code"], c["version"]) for c in derived] == [("KTA-PVE-MODULES", 1), ("KTA-PVE-MODULES", 2)]
    # The three staff categories are the first three modules, in this order.
    titles = [m["title"]["en"] for m in adaptations[0]["modules"]]
    assert [t.split(":")[0] for t in titles] == [
        "Module 1 for psychologists",
        "Module 2 for PVE inspectors",
        "Module 3 for security officers",
    ]
    assert [m["position"] for m in adaptations[1]["modules"]] == [1, 2, 3, 4]


def test_total_hours_is_the_sum_of_the_modules(app, client, admin):
    load(app)
    for curriculum in listed(client, admin, "/api/v1/curricula"):
        modules = curriculum["modules"]
        assert modules, curriculum["code"]
        assert curriculum["total_hours"] == sum(m["hours"] for m in modules), curriculum["code"]
        assert [m["position"] for m in modules] == list(range(1, len(modules) + 1))
        for module in modules:
            assert module["hours"] > 0
            assert 2 <= len(module["learning_outcomes"]) <= 4, module["title"]["en"]
            assert module["title"].get("en") and module["title"].get("ru")


def test_latest_lists_one_published_version_per_code(app, client, admin):
    load(app)
    everything = listed(client, admin, "/api/v1/curricula")
    latest = listed(client, admin, "/api/v1/curricula", latest="true")
    codes = [c["code"] for c in latest]
    assert len(codes) == len(set(codes))
    published = {c["code"] for c in everything if c["status"] == "published"}
    assert set(codes) == published
    assert {c["status"] for c in latest} == {"published"}
    versions = {c["code"]: c["version"] for c in latest}
    assert versions["KTA-PVE-MODULES"] == 2
    # The older version is still published, so only `latest` leaves it out.
    older = listed(client, admin, "/api/v1/curricula", code="KTA-PVE-MODULES", status="published")
    assert [c["version"] for c in older] == [1, 2]


def test_kyrgyz_partners_adopted_under_the_bishkek_mou(app, client, admin, dbs):
    load(app)
    codes = institution_codes(dbs)
    ids = {code: id_ for id_, code in codes.items()}
    mou = agreement(dbs, "MOU/2024/KTA-KGMIA-KNU")
    parties = {p.institution_id for p in mou.parties if p.role is PartyRole.PARTY}
    curricula = curricula_by_key(client, admin)

    pve = curricula[("KTA-PVE-MODULES", 2)]
    [academy] = listed(client, admin, f"/api/v1/curricula/{pve['id']}/adoptions")
    assert academy["institution_id"] == ids["KG-MIA-ACAD"]
    assert academy["agreement_id"] == mou.id
    assert academy["language"] == "ru"
    assert "Кыргызской Республики" in academy["local_title"]

    nmr = curricula[("UNODC-NMR-ELEARN", 1)]
    adoptions = listed(client, admin, f"/api/v1/curricula/{nmr['id']}/adoptions")
    by_institution = {codes[a["institution_id"]]: a for a in adoptions}
    assert set(by_institution) == {"KZ-PSC", "KNU"}
    assert by_institution["KNU"]["agreement_id"] == mou.id
    assert by_institution["KZ-PSC"]["agreement_id"] is None

    for code in ("KG-MIA-ACAD", "KNU"):
        adopted = listed(client, admin, "/api/v1/curricula", adopted_by=ids[code])
        assert adopted, code
        assert ids[code] in parties
    under_mou = dbs.scalars(
        sa.select(CurriculumAdoption.institution_id).where(CurriculumAdoption.agreement_id == mou.id)
    ).all()
    assert sorted(codes[i] for i in under_mou) == ["KG-MIA-ACAD", "KNU"]
    # Every adoption under an agreement is by one of its parties, of a version that is not a draft.
    for row in dbs.scalars(sa.select(CurriculumAdoption)):
        curriculum = dbs.get(Curriculum, row.curriculum_id)
        assert curriculum.status.value != "draft"
        assert row.adopted_on >= curriculum.published_at.date()
        if row.agreement_id is not None:
            agreement_row = dbs.get(Agreement, row.agreement_id)
            assert row.institution_id in {
                p.institution_id for p in agreement_row.parties if p.role is PartyRole.PARTY
            }


def test_curricula_and_adoptions_pass_the_api_validation():
    ids = {entry["code"]: n for n, entry in enumerate(INSTITUTIONS, start=1)}
    keys = [(entry["code"], entry["number"]) for entry in CURRICULA]
    assert len(keys) == len(set(keys))
    for entry in CURRICULA:
        body = {
            "code": entry["code"],
            "title": entry["title"],
            "summary": entry.get("summary"),
            "owner_institution_id": ids[entry["owner"]],
            "languages": entry["languages"],
            "delivery_modes": entry["delivery_modes"],
            "audiences": entry["audiences"],
            "standards": entry["standards"],
            "derived_from_id": 1 if entry.get("derived_from") else None,
            "modules": [
                {
                    "position": position,
                    "title": module["title"],
                    "hours": float(module["hours"]),
                    "learning_outcomes": module["learning_outcomes"],
                }
                for position, module in enumerate(entry["modules"], start=1)
            ],
        }
        assert CurriculumSchema().validate(body) == {}, entry["code"]
    adopted = [(entry["curriculum"], entry["institution"]) for entry in ADOPTIONS]
    assert len(adopted) == len(set(adopted))
    for entry in ADOPTIONS:
        body = {
            "institution_id": ids[entry["institution"]],
            "agreement_id": 1 if entry["agreement"] else None,
            "adopted_on": entry["adopted_on"].isoformat(),
            "language": entry["language"],
            "local_title": entry.get("local_title"),
            "notes": entry.get("notes"),
        }
        assert AdoptionSchema().validate(body) == {}, entry["curriculum"]


def test_refresh_restores_edited_curricula_and_adoptions(app, dbs):
    load(app)
    dbs.expire_all()
    pve = dbs.scalar(
        sa.select(Curriculum).where(Curriculum.code == "KTA-PVE-MODULES", Curriculum.number == 2)
    )
    pve_id = pve.id
    pve.modules[0].hours = 1
    pve.modules.remove(pve.modules[3])
    nmr = dbs.scalar(sa.select(Curriculum).where(Curriculum.code == "UNODC-NMR-ELEARN"))
    nmr_id = nmr.id
    nmr.audiences = ["other"]
    adoption = dbs.scalar(sa.select(CurriculumAdoption).where(CurriculumAdoption.curriculum_id == pve_id))
    adoption_id = adoption.id
    adoption.local_title = None
    adoption.agreement_id = None
    dbs.commit()
    dbs.expire_all()
    pve_version = dbs.get(Curriculum, pve_id).version  # module edits alone do not bump it here
    nmr_version = dbs.get(Curriculum, nmr_id).version

    assert load(app) == SUMMARY.format(added=0, updated=3)

    dbs.expire_all()
    pve = dbs.get(Curriculum, pve_id)
    assert [m.position for m in pve.modules] == [1, 2, 3, 4]
    assert pve.total_hours == sum(m["hours"] for m in CURRICULA[2]["modules"])
    assert pve.version == pve_version + 1  # module-only changes still count, as in the API
    nmr = dbs.get(Curriculum, nmr_id)
    assert nmr.audiences == ["security_officer", "manager", "other"]
    assert nmr.version == nmr_version + 1
    adoption = dbs.get(CurriculumAdoption, adoption_id)
    assert adoption.agreement_id == agreement(dbs, "MOU/2024/KTA-KGMIA-KNU").id
    assert adoption.local_title.startswith("Предупреждение")
    assert load(app) == SUMMARY.format(added=0, updated=0)


def test_loading_twice_through_the_api_shows_the_same_curricula(app, client, admin, dbs):
    load(app)
    before = listed(client, admin, "/api/v1/curricula")
    adoptions_before = {
        c["id"]: listed(client, admin, f"/api/v1/curricula/{c['id']}/adoptions") for c in before
    }
    audit_before = row_count(dbs, AuditEvent)

    assert load(app) == SUMMARY.format(added=0, updated=0)

    after = listed(client, admin, "/api/v1/curricula")
    assert after == before
    assert {c["id"]: listed(client, admin, f"/api/v1/curricula/{c['id']}/adoptions") for c in after} == (
        adoptions_before
    )
    assert row_count(dbs, AuditEvent) == audit_before


# --- cohorts, participants and enrolments ---------------------------------------------------

PVE_BATCHES = ("KTA-PVE-2020-01", "KTA-PVE-2020-02", "KTA-PVE-2020-03")
PVE_CATEGORIES = {StaffCategory.PSYCHOLOGIST, StaffCategory.PVE_INSPECTOR, StaffCategory.SECURITY_OFFICER}


def cohort(dbs, code: str) -> Cohort:
    dbs.expire_all()
    return dbs.scalar(sa.select(Cohort).where(Cohort.code == code))


def enrolled(dbs, code: str) -> list[tuple[Enrolment, Participant]]:
    """The cohort's enrolments with their participants, in id order."""
    dbs.expire_all()
    return dbs.execute(
        sa.select(Enrolment, Participant)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.code == code)
        .order_by(Enrolment.id)
    ).all()


def sessions_of(dbs, row: Cohort) -> list[CohortSession]:
    return list(
        dbs.scalars(
            sa.select(CohortSession)
            .where(CohortSession.cohort_id == row.id)
            .order_by(CohortSession.starts_at)
        )
    )


def curriculum_key(dbs, row: Cohort) -> tuple[str, int]:
    curriculum = dbs.get(Curriculum, row.curriculum_id)
    return curriculum.code, curriculum.number


def local(moment: datetime, hours: int) -> datetime:
    return moment.astimezone(UTC) + timedelta(hours=hours)


def test_three_pve_batches_trained_56_officers_11_percent_women(app, dbs):
    load(app)
    codes = institution_codes(dbs)
    trained = []
    for code in PVE_BATCHES:
        row = cohort(dbs, code)
        assert row.status is CohortStatus.COMPLETED, code
        assert curriculum_key(dbs, row) == ("KTA-PVE-MODULES", 1)
        assert codes[row.host_institution_id] == "KTA-PVE"
        assert dbs.get(Programme, row.programme_id).code == "UN-GP-VEP"
        assert (row.country, row.city, row.language) == ("KZ", "Kostanay", "ru")
        for enrolment, participant in enrolled(dbs, code):
            assert codes[participant.institution_id] == "KZ-PSC"
            assert participant.staff_category in PVE_CATEGORIES
            if enrolment.status is EnrolmentStatus.COMPLETED:
                trained.append(participant)
    # "two courses held in February 2020", then the third batch in May.
    february = [cohort(dbs, code) for code in PVE_BATCHES[:2]]
    for row in february:
        assert row.kind is CohortKind.COURSE
        assert row.delivery_mode is DeliveryMode.IN_PERSON
        assert (row.starts_on.year, row.starts_on.month, row.ends_on.month) == (2020, 2, 2)
    assert february[0].ends_on < february[1].starts_on
    # "This brings the total number of prison officers trained to 56 (11% women)".
    assert len(trained) == 56
    assert len({p.id for p in trained}) == 56
    women = [p for p in trained if p.gender is Gender.FEMALE]
    assert len(women) == 6
    assert round(100 * len(women) / len(trained)) == 11


def test_pavlodar_webinar_18_to_21_may_2020_for_up_to_20_officers(app, dbs):
    load(app)
    row = cohort(dbs, "KTA-PVE-2020-03")
    assert (row.starts_on, row.ends_on) == (date(2020, 5, 18), date(2020, 5, 21))
    assert row.capacity == 20
    assert row.kind is CohortKind.WEBINAR
    assert row.delivery_mode is DeliveryMode.ONLINE
    assert "Pavlodar" in row.title["en"] and "Павлодар" in row.title["ru"]
    people = enrolled(dbs, "KTA-PVE-2020-03")
    assert 0 < len(people) <= 20
    assert {p.region for _, p in people} == {"Pavlodar Region"}
    # Four days, one session each, on Kazakhstan's UTC+6 of 2020.
    sessions = sessions_of(dbs, row)
    assert [local(s.starts_at, 6).date() for s in sessions] == [date(2020, 5, d) for d in (18, 19, 20, 21)]
    for session in sessions:
        assert session.mode is DeliveryMode.ONLINE
        assert session.trainers, session.topic
        assert all(t.is_trainer for t in session.trainers)


def test_media_webinar_29_focal_points_from_17_regions_in_nine_sessions(app, dbs):
    load(app)
    codes = institution_codes(dbs)
    row = cohort(dbs, "PSC-MEDIA-2020-01")
    assert (row.starts_on, row.ends_on) == (date(2020, 5, 13), date(2020, 5, 29))
    assert curriculum_key(dbs, row) == ("UNODC-MEDIA-COMMS", 1)
    assert codes[row.host_institution_id] == "KZ-PSC"
    assert row.kind is CohortKind.WEBINAR
    people = enrolled(dbs, "PSC-MEDIA-2020-01")
    assert len(people) == 29
    assert {p.staff_category for _, p in people} == {StaffCategory.MEDIA_OFFICER}
    regions = {p.region for _, p in people}
    assert len(regions) == 17
    assert regions == set(KZ_REGIONS)
    sessions = sessions_of(dbs, row)
    assert len(sessions) == 9
    for session in sessions:
        assert session.ends_at - session.starts_at == timedelta(hours=2)
        assert row.starts_on <= local(session.starts_at, 6).date() <= row.ends_on
    attendance = dbs.scalars(
        sa.select(Attendance).where(Attendance.session_id.in_([s.id for s in sessions]))
    ).all()
    assert len(attendance) == 29 * 9
    assert sum(a.present for a in attendance) > 0.9 * len(attendance)


def test_online_tot_trains_the_centres_trainers(app, dbs):
    load(app)
    codes = institution_codes(dbs)
    row = cohort(dbs, "KTA-PVE-TOT-2020-01")
    assert row.kind is CohortKind.TOT
    assert row.delivery_mode is DeliveryMode.ONLINE
    assert curriculum_key(dbs, row) == ("NIKA-ONLINE-TOT", 1)
    assert codes[row.host_institution_id] == "KTA-PVE"
    # "the two-week long capacity development training": ten working days.
    assert row.ends_on - row.starts_on == timedelta(days=11)
    sessions = sessions_of(dbs, row)
    assert len(sessions) == 10
    assert {codes[t.institution_id] for s in sessions for t in s.trainers} == {"NIKA"}
    trainees = [p for _, p in enrolled(dbs, "KTA-PVE-TOT-2020-01")]
    assert trainees
    for participant in trainees:
        assert participant.is_trainer
        assert participant.staff_category is StaffCategory.INSTRUCTOR
        assert codes[participant.institution_id] == "KTA-PVE"
    # The same national trainers teach the PVE batches.
    batch_trainers = {
        t.id for code in PVE_BATCHES for s in sessions_of(dbs, cohort(dbs, code)) for t in s.trainers
    }
    assert batch_trainers and batch_trainers <= {p.id for p in trainees}


def test_regional_cohort_is_open_with_kyrgyz_seats_left(app, dbs):
    load(app)
    codes = institution_codes(dbs)
    ids = {code: id_ for id_, code in codes.items()}
    row = cohort(dbs, "KTA-HUB-2027-01")
    assert row.status is CohortStatus.OPEN
    assert codes[row.host_institution_id] == "KTA"
    assert dbs.get(Agreement, row.agreement_id).reference == "MOU/2024/KTA-KGMIA-KNU"
    assert dbs.get(Programme, row.programme_id).code == "RFTF-DET-II"
    assert curriculum_key(dbs, row) == ("KTA-PVE-MODULES", 2)
    assert row.starts_on > DEMO_TODAY
    allocations = {codes[a.institution_id]: a for a in row.seat_allocations}
    assert {"KG-MIA-ACAD", "KG-SCS", "KTA"} <= set(allocations)
    assert row.seats_left > 0
    people = enrolled(dbs, "KTA-HUB-2027-01")
    statuses = {e.status for e, _ in people}
    assert {EnrolmentStatus.NOMINATED, EnrolmentStatus.ENROLLED} <= statuses
    assert statuses <= {EnrolmentStatus.NOMINATED, EnrolmentStatus.ENROLLED, EnrolmentStatus.WITHDRAWN}
    for enrolment, _ in people:
        assert enrolment.status_changed_at.date() <= DEMO_TODAY
        assert enrolment.sessions_attended == 0
        assert enrolment.certificate is None
    # The Kyrgyz academy, the Kyrgyz service and the demo coordinator's academy can still take seats.
    for code in ("KG-MIA-ACAD", "KG-SCS", "KTA"):
        assert allocations[code].seats_taken < allocations[code].seats, code
        open_for = dbs.scalars(sa.select(Cohort.code).where(has_seats_for(ids[code]))).all()
        assert open_for == ["KTA-HUB-2027-01"], code
    # The first regional course, under the same MoU, certified Kyrgyz officers.
    first = cohort(dbs, "KTA-HUB-2025-01")
    assert first.status is CohortStatus.COMPLETED
    assert first.agreement_id == row.agreement_id
    certified = {
        codes[p.institution_id] for e, p in enrolled(dbs, "KTA-HUB-2025-01") if e.certificate is not None
    }
    assert {"KG-MIA-ACAD", "KG-SCS"} <= certified


def test_every_demo_cohort_keeps_the_rules_the_api_enforces(app, dbs):
    load(app)
    dbs.expire_all()
    rows = dbs.scalars(sa.select(Cohort)).all()
    assert sorted(c.code for c in rows) == sorted(entry["code"] for entry in COHORTS)
    for row in rows:
        assert dbs.get(Curriculum, row.curriculum_id).status is CurriculumStatus.PUBLISHED, row.code
        assert row.ends_on >= row.starts_on
        assert sum(a.seats for a in row.seat_allocations) <= row.capacity, row.code
        enrolments = dbs.scalars(sa.select(Enrolment).where(Enrolment.cohort_id == row.id)).all()
        holding = [e for e in enrolments if e.status in SEAT_HOLDING]
        assert row.seats_taken == len(holding), row.code
        assert row.seats_taken <= row.capacity
        for allocation in row.seat_allocations:
            taken = [e for e in holding if e.institution_id == allocation.institution_id]
            assert allocation.seats_taken == len(taken) <= allocation.seats, row.code
        if row.seat_allocations:
            allocated = {a.institution_id for a in row.seat_allocations}
            assert {e.institution_id for e in holding} <= allocated, row.code
        # Sessions fall within the cohort's dates, in UTC and in local time alike.
        offset = 6 if row.starts_on < date(2024, 3, 1) else 5
        session_ids = set()
        for session in sessions_of(dbs, row):
            session_ids.add(session.id)
            assert session.starts_at.tzinfo is not None
            for moment in (session.starts_at, session.ends_at):
                assert row.starts_on <= moment.date() <= row.ends_on, row.code
                assert row.starts_on <= local(moment, offset).date() <= row.ends_on, row.code
            assert 9 <= local(session.starts_at, offset).hour <= 15, row.code
            assert session.mode is row.delivery_mode
        for enrolment in enrolments:
            participant = dbs.get(Participant, enrolment.participant_id)
            assert enrolment.institution_id == participant.institution_id
            assert enrolment.status_changed_at is not None
            for score in (enrolment.pre_score, enrolment.post_score):
                assert score is None or 0 <= score <= 100
            assert enrolment.satisfaction is None or 1 <= enrolment.satisfaction <= 5
            records = dbs.scalars(sa.select(Attendance).where(Attendance.enrolment_id == enrolment.id)).all()
            assert {a.session_id for a in records} <= session_ids
            if records:
                assert enrolment.status in CONFIRMED, row.code
            if row.status is CohortStatus.COMPLETED and enrolment.status in CONFIRMED:
                assert len(records) == len(session_ids), row.code
            if enrolment.status is EnrolmentStatus.COMPLETED:
                assert enrolment.post_score >= 60
                assert enrolment.attendance_rate >= 0.8
        if row.status is CohortStatus.COMPLETED:
            assert {e.status for e in enrolments} <= {
                EnrolmentStatus.COMPLETED,
                EnrolmentStatus.FAILED,
                EnrolmentStatus.NO_SHOW,
                EnrolmentStatus.WITHDRAWN,
            }, row.code


def test_every_completed_enrolment_has_a_valid_certificate(app, dbs):
    load(app)
    dbs.expire_all()
    names = dict(dbs.execute(sa.select(Institution.id, Institution.name)).all())
    rows = dbs.execute(sa.select(Enrolment, Cohort).join(Cohort, Cohort.id == Enrolment.cohort_id)).all()
    completed = [(e, c) for e, c in rows if e.status is EnrolmentStatus.COMPLETED]
    assert len(completed) == 114
    assert row_count(dbs, Certificate) == len(completed)
    for enrolment, row in rows:
        if enrolment.status is not EnrolmentStatus.COMPLETED:
            assert enrolment.certificate is None
            continue
        certificate = enrolment.certificate
        assert certificate.valid
        assert certificate.issued_on == row.ends_on
        assert certificate.number.startswith(f"HUB-{row.ends_on.year}-")
    numbers = [e.certificate.number for e, _ in completed]
    assert len(set(numbers)) == len(numbers)
    enrolment, row = completed[0]
    participant = dbs.get(Participant, enrolment.participant_id)
    with app.app_context():
        public = certificates.verify(enrolment.certificate.code)
    assert public["valid"] is True
    assert public["certificate_number"] == enrolment.certificate.number
    assert public["holder_initials"] == f"{participant.given_name[0]}. {participant.family_name[0]}."
    assert public["issued_on"] == row.ends_on
    assert public["issuer"] == names[row.host_institution_id]
    assert public["cohort_title"] == row.title


def test_participants_are_invented_with_unique_references(app, dbs):
    load(app)
    dbs.expire_all()
    codes = institution_codes(dbs)
    people = dbs.scalars(sa.select(Participant)).all()
    assert len(people) == len(PARTICIPANTS)
    refs = [(p.institution_id, p.external_ref) for p in people]
    assert len(set(refs)) == len(refs)
    assert len({(p.given_name, p.family_name) for p in people}) == len(people)
    for participant in people:
        name = f"{participant.given_name} {participant.family_name}".casefold()
        for surname in REAL_PEOPLE + REAL_PEOPLE_CYRILLIC:
            assert surname.casefold() not in name, name
        assert participant.email is None
        # Kazakh institutions keep names in Cyrillic; the Kyrgyz partners' rosters are in Latin.
        cyrillic = all("\u0400" <= ch <= "\u04ff" for ch in participant.family_name)
        assert cyrillic == (codes[participant.institution_id] not in ("KG-MIA-ACAD", "KG-SCS")), name
    enrolled_ids = set(dbs.scalars(sa.select(Enrolment.participant_id)))
    for participant in people:
        if participant.id in enrolled_ids:
            assert participant.region, participant.external_ref
    genders = {p.gender for p in people}
    assert genders == {Gender.FEMALE, Gender.MALE}
    categories = {p.staff_category for p in people}
    assert PVE_CATEGORIES | {StaffCategory.MEDIA_OFFICER, StaffCategory.INSTRUCTOR} <= categories
    assert StaffCategory.PROBATION_OFFICER in categories
    trainers = [p for p in people if p.is_trainer]
    assert {codes[p.institution_id] for p in trainers} == {"KTA-PVE", "NIKA"}


def test_demo_participants_are_the_same_in_every_process():
    script = (
        "import json; from hub_api.demo.participants import PARTICIPANTS, ENROLMENTS; "
        "print(json.dumps([PARTICIPANTS, ENROLMENTS], default=str))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert json.loads(out.stdout) == json.loads(json.dumps([PARTICIPANTS, ENROLMENTS], default=str))


def test_cohorts_and_participants_pass_the_api_validation():
    ids = {entry["code"]: n for n, entry in enumerate(INSTITUTIONS, start=1)}
    for entry in COHORTS:
        body = {
            "code": entry["code"],
            "title": entry["title"],
            "kind": entry["kind"].value,
            "curriculum_id": 1,
            "host_institution_id": ids[entry["host"]],
            "programme_id": 1 if entry["programme"] else None,
            "agreement_id": 1 if entry["agreement"] else None,
            "delivery_mode": entry["delivery_mode"].value,
            "country": entry["country"],
            "city": entry["city"],
            "language": entry["language"],
            "starts_on": entry["starts_on"].isoformat(),
            "ends_on": entry["ends_on"].isoformat(),
            "capacity": entry["capacity"],
            "seat_allocations": [
                {"institution_id": ids[code], "seats": seats} for code, seats in entry["allocations"].items()
            ],
        }
        assert CohortSchema().validate(body) == {}, entry["code"]
        for session in entry["sessions"]:
            assert len(session["topic"]) <= 300
    for entry in PARTICIPANTS:
        body = {k: v for k, v in entry.items() if k != "institution"}
        body.update(
            institution_id=ids[entry["institution"]],
            gender=entry["gender"].value,
            staff_category=entry["staff_category"].value,
        )
        assert ParticipantSchema().validate(body) == {}, entry["external_ref"]
    people = {(p["institution"], p["external_ref"]) for p in PARTICIPANTS}
    for entry in ENROLMENTS:
        assert entry["participant"] in people


def test_refresh_restores_cohort_data_and_keeps_rows_made_through_the_api(app, dbs):
    load(app)
    codes = institution_codes(dbs)
    ids = {code: id_ for id_, code in codes.items()}
    upcoming = cohort(dbs, "KTA-HUB-2027-01")
    finished = cohort(dbs, "KTA-HUB-2025-01")
    withdrawn = next(e for e, _ in enrolled(dbs, "KTA-HUB-2025-01") if e.status is EnrolmentStatus.COMPLETED)
    media_session = sessions_of(dbs, cohort(dbs, "PSC-MEDIA-2020-01"))[0]
    tot_session = sessions_of(dbs, cohort(dbs, "KTA-PVE-TOT-2020-01"))[0]
    participant = dbs.scalar(sa.select(Participant).where(Participant.external_ref == "PSC-2020-001"))
    upcoming_id, finished_id, withdrawn_id = upcoming.id, finished.id, withdrawn.id
    media_session_id, tot_session_id = media_session.id, tot_session.id
    certificate = withdrawn.certificate
    certificate_id, certificate_code = certificate.id, certificate.code
    # Edits a demo user might make...
    upcoming.capacity = 30
    upcoming.seat_allocations = [a for a in upcoming.seat_allocations if codes[a.institution_id] != "KG-SCS"]
    withdrawn.status = EnrolmentStatus.WITHDRAWN
    certificate.revoked_at = datetime.now(UTC)
    finished.seats_taken -= 1
    next(
        a for a in finished.seat_allocations if a.institution_id == withdrawn.institution_id
    ).seats_taken -= 1
    dbs.delete(media_session.attendance[0])
    tot_session.trainers = tot_session.trainers[:1]
    participant.region = "Elsewhere"
    # ...and rows made through the API, which a refresh keeps and counts.
    newcomer = Participant(
        institution_id=ids["KTA"],
        external_ref="KTA-BY-HAND-1",
        given_name="Test",
        family_name="Lecturer",
        gender=Gender.FEMALE,
        staff_category=StaffCategory.INSTRUCTOR,
    )
    dbs.add(newcomer)
    dbs.flush()
    dbs.add(
        Enrolment(
            cohort_id=upcoming_id,
            participant_id=newcomer.id,
            institution_id=ids["KTA"],
            status=EnrolmentStatus.NOMINATED,
            status_changed_at=datetime.now(UTC),
        )
    )
    upcoming.seats_taken += 1
    next(a for a in upcoming.seat_allocations if codes[a.institution_id] == "KTA").seats_taken += 1
    extra = CohortSession(
        cohort_id=upcoming_id,
        starts_at=datetime(2027, 2, 12, 13, tzinfo=UTC),
        ends_at=datetime(2027, 2, 12, 14, tzinfo=UTC),
        topic="Closing ceremony (added through the API)",
        mode=DeliveryMode.IN_PERSON,
    )
    dbs.add(extra)
    dbs.commit()
    extra_id = extra.id

    # Updated: the two cohorts, the enrolment, the two sessions and the participant.
    assert load(app) == SUMMARY.format(added=0, updated=6)

    dbs.expire_all()
    upcoming = dbs.get(Cohort, upcoming_id)
    assert upcoming.capacity == 24
    assert {codes[a.institution_id]: a.seats for a in upcoming.seat_allocations} == {
        "KG-MIA-ACAD": 8,
        "KG-SCS": 6,
        "KZ-PSC": 6,
        "KTA": 4,
    }
    # The hand-made nomination still holds its seat.
    assert upcoming.seats_taken == 12
    assert {codes[a.institution_id]: a.seats_taken for a in upcoming.seat_allocations}["KTA"] == 2
    assert dbs.get(CohortSession, extra_id) is not None
    restored = dbs.get(Enrolment, withdrawn_id)
    assert restored.status is EnrolmentStatus.COMPLETED
    assert restored.certificate.id == certificate_id
    assert restored.certificate.code == certificate_code
    assert restored.certificate.valid
    assert restored.certificate.issued_on == date(2025, 2, 14)
    assert dbs.get(Cohort, finished_id).seats_taken == 18
    assert len(dbs.get(CohortSession, media_session_id).attendance) == 29
    assert len(dbs.get(CohortSession, tot_session_id).trainers) == 2
    assert dbs.scalar(sa.select(Participant.region).where(Participant.external_ref == "PSC-2020-001")) != (
        "Elsewhere"
    )
    assert load(app) == SUMMARY.format(added=0, updated=0)


def test_demo_coordinator_can_nominate_into_the_open_cohort_and_a_refresh_keeps_it(app, client, dbs):
    load(app)
    reset(app)
    token = login(client, "coordinator@demo-hub.example", DEMO_PASSWORD).json["access_token"]
    headers = bearer(token)
    response = client.get("/api/v1/cohorts", query_string={"status": "open"}, headers=headers)
    assert response.status_code == 200, response.json
    [upcoming] = response.json
    assert upcoming["code"] == "KTA-HUB-2027-01"
    seats_left = upcoming["seats_left"]
    created = client.post(
        "/api/v1/participants",
        json={
            "external_ref": "KTA-2026-900",
            "given_name": "Demo",
            "family_name": "Lecturer",
            "gender": "female",
            "staff_category": "instructor",
            "region": "Kostanay Region",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    nominated = client.post(
        f"/api/v1/cohorts/{upcoming['id']}/enrolments",
        json={"participant_id": created.json["id"]},
        headers=headers,
    )
    assert nominated.status_code == 201, nominated.json
    after = client.get(f"/api/v1/cohorts/{upcoming['id']}", headers=headers)
    assert after.json["seats_left"] == seats_left - 1

    assert load(app) == SUMMARY.format(added=0, updated=0)
    dbs.expire_all()
    assert dbs.get(Enrolment, nominated.json["id"]).status is EnrolmentStatus.NOMINATED
    assert cohort(dbs, "KTA-HUB-2027-01").seats_taken == 12


def test_anyone_can_verify_a_demo_certificate(app, client, dbs):
    load(app)
    code = dbs.scalar(sa.select(Certificate.code).order_by(Certificate.id).limit(1))
    response = client.get(f"/api/v1/certificates/verify/{code}")
    assert response.status_code == 200, response.json
    assert response.json["valid"] is True
    assert response.json["issued_on"] == "2020-02-07"
    assert response.json["certificate_number"].startswith("HUB-2020-")
