"""/api/v1/cohorts/{id}/enrolments, /enrolments/{id} and training records: seats, moves, results."""

import re
import secrets
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from hub_api import clock
from hub_api.models import Attendance, Certificate, Cohort, Enrolment, Participant, SeatAllocation
from hub_api.models.enums import CohortStatus, EnrolmentStatus, Role
from hub_api.models.participant import IDENTITY_COLUMNS
from tests.conftest import sign_in
from tests.factories import InstitutionFactory, UserFactory
from tests.helpers import (
    assert_timestamp,
    audit_rows,
    client_headers,
    links,
    reloaded,
    row_count,
    with_server_fields,
)
from tests.problems import assert_problem, assert_unauthorized, assert_validation
from tests.training_factories import (
    CohortFactory,
    ParticipantRowFactory,
    PublishedCurriculumFactory,
    SessionFactory,
    enrol,
)

TODAY = date(2026, 3, 13)
NOMINATED, ENROLLED, COMPLETED, FAILED, WITHDRAWN, NO_SHOW = (
    EnrolmentStatus.NOMINATED,
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.FAILED,
    EnrolmentStatus.WITHDRAWN,
    EnrolmentStatus.NO_SHOW,
)


# --- arranging -------------------------------------------------------------------------------


@pytest.fixture
def guest_coordinator(app, dbs, foreign):
    """A coordinator of `foreign`, a partner that sends officers to cohorts others host."""
    user = UserFactory(role=Role.COORDINATOR, institution_id=foreign.id, email="coord@away.example")
    return sign_in(app, user)


@pytest.fixture
def third(dbs):
    """A third partner, neither hosting nor sending to the cohorts under test."""
    return InstitutionFactory(code="THIRD", name={"en": "Third Service"}, country="TJ")


@pytest.fixture
def third_coordinator(app, dbs, third):
    """A coordinator of `third`."""
    return sign_in(app, UserFactory(role=Role.COORDINATOR, institution_id=third.id, email="c@third.example"))


@pytest.fixture
def pinned_clock(monkeypatch):
    """Certificates are dated TODAY."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def make_cohort(host, *, capacity=20, status=CohortStatus.OPEN, allocations=(), **fields) -> Cohort:
    """A cohort hosted by `host`; `allocations` are (institution, seats) pairs."""
    return CohortFactory(
        host_institution_id=host.id,
        capacity=capacity,
        status=status,
        seat_allocations=[SeatAllocation(institution_id=i.id, seats=n) for i, n in allocations],
        **fields,
    )


def officer(institution, **fields) -> Participant:
    """A participant of `institution`."""
    return ParticipantRowFactory(institution_id=institution.id, **fields)


def set_cohort_status(dbs, cohort: Cohort, status: CohortStatus) -> None:
    """Move a cohort directly in the database (its own transitions are tested elsewhere)."""
    row = reloaded(dbs, Cohort, cohort.id)
    row.status = status
    dbs.commit()


def erase_in_database(dbs, participant: Participant) -> None:
    """Erase a participant's identity the way the erasure leaves it."""
    row = reloaded(dbs, Participant, participant.id)
    for column in IDENTITY_COLUMNS:
        setattr(row, column, None)
    row.erased_at = datetime.now(UTC)
    dbs.commit()


def enrolments_url(cohort_id: int) -> str:
    return f"/api/v1/cohorts/{cohort_id}/enrolments"


def one(enrolment_id: int) -> str:
    return f"/api/v1/enrolments/{enrolment_id}"


def record_url(participant_id: int) -> str:
    return f"/api/v1/participants/{participant_id}/enrolments"


def nominate(client, actor, cohort_id: int, participant_id, **body):
    return client.post(
        enrolments_url(cohort_id), json={"participant_id": participant_id, **body}, headers=actor.headers
    )


def bulk(client, actor, cohort_id: int, participant_ids: list, headers=None, **body):
    return client.post(
        f"{enrolments_url(cohort_id)}/bulk",
        json={"participant_ids": participant_ids, **body},
        headers={**actor.headers, **(headers or {})},
    )


def patch(client, actor, enrolment_id: int, body: dict, headers=None):
    return client.patch(one(enrolment_id), json=body, headers={**actor.headers, **(headers or {})})


def seats(client, admin, cohort_id: int) -> tuple[int, int, dict]:
    """(seats_left, enrolled_count, {institution_id: seats_taken}) as GET /cohorts/{id} tells."""
    response = client.get(f"/api/v1/cohorts/{cohort_id}", headers=admin.headers)
    assert response.status_code == 200, response.json
    body = response.json
    allocations = {a["institution_id"]: a["seats_taken"] for a in body["seat_allocations"]}
    return body["seats_left"], body["enrolled_count"], allocations


def stored_enrolments(dbs, cohort_id: int) -> list[tuple[int, str]]:
    """(participant_id, status) of a cohort's enrolments as the database holds them."""
    dbs.expire_all()
    rows = dbs.execute(
        sa.select(Enrolment.participant_id, Enrolment.status)
        .where(Enrolment.cohort_id == cohort_id)
        .order_by(Enrolment.id)
    )
    return [(pid, status.value) for pid, status in rows]


def participant_summary(participant: Participant, *, names: bool = True) -> dict:
    return {
        "id": participant.id,
        "institution_id": participant.institution_id,
        "given_name": participant.given_name if names else None,
        "family_name": participant.family_name if names else None,
        "gender": "female",
        "staff_category": "psychologist",
        "erased": False,
    }


def cohort_summary(cohort: Cohort, status: str = "open") -> dict:
    return {
        "id": cohort.id,
        "code": cohort.code,
        "title": cohort.title,
        "status": status,
        "host_institution_id": cohort.host_institution_id,
        "curriculum_id": cohort.curriculum_id,
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-13",
    }


def expected_enrolment(body: dict, cohort, participant, *, names=True, cohort_status="open", **changes):
    """The full representation of an enrolment with no results, sessions or certificate yet."""
    assert_timestamp(body["status_changed_at"])
    return with_server_fields(
        body,
        {
            "cohort_id": cohort.id,
            "participant_id": participant.id,
            "institution_id": participant.institution_id,
            "status": "nominated",
            "status_changed_at": body["status_changed_at"],
            "pre_score": None,
            "post_score": None,
            "satisfaction": None,
            "attendance_rate": None,
            "certificate": None,
            "participant": participant_summary(participant, names=names),
            "cohort": cohort_summary(cohort, cohort_status),
            **changes,
        },
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json]


# --- POST /cohorts/{id}/enrolments: success -----------------------------------------------------


def test_a_coordinator_nominates_its_own_officer_into_an_open_cohort(
    client, admin, dbs, home, foreign, guest_coordinator
):
    cohort = make_cohort(home, capacity=20, allocations=[(foreign, 5)])
    asel = officer(foreign, given_name="Асель", family_name="Токтогулова")

    response = nominate(client, guest_coordinator, cohort.id, asel.id)

    assert response.status_code == 201, response.json
    body = response.json
    assert body == expected_enrolment(body, cohort, asel)
    assert response.headers["Location"].endswith(one(body["id"]))
    assert response.headers["ETag"]
    assert stored_enrolments(dbs, cohort.id) == [(asel.id, "nominated")]
    assert seats(client, admin, cohort.id) == (19, 1, {foreign.id: 1})
    [created] = audit_rows(dbs, action="enrolments.create")
    assert (created.object_id, created.actor_id) == (str(body["id"]), guest_coordinator.user.id)


