"""/api/v1/cohorts/{id}/sessions: a cohort's schedule, its trainers, and each session's attendance."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hub_api.models import Attendance, CohortSession
from hub_api.models.enums import CohortStatus, DeliveryMode, EnrolmentStatus, Role
from tests.conftest import sign_in
from tests.factories import InstitutionFactory, UserFactory
from tests.helpers import (
    assert_timestamp,
    audit_rows,
    client_headers,
    links,
    reloaded,
    row_count,
    statements_for_get,
    with_server_fields,
)
from tests.problems import assert_problem, assert_unauthorized, assert_validation
from tests.training_factories import CohortFactory, ParticipantRowFactory, SessionFactory, enrol


def sessions_url(cohort_id: int) -> str:
    return f"/api/v1/cohorts/{cohort_id}/sessions"


def session_url(cohort_id: int, session_id: int) -> str:
    return f"{sessions_url(cohort_id)}/{session_id}"


def attendance_url(cohort_id: int, session_id: int) -> str:
    return f"{session_url(cohort_id, session_id)}/attendance"


def if_match(actor, etag: str) -> dict:
    return {**actor.headers, "If-Match": etag}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def foreign_coordinator(app, dbs, foreign):
    """A coordinator of the `foreign` institution, a partner sending participants."""
    user = UserFactory(role=Role.COORDINATOR, institution_id=foreign.id, email="coord@away.example")
    return sign_in(app, user)


@pytest.fixture
def cohort(dbs, home):
    """An open, blended cohort hosted by `home`, from Monday 2 to Friday 13 March 2026."""
    return CohortFactory(
        code="KTA-PVE-2026-01",
        host_institution_id=home.id,
        delivery_mode=DeliveryMode.BLENDED,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 13),
    )


@pytest.fixture
def trainers(dbs, home, foreign, cohort):
    """Two trainers the host can name: its own, and a partner's trainer enrolled in its cohort."""
    guest = ParticipantRowFactory(institution_id=foreign.id, is_trainer=True)
    enrol(dbs, cohort, guest)
    return [ParticipantRowFactory(institution_id=home.id, is_trainer=True), guest]


def test_a_trainer_the_host_cannot_see_is_refused_like_a_non_trainer(
    client, coordinator, dbs, cohort, foreign
):
    unseen = ParticipantRowFactory(institution_id=foreign.id, is_trainer=True)

    response = client.post(
        sessions_url(cohort.id), json=body(trainer_ids=[unseen.id]), headers=coordinator.headers
    )

    assert_validation(response, "trainer_ids")
    assert row_count(dbs, CohortSession) == 0


@pytest.fixture
def session(dbs, cohort):
    """Monday's session, 09:00 to 13:00 in Kostanay (UTC+5)."""
    return SessionFactory(
        cohort_id=cohort.id,
        starts_at=datetime(2026, 3, 2, 4, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        topic="Introduction",
        mode=DeliveryMode.IN_PERSON,
    )


def body(**changes) -> dict:
    return {
        "starts_at": "2026-03-03T09:00:00+05:00",
        "ends_at": "2026-03-03T13:00:00+05:00",
        "topic": "Risk assessment",
        **changes,
    }


def stored(dbs, session_id: int) -> CohortSession | None:
    return reloaded(dbs, CohortSession, session_id)


# --- create ---------------------------------------------------------------------------------


def test_coordinator_schedules_a_session_with_trainers(client, coordinator, dbs, cohort, trainers):
    first, second = trainers
    payload = body(mode="online", trainer_ids=[second.id, first.id])

    response = client.post(sessions_url(cohort.id), json=payload, headers=coordinator.headers)

    assert response.status_code == 201, response.json
    created = response.json
    assert created == with_server_fields(
        created,
        {
            "cohort_id": cohort.id,
            "starts_at": "2026-03-03T04:00:00+00:00",
            "ends_at": "2026-03-03T08:00:00+00:00",
            "topic": "Risk assessment",
            "mode": "online",
            "trainer_ids": sorted([first.id, second.id]),
        },
    )
    assert response.headers["Location"].endswith(session_url(cohort.id, created["id"]))
    again = client.get(session_url(cohort.id, created["id"]), headers=coordinator.headers)
    assert again.status_code == 200
    assert again.json == created
    assert again.headers["ETag"] == response.headers["ETag"]
    row = stored(dbs, created["id"])
    assert (row.cohort_id, row.starts_at, row.mode) == (
        cohort.id,
        at("2026-03-03T04:00:00+00:00"),
        DeliveryMode.ONLINE,
    )


def test_a_session_takes_the_cohorts_delivery_mode_and_no_trainers_by_default(client, admin, cohort):
    response = client.post(sessions_url(cohort.id), json=body(), headers=admin.headers)

    assert response.status_code == 201, response.json
    assert (response.json["mode"], response.json["trainer_ids"]) == ("blended", [])


def test_create_is_audited(client, coordinator, dbs, cohort):
    created = client.post(sessions_url(cohort.id), json=body(), headers=coordinator.headers).json

    events = audit_rows(dbs, action="cohort_sessions.create")
    assert [(e.object_id, e.actor_id) for e in events] == [(str(created["id"]), coordinator.user.id)]


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        # Half past midnight on the first day in Kostanay is still 1 March in UTC.
        ("2026-03-02T00:30:00+05:00", "2026-03-02T02:00:00+05:00"),
        # The last evening in Kostanay is already the next day in UTC.
        ("2026-03-13T22:00:00+05:00", "2026-03-13T23:59:00+05:00"),
        # Early on the first day on the Pacific date line (UTC+14), late on the last at UTC-12.
        ("2026-03-02T00:00:00+14:00", "2026-03-02T01:00:00+14:00"),
        ("2026-03-13T22:00:00-12:00", "2026-03-14T00:00:00-12:00"),
    ],
)
def test_sessions_within_the_cohorts_local_dates_are_accepted(client, admin, cohort, starts_at, ends_at):
    response = client.post(
        sessions_url(cohort.id), json=body(starts_at=starts_at, ends_at=ends_at), headers=admin.headers
    )

    assert response.status_code == 201, response.json
    assert at(response.json["starts_at"]) == at(starts_at)
    assert at(response.json["ends_at"]) == at(ends_at)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        # The window is the cohort's dates in every time zone on earth, UTC+14 to UTC-12.
        ("2026-03-01T09:00:00+05:00", "2026-03-01T13:00:00+05:00", "starts_at"),  # the day before
        ("2026-03-01T12:00:00+05:00", "2026-03-02T10:00:00+05:00", "starts_at"),  # starts the day before
        ("2026-03-15T09:00:00+05:00", "2026-03-15T13:00:00+05:00", "starts_at"),  # two days after
        ("2026-03-13T16:00:00+05:00", "2026-03-14T20:00:00+05:00", "ends_at"),  # runs into the day after
        ("2026-03-01T23:59:00+14:00", "2026-03-02T01:00:00+14:00", "starts_at"),  # before, even at UTC+14
        ("2026-03-14T00:00:00-12:00", "2026-03-14T01:00:00-12:00", "starts_at"),  # after, even at UTC-12
    ],
)
def test_sessions_outside_the_cohorts_dates_are_422(client, admin, dbs, cohort, starts_at, ends_at, field):
    response = client.post(
        sessions_url(cohort.id), json=body(starts_at=starts_at, ends_at=ends_at), headers=admin.headers
    )

    errors = assert_validation(response, field)
    assert errors == {field: ["Outside the cohort's dates."]}
    assert row_count(dbs, CohortSession) == 0


