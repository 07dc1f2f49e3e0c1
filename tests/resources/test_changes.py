"""/api/v1/changes: every write of the six types, in commit order, as far as the caller may see."""

from datetime import UTC, datetime, timedelta

import pytest

from hub_api.extensions import db
from hub_api.models import Enrolment
from hub_api.services.changes.feed import prune
from hub_api.services.enrolments import touch
from tests.factories import InstitutionFactory
from tests.feed import URL, Feed, settle
from tests.helpers import client_headers, statements_for_get
from tests.problems import assert_problem, assert_unauthorized, assert_validation
from tests.training_factories import CohortFactory, ParticipantRowFactory, enrol

PERSON = {
    "external_ref": "KZ-0042",
    "given_name": "Айгерим",
    "family_name": "Садыкова",
    "gender": "female",
    "staff_category": "psychologist",
    "email": "a.sadykova@penitentiary.example",
}


@pytest.fixture
def feed(client, engine) -> Feed:
    return Feed(client, engine)


# --- what the feed records ------------------------------------------------------------------------


def test_creates_updates_and_deletes_appear_in_order(feed, client, admin):
    start = feed.now(admin.headers)
    body = {"code": "NEW", "name": {"en": "New Academy"}, "kind": "academy", "country": "KZ"}
    created = client.post("/api/v1/institutions", json=body, headers=admin.headers)
    assert created.status_code == 201, created.json
    institution_id = created.json["id"]
    patched = client.patch(
        f"/api/v1/institutions/{institution_id}",
        json={"city": "Kostanay"},
        headers={**admin.headers, "If-Match": created.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.json
    deleted = client.delete(
        f"/api/v1/institutions/{institution_id}",
        headers={**admin.headers, "If-Match": patched.headers["ETag"]},
    )
    assert deleted.status_code == 204, deleted.get_data(as_text=True)

    seen, _ = feed.walk(admin.headers, after=start)

    assert seen == [
        ("institution", institution_id, "created"),
        ("institution", institution_id, "updated"),
        ("institution", institution_id, "deleted"),
    ]


def test_an_entry_has_only_type_id_op_and_time(feed, client, admin, home):
    item = feed.read(admin.headers)["items"][0]

    assert set(item) == {"type", "id", "op", "at"}
    assert item == {**item, "type": "institution", "id": home.id, "op": "created"}
    assert datetime.fromisoformat(item["at"]).utcoffset() is not None


def test_an_erasure_reads_as_a_deletion_without_personal_data(feed, client, coordinator, home):
    created = client.post("/api/v1/participants", json=PERSON, headers=coordinator.headers)
    assert created.status_code == 201, created.json
    start = feed.now(coordinator.headers)

    erased = client.delete(f"/api/v1/participants/{created.json['id']}", headers=coordinator.headers)
    assert erased.status_code == 204, erased.get_data(as_text=True)
    settle(feed.engine)
    response = client.get(URL, headers=coordinator.headers, query_string={"after": start})

    assert ("participant", created.json["id"], "deleted") in [
        (i["type"], i["id"], i["op"]) for i in response.json["items"]
    ]
    text = response.get_data(as_text=True)
    for value in (PERSON["given_name"], PERSON["family_name"], PERSON["email"], PERSON["external_ref"]):
        assert value not in text


def test_a_nomination_records_the_enrolment_and_the_cohorts_seat(feed, client, coordinator, dbs, home):
    cohort = CohortFactory(host_institution_id=home.id)
    officer = ParticipantRowFactory(institution_id=home.id)
    start = feed.now(coordinator.headers)

    nominated = client.post(
        f"/api/v1/cohorts/{cohort.id}/enrolments",
        json={"participant_id": officer.id},
        headers=coordinator.headers,
    )
    assert nominated.status_code == 201, nominated.json
    seen, _ = feed.walk(coordinator.headers, after=start)

    assert ("enrolment", nominated.json["id"], "created") in seen


def test_writes_made_outside_the_orm_are_recorded_too(feed, client, admin, dbs, home):
    # Attendance recounts an enrolment's counters in one UPDATE statement, not through the ORM.
    cohort = CohortFactory(host_institution_id=home.id)
    enrolment = enrol(dbs, cohort, ParticipantRowFactory(institution_id=home.id))
    start = feed.now(admin.headers)

    with client.application.app_context():
        touch(Enrolment.id == enrolment.id)
        db.session.commit()

    assert feed.walk(admin.headers, after=start)[0] == [("enrolment", enrolment.id, "updated")]


# --- walking the feed --------------------------------------------------------------------------


def test_pages_follow_each_other_without_gaps_or_repeats(feed, client, admin, dbs):
    start = feed.now(admin.headers)
    made = [InstitutionFactory().id for _ in range(7)]

    seen, _ = feed.walk(admin.headers, after=start, limit=3)

    assert seen == [("institution", i, "created") for i in made]


def test_an_up_to_date_cursor_gives_an_empty_page_then_the_next_change(feed, client, admin, dbs):
    now = feed.now(admin.headers)

    empty = feed.read(admin.headers, after=now)
    later = InstitutionFactory()
    after = feed.read(admin.headers, after=empty["next_cursor"])

    assert empty["items"] == []
    assert [(i["type"], i["id"]) for i in after["items"]] == [("institution", later.id)]


def test_without_after_the_feed_starts_at_the_beginning(feed, client, admin, home, foreign):
    seen, _ = feed.walk(admin.headers)

    assert seen[:2] == [("institution", home.id, "created"), ("institution", foreign.id, "created")]


def test_types_keeps_only_the_named_types(feed, client, admin, dbs, home):
    officer = ParticipantRowFactory(institution_id=home.id)

    seen, _ = feed.walk(admin.headers, types="participant,cohort")

    assert seen == [("participant", officer.id, "created")]


# --- who sees what -----------------------------------------------------------------------------


@pytest.fixture
def people(dbs, home, foreign):
    """Participants of home and foreign; one foreign guest in a cohort home hosts."""
    mine = ParticipantRowFactory(institution_id=home.id)
    stranger = ParticipantRowFactory(institution_id=foreign.id)
    guest = ParticipantRowFactory(institution_id=foreign.id)
    hosted = CohortFactory(host_institution_id=home.id)
    away = CohortFactory(host_institution_id=foreign.id)
    guest_enrolment = enrol(dbs, hosted, guest)
    stranger_enrolment = enrol(dbs, away, stranger)
    return {
        "mine": mine,
        "stranger": stranger,
        "guest": guest,
        "guest_enrolment": guest_enrolment,
        "stranger_enrolment": stranger_enrolment,
    }


def test_a_coordinator_sees_its_people_and_its_guests_never_a_strangers(feed, client, coordinator, people):
    seen = {(kind, object_id) for kind, object_id, _ in feed.walk(coordinator.headers)[0]}

    assert ("participant", people["mine"].id) in seen
    assert ("participant", people["guest"].id) in seen
    assert ("enrolment", people["guest_enrolment"].id) in seen
    assert ("participant", people["stranger"].id) not in seen
    assert ("enrolment", people["stranger_enrolment"].id) not in seen


def test_an_admin_sees_everyone(feed, client, admin, people):
    seen = {(kind, object_id) for kind, object_id, _ in feed.walk(admin.headers)[0]}

    assert {("participant", p.id) for p in (people["mine"], people["stranger"], people["guest"])} <= seen


def test_an_analyst_sees_the_catalogue_and_no_person(feed, client, analyst, people, home):
    seen = feed.walk(analyst.headers)[0]

    assert ("institution", home.id, "created") in seen
    assert not [entry for entry in seen if entry[0] in ("participant", "enrolment")]


def test_an_institution_client_sees_its_own_people(feed, app, client, dbs, home, people):
    headers = client_headers(app, ["participants:read"], institution=home)

    seen = {(kind, object_id) for kind, object_id, _ in feed.walk(headers)[0]}

    assert ("participant", people["mine"].id) in seen
    assert ("participant", people["stranger"].id) not in seen
    assert not [entry for entry in seen if entry[0] == "institution"]  # no catalogue:read


def test_a_client_with_neither_catalogue_nor_participant_rights_is_refused(app, client, dbs):
    headers = client_headers(app, ["stats:read"])

    assert_problem(client.get(URL, headers=headers), 403)


def test_anonymous_callers_are_refused(client):
    assert_unauthorized(client.get(URL))


# --- bad input and retention --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "42"}, "after"),
        ({"after": "c1.!!!"}, "after"),
        ({"after": "c1.LTEuNQ"}, "after"),  # "-1.5"
        ({"types": "participant,officer"}, "types"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"since": "2026-01-01"}, "since"),
    ],
)
def test_bad_arguments_are_422_naming_the_field(client, admin, params, field):
    assert_validation(client.get(URL, headers=admin.headers, query_string=params), field)