def test_the_host_may_enrol_directly(client, admin, dbs, home, coordinator):
    cohort = make_cohort(home)
    own = officer(home)

    response = nominate(client, coordinator, cohort.id, own.id, status="enrolled")

    assert response.status_code == 201, response.json
    assert response.json == expected_enrolment(response.json, cohort, own, status="enrolled")
    assert stored_enrolments(dbs, cohort.id) == [(own.id, "enrolled")]


def test_a_hub_admin_nominates_or_enrols_anyone(client, admin, dbs, home, foreign):
    cohort = make_cohort(home)
    first, second = officer(foreign), officer(home)

    nominated = nominate(client, admin, cohort.id, first.id)
    enrolled = nominate(client, admin, cohort.id, second.id, status="enrolled")

    assert (nominated.status_code, enrolled.status_code) == (201, 201), (nominated.json, enrolled.json)
    assert stored_enrolments(dbs, cohort.id) == [(first.id, "nominated"), (second.id, "enrolled")]
    assert seats(client, admin, cohort.id)[:2] == (18, 2)


def test_an_api_client_with_enrolments_write_nominates_for_its_institution(app, client, dbs, home, foreign):
    cohort = make_cohort(home)
    mine, other = officer(foreign), officer(foreign)
    writer = client_headers(app, ["enrolments:write"], institution=foreign)
    reader_writer = client_headers(app, ["enrolments:write", "participants:read"], institution=foreign)

    blind = client.post(enrolments_url(cohort.id), json={"participant_id": mine.id}, headers=writer)
    seeing = client.post(enrolments_url(cohort.id), json={"participant_id": other.id}, headers=reader_writer)

    assert blind.status_code == 201, blind.json
    # Without participants:read the client learns no names; with it, it does.
    assert blind.json == expected_enrolment(blind.json, cohort, mine, names=False)
    assert seeing.status_code == 201, seeing.json
    assert seeing.json == expected_enrolment(seeing.json, cohort, other)


# --- POST: validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"participant_id": 1, "cohort_id": 2}, "cohort_id"),
        ({"participant_id": 1, "pre_score": 50}, "pre_score"),
        ({"participant_id": 1, "colour": "red"}, "colour"),
        ({}, "participant_id"),
        ({"participant_id": None}, "participant_id"),
        ({"participant_id": "abc"}, "participant_id"),
        ({"participant_id": 0}, "participant_id"),
        ({"participant_id": -3}, "participant_id"),
        ({"participant_id": 2**31}, "participant_id"),
        ({"participant_id": 1, "status": "completed"}, "status"),
        ({"participant_id": 1, "status": "failed"}, "status"),
        ({"participant_id": 1, "status": "withdrawn"}, "status"),
        ({"participant_id": 1, "status": "no_show"}, "status"),
        ({"participant_id": 1, "status": "bogus"}, "status"),
    ],
)
def test_invalid_nominations_are_422(client, admin, dbs, home, body, field):
    cohort = make_cohort(home)
    body = {**body}
    if body.get("participant_id") == 1:
        body["participant_id"] = officer(home).id

    response = client.post(enrolments_url(cohort.id), json=body, headers=admin.headers)

    assert_validation(response, field)
    assert row_count(dbs, Enrolment) == 0


# --- POST: conflicts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [CohortStatus.PLANNED, CohortStatus.IN_PROGRESS, CohortStatus.COMPLETED, CohortStatus.CANCELLED],
)
def test_nominating_into_a_cohort_that_is_not_open_is_409(
    client, admin, dbs, home, foreign, guest_coordinator, status
):
    cohort = make_cohort(home, status=status)
    asel = officer(foreign)

    response = nominate(client, guest_coordinator, cohort.id, asel.id)

    body = assert_problem(response, 409)
    assert body["detail"] == f"The cohort is {status.value}; nominations need an open cohort."
    assert stored_enrolments(dbs, cohort.id) == []
    assert seats(client, admin, cohort.id)[:2] == (20, 0)


def test_nominating_into_a_full_cohort_is_409(client, admin, dbs, home, foreign, guest_coordinator):
    cohort = make_cohort(home, capacity=2)
    enrol(dbs, cohort, officer(home))
    enrol(dbs, cohort, officer(foreign), status=NOMINATED)
    late = officer(foreign)

    response = nominate(client, guest_coordinator, cohort.id, late.id)

    body = assert_problem(response, 409)
    assert body["detail"] == "The cohort is full: all 2 seats are taken."
    assert len(stored_enrolments(dbs, cohort.id)) == 2
    assert seats(client, admin, cohort.id)[:2] == (0, 2)


def test_an_institution_without_an_allocation_gets_no_seat_where_seats_are_allocated(
    client, admin, dbs, home, foreign, third, guest_coordinator
):
    cohort = make_cohort(home, capacity=10, allocations=[(third, 4)])
    asel = officer(foreign)

    response = nominate(client, guest_coordinator, cohort.id, asel.id)

    body = assert_problem(response, 409)
    assert body["detail"] == f"Institution {foreign.id} has no seats allocated in this cohort."
    assert stored_enrolments(dbs, cohort.id) == []
    assert seats(client, admin, cohort.id) == (10, 0, {third.id: 0})


def test_a_used_up_allocation_refuses_even_while_the_cohort_has_seats(
    client, admin, dbs, home, foreign, third, guest_coordinator
):
    cohort = make_cohort(home, capacity=10, allocations=[(foreign, 1), (third, 3)])
    enrol(dbs, cohort, officer(foreign), status=NOMINATED)
    second = officer(foreign)

    response = nominate(client, guest_coordinator, cohort.id, second.id)

    body = assert_problem(response, 409)
    assert body["detail"] == f"Institution {foreign.id} has used all 1 of its allocated seats."
    assert seats(client, admin, cohort.id) == (9, 1, {foreign.id: 1, third.id: 0})
    # The other partner's allocation is untouched by the refusal and still usable.
    assert nominate(client, admin, cohort.id, officer(third).id).status_code == 201
    assert seats(client, admin, cohort.id) == (8, 2, {foreign.id: 1, third.id: 1})


@pytest.mark.parametrize("earlier", [NOMINATED, ENROLLED, COMPLETED, WITHDRAWN])
def test_a_participant_is_in_a_cohort_at_most_once(
    client, admin, dbs, home, foreign, guest_coordinator, earlier
):
    cohort = make_cohort(home)
    asel = officer(foreign)
    existing = enrol(dbs, cohort, asel, status=earlier)

    response = nominate(client, guest_coordinator, cohort.id, asel.id)

    body = assert_problem(response, 409, errors={"participant_id": ["Already in this cohort."]})
    assert body["detail"] == (
        f"Participant {asel.id} is already in this cohort (enrolment {existing.id}, {earlier.value})."
    )
    assert stored_enrolments(dbs, cohort.id) == [(asel.id, earlier.value)]
    taken = 0 if earlier is WITHDRAWN else 1
    assert seats(client, admin, cohort.id)[:2] == (20 - taken, taken)


