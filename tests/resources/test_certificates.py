"""GET /api/v1/certificates/verify/{code}: public proof of training that reveals almost nothing."""

import itertools
import os
from datetime import date

import pytest

from hub_api import clock
from hub_api.extensions import db
from hub_api.models import Participant
from hub_api.models.enums import CohortStatus, EnrolmentStatus, Role
from tests.conftest import make_app, sign_in
from tests.factories import InstitutionFactory, UserFactory
from tests.helpers import audit_rows, reloaded
from tests.problems import assert_problem
from tests.training_factories import CohortFactory, ParticipantRowFactory, PublishedCurriculumFactory, enrol

VERIFY = "/api/v1/certificates/verify/"
PUBLIC_KEYS = {
    "valid",
    "certificate_number",
    "holder_initials",
    "cohort_title",
    "curriculum_title",
    "issued_on",
    "issuer",
}
TODAY = date(2026, 3, 13)
# Every rate-limit test gets an address of its own, so counters never leak between tests.
_addresses = itertools.count(1)


def unique_address() -> str:
    n = next(_addresses)
    return f"10.{200 + os.getpid() % 50}.{n // 250}.{n % 250 + 1}"


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def guest_coordinator(app, dbs, foreign):
    """A coordinator of the institution whose officer holds the certificate."""
    user = UserFactory(role=Role.COORDINATOR, institution_id=foreign.id, email="coord@away.example")
    return sign_in(app, user)


def certified(client, admin, dbs, host, holder_institution, **names):
    """A participant who completed a cohort through the API; returns (participant, enrolment)."""
    curriculum = PublishedCurriculumFactory(
        title={"en": "Managing violent extremist prisoners", "ru": "Работа с осуждёнными-экстремистами"}
    )
    cohort = CohortFactory(
        host_institution_id=host.id,
        curriculum_id=curriculum.id,
        title={"en": "VEP course, spring 2026", "ru": "Курс, весна 2026"},
        status=CohortStatus.IN_PROGRESS,
    )
    participant = ParticipantRowFactory(
        institution_id=holder_institution.id,
        email="asel@service.example",
        external_ref="KG-0042",
        **names,
    )
    enrolment = enrol(dbs, cohort, participant)
    response = client.patch(
        f"/api/v1/enrolments/{enrolment.id}", json={"status": "completed"}, headers=admin.headers
    )
    assert response.status_code == 200, response.json
    return participant, response.json


def test_anyone_can_verify_a_certificate_and_learns_only_the_public_facts(client, admin, dbs, home, foreign):
    _, enrolment = certified(client, admin, dbs, home, foreign, given_name="Асель", family_name="Токтогулова")
    certificate = enrolment["certificate"]

    response = client.get(VERIFY + certificate["code"])

    assert response.status_code == 200, response.json
    assert response.json == {
        "valid": True,
        "certificate_number": f"HUB-2026-{enrolment['id']:06d}",
        "holder_initials": "А. Т.",
        "cohort_title": {"en": "VEP course, spring 2026", "ru": "Курс, весна 2026"},
        "curriculum_title": {
            "en": "Managing violent extremist prisoners",
            "ru": "Работа с осуждёнными-экстремистами",
        },
        "issued_on": "2026-03-13",
        "issuer": {"en": "Home Academy", "ru": "Домашняя"},
    }
    assert set(response.json) == PUBLIC_KEYS
    text = response.get_data(as_text=True)
    for secret in ("Асель", "Токтогулова", "asel@service.example", "KG-0042", "Away Academy"):
        assert secret not in text
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("given_name", "family_name", "initials"),
    [
        ("Асель", "Токтогулова", "А. Т."),
        ("ёлдыз", "шарипова", "Ё. Ш."),
        ("Ўктам", "Қодиров", "Ў. Қ."),
        ("Öwez", "Annaýew", "Ö. A."),
    ],
)
def test_holder_initials_are_upper_case_initials_in_any_script(
    client, admin, dbs, home, foreign, given_name, family_name, initials
):
    _, enrolment = certified(
        client, admin, dbs, home, foreign, given_name=given_name, family_name=family_name
    )

    response = client.get(VERIFY + enrolment["certificate"]["code"])

    assert response.json["holder_initials"] == initials


