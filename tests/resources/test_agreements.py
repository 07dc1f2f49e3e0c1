"""/api/v1/agreements: the partnership register, its lifecycle, renewals and date-driven status."""

from datetime import UTC, date, datetime, timedelta

import factory
import pytest
import sqlalchemy as sa
from factory.alchemy import SQLAlchemyModelFactory

from hub_api import clock
from hub_api.models import (
    Agreement,
    AgreementCommitment,
    AgreementParty,
    AgreementTransition,
    Programme,
)
from hub_api.models.enums import (
    AgreementKind,
    AgreementStatus,
    CommitmentPeriod,
    InstitutionKind,
    PartyRole,
    ProgrammeMetric,
)
from tests.factories import InstitutionFactory
from tests.helpers import (
    assert_timestamp,
    audit_events_via_api,
    client_headers,
    links,
    reloaded,
    row_count,
    with_server_fields,
)
from tests.problems import assert_problem, assert_unauthorized, assert_validation

URL = "/api/v1/agreements"
TODAY = date(2026, 3, 16)
SIGNED_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.TERMINATED)


def one(agreement_id: int) -> str:
    return f"{URL}/{agreement_id}"


def transitions_url(agreement_id: int) -> str:
    return f"{URL}/{agreement_id}/transitions"


def renewals_url(agreement_id: int) -> str:
    return f"{URL}/{agreement_id}/renewals"


def references(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["reference"] for item in response.json]


class AgreementFactory(SQLAlchemyModelFactory):
    """An agreement row as the API would have stored it; parties and status are up to the test."""

    class Meta:
        model = Agreement
        sqlalchemy_session_persistence = "commit"

    reference = factory.Sequence(lambda n: f"AGR-{n:03d}")
    title = factory.LazyAttribute(lambda o: {"en": f"Agreement {o.reference}"})
    kind = AgreementKind.MOU
    status = AgreementStatus.DRAFT
    signed_on = factory.LazyAttribute(lambda o: date(2025, 1, 10) if o.status in SIGNED_STATUSES else None)


@pytest.fixture(autouse=True)
def _bind_factories(dbs):
    AgreementFactory._meta.sqlalchemy_session = dbs


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Pin the clock to TODAY; call the fixture's value with another date to move it."""

    def set_today(day: date) -> None:
        monkeypatch.setattr(clock, "today", lambda: day)

    set_today(TODAY)
    return set_today


@pytest.fixture
def inst(dbs, home, foreign):
    """The Bishkek MoU partners: two academies, a university and UNODC (which supports)."""
    return {
        "kta": home,
        "kg": foreign,
        "knu": InstitutionFactory(
            code="KNU",
            name={"en": "Kyrgyz National University", "ky": "Кыргыз улуттук университети"},
            kind=InstitutionKind.UNIVERSITY,
            country="KG",
        ),
        "unodc": InstitutionFactory(
            code="UNODC", name={"en": "UNODC"}, kind=InstitutionKind.INTERNATIONAL_ORGANISATION, country="AT"
        ),
    }


@pytest.fixture
def programme(dbs):
    row = Programme(code="POLICE-KZ", name={"en": "Support to Police Reform in Kazakhstan"})
    dbs.add(row)
    dbs.commit()
    return row


@pytest.fixture
def make(dbs, inst):
    """Create an agreement: `parties` as (institution key, role) pairs, two parties by default."""

    def create(status: AgreementStatus = AgreementStatus.DRAFT, *, parties=None, commitments=(), **fields):
        pairs = parties or [("kta", PartyRole.PARTY), ("kg", PartyRole.PARTY)]
        return AgreementFactory(
            status=status,
            parties=[AgreementParty(institution_id=inst[key].id, role=role) for key, role in pairs],
            commitments=[AgreementCommitment(metric=m, target=t, per=p) for m, t, p in commitments],
            **fields,
        )

    return create


def full_body(inst, programme) -> dict:
    """Every writable field, with parties in the order the API lists them back."""
    return {
        "reference": "MOU-2024-KTA-KG",
        "title": {
            "en": "Memorandum of understanding on training of penitentiary staff",
            "ru": "Меморандум о взаимопонимании в области подготовки кадров",
        },
        "kind": "mou",
        "parties": [
            {
                "institution_id": inst["kta"].id,
                "role": "party",
                "signatory_name": "A. Head",
                "signatory_title": "Head of the Academy",
                "signed_on": "2024-06-14",
            },
            {
                "institution_id": inst["kg"].id,
                "role": "party",
                "signatory_name": "B. Rector",
                "signatory_title": "Rector",
                "signed_on": "2024-06-14",
            },
            {
                "institution_id": inst["knu"].id,
                "role": "party",
                "signatory_name": None,
                "signatory_title": None,
                "signed_on": None,
            },
            {
                "institution_id": inst["unodc"].id,
                "role": "supporting",
                "signatory_name": "C. Officer",
                "signatory_title": "Programme Officer",
                "signed_on": None,
            },
        ],
        "areas": ["capacity_building", "staff_qualification", "joint_education"],
        "signed_place": "Bishkek",
        "effective_from": "2024-07-01",
        "expires_on": "2029-06-30",
        "auto_renew": True,
        "programme_id": programme.id,
        "commitments": [
            {"metric": "participants_trained", "target": 40, "per": "year"},
            {"metric": "trainers_certified", "target": 6, "per": "total"},
        ],
        "notes": "Signed at the regional conference.",
    }


def minimal_body(inst, reference: str = "MOU-MIN") -> dict:
    return {
        "reference": reference,
        "title": {"ru": "Меморандум"},
        "kind": "mou",
        "parties": [{"institution_id": inst["kta"].id}, {"institution_id": inst["kg"].id}],
    }


def party(inst, key: str, role: str = "party") -> dict:
    return {"institution_id": inst[key].id, "role": role}


def blank_party(institution_id: int, role: str) -> dict:
    return {
        "institution_id": institution_id,
        "role": role,
        "signatory_name": None,
        "signatory_title": None,
        "signed_on": None,
    }


def move(client, admin, agreement_id: int, to: str, **extra):
    return client.post(transitions_url(agreement_id), json={"to": to, **extra}, headers=admin.headers)


def stored(dbs, agreement_id: int) -> Agreement | None:
    return reloaded(dbs, Agreement, agreement_id)


# --- create ---------------------------------------------------------------------------------