def test_an_erased_participant_cannot_be_nominated(client, admin, dbs, home, foreign, guest_coordinator):
    cohort = make_cohort(home)
    gone = officer(foreign)
    erase_in_database(dbs, gone)

    response = nominate(client, guest_coordinator, cohort.id, gone.id)

    body = assert_problem(response, 409)
    assert body["detail"] == f"Participant {gone.id} has been erased and cannot be nominated."
    assert stored_enrolments(dbs, cohort.id) == []


# --- POST: who may -----------------------------------------------------------------------------------


def test_a_coordinator_cannot_nominate_another_institutions_officer_it_sees_as_host(
    client, admin, dbs, home, foreign, third, coordinator
):
    hosted = make_cohort(home)
    visitor = officer(foreign)
    enrol(dbs, hosted, visitor)
    elsewhere = make_cohort(third)
    assert client.get(f"/api/v1/participants/{visitor.id}/enrolments", headers=coordinator.headers).json

    response = nominate(client, coordinator, elsewhere.id, visitor.id)

    body = assert_problem(response, 403)
    assert body["detail"] == "Coordinators nominate only their own institution's participants."
    assert stored_enrolments(dbs, elsewhere.id) == []
    [denied] = audit_rows(dbs, action="permission.denied")
    assert denied.actor_id == coordinator.user.id


def test_only_the_host_enrols_directly(client, admin, dbs, home, foreign, guest_coordinator):
    cohort = make_cohort(home)
    asel = officer(foreign)

    response = nominate(client, guest_coordinator, cohort.id, asel.id, status="enrolled")

    body = assert_problem(response, 403)
    assert body["detail"] == (
        "Only the host institution and hub administrators confirm enrolments and record results."
    )
    assert stored_enrolments(dbs, cohort.id) == []
    assert seats(client, admin, cohort.id)[:2] == (20, 0)


@pytest.mark.parametrize(
    ("scopes", "for_institution"),
    [
        (["participants:read", "participants:write", "catalogue:read"], True),
        (["catalogue:read"], True),
        (["enrolments:write", "participants:read"], False),  # a hub-level client acts for no one
    ],
    ids=["no-enrolments-write", "catalogue-only", "hub-level"],
)
def test_api_clients_without_enrolments_write_for_an_institution_are_refused(
    app, client, dbs, home, foreign, scopes, for_institution
):
    cohort = make_cohort(home)
    asel = officer(foreign)
    headers = client_headers(app, scopes, institution=foreign if for_institution else None)

    response = client.post(enrolments_url(cohort.id), json={"participant_id": asel.id}, headers=headers)
    many = client.post(
        f"{enrolments_url(cohort.id)}/bulk", json={"participant_ids": [asel.id]}, headers=headers
    )

    assert_problem(response, 403)
    assert_problem(many, 403)
    assert row_count(dbs, Enrolment) == 0


def test_another_institutions_officer_is_not_found(client, dbs, home, foreign, third, guest_coordinator):
    cohort = make_cohort(home)
    stranger = officer(third)

    response = nominate(client, guest_coordinator, cohort.id, stranger.id)
    missing = nominate(client, guest_coordinator, cohort.id, stranger.id + 1000)

    assert assert_problem(response, 404)["detail"] == f"There is no participant with id {stranger.id}."
    assert assert_problem(missing, 404)["detail"] == f"There is no participant with id {stranger.id + 1000}."
    assert stored_enrolments(dbs, cohort.id) == []


def test_an_unknown_cohort_is_404_on_every_cohort_route(client, admin, dbs, home):
    own = officer(home)
    url = enrolments_url(999_999)

    for response in (
        client.get(url, headers=admin.headers),
        client.post(url, json={"participant_id": own.id}, headers=admin.headers),
        client.post(f"{url}/bulk", json={"participant_ids": [own.id]}, headers=admin.headers),
    ):
        assert assert_problem(response, 404)["detail"] == "There is no cohort with id 999999."
    assert row_count(dbs, Enrolment) == 0


ROUTES = [
    ("GET", "/api/v1/cohorts/1/enrolments", None),
    ("POST", "/api/v1/cohorts/1/enrolments", {"participant_id": 1}),
    ("POST", "/api/v1/cohorts/1/enrolments/bulk", {"participant_ids": [1]}),
    ("GET", "/api/v1/enrolments/1", None),
    ("PATCH", "/api/v1/enrolments/1", {"status": "withdrawn"}),
    ("GET", "/api/v1/participants/1/enrolments", None),
]
ROUTE_IDS = [f"{method} {url}" for method, url, _ in ROUTES]


@pytest.mark.parametrize(("method", "url", "body"), ROUTES, ids=ROUTE_IDS)
def test_every_route_needs_a_token(client, dbs, method, url, body):
    assert_unauthorized(client.open(url, method=method, json=body))


@pytest.mark.parametrize(("method", "url", "body"), ROUTES, ids=ROUTE_IDS)
def test_analysts_never_see_or_touch_enrolments(client, dbs, home, analyst, method, url, body):
    cohort = make_cohort(home)
    own = officer(home)
    enrolment = enrol(dbs, cohort, own)
    url = url.replace("cohorts/1", f"cohorts/{cohort.id}").replace("participants/1", f"participants/{own.id}")
    url = url.replace("enrolments/1", f"enrolments/{enrolment.id}")
    if body and "participant_id" in body:
        body = {"participant_id": own.id}

    response = client.open(url, method=method, json=body, headers=analyst.headers)

    assert_problem(response, 403)
    assert stored_enrolments(dbs, cohort.id) == [(own.id, "enrolled")]
    assert audit_rows(dbs, action="enrolments.export") == []


# --- POST /cohorts/{id}/enrolments/bulk -----------------------------------------------------------------


def test_bulk_nomination_reports_each_row_in_order_and_refusals_do_not_stop_the_rest(
    client, admin, dbs, home, foreign, third, guest_coordinator
):
    cohort = make_cohort(home, capacity=3)
    already = officer(foreign)
    earlier = enrol(dbs, cohort, already, status=NOMINATED)
    first, second, too_late = officer(foreign), officer(foreign), officer(foreign)
    stranger = officer(third)
    rows = [first.id, second.id, too_late.id, stranger.id, already.id]

    response = bulk(client, guest_coordinator, cohort.id, rows)

    assert response.status_code == 200, response.json
    enrolments = dict(reversed(stored_enrolments(dbs, cohort.id)))
    report = response.json
    created = dbs.scalars(
        sa.select(Enrolment.id)
        .where(Enrolment.participant_id.in_([first.id, second.id]))
        .order_by(Enrolment.id)
    ).all()
    assert report == {
        "created": 2,
        "refused": 3,
        "results": [
            {"participant_id": first.id, "status": 201, "enrolment_id": created[0]},
            {"participant_id": second.id, "status": 201, "enrolment_id": created[1]},
            {
                "participant_id": too_late.id,
                "status": 409,
                "detail": "The cohort is full: all 3 seats are taken.",
            },
            {
                "participant_id": stranger.id,
                "status": 404,
                "detail": f"There is no participant with id {stranger.id}.",
            },
            {
                "participant_id": already.id,
                "status": 409,
                "detail": f"Participant {already.id} is already in this cohort "
                f"(enrolment {earlier.id}, nominated).",
            },
        ],
    }
    assert enrolments == {already.id: "nominated", first.id: "nominated", second.id: "nominated"}
    assert seats(client, admin, cohort.id)[:2] == (0, 3)