@pytest.mark.parametrize("ends_at", ["2026-03-03T08:59:00+05:00", "2026-03-03T09:00:00+05:00"])
def test_a_session_ending_before_it_starts_is_422(client, admin, dbs, cohort, ends_at):
    response = client.post(sessions_url(cohort.id), json=body(ends_at=ends_at), headers=admin.headers)

    assert_validation(response, "ends_at")
    assert row_count(dbs, CohortSession) == 0


def test_create_requires_times_and_topic(client, admin, dbs, cohort):
    response = client.post(sessions_url(cohort.id), json={"mode": "online"}, headers=admin.headers)

    assert_validation(response, "starts_at", "ends_at", "topic")
    assert row_count(dbs, CohortSession) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "Monday morning"}, "starts_at"),
        ({"ends_at": None}, "ends_at"),
        ({"topic": ""}, "topic"),
        ({"topic": "x" * 301}, "topic"),
        ({"mode": "radio"}, "mode"),
        ({"mode": None}, "mode"),
        ({"trainer_ids": [0]}, "trainer_ids.0"),
        ({"trainer_ids": "1"}, "trainer_ids"),
        ({"cohort_id": 1}, "cohort_id"),
        ({"id": 1}, "id"),
        ({"room": "B12"}, "room"),
    ],
)
def test_create_rejects_invalid_field(client, admin, dbs, cohort, change, field):
    assert_validation(client.post(sessions_url(cohort.id), json=body(**change), headers=admin.headers), field)
    assert row_count(dbs, CohortSession) == 0


def test_trainer_ids_naming_a_non_trainer_or_nobody_is_422(client, admin, dbs, cohort, trainers, home):
    officer = ParticipantRowFactory(institution_id=home.id, is_trainer=False)
    payload = body(trainer_ids=[trainers[0].id, officer.id, 424242])

    errors = assert_validation(
        client.post(sessions_url(cohort.id), json=payload, headers=admin.headers), "trainer_ids"
    )

    assert errors == {"trainer_ids": [f"Not a trainer: {officer.id}, 424242."]}
    assert row_count(dbs, CohortSession) == 0


def test_trainer_ids_naming_an_erased_trainer_is_422(client, admin, dbs, cohort, trainers):
    erased = trainers[0]
    erased.given_name = erased.family_name = erased.email = erased.external_ref = erased.search_text = None
    erased.erased_at = datetime(2026, 1, 5, tzinfo=UTC)
    dbs.commit()

    response = client.post(
        sessions_url(cohort.id), json=body(trainer_ids=[trainers[0].id]), headers=admin.headers
    )

    assert_validation(response, "trainer_ids")


def test_trainer_ids_listing_someone_twice_is_422(client, admin, dbs, cohort, trainers):
    payload = body(trainer_ids=[trainers[0].id, trainers[0].id])

    assert_validation(
        client.post(sessions_url(cohort.id), json=payload, headers=admin.headers), "trainer_ids"
    )
    assert row_count(dbs, CohortSession) == 0


@pytest.mark.parametrize("status", [CohortStatus.CANCELLED, CohortStatus.COMPLETED])
def test_sessions_of_a_final_cohort_cannot_be_scheduled(client, admin, dbs, home, status):
    final = CohortFactory(host_institution_id=home.id, status=status)

    body_ = assert_problem(client.post(sessions_url(final.id), json=body(), headers=admin.headers), 409)

    assert status.value in body_["detail"]
    assert row_count(dbs, CohortSession) == 0


@pytest.mark.parametrize("status", [CohortStatus.PLANNED, CohortStatus.OPEN, CohortStatus.IN_PROGRESS])
def test_sessions_can_be_scheduled_until_the_cohort_is_final(client, admin, home, status):
    other = CohortFactory(host_institution_id=home.id, status=status)

    assert client.post(sessions_url(other.id), json=body(), headers=admin.headers).status_code == 201