def test_admin_creates_draft_agreement_with_every_field(client, admin, dbs, inst, programme):
    body_in = full_body(inst, programme)

    response = client.post(URL, json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    expected = {
        **body_in,
        "status": "draft",
        "signed_on": None,
        "predecessor_id": None,
        "successor_id": None,
    }
    assert body == with_server_fields(body, expected)
    assert response.headers["Location"].endswith(one(body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    again = client.get(one(body["id"]), headers=admin.headers)
    assert again.status_code == 200
    assert again.json == body
    assert again.headers["ETag"] == response.headers["ETag"]
    assert stored(dbs, body["id"]).status is AgreementStatus.DRAFT


def test_create_with_required_fields_only_fills_defaults(client, admin, inst):
    response = client.post(URL, json=minimal_body(inst), headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    expected = {
        "reference": "MOU-MIN",
        "title": {"ru": "Меморандум"},
        "kind": "mou",
        "status": "draft",
        "parties": [blank_party(inst["kta"].id, "party"), blank_party(inst["kg"].id, "party")],
        "areas": [],
        "signed_place": None,
        "signed_on": None,
        "effective_from": None,
        "expires_on": None,
        "auto_renew": False,
        "programme_id": None,
        "predecessor_id": None,
        "successor_id": None,
        "commitments": [],
        "notes": None,
    }
    assert body == with_server_fields(body, expected)


def test_create_links_three_institutions_and_a_witness(client, admin, inst):
    parties = [party(inst, "kta"), party(inst, "kg"), party(inst, "knu"), party(inst, "unodc", "witness")]

    response = client.post(URL, json={**minimal_body(inst), "parties": parties}, headers=admin.headers)

    assert response.status_code == 201, response.json
    assert [(p["institution_id"], p["role"]) for p in response.json["parties"]] == [
        (inst["kta"].id, "party"),
        (inst["kg"].id, "party"),
        (inst["knu"].id, "party"),
        (inst["unodc"].id, "witness"),
    ]


def test_create_is_audited(client, admin, inst, programme):
    created = client.post(URL, json=full_body(inst, programme), headers=admin.headers).json

    events = audit_events_via_api(client, admin, action="agreements.create")
    assert len(events) == 1
    event = events[0]
    assert (event["object_type"], event["object_id"]) == ("agreements", str(created["id"]))
    assert (event["actor_type"], event["actor_id"], event["outcome"]) == ("user", admin.user.id, "success")
    assert (event["method"], event["path"]) == ("POST", URL)
    assert len(audit_events_via_api(client, admin, action="agreement_parties.create")) == 4
    assert len(audit_events_via_api(client, admin, action="agreement_commitments.create")) == 2


def test_create_requires_reference_title_kind_and_parties(client, admin, dbs):
    response = client.post(URL, json={"notes": "nothing else"}, headers=admin.headers)

    assert_validation(response, "reference", "title", "kind", "parties")
    assert row_count(dbs, Agreement) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reference": "M"}, "reference"),
        ({"reference": "MOU 2024"}, "reference"),
        ({"reference": "-MOU"}, "reference"),
        ({"reference": "M" * 61}, "reference"),
        ({"title": {}}, "title"),
        ({"title": {"de": "Absichtserklärung"}}, "title.de.key"),
        ({"title": {"en": "x" * 501}}, "title.en.value"),
        ({"kind": "treaty"}, "kind"),
        ({"parties": "KTA and KG"}, "parties"),
        ({"parties": [{"role": "party"}, {"institution_id": 1}]}, "parties.0.institution_id"),
        ({"parties": [{"institution_id": 1, "role": "observer"}, {"institution_id": 2}]}, "parties.0.role"),
        (
            {"parties": [{"institution_id": 1}, {"institution_id": 2, "signed_on": "June"}]},
            "parties.1.signed_on",
        ),
        ({"parties": [{"institution_id": 1}, {"institution_id": 2, "seal": True}]}, "parties.1.seal"),
        ({"areas": ["fishing"]}, "areas.0"),
        ({"signed_place": "x" * 121}, "signed_place"),
        ({"effective_from": "2024-02-30"}, "effective_from"),
        ({"expires_on": "never"}, "expires_on"),
        ({"auto_renew": "sometimes"}, "auto_renew"),
        ({"programme_id": 0}, "programme_id"),
        ({"commitments": [{"metric": "smiles", "target": 1, "per": "year"}]}, "commitments.0.metric"),
        ({"commitments": [{"metric": "women_trained", "target": -5, "per": "year"}]}, "commitments.0.target"),
        ({"commitments": [{"metric": "women_trained", "target": 5, "per": "month"}]}, "commitments.0.per"),
        ({"commitments": [{"metric": "women_trained", "target": 5}]}, "commitments.0.per"),
        ({"status": "active"}, "status"),
        ({"signed_on": "2024-06-14"}, "signed_on"),
        ({"predecessor_id": 1}, "predecessor_id"),
        ({"successor_id": 1}, "successor_id"),
        ({"budget": 100}, "budget"),
        ({"id": 5}, "id"),
    ],
)
def test_create_rejects_invalid_or_unknown_field(client, admin, dbs, inst, programme, change, field):
    response = client.post(URL, json={**full_body(inst, programme), **change}, headers=admin.headers)

    errors = assert_validation(response, field)
    assert all(isinstance(m, str) for m in errors[field])
    assert row_count(dbs, Agreement) == 0


@pytest.mark.parametrize(
    "roles",
    [
        [],
        [("kta", "party")],
        [("kta", "party"), ("unodc", "supporting")],
        [("kta", "party"), ("kg", "witness"), ("unodc", "supporting")],
        [("kta", "supporting"), ("kg", "supporting")],
    ],
    ids=["none", "one-party", "party-and-supporting", "party-witness-supporting", "only-supporting"],
)
def test_create_needs_two_institutions_with_role_party(client, admin, dbs, inst, roles):
    parties = [party(inst, key, role) for key, role in roles]

    response = client.post(URL, json={**minimal_body(inst), "parties": parties}, headers=admin.headers)

    errors = assert_validation(response, "parties")
    assert errors["parties"] == ["An agreement needs at least two institutions with role 'party'."]
    assert row_count(dbs, Agreement) == 0


@pytest.mark.parametrize(
    "roles",
    [
        [("kta", "party"), ("kta", "party")],
        [("kta", "party"), ("kg", "party"), ("kta", "supporting")],
    ],
    ids=["same-party-twice", "party-and-supporting"],
)
def test_create_refuses_the_same_institution_twice(client, admin, dbs, inst, roles):
    parties = [party(inst, key, role) for key, role in roles]

    response = client.post(URL, json={**minimal_body(inst), "parties": parties}, headers=admin.headers)

    errors = assert_validation(response, "parties")
    assert errors["parties"] == ["An institution can appear only once among the parties."]
    assert row_count(dbs, Agreement) == 0


@pytest.mark.parametrize("expires_on", ["2024-07-01", "2024-06-30"], ids=["same-day", "day-before"])
def test_create_must_expire_after_it_takes_effect(client, admin, dbs, inst, expires_on):
    body_in = {**minimal_body(inst), "effective_from": "2024-07-01", "expires_on": expires_on}

    errors = assert_validation(client.post(URL, json=body_in, headers=admin.headers), "expires_on")

    assert errors["expires_on"] == ["Must be after effective_from."]
    assert row_count(dbs, Agreement) == 0


def test_create_reports_every_broken_rule_at_once(client, admin, inst):
    body_in = {
        **minimal_body(inst),
        "parties": [party(inst, "kta")],
        "effective_from": "2025-01-01",
        "expires_on": "2024-01-01",
        "commitments": [
            {"metric": "women_trained", "target": 5, "per": "year"},
            {"metric": "women_trained", "target": 9, "per": "year"},
        ],
    }

    assert_validation(
        client.post(URL, json=body_in, headers=admin.headers), "parties", "expires_on", "commitments"
    )


def test_create_allows_one_metric_per_period(client, admin, inst):
    commitments = [
        {"metric": "women_trained", "target": 5, "per": "year"},
        {"metric": "women_trained", "target": 20, "per": "total"},
    ]

    response = client.post(
        URL, json={**minimal_body(inst), "commitments": commitments}, headers=admin.headers
    )

    assert response.status_code == 201, response.json
    assert response.json["commitments"] == commitments


def test_create_open_ended_agreement(client, admin, inst):
    body_in = {**minimal_body(inst), "effective_from": "2024-07-01", "expires_on": None}

    response = client.post(URL, json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    assert (response.json["effective_from"], response.json["expires_on"]) == ("2024-07-01", None)


def test_create_with_unknown_institution_is_422_on_parties(client, admin, dbs, inst):
    parties = [party(inst, "kta"), {"institution_id": 424242, "role": "party"}]

    response = client.post(URL, json={**minimal_body(inst), "parties": parties}, headers=admin.headers)

    errors = assert_validation(response, "parties")
    assert errors["parties"] == ["No institution with id 424242."]
    assert row_count(dbs, Agreement) == 0


def test_create_with_unknown_programme_is_422(client, admin, dbs, inst):
    response = client.post(URL, json={**minimal_body(inst), "programme_id": 424242}, headers=admin.headers)

    errors = assert_validation(response, "programme_id")
    assert errors["programme_id"] == ["No programme with id 424242."]
    assert row_count(dbs, Agreement) == 0


def test_create_with_duplicate_reference_conflicts(client, admin, dbs, inst, make):
    make(reference="MOU-MIN")

    response = client.post(URL, json=minimal_body(inst), headers=admin.headers)

    assert_problem(response, 409, errors={"reference": ["Already used."]})
    assert row_count(dbs, Agreement) == 1


def test_create_without_token_is_401(client, dbs, inst):
    assert_unauthorized(client.post(URL, json=minimal_body(inst)))
    assert row_count(dbs, Agreement) == 0


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_create_by_non_admin_is_403(client, request, dbs, inst, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.post(URL, json=minimal_body(inst), headers=actor.headers), 403)
    assert row_count(dbs, Agreement) == 0


def test_create_by_api_client_is_403_whatever_its_scopes(app, client, dbs, inst):
    headers = client_headers(app, ["catalogue:read", "participants:write", "enrolments:write"], inst["kta"])

    assert_problem(client.post(URL, json=minimal_body(inst), headers=headers), 403)
    assert row_count(dbs, Agreement) == 0


# --- read one -------------------------------------------------------------------------------


def test_get_agreement_returns_whole_object_and_etag(client, analyst, inst, programme, make):
    agreement = make(
        AgreementStatus.ACTIVE,
        reference="WP-KZ-2025",
        title={"en": "Country Workplan", "kk": "Елдік жұмыс жоспары"},
        kind=AgreementKind.WORKPLAN,
        parties=[("unodc", PartyRole.PARTY), ("kta", PartyRole.PARTY)],
        areas=["capacity_building"],
        signed_place="Astana",
        signed_on=date(2025, 2, 1),
        effective_from=date(2025, 2, 1),
        expires_on=date(2027, 1, 31),
        programme_id=programme.id,
        commitments=[(ProgrammeMetric.COHORTS_COMPLETED, 4, CommitmentPeriod.YEAR)],
        notes="Under the police-reform project.",
    )

    response = client.get(one(agreement.id), headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{agreement.id}-1"'
    assert response.json == {
        "id": agreement.id,
        "reference": "WP-KZ-2025",
        "title": {"en": "Country Workplan", "kk": "Елдік жұмыс жоспары"},
        "kind": "workplan",
        "status": "active",
        "parties": [blank_party(inst["unodc"].id, "party"), blank_party(inst["kta"].id, "party")],
        "areas": ["capacity_building"],
        "signed_place": "Astana",
        "signed_on": "2025-02-01",
        "effective_from": "2025-02-01",
        "expires_on": "2027-01-31",
        "auto_renew": False,
        "programme_id": programme.id,
        "predecessor_id": None,
        "successor_id": None,
        "commitments": [{"metric": "cohorts_completed", "target": 4, "per": "year"}],
        "notes": "Under the police-reform project.",
        "created_at": response.json["created_at"],
        "updated_at": response.json["updated_at"],
    }
    assert assert_timestamp(response.json["created_at"]) == agreement.created_at


def test_get_unknown_agreement_is_404(client, admin):
    body = assert_problem(client.get(one(424242), headers=admin.headers), 404)
    assert "424242" in body["detail"]


def test_reads_without_token_are_401(client, make):
    agreement = make()
    assert_unauthorized(client.get(one(agreement.id)))
    assert_unauthorized(client.get(URL))
    assert_unauthorized(client.get(transitions_url(agreement.id)))


@pytest.mark.parametrize("role", ["admin", "coordinator", "analyst"])
def test_every_user_role_reads_every_agreement(client, request, make, role):
    # The coordinator's institution (kta) is not a party to this one.
    agreement = make(reference="KG-KNU", parties=[("kg", PartyRole.PARTY), ("knu", PartyRole.PARTY)])
    actor = request.getfixturevalue(role)

    assert client.get(one(agreement.id), headers=actor.headers).status_code == 200
    assert references(client.get(URL, headers=actor.headers)) == ["KG-KNU"]
    assert client.get(transitions_url(agreement.id), headers=actor.headers).status_code == 200


def test_api_client_needs_catalogue_scope(app, client, inst, make):
    agreement = make(reference="KTA-KG")
    reader = client_headers(app, ["catalogue:read"], institution=inst["knu"])
    other = client_headers(app, ["participants:read", "stats:read"], institution=inst["kta"])

    assert client.get(one(agreement.id), headers=reader).status_code == 200
    assert references(client.get(URL, headers=reader)) == ["KTA-KG"]
    assert client.get(transitions_url(agreement.id), headers=reader).status_code == 200
    assert_problem(client.get(one(agreement.id), headers=other), 403)
    assert_problem(client.get(URL, headers=other), 403)
    assert_problem(client.get(transitions_url(agreement.id), headers=other), 403)


# --- list -----------------------------------------------------------------------------------


def test_list_returns_plain_array_of_whole_objects(client, analyst, inst, make):
    agreement = make(reference="LOI-1", kind=AgreementKind.LETTER_OF_INTENT, areas=["research"])

    response = client.get(URL, headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    assert response.json == [
        {
            "id": agreement.id,
            "reference": "LOI-1",
            "title": {"en": "Agreement LOI-1"},
            "kind": "letter_of_intent",
            "status": "draft",
            "parties": [blank_party(inst["kta"].id, "party"), blank_party(inst["kg"].id, "party")],
            "areas": ["research"],
            "signed_place": None,
            "signed_on": None,
            "effective_from": None,
            "expires_on": None,
            "auto_renew": False,
            "programme_id": None,
            "predecessor_id": None,
            "successor_id": None,
            "commitments": [],
            "notes": None,
            "created_at": response.json[0]["created_at"],
            "updated_at": response.json[0]["updated_at"],
        }
    ]


@pytest.fixture
def register(make, programme, inst):
    """Four agreements of different kinds, parties, areas, signing dates and statuses."""
    make(
        AgreementStatus.ACTIVE,
        reference="MOU-2024-BISHKEK",
        title={"en": "Bishkek MoU", "ru": "Меморандум о сотрудничестве"},
        parties=[
            ("kta", PartyRole.PARTY),
            ("kg", PartyRole.PARTY),
            ("knu", PartyRole.PARTY),
            ("unodc", PartyRole.SUPPORTING),
        ],
        areas=["capacity_building", "staff_qualification", "joint_education"],
        signed_on=date(2024, 6, 14),
        expires_on=date(2029, 6, 13),
    )
    make(
        AgreementStatus.ACTIVE,
        reference="WP-KZ-2025",
        kind=AgreementKind.WORKPLAN,
        title={"en": "Country Workplan", "ru": "Страновой рабочий план"},
        parties=[("unodc", PartyRole.PARTY), ("kta", PartyRole.PARTY)],
        programme_id=programme.id,
        areas=["capacity_building"],
        signed_on=date(2025, 2, 1),
    )
    make(
        reference="LOI-KG-2026",
        kind=AgreementKind.LETTER_OF_INTENT,
        title={"en": "Letter of intent on research"},
        parties=[("kg", PartyRole.PARTY), ("knu", PartyRole.PARTY)],
        areas=["research"],
    )
    make(
        AgreementStatus.TERMINATED,
        reference="CA-TJ-2023",
        kind=AgreementKind.COOPERATION_AGREEMENT,
        title={"en": "Staff exchange", "kk": "Қызметкерлер алмасуы"},
        parties=[("kta", PartyRole.PARTY), ("knu", PartyRole.PARTY), ("kg", PartyRole.WITNESS)],
        areas=["staff_exchange"],
        signed_on=date(2023, 3, 3),
    )
    return {**inst, "programme": programme}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["CA-TJ-2023", "LOI-KG-2026", "MOU-2024-BISHKEK", "WP-KZ-2025"]),
        ({"kind": "mou"}, ["MOU-2024-BISHKEK"]),
        ({"kind": "addendum"}, []),
        ({"party": "unodc"}, ["MOU-2024-BISHKEK", "WP-KZ-2025"]),
        ({"party": "kg"}, ["CA-TJ-2023", "LOI-KG-2026", "MOU-2024-BISHKEK"]),
        ({"party": "kta"}, ["CA-TJ-2023", "MOU-2024-BISHKEK", "WP-KZ-2025"]),
        ({"programme_id": "programme"}, ["WP-KZ-2025"]),
        ({"area": "capacity_building"}, ["MOU-2024-BISHKEK", "WP-KZ-2025"]),
        ({"area": "research"}, ["LOI-KG-2026"]),
        ({"area": "curriculum_sharing"}, []),
        ({"status": "active"}, ["MOU-2024-BISHKEK", "WP-KZ-2025"]),
        ({"status": "draft"}, ["LOI-KG-2026"]),
        ({"status": "terminated"}, ["CA-TJ-2023"]),
        ({"status": "expired"}, []),
        ({"signed_from": "2024-06-14"}, ["MOU-2024-BISHKEK", "WP-KZ-2025"]),
        ({"signed_to": "2024-06-14"}, ["CA-TJ-2023", "MOU-2024-BISHKEK"]),
        ({"signed_from": "2024-01-01", "signed_to": "2024-12-31"}, ["MOU-2024-BISHKEK"]),
        ({"signed_from": "2025-02-02"}, []),
        ({"q": "bishkek"}, ["MOU-2024-BISHKEK"]),
        ({"q": "МЕМОРАНДУМ"}, ["MOU-2024-BISHKEK"]),
        ({"q": "рабочий"}, ["WP-KZ-2025"]),
        ({"q": "алмасуы"}, ["CA-TJ-2023"]),
        ({"q": "wp-kz"}, ["WP-KZ-2025"]),
        ({"q": "2026"}, ["LOI-KG-2026"]),
        ({"q": "%"}, []),
        ({"kind": "mou", "party": "unodc", "status": "active"}, ["MOU-2024-BISHKEK"]),
        ({"party": "knu", "area": "staff_exchange"}, ["CA-TJ-2023"]),
    ],
)
def test_list_filters(client, analyst, register, params, expected):
    query = {k: register[v].id if k in ("party", "programme_id") else v for k, v in params.items()}

    response = client.get(URL, query_string=query, headers=analyst.headers)

    assert references(response) == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_list_filter_by_unknown_party_is_empty(client, analyst, register):
    assert references(client.get(URL, query_string={"party": 424242}, headers=analyst.headers)) == []


@pytest.fixture
def dated(make):
    """Agreements with and without signing and expiry dates, created in this order."""
    make(
        AgreementStatus.ACTIVE, reference="A-ACTIVE", signed_on=date(2025, 1, 10), expires_on=date(2027, 1, 1)
    )
    make(reference="B-DRAFT", expires_on=date(2026, 12, 31))
    make(AgreementStatus.ACTIVE, reference="C-OPEN", signed_on=date(2024, 5, 5), expires_on=None)
    make(AgreementStatus.NEGOTIATION, reference="D-NEG", expires_on=date(2028, 1, 1))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("reference", ["A-ACTIVE", "B-DRAFT", "C-OPEN", "D-NEG"]),
        ("-reference", ["D-NEG", "C-OPEN", "B-DRAFT", "A-ACTIVE"]),
        ("expires_on", ["B-DRAFT", "A-ACTIVE", "D-NEG", "C-OPEN"]),
        ("-expires_on", ["D-NEG", "A-ACTIVE", "B-DRAFT", "C-OPEN"]),
        # Unsigned ones tie on NULL: last either way, then by id in the sort's direction.
        ("signed_on", ["C-OPEN", "A-ACTIVE", "B-DRAFT", "D-NEG"]),
        ("-signed_on", ["A-ACTIVE", "C-OPEN", "D-NEG", "B-DRAFT"]),
        ("signed_on,-reference", ["C-OPEN", "A-ACTIVE", "D-NEG", "B-DRAFT"]),
    ],
)
def test_list_sorts_with_nulls_last_on_both_databases(client, analyst, dated, sort, expected):
    assert references(client.get(URL, query_string={"sort": sort}, headers=analyst.headers)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"kind": "treaty"}, "kind"),
        ({"party": "kta"}, "party"),
        ({"party": 0}, "party"),
        ({"programme_id": "x"}, "programme_id"),
        ({"area": "fishing"}, "area"),
        ({"expiring_within_days": -1}, "expiring_within_days"),
        ({"expiring_within_days": 3651}, "expiring_within_days"),
        ({"expiring_within_days": "soon"}, "expiring_within_days"),
        ({"signed_from": "2024-13-01"}, "signed_from"),
        ({"signed_to": "yesterday"}, "signed_to"),
        ({"q": ""}, "q"),
        ({"sort": "title"}, "sort"),
        ({"sort": "-status"}, "sort"),
        ({"page_size": 0}, "page_size"),
        ({"updated_since": "recently"}, "updated_since"),
        ({"institution_id": 1}, "institution_id"),
    ],
)
def test_list_rejects_invalid_arguments(client, analyst, params, field):
    assert_validation(client.get(URL, query_string=params, headers=analyst.headers), field)