def test_bulk_counts_allocated_seats_right_when_an_allocation_runs_out(
    client, admin, dbs, home, foreign, third, guest_coordinator
):
    cohort = make_cohort(home, capacity=10, allocations=[(foreign, 2), (third, 2)])
    rows = [officer(foreign).id for _ in range(4)]

    response = bulk(client, guest_coordinator, cohort.id, rows)

    assert response.status_code == 200, response.json
    assert (response.json["created"], response.json["refused"]) == (2, 2)
    assert [r["status"] for r in response.json["results"]] == [201, 201, 409, 409]
    assert {r.get("detail") for r in response.json["results"][2:]} == {
        f"Institution {foreign.id} has used all 2 of its allocated seats."
    }
    # The refused rows gave back the cohort seat they briefly took.
    assert seats(client, admin, cohort.id) == (8, 2, {foreign.id: 2, third.id: 0})
    assert [pid for pid, _ in stored_enrolments(dbs, cohort.id)] == rows[:2]


def test_the_host_bulk_enrols_directly(client, admin, dbs, home, coordinator):
    cohort = make_cohort(home)
    rows = [officer(home).id, officer(home).id]

    response = bulk(client, coordinator, cohort.id, rows, status="enrolled")

    assert response.status_code == 200, response.json
    assert response.json["created"] == 2
    assert stored_enrolments(dbs, cohort.id) == [(rows[0], "enrolled"), (rows[1], "enrolled")]


def test_only_the_host_bulk_enrols_directly(client, admin, dbs, home, foreign, guest_coordinator):
    cohort = make_cohort(home)
    rows = [officer(foreign).id, officer(foreign).id]

    response = bulk(client, guest_coordinator, cohort.id, rows, status="enrolled")

    body = assert_problem(response, 403)
    assert body["detail"] == (
        "Only the host institution and hub administrators confirm enrolments and record results."
    )
    assert stored_enrolments(dbs, cohort.id) == []
    assert len(audit_rows(dbs, action="permission.denied")) == 1


def test_a_bulk_retry_with_the_same_idempotency_key_creates_nothing_more(
    client, admin, dbs, home, foreign, guest_coordinator
):
    cohort = make_cohort(home, capacity=2)
    rows = [officer(foreign).id for _ in range(3)]
    key = {"Idempotency-Key": "bulk-2026-03-a"}

    first = bulk(client, guest_coordinator, cohort.id, rows, headers=key)
    again = bulk(client, guest_coordinator, cohort.id, rows, headers=key)

    assert first.status_code == again.status_code == 200, (first.json, again.json)
    assert (first.json["created"], first.json["refused"]) == (2, 1)
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert row_count(dbs, Enrolment) == 2
    assert seats(client, admin, cohort.id)[:2] == (0, 2)
    # A fresh key is a fresh request: the rows are now already in (or the cohort full).
    fresh = bulk(client, guest_coordinator, cohort.id, rows, headers={"Idempotency-Key": "bulk-2026-03-b"})
    assert (fresh.json["created"], fresh.json["refused"]) == (0, 3)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"participant_ids": []}, "participant_ids"),
        ({"participant_ids": [5, 6, 5]}, "participant_ids"),
        ({"participant_ids": list(range(1, 202))}, "participant_ids"),
        ({"participant_ids": [1, "x"]}, "participant_ids.1"),
        ({"participant_ids": [0]}, "participant_ids.0"),
        ({}, "participant_ids"),
        ({"participant_ids": [1], "status": "completed"}, "status"),
        ({"participant_ids": [1], "extra": True}, "extra"),
    ],
    ids=["empty", "repeated", "201-rows", "not-an-id", "zero", "missing", "bad-status", "unknown-field"],
)
def test_invalid_bulk_nominations_are_422(client, admin, dbs, home, body, field):
    cohort = make_cohort(home, capacity=300)
    officer(home)

    response = client.post(f"{enrolments_url(cohort.id)}/bulk", json=body, headers=admin.headers)

    assert_validation(response, field)
    assert row_count(dbs, Enrolment) == 0


def test_bulk_takes_up_to_200_rows(client, admin, dbs, home):
    cohort = make_cohort(home, capacity=150)
    rows = [officer(home).id for _ in range(200)]

    response = bulk(client, admin, cohort.id, rows)

    assert response.status_code == 200, response.json
    assert (response.json["created"], response.json["refused"]) == (150, 50)
    assert seats(client, admin, cohort.id)[:2] == (0, 150)


# --- GET /enrolments/{id} ---------------------------------------------------------------------------------


def test_an_enrolment_is_shown_to_its_institution_the_host_and_admins(
    client, admin, dbs, home, foreign, coordinator, guest_coordinator, third_coordinator
):
    cohort = make_cohort(home)
    asel = officer(foreign)
    enrolment = enrol(dbs, cohort, asel, status=NOMINATED)

    for actor in (admin, coordinator, guest_coordinator):
        response = client.get(one(enrolment.id), headers=actor.headers)
        assert response.status_code == 200, response.json
        assert response.json == expected_enrolment(response.json, cohort, asel)
        assert response.headers["ETag"]
    hidden = client.get(one(enrolment.id), headers=third_coordinator.headers)
    assert assert_problem(hidden, 404)["detail"] == f"There is no enrolment with id {enrolment.id}."
    assert_problem(client.get(one(enrolment.id + 1000), headers=admin.headers), 404)


def test_attendance_rate_is_the_share_of_sessions_attended(client, admin, dbs, home, foreign):
    cohort = make_cohort(home)
    asel, bolat = officer(foreign), officer(foreign)
    present, absent = enrol(dbs, cohort, asel), enrol(dbs, cohort, bolat)
    sessions = [SessionFactory(cohort_id=cohort.id) for _ in range(3)]
    dbs.add_all(
        [
            Attendance(session_id=s.id, enrolment_id=present.id, present=True, minutes=240)
            for s in sessions[:2]
        ]
        + [Attendance(session_id=sessions[2].id, enrolment_id=present.id, present=False, minutes=0)]
    )
    dbs.commit()

    rates = [client.get(one(e.id), headers=admin.headers).json["attendance_rate"] for e in (present, absent)]

    assert rates == [0.6667, 0.0]


# --- PATCH /enrolments/{id}: moves, results, certificates -----------------------------------------------