def test_create_without_token_is_401(client, dbs, cohort):
    assert_unauthorized(client.post(sessions_url(cohort.id), json=body()))
    assert row_count(dbs, CohortSession) == 0


@pytest.mark.parametrize("role", ["foreign_coordinator", "analyst"])
def test_create_refused_to_others_than_the_host(client, request, dbs, cohort, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.post(sessions_url(cohort.id), json=body(), headers=actor.headers), 403)
    assert row_count(dbs, CohortSession) == 0


def test_create_by_api_client_is_403(app, client, dbs, home, cohort):
    headers = client_headers(
        app, ["catalogue:read", "participants:write", "enrolments:write"], institution=home
    )

    assert_problem(client.post(sessions_url(cohort.id), json=body(), headers=headers), 403)
    assert row_count(dbs, CohortSession) == 0


def test_create_in_an_unknown_cohort_is_404(client, admin, dbs):
    assert_problem(client.post(sessions_url(424242), json=body(), headers=admin.headers), 404)
    assert row_count(dbs, CohortSession) == 0


# --- read one -------------------------------------------------------------------------------


def test_get_returns_the_session_with_its_trainers_and_etag(client, analyst, dbs, cohort, trainers):
    scheduled = SessionFactory(
        cohort_id=cohort.id,
        starts_at=datetime(2026, 3, 4, 4, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 4, 6, 30, tzinfo=UTC),
        topic="Case studies",
        mode=DeliveryMode.ONLINE,
        trainers=list(reversed(trainers)),
    )

    response = client.get(session_url(cohort.id, scheduled.id), headers=analyst.headers)

    assert response.status_code == 200
    assert response.json == {
        "id": scheduled.id,
        "cohort_id": cohort.id,
        "starts_at": "2026-03-04T04:00:00+00:00",
        "ends_at": "2026-03-04T06:30:00+00:00",
        "topic": "Case studies",
        "mode": "online",
        "trainer_ids": sorted(t.id for t in trainers),
        "created_at": response.json["created_at"],
        "updated_at": response.json["updated_at"],
    }
    assert_timestamp(response.json["created_at"])
    assert response.headers["ETag"].startswith('"')


def test_a_session_of_another_cohort_is_404_everywhere(client, admin, dbs, home, cohort, session):
    other = CohortFactory(host_institution_id=home.id)
    wrong = session_url(other.id, session.id)

    for response in (
        client.get(wrong, headers=admin.headers),
        client.patch(wrong, json={"topic": "Moved"}, headers=admin.headers),
        client.delete(wrong, headers=admin.headers),
        client.get(f"{wrong}/attendance", headers=admin.headers),
        client.put(f"{wrong}/attendance", json=[], headers=admin.headers),
    ):
        assert_problem(response, 404)
    assert stored(dbs, session.id).topic == "Introduction"


def test_unknown_session_or_cohort_is_404(client, admin, cohort, session):
    assert_problem(client.get(session_url(cohort.id, 424242), headers=admin.headers), 404)
    assert_problem(client.get(session_url(424242, session.id), headers=admin.headers), 404)
    assert_problem(client.get(sessions_url(424242), headers=admin.headers), 404)


def test_reads_without_token_are_401(client, cohort, session):
    assert_unauthorized(client.get(sessions_url(cohort.id)))
    assert_unauthorized(client.get(session_url(cohort.id, session.id)))
    assert_unauthorized(client.get(attendance_url(cohort.id, session.id)))


def test_api_client_reads_sessions_with_catalogue_scope_only(app, client, dbs, home, cohort, session):
    reader = client_headers(app, ["catalogue:read"], institution=home)
    other = client_headers(app, ["stats:read"], institution=home)

    assert client.get(session_url(cohort.id, session.id), headers=reader).json["id"] == session.id
    assert [s["id"] for s in client.get(sessions_url(cohort.id), headers=reader).json] == [session.id]
    assert_problem(client.get(sessions_url(cohort.id), headers=other), 403)


# --- list -----------------------------------------------------------------------------------


@pytest.fixture
def schedule(dbs, home, cohort):
    """Four sessions of the cohort, created out of order, and one of another cohort."""
    made = {}
    for topic, day, mode in [
        ("Wednesday", 4, DeliveryMode.ONLINE),
        ("Monday", 2, DeliveryMode.IN_PERSON),
        ("Friday", 6, DeliveryMode.ONLINE),
        ("Tuesday", 3, DeliveryMode.IN_PERSON),
    ]:
        made[topic] = SessionFactory(
            cohort_id=cohort.id,
            starts_at=datetime(2026, 3, day, 4, 0, tzinfo=UTC),
            ends_at=datetime(2026, 3, day, 8, 0, tzinfo=UTC),
            topic=topic,
            mode=mode,
        )
    SessionFactory(cohort_id=CohortFactory(host_institution_id=home.id).id, topic="Elsewhere")
    return made


def topics(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["topic"] for item in response.json]


WEEK = ["Monday", "Tuesday", "Wednesday", "Friday"]