def test_list_pagination_headers(client, analyst, make):
    for n in range(5):
        make(reference=f"P-{n}")

    response = client.get(URL, query_string={"page": 2, "page_size": 2}, headers=analyst.headers)

    assert references(response) == ["P-2", "P-3"]
    assert response.headers["X-Total-Count"] == "5"
    assert links(response, URL) == {
        "first": {"page": "1", "page_size": "2"},
        "prev": {"page": "1", "page_size": "2"},
        "next": {"page": "3", "page_size": "2"},
        "last": {"page": "3", "page_size": "2"},
    }


def test_list_links_keep_filters(client, analyst, register):
    params = {"party": register["kta"].id, "page_size": 2, "sort": "-reference"}

    response = client.get(URL, query_string=params, headers=analyst.headers)

    assert references(response) == ["WP-KZ-2025", "MOU-2024-BISHKEK"]
    assert response.headers["X-Total-Count"] == "3"
    following = client.get(URL, query_string=links(response, URL)["next"], headers=analyst.headers)
    assert references(following) == ["CA-TJ-2023"]


def test_list_filters_by_updated_since(client, analyst, make):
    make(reference="OLD", updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    make(reference="NEW")

    response = client.get(
        URL, query_string={"updated_since": "2024-01-01T00:00:00Z"}, headers=analyst.headers
    )

    assert references(response) == ["NEW"]


def test_list_query_count_does_not_grow_with_rows(client, admin, count_queries, make):
    def add_agreements(count: int) -> None:
        for _ in range(count):
            old = make(
                AgreementStatus.ACTIVE,
                parties=[("kta", PartyRole.PARTY), ("kg", PartyRole.PARTY), ("unodc", PartyRole.SUPPORTING)],
                commitments=[(ProgrammeMetric.WOMEN_TRAINED, 5, CommitmentPeriod.YEAR)],
                expires_on=TODAY + timedelta(days=10),
            )
            make(AgreementStatus.ACTIVE, predecessor_id=old.id)

    add_agreements(1)
    client.get(URL, headers=admin.headers)  # warm up connections

    with count_queries() as few:
        small = client.get(URL, headers=admin.headers)
    add_agreements(8)
    with count_queries() as many:
        large = client.get(URL, headers=admin.headers)

    assert len(small.json) == 2
    assert len(large.json) == 18
    assert {a["status"] for a in large.json} == {"active", "superseded"}
    assert sum(1 for a in large.json if a["successor_id"]) == 9
    assert len(many) == len(few), many
    # The token's sign-in, the count, the page, then parties, commitments and successors.
    assert len(many) <= 6, many


# --- the date-driven status -----------------------------------------------------------------


def test_active_agreement_reads_expired_once_expires_on_has_passed(client, analyst, dbs, today, make):
    agreement = make(AgreementStatus.ACTIVE, reference="MOU-ENDING", expires_on=date(2026, 6, 30))
    make(AgreementStatus.ACTIVE, reference="MOU-OPEN", expires_on=None)
    make(AgreementStatus.ACTIVE, reference="MOU-LATER", expires_on=date(2030, 1, 1))

    def statuses() -> dict:
        detail = client.get(one(agreement.id), headers=analyst.headers)
        listed = {a["reference"]: a["status"] for a in client.get(URL, headers=analyst.headers).json}
        return {
            "detail": detail.json["status"],
            "etag": detail.headers["ETag"],
            "listed": listed,
            "active": references(client.get(URL, query_string={"status": "active"}, headers=analyst.headers)),
            "expired": references(
                client.get(URL, query_string={"status": "expired"}, headers=analyst.headers)
            ),
        }

    today(date(2026, 6, 30))  # its last day
    before = statuses()
    today(date(2026, 7, 1))
    after = statuses()

    assert before["detail"] == "active"
    assert before["listed"] == {"MOU-ENDING": "active", "MOU-LATER": "active", "MOU-OPEN": "active"}
    assert before["active"] == ["MOU-ENDING", "MOU-LATER", "MOU-OPEN"]
    assert before["expired"] == []
    assert after["detail"] == "expired"
    assert after["listed"] == {"MOU-ENDING": "expired", "MOU-LATER": "active", "MOU-OPEN": "active"}
    assert after["active"] == ["MOU-LATER", "MOU-OPEN"]
    assert after["expired"] == ["MOU-ENDING"]
    # Nobody wrote anything: the row is as it was.
    assert after["etag"] == before["etag"]
    row = stored(dbs, agreement.id)
    assert (row.status, row.version) == (AgreementStatus.ACTIVE, 1)
    today(date(2026, 6, 1))
    assert client.get(one(agreement.id), headers=analyst.headers).json["status"] == "active"


@pytest.mark.parametrize("status", ["draft", "negotiation", "signed", "terminated"])
def test_only_active_agreements_expire(client, analyst, make, status):
    agreement = make(AgreementStatus(status), expires_on=TODAY - timedelta(days=400))

    assert client.get(one(agreement.id), headers=analyst.headers).json["status"] == status
    assert references(client.get(URL, query_string={"status": "expired"}, headers=analyst.headers)) == []
    assert references(client.get(URL, query_string={"status": status}, headers=analyst.headers)) == [
        agreement.reference
    ]


def test_expiring_within_days_lists_active_agreements_ending_in_the_window(client, analyst, today, make):
    def ends_in(days: int) -> date:
        return TODAY + timedelta(days=days)

    make(AgreementStatus.ACTIVE, reference="ACTIVE-30", expires_on=ends_in(30))
    make(AgreementStatus.ACTIVE, reference="ACTIVE-TODAY", expires_on=ends_in(0))
    make(AgreementStatus.ACTIVE, reference="ACTIVE-90", expires_on=ends_in(90))
    make(AgreementStatus.ACTIVE, reference="ACTIVE-91", expires_on=ends_in(91))
    make(AgreementStatus.ACTIVE, reference="ACTIVE-120", expires_on=ends_in(120))
    make(AgreementStatus.ACTIVE, reference="ACTIVE-OPEN", expires_on=None)
    make(AgreementStatus.ACTIVE, reference="EXPIRED", expires_on=ends_in(-1))
    make(reference="DRAFT-30", expires_on=ends_in(30))
    make(AgreementStatus.NEGOTIATION, reference="NEGOTIATION-30", expires_on=ends_in(30))
    make(AgreementStatus.SIGNED, reference="SIGNED-30", expires_on=ends_in(30))
    make(AgreementStatus.TERMINATED, reference="TERMINATED-30", expires_on=ends_in(30))
    renewed = make(AgreementStatus.ACTIVE, reference="SUPERSEDED-30", expires_on=ends_in(30))
    make(AgreementStatus.ACTIVE, reference="SUPERSEDED-30-R", predecessor_id=renewed.id)

    def expiring(days: int, **params) -> list[str]:
        query = {"expiring_within_days": days, "sort": "expires_on", **params}
        return references(client.get(URL, query_string=query, headers=analyst.headers))

    assert expiring(90) == ["ACTIVE-TODAY", "ACTIVE-30", "ACTIVE-90"]
    assert expiring(0) == ["ACTIVE-TODAY"]
    assert expiring(120, sort="-expires_on") == [
        "ACTIVE-120",
        "ACTIVE-91",
        "ACTIVE-90",
        "ACTIVE-30",
        "ACTIVE-TODAY",
    ]
    # A month later the window has moved on, and ACTIVE-TODAY and ACTIVE-30 have expired.
    today(ends_in(31))
    assert expiring(90) == ["ACTIVE-90", "ACTIVE-91", "ACTIVE-120"]


# --- lifecycle ------------------------------------------------------------------------------


def test_every_allowed_move_from_draft_to_terminated(client, admin, dbs, inst, make):
    agreement = make(reference="MOU-LIFE", expires_on=date(2030, 1, 1))
    etags = [client.get(one(agreement.id), headers=admin.headers).headers["ETag"]]

    steps = [
        ("negotiation", {"on": "2026-01-10", "note": "First draft shared"}),
        ("signed", {"on": "2026-02-20", "note": "Signed in Bishkek"}),
        ("active", {"on": "2026-03-01"}),
        ("terminated", {}),
    ]
    for to, extra in steps:
        response = move(client, admin, agreement.id, to, **extra)
        assert response.status_code == 200, response.json
        assert response.json["status"] == to
        etags.append(response.headers["ETag"])
        assert client.get(one(agreement.id), headers=admin.headers).json == response.json
        if to == "negotiation":
            assert (response.json["signed_on"], response.json["effective_from"]) == (None, None)
        if to == "signed":
            assert response.json["signed_on"] == "2026-02-20"
            assert response.json["effective_from"] is None
        if to == "active":
            assert response.json["signed_on"] == "2026-02-20"
            assert response.json["effective_from"] == "2026-03-01"

    assert etags == [f'"{agreement.id}-{n}"' for n in range(1, 6)]
    row = stored(dbs, agreement.id)
    assert (row.status, row.signed_on, row.effective_from) == (
        AgreementStatus.TERMINATED,
        date(2026, 2, 20),
        date(2026, 3, 1),
    )

    history = client.get(transitions_url(agreement.id), headers=admin.headers)
    assert history.status_code == 200
    assert history.headers["X-Total-Count"] == "4"
    records = history.json
    assert [{k: r[k] for k in ("from", "to", "on", "note", "by")} for r in records] == [
        {
            "from": "draft",
            "to": "negotiation",
            "on": "2026-01-10",
            "note": "First draft shared",
            "by": admin.user.email,
        },
        {
            "from": "negotiation",
            "to": "signed",
            "on": "2026-02-20",
            "note": "Signed in Bishkek",
            "by": admin.user.email,
        },
        {"from": "signed", "to": "active", "on": "2026-03-01", "note": None, "by": admin.user.email},
        {"from": "active", "to": "terminated", "on": TODAY.isoformat(), "note": None, "by": admin.user.email},
    ]
    for record in records:
        assert set(record) == {"id", "from", "to", "on", "note", "by", "created_at"}
        assert_timestamp(record["created_at"])
    newest_first = client.get(
        transitions_url(agreement.id), query_string={"sort": "-on"}, headers=admin.headers
    )
    assert [r["to"] for r in newest_first.json] == ["terminated", "active", "signed", "negotiation"]


def test_signing_without_a_date_signs_today(client, admin, make):
    agreement = make(AgreementStatus.NEGOTIATION)

    response = move(client, admin, agreement.id, "signed")

    assert response.status_code == 200, response.json
    assert response.json["signed_on"] == TODAY.isoformat()


def test_activation_keeps_an_effective_date_already_agreed(client, admin, make):
    agreement = make(AgreementStatus.SIGNED, effective_from=date(2026, 4, 1))

    response = move(client, admin, agreement.id, "active", on="2026-03-10")

    assert response.status_code == 200, response.json
    assert response.json["effective_from"] == "2026-04-01"
    assert response.json["signed_on"] == "2025-01-10"


def test_signing_date_in_the_future_is_422(client, admin, dbs, make):
    agreement = make(AgreementStatus.NEGOTIATION)

    response = move(client, admin, agreement.id, "signed", on=(TODAY + timedelta(days=1)).isoformat())

    errors = assert_validation(response, "on")
    assert errors["on"] == ["In the future."]
    row = stored(dbs, agreement.id)
    assert (row.status, row.signed_on, row.version) == (AgreementStatus.NEGOTIATION, None, 1)
    assert row_count(dbs, AgreementTransition) == 0


def test_activation_after_the_expiry_date_is_422(client, admin, dbs, make):
    agreement = make(AgreementStatus.SIGNED, expires_on=date(2026, 3, 1))

    response = move(client, admin, agreement.id, "active", on="2026-03-01")

    assert_validation(response, "on")
    row = stored(dbs, agreement.id)
    assert (row.status, row.effective_from) == (AgreementStatus.SIGNED, None)


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [
        ("draft", "draft", "Allowed: negotiation"),
        ("draft", "signed", "Allowed: negotiation"),
        ("draft", "active", "Allowed: negotiation"),
        ("draft", "terminated", "Allowed: negotiation"),
        ("negotiation", "draft", "Allowed: signed"),
        ("negotiation", "negotiation", "Allowed: signed"),
        ("negotiation", "active", "Allowed: signed"),
        ("negotiation", "terminated", "Allowed: signed"),
        ("signed", "negotiation", "Allowed: active"),
        ("signed", "signed", "Allowed: active"),
        ("signed", "terminated", "Allowed: active"),
        ("active", "draft", "Allowed: terminated"),
        ("active", "signed", "Allowed: terminated"),
        ("active", "active", "Allowed: terminated"),
        ("active", "expired", "Allowed: terminated"),
        ("active", "superseded", "Allowed: terminated"),
        ("terminated", "draft", "No move is allowed."),
        ("terminated", "negotiation", "No move is allowed."),
        ("terminated", "signed", "No move is allowed."),
        ("terminated", "active", "No move is allowed."),
        ("terminated", "terminated", "No move is allowed."),
    ],
)
def test_forbidden_move_is_409_naming_the_allowed_one(client, admin, dbs, make, current, to, allowed):
    agreement = make(AgreementStatus(current))

    response = move(client, admin, agreement.id, to, on="2026-01-01")

    body = assert_problem(response, 409, errors={"to": [allowed]})
    assert current in body["detail"]
    row = stored(dbs, agreement.id)
    assert (row.status, row.version) == (AgreementStatus(current), 1)
    assert row_count(dbs, AgreementTransition) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "to"),
        ({"to": "archived"}, "to"),
        ({"to": None}, "to"),
        ({"to": "negotiation", "on": "2026-02-30"}, "on"),
        ({"to": "negotiation", "note": "x" * 2001}, "note"),
        ({"to": "negotiation", "by": "someone"}, "by"),
    ],
)
def test_transition_rejects_invalid_body(client, admin, dbs, make, body, field):
    agreement = make()

    assert_validation(client.post(transitions_url(agreement.id), json=body, headers=admin.headers), field)
    assert stored(dbs, agreement.id).status is AgreementStatus.DRAFT