def test_the_host_confirms_then_records_completion_which_issues_a_certificate(
    client, admin, dbs, home, foreign, coordinator, pinned_clock
):
    cohort = make_cohort(home)
    asel = officer(foreign)
    enrolment = enrol(dbs, cohort, asel, status=NOMINATED)

    confirmed = patch(client, coordinator, enrolment.id, {"status": "enrolled"})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json == expected_enrolment(confirmed.json, cohort, asel, status="enrolled")
    set_cohort_status(dbs, cohort, CohortStatus.IN_PROGRESS)

    done = patch(
        client,
        coordinator,
        enrolment.id,
        {"status": "completed", "pre_score": 0, "post_score": 100, "satisfaction": 5},
    )

    assert done.status_code == 200, done.json
    certificate = done.json["certificate"]
    assert done.json == expected_enrolment(
        done.json,
        cohort,
        asel,
        cohort_status="in_progress",
        status="completed",
        pre_score=0,
        post_score=100,
        satisfaction=5,
        certificate=certificate,
    )
    assert certificate == {
        "number": f"HUB-2026-{enrolment.id:06d}",
        "code": certificate["code"],
        "issued_on": "2026-03-13",
        "valid": True,
        "revoked_at": None,
        "verify_url": f"http://localhost/api/v1/certificates/verify/{certificate['code']}",
    }
    assert re.fullmatch(r"HUB-\d{4}-\d{6}", certificate["number"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", certificate["code"])
    assert client.get(one(enrolment.id), headers=admin.headers).json["certificate"] == certificate
    [stored] = dbs.scalars(sa.select(Certificate)).all()
    [issued] = audit_rows(dbs, action="certificates.create")
    assert (issued.object_id, issued.actor_id) == (str(stored.id), coordinator.user.id)
    updates = audit_rows(dbs, action="enrolments.update")
    assert {u.object_id for u in updates} == {str(enrolment.id)}
    assert {u.actor_id for u in updates} == {coordinator.user.id}
    changed = {field for u in updates for field in u.details["fields"]}
    assert {"status", "pre_score", "post_score", "satisfaction", "certificate"} <= changed


def test_every_completion_gets_its_own_certificate(client, admin, dbs, home, foreign, pinned_clock):
    cohort = make_cohort(home, status=CohortStatus.IN_PROGRESS)
    enrolments = [enrol(dbs, cohort, officer(foreign)) for _ in range(3)]

    certificates = [
        patch(client, admin, e.id, {"status": "completed"}).json["certificate"] for e in enrolments
    ]

    assert [c["number"] for c in certificates] == [f"HUB-2026-{e.id:06d}" for e in enrolments]
    assert len({c["code"] for c in certificates}) == 3
    assert row_count(dbs, Certificate) == 3


def test_a_changed_outcome_revokes_and_reinstates_the_same_certificate(
    client, admin, dbs, home, foreign, coordinator, pinned_clock
):
    cohort = make_cohort(home, status=CohortStatus.IN_PROGRESS)
    enrolment = enrol(dbs, cohort, officer(foreign))
    issued = patch(client, coordinator, enrolment.id, {"status": "completed"}).json["certificate"]

    failed = patch(client, coordinator, enrolment.id, {"status": "failed"})
    assert failed.status_code == 200, failed.json
    revoked = failed.json["certificate"]
    assert revoked["valid"] is False
    assert_timestamp(revoked["revoked_at"])
    assert {k: revoked[k] for k in ("number", "code", "issued_on")} == {
        k: issued[k] for k in ("number", "code", "issued_on")
    }

    again = patch(client, coordinator, enrolment.id, {"status": "completed"})
    assert again.status_code == 200, again.json
    assert again.json["certificate"] == issued
    assert row_count(dbs, Certificate) == 1
    assert len(audit_rows(dbs, action="certificates.create")) == 1

    no_show = patch(client, coordinator, enrolment.id, {"status": "no_show"})
    assert no_show.json["certificate"]["valid"] is False


def test_withdrawal_gives_the_seat_back_to_the_cohort_and_the_allocation(
    client, admin, dbs, home, foreign, guest_coordinator
):
    cohort = make_cohort(home, capacity=5, allocations=[(foreign, 2)])
    asel, bolat, chyngyz = officer(foreign), officer(foreign), officer(foreign)
    first = nominate(client, guest_coordinator, cohort.id, asel.id).json
    nominate(client, guest_coordinator, cohort.id, bolat.id)
    assert seats(client, admin, cohort.id) == (3, 2, {foreign.id: 2})
    assert nominate(client, guest_coordinator, cohort.id, chyngyz.id).status_code == 409

    withdrawn = patch(client, guest_coordinator, first["id"], {"status": "withdrawn"})

    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["status"] == "withdrawn"
    assert withdrawn.json["status_changed_at"] >= first["status_changed_at"]
    assert seats(client, admin, cohort.id) == (4, 1, {foreign.id: 1})
    # The freed seat is usable, but not by the withdrawn participant again.
    assert nominate(client, guest_coordinator, cohort.id, chyngyz.id).status_code == 201
    again = nominate(client, guest_coordinator, cohort.id, asel.id)
    assert_problem(again, 409, errors={"participant_id": ["Already in this cohort."]})
    assert seats(client, admin, cohort.id) == (3, 2, {foreign.id: 2})


def test_withdrawing_again_changes_nothing(client, admin, dbs, home, foreign, guest_coordinator):
    cohort = make_cohort(home)
    enrolment = enrol(dbs, cohort, officer(foreign), status=WITHDRAWN)

    again = patch(client, guest_coordinator, enrolment.id, {"status": "withdrawn"})

    assert again.status_code == 200, again.json
    assert again.json["status"] == "withdrawn"
    assert seats(client, admin, cohort.id)[:2] == (20, 0)
    assert audit_rows(dbs, action="enrolments.update") == []


def test_a_withdrawal_by_the_host_from_a_completed_record_revokes_its_certificate(
    client, admin, dbs, home, foreign, coordinator, guest_coordinator
):
    cohort = make_cohort(home, status=CohortStatus.IN_PROGRESS)
    enrolment = enrol(dbs, cohort, officer(foreign))
    assert patch(client, coordinator, enrolment.id, {"status": "completed"}).json["certificate"]["valid"]

    refused = patch(client, guest_coordinator, enrolment.id, {"status": "withdrawn"})
    assert refused.status_code == 403, refused.json  # a recorded outcome is the host's to revoke
    withdrawn = patch(client, coordinator, enrolment.id, {"status": "withdrawn"})

    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["certificate"]["valid"] is False
    assert seats(client, admin, cohort.id)[:2] == (20, 0)
    [certificate] = dbs.scalars(sa.select(Certificate)).all()
    assert certificate.revoked_at is not None


@pytest.mark.parametrize(
    ("current", "cohort_status", "target", "allowed"),
    [
        (NOMINATED, CohortStatus.OPEN, "completed", "enrolled, withdrawn"),
        (NOMINATED, CohortStatus.IN_PROGRESS, "failed", "enrolled, withdrawn"),
        (ENROLLED, CohortStatus.OPEN, "nominated", "completed, failed, no_show, withdrawn"),
        (COMPLETED, CohortStatus.IN_PROGRESS, "enrolled", "failed, no_show, withdrawn"),
        (WITHDRAWN, CohortStatus.OPEN, "nominated", "none (withdrawal is final)"),
        (WITHDRAWN, CohortStatus.OPEN, "enrolled", "none (withdrawal is final)"),
        (WITHDRAWN, CohortStatus.IN_PROGRESS, "completed", "none (withdrawal is final)"),
    ],
)
def test_illegal_moves_are_409_naming_the_allowed_ones(
    client, admin, dbs, home, foreign, coordinator, current, cohort_status, target, allowed
):
    cohort = make_cohort(home, status=cohort_status)
    enrolment = enrol(dbs, cohort, officer(foreign), status=current)

    response = patch(client, coordinator, enrolment.id, {"status": target})

    body = assert_problem(response, 409, errors={"status": [f"Allowed: {allowed}"]})
    assert body["detail"] == (
        f"An enrolment that is {current.value} cannot become {target}; allowed: {allowed}."
    )
    assert reloaded(dbs, Enrolment, enrolment.id).status is current
    assert row_count(dbs, Certificate) == 0


@pytest.mark.parametrize(
    ("current", "cohort_status", "target", "needed"),
    [
        (ENROLLED, CohortStatus.OPEN, "completed", "in_progress or completed"),
        (ENROLLED, CohortStatus.OPEN, "no_show", "in_progress or completed"),
        (ENROLLED, CohortStatus.CANCELLED, "failed", "in_progress or completed"),
        (NOMINATED, CohortStatus.COMPLETED, "enrolled", "open or in_progress"),
    ],
)
def test_moves_need_the_cohort_in_the_right_state(
    client, admin, dbs, home, foreign, coordinator, current, cohort_status, target, needed
):
    cohort = make_cohort(home, status=cohort_status)
    enrolment = enrol(dbs, cohort, officer(foreign), status=current)

    response = patch(client, coordinator, enrolment.id, {"status": target})

    # Only withdrawal is open to these enrolments while their cohort is in this state.
    body = assert_problem(response, 409, errors={"status": ["Allowed: withdrawn"]})
    assert body["detail"] == (
        f"The cohort is {cohort_status.value}; {target} needs it to be {needed}; allowed: withdrawn."
    )
    assert reloaded(dbs, Enrolment, enrolment.id).status is current
    assert row_count(dbs, Certificate) == 0


def test_results_need_a_confirmed_participant(client, admin, dbs, home, foreign, coordinator):
    cohort = make_cohort(home, status=CohortStatus.IN_PROGRESS)
    enrolment = enrol(dbs, cohort, officer(foreign), status=NOMINATED)

    response = patch(client, coordinator, enrolment.id, {"pre_score": 40})

    body = assert_problem(response, 409)
    assert body["detail"] == "Results are recorded for confirmed participants; this enrolment is nominated."
    assert reloaded(dbs, Enrolment, enrolment.id).pre_score is None


def test_the_host_records_results_and_may_clear_them(client, admin, dbs, home, foreign, coordinator):
    cohort = make_cohort(home)
    enrolment = enrol(dbs, cohort, officer(foreign))

    recorded = patch(
        client, coordinator, enrolment.id, {"pre_score": 35, "post_score": 80, "satisfaction": 1}
    )
    cleared = patch(client, coordinator, enrolment.id, {"post_score": None})

    assert recorded.status_code == 200, recorded.json
    assert [recorded.json[key] for key in ("pre_score", "post_score", "satisfaction")] == [35, 80, 1]
    assert recorded.json["status"] == "enrolled"
    assert (cleared.json["pre_score"], cleared.json["post_score"]) == (35, None)
    row = reloaded(dbs, Enrolment, enrolment.id)
    assert (row.pre_score, row.post_score, row.satisfaction) == (35, None, 1)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "enrolled"},
        {"status": "completed"},
        {"pre_score": 50},
        {"satisfaction": 4},
    ],
)
def test_a_guest_coordinator_neither_confirms_nor_records_results(
    client, admin, dbs, home, foreign, guest_coordinator, body
):
    confirming = body.get("status") == "enrolled"
    cohort = make_cohort(home, status=CohortStatus.OPEN if confirming else CohortStatus.IN_PROGRESS)
    start = NOMINATED if confirming else ENROLLED
    enrolment = enrol(dbs, cohort, officer(foreign), status=start)

    response = patch(client, guest_coordinator, enrolment.id, body)

    problem = assert_problem(response, 403)
    assert problem["detail"] == (
        "Only the host institution and hub administrators confirm enrolments and record results."
    )
    row = reloaded(dbs, Enrolment, enrolment.id)
    assert (row.status, row.pre_score, row.satisfaction) == (start, None, None)
    assert row_count(dbs, Certificate) == 0


