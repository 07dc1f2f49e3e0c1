"""/api/v1/webhooks: subscriptions, signed deliveries from the outbox, retries, the log, tests."""

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook

from hub_api import clock
from hub_api.models import (
    Agreement,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from hub_api.models.base import utcnow
from hub_api.models.enums import AgreementKind, AgreementStatus
from hub_api.webhooks.worker import run_once
from tests.factories import InstitutionFactory
from tests.helpers import client_headers
from tests.problems import assert_problem, assert_unauthorized, assert_validation
from tests.training_factories import CohortFactory, ParticipantRowFactory
from tests.webhook_receiver import Receiver

URL = "/api/v1/webhooks"
PERSON = {
    "external_ref": "KG-0107",
    "given_name": "Бакыт",
    "family_name": "Асанов",
    "gender": "male",
    "staff_category": "security_officer",
}


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def local(app, monkeypatch):
    """Deliveries may go to 127.0.0.1, where the test's receiver listens."""
    monkeypatch.setitem(app.config, "HUB_WEBHOOK_ALLOW_PRIVATE", True)


def subscribe(client, headers: dict, url: str, *events: str) -> dict:
    response = client.post(URL, json={"url": url, "events": list(events)}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def verified(received, secret: str) -> dict:
    """The body, once its Standard Webhooks signature checks out with the subscriber's secret."""
    return Webhook(secret).verify(received.body, received.headers)


def work(app) -> None:
    """Run the worker until nothing is left to do now."""
    while run_once(app):
        pass


def deliveries(dbs) -> list[WebhookDelivery]:
    dbs.expire_all()
    return dbs.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def make_due(dbs) -> None:
    """Bring every pending retry to now, as if its back-off had passed."""
    dbs.execute(sa.update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    dbs.commit()


# --- subscriptions ------------------------------------------------------------------------------


def test_a_subscription_shows_its_secret_once(client, admin, local):
    created = subscribe(client, admin.headers, "https://93.184.216.34/hooks", "cohort.opened")

    assert created["secret"].startswith("whsec_")
    assert created["is_active"] is True
    shown = client.get(f"{URL}/{created['id']}", headers=admin.headers).json
    assert "secret" not in shown
    assert shown["events"] == ["cohort.opened"]


def test_rotating_gives_a_new_secret(client, admin, local):
    created = subscribe(client, admin.headers, "https://93.184.216.34/hooks", "cohort.opened")

    rotated = client.post(f"{URL}/{created['id']}/rotate-secret", headers=admin.headers)

    assert rotated.status_code == 200
    assert rotated.json["secret"].startswith("whsec_") and rotated.json["secret"] != created["secret"]


def test_change_and_delete_a_subscription(client, admin, local):
    created = client.post(
        URL, json={"url": "https://93.184.216.34/a", "events": ["cohort.opened"]}, headers=admin.headers
    )
    etag = created.headers["ETag"]
    changed = client.patch(
        f"{URL}/{created.json['id']}",
        json={"events": ["cohort.opened", "cohort.completed"], "description": "LMS"},
        headers={**admin.headers, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["events"] == ["cohort.opened", "cohort.completed"]

    deleted = client.delete(
        f"{URL}/{created.json['id']}", headers={**admin.headers, "If-Match": changed.headers["ETag"]}
    )

    assert deleted.status_code == 204
    assert_problem(client.get(f"{URL}/{created.json['id']}", headers=admin.headers), 404)


def test_a_callers_list_holds_only_its_own_subscriptions(app, client, admin, dbs, home, local):
    partner = client_headers(app, ["webhooks:manage"], institution=home)
    mine = subscribe(client, partner, "https://93.184.216.34/mine", "cohort.opened")
    subscribe(client, admin.headers, "https://93.184.216.34/admins", "cohort.opened")

    listed = client.get(URL, headers=partner)

    assert [s["id"] for s in listed.json] == [mine["id"]]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/rotate-secret"),
        ("GET", "/deliveries"),
        ("POST", "/deliveries/1/redeliver"),
        ("POST", "/test"),
    ],
)
def test_another_callers_subscription_is_404(app, client, admin, dbs, home, local, method, suffix):
    theirs = subscribe(client, admin.headers, "https://93.184.216.34/admins", "cohort.opened")
    partner = client_headers(app, ["webhooks:manage"], institution=home)

    response = client.open(
        f"{URL}/{theirs['id']}{suffix}", method=method, json={}, headers={**partner, "If-Match": "*"}
    )

    assert_problem(response, 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://lms.example/hooks", "events": ["cohort.opened"]}, "url"),
        ({"url": "not a url", "events": ["cohort.opened"]}, "url"),
        ({"url": "https://93.184.216.34/hooks", "events": []}, "events"),
        ({"url": "https://93.184.216.34/hooks", "events": ["cohort.exploded"]}, "events.0"),
        ({"url": "https://93.184.216.34/hooks", "events": ["cohort.opened", "cohort.opened"]}, "events"),
        ({"events": ["cohort.opened"]}, "url"),
    ],
)
def test_bad_subscriptions_are_422_naming_the_field(client, admin, body, field):
    assert_validation(client.post(URL, json=body, headers=admin.headers), field)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://10.0.0.8/hooks",
        "http://169.254.169.254/latest",
        "http://localhost/",
    ],
)
def test_private_and_metadata_addresses_are_refused(client, admin, url):
    response = client.post(URL, json={"url": url, "events": ["cohort.opened"]}, headers=admin.headers)

    assert_validation(response, "url")
    assert "public" in response.json["detail"]