def test_transition_is_audited(client, admin, make):
    agreement = make(AgreementStatus.NEGOTIATION)

    move(client, admin, agreement.id, "signed", on="2026-03-01")

    updates = audit_events_via_api(client, admin, action="agreements.update", object_id=str(agreement.id))
    assert len(updates) == 1
    assert updates[0]["details"]["fields"] == ["signed_on", "status"]
    assert (updates[0]["actor_id"], updates[0]["path"]) == (admin.user.id, transitions_url(agreement.id))
    recorded = audit_events_via_api(client, admin, action="agreement_transitions.create")
    assert len(recorded) == 1
    assert recorded[0]["actor_id"] == admin.user.id


def test_transition_without_token_is_401(client, dbs, make):
    agreement = make()
    assert_unauthorized(client.post(transitions_url(agreement.id), json={"to": "negotiation"}))
    assert stored(dbs, agreement.id).status is AgreementStatus.DRAFT


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_transition_by_non_admin_is_403(client, request, dbs, make, role):
    # Even when the coordinator's institution is a party to it.
    agreement = make()
    actor = request.getfixturevalue(role)

    response = client.post(transitions_url(agreement.id), json={"to": "negotiation"}, headers=actor.headers)

    assert_problem(response, 403)
    assert stored(dbs, agreement.id).status is AgreementStatus.DRAFT


