"""A cohort from planned to completed, with a verified certificate: the README walk-through."""

from hub_api.models.enums import Role
from tests.conftest import sign_in
from tests.factories import InstitutionFactory, UserFactory
from tests.training_factories import ParticipantRowFactory, PublishedCurriculumFactory


def test_cohort_from_planned_to_completed_with_a_verified_certificate(app, client, admin, coordinator, home):
    curriculum = PublishedCurriculumFactory(title={"en": "Preventing violent extremism in prisons"})
    guest = InstitutionFactory(code="KG-ACAD", name={"en": "Kyrgyz Academy"}, country="KG")
    guest_coordinator = sign_in(
        app, UserFactory(role=Role.COORDINATOR, institution_id=guest.id, email="coord@kg.example")
    )
    officer = ParticipantRowFactory(institution_id=guest.id, given_name="Асель", family_name="Токтогулова")

    created = client.post(
        "/api/v1/cohorts",
        json={
            "code": "KTA-PVE-2026-01",
            "title": {"en": "PVE course, spring 2026"},
            "kind": "course",
            "curriculum_id": curriculum.id,
            "host_institution_id": home.id,
            "delivery_mode": "in_person",
            "city": "Kostanay",
            "language": "ru",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-13",
            "capacity": 20,
            "seat_allocations": [{"institution_id": guest.id, "seats": 5}],
        },
        headers=coordinator.headers,
    )
    assert created.status_code == 201, created.json
    cohort = created.json
    assert cohort["status"] == "planned"
    assert (cohort["enrolled_count"], cohort["seats_left"], cohort["country"]) == (0, 20, "KZ")
    url = f"/api/v1/cohorts/{cohort['id']}"

    opened = client.post(f"{url}/transitions", json={"to": "open"}, headers=coordinator.headers)
    assert opened.json["status"] == "open", opened.json

    session = client.post(
        f"{url}/sessions",
        json={
            "starts_at": "2026-03-02T09:00:00+05:00",
            "ends_at": "2026-03-02T13:00:00+05:00",
            "topic": "Risk",
        },
        headers=coordinator.headers,
    )
    assert session.status_code == 201, session.json

    nominated = client.post(
        f"{url}/enrolments", json={"participant_id": officer.id}, headers=guest_coordinator.headers
    )
    assert nominated.status_code == 201, nominated.json
    enrolment = nominated.json
    assert enrolment["status"] == "nominated"
    assert enrolment["participant"]["family_name"] == "Токтогулова"
    assert client.get(url, headers=admin.headers).json["seats_left"] == 19

    enrolment_url = f"/api/v1/enrolments/{enrolment['id']}"
    confirmed = client.patch(enrolment_url, json={"status": "enrolled"}, headers=coordinator.headers)
    assert confirmed.json["status"] == "enrolled", confirmed.json

    roll = client.put(
        f"{url}/sessions/{session.json['id']}/attendance",
        json=[{"participant_id": officer.id, "present": True, "minutes": 240}],
        headers=coordinator.headers,
    )
    assert roll.status_code == 200, roll.json
    assert roll.json == [{"participant_id": officer.id, "present": True, "minutes": 240}]

    started = client.post(f"{url}/transitions", json={"to": "in_progress"}, headers=coordinator.headers)
    assert started.json["status"] == "in_progress", started.json
    done = client.patch(
        enrolment_url,
        json={"status": "completed", "pre_score": 55, "post_score": 85, "satisfaction": 5},
        headers=coordinator.headers,
    )
    assert done.status_code == 200, done.json
    assert done.json["attendance_rate"] == 1.0
    certificate = done.json["certificate"]
    assert certificate["valid"] is True
    completed = client.post(f"{url}/transitions", json={"to": "completed"}, headers=coordinator.headers)
    assert completed.json["status"] == "completed", completed.json

    verified = client.get(f"/api/v1/certificates/verify/{certificate['code']}")
    assert verified.status_code == 200, verified.json
    assert verified.json == {
        "valid": True,
        "certificate_number": certificate["number"],
        "holder_initials": "А. Т.",
        "cohort_title": {"en": "PVE course, spring 2026"},
        "curriculum_title": {"en": "Preventing violent extremism in prisons"},
        "issued_on": certificate["issued_on"],
        "issuer": {"en": "Home Academy", "ru": "Домашняя"},
    }

    record = client.get(f"/api/v1/participants/{officer.id}/enrolments", headers=guest_coordinator.headers)
    assert [e["id"] for e in record.json] == [enrolment["id"]]

    withdrawn = client.patch(enrolment_url, json={"status": "withdrawn"}, headers=coordinator.headers)
    assert withdrawn.status_code == 200, withdrawn.json
    assert client.get(f"/api/v1/certificates/verify/{certificate['code']}").json["valid"] is False