def test_without_webhooks_manage_the_routes_are_403(app, client, coordinator, dbs, home):
    assert_problem(client.get(URL, headers=coordinator.headers), 403)
    partner = client_headers(app, ["participants:read"], institution=home)
    assert_problem(client.post(URL, json={}, headers=partner), 403)


def test_anonymous_callers_are_refused(client):
    assert_unauthorized(client.get(URL))


# --- deliveries ----------------------------------------------------------------------------------


def test_an_opened_cohort_is_delivered_signed(app, client, admin, dbs, home, local, receiver):
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    cohort = CohortFactory(host_institution_id=home.id, status="planned")

    moved = client.post(
        f"/api/v1/cohorts/{cohort.id}/transitions", json={"to": "open"}, headers=admin.headers
    )
    assert moved.status_code == 200, moved.json
    work(app)

    assert len(receiver.received) == 1
    body = verified(receiver.received[0], subscription["secret"])
    assert body["type"] == "cohort.opened"
    assert body["id"] == receiver.received[0].headers["webhook-id"]
    assert body["data"]["id"] == cohort.id and body["data"]["status"] == "open"
    assert deliveries(dbs)[0].status == "succeeded"


def test_a_signature_made_with_another_secret_does_not_verify(app, client, admin, dbs, home, local, receiver):
    subscribe(client, admin.headers, receiver.url, "cohort.opened")
    cohort = CohortFactory(host_institution_id=home.id, status="planned")
    client.post(f"/api/v1/cohorts/{cohort.id}/transitions", json={"to": "open"}, headers=admin.headers)
    work(app)

    with pytest.raises(Exception, match="signature"):
        verified(receiver.received[0], "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk=")


def test_a_refused_transition_sends_nothing(app, client, admin, dbs, home, local, receiver):
    subscribe(client, admin.headers, receiver.url, "cohort.completed")
    cohort = CohortFactory(host_institution_id=home.id, status="planned")

    refused = client.post(
        f"/api/v1/cohorts/{cohort.id}/transitions", json={"to": "completed"}, headers=admin.headers
    )
    work(app)

    assert refused.status_code == 409
    assert receiver.received == []
    assert dbs.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)) == 0


def test_participant_changes_reach_only_those_who_may_see_the_person(
    app, client, admin, dbs, home, foreign, local, receiver
):
    partner = client_headers(
        app, ["participants:read", "participants:write", "webhooks:manage"], institution=home
    )
    subscription = subscribe(client, partner, receiver.url, "participant.changed")
    created = client.post("/api/v1/participants", json=PERSON, headers=partner)
    assert created.status_code == 201, created.json
    ParticipantRowFactory(institution_id=foreign.id)  # a stranger: not for this partner

    work(app)

    bodies = [verified(r, subscription["secret"]) for r in receiver.received]
    assert [(b["type"], b["data"]["id"]) for b in bodies] == [("participant.changed", created.json["id"])]
    assert bodies[0]["data"]["family_name"] == "Асанов"


def test_without_a_listener_changes_leave_no_outbox_rows(client, coordinator, dbs, home):
    created = client.post("/api/v1/participants", json=PERSON, headers=coordinator.headers)
    assert created.status_code == 201

    assert dbs.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)) == 0