def test_transition_by_api_client_is_403(app, client, dbs, inst, make):
    agreement = make()
    headers = client_headers(app, ["catalogue:read", "participants:write"], institution=inst["kta"])

    assert_problem(
        client.post(transitions_url(agreement.id), json={"to": "negotiation"}, headers=headers), 403
    )
    assert stored(dbs, agreement.id).status is AgreementStatus.DRAFT


def test_transitions_of_unknown_agreement_are_404(client, admin):
    assert_problem(
        client.post(transitions_url(424242), json={"to": "negotiation"}, headers=admin.headers), 404
    )
    assert_problem(client.get(transitions_url(424242), headers=admin.headers), 404)


def test_transition_history_of_a_new_draft_is_empty(client, analyst, make):
    response = client.get(transitions_url(make().id), headers=analyst.headers)

    assert response.json == []
    assert response.headers["X-Total-Count"] == "0"


# --- update ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "negotiation"])
def test_patch_changes_terms_before_signing(client, admin, dbs, inst, programme, make, status):
    agreement = make(
        AgreementStatus(status),
        reference="MOU-EDIT",
        commitments=[(ProgrammeMetric.WOMEN_TRAINED, 5, CommitmentPeriod.YEAR)],
    )
    changes = {
        "reference": "MOU-EDIT-2",
        "title": {"en": "Revised memorandum"},
        "kind": "cooperation_agreement",
        "parties": [party(inst, "knu"), party(inst, "kta"), party(inst, "unodc", "witness")],
        "areas": ["curriculum_sharing"],
        "signed_place": "Almaty",
        "effective_from": "2026-04-01",
        "expires_on": "2031-03-31",
        "auto_renew": True,
        "programme_id": programme.id,
        "commitments": [{"metric": "cohorts_completed", "target": 2, "per": "total"}],
        "notes": "Agreed at the second round.",
    }

    response = client.patch(one(agreement.id), json=changes, headers=admin.headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert body == {
        **changes,
        "id": agreement.id,
        "status": status,
        "parties": [
            blank_party(inst["knu"].id, "party"),
            blank_party(inst["kta"].id, "party"),
            blank_party(inst["unodc"].id, "witness"),
        ],
        "signed_on": None,
        "predecessor_id": None,
        "successor_id": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert response.headers["ETag"] == f'"{agreement.id}-2"'
    assert client.get(one(agreement.id), headers=admin.headers).json == body
    dbs.expire_all()
    assert dbs.scalar(sa.select(sa.func.count()).select_from(AgreementParty)) == 3
    assert dbs.scalar(sa.select(sa.func.count()).select_from(AgreementCommitment)) == 1


def test_patch_keeps_the_same_parties_with_new_signatories(client, admin, dbs, inst, make):
    agreement = make(commitments=[(ProgrammeMetric.WOMEN_TRAINED, 5, CommitmentPeriod.YEAR)])
    parties = [
        {**blank_party(inst["kta"].id, "party"), "signatory_name": "A. Head", "signed_on": "2026-03-01"},
        {**blank_party(inst["kg"].id, "party"), "signatory_title": "Rector"},
    ]
    commitments = [{"metric": "women_trained", "target": 8, "per": "year"}]

    response = client.patch(
        one(agreement.id), json={"parties": parties, "commitments": commitments}, headers=admin.headers
    )

    assert response.status_code == 200, response.json
    assert response.json["parties"] == parties
    assert response.json["commitments"] == commitments
    assert client.get(one(agreement.id), headers=admin.headers).json["parties"] == parties


@pytest.mark.parametrize("field", ["parties", "commitments"])
def test_patch_of_a_list_alone_is_a_new_version(client, admin, inst, make, field):
    agreement = make()
    changes = {
        "parties": [party(inst, "kta"), party(inst, "knu")],
        "commitments": [{"metric": "trainers_certified", "target": 3, "per": "total"}],
    }
    before = client.get(one(agreement.id), headers=admin.headers)

    response = client.patch(
        one(agreement.id),
        json={field: changes[field]},
        headers={**admin.headers, "If-Match": before.headers["ETag"]},
    )

    assert response.status_code == 200, response.json
    assert response.headers["ETag"] != before.headers["ETag"]
    assert assert_timestamp(response.json["updated_at"]) > assert_timestamp(before.json["updated_at"])
    stale = client.patch(
        one(agreement.id),
        json={"notes": "late"},
        headers={**admin.headers, "If-Match": before.headers["ETag"]},
    )
    assert_problem(stale, 412)


@pytest.mark.parametrize("status", ["signed", "active", "terminated"])
def test_patch_after_signing_is_409_pointing_to_addendum_or_renewal(client, admin, dbs, make, status):
    agreement = make(AgreementStatus(status), notes="as signed")

    response = client.patch(one(agreement.id), json={"notes": "quietly changed"}, headers=admin.headers)

    body = assert_problem(response, 409)
    assert "addendum" in body["detail"]
    assert "renewal" in body["detail"]
    row = stored(dbs, agreement.id)
    assert (row.notes, row.version) == ("as signed", 1)


def test_patch_of_an_expired_agreement_is_409(client, admin, make):
    agreement = make(AgreementStatus.ACTIVE, expires_on=TODAY - timedelta(days=1))

    body = assert_problem(client.patch(one(agreement.id), json={"notes": "x"}, headers=admin.headers), 409)

    assert "expired" in body["detail"]


@pytest.mark.parametrize(
    ("stored_dates", "changes"),
    [
        ({"effective_from": date(2026, 1, 1)}, {"expires_on": "2026-01-01"}),
        ({"effective_from": date(2026, 1, 1)}, {"expires_on": "2025-12-31"}),
        ({"expires_on": date(2027, 1, 1)}, {"effective_from": "2027-01-01"}),
        (
            {"effective_from": date(2026, 1, 1), "expires_on": date(2027, 1, 1)},
            {"effective_from": "2027-06-01"},
        ),
    ],
    ids=[
        "expiry-on-stored-start",
        "expiry-before-stored-start",
        "start-on-stored-expiry",
        "start-after-expiry",
    ],
)
def test_patch_dates_are_checked_against_the_stored_other_date(
    client, admin, dbs, make, stored_dates, changes
):
    agreement = make(**stored_dates)

    errors = assert_validation(
        client.patch(one(agreement.id), json=changes, headers=admin.headers), "expires_on"
    )

    assert errors["expires_on"] == ["Too early."]
    row = stored(dbs, agreement.id)
    assert (row.effective_from, row.expires_on, row.version) == (
        stored_dates.get("effective_from"),
        stored_dates.get("expires_on"),
        1,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"parties": [{"institution_id": "kta"}, {"institution_id": "unodc", "role": "supporting"}]},
            "parties",
        ),
        ({"parties": [{"institution_id": "kta"}, {"institution_id": "kta"}]}, "parties"),
        ({"parties": [{"institution_id": "kta"}, {"institution_id": 424242}]}, "parties"),
        ({"programme_id": 424242}, "programme_id"),
        ({"effective_from": "2026-05-01", "expires_on": "2026-04-30"}, "expires_on"),
        ({"reference": None}, "reference"),
        ({"title": None}, "title"),
        ({"parties": None}, "parties"),
        ({"kind": "treaty"}, "kind"),
        ({"status": "signed"}, "status"),
        ({"signed_on": "2026-01-01"}, "signed_on"),
        ({"predecessor_id": 1}, "predecessor_id"),
        ({"version": 3}, "version"),
    ],
)
def test_patch_rejects_invalid_terms(client, admin, dbs, inst, make, changes, field):
    agreement = make()
    if changes.get("parties"):
        changes = {
            "parties": [
                {**p, "institution_id": inst[p["institution_id"]].id}
                if isinstance(p["institution_id"], str)
                else p
                for p in changes["parties"]
            ]
        }

    assert_validation(client.patch(one(agreement.id), json=changes, headers=admin.headers), field)
    assert stored(dbs, agreement.id).version == 1