def test_an_unknown_type_lists_the_known_ones(client, admin):
    response = client.get(URL, headers=admin.headers, query_string={"types": "officer"})

    assert "institution, agreement, curriculum, cohort, participant, enrolment" in str(response.json)


def test_a_cursor_older_than_the_retention_is_410_and_says_to_resync(feed, app, client, admin, dbs, home):
    old = feed.read(admin.headers, limit=1)["next_cursor"]
    InstitutionFactory()
    with app.app_context():
        prune(datetime.now(UTC) + timedelta(minutes=1))  # everything so far is past retention
        db.session.commit()

    response = client.get(URL, headers=admin.headers, query_string={"after": old})

    assert_problem(response, 410)
    assert "Resync" in response.json["detail"]
    assert feed.read(admin.headers)["items"] == []  # the beginning is what is kept


def test_a_cursor_at_the_pruned_edge_reads_on(feed, app, client, admin, dbs, home):
    edge = feed.now(admin.headers)
    with app.app_context():
        prune(datetime.now(UTC) + timedelta(minutes=1))
        db.session.commit()
    later = InstitutionFactory()

    assert feed.walk(admin.headers, after=edge)[0] == [("institution", later.id, "created")]


def test_a_page_costs_the_same_statements_however_long(client, coordinator, count_queries, dbs, home):
    for _ in range(3):
        ParticipantRowFactory(institution_id=home.id)
    short = statements_for_get(count_queries, client, f"{URL}?limit=100", coordinator.headers)
    for _ in range(20):
        ParticipantRowFactory(institution_id=home.id)

    assert statements_for_get(count_queries, client, f"{URL}?limit=100", coordinator.headers) == short