@pytest.mark.parametrize("code", ["no-such-code-0000000000000", "a", "x" * 64])
def test_an_unknown_code_is_a_404_problem(client, admin, dbs, home, foreign, code):
    certified(client, admin, dbs, home, foreign)

    response = client.get(VERIFY + code)

    body = assert_problem(response, 404)
    assert body["detail"] == "No certificate has this verification code."


def test_a_code_longer_than_any_issued_is_a_404_problem(client, dbs):
    assert_problem(client.get(VERIFY + "x" * 65), 404)


def test_a_prefix_of_a_real_code_does_not_verify(client, admin, dbs, home, foreign):
    _, enrolment = certified(client, admin, dbs, home, foreign)
    code = enrolment["certificate"]["code"]

    assert code.swapcase() != code
    assert_problem(client.get(VERIFY + code[:-1]), 404)
    assert_problem(client.get(VERIFY + code.swapcase()), 404)


def test_a_withdrawn_record_verifies_as_revoked(client, admin, dbs, home, foreign):
    _, enrolment = certified(client, admin, dbs, home, foreign, given_name="Асель", family_name="Токтогулова")
    code = enrolment["certificate"]["code"]
    before = client.get(VERIFY + code).json

    withdrawn = client.patch(
        f"/api/v1/enrolments/{enrolment['id']}", json={"status": "withdrawn"}, headers=admin.headers
    )

    assert withdrawn.status_code == 200, withdrawn.json
    after = client.get(VERIFY + code)
    assert after.status_code == 200, after.json
    assert after.json == {**before, "valid": False}


def test_a_failed_outcome_revokes_and_a_completion_reinstates(client, admin, dbs, home, foreign):
    _, enrolment = certified(client, admin, dbs, home, foreign)
    code, url = enrolment["certificate"]["code"], f"/api/v1/enrolments/{enrolment['id']}"

    client.patch(url, json={"status": "failed"}, headers=admin.headers)
    revoked = client.get(VERIFY + code).json["valid"]
    client.patch(url, json={"status": "completed"}, headers=admin.headers)

    assert (revoked, client.get(VERIFY + code).json["valid"]) == (False, True)


def test_an_erased_participants_certificate_is_revoked_and_loses_its_initials(
    client, admin, dbs, home, foreign
):
    asel, enrolment = certified(
        client, admin, dbs, home, foreign, given_name="Асель", family_name="Токтогулова"
    )
    code = enrolment["certificate"]["code"]
    before = client.get(VERIFY + code).json

    erased = client.delete(f"/api/v1/participants/{asel.id}", headers=admin.headers)

    assert erased.status_code == 204, erased.get_data(as_text=True)
    assert reloaded(dbs, Participant, asel.id).erased_at is not None
    after = client.get(VERIFY + code)
    assert after.status_code == 200, after.json
    assert after.json == {**before, "valid": False, "holder_initials": None}


def test_verification_needs_no_token_and_ignores_a_bad_one(client, admin, dbs, home, foreign):
    _, enrolment = certified(client, admin, dbs, home, foreign)
    url = VERIFY + enrolment["certificate"]["code"]

    anonymous = client.get(url)
    with_junk = client.get(url, headers={"Authorization": "Bearer not-a-token"})

    assert anonymous.status_code == 200, anonymous.json
    assert with_junk.status_code == 200, with_junk.json
    assert with_junk.json == anonymous.json
    assert audit_rows(dbs, action="enrolments.export") == []