def test_patch_can_unlink_the_programme_and_open_the_end(client, admin, programme, make):
    agreement = make(programme_id=programme.id, expires_on=date(2030, 1, 1))

    response = client.patch(
        one(agreement.id), json={"programme_id": None, "expires_on": None}, headers=admin.headers
    )

    assert response.status_code == 200, response.json
    assert (response.json["programme_id"], response.json["expires_on"]) == (None, None)


def test_patch_to_another_agreements_reference_conflicts(client, admin, dbs, make):
    make(reference="MOU-TAKEN")
    agreement = make(reference="MOU-MINE")

    response = client.patch(one(agreement.id), json={"reference": "MOU-TAKEN"}, headers=admin.headers)

    assert_problem(response, 409, errors={"reference": ["Already used."]})
    assert stored(dbs, agreement.id).reference == "MOU-MINE"
    same = client.patch(one(agreement.id), json={"reference": "MOU-MINE"}, headers=admin.headers)
    assert same.status_code == 200, same.json


def test_patch_refreshes_search(client, admin, analyst, make):
    agreement = make(reference="MOU-Q")

    client.patch(one(agreement.id), json={"title": {"ky": "Өз ара түшүнүшүү"}}, headers=admin.headers)

    assert references(client.get(URL, query_string={"q": "ТҮШҮНҮШҮҮ"}, headers=analyst.headers)) == ["MOU-Q"]


