"""The audit trail: who did what, when, in which request; readable by hub admins, append-only."""

import pytest
import sqlalchemy as sa

from hub_api.models import AuditEvent
from tests.factories import ApiClientFactory
from tests.helpers import audit_events_via_api, bearer, client_credentials, login, reloaded
from tests.problems import assert_problem

EVENT_KEYS = {
    "id",
    "occurred_at",
    "action",
    "outcome",
    "actor_type",
    "actor_id",
    "actor_label",
    "institution_id",
    "object_type",
    "object_id",
    "request_id",
    "method",
    "path",
    "ip_address",
    "details",
}


def without_time(event: dict) -> dict:
    assert event["occurred_at"].endswith("+00:00")
    return {k: v for k, v in event.items() if k not in ("id", "occurred_at")}


def create_user(client, admin, email: str, **headers):
    return client.post(
        "/api/v1/users",
        json={"email": email, "full_name": "Someone", "password": "long-enough-pass", "role": "analyst"},
        headers={**admin.headers, **headers},
    )


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_only_hub_admins_read_the_trail(request, client, dbs, role):
    caller = request.getfixturevalue(role)
    body = assert_problem(client.get("/api/v1/audit-events", headers=caller.headers), 403)
    assert body["type"] == "urn:hub-api:problem:forbidden"


def test_api_clients_cannot_read_the_trail(client, dbs):
    partner = ApiClientFactory(scopes=["catalogue:read", "stats:read", "webhooks:manage"])
    token = client_credentials(client, partner.client_id).json["access_token"]
    assert_problem(client.get("/api/v1/audit-events", headers=bearer(token)), 403)


def test_anonymous_is_401(client, dbs):
    assert_problem(client.get("/api/v1/audit-events"), 401)


def test_there_is_no_way_to_write_to_the_trail(client, admin):
    assert client.post("/api/v1/audit-events", json={}, headers=admin.headers).status_code == 405
    for method in ("patch", "delete", "put"):
        response = getattr(client, method)("/api/v1/audit-events/1", headers=admin.headers)
        assert response.status_code in (404, 405)
        assert response.mimetype == "application/problem+json"


# --- what is recorded ----------------------------------------------------------------------


def test_a_refusal_is_itself_recorded(client, admin, coordinator, home):
    refused = client.get("/api/v1/users", headers=coordinator.headers)
    assert refused.status_code == 403

    [event] = audit_events_via_api(client, admin, action="permission.denied")

    assert set(event) == EVENT_KEYS
    assert without_time(event) == {
        "action": "permission.denied",
        "outcome": "denied",
        "actor_type": "user",
        "actor_id": coordinator.user.id,
        "actor_label": "coord@home.example",
        "institution_id": home.id,
        "object_type": None,
        "object_id": None,
        "request_id": refused.headers["X-Request-ID"],
        "method": "GET",
        "path": "/api/v1/users",
        "ip_address": "127.0.0.1",
        "details": {"reason": "Your role or scopes do not allow this operation."},
    }


def test_a_refused_write_leaves_only_the_refusal(client, admin, coordinator):
    refused = create_user(client, coordinator, "sneaky@hub.example")
    assert refused.status_code == 403

    recorded = audit_events_via_api(client, admin, request_id=refused.headers["X-Request-ID"])

    assert [(e["action"], e["outcome"]) for e in recorded] == [("permission.denied", "denied")]


def test_a_write_is_found_by_its_request_id(client, admin):
    created = create_user(client, admin, "new@hub.example", **{"X-Request-ID": "trace-0001-abcd"})
    assert created.status_code == 201
    assert created.headers["X-Request-ID"] == "trace-0001-abcd"

    [event] = audit_events_via_api(client, admin, request_id="trace-0001-abcd")

    assert without_time(event) == {
        "action": "users.create",
        "outcome": "success",
        "actor_type": "user",
        "actor_id": admin.user.id,
        "actor_label": "admin@hub.example",
        "institution_id": None,
        "object_type": "users",
        "object_id": str(created.json["id"]),
        "request_id": "trace-0001-abcd",
        "method": "POST",
        "path": "/api/v1/users",
        "ip_address": "127.0.0.1",
        "details": {},
    }
    # A generated request id finds its event just the same.
    changed = client.patch(
        f"/api/v1/users/{created.json['id']}", json={"full_name": "Renamed"}, headers=admin.headers
    )
    [update] = audit_events_via_api(client, admin, request_id=changed.headers["X-Request-ID"])
    assert (update["action"], update["details"]) == ("users.update", {"fields": ["full_name"]})


