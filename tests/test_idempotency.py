"""A POST retried with the same Idempotency-Key creates nothing new and replays the answer."""

import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from hub_api import idempotency
from hub_api.models import IdempotencyKey, Institution
from hub_api.models.base import utcnow
from tests.problems import assert_problem

BODY = {"code": "KTA", "name": {"en": "Kostanay Training Academy"}, "kind": "academy", "country": "KZ"}


def post(client, actor, body=BODY, key="retry-1"):
    return client.post("/api/v1/institutions", json=body, headers={**actor.headers, "Idempotency-Key": key})


def test_replay_returns_the_first_response_and_creates_nothing(client, admin, dbs):
    first = post(client, admin)
    second = post(client, admin)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert dbs.query(Institution).filter_by(code="KTA").count() == 1


def test_same_key_with_another_body_is_a_422(client, admin):
    assert post(client, admin).status_code == 201
    other = post(client, admin, body={**BODY, "code": "KTA2"})
    assert_problem(other, 422, error_fields={"Idempotency-Key"})


def test_same_key_while_the_first_request_runs_is_a_409(app, client, admin, dbs):
    with app.test_request_context("/api/v1/institutions", method="POST", json=BODY):
        fingerprint = idempotency._request_fingerprint()
    dbs.add(
        IdempotencyKey(
            principal=f"user:{admin.user.id}",
            key="retry-1",
            request_hash=fingerprint,
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    dbs.commit()
    assert_problem(post(client, admin), 409)
    assert dbs.query(Institution).count() == 0


def test_an_expired_key_can_be_used_again(app, client, admin, dbs):
    dbs.add(
        IdempotencyKey(
            principal=f"user:{admin.user.id}",
            key="retry-1",
            request_hash="0" * 64,
            expires_at=utcnow() - timedelta(seconds=1),
        )
    )
    dbs.commit()
    assert post(client, admin).status_code == 201


def test_a_failed_request_frees_its_key(client, admin, dbs):
    bad = post(client, admin, body={**BODY, "country": "ZZ"}, key="retry-2")
    assert_problem(bad, 422)
    assert dbs.query(IdempotencyKey).filter_by(key="retry-2").count() == 0
    assert post(client, admin, body={**BODY, "country": "ZZ"}, key="retry-2").status_code == 422


def test_keys_belong_to_one_caller(app, client, admin, dbs):
    from tests.conftest import sign_in
    from tests.factories import UserFactory

    other_admin = sign_in(app, UserFactory(role="hub_admin", email="second@hub.example"))
    assert post(client, admin).status_code == 201
    duplicate = post(client, other_admin)
    # A fresh request by someone else: the code is taken.
    assert_problem(duplicate, 409, errors={"code": ["an institution with this code already exists"]})
    assert dbs.query(Institution).count() == 1


def test_concurrent_retries_create_one_object(app, admin, dbs, monkeypatch):
    """Two copies of one request at once: one runs, the other is told it is in progress."""
    from hub_api.services import institutions

    original = institutions.create_institution

    def slow_create(**kwargs):
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(institutions, "create_institution", slow_create)
    results = []

    def send():
        results.append(post(app.test_client(), admin, key="race-1"))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [201, 409]
    assert dbs.query(Institution).filter_by(code="KTA").count() == 1


def test_endpoints_returning_secrets_refuse_the_key(client, admin, dbs):
    response = client.post(
        "/api/v1/api-clients",
        json={"name": "Kyrgyz academy LMS", "scopes": ["catalogue:read"]},
        headers={**admin.headers, "Idempotency-Key": "secret-1"},
    )
    assert_problem(response, 422, error_fields={"Idempotency-Key"})
    assert dbs.query(IdempotencyKey).count() == 0


def test_a_failed_commit_frees_the_key_for_the_retry(client, admin, dbs, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from hub_api.extensions import db

    real_commit = db.session.commit
    calls = {"n": 0}

    def commit_fails_once_after_the_reservation():
        calls["n"] += 1
        if calls["n"] == 2:  # the first commit reserves the key; the second is the request's
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        return real_commit()

    monkeypatch.setattr(db.session, "commit", commit_fails_once_after_the_reservation)
    assert_problem(post(client, admin, key="locked-1"), 503)
    monkeypatch.setattr(db.session, "commit", real_commit)
    assert post(client, admin, key="locked-1").status_code == 201
    assert dbs.query(Institution).filter_by(code="KTA").count() == 1


def test_an_abandoned_reservation_is_freed_after_ten_minutes(app, client, admin, dbs):
    with app.test_request_context("/api/v1/institutions", method="POST", json=BODY):
        fingerprint = idempotency._request_fingerprint()
    dbs.add(
        IdempotencyKey(
            principal=f"user:{admin.user.id}",
            key="dead-1",
            request_hash=fingerprint,
            created_at=utcnow() - timedelta(minutes=11),
            expires_at=utcnow() + timedelta(hours=23),
        )
    )
    dbs.commit()
    assert post(client, admin, key="dead-1").status_code == 201


def test_logout_refuses_the_key_so_every_logout_revokes(client, admin):
    response = client.post("/api/v1/auth/logout", headers={**admin.headers, "Idempotency-Key": "bye"})
    assert_problem(response, 422, error_fields={"Idempotency-Key"})


def test_erasure_forgets_stored_responses_that_name_the_person(client, admin, dbs, home):
    body = {
        "institution_id": home.id,
        "external_ref": "KZ-0042",
        "given_name": "Айгерим",
        "family_name": "Садыкова",
        "gender": "female",
        "staff_category": "psychologist",
        "email": "a.sadykova@penitentiary.example",
    }
    headers = {**admin.headers, "Idempotency-Key": "officer-kz-0042"}
    other = {**body, "external_ref": "KZ-00421", "family_name": "Ким", "email": None}
    other_headers = {**admin.headers, "Idempotency-Key": "officer-kz-00421"}
    created = client.post("/api/v1/participants", json=body, headers=headers)
    kept = client.post("/api/v1/participants", json=other, headers=other_headers)
    assert (created.status_code, kept.status_code) == (201, 201), (created.json, kept.json)

    erased = client.delete(f"/api/v1/participants/{created.json['id']}", headers=admin.headers)

    assert erased.status_code == 204, erased.get_data(as_text=True)
    stored = [row.response_body for row in dbs.scalars(sa.select(IdempotencyKey))]
    assert len(stored) == 1 and "Ким" in stored[0]
    assert not any("Садыкова" in text or 'KZ-0042"' in text for text in stored)
    replay = client.post("/api/v1/participants", json=other, headers=other_headers)
    assert replay.json == kept.json  # other people's retries still replay