def test_patch_is_audited_with_changed_fields(client, admin, make):
    agreement = make()

    client.patch(one(agreement.id), json={"notes": "n", "signed_place": "Osh"}, headers=admin.headers)

    events = audit_events_via_api(client, admin, action="agreements.update", object_id=str(agreement.id))
    assert [e["details"]["fields"] for e in events] == [["notes", "signed_place"]]


def test_patch_with_stale_if_match_is_412(client, admin, dbs, make):
    agreement = make()
    etag = client.get(one(agreement.id), headers=admin.headers).headers["ETag"]
    first = client.patch(one(agreement.id), json={"notes": "A"}, headers={**admin.headers, "If-Match": etag})
    assert first.status_code == 200

    stale = client.patch(one(agreement.id), json={"notes": "B"}, headers={**admin.headers, "If-Match": etag})

    body = assert_problem(stale, 412)
    assert first.headers["ETag"] in body["detail"]
    assert stored(dbs, agreement.id).notes == "A"


@pytest.mark.parametrize("if_match", [None, "*", "current"])
def test_patch_accepts_current_star_or_absent_if_match(client, admin, make, if_match):
    agreement = make()
    headers = dict(admin.headers)
    if if_match == "current":
        headers["If-Match"] = client.get(one(agreement.id), headers=admin.headers).headers["ETag"]
    elif if_match:
        headers["If-Match"] = if_match

    response = client.patch(one(agreement.id), json={"notes": "ok"}, headers=headers)

    assert response.status_code == 200, response.json
    assert response.json["notes"] == "ok"


def test_patch_without_token_is_401(client, make):
    assert_unauthorized(client.patch(one(make().id), json={"notes": "x"}))


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_patch_by_non_admin_is_403(client, request, dbs, make, role):
    agreement = make()
    actor = request.getfixturevalue(role)

    assert_problem(client.patch(one(agreement.id), json={"notes": "x"}, headers=actor.headers), 403)
    assert stored(dbs, agreement.id).notes is None


def test_patch_by_api_client_is_403(app, client, dbs, make):
    agreement = make()
    headers = client_headers(app, ["catalogue:read"])

    assert_problem(client.patch(one(agreement.id), json={"notes": "x"}, headers=headers), 403)


def test_patch_unknown_agreement_is_404(client, admin):
    assert_problem(client.patch(one(424242), json={"notes": "x"}, headers=admin.headers), 404)


# --- delete ---------------------------------------------------------------------------------


def test_admin_deletes_a_draft_with_its_parties_and_commitments(client, admin, dbs, make):
    agreement = make(commitments=[(ProgrammeMetric.WOMEN_TRAINED, 5, CommitmentPeriod.YEAR)])
    agreement_id = agreement.id

    response = client.delete(one(agreement_id), headers=admin.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(one(agreement_id), headers=admin.headers), 404)
    assert stored(dbs, agreement_id) is None
    assert row_count(dbs, AgreementParty) == 0
    assert row_count(dbs, AgreementCommitment) == 0
    events = audit_events_via_api(client, admin, action="agreements.delete")
    assert [e["object_id"] for e in events] == [str(agreement_id)]


@pytest.mark.parametrize("status", ["negotiation", "signed", "active", "terminated"])
def test_only_drafts_can_be_deleted(client, admin, dbs, make, status):
    agreement = make(AgreementStatus(status))

    body = assert_problem(client.delete(one(agreement.id), headers=admin.headers), 409)

    assert "draft" in body["detail"]
    assert stored(dbs, agreement.id) is not None


def test_delete_with_stale_if_match_is_412(client, admin, dbs, make):
    agreement = make()

    response = client.delete(one(agreement.id), headers={**admin.headers, "If-Match": f'"{agreement.id}-0"'})

    assert_problem(response, 412)
    assert stored(dbs, agreement.id) is not None


def test_delete_with_current_if_match(client, admin, make):
    agreement = make()
    etag = client.get(one(agreement.id), headers=admin.headers).headers["ETag"]
    assert client.delete(one(agreement.id), headers={**admin.headers, "If-Match": etag}).status_code == 204


def test_delete_without_token_is_401(client, dbs, make):
    agreement = make()
    assert_unauthorized(client.delete(one(agreement.id)))
    assert stored(dbs, agreement.id) is not None


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_delete_by_non_admin_is_403(client, request, dbs, make, role):
    agreement = make()
    actor = request.getfixturevalue(role)

    assert_problem(client.delete(one(agreement.id), headers=actor.headers), 403)
    assert stored(dbs, agreement.id) is not None


def test_delete_by_api_client_is_403(app, client, dbs, make):
    agreement = make()
    assert_problem(client.delete(one(agreement.id), headers=client_headers(app, ["catalogue:read"])), 403)
    assert stored(dbs, agreement.id) is not None


def test_delete_unknown_agreement_is_404(client, admin):
    assert_problem(client.delete(one(424242), headers=admin.headers), 404)


# --- renewals -------------------------------------------------------------------------------


@pytest.fixture
def bishkek(dbs, make, programme):
    """An active MoU with signatories, areas, commitments and a programme, ending next year."""
    agreement = make(
        AgreementStatus.ACTIVE,
        reference="MOU-2024-BISHKEK",
        title={"en": "Bishkek MoU", "ru": "Бишкекский меморандум"},
        parties=[("kta", PartyRole.PARTY), ("kg", PartyRole.PARTY), ("unodc", PartyRole.SUPPORTING)],
        areas=["capacity_building", "staff_qualification"],
        signed_place="Bishkek",
        signed_on=date(2024, 6, 14),
        effective_from=date(2024, 7, 1),
        expires_on=date(2027, 6, 30),
        auto_renew=True,
        programme_id=programme.id,
        commitments=[
            (ProgrammeMetric.PARTICIPANTS_TRAINED, 40, CommitmentPeriod.YEAR),
            (ProgrammeMetric.TRAINERS_CERTIFIED, 6, CommitmentPeriod.TOTAL),
        ],
        notes="Original notes.",
    )
    for p in agreement.parties:
        p.signatory_name, p.signatory_title, p.signed_on = "Signer", "Head", date(2024, 6, 14)
    dbs.commit()
    return agreement