def test_list_returns_the_cohorts_sessions_in_time_order(client, analyst, cohort, schedule):
    response = client.get(sessions_url(cohort.id), headers=analyst.headers)

    assert topics(response) == WEEK
    assert response.headers["X-Total-Count"] == "4"
    monday = client.get(session_url(cohort.id, schedule["Monday"].id), headers=analyst.headers).json
    assert response.json[0] == monday


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mode": "online"}, ["Wednesday", "Friday"]),
        ({"mode": "in_person"}, ["Monday", "Tuesday"]),
        ({"mode": "e_learning"}, []),
        ({"sort": "-starts_at"}, list(reversed(WEEK))),
        ({"sort": "created_at"}, ["Wednesday", "Monday", "Friday", "Tuesday"]),
        ({"mode": "online", "sort": "-starts_at"}, ["Friday", "Wednesday"]),
    ],
)
def test_list_filters_and_sorts(client, analyst, cohort, schedule, params, expected):
    response = client.get(sessions_url(cohort.id), query_string=params, headers=analyst.headers)

    assert topics(response) == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_list_pagination_headers(client, analyst, cohort, schedule):
    url = sessions_url(cohort.id)

    response = client.get(url, query_string={"page": 2, "page_size": 3}, headers=analyst.headers)

    assert topics(response) == ["Friday"]
    assert response.headers["X-Total-Count"] == "4"
    assert links(response, url) == {
        "first": {"page": "1", "page_size": "3"},
        "prev": {"page": "1", "page_size": "3"},
        "last": {"page": "2", "page_size": "3"},
    }
    first = client.get(url, query_string=links(response, url)["first"], headers=analyst.headers)
    assert topics(first) == WEEK[:3]


def test_list_filters_by_updated_since(client, analyst, dbs, cohort, schedule):
    schedule["Monday"].updated_at = datetime(2020, 1, 1, tzinfo=UTC)
    dbs.commit()

    response = client.get(
        sessions_url(cohort.id),
        query_string={"updated_since": "2024-01-01T00:00:00Z"},
        headers=analyst.headers,
    )

    assert topics(response) == ["Tuesday", "Wednesday", "Friday"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"mode": "radio"}, "mode"),
        ({"sort": "topic"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"updated_since": "last week"}, "updated_since"),
        ({"trainer_id": 1}, "trainer_id"),
    ],
)
def test_list_rejects_invalid_arguments(client, analyst, cohort, params, field):
    assert_validation(
        client.get(sessions_url(cohort.id), query_string=params, headers=analyst.headers), field
    )


def test_list_query_count_does_not_grow_with_sessions_and_trainers(
    client, admin, dbs, cohort, trainers, count_queries
):
    def add_sessions(count: int) -> None:
        for _ in range(count):
            SessionFactory(cohort_id=cohort.id, trainers=list(trainers))

    listing = f"{sessions_url(cohort.id)}?page_size=100"
    add_sessions(1)
    client.get(listing, headers=admin.headers)  # warm up connections
    few = statements_for_get(count_queries, client, listing, admin.headers)
    add_sessions(24)

    many = statements_for_get(count_queries, client, listing, admin.headers)

    items = client.get(listing, headers=admin.headers).json
    assert len(items) == 25
    assert all(s["trainer_ids"] == sorted(t.id for t in trainers) for s in items)
    assert many == few


# --- update ---------------------------------------------------------------------------------


def test_patch_reschedules_and_changes_trainers(client, coordinator, dbs, cohort, session, trainers):
    before = client.get(session_url(cohort.id, session.id), headers=coordinator.headers)
    changes = {
        "starts_at": "2026-03-05T14:00:00+05:00",
        "ends_at": "2026-03-05T17:30:00+05:00",
        "topic": "Disengagement",
        "mode": "online",
        "trainer_ids": [trainers[1].id],
    }

    response = client.patch(
        session_url(cohort.id, session.id),
        json=changes,
        headers=if_match(coordinator, before.headers["ETag"]),
    )

    assert response.status_code == 200, response.json
    assert response.json == {
        **before.json,
        **changes,
        "starts_at": "2026-03-05T09:00:00+00:00",
        "ends_at": "2026-03-05T12:30:00+00:00",
        "updated_at": response.json["updated_at"],
    }
    assert response.headers["ETag"] != before.headers["ETag"]
    again = client.get(session_url(cohort.id, session.id), headers=coordinator.headers)
    assert (again.json, again.headers["ETag"]) == (response.json, response.headers["ETag"])
    assert stored(dbs, session.id).topic == "Disengagement"
    events = audit_rows(dbs, action="cohort_sessions.update", object_id=str(session.id))
    assert len(events) == 1


def test_patch_keeps_what_it_does_not_mention(client, admin, cohort, session):
    before = client.get(session_url(cohort.id, session.id), headers=admin.headers).json

    response = client.patch(
        session_url(cohort.id, session.id), json={"topic": "Welcome"}, headers=admin.headers
    )

    assert response.status_code == 200, response.json
    assert response.json == {**before, "topic": "Welcome", "updated_at": response.json["updated_at"]}


def test_patch_of_trainers_alone_is_a_new_version_of_the_session(
    client, admin, dbs, cohort, session, trainers
):
    url = session_url(cohort.id, session.id)
    before = client.get(url, headers=admin.headers)

    response = client.patch(
        url, json={"trainer_ids": [trainers[0].id]}, headers=if_match(admin, before.headers["ETag"])
    )

    assert response.status_code == 200, response.json
    assert response.json["trainer_ids"] == [trainers[0].id]
    assert response.headers["ETag"] != before.headers["ETag"]
    assert assert_timestamp(response.json["updated_at"]) > assert_timestamp(before.json["updated_at"])
    stale = client.patch(url, json={"trainer_ids": []}, headers=if_match(admin, before.headers["ETag"]))
    assert_problem(stale, 412)
    assert client.get(url, headers=admin.headers).json["trainer_ids"] == [trainers[0].id]
    cleared = client.patch(url, json={"trainer_ids": []}, headers=admin.headers)
    assert cleared.json["trainer_ids"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2026-03-02T08:00:00+05:00"}, "ends_at"),  # before the stored start (09:00)
        ({"starts_at": "2026-03-02T13:30:00+05:00"}, "ends_at"),  # after the stored end (13:00)
        ({"starts_at": "2026-03-01T09:00:00+05:00"}, "starts_at"),  # the day before the cohort
        ({"ends_at": "2026-03-14T20:00:00+05:00"}, "ends_at"),  # into the day after it
        ({"trainer_ids": [424242]}, "trainer_ids"),
        ({"topic": None}, "topic"),
        ({"mode": "radio"}, "mode"),
        ({"cohort_id": 2}, "cohort_id"),
        ({"room": "B12"}, "room"),
    ],
)
def test_patch_rejects_invalid_change(client, admin, dbs, cohort, session, change, field):
    response = client.patch(session_url(cohort.id, session.id), json=change, headers=admin.headers)

    assert_validation(response, field)
    row = stored(dbs, session.id)
    assert (row.starts_at, row.ends_at, row.topic, row.version) == (
        session.starts_at,
        session.ends_at,
        "Introduction",
        session.version,
    )


