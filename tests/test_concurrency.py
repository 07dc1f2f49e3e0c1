"""Simultaneous writes to one agreement: exactly one wins, the other gets a clean refusal."""

import threading

import pytest

from hub_api.services import agreements as agreement_service
from tests.factories import InstitutionFactory

ROUNDS = 3


def make_active_agreement(client, admin, reference: str) -> int:
    """An agreement walked to active through the API."""
    parties = [{"institution_id": InstitutionFactory().id}, {"institution_id": InstitutionFactory().id}]
    body = {"reference": reference, "title": {"en": reference}, "kind": "mou", "parties": parties}
    agreement_id = client.post("/api/v1/agreements", json=body, headers=admin.headers).json["id"]
    for step in ("negotiation", "signed", "active"):
        moved = client.post(
            f"/api/v1/agreements/{agreement_id}/transitions", json={"to": step}, headers=admin.headers
        )
        assert moved.status_code == 200, moved.json
    return agreement_id


def race(app, requests: list, gate) -> list:
    """Send the requests from separate threads, each with its own client, all at once."""
    results: list = [None] * len(requests)

    def run(index, method, url, body):
        results[index] = app.test_client().open(url, method=method, json=body, headers=gate)

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def losing_statuses(backend) -> set[int]:
    """PostgreSQL sees the clash and answers 409; SQLite may instead refuse the writer (503)."""
    return {409} if backend[0] == "postgresql" else {409, 503}


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_two_simultaneous_renewals_create_one_successor(
    app, client, admin, backend, monkeypatch, round_number
):
    agreement_id = make_active_agreement(client, admin, f"RACE-{round_number}")
    barrier = threading.Barrier(2, timeout=10)
    original = agreement_service._check_reference_free

    def both_read_before_either_writes(reference, agreement_id=None):
        original(reference, agreement_id)
        barrier.wait()

    monkeypatch.setattr(agreement_service, "_check_reference_free", both_read_before_either_writes)
    url = f"/api/v1/agreements/{agreement_id}/renewals"
    results = race(
        app, [("POST", url, {"reference": "R-A"}), ("POST", url, {"reference": "R-B"})], admin.headers
    )

    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 201 and statuses[1] in losing_statuses(backend), [r.json for r in results]
    loser = max(results, key=lambda r: r.status_code)
    if loser.status_code == 409:  # the predecessor's version or its unique successor link decides
        assert loser.json["detail"] in {
            "this agreement has already been renewed",
            "The object was changed by another request; reload it and retry.",
        }
    successor = client.get(f"/api/v1/agreements/{agreement_id}", headers=admin.headers).json["successor_id"]
    created = next(r for r in results if r.status_code == 201)
    assert successor == created.json["id"]


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_two_simultaneous_transitions_apply_once(app, client, admin, backend, monkeypatch, round_number):
    parties = [{"institution_id": InstitutionFactory().id}, {"institution_id": InstitutionFactory().id}]
    body = {"reference": f"MOVE-{round_number}", "title": {"en": "x"}, "kind": "mou", "parties": parties}
    agreement_id = client.post("/api/v1/agreements", json=body, headers=admin.headers).json["id"]
    barrier = threading.Barrier(2, timeout=10)
    original = agreement_service.get_agreement

    def both_load_before_either_moves(agreement_id):
        agreement = original(agreement_id)
        _ = agreement.version
        barrier.wait()
        return agreement

    monkeypatch.setattr(agreement_service, "get_agreement", both_load_before_either_moves)
    url = f"/api/v1/agreements/{agreement_id}/transitions"
    move = {"to": "negotiation"}
    results = race(app, [("POST", url, move), ("POST", url, move)], admin.headers)

    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 200 and statuses[1] in losing_statuses(backend), [r.json for r in results]
    loser = max(results, key=lambda r: r.status_code)
    if loser.status_code == 409:
        assert "changed by another request" in loser.json["detail"]
    monkeypatch.setattr(agreement_service, "get_agreement", original)
    history = client.get(f"{url}", headers=admin.headers).json
    assert [(h["from"], h["to"]) for h in history] == [("draft", "negotiation")]