def test_renewal_creates_a_linked_draft_copying_the_terms(client, admin, dbs, inst, programme, bishkek):
    response = client.post(renewals_url(bishkek.id), json={}, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert body == with_server_fields(
        body,
        {
            "reference": "MOU-2024-BISHKEK-R",
            "title": {"en": "Bishkek MoU", "ru": "Бишкекский меморандум"},
            "kind": "mou",
            "status": "draft",
            "parties": [
                blank_party(inst["kta"].id, "party"),
                blank_party(inst["kg"].id, "party"),
                blank_party(inst["unodc"].id, "supporting"),
            ],
            "areas": ["capacity_building", "staff_qualification"],
            "signed_place": None,
            "signed_on": None,
            "effective_from": "2027-06-30",
            "expires_on": None,
            "auto_renew": True,
            "programme_id": programme.id,
            "predecessor_id": bishkek.id,
            "successor_id": None,
            "commitments": [
                {"metric": "participants_trained", "target": 40, "per": "year"},
                {"metric": "trainers_certified", "target": 6, "per": "total"},
            ],
            "notes": None,
        },
    )
    assert response.headers["Location"].endswith(one(body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    assert client.get(one(body["id"]), headers=admin.headers).json == body
    predecessor = client.get(one(bishkek.id), headers=admin.headers).json
    assert (predecessor["successor_id"], predecessor["status"]) == (body["id"], "active")
    # The predecessor's own parties keep their signatures.
    assert {p["signatory_name"] for p in predecessor["parties"]} == {"Signer"}
    events = audit_events_via_api(client, admin, action="agreements.create", object_id=str(body["id"]))
    assert [(e["actor_id"], e["path"]) for e in events] == [(admin.user.id, renewals_url(bishkek.id))]


def test_renewal_takes_reference_and_period_from_the_request(client, admin, bishkek):
    options = {"reference": "MOU-2027-BISHKEK", "effective_from": "2027-07-01", "expires_on": "2030-06-30"}

    response = client.post(renewals_url(bishkek.id), json=options, headers=admin.headers)

    assert response.status_code == 201, response.json
    assert {k: response.json[k] for k in options} == options


def test_renewal_changes_the_predecessors_etag(client, admin, bishkek):
    before = client.get(one(bishkek.id), headers=admin.headers)

    client.post(renewals_url(bishkek.id), json={}, headers=admin.headers)

    after = client.get(one(bishkek.id), headers=admin.headers)
    assert after.json["successor_id"] is not None
    assert after.headers["ETag"] != before.headers["ETag"]
    just_after = assert_timestamp(before.json["updated_at"]) + timedelta(microseconds=1)
    since = client.get(URL, query_string={"updated_since": just_after.isoformat()}, headers=admin.headers)
    assert references(since) == ["MOU-2024-BISHKEK", "MOU-2024-BISHKEK-R"]


def test_predecessor_reads_superseded_once_the_renewal_is_active(client, analyst, admin, dbs, bishkek):
    renewal = client.post(renewals_url(bishkek.id), json={}, headers=admin.headers).json

    def predecessor_status() -> str:
        return client.get(one(bishkek.id), headers=analyst.headers).json["status"]

    def filtered(status: str) -> list[str]:
        return references(client.get(URL, query_string={"status": status}, headers=analyst.headers))

    for to in ("negotiation", "signed"):
        assert move(client, admin, renewal["id"], to, on="2026-03-01").status_code == 200
        assert predecessor_status() == "active"
    assert filtered("superseded") == []

    etag_before = client.get(one(bishkek.id), headers=analyst.headers).headers["ETag"]

    activated = move(client, admin, renewal["id"], "active", on="2026-03-10")

    assert activated.status_code == 200, activated.json
    assert activated.json["predecessor_id"] == bishkek.id
    assert predecessor_status() == "superseded"
    # The predecessor reads differently now, so it is a new version of it.
    assert client.get(one(bishkek.id), headers=analyst.headers).headers["ETag"] != etag_before
    listed = {a["reference"]: a["status"] for a in client.get(URL, headers=analyst.headers).json}
    assert listed == {"MOU-2024-BISHKEK": "superseded", "MOU-2024-BISHKEK-R": "active"}
    assert filtered("superseded") == ["MOU-2024-BISHKEK"]
    assert filtered("active") == ["MOU-2024-BISHKEK-R"]
    assert stored(dbs, bishkek.id).status is AgreementStatus.ACTIVE
    # Superseded wins over expired, and still does once the renewal is terminated.
    assert move(client, admin, renewal["id"], "terminated").status_code == 200
    assert predecessor_status() == "superseded"
    assert filtered("superseded") == ["MOU-2024-BISHKEK"]


def test_superseded_beats_expired(client, analyst, today, make):
    old = make(AgreementStatus.ACTIVE, reference="OLD", expires_on=TODAY - timedelta(days=30))
    make(AgreementStatus.ACTIVE, reference="NEW", predecessor_id=old.id)

    assert client.get(one(old.id), headers=analyst.headers).json["status"] == "superseded"
    assert references(client.get(URL, query_string={"status": "superseded"}, headers=analyst.headers)) == [
        "OLD"
    ]
    assert references(client.get(URL, query_string={"status": "expired"}, headers=analyst.headers)) == []


def test_a_signed_or_expired_agreement_can_be_renewed(client, admin, make):
    signed = make(AgreementStatus.SIGNED, reference="SIGNED")
    expired = make(AgreementStatus.ACTIVE, reference="EXPIRED", expires_on=TODAY - timedelta(days=1))

    for agreement in (signed, expired):
        response = client.post(renewals_url(agreement.id), json={}, headers=admin.headers)
        assert response.status_code == 201, response.json
        assert response.json["reference"] == f"{agreement.reference}-R"


@pytest.mark.parametrize("status", ["draft", "negotiation", "terminated"])
def test_renewing_an_unsigned_or_terminated_agreement_is_409(client, admin, dbs, make, status):
    agreement = make(AgreementStatus(status))

    body = assert_problem(client.post(renewals_url(agreement.id), json={}, headers=admin.headers), 409)

    assert status in body["detail"]
    assert row_count(dbs, Agreement) == 1


def test_renewing_twice_is_409(client, admin, dbs, bishkek):
    first = client.post(renewals_url(bishkek.id), json={}, headers=admin.headers)
    assert first.status_code == 201

    again = client.post(renewals_url(bishkek.id), json={"reference": "MOU-OTHER"}, headers=admin.headers)

    body = assert_problem(again, 409)
    assert str(first.json["id"]) in body["detail"]
    assert row_count(dbs, Agreement) == 2


def test_deleting_the_draft_renewal_allows_another(client, admin, bishkek):
    first = client.post(renewals_url(bishkek.id), json={}, headers=admin.headers).json
    assert client.delete(one(first["id"]), headers=admin.headers).status_code == 204

    assert client.get(one(bishkek.id), headers=admin.headers).json["successor_id"] is None
    second = client.post(renewals_url(bishkek.id), json={}, headers=admin.headers)
    assert second.status_code == 201, second.json


def test_renewal_reference_must_be_free(client, admin, dbs, make, bishkek):
    make(reference="MOU-2024-BISHKEK-R")

    response = client.post(renewals_url(bishkek.id), json={}, headers=admin.headers)

    assert_problem(response, 409, errors={"reference": ["Already used."]})
    assert client.get(one(bishkek.id), headers=admin.headers).json["successor_id"] is None


def test_renewal_of_a_long_reference_asks_for_a_new_one(client, admin, dbs, make):
    agreement = make(AgreementStatus.ACTIVE, reference="M" * 60)

    response = client.post(renewals_url(agreement.id), json={}, headers=admin.headers)

    assert_validation(response, "reference")
    named = client.post(
        renewals_url(agreement.id), json={"reference": "M" * 58 + "-2"}, headers=admin.headers
    )
    assert named.status_code == 201, named.json


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"effective_from": "2027-07-01", "expires_on": "2027-07-01"}, "expires_on"),
        ({"expires_on": "2027-06-30"}, "expires_on"),
        ({"reference": "bad reference"}, "reference"),
        ({"title": {"en": "New"}}, "title"),
        ({"effective_from": "soon"}, "effective_from"),
    ],
    ids=["same-day", "ends-when-predecessor-ends", "bad-reference", "unknown-field", "bad-date"],
)
def test_renewal_rejects_invalid_options(client, admin, dbs, bishkek, options, field):
    assert_validation(client.post(renewals_url(bishkek.id), json=options, headers=admin.headers), field)
    assert row_count(dbs, Agreement) == 1


def test_renewal_without_token_is_401(client, dbs, bishkek):
    assert_unauthorized(client.post(renewals_url(bishkek.id), json={}))
    assert row_count(dbs, Agreement) == 1


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_renewal_by_non_admin_is_403(client, request, dbs, bishkek, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.post(renewals_url(bishkek.id), json={}, headers=actor.headers), 403)
    assert row_count(dbs, Agreement) == 1


def test_renewal_by_api_client_is_403(app, client, dbs, bishkek):
    headers = client_headers(app, ["catalogue:read"])
    assert_problem(client.post(renewals_url(bishkek.id), json={}, headers=headers), 403)
    assert row_count(dbs, Agreement) == 1


def test_renewal_of_unknown_agreement_is_404(client, admin):
    assert_problem(client.post(renewals_url(424242), json={}, headers=admin.headers), 404)


def test_analysts_never_receive_signatory_names_or_who_moved_an_agreement(client, admin, analyst, make):
    agreement = make(reference="NAMES")
    parties = [
        {"institution_id": p.institution_id, "role": p.role.value, "signatory_name": "Aigul Sarsenova"}
        for p in agreement.parties
    ]
    assert (
        client.patch(f"{URL}/{agreement.id}", json={"parties": parties}, headers=admin.headers).status_code
        == 200
    )
    moved = client.post(transitions_url(agreement.id), json={"to": "negotiation"}, headers=admin.headers)
    assert moved.status_code == 200

    as_admin = client.get(f"{URL}/{agreement.id}", headers=admin.headers).json
    as_analyst = client.get(f"{URL}/{agreement.id}", headers=analyst.headers).json
    history = client.get(transitions_url(agreement.id), headers=analyst.headers).json

    assert {p["signatory_name"] for p in as_admin["parties"]} == {"Aigul Sarsenova"}
    assert {p["signatory_name"] for p in as_analyst["parties"]} == {None}
    assert [record["by"] for record in history] == [None]
    assert "Aigul" not in client.get(URL, headers=analyst.headers).get_data(as_text=True)