def test_verification_is_rate_limited_with_retry_after(app, dbs, home, foreign):
    limited_app = make_app(app.config["SQLALCHEMY_DATABASE_URI"], HUB_VERIFY_RATE_LIMIT="3 per minute")
    try:
        web = limited_app.test_client()
        admin = sign_in(limited_app, UserFactory(role=Role.HUB_ADMIN, email="limits@hub.example"))
        _, enrolment = certified(web, admin, dbs, home, foreign)
        url = VERIFY + enrolment["certificate"]["code"]
        here = {"REMOTE_ADDR": unique_address()}

        statuses = [web.get(url, environ_base=here).status_code for _ in range(3)]
        refused = web.get(url, environ_base=here)
        unknown = web.get(VERIFY + "no-such-code-0000000000000", environ_base=here)
        elsewhere = web.get(url, environ_base={"REMOTE_ADDR": unique_address()})

        assert statuses == [200, 200, 200]
        body = assert_problem(refused, 429)
        assert body["title"] == "Too Many Requests"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        # Guessing codes counts against the same limit.
        assert_problem(unknown, 429)
        assert elsewhere.status_code == 200, elsewhere.json
    finally:
        with limited_app.app_context():
            db.engine.dispose()


def test_the_default_limit_allows_a_busy_front_desk(client, admin, dbs, home, foreign):
    _, enrolment = certified(client, admin, dbs, home, foreign)
    url = VERIFY + enrolment["certificate"]["code"]
    here = {"REMOTE_ADDR": unique_address()}

    statuses = {client.get(url, environ_base=here).status_code for _ in range(30)}

    assert statuses == {200}


def test_a_certificate_from_another_institution_is_verified_the_same(client, admin, dbs, foreign):
    host = InstitutionFactory(code="KG-PEN", name={"ky": "Жаза аткаруу кызматы", "en": "KG Prison Service"})
    _, enrolment = certified(client, admin, dbs, host, foreign)

    response = client.get(VERIFY + enrolment["certificate"]["code"])

    assert response.json["issuer"] == {"ky": "Жаза аткаруу кызматы", "en": "KG Prison Service"}
    assert response.json["valid"] is True


def test_only_a_completion_issues_a_certificate(client, admin, dbs, home, foreign):
    """Only a completion issues a certificate: confirmation, failure or no-show never do."""
    cohort = CohortFactory(host_institution_id=home.id, status=CohortStatus.IN_PROGRESS)
    outcomes = {}
    for status in ("failed", "no_show"):
        enrolment = enrol(dbs, cohort, ParticipantRowFactory(institution_id=foreign.id))
        response = client.patch(
            f"/api/v1/enrolments/{enrolment.id}", json={"status": status}, headers=admin.headers
        )
        outcomes[status] = response.json["certificate"]
    nominated = enrol(
        dbs, cohort, ParticipantRowFactory(institution_id=foreign.id), EnrolmentStatus.NOMINATED
    )
    confirmed = client.patch(
        f"/api/v1/enrolments/{nominated.id}", json={"status": "enrolled"}, headers=admin.headers
    )

    assert outcomes == {"failed": None, "no_show": None}
    assert confirmed.json["certificate"] is None
    assert audit_rows(dbs, action="certificates.create") == []


@pytest.mark.parametrize(
    "code",
    [
        "ab%00cd",  # NUL, which PostgreSQL refuses in text
        "abc.def",
        "%E2%9C%93",  # ✓
        "abc%20def",
        "abc~def",
        "abc%27def",  # a quote
        "abc%25def",  # a percent sign, LIKE's wildcard
        "%ED%A0%80",  # an encoded UTF-16 surrogate, not valid UTF-8
        "%D0%90%D0%B1%D0%B2",  # Cyrillic letters
    ],
)
def test_a_code_outside_the_code_alphabet_is_a_404_problem(client, admin, dbs, home, foreign, code):
    certified(client, admin, dbs, home, foreign)

    response = client.get(VERIFY + code, environ_base={"REMOTE_ADDR": unique_address()})

    body = assert_problem(response, 404)
    assert body["detail"] == "No certificate has this verification code."


def test_a_real_code_with_a_character_appended_outside_the_alphabet_is_a_404(
    client, admin, dbs, home, foreign
):
    _, enrolment = certified(client, admin, dbs, home, foreign)
    code = enrolment["certificate"]["code"]
    here = {"REMOTE_ADDR": unique_address()}

    assert client.get(VERIFY + code, environ_base=here).status_code == 200
    for suffix in ("%00", ".", "%E2%9C%93", "%20"):
        assert_problem(client.get(VERIFY + code + suffix, environ_base=here), 404)