def test_agreement_status_changes_are_delivered(app, client, admin, dbs, local, receiver):
    subscription = subscribe(client, admin.headers, receiver.url, "agreement.status_changed")
    agreement = Agreement(reference="MOU-WH-1", title={"en": "MoU"}, kind=AgreementKind.MOU)
    dbs.add(agreement)
    dbs.commit()

    moved = client.post(
        f"/api/v1/agreements/{agreement.id}/transitions", json={"to": "negotiation"}, headers=admin.headers
    )
    assert moved.status_code == 200, moved.json
    work(app)

    body = verified(receiver.received[0], subscription["secret"])
    assert body["data"]["status"] == "negotiation"
    assert body["data"]["previous_status"] == "draft"


def test_the_test_event_reaches_only_its_subscription(app, client, admin, local, receiver):
    one = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    subscribe(client, admin.headers, receiver.url + "/other", "cohort.opened")

    queued = client.post(f"{URL}/{one['id']}/test", headers=admin.headers)
    work(app)

    assert queued.status_code == 202
    assert [verified(r, one["secret"])["type"] for r in receiver.received] == ["webhook.test"]


# --- retries, the log, redelivery, disabling ----------------------------------------------------------


def test_a_5xx_is_retried_with_the_same_webhook_id(app, client, admin, dbs, local, receiver):
    receiver.statuses = [503]
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    client.post(f"{URL}/{subscription['id']}/test", headers=admin.headers)

    work(app)
    waiting = deliveries(dbs)[0]
    assert (waiting.status, waiting.attempts, waiting.last_status_code) == ("pending", 1, 503)
    first_attempt = dbs.scalars(sa.select(WebhookAttempt)).one()
    # About 5 s after the attempt: the back-off, plus however long the answer took to come.
    assert timedelta(seconds=5) <= waiting.next_attempt_at - first_attempt.started_at < timedelta(seconds=8)
    make_due(dbs)
    work(app)

    assert deliveries(dbs)[0].status == "succeeded"
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(receiver.received) == 2 and len(ids) == 1


def test_deliveries_and_retries_leave_a_polling_dashboard_its_304(
    app, client, admin, analyst, dbs, local, receiver
):
    # The worker's bookkeeping is no data behind a statistic: its ETag must not move with it.
    receiver.statuses = [503]
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    client.post(f"{URL}/{subscription['id']}/test", headers=admin.headers)
    stats = "/api/v1/stats/training?group_by=country"
    etag = client.get(stats, headers=analyst.headers).headers["ETag"]

    work(app)
    make_due(dbs)
    work(app)
    assert deliveries(dbs)[0].status == "succeeded"
    polled = client.get(stats, headers={**analyst.headers, "If-None-Match": etag})

    assert polled.status_code == 304


@pytest.mark.parametrize(("status", "final"), [(400, True), (404, True), (408, False), (429, False)])
def test_other_4xx_are_final(app, client, admin, dbs, local, receiver, status, final):
    receiver.statuses = [status]
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    client.post(f"{URL}/{subscription['id']}/test", headers=admin.headers)

    work(app)

    assert deliveries(dbs)[0].status == ("failed" if final else "pending")


def test_the_log_lists_every_attempt(app, client, admin, dbs, local, receiver):
    receiver.statuses = [500]
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    client.post(f"{URL}/{subscription['id']}/test", headers=admin.headers)
    work(app)
    make_due(dbs)
    work(app)

    log = client.get(f"{URL}/{subscription['id']}/deliveries", headers=admin.headers)

    assert log.status_code == 200
    entry = log.json[0]
    assert entry["event_type"] == "webhook.test" and entry["status"] == "succeeded"
    assert [(a["number"], a["status_code"]) for a in entry["attempt_log"]] == [(1, 500), (2, 200)]
    assert all(a["duration_ms"] is not None for a in entry["attempt_log"])


def test_redelivery_sends_a_failed_delivery_again(app, client, admin, dbs, local, receiver):
    receiver.statuses = [410]
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    client.post(f"{URL}/{subscription['id']}/test", headers=admin.headers)
    work(app)
    failed = deliveries(dbs)[0]
    assert failed.status == "failed"

    again = client.post(f"{URL}/{subscription['id']}/deliveries/{failed.id}/redeliver", headers=admin.headers)
    work(app)

    assert again.status_code == 202
    assert deliveries(dbs)[0].status == "succeeded"
    assert receiver.received[0].body == receiver.received[1].body


def test_five_days_of_failures_disable_the_subscription(app, client, admin, dbs, local, receiver):
    receiver.statuses = [500]
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    dbs.execute(sa.update(WebhookSubscription).values(failing_since=utcnow() - timedelta(days=5, minutes=1)))
    dbs.commit()
    client.post(f"{URL}/{subscription['id']}/test", headers=admin.headers)

    work(app)
    shown = client.get(f"{URL}/{subscription['id']}", headers=admin.headers).json

    assert shown["is_active"] is False
    assert "every delivery failed since" in shown["disabled_reason"]
    assert "HTTP 500" in shown["disabled_reason"] or "500" in shown["disabled_reason"]