def test_patch_with_stale_if_match_is_412(client, admin, dbs, cohort, session):
    url = session_url(cohort.id, session.id)
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    assert client.patch(url, json={"topic": "First"}, headers=if_match(admin, etag)).status_code == 200

    assert_problem(client.patch(url, json={"topic": "Second"}, headers=if_match(admin, etag)), 412)
    assert stored(dbs, session.id).topic == "First"


def test_patch_of_a_session_of_a_cancelled_cohort_conflicts(client, admin, dbs, home):
    cancelled = CohortFactory(host_institution_id=home.id, status=CohortStatus.CANCELLED)
    planned_session = SessionFactory(cohort_id=cancelled.id)

    response = client.patch(
        session_url(cancelled.id, planned_session.id), json={"topic": "X"}, headers=admin.headers
    )

    assert_problem(response, 409)
    assert stored(dbs, planned_session.id).topic == "Introduction"


def test_patch_without_token_is_401(client, dbs, cohort, session):
    assert_unauthorized(client.patch(session_url(cohort.id, session.id), json={"topic": "X"}))


@pytest.mark.parametrize("role", ["foreign_coordinator", "analyst"])
def test_patch_refused_to_others_than_the_host(client, request, dbs, cohort, session, role):
    actor = request.getfixturevalue(role)

    assert_problem(
        client.patch(session_url(cohort.id, session.id), json={"topic": "X"}, headers=actor.headers), 403
    )
    assert stored(dbs, session.id).topic == "Introduction"


# --- delete ---------------------------------------------------------------------------------


@pytest.fixture
def roll(dbs, home, foreign, cohort):
    """The cohort's participants by role, each enrolment created with `enrol`."""
    people = {
        "host_a": (home, EnrolmentStatus.ENROLLED),
        "host_b": (home, EnrolmentStatus.COMPLETED),
        "partner": (foreign, EnrolmentStatus.ENROLLED),
        "nominated": (foreign, EnrolmentStatus.NOMINATED),
        "withdrawn": (foreign, EnrolmentStatus.WITHDRAWN),
    }
    result = {}
    for key, (institution, status) in people.items():
        participant = ParticipantRowFactory(institution_id=institution.id)
        result[key] = participant.id
        result[f"{key}_enrolment"] = enrol(dbs, cohort, participant, status).id
    result["outsider"] = ParticipantRowFactory(institution_id=foreign.id).id
    return result


def test_delete_a_session_with_its_attendance(client, coordinator, dbs, cohort, session, trainers, roll):
    dbs.add(
        Attendance(session_id=session.id, enrolment_id=roll["host_a_enrolment"], present=True, minutes=240)
    )
    session.trainers = list(trainers)
    dbs.commit()
    session_id = session.id

    response = client.delete(session_url(cohort.id, session_id), headers=coordinator.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(session_url(cohort.id, session_id), headers=coordinator.headers), 404)
    assert stored(dbs, session_id) is None
    assert row_count(dbs, Attendance) == 0
    assert [e.object_id for e in audit_rows(dbs, action="cohort_sessions.delete")] == [str(session_id)]


def test_delete_with_stale_if_match_is_412(client, admin, dbs, cohort, session):
    url = session_url(cohort.id, session.id)
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    assert client.patch(url, json={"topic": "Changed"}, headers=admin.headers).status_code == 200

    assert_problem(client.delete(url, headers=if_match(admin, etag)), 412)
    assert stored(dbs, session.id) is not None
    current = client.get(url, headers=admin.headers).headers["ETag"]
    assert client.delete(url, headers=if_match(admin, current)).status_code == 204


def test_delete_of_a_session_of_a_cancelled_cohort_conflicts(client, admin, dbs, home):
    cancelled = CohortFactory(host_institution_id=home.id, status=CohortStatus.CANCELLED)
    kept = SessionFactory(cohort_id=cancelled.id)

    assert_problem(client.delete(session_url(cancelled.id, kept.id), headers=admin.headers), 409)
    assert stored(dbs, kept.id) is not None


def test_delete_without_token_is_401(client, dbs, cohort, session):
    assert_unauthorized(client.delete(session_url(cohort.id, session.id)))
    assert stored(dbs, session.id) is not None


@pytest.mark.parametrize("role", ["foreign_coordinator", "analyst"])
def test_delete_refused_to_others_than_the_host(client, request, dbs, cohort, session, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.delete(session_url(cohort.id, session.id), headers=actor.headers), 403)
    assert stored(dbs, session.id) is not None


# --- attendance -----------------------------------------------------------------------------


def stored_attendance(dbs, session_id: int) -> list[tuple[int, bool, int | None]]:
    """(enrolment_id, present, minutes) of a session's attendance as the database holds it."""
    dbs.expire_all()
    rows = dbs.execute(
        sa.select(Attendance.enrolment_id, Attendance.present, Attendance.minutes)
        .where(Attendance.session_id == session_id)
        .order_by(Attendance.enrolment_id)
    )
    return [tuple(row) for row in rows]