def test_an_enrolment_out_of_reach_is_404_on_patch(client, dbs, home, foreign, third_coordinator):
    cohort = make_cohort(home)
    enrolment = enrol(dbs, cohort, officer(foreign), status=NOMINATED)

    response = patch(client, third_coordinator, enrolment.id, {"status": "withdrawn"})

    assert assert_problem(response, 404)["detail"] == f"There is no enrolment with id {enrolment.id}."
    assert reloaded(dbs, Enrolment, enrolment.id).status is NOMINATED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pre_score": 101}, "pre_score"),
        ({"pre_score": -1}, "pre_score"),
        ({"post_score": 101}, "post_score"),
        ({"post_score": "high"}, "post_score"),
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"status": "graduated"}, "status"),
        ({"status": None}, "status"),
        ({"attendance_rate": 1}, "attendance_rate"),
        ({"participant_id": 3}, "participant_id"),
        ({"cohort_id": 3}, "cohort_id"),
    ],
)
def test_invalid_changes_are_422(client, admin, dbs, home, foreign, body, field):
    cohort = make_cohort(home)
    enrolment = enrol(dbs, cohort, officer(foreign))

    response = patch(client, admin, enrolment.id, body)

    assert_validation(response, field)
    row = reloaded(dbs, Enrolment, enrolment.id)
    assert (row.status, row.pre_score, row.post_score, row.satisfaction) == (ENROLLED, None, None, None)


def test_a_stale_if_match_is_412_and_a_current_one_is_accepted(
    client, admin, dbs, home, foreign, coordinator
):
    cohort = make_cohort(home)
    enrolment = enrol(dbs, cohort, officer(foreign), status=NOMINATED)
    etag = client.get(one(enrolment.id), headers=admin.headers).headers["ETag"]

    current = patch(client, coordinator, enrolment.id, {"status": "enrolled"}, headers={"If-Match": etag})
    stale = patch(client, coordinator, enrolment.id, {"pre_score": 10}, headers={"If-Match": etag})

    assert current.status_code == 200, current.json
    assert current.headers["ETag"] != etag
    assert_problem(stale, 412)
    assert reloaded(dbs, Enrolment, enrolment.id).pre_score is None
    fresh = patch(
        client, coordinator, enrolment.id, {"pre_score": 10}, headers={"If-Match": current.headers["ETag"]}
    )
    assert fresh.status_code == 200, fresh.json


# --- GET /cohorts/{id}/enrolments ---------------------------------------------------------------------------


@pytest.fixture
def mixed_cohort(dbs, home, foreign, third):
    """A cohort hosted by `home`: one own officer, two from `foreign`, one from `third`."""
    cohort = make_cohort(home)
    rows = [
        enrol(dbs, cohort, officer(home), status=ENROLLED),
        enrol(dbs, cohort, officer(foreign), status=NOMINATED),
        enrol(dbs, cohort, officer(foreign), status=WITHDRAWN),
        enrol(dbs, cohort, officer(third), status=NOMINATED),
    ]
    return cohort, [r.id for r in rows]