def test_the_address_is_checked_again_at_delivery(app, client, admin, dbs, local, receiver, monkeypatch):
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    monkeypatch.setitem(app.config, "HUB_WEBHOOK_ALLOW_PRIVATE", False)
    client.post(f"{URL}/{subscription['id']}/test", headers=admin.headers)

    work(app)

    assert receiver.received == []
    refused = deliveries(dbs)[0]
    assert refused.status == "failed" and "127.0.0.1" in refused.last_error


# --- agreement.expiring ----------------------------------------------------------------------------


def test_expiring_agreements_fire_once_per_mark(app, client, admin, dbs, local, receiver, monkeypatch):
    today = date(2026, 12, 3)
    monkeypatch.setattr(clock, "today", lambda: today)
    subscription = subscribe(client, admin.headers, receiver.url, "agreement.expiring")
    agreement = Agreement(
        reference="MOU-EXP",
        title={"en": "Expiring MoU"},
        kind=AgreementKind.MOU,
        status=AgreementStatus.ACTIVE,
        signed_on=date(2024, 1, 1),
        effective_from=date(2024, 1, 1),
        expires_on=today + timedelta(days=80),
    )
    dbs.add(agreement)
    dbs.commit()

    work(app)
    work(app)
    monkeypatch.setattr(clock, "today", lambda: today + timedelta(days=55))  # 25 days left
    work(app)
    work(app)

    marks = [verified(r, subscription["secret"])["data"]["days_before_expiry"] for r in receiver.received]
    assert marks == [90, 30]


def test_an_agreement_first_seen_inside_30_days_fires_the_30_day_mark_only(
    app, client, admin, dbs, local, receiver, monkeypatch
):
    today = date(2026, 12, 3)
    monkeypatch.setattr(clock, "today", lambda: today)
    subscription = subscribe(client, admin.headers, receiver.url, "agreement.expiring")
    dbs.add(
        Agreement(
            reference="MOU-SOON",
            title={"en": "Ending soon"},
            kind=AgreementKind.MOU,
            status=AgreementStatus.ACTIVE,
            signed_on=date(2024, 1, 1),
            effective_from=date(2024, 1, 1),
            expires_on=today + timedelta(days=10),
        )
    )
    dbs.commit()

    work(app)

    marks = [verified(r, subscription["secret"])["data"]["days_before_expiry"] for r in receiver.received]
    assert marks == [30]
    assert json.loads(receiver.received[0].body)["type"] == "agreement.expiring"


def test_attempt_numbers_are_never_reused(app, client, admin, dbs, local, receiver):
    receiver.statuses = [500, 500]
    subscription = subscribe(client, admin.headers, receiver.url, "cohort.opened")
    client.post(f"{URL}/{subscription['id']}/test", headers=admin.headers)
    for _ in range(3):
        work(app)
        make_due(dbs)

    numbers = dbs.scalars(sa.select(WebhookAttempt.number).order_by(WebhookAttempt.number)).all()
    assert numbers == [1, 2, 3]


def test_an_enrolment_change_reaches_the_host_and_the_participants_institution(
    app, client, admin, dbs, home, foreign, local, receiver
):
    host = client_headers(app, ["participants:read", "webhooks:manage"], institution=home)
    owner = client_headers(
        app, ["participants:read", "enrolments:write", "webhooks:manage"], institution=foreign
    )
    bystander = client_headers(
        app, ["participants:read", "webhooks:manage"], institution=InstitutionFactory()
    )
    secrets = {
        name: subscribe(client, headers, f"{receiver.url}/{name}", "enrolment.changed")["secret"]
        for name, headers in (("host", host), ("owner", owner), ("bystander", bystander))
    }
    cohort = CohortFactory(host_institution_id=home.id)
    guest = ParticipantRowFactory(institution_id=foreign.id)

    nominated = client.post(
        f"/api/v1/cohorts/{cohort.id}/enrolments", json={"participant_id": guest.id}, headers=owner
    )
    assert nominated.status_code == 201, nominated.json
    work(app)

    got = {r.path.rsplit("/", 1)[-1]: r for r in receiver.received}
    assert set(got) == {"host", "owner"}
    for name in ("host", "owner"):
        body = verified(got[name], secrets[name])
        assert (body["type"], body["data"]["id"]) == ("enrolment.changed", nominated.json["id"])