def test_put_records_the_attendance(client, coordinator, dbs, cohort, session, roll):
    rows = [
        {"participant_id": roll["partner"], "present": False},
        {"participant_id": roll["host_a"], "present": True, "minutes": 240},
        {"participant_id": roll["host_b"], "present": True, "minutes": None},
    ]
    url = attendance_url(cohort.id, session.id)

    response = client.put(url, json=rows, headers=coordinator.headers)

    assert response.status_code == 200, response.json
    expected = sorted(
        [
            {"participant_id": roll["partner"], "present": False, "minutes": None},
            {"participant_id": roll["host_a"], "present": True, "minutes": 240},
            {"participant_id": roll["host_b"], "present": True, "minutes": None},
        ],
        key=lambda r: r["participant_id"],
    )
    assert response.json == expected
    assert client.get(url, headers=coordinator.headers).json == expected
    assert stored_attendance(dbs, session.id) == sorted(
        [
            (roll["partner_enrolment"], False, None),
            (roll["host_a_enrolment"], True, 240),
            (roll["host_b_enrolment"], True, None),
        ]
    )


def test_put_replaces_the_whole_record(client, coordinator, dbs, cohort, session, roll):
    url = attendance_url(cohort.id, session.id)
    first = [
        {"participant_id": roll["host_a"], "present": True, "minutes": 240},
        {"participant_id": roll["partner"], "present": True, "minutes": 200},
    ]
    assert client.put(url, json=first, headers=coordinator.headers).status_code == 200

    second = client.put(
        url,
        json=[{"participant_id": roll["partner"], "present": False, "minutes": 0}],
        headers=coordinator.headers,
    )

    assert second.status_code == 200, second.json
    assert second.json == [{"participant_id": roll["partner"], "present": False, "minutes": 0}]
    assert stored_attendance(dbs, session.id) == [(roll["partner_enrolment"], False, 0)]
    emptied = client.put(url, json=[], headers=coordinator.headers)
    assert (emptied.status_code, emptied.json) == (200, [])
    assert stored_attendance(dbs, session.id) == []


@pytest.mark.parametrize("who", ["nominated", "withdrawn", "outsider", "unknown"])
def test_put_with_one_bad_row_keeps_the_previous_record(client, coordinator, dbs, cohort, session, roll, who):
    url = attendance_url(cohort.id, session.id)
    kept = [{"participant_id": roll["host_a"], "present": True, "minutes": 240}]
    assert client.put(url, json=kept, headers=coordinator.headers).status_code == 200
    bad_id = 424242 if who == "unknown" else roll[who]
    rows = [
        {"participant_id": roll["host_b"], "present": True, "minutes": 60},
        {"participant_id": bad_id, "present": True, "minutes": 60},
    ]

    errors = assert_validation(client.put(url, json=rows, headers=coordinator.headers), "participant_id")

    assert errors == {"participant_id": [f"Not enrolled: {bad_id}."]}
    assert stored_attendance(dbs, session.id) == [(roll["host_a_enrolment"], True, 240)]


def test_put_listing_a_participant_twice_is_422(client, coordinator, dbs, cohort, session, roll):
    url = attendance_url(cohort.id, session.id)
    first = client.put(
        url, json=[{"participant_id": roll["host_a"], "present": True}], headers=coordinator.headers
    )
    assert first.status_code == 200, first.json
    rows = [
        {"participant_id": roll["partner"], "present": True},
        {"participant_id": roll["partner"], "present": False},
    ]

    assert_validation(client.put(url, json=rows, headers=coordinator.headers), "participant_id")
    assert stored_attendance(dbs, session.id) == [(roll["host_a_enrolment"], True, None)]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"present": True}, "0.participant_id"),
        ({"participant_id": 1}, "0.present"),
        ({"participant_id": 1, "present": "maybe"}, "0.present"),
        ({"participant_id": 1, "present": True, "minutes": 1441}, "0.minutes"),
        ({"participant_id": 1, "present": True, "minutes": -1}, "0.minutes"),
        ({"participant_id": 1, "present": True, "late": True}, "0.late"),
    ],
)
def test_put_rejects_invalid_rows(client, admin, dbs, cohort, session, row, field):
    assert_validation(
        client.put(attendance_url(cohort.id, session.id), json=[row], headers=admin.headers), field
    )
    assert row_count(dbs, Attendance) == 0


def test_put_of_attendance_of_a_cancelled_cohort_conflicts(client, admin, dbs, home):
    cancelled = CohortFactory(host_institution_id=home.id, status=CohortStatus.CANCELLED)
    held = SessionFactory(cohort_id=cancelled.id)

    assert_problem(client.put(attendance_url(cancelled.id, held.id), json=[], headers=admin.headers), 409)


def test_put_without_token_is_401(client, dbs, cohort, session, roll):
    rows = [{"participant_id": roll["host_a"], "present": True}]
    assert_unauthorized(client.put(attendance_url(cohort.id, session.id), json=rows))
    assert row_count(dbs, Attendance) == 0


@pytest.mark.parametrize("role", ["foreign_coordinator", "analyst"])
def test_only_the_host_records_attendance(client, request, dbs, cohort, session, roll, role):
    actor = request.getfixturevalue(role)
    rows = [{"participant_id": roll["partner"], "present": True}]

    assert_problem(client.put(attendance_url(cohort.id, session.id), json=rows, headers=actor.headers), 403)
    assert row_count(dbs, Attendance) == 0


def test_host_sees_every_row_and_a_partner_only_its_own(
    client, admin, coordinator, foreign_coordinator, dbs, cohort, session, roll
):
    url = attendance_url(cohort.id, session.id)
    rows = [
        {"participant_id": roll["host_a"], "present": True, "minutes": 240},
        {"participant_id": roll["partner"], "present": False, "minutes": None},
    ]
    assert client.put(url, json=rows, headers=coordinator.headers).status_code == 200
    everyone = sorted(rows, key=lambda r: r["participant_id"])

    assert client.get(url, headers=coordinator.headers).json == everyone
    assert client.get(url, headers=admin.headers).json == everyone
    partner_view = client.get(url, headers=foreign_coordinator.headers)
    assert partner_view.status_code == 200
    assert partner_view.json == [rows[1]]