def test_the_host_and_admins_see_every_enrolment_a_guest_only_its_own(
    client, admin, dbs, coordinator, guest_coordinator, third_coordinator, mixed_cohort
):
    cohort, (own, guest_a, guest_b, other) = mixed_cohort
    url = enrolments_url(cohort.id)

    assert ids(client.get(url, headers=admin.headers)) == [own, guest_a, guest_b, other]
    assert ids(client.get(url, headers=coordinator.headers)) == [own, guest_a, guest_b, other]
    assert ids(client.get(url, headers=guest_coordinator.headers)) == [guest_a, guest_b]
    assert ids(client.get(url, headers=third_coordinator.headers)) == [other]


def test_a_guest_sees_its_officers_names_in_the_list(client, dbs, foreign, guest_coordinator, mixed_cohort):
    cohort, (_, guest_a, _, _) = mixed_cohort
    listed = client.get(enrolments_url(cohort.id), headers=guest_coordinator.headers).json[0]
    participant = reloaded(dbs, Participant, listed["participant_id"])

    assert listed == expected_enrolment(listed, cohort, participant)
    assert listed["id"] == guest_a


def test_enrolment_lists_filter_by_status_and_institution(
    client, admin, dbs, home, foreign, third, mixed_cohort
):
    cohort, (own, guest_a, guest_b, other) = mixed_cohort
    url = enrolments_url(cohort.id)

    def listed(**params):
        return ids(client.get(url, query_string=params, headers=admin.headers))

    assert listed(status="nominated") == [guest_a, other]
    assert listed(status="withdrawn") == [guest_b]
    assert listed(institution_id=foreign.id) == [guest_a, guest_b]
    assert listed(institution_id=foreign.id, status="nominated") == [guest_a]
    assert listed(institution_id=home.id) == [own]
    assert listed(status="completed") == []
    assert listed(sort="-created_at") == [other, guest_b, guest_a, own]
    assert listed(updated_since="2000-01-01T00:00:00+05:00") == [own, guest_a, guest_b, other]
    assert listed(updated_since="2999-01-01T00:00:00+00:00") == []
    assert_validation(client.get(url, query_string={"status": "graduated"}, headers=admin.headers), "status")
    assert_validation(client.get(url, query_string={"sort": "family_name"}, headers=admin.headers), "sort")


def test_enrolment_lists_are_paginated(client, admin, dbs, home):
    cohort = make_cohort(home)
    created = [enrol(dbs, cohort, officer(home)).id for _ in range(5)]
    url = enrolments_url(cohort.id)

    response = client.get(url, query_string={"page_size": 2}, headers=admin.headers)

    assert ids(response) == created[:2]
    assert response.headers["X-Total-Count"] == "5"
    assert links(response, url) == {
        "first": {"page": "1", "page_size": "2"},
        "next": {"page": "2", "page_size": "2"},
        "last": {"page": "3", "page_size": "2"},
    }
    last = client.get(url, query_string=links(response, url)["last"], headers=admin.headers)
    assert ids(last) == created[4:]
    assert_validation(client.get(url, query_string={"page_size": 101}, headers=admin.headers), "page_size")


def test_every_list_call_is_audited_as_an_export_with_its_count(
    client, admin, dbs, home, foreign, guest_coordinator, mixed_cohort
):
    cohort, _ = mixed_cohort
    some = reloaded(dbs, Enrolment, mixed_cohort[1][1])

    client.get(enrolments_url(cohort.id), headers=admin.headers)
    client.get(enrolments_url(cohort.id), headers=guest_coordinator.headers)
    client.get(record_url(some.participant_id), headers=guest_coordinator.headers)

    exports = audit_rows(dbs, action="enrolments.export")
    assert [(e.actor_id, e.object_type, e.details) for e in exports] == [
        (admin.user.id, "enrolments", {"count": 4, "cohort_id": cohort.id}),
        (guest_coordinator.user.id, "enrolments", {"count": 2, "cohort_id": cohort.id}),
        (guest_coordinator.user.id, "enrolments", {"count": 1, "participant_id": some.participant_id}),
    ]
    assert all(e.request_id for e in exports)


def certify(dbs, cohort: Cohort, participant: Participant) -> Enrolment:
    """A completed enrolment with its certificate."""
    enrolment = enrol(dbs, cohort, participant, status=COMPLETED)
    dbs.add(
        Certificate(
            enrolment_id=enrolment.id,
            number=f"HUB-2026-{enrolment.id:06d}",
            code=secrets.token_urlsafe(18),
            issued_on=TODAY,
        )
    )
    dbs.commit()
    return enrolment


def statements_and_items(client, count_queries, url: str, headers: dict) -> tuple[int, list]:
    with count_queries() as statements:
        response = client.get(url, query_string={"page_size": 100}, headers=headers)
    assert response.status_code == 200, response.json
    return len(statements), response.json


def test_the_cohort_list_runs_as_many_statements_for_25_enrolments_as_for_1(
    client, admin, dbs, home, foreign, count_queries
):
    cohort = make_cohort(home, status=CohortStatus.IN_PROGRESS, capacity=30)
    SessionFactory(cohort_id=cohort.id)
    certify(dbs, cohort, officer(foreign))
    url = enrolments_url(cohort.id)
    client.get(url, headers=admin.headers)  # warm up connections

    few, one_item = statements_and_items(client, count_queries, url, admin.headers)
    for _ in range(24):
        certify(dbs, cohort, officer(foreign))
    many, items = statements_and_items(client, count_queries, url, admin.headers)

    assert (len(one_item), len(items)) == (1, 25)
    assert all(item["certificate"]["valid"] and item["participant"]["family_name"] for item in items)
    assert all(item["attendance_rate"] == 0.0 for item in items)
    assert many == few


def test_the_training_record_runs_as_many_statements_for_25_cohorts_as_for_1(
    client, admin, dbs, home, foreign, guest_coordinator, count_queries
):
    curriculum = PublishedCurriculumFactory()
    asel = officer(foreign)

    def new_cohort():
        return make_cohort(home, curriculum_id=curriculum.id, status=CohortStatus.COMPLETED)

    certify(dbs, new_cohort(), asel)
    url = record_url(asel.id)
    client.get(url, headers=guest_coordinator.headers)  # warm up connections

    few, one_item = statements_and_items(client, count_queries, url, guest_coordinator.headers)
    for _ in range(24):
        certify(dbs, new_cohort(), asel)
    many, items = statements_and_items(client, count_queries, url, guest_coordinator.headers)

    assert (len(one_item), len(items)) == (1, 25)
    assert len({item["cohort"]["id"] for item in items}) == 25
    assert all(item["certificate"]["valid"] for item in items)
    assert many == few


# --- GET /participants/{id}/enrolments ------------------------------------------------------------


def test_the_training_record_lists_the_officers_enrolments_the_caller_may_see(
    client, admin, dbs, home, foreign, third, coordinator, guest_coordinator, third_coordinator
):
    asel = officer(foreign)
    hosted = make_cohort(home)
    elsewhere = make_cohort(third)
    at_home = enrol(dbs, hosted, asel, status=NOMINATED)
    away = enrol(dbs, elsewhere, asel, status=WITHDRAWN)
    url = record_url(asel.id)

    assert ids(client.get(url, headers=admin.headers)) == [at_home.id, away.id]
    assert ids(client.get(url, headers=guest_coordinator.headers)) == [at_home.id, away.id]
    # The host sees the visitor's record only as far as its own cohorts go.
    assert ids(client.get(url, headers=coordinator.headers)) == [at_home.id]
    assert ids(client.get(url, query_string={"status": "withdrawn"}, headers=admin.headers)) == [away.id]
    full = client.get(url, headers=guest_coordinator.headers).json
    assert full[0] == expected_enrolment(full[0], hosted, asel)
    assert full[1]["cohort"] == cohort_summary(elsewhere)
    assert full[1]["status"] == "withdrawn"