def test_failed_and_successful_logins_are_listed(client, admin, analyst):
    bad = login(client, analyst.user.email, "nope")
    good = login(client, analyst.user.email)
    assert (bad.status_code, good.status_code) == (401, 200)

    [failed] = audit_events_via_api(client, admin, action="auth.login_failed")
    [signed_in] = audit_events_via_api(client, admin, action="auth.login")

    assert (failed["outcome"], failed["actor_type"], failed["request_id"]) == (
        "denied",
        "anonymous",
        bad.headers["X-Request-ID"],
    )
    assert failed["details"] == {"email": "analyst@hub.example"}
    assert (signed_in["outcome"], signed_in["actor_id"], signed_in["request_id"]) == (
        "success",
        analyst.user.id,
        good.headers["X-Request-ID"],
    )
    assert [e["id"] for e in audit_events_via_api(client, admin, outcome="denied")] == [failed["id"]]


# --- listing -------------------------------------------------------------------------------


def test_newest_first_and_filters(client, dbs, admin, analyst):
    for n in range(3):
        assert create_user(client, admin, f"u{n}@hub.example").status_code == 201
    assert client.get("/api/v1/users", headers=analyst.headers).status_code == 403

    everything = audit_events_via_api(client, admin)
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids, reverse=True)
    stamps = [e["occurred_at"] for e in everything]
    assert stamps == sorted(stamps, reverse=True)
    assert everything[0]["action"] == "permission.denied"
    assert [e["id"] for e in audit_events_via_api(client, admin, sort="occurred_at")] == sorted(ids)

    by_admin = audit_events_via_api(client, admin, actor_id=admin.user.id)
    assert [e["action"] for e in by_admin] == ["users.create"] * 3
    assert [e["details"] for e in by_admin] == [{}] * 3
    created = audit_events_via_api(client, admin, action="users.create", actor_type="user")
    assert [e["id"] for e in created] == [e["id"] for e in by_admin]
    # Accounts made by the test fixtures were written outside any request: the system did it.
    system = audit_events_via_api(client, admin, actor_type="system")
    assert {(e["action"], e["actor_label"]) for e in system} == {("users.create", "cli")}
    assert len(audit_events_via_api(client, admin, object_type="users")) == len(created) + len(system)
    assert audit_events_via_api(client, admin, object_type="institutions") == []
    assert audit_events_via_api(client, admin, action="no.such.action") == []


def test_time_window_and_paging(client, dbs, admin):
    for n in range(4):
        create_user(client, admin, f"u{n}@hub.example")
    mine = audit_events_via_api(client, admin, actor_id=admin.user.id, sort="occurred_at")
    middle = mine[2]["occurred_at"]

    later = audit_events_via_api(client, admin, actor_id=admin.user.id, **{"from": middle})
    earlier = audit_events_via_api(client, admin, actor_id=admin.user.id, to=middle)

    assert [e["id"] for e in later] == [mine[3]["id"], mine[2]["id"]]
    assert [e["id"] for e in earlier] == [mine[1]["id"], mine[0]["id"]]
    page = client.get(
        "/api/v1/audit-events",
        query_string={"actor_id": admin.user.id, "page_size": 3, "page": 2},
        headers=admin.headers,
    )
    assert [e["id"] for e in page.json] == [mine[0]["id"]]
    assert page.headers["X-Total-Count"] == "4"
    assert 'rel="prev"' in page.headers["Link"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"actor_type": "robot"}, "actor_type"),
        ({"actor_id": "me"}, "actor_id"),
        ({"from": "yesterday"}, "from"),
        ({"sort": "action"}, "sort"),
        ({"page_size": 1000}, "page_size"),
    ],
)
def test_bad_filters_are_422(client, admin, query, field):
    response = client.get("/api/v1/audit-events", query_string=query, headers=admin.headers)
    assert_problem(response, 422, error_fields={field})


# --- append-only ---------------------------------------------------------------------------


def test_the_table_refuses_update_and_delete(client, dbs, admin, coordinator):
    client.get("/api/v1/users", headers=coordinator.headers)
    event = dbs.scalar(sa.select(AuditEvent).where(AuditEvent.action == "permission.denied"))
    event_id = event.id

    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        dbs.execute(sa.update(AuditEvent).where(AuditEvent.id == event_id).values(outcome="success"))
    dbs.rollback()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        dbs.execute(sa.delete(AuditEvent).where(AuditEvent.id == event_id))
    dbs.rollback()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        dbs.execute(sa.delete(AuditEvent))
    dbs.rollback()

    kept = reloaded(dbs, AuditEvent, event_id)
    assert (kept.action, kept.outcome) == ("permission.denied", "denied")
    assert [e["id"] for e in audit_events_via_api(client, admin, action="permission.denied")] == [event_id]


def test_new_events_can_still_be_appended(dbs):
    dbs.add(AuditEvent(action="test.append", actor_type="system", details={}))
    dbs.commit()
    assert dbs.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "test.append")) == 1