def test_an_uninvolved_coordinator_sees_no_rows(app, client, coordinator, dbs, cohort, session, roll):
    stranger = InstitutionFactory(code="UZ-ACAD", country="UZ")
    outsider = sign_in(app, UserFactory(role=Role.COORDINATOR, institution_id=stranger.id))
    url = attendance_url(cohort.id, session.id)
    client.put(url, json=[{"participant_id": roll["host_a"], "present": True}], headers=coordinator.headers)

    response = client.get(url, headers=outsider.headers)

    assert (response.status_code, response.json) == (200, [])


def test_analyst_cannot_read_attendance(client, analyst, coordinator, cohort, session, roll):
    url = attendance_url(cohort.id, session.id)
    client.put(url, json=[{"participant_id": roll["host_a"], "present": True}], headers=coordinator.headers)

    assert_problem(client.get(url, headers=analyst.headers), 403)


def test_attendance_rate_follows_the_record(client, admin, coordinator, dbs, cohort, session, roll):
    second = SessionFactory(
        cohort_id=cohort.id,
        starts_at=datetime(2026, 3, 3, 4, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
    )

    def rate(key: str):
        response = client.get(f"/api/v1/enrolments/{roll[f'{key}_enrolment']}", headers=admin.headers)
        assert response.status_code == 200, response.json
        return response.json["attendance_rate"]

    assert rate("host_a") == 0
    client.put(
        attendance_url(cohort.id, session.id),
        json=[
            {"participant_id": roll["host_a"], "present": True, "minutes": 240},
            {"participant_id": roll["partner"], "present": False},
        ],
        headers=coordinator.headers,
    )
    assert (rate("host_a"), rate("partner")) == (0.5, 0)

    client.put(
        attendance_url(cohort.id, second.id),
        json=[
            {"participant_id": roll["host_a"], "present": True},
            {"participant_id": roll["partner"], "present": True},
        ],
        headers=coordinator.headers,
    )
    assert (rate("host_a"), rate("partner")) == (1.0, 0.5)

    client.put(attendance_url(cohort.id, session.id), json=[], headers=coordinator.headers)
    assert (rate("host_a"), rate("partner")) == (0.5, 0.5)


def test_attendance_rate_is_null_before_any_session(client, admin, dbs, home, foreign):
    empty = CohortFactory(host_institution_id=home.id)
    enrolment = enrol(dbs, empty, ParticipantRowFactory(institution_id=foreign.id))

    response = client.get(f"/api/v1/enrolments/{enrolment.id}", headers=admin.headers)

    assert response.json["attendance_rate"] is None


# --- derived values: enrolments' versions follow the schedule and the attendance ---------------


def enrolment_url(enrolment_id: int) -> str:
    return f"/api/v1/enrolments/{enrolment_id}"


def enrolment_versions(client, admin, enrolment_ids) -> dict[int, tuple[str, datetime, float | None]]:
    """(ETag, updated_at, attendance_rate) of each enrolment as GET /enrolments/{id} answers."""
    result = {}
    for enrolment_id in enrolment_ids:
        response = client.get(enrolment_url(enrolment_id), headers=admin.headers)
        assert response.status_code == 200, response.json
        result[enrolment_id] = (
            response.headers["ETag"],
            assert_timestamp(response.json["updated_at"]),
            response.json["attendance_rate"],
        )
    return result


def roll_enrolments(roll) -> list[int]:
    return [value for key, value in roll.items() if key.endswith("_enrolment")]


def test_attendance_gives_each_affected_enrolment_a_new_version(
    client, admin, coordinator, dbs, cohort, session, roll
):
    url = attendance_url(cohort.id, session.id)
    first = [
        {"participant_id": roll["host_a"], "present": True},
        {"participant_id": roll["partner"], "present": False},
    ]
    start = enrolment_versions(client, admin, roll_enrolments(roll))
    assert client.put(url, json=first, headers=coordinator.headers).status_code == 200
    recorded = enrolment_versions(client, admin, roll_enrolments(roll))
    host_a, host_b, partner = (roll[f"{k}_enrolment"] for k in ("host_a", "host_b", "partner"))
    for listed in (host_a, partner):
        assert recorded[listed][0] != start[listed][0]
        assert recorded[listed][1] > start[listed][1]
    assert recorded[host_a][2] == 1.0

    # host_a leaves the roll, host_b joins it, partner's row changes.
    second = [
        {"participant_id": roll["partner"], "present": True},
        {"participant_id": roll["host_b"], "present": True},
    ]
    stale_etag = recorded[host_a][0]
    cutoff = max(updated_at for _, updated_at, _ in recorded.values()) + timedelta(microseconds=1)
    assert client.put(url, json=second, headers=coordinator.headers).status_code == 200
    after = enrolment_versions(client, admin, roll_enrolments(roll))

    for affected in (host_a, host_b, partner):
        assert after[affected][0] != recorded[affected][0], affected
        assert after[affected][1] > recorded[affected][1], affected
    assert (after[host_a][2], after[host_b][2], after[partner][2]) == (0.0, 1.0, 1.0)
    for untouched in (roll["nominated_enrolment"], roll["withdrawn_enrolment"]):
        assert after[untouched] == start[untouched]
    stale = client.patch(
        enrolment_url(host_a), json={"pre_score": 40}, headers=if_match(coordinator, stale_etag)
    )
    assert_problem(stale, 412)
    changed = client.get(
        f"/api/v1/cohorts/{cohort.id}/enrolments",
        query_string={"updated_since": cutoff.isoformat()},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.json
    assert sorted(e["id"] for e in changed.json) == sorted([host_a, host_b, partner])


def test_a_new_or_deleted_session_gives_every_enrolment_of_the_cohort_a_new_version(
    client, admin, coordinator, dbs, home, foreign, cohort, session, roll
):
    dbs.add(Attendance(session_id=session.id, enrolment_id=roll["host_a_enrolment"], present=True))
    dbs.commit()
    elsewhere = enrol(
        dbs, CohortFactory(host_institution_id=home.id), ParticipantRowFactory(institution_id=foreign.id)
    )
    everyone = roll_enrolments(roll)
    start = enrolment_versions(client, admin, [*everyone, elsewhere.id])
    assert start[roll["host_a_enrolment"]][2] == 1.0

    created = client.post(sessions_url(cohort.id), json=body(), headers=coordinator.headers)
    assert created.status_code == 201, created.json
    scheduled = enrolment_versions(client, admin, [*everyone, elsewhere.id])

    for enrolment_id in everyone:
        assert scheduled[enrolment_id][0] != start[enrolment_id][0], enrolment_id
        assert scheduled[enrolment_id][1] > start[enrolment_id][1], enrolment_id
    assert scheduled[roll["host_a_enrolment"]][2] == 0.5
    assert scheduled[elsewhere.id] == start[elsewhere.id]

    deleted = client.delete(session_url(cohort.id, created.json["id"]), headers=coordinator.headers)
    assert deleted.status_code == 204
    after = enrolment_versions(client, admin, [*everyone, elsewhere.id])

    for enrolment_id in everyone:
        assert after[enrolment_id][0] != scheduled[enrolment_id][0], enrolment_id
        assert after[enrolment_id][1] > scheduled[enrolment_id][1], enrolment_id
    assert after[roll["host_a_enrolment"]][2] == 1.0
    assert after[elsewhere.id] == start[elsewhere.id]


@pytest.fixture
def completed(dbs, home, foreign):
    """A completed cohort with one session, one enrolment and that enrolment's attendance."""
    cohort = CohortFactory(host_institution_id=home.id, status=CohortStatus.COMPLETED)
    held = SessionFactory(cohort_id=cohort.id)
    enrolment = enrol(
        dbs, cohort, ParticipantRowFactory(institution_id=foreign.id), EnrolmentStatus.COMPLETED
    )
    dbs.add(Attendance(session_id=held.id, enrolment_id=enrolment.id, present=True, minutes=240))
    dbs.commit()
    return cohort, held, enrolment


def test_a_completed_cohorts_attendance_and_sessions_no_longer_change(
    client, admin, coordinator, dbs, completed
):
    cohort, held, enrolment = completed
    session_before = client.get(session_url(cohort.id, held.id), headers=admin.headers)
    enrolment_before = enrolment_versions(client, admin, [enrolment.id])
    rows = [{"participant_id": enrolment.participant_id, "present": False, "minutes": 0}]

    put = client.put(attendance_url(cohort.id, held.id), json=rows, headers=coordinator.headers)
    patched = client.patch(session_url(cohort.id, held.id), json={"topic": "X"}, headers=coordinator.headers)
    deleted = client.delete(session_url(cohort.id, held.id), headers=coordinator.headers)

    for response in (put, patched, deleted):
        assert "completed" in assert_problem(response, 409)["detail"]
    assert stored_attendance(dbs, held.id) == [(enrolment.id, True, 240)]
    row = stored(dbs, held.id)
    assert (row.topic, row.version) == ("Introduction", held.version)
    session_after = client.get(session_url(cohort.id, held.id), headers=admin.headers)
    assert (session_after.json, session_after.headers["ETag"]) == (
        session_before.json,
        session_before.headers["ETag"],
    )
    assert enrolment_versions(client, admin, [enrolment.id]) == enrolment_before
    assert enrolment_before[enrolment.id][2] == 1.0
    assert audit_rows(dbs, action="cohort_sessions.update") == []
    assert audit_rows(dbs, action="cohort_sessions.delete") == []


# --- the edges of the calendar ----------------------------------------------------------------


@pytest.fixture
def widest(dbs, home):
    """A cohort running from the first to the last day the hub schedules."""
    return CohortFactory(host_institution_id=home.id, starts_on=date(1950, 1, 1), ends_on=date(2199, 12, 31))


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("1950-01-01T00:00:00+14:00", "1950-01-01T01:00:00+14:00"),  # the earliest moment anywhere
        ("2199-12-31T23:00:00-12:00", "2200-01-01T00:00:00-12:00"),  # the latest one
    ],
)
def test_sessions_at_the_edges_of_the_schedulable_range_are_accepted(
    client, admin, widest, starts_at, ends_at
):
    response = client.post(
        sessions_url(widest.id), json=body(starts_at=starts_at, ends_at=ends_at), headers=admin.headers
    )

    assert response.status_code == 201, response.json
    assert (at(response.json["starts_at"]), at(response.json["ends_at"])) == (at(starts_at), at(ends_at))


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        ("1949-12-31T23:59:00+14:00", "1950-01-01T01:00:00+14:00", "starts_at"),
        ("2199-12-31T23:00:00-12:00", "2200-01-01T00:01:00-12:00", "ends_at"),
    ],
)
def test_sessions_beyond_the_schedulable_range_are_422(client, admin, dbs, widest, starts_at, ends_at, field):
    response = client.post(
        sessions_url(widest.id), json=body(starts_at=starts_at, ends_at=ends_at), headers=admin.headers
    )

    assert_validation(response, field)
    assert row_count(dbs, CohortSession) == 0