def test_another_institutions_training_record_is_404(client, admin, dbs, home, foreign, third_coordinator):
    asel = officer(foreign)
    enrol(dbs, make_cohort(home), asel)

    response = client.get(record_url(asel.id), headers=third_coordinator.headers)
    missing = client.get(record_url(asel.id + 1000), headers=admin.headers)

    assert assert_problem(response, 404)["detail"] == f"There is no participant with id {asel.id}."
    assert assert_problem(missing, 404)["detail"] == f"There is no participant with id {asel.id + 1000}."
    assert audit_rows(dbs, action="enrolments.export") == []


def test_an_erased_officers_record_keeps_the_training_without_the_names(
    client, admin, dbs, home, foreign, guest_coordinator
):
    asel = officer(foreign)
    enrolment = enrol(dbs, make_cohort(home), asel)
    erase_in_database(dbs, asel)

    [item] = client.get(record_url(asel.id), headers=guest_coordinator.headers).json

    assert item["id"] == enrolment.id
    assert item["participant"] == {
        **participant_summary(asel),
        "given_name": None,
        "family_name": None,
        "erased": True,
    }


# --- erased participants and the guest's withdrawals ----------------------------------------------

# Verification is rate-limited per address: an address of this module's own keeps the count clear.
VERIFIER = {"REMOTE_ADDR": "10.250.0.1"}


def test_an_erased_participants_enrolment_cannot_be_completed_again(
    client, admin, dbs, home, foreign, coordinator, pinned_clock
):
    cohort = make_cohort(home, status=CohortStatus.IN_PROGRESS)
    asel = officer(foreign)
    enrolment = enrol(dbs, cohort, asel)
    code = patch(client, coordinator, enrolment.id, {"status": "completed"}).json["certificate"]["code"]
    assert patch(client, coordinator, enrolment.id, {"status": "failed"}).status_code == 200
    erased = client.delete(f"/api/v1/participants/{asel.id}", headers=admin.headers)
    assert erased.status_code == 204, erased.get_data(as_text=True)

    response = patch(client, coordinator, enrolment.id, {"status": "completed"})

    body = assert_problem(response, 409)
    assert body["detail"] == "The participant has been erased; the enrolment can no longer be completed."
    assert reloaded(dbs, Enrolment, enrolment.id).status is FAILED
    shown = client.get(one(enrolment.id), headers=admin.headers).json
    assert (shown["status"], shown["certificate"]["valid"]) == ("failed", False)
    [certificate] = dbs.scalars(sa.select(Certificate)).all()
    assert certificate.revoked_at is not None
    assert len(audit_rows(dbs, action="certificates.create")) == 1
    verified = client.get(f"/api/v1/certificates/verify/{code}", environ_base=VERIFIER)
    assert verified.status_code == 200, verified.json
    assert (verified.json["valid"], verified.json["holder_initials"]) == (False, None)


def test_an_erased_participant_never_certified_gets_no_certificate(
    client, admin, dbs, home, foreign, coordinator
):
    cohort = make_cohort(home, status=CohortStatus.IN_PROGRESS)
    asel = officer(foreign)
    enrolment = enrol(dbs, cohort, asel)
    assert patch(client, coordinator, enrolment.id, {"status": "failed"}).status_code == 200
    assert client.delete(f"/api/v1/participants/{asel.id}", headers=admin.headers).status_code == 204

    response = patch(client, admin, enrolment.id, {"status": "completed"})

    assert_problem(response, 409)
    assert reloaded(dbs, Enrolment, enrolment.id).status is FAILED
    assert client.get(one(enrolment.id), headers=admin.headers).json["certificate"] is None
    assert row_count(dbs, Certificate) == 0


def test_an_erasure_is_a_new_version_of_the_participants_enrolments(
    client, admin, dbs, home, foreign, coordinator
):
    asel = officer(foreign)
    enrolment = enrol(dbs, make_cohort(home), asel)
    before = client.get(one(enrolment.id), headers=coordinator.headers)

    assert client.delete(f"/api/v1/participants/{asel.id}", headers=admin.headers).status_code == 204

    after = client.get(one(enrolment.id), headers=coordinator.headers)
    assert after.json["participant"]["family_name"] is None
    assert after.headers["ETag"] != before.headers["ETag"]
    assert assert_timestamp(after.json["updated_at"]) > assert_timestamp(before.json["updated_at"])
    stale = patch(
        client, coordinator, enrolment.id, {"pre_score": 10}, headers={"If-Match": before.headers["ETag"]}
    )
    assert_problem(stale, 412)


@pytest.mark.parametrize("current", [NOMINATED, ENROLLED])
def test_a_guest_coordinator_withdraws_its_own_nominated_or_enrolled_record(
    client, admin, dbs, home, foreign, guest_coordinator, current
):
    cohort = make_cohort(home, capacity=5, allocations=[(foreign, 2)])
    enrolment = enrol(dbs, cohort, officer(foreign), status=current)
    assert seats(client, admin, cohort.id) == (4, 1, {foreign.id: 1})

    response = patch(client, guest_coordinator, enrolment.id, {"status": "withdrawn"})

    assert response.status_code == 200, response.json
    assert response.json["status"] == "withdrawn"
    assert reloaded(dbs, Enrolment, enrolment.id).status is WITHDRAWN
    assert seats(client, admin, cohort.id) == (5, 0, {foreign.id: 0})


@pytest.mark.parametrize("current", [FAILED, NO_SHOW, COMPLETED])
def test_a_recorded_outcome_is_withdrawn_by_the_host_not_the_guest(
    client, admin, dbs, home, foreign, coordinator, guest_coordinator, pinned_clock, current
):
    cohort = make_cohort(home, capacity=5, status=CohortStatus.IN_PROGRESS, allocations=[(foreign, 2)])
    enrolment = enrol(dbs, cohort, officer(foreign), status=ENROLLED)
    recorded = patch(client, coordinator, enrolment.id, {"status": current.value})
    assert recorded.status_code == 200, recorded.json
    certificate = recorded.json["certificate"]

    refused = patch(client, guest_coordinator, enrolment.id, {"status": "withdrawn"})

    body = assert_problem(refused, 403)
    assert body["detail"] == "Only the host institution and hub administrators withdraw a recorded outcome."
    assert reloaded(dbs, Enrolment, enrolment.id).status is current
    assert seats(client, admin, cohort.id) == (4, 1, {foreign.id: 1})
    assert client.get(one(enrolment.id), headers=guest_coordinator.headers).json["certificate"] == certificate

    withdrawn = patch(client, coordinator, enrolment.id, {"status": "withdrawn"})

    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["status"] == "withdrawn"
    assert seats(client, admin, cohort.id) == (5, 0, {foreign.id: 0})
    if current is COMPLETED:
        assert withdrawn.json["certificate"]["valid"] is False
    else:
        assert withdrawn.json["certificate"] is None
