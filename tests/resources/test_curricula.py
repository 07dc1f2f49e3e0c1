"""/api/v1/curricula: versioned course designs, modules, publishing, versions, lineage and lists."""

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import factory
import pytest
import sqlalchemy as sa
from factory.alchemy import SQLAlchemyModelFactory

from hub_api.models import Curriculum, CurriculumAdoption, CurriculumModule
from hub_api.models.enums import CurriculumStatus
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

URL = "/api/v1/curricula"
PUBLISHED_AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
RETIRED_AT = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


def one(curriculum_id: int) -> str:
    return f"{URL}/{curriculum_id}"


def module(position: int, hours: str, title: dict | None = None, outcomes=()) -> CurriculumModule:
    """A module row as the API would store it."""
    return CurriculumModule(
        position=position,
        title=title or {"en": f"Module {position}"},
        hours=Decimal(hours),
        learning_outcomes=list(outcomes),
    )


class CurriculumFactory(SQLAlchemyModelFactory):
    """A curriculum version as the API would store it: two modules (2.5 h + 4 h) unless given."""

    class Meta:
        model = Curriculum
        sqlalchemy_session_persistence = "commit"

    code = factory.Sequence(lambda n: f"CUR-{n:03d}")
    number = 1
    title = factory.LazyAttribute(lambda o: {"en": f"Curriculum {o.code}"})
    owner_institution_id = factory.LazyFunction(lambda: InstitutionFactory().id)
    status = CurriculumStatus.DRAFT
    published_at = factory.LazyAttribute(
        lambda o: None if o.status is CurriculumStatus.DRAFT else PUBLISHED_AT
    )
    retired_at = factory.LazyAttribute(lambda o: RETIRED_AT if o.status is CurriculumStatus.RETIRED else None)
    modules = factory.LazyFunction(lambda: [module(1, "2.5"), module(2, "4")])


@pytest.fixture(autouse=True)
def _bind_factories(dbs):
    CurriculumFactory._meta.sqlalchemy_session = dbs


def labels(response) -> list[str]:
    """`CODE vN` for each item of a successful list response, in the order listed."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return [f"{item['code']} v{item['version']}" for item in response.json]


def stored_modules(dbs, curriculum_id: int) -> list[tuple[int, Decimal]]:
    """(position, hours) of a curriculum's modules as the database holds them."""
    dbs.expire_all()
    rows = dbs.execute(
        sa.select(CurriculumModule.position, CurriculumModule.hours)
        .where(CurriculumModule.curriculum_id == curriculum_id)
        .order_by(CurriculumModule.position)
    )
    return [(position, Decimal(hours)) for position, hours in rows]


PSY_MODULES_IN = [
    # Deliberately out of order: the API lists modules by position.
    {
        "position": 2,
        "title": {"en": "Risk assessment", "ru": "Оценка рисков"},
        "hours": 4,
        "learning_outcomes": ["Apply a structured risk assessment tool", "Write a risk report"],
    },
    {
        "position": 1,
        "title": {"en": "Radicalisation in prisons", "ru": "Радикализация в местах лишения свободы"},
        "hours": 2.5,
        "learning_outcomes": ["Recognise signs of radicalisation"],
    },
]
PSY_MODULES_OUT = [PSY_MODULES_IN[1], PSY_MODULES_IN[0]]


def full_body(owner_id: int, **changes) -> dict:
    """Every writable field of a curriculum, as a partner would POST it."""
    return {
        "code": "UNODC-VEP-PSY",
        "title": {
            "en": "Managing violent extremist prisoners: psychologists",
            "ru": "Работа с осуждёнными-экстремистами: психологи",
        },
        "summary": {"en": "Module for prison psychologists based on the UNODC handbook."},
        "owner_institution_id": owner_id,
        "languages": ["ru", "en"],
        "delivery_modes": ["in_person", "blended"],
        "audiences": ["psychologist"],
        "standards": ["unodc_vep_handbook", "nelson_mandela_rules"],
        "derived_from_id": None,
        "modules": PSY_MODULES_IN,
        **changes,
    }


def expected_draft(body_in: dict, **changes) -> dict:
    """What the API answers for a freshly created draft made from `body_in` (server fields aside)."""
    return {
        **body_in,
        "version": 1,
        "status": "draft",
        "modules": sorted(body_in["modules"], key=lambda m: m["position"]),
        "total_hours": float(sum(Decimal(str(m["hours"])) for m in body_in["modules"])),
        "derivative_ids": [],
        "published_at": None,
        "retired_at": None,
        **changes,
    }


def create(client, actor, body: dict) -> dict:
    response = client.post(URL, json=body, headers=actor.headers)
    assert response.status_code == 201, response.json
    return response.json


def publish(client, actor, curriculum_id: int) -> dict:
    response = client.post(f"{one(curriculum_id)}/publish", headers=actor.headers)
    assert response.status_code == 200, response.json
    return response.json


# --- create ---------------------------------------------------------------------------------


def test_admin_creates_version_1_draft_with_modules_in_position_order(client, admin, dbs, home):
    body_in = full_body(home.id)

    response = client.post(URL, json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert body == with_server_fields(body, expected_draft(body_in, total_hours=6.5))
    assert [m["position"] for m in body["modules"]] == [1, 2]
    assert response.headers["Location"].endswith(one(body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    again = client.get(one(body["id"]), headers=admin.headers)
    assert again.status_code == 200
    assert again.json == body
    assert again.headers["ETag"] == response.headers["ETag"]
    assert stored_modules(dbs, body["id"]) == [(1, Decimal("2.5")), (2, Decimal("4"))]
    stored = reloaded(dbs, Curriculum, body["id"])
    assert (stored.code, stored.number, stored.status) == ("UNODC-VEP-PSY", 1, CurriculumStatus.DRAFT)


def test_coordinator_creates_curriculum_its_institution_owns(client, coordinator, home):
    response = client.post(URL, json=full_body(home.id), headers=coordinator.headers)

    assert response.status_code == 201, response.json
    assert response.json["owner_institution_id"] == home.id
    assert response.json["status"] == "draft"


def test_create_with_required_fields_only_fills_defaults(client, admin, home):
    body_in = {
        "code": "NMR-E",
        "title": {"ky": "Нельсон Манделанын эрежелери"},
        "owner_institution_id": home.id,
    }

    response = client.post(URL, json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    expected = {
        **body_in,
        "version": 1,
        "status": "draft",
        "summary": None,
        "languages": [],
        "delivery_modes": [],
        "audiences": [],
        "standards": [],
        "modules": [],
        "total_hours": 0,
        "derived_from_id": None,
        "derivative_ids": [],
        "published_at": None,
        "retired_at": None,
    }
    assert body == with_server_fields(body, expected)


def test_create_is_audited_with_its_modules(client, admin, home):
    created = create(client, admin, full_body(home.id))

    events = audit_events_via_api(client, admin, action="curricula.create")
    assert [(e["object_type"], e["object_id"]) for e in events] == [("curricula", str(created["id"]))]
    assert (events[0]["actor_type"], events[0]["actor_id"]) == ("user", admin.user.id)
    assert (events[0]["outcome"], events[0]["method"], events[0]["path"]) == ("success", "POST", URL)
    assert len(audit_events_via_api(client, admin, action="curriculum_modules.create")) == 2


def test_create_requires_code_title_and_owner(client, admin, dbs):
    response = client.post(URL, json={"summary": {"en": "Nameless"}}, headers=admin.headers)

    assert_validation(response, "code", "title", "owner_institution_id")
    assert row_count(dbs, Curriculum) == 0


def _module(**changes) -> dict:
    return {"position": 1, "title": {"en": "Intro"}, "hours": 2, **changes}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "unodc-vep"}, "code"),
        ({"code": "X"}, "code"),
        ({"title": {}}, "title"),
        ({"title": {"fr": "Programme"}}, "title.fr.key"),
        ({"title": None}, "title"),
        ({"summary": {"en": ""}}, "summary.en.value"),
        ({"owner_institution_id": 0}, "owner_institution_id"),
        ({"owner_institution_id": "home"}, "owner_institution_id"),
        ({"languages": ["fr"]}, "languages.0"),
        ({"languages": ["ru", "ru"]}, "languages"),
        ({"delivery_modes": ["carrier_pigeon"]}, "delivery_modes.0"),
        ({"delivery_modes": ["online", "online"]}, "delivery_modes"),
        ({"audiences": ["warden"]}, "audiences.0"),
        ({"audiences": ["psychologist", "pve_inspector", "psychologist"]}, "audiences"),
        ({"standards": ["geneva_conventions"]}, "standards.0"),
        ({"standards": ["bangkok_rules", "bangkok_rules"]}, "standards"),
        ({"languages": "ru"}, "languages"),
        ({"modules": [_module(hours=0)]}, "modules.0.hours"),
        ({"modules": [_module(hours=-2)]}, "modules.0.hours"),
        ({"modules": [_module(hours="many")]}, "modules.0.hours"),
        ({"modules": [_module(position=0)]}, "modules.0.position"),
        ({"modules": [_module(title={})]}, "modules.0.title"),
        ({"modules": [{"position": 1, "title": {"en": "No hours"}}]}, "modules.0.hours"),
        ({"modules": [_module(learning_outcomes=[""])]}, "modules.0.learning_outcomes.0"),
        ({"modules": [_module(), _module(hours=3)]}, "modules"),
        ({"modules": [_module(duration="2d")]}, "modules.0.duration"),
        ({"derived_from_id": 0}, "derived_from_id"),
        ({"version": 2}, "version"),
        ({"status": "published"}, "status"),
        ({"total_hours": 10}, "total_hours"),
        ({"derivative_ids": [1]}, "derivative_ids"),
        ({"published_at": "2024-01-01T00:00:00Z"}, "published_at"),
        ({"level": "advanced"}, "level"),
    ],
)
def test_create_rejects_invalid_field(client, admin, dbs, home, change, field):
    response = client.post(URL, json=full_body(home.id, **change), headers=admin.headers)

    errors = assert_validation(response, field)
    assert errors[field]
    assert row_count(dbs, Curriculum) == 0


def test_create_with_two_modules_at_one_position_names_modules(client, admin, dbs, home):
    modules = [_module(position=1), _module(position=2), _module(position=1, hours=3)]

    errors = assert_validation(
        client.post(URL, json=full_body(home.id, modules=modules), headers=admin.headers), "modules"
    )

    assert errors == {"modules": ["Each module needs its own position."]}
    assert row_count(dbs, CurriculumModule) == 0


def test_create_with_unknown_owner_is_422(client, admin, dbs):
    response = client.post(URL, json=full_body(424242), headers=admin.headers)

    errors = assert_validation(response, "owner_institution_id")
    assert errors == {"owner_institution_id": ["No institution with id 424242."]}
    assert row_count(dbs, Curriculum) == 0


def test_create_derived_from_unknown_curriculum_is_422(client, admin, dbs, home):
    response = client.post(URL, json=full_body(home.id, derived_from_id=424242), headers=admin.headers)

    errors = assert_validation(response, "derived_from_id")
    assert errors == {"derived_from_id": ["No curriculum with id 424242."]}
    assert row_count(dbs, Curriculum) == 0


@pytest.mark.parametrize("existing_status", list(CurriculumStatus))
def test_create_with_a_used_code_conflicts_whatever_its_versions(client, admin, dbs, home, existing_status):
    CurriculumFactory(code="UNODC-VEP-PSY", number=2, status=existing_status, owner_institution_id=home.id)

    body = assert_problem(
        client.post(URL, json=full_body(home.id), headers=admin.headers),
        409,
        errors={"code": ["Already used."]},
    )

    assert "/versions" in body["detail"]
    assert row_count(dbs, Curriculum) == 1


def test_create_without_token_is_401(client, dbs, home):
    assert_unauthorized(client.post(URL, json=full_body(home.id)))
    assert row_count(dbs, Curriculum) == 0


def test_coordinator_cannot_create_for_another_institution(client, admin, coordinator, dbs, foreign):
    body = assert_problem(client.post(URL, json=full_body(foreign.id), headers=coordinator.headers), 403)

    assert "owning institution" in body["detail"]
    assert row_count(dbs, Curriculum) == 0
    denied = audit_events_via_api(client, admin, action="permission.denied")
    assert [(e["actor_id"], e["path"]) for e in denied] == [(coordinator.user.id, URL)]


def test_analyst_cannot_create(client, analyst, dbs, home):
    assert_problem(client.post(URL, json=full_body(home.id), headers=analyst.headers), 403)
    assert row_count(dbs, Curriculum) == 0


def test_api_client_cannot_create_whatever_its_scopes(app, client, dbs, home):
    scopes = ["catalogue:read", "participants:write", "enrolments:write", "webhooks:manage"]
    headers = client_headers(app, scopes, institution=home)

    assert_problem(client.post(URL, json=full_body(home.id), headers=headers), 403)
    assert row_count(dbs, Curriculum) == 0


def test_create_keeps_hours_to_one_decimal_place(client, admin, dbs, home):
    modules = [_module(position=1, hours=1.5), _module(position=2, hours=0.5), _module(position=3, hours=12)]

    created = create(client, admin, full_body(home.id, modules=modules))

    assert [m["hours"] for m in created["modules"]] == [1.5, 0.5, 12]
    assert created["total_hours"] == 14
    assert stored_modules(dbs, created["id"]) == [(1, Decimal("1.5")), (2, Decimal("0.5")), (3, Decimal(12))]


@pytest.mark.parametrize("hours", [2.55, 0.75, 1.01])
def test_create_refuses_hours_finer_than_a_tenth(client, admin, dbs, home, hours):
    response = client.post(
        URL, json=full_body(home.id, modules=[_module(hours=hours)]), headers=admin.headers
    )

    assert_validation(response, "modules.0.hours")
    assert row_count(dbs, Curriculum) == 0


# --- read one -------------------------------------------------------------------------------


def test_get_returns_whole_object_with_derivatives_and_etag(client, analyst, dbs, home, foreign):
    source = CurriculumFactory(
        code="UNODC-VEP",
        title={"en": "UNODC handbook on violent extremist prisoners", "ru": "Руководство УНП ООН"},
        summary={"en": "The handbook course"},
        owner_institution_id=foreign.id,
        status=CurriculumStatus.PUBLISHED,
        languages=["en", "ru"],
        delivery_modes=["in_person"],
        audiences=["psychologist", "pve_inspector", "security_officer"],
        standards=["unodc_vep_handbook"],
        modules=[
            module(2, "6", {"en": "Disengagement"}, ["Plan an intervention"]),
            module(1, "3.5", {"en": "Foundations", "ru": "Основы"}),
        ],
    )
    later = CurriculumFactory(code="KTA-VEP-INSP", owner_institution_id=home.id, derived_from_id=source.id)
    earlier = CurriculumFactory(code="KTA-VEP-PSY", owner_institution_id=home.id, derived_from_id=source.id)

    response = client.get(one(source.id), headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{source.id}-1"'
    assert response.json == {
        "id": source.id,
        "code": "UNODC-VEP",
        "version": 1,
        "status": "published",
        "title": {"en": "UNODC handbook on violent extremist prisoners", "ru": "Руководство УНП ООН"},
        "summary": {"en": "The handbook course"},
        "owner_institution_id": foreign.id,
        "languages": ["en", "ru"],
        "delivery_modes": ["in_person"],
        "audiences": ["psychologist", "pve_inspector", "security_officer"],
        "standards": ["unodc_vep_handbook"],
        "modules": [
            {
                "position": 1,
                "title": {"en": "Foundations", "ru": "Основы"},
                "hours": 3.5,
                "learning_outcomes": [],
            },
            {
                "position": 2,
                "title": {"en": "Disengagement"},
                "hours": 6.0,
                "learning_outcomes": ["Plan an intervention"],
            },
        ],
        "total_hours": 9.5,
        "derived_from_id": None,
        "derivative_ids": [later.id, earlier.id],
        "published_at": "2024-03-01T09:00:00+00:00",
        "retired_at": None,
        "created_at": response.json["created_at"],
        "updated_at": response.json["updated_at"],
    }
    assert assert_timestamp(response.json["created_at"]) == source.created_at
    derived = client.get(one(earlier.id), headers=analyst.headers).json
    assert (derived["derived_from_id"], derived["derivative_ids"]) == (source.id, [])


def test_get_unknown_curriculum_is_404(client, admin):
    body = assert_problem(client.get(one(424242), headers=admin.headers), 404)
    assert "424242" in body["detail"]


def test_get_without_token_is_401(client, dbs):
    curriculum = CurriculumFactory()
    assert_unauthorized(client.get(one(curriculum.id)))
    assert_unauthorized(client.get(URL))


@pytest.mark.parametrize("role", ["admin", "coordinator", "analyst"])
def test_every_user_role_reads_every_curriculum(client, request, dbs, foreign, role):
    curriculum = CurriculumFactory(code="READ-ME", owner_institution_id=foreign.id)
    actor = request.getfixturevalue(role)

    assert client.get(one(curriculum.id), headers=actor.headers).json["code"] == "READ-ME"
    assert labels(client.get(URL, headers=actor.headers)) == ["READ-ME v1"]


def test_api_client_reads_with_catalogue_scope_only(app, client, dbs, home):
    curriculum = CurriculumFactory(code="READ-ME")
    reader = client_headers(app, ["catalogue:read"], institution=home)
    other = client_headers(app, ["participants:read", "stats:read", "webhooks:manage"], institution=home)

    assert client.get(one(curriculum.id), headers=reader).status_code == 200
    assert labels(client.get(URL, headers=reader)) == ["READ-ME v1"]
    assert_problem(client.get(one(curriculum.id), headers=other), 403)
    assert_problem(client.get(URL, headers=other), 403)


# --- update ---------------------------------------------------------------------------------


@pytest.fixture
def draft(dbs, home):
    """A draft of the home institution: psychologists, Russian, two modules (2.5 h + 4 h)."""
    return CurriculumFactory(
        code="KTA-PSY",
        title={"ru": "Психологи"},
        summary={"ru": "Черновик"},
        owner_institution_id=home.id,
        languages=["ru"],
        delivery_modes=["in_person"],
        audiences=["psychologist"],
        standards=["unodc_vep_handbook"],
    )


def test_patch_changes_fields_and_replaces_modules(client, admin, dbs, draft):
    changes = {
        "title": {"ru": "Психологи", "en": "Psychologists"},
        "summary": None,
        "languages": ["ru", "kk"],
        "audiences": ["psychologist", "manager"],
        "modules": [
            {"position": 3, "title": {"en": "Case work"}, "hours": 8, "learning_outcomes": ["Run a case"]},
            {"position": 1, "title": {"en": "Basics"}, "hours": 1.5, "learning_outcomes": []},
        ],
    }

    response = client.patch(one(draft.id), json=changes, headers=admin.headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert body == {
        "id": draft.id,
        "code": "KTA-PSY",
        "version": 1,
        "status": "draft",
        "title": {"ru": "Психологи", "en": "Psychologists"},
        "summary": None,
        "owner_institution_id": draft.owner_institution_id,
        "languages": ["ru", "kk"],
        "delivery_modes": ["in_person"],
        "audiences": ["psychologist", "manager"],
        "standards": ["unodc_vep_handbook"],
        "modules": [changes["modules"][1], changes["modules"][0]],
        "total_hours": 9.5,
        "derived_from_id": None,
        "derivative_ids": [],
        "published_at": None,
        "retired_at": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert response.headers["ETag"] != f'"{draft.id}-1"'
    assert assert_timestamp(body["updated_at"]) > draft.updated_at
    again = client.get(one(draft.id), headers=admin.headers)
    assert again.json == body
    assert again.headers["ETag"] == response.headers["ETag"]
    assert stored_modules(dbs, draft.id) == [(1, Decimal("1.5")), (3, Decimal(8))]


def test_patch_keeps_what_it_does_not_mention(client, admin, dbs, draft):
    before = client.get(one(draft.id), headers=admin.headers).json

    response = client.patch(one(draft.id), json={"summary": {"ru": "Новая редакция"}}, headers=admin.headers)

    assert response.status_code == 200, response.json
    unchanged = {k: v for k, v in before.items() if k not in {"summary", "updated_at"}}
    assert {k: response.json[k] for k in unchanged} == unchanged
    assert response.json["summary"] == {"ru": "Новая редакция"}
    assert stored_modules(dbs, draft.id) == [(1, Decimal("2.5")), (2, Decimal(4))]


def test_patch_can_reuse_the_positions_it_replaces(client, admin, dbs, draft):
    modules = [
        {"position": 2, "title": {"en": "New second"}, "hours": 1, "learning_outcomes": []},
        {"position": 1, "title": {"en": "New first"}, "hours": 1, "learning_outcomes": []},
    ]

    response = client.patch(one(draft.id), json={"modules": modules}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert [m["title"]["en"] for m in response.json["modules"]] == ["New first", "New second"]
    assert response.json["total_hours"] == 2
    assert row_count(dbs, CurriculumModule) == 2


def test_patch_of_modules_alone_is_a_new_version_of_the_object(client, admin, dbs, draft):
    before = client.get(one(draft.id), headers=admin.headers)
    modules = [{"position": 1, "title": {"en": "Only"}, "hours": 3, "learning_outcomes": []}]

    response = client.patch(
        one(draft.id),
        json={"modules": modules},
        headers={**admin.headers, "If-Match": before.headers["ETag"]},
    )

    assert response.status_code == 200, response.json
    assert response.json["total_hours"] == 3
    assert response.headers["ETag"] != before.headers["ETag"]
    assert assert_timestamp(response.json["updated_at"]) > assert_timestamp(before.json["updated_at"])
    assert client.get(one(draft.id), headers=admin.headers).headers["ETag"] == response.headers["ETag"]
    stale = client.patch(
        one(draft.id), json={"summary": None}, headers={**admin.headers, "If-Match": before.headers["ETag"]}
    )
    assert_problem(stale, 412)
    since = client.get(URL, query_string={"updated_since": before.json["updated_at"]}, headers=admin.headers)
    assert labels(since) == ["KTA-PSY v1"]


def test_patch_can_empty_the_modules_and_lists(client, admin, dbs, draft):
    changes = {"modules": [], "languages": [], "audiences": [], "standards": [], "delivery_modes": []}

    response = client.patch(one(draft.id), json=changes, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in changes} == changes
    assert response.json["total_hours"] == 0
    assert stored_modules(dbs, draft.id) == []


def test_patch_refreshes_search(client, admin, analyst, draft):
    assert labels(client.get(URL, query_string={"q": "психологи"}, headers=analyst.headers)) == ["KTA-PSY v1"]

    client.patch(one(draft.id), json={"title": {"ru": "Тюремные медиаторы"}}, headers=admin.headers)

    assert labels(client.get(URL, query_string={"q": "ТЮРЕМНЫЕ"}, headers=analyst.headers)) == ["KTA-PSY v1"]
    assert labels(client.get(URL, query_string={"q": "психологи"}, headers=analyst.headers)) == []
    assert labels(client.get(URL, query_string={"q": "kta-psy"}, headers=analyst.headers)) == ["KTA-PSY v1"]


def test_patch_is_audited_with_changed_fields(client, admin, draft):
    client.patch(one(draft.id), json={"summary": None, "languages": ["ru", "en"]}, headers=admin.headers)

    events = audit_events_via_api(client, admin, action="curricula.update", object_id=str(draft.id))
    assert [e["details"]["fields"] for e in events] == [["languages", "summary"]]
    assert events[0]["actor_id"] == admin.user.id


def test_patch_of_modules_alone_is_audited_as_a_change_of_modules(client, admin, draft):
    modules = [{"position": 1, "title": {"en": "Only"}, "hours": 3, "learning_outcomes": []}]

    assert client.patch(one(draft.id), json={"modules": modules}, headers=admin.headers).status_code == 200

    events = audit_events_via_api(client, admin, action="curricula.update", object_id=str(draft.id))
    assert [e["details"]["fields"] for e in events] == [["modules"]]
    # Position 1 is kept and rewritten in place; position 2 is dropped.
    changed = audit_events_via_api(client, admin, action="curriculum_modules.update")
    dropped = audit_events_via_api(client, admin, action="curriculum_modules.delete")
    assert [e["path"] for e in changed] == [one(draft.id)]
    assert [e["path"] for e in dropped] == [one(draft.id)]


def test_coordinator_edits_its_own_institutions_draft(client, coordinator, draft):
    response = client.patch(one(draft.id), json={"languages": ["ky"]}, headers=coordinator.headers)

    assert response.status_code == 200, response.json
    assert response.json["languages"] == ["ky"]


@pytest.mark.parametrize("status", [CurriculumStatus.PUBLISHED, CurriculumStatus.RETIRED])
def test_patch_of_a_published_or_retired_version_conflicts(client, admin, dbs, home, status):
    curriculum = CurriculumFactory(code="FROZEN", number=2, status=status, owner_institution_id=home.id)
    changes = {"title": {"en": "Changed"}, "modules": []}

    body = assert_problem(client.patch(one(curriculum.id), json=changes, headers=admin.headers), 409)

    assert body["detail"] == (
        f"Version 2 of FROZEN is {status.value} and cannot change; "
        f"create a new version with POST /api/v1/curricula/{curriculum.id}/versions."
    )
    stored = reloaded(dbs, Curriculum, curriculum.id)
    assert (stored.title, stored.version) == ({"en": "Curriculum FROZEN"}, 1)
    assert stored_modules(dbs, curriculum.id) == [(1, Decimal("2.5")), (2, Decimal(4))]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "KTA-PSY-2"}, "code"),
        ({"owner_institution_id": 1}, "owner_institution_id"),
        ({"title": None}, "title"),
        ({"title": {}}, "title"),
        ({"modules": None}, "modules"),
        ({"languages": None}, "languages"),
        ({"languages": ["en", "en"]}, "languages"),
        ({"audiences": ["warden"]}, "audiences.0"),
        ({"modules": [_module(hours=0)]}, "modules.0.hours"),
        ({"modules": [_module(), _module()]}, "modules"),
        ({"status": "published"}, "status"),
        ({"version": 2}, "version"),
        ({"derived_from_id": "x"}, "derived_from_id"),
    ],
)
def test_patch_rejects_invalid_field(client, admin, dbs, draft, change, field):
    assert_validation(client.patch(one(draft.id), json=change, headers=admin.headers), field)
    assert reloaded(dbs, Curriculum, draft.id).version == 1
    assert stored_modules(dbs, draft.id) == [(1, Decimal("2.5")), (2, Decimal(4))]


def test_patch_with_stale_if_match_is_412(client, admin, dbs, draft):
    etag = client.get(one(draft.id), headers=admin.headers).headers["ETag"]
    first = client.patch(
        one(draft.id), json={"languages": ["en"]}, headers={**admin.headers, "If-Match": etag}
    )
    assert first.status_code == 200

    stale = client.patch(
        one(draft.id), json={"languages": ["kk"]}, headers={**admin.headers, "If-Match": etag}
    )

    body = assert_problem(stale, 412)
    assert first.headers["ETag"] in body["detail"]
    assert reloaded(dbs, Curriculum, draft.id).languages == ["en"]


@pytest.mark.parametrize("if_match", [None, "*", "current"])
def test_patch_accepts_current_star_or_absent_if_match(client, admin, draft, if_match):
    headers = dict(admin.headers)
    if if_match == "current":
        headers["If-Match"] = client.get(one(draft.id), headers=admin.headers).headers["ETag"]
    elif if_match:
        headers["If-Match"] = if_match

    response = client.patch(one(draft.id), json={"languages": ["tg"]}, headers=headers)

    assert response.status_code == 200, response.json
    assert response.json["languages"] == ["tg"]


def test_patch_without_token_is_401(client, draft):
    assert_unauthorized(client.patch(one(draft.id), json={"languages": []}))


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_patch_refused_to_non_owners(client, request, dbs, foreign, role):
    curriculum = CurriculumFactory(owner_institution_id=foreign.id, languages=["ky"])
    actor = request.getfixturevalue(role)

    assert_problem(client.patch(one(curriculum.id), json={"languages": []}, headers=actor.headers), 403)
    assert reloaded(dbs, Curriculum, curriculum.id).languages == ["ky"]


def test_patch_by_api_client_is_403(app, client, dbs, home, draft):
    headers = client_headers(app, ["catalogue:read"], institution=home)
    assert_problem(client.patch(one(draft.id), json={"languages": []}, headers=headers), 403)


def test_patch_unknown_curriculum_is_404(client, admin):
    assert_problem(client.patch(one(424242), json={"languages": []}, headers=admin.headers), 404)


# --- delete ---------------------------------------------------------------------------------


def test_delete_a_draft_with_its_modules(client, admin, dbs, draft):
    draft_id = draft.id

    response = client.delete(one(draft_id), headers=admin.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(one(draft_id), headers=admin.headers), 404)
    assert reloaded(dbs, Curriculum, draft_id) is None
    assert row_count(dbs, CurriculumModule) == 0
    events = audit_events_via_api(client, admin, action="curricula.delete")
    assert [e["object_id"] for e in events] == [str(draft_id)]


def test_coordinator_deletes_its_own_draft(client, coordinator, dbs, draft):
    assert client.delete(one(draft.id), headers=coordinator.headers).status_code == 204
    assert reloaded(dbs, Curriculum, draft.id) is None


@pytest.mark.parametrize("status", [CurriculumStatus.PUBLISHED, CurriculumStatus.RETIRED])
def test_delete_of_a_published_or_retired_version_conflicts(client, admin, dbs, home, status):
    curriculum = CurriculumFactory(status=status, owner_institution_id=home.id)

    body = assert_problem(client.delete(one(curriculum.id), headers=admin.headers), 409)

    assert f"/api/v1/curricula/{curriculum.id}/versions" in body["detail"]
    assert reloaded(dbs, Curriculum, curriculum.id) is not None


def test_delete_refused_while_adaptations_derive_from_it(client, admin, dbs, draft):
    adaptation = CurriculumFactory(derived_from_id=draft.id)

    body = assert_problem(client.delete(one(draft.id), headers=admin.headers), 409)

    assert "derived" in body["detail"]
    assert reloaded(dbs, Curriculum, draft.id) is not None
    unlinked = client.patch(one(adaptation.id), json={"derived_from_id": None}, headers=admin.headers)
    assert unlinked.status_code == 200, unlinked.json
    assert client.delete(one(draft.id), headers=admin.headers).status_code == 204


def test_delete_with_stale_if_match_is_412(client, admin, dbs, draft):
    response = client.delete(one(draft.id), headers={**admin.headers, "If-Match": f'"{draft.id}-0"'})

    assert_problem(response, 412)
    assert reloaded(dbs, Curriculum, draft.id) is not None


def test_delete_with_current_if_match(client, admin, draft):
    etag = client.get(one(draft.id), headers=admin.headers).headers["ETag"]
    assert client.delete(one(draft.id), headers={**admin.headers, "If-Match": etag}).status_code == 204


def test_delete_without_token_is_401(client, dbs, draft):
    assert_unauthorized(client.delete(one(draft.id)))
    assert reloaded(dbs, Curriculum, draft.id) is not None


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_delete_refused_to_non_owners(client, request, dbs, foreign, role):
    curriculum = CurriculumFactory(owner_institution_id=foreign.id)
    actor = request.getfixturevalue(role)

    assert_problem(client.delete(one(curriculum.id), headers=actor.headers), 403)
    assert reloaded(dbs, Curriculum, curriculum.id) is not None


def test_delete_unknown_curriculum_is_404(client, admin):
    assert_problem(client.delete(one(424242), headers=admin.headers), 404)


# --- publish and retire ---------------------------------------------------------------------


def test_publish_freezes_a_draft_with_modules(client, admin, dbs, draft):
    before = client.get(one(draft.id), headers=admin.headers)
    started = datetime.now(UTC)

    response = client.post(f"{one(draft.id)}/publish", headers=admin.headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert body == {
        **before.json,
        "status": "published",
        "published_at": body["published_at"],
        "updated_at": body["updated_at"],
    }
    assert started <= assert_timestamp(body["published_at"]) <= datetime.now(UTC)
    assert response.headers["ETag"] != before.headers["ETag"]
    again = client.get(one(draft.id), headers=admin.headers)
    assert (again.json, again.headers["ETag"]) == (body, response.headers["ETag"])
    stored = reloaded(dbs, Curriculum, draft.id)
    assert stored.status is CurriculumStatus.PUBLISHED
    events = audit_events_via_api(client, admin, action="curricula.update", object_id=str(draft.id))
    assert [e["details"]["fields"] for e in events] == [["published_at", "status"]]
    assert events[0]["path"] == f"{one(draft.id)}/publish"


def test_coordinator_publishes_its_own_draft(client, coordinator, draft):
    assert publish(client, coordinator, draft.id)["status"] == "published"


def test_publish_without_modules_is_422(client, admin, dbs, home):
    empty = CurriculumFactory(owner_institution_id=home.id, modules=[])

    errors = assert_validation(client.post(f"{one(empty.id)}/publish", headers=admin.headers), "modules")

    assert errors == {"modules": ["Empty."]}
    stored = reloaded(dbs, Curriculum, empty.id)
    assert (stored.status, stored.published_at) == (CurriculumStatus.DRAFT, None)


def test_publishing_twice_conflicts(client, admin, dbs, draft):
    first = publish(client, admin, draft.id)

    body = assert_problem(client.post(f"{one(draft.id)}/publish", headers=admin.headers), 409)

    assert "is published" in body["detail"]
    assert client.get(one(draft.id), headers=admin.headers).json["published_at"] == first["published_at"]


def test_publishing_a_retired_version_conflicts(client, admin, dbs, home):
    retired = CurriculumFactory(status=CurriculumStatus.RETIRED, owner_institution_id=home.id)

    assert_problem(client.post(f"{one(retired.id)}/publish", headers=admin.headers), 409)
    assert reloaded(dbs, Curriculum, retired.id).status is CurriculumStatus.RETIRED


def test_retire_a_published_version(client, admin, dbs, home):
    published = CurriculumFactory(status=CurriculumStatus.PUBLISHED, owner_institution_id=home.id)
    before = client.get(one(published.id), headers=admin.headers)
    started = datetime.now(UTC)

    response = client.post(f"{one(published.id)}/retire", headers=admin.headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert body == {
        **before.json,
        "status": "retired",
        "retired_at": body["retired_at"],
        "updated_at": body["updated_at"],
    }
    assert body["published_at"] == "2024-03-01T09:00:00+00:00"
    assert started <= assert_timestamp(body["retired_at"]) <= datetime.now(UTC)
    assert response.headers["ETag"] != before.headers["ETag"]
    assert client.get(one(published.id), headers=admin.headers).json == body
    events = audit_events_via_api(client, admin, action="curricula.update", object_id=str(published.id))
    assert [e["details"]["fields"] for e in events] == [["retired_at", "status"]]


@pytest.mark.parametrize("status", [CurriculumStatus.DRAFT, CurriculumStatus.RETIRED])
def test_retire_needs_a_published_version(client, admin, dbs, home, status):
    curriculum = CurriculumFactory(status=status, owner_institution_id=home.id)

    body = assert_problem(client.post(f"{one(curriculum.id)}/retire", headers=admin.headers), 409)

    assert f"this one is {status.value}" in body["detail"]
    assert reloaded(dbs, Curriculum, curriculum.id).status is status


@pytest.mark.parametrize(("action", "status"), [("publish", "draft"), ("retire", "published")])
@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_publish_and_retire_refused_to_non_owners(client, request, dbs, foreign, action, status, role):
    curriculum = CurriculumFactory(status=CurriculumStatus(status), owner_institution_id=foreign.id)
    actor = request.getfixturevalue(role)

    assert_problem(client.post(f"{one(curriculum.id)}/{action}", headers=actor.headers), 403)
    assert reloaded(dbs, Curriculum, curriculum.id).status is CurriculumStatus(status)


@pytest.mark.parametrize("action", ["publish", "retire", "versions"])
def test_lifecycle_actions_by_api_client_are_403(app, client, dbs, home, action):
    curriculum = CurriculumFactory(status=CurriculumStatus.PUBLISHED, owner_institution_id=home.id)
    headers = client_headers(app, ["catalogue:read", "participants:write"], institution=home)

    assert_problem(client.post(f"{one(curriculum.id)}/{action}", headers=headers), 403)
    assert row_count(dbs, Curriculum) == 1
    assert reloaded(dbs, Curriculum, curriculum.id).status is CurriculumStatus.PUBLISHED


@pytest.mark.parametrize("action", ["publish", "retire", "versions"])
def test_lifecycle_actions_without_token_are_401(client, dbs, draft, action):
    assert_unauthorized(client.post(f"{one(draft.id)}/{action}"))


@pytest.mark.parametrize("action", ["publish", "retire", "versions"])
def test_lifecycle_actions_on_unknown_curriculum_are_404(client, admin, action):
    body = assert_problem(client.post(f"{one(424242)}/{action}", headers=admin.headers), 404)
    assert "424242" in body["detail"]


# --- versions -------------------------------------------------------------------------------


@pytest.fixture
def published(dbs, home, foreign):
    """Version 1 of KTA-PSY, published, adapted from a foreign source, with three modules."""
    source = CurriculumFactory(
        code="UNODC-VEP", status=CurriculumStatus.PUBLISHED, owner_institution_id=foreign.id
    )
    return CurriculumFactory(
        code="KTA-PSY",
        title={"ru": "Психологи", "en": "Psychologists"},
        summary={"en": "For prison psychologists"},
        owner_institution_id=home.id,
        status=CurriculumStatus.PUBLISHED,
        languages=["ru", "kk"],
        delivery_modes=["blended"],
        audiences=["psychologist"],
        standards=["unodc_vep_handbook", "bangkok_rules"],
        derived_from_id=source.id,
        modules=[
            module(1, "2.5", {"ru": "Введение"}, ["Know the rules"]),
            module(2, "4", {"ru": "Оценка"}),
            module(5, "1", {"ru": "Итоги"}, ["Pass the test", "Reflect"]),
        ],
    )


def test_new_version_is_a_draft_copy_with_the_next_number(client, admin, dbs, published):
    before = client.get(one(published.id), headers=admin.headers)

    response = client.post(f"{one(published.id)}/versions", headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    copied = {k: before.json[k] for k in before.json if k not in {"id", "created_at", "updated_at"}}
    expected = {**copied, "version": 2, "status": "draft", "published_at": None, "retired_at": None}
    assert body == with_server_fields(body, expected)
    assert body["id"] != published.id
    assert body["total_hours"] == 7.5
    assert response.headers["Location"].endswith(one(body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    assert client.get(one(body["id"]), headers=admin.headers).json == body
    assert client.get(one(published.id), headers=admin.headers).json == before.json
    assert stored_modules(dbs, body["id"]) == stored_modules(dbs, published.id)
    source = client.get(one(published.derived_from_id), headers=admin.headers).json
    assert source["derivative_ids"] == [published.id, body["id"]]


def test_new_version_modules_are_independent_of_the_source(client, admin, dbs, published):
    copy = client.post(f"{one(published.id)}/versions", headers=admin.headers).json
    modules = [{"position": 1, "title": {"en": "Rewritten"}, "hours": 10, "learning_outcomes": []}]

    changed = client.patch(one(copy["id"]), json={"modules": modules}, headers=admin.headers)

    assert changed.status_code == 200, changed.json
    assert changed.json["total_hours"] == 10
    assert stored_modules(dbs, published.id) == [(1, Decimal("2.5")), (2, Decimal(4)), (5, Decimal(1))]


def test_new_version_counts_up_from_the_highest_of_the_code(client, admin, dbs, home):
    first = CurriculumFactory(
        code="NMR", number=1, status=CurriculumStatus.RETIRED, owner_institution_id=home.id
    )
    CurriculumFactory(code="NMR", number=2, status=CurriculumStatus.PUBLISHED, owner_institution_id=home.id)
    CurriculumFactory(
        code="NMR-KZ", number=7, status=CurriculumStatus.PUBLISHED, owner_institution_id=home.id
    )

    response = client.post(f"{one(first.id)}/versions", headers=admin.headers)

    assert response.status_code == 201, response.json
    assert (response.json["code"], response.json["version"], response.json["status"]) == ("NMR", 3, "draft")
    assert response.json["title"] == first.title


def test_coordinator_starts_a_version_of_its_own_curriculum(client, coordinator, published):
    response = client.post(f"{one(published.id)}/versions", headers=coordinator.headers)

    assert response.status_code == 201, response.json
    assert response.json["version"] == 2


def test_new_version_while_a_draft_exists_conflicts(client, admin, dbs, published):
    draft = client.post(f"{one(published.id)}/versions", headers=admin.headers).json

    from_published = assert_problem(client.post(f"{one(published.id)}/versions", headers=admin.headers), 409)
    from_draft = assert_problem(client.post(f"{one(draft['id'])}/versions", headers=admin.headers), 409)

    assert from_published["detail"] == "Version 2 of KTA-PSY is still a draft; edit or publish it first."
    assert from_draft["detail"] == from_published["detail"]
    assert row_count(dbs, Curriculum) == 3  # the source, version 1 and the draft version 2
    publish(client, admin, draft["id"])
    third = client.post(f"{one(draft['id'])}/versions", headers=admin.headers)
    assert third.status_code == 201, third.json
    assert third.json["version"] == 3


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_new_version_refused_to_non_owners(client, request, dbs, foreign, role):
    curriculum = CurriculumFactory(status=CurriculumStatus.PUBLISHED, owner_institution_id=foreign.id)
    actor = request.getfixturevalue(role)

    assert_problem(client.post(f"{one(curriculum.id)}/versions", headers=actor.headers), 403)
    assert row_count(dbs, Curriculum) == 1


def test_new_version_is_audited(client, admin, published):
    created = client.post(f"{one(published.id)}/versions", headers=admin.headers).json

    path = f"{one(published.id)}/versions"
    events = [e for e in audit_events_via_api(client, admin, action="curricula.create") if e["path"]]
    assert [(e["object_id"], e["path"], e["actor_id"]) for e in events] == [
        (str(created["id"]), path, admin.user.id)
    ]
    modules = audit_events_via_api(client, admin, action="curriculum_modules.create")
    assert [e["path"] for e in modules if e["path"]] == [path] * 3


def race(app, requests: list, headers: dict) -> list:
    """Send the requests from separate threads, each with its own client, all at once."""
    results: list = [None] * len(requests)

    def run(index, method, url):
        results[index] = app.test_client().open(url, method=method, headers=headers)

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("round_number", range(3))
def test_two_simultaneous_new_versions_make_one(
    app, client, admin, dbs, engine, backend, published, round_number
):
    """Both requests see no draft and pick number 2; the unique (code, version) lets one through."""
    barrier = threading.Barrier(2, timeout=10)
    arrived: list[str] = []

    def both_read_before_either_inserts(_conn, _cursor, statement, *_args):
        if statement.lstrip().startswith("INSERT INTO curricula "):
            arrived.append(threading.current_thread().name)
            barrier.wait()

    sa.event.listen(engine, "before_cursor_execute", both_read_before_either_inserts)
    try:
        url = f"{one(published.id)}/versions"
        results = race(app, [("POST", url), ("POST", url)], admin.headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", both_read_before_either_inserts)

    assert len(set(arrived)) == 2, arrived  # both had found no draft before either inserted
    statuses = sorted(r.status_code for r in results)
    losing = {409} if backend[0] == "postgresql" else {409, 503}
    assert statuses[0] == 201 and statuses[1] in losing, [r.json for r in results]
    loser = max(results, key=lambda r: r.status_code)
    if loser.status_code == 503:
        assert_problem(loser, 503)
        assert loser.headers["Retry-After"] == "1"
    else:
        message = "another request created this version at the same time"
        body = assert_problem(loser, 409, errors={"version": [message]})
        assert body["detail"] == message
    winner = next(r for r in results if r.status_code == 201)
    assert winner.json["version"] == 2
    dbs.expire_all()
    versions = dbs.execute(sa.select(Curriculum.id, Curriculum.number).where(Curriculum.code == "KTA-PSY"))
    assert sorted(versions) == [(published.id, 1), (winner.json["id"], 2)]
    assert len(stored_modules(dbs, winner.json["id"])) == 3


# --- derivation lineage ---------------------------------------------------------------------


def test_an_adaptation_links_its_source_both_ways(client, coordinator, admin, dbs, home, foreign):
    source = CurriculumFactory(
        code="UNODC-VEP", status=CurriculumStatus.PUBLISHED, owner_institution_id=foreign.id
    )

    adaptation = create(
        client, coordinator, full_body(home.id, code="KTA-VEP-PSY", derived_from_id=source.id)
    )

    assert adaptation["derived_from_id"] == source.id
    assert client.get(one(source.id), headers=coordinator.headers).json["derivative_ids"] == [
        adaptation["id"]
    ]
    second = create(client, admin, full_body(home.id, code="KTA-VEP-INSP", derived_from_id=source.id))
    assert client.get(one(source.id), headers=admin.headers).json["derivative_ids"] == [
        adaptation["id"],
        second["id"],
    ]
    assert reloaded(dbs, Curriculum, source.id).version == 1  # the source itself did not change


def test_patch_can_change_or_drop_the_source(client, admin, dbs, draft):
    first, second = CurriculumFactory(code="SRC-A"), CurriculumFactory(code="SRC-B")

    linked = client.patch(one(draft.id), json={"derived_from_id": first.id}, headers=admin.headers)
    moved = client.patch(one(draft.id), json={"derived_from_id": second.id}, headers=admin.headers)

    assert (linked.json["derived_from_id"], moved.json["derived_from_id"]) == (first.id, second.id)
    assert client.get(one(first.id), headers=admin.headers).json["derivative_ids"] == []
    assert client.get(one(second.id), headers=admin.headers).json["derivative_ids"] == [draft.id]
    dropped = client.patch(one(draft.id), json={"derived_from_id": None}, headers=admin.headers)
    assert dropped.json["derived_from_id"] is None
    assert client.get(one(second.id), headers=admin.headers).json["derivative_ids"] == []


def test_derivation_cycles_are_refused(client, admin, dbs, home):
    a = create(client, admin, full_body(home.id, code="CYCLE-A"))
    b = create(client, admin, full_body(home.id, code="CYCLE-B", derived_from_id=a["id"]))
    c = create(client, admin, full_body(home.id, code="CYCLE-C", derived_from_id=b["id"]))
    cycle = {"derived_from_id": ["This source would create a cycle."]}

    two_step = client.patch(one(a["id"]), json={"derived_from_id": b["id"]}, headers=admin.headers)
    three_step = client.patch(one(a["id"]), json={"derived_from_id": c["id"]}, headers=admin.headers)
    itself = client.patch(one(a["id"]), json={"derived_from_id": a["id"]}, headers=admin.headers)

    for response in (two_step, three_step, itself):
        assert assert_validation(response, "derived_from_id") == cycle
    assert reloaded(dbs, Curriculum, a["id"]).derived_from_id is None
    assert client.get(one(a["id"]), headers=admin.headers).json["derivative_ids"] == [b["id"]]


def test_a_source_further_down_another_branch_is_no_cycle(client, admin, home):
    root = create(client, admin, full_body(home.id, code="ROOT"))
    left = create(client, admin, full_body(home.id, code="LEFT", derived_from_id=root["id"]))
    right = create(client, admin, full_body(home.id, code="RIGHT", derived_from_id=root["id"]))

    response = client.patch(one(right["id"]), json={"derived_from_id": left["id"]}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert response.json["derived_from_id"] == left["id"]


def test_patch_to_an_unknown_source_is_422(client, admin, dbs, draft):
    errors = assert_validation(
        client.patch(one(draft.id), json={"derived_from_id": 424242}, headers=admin.headers),
        "derived_from_id",
    )

    assert errors == {"derived_from_id": ["No curriculum with id 424242."]}
    assert reloaded(dbs, Curriculum, draft.id).derived_from_id is None


# --- list -----------------------------------------------------------------------------------


def test_list_returns_plain_array_of_whole_objects(client, analyst, dbs, home):
    curriculum = CurriculumFactory(
        code="NMR-ELEARN",
        title={"en": "The Nelson Mandela Rules"},
        owner_institution_id=home.id,
        status=CurriculumStatus.PUBLISHED,
        languages=["en"],
        delivery_modes=["e_learning"],
        audiences=["security_officer"],
        standards=["nelson_mandela_rules"],
        modules=[module(2, "1.5", {"en": "Rules 1-20"}), module(1, "1", {"en": "Intro"}, ["Know why"])],
    )
    adaptation = CurriculumFactory(code="NMR-KY", owner_institution_id=home.id, derived_from_id=curriculum.id)

    response = client.get(URL, query_string={"code": "NMR-ELEARN"}, headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    assert response.json == [
        {
            "id": curriculum.id,
            "code": "NMR-ELEARN",
            "version": 1,
            "status": "published",
            "title": {"en": "The Nelson Mandela Rules"},
            "summary": None,
            "owner_institution_id": home.id,
            "languages": ["en"],
            "delivery_modes": ["e_learning"],
            "audiences": ["security_officer"],
            "standards": ["nelson_mandela_rules"],
            "modules": [
                {"position": 1, "title": {"en": "Intro"}, "hours": 1.0, "learning_outcomes": ["Know why"]},
                {"position": 2, "title": {"en": "Rules 1-20"}, "hours": 1.5, "learning_outcomes": []},
            ],
            "total_hours": 2.5,
            "derived_from_id": None,
            "derivative_ids": [adaptation.id],
            "published_at": "2024-03-01T09:00:00+00:00",
            "retired_at": None,
            "created_at": response.json[0]["created_at"],
            "updated_at": response.json[0]["updated_at"],
        }
    ]


@pytest.fixture
def catalogue(dbs, home, foreign):
    """Versions of five curricula by two owners, two adoptions; returns the ids by label."""
    unodc = InstitutionFactory(code="UNODC", name={"en": "UNODC"}, country="AT")
    published, draft, retired = CurriculumStatus.PUBLISHED, CurriculumStatus.DRAFT, CurriculumStatus.RETIRED
    rows = {}

    def add(label: str, status: CurriculumStatus, **fields) -> Curriculum:
        code, number = label.rsplit(" v", 1)
        rows[label] = CurriculumFactory(code=code, number=int(number), status=status, **fields)
        return rows[label]

    nmr = {
        "title": {"en": "The Nelson Mandela Rules", "ru": "Правила Нельсона Манделы"},
        "owner_institution_id": unodc.id,
        "delivery_modes": ["e_learning"],
        "standards": ["nelson_mandela_rules"],
    }
    add("NMR-ELEARN v1", published, languages=["en", "ru"], audiences=["security_officer", "manager"], **nmr)
    add("NMR-ELEARN v2", published, languages=["en", "ru", "ky"], audiences=["security_officer"], **nmr)
    add(
        "NMR-ELEARN v3", draft, languages=["en", "ru", "kk"], audiences=["security_officer", "manager"], **nmr
    )
    add(
        "UNODC-VEP v1",
        published,
        title={"en": "Managing violent extremist prisoners"},
        owner_institution_id=unodc.id,
        languages=["en"],
        delivery_modes=["in_person"],
        audiences=["psychologist", "pve_inspector", "security_officer"],
        standards=["unodc_vep_handbook"],
    )
    add(
        "KTA-VEP-PSY v1",
        published,
        title={"ru": "Работа с осуждёнными-экстремистами: психологи", "kk": "Психологтар"},
        owner_institution_id=home.id,
        languages=["ru", "kk"],
        delivery_modes=["in_person", "blended"],
        audiences=["psychologist"],
        standards=["unodc_vep_handbook", "nelson_mandela_rules"],
        derived_from_id=rows["UNODC-VEP v1"].id,
    )
    add(
        "MEDIA_COMMS v1",
        retired,
        title={"ru": "Эффективные коммуникации: основы работы со СМИ", "en": "Effective communications"},
        owner_institution_id=foreign.id,
        languages=["ru", "ky"],
        delivery_modes=["online"],
        audiences=["media_officer"],
        standards=["other"],
    )
    add(
        "TOT-EXTREMISM v1",
        draft,
        title={"ru": "Онлайн-обучение тренеров: противодействие экстремистской идеологии"},
        owner_institution_id=foreign.id,
        languages=["ru"],
        delivery_modes=["online"],
        audiences=["instructor"],
        standards=[],
    )
    dbs.add_all(
        [
            CurriculumAdoption(
                curriculum_id=rows["KTA-VEP-PSY v1"].id,
                institution_id=foreign.id,
                adopted_on=date(2024, 6, 1),
                language="ky",
            ),
            CurriculumAdoption(
                curriculum_id=rows["NMR-ELEARN v2"].id,
                institution_id=foreign.id,
                adopted_on=date(2024, 9, 1),
                language="ru",
            ),
            CurriculumAdoption(
                curriculum_id=rows["NMR-ELEARN v1"].id,
                institution_id=home.id,
                adopted_on=date(2023, 9, 1),
                language="ru",
            ),
        ]
    )
    dbs.commit()
    return {"home": home.id, "foreign": foreign.id, "unodc": unodc.id, **{k: v.id for k, v in rows.items()}}


ALL_LABELS = [
    "KTA-VEP-PSY v1",
    "MEDIA_COMMS v1",
    "NMR-ELEARN v1",
    "NMR-ELEARN v2",
    "NMR-ELEARN v3",
    "TOT-EXTREMISM v1",
    "UNODC-VEP v1",
]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ALL_LABELS),
        ({"status": "draft"}, ["NMR-ELEARN v3", "TOT-EXTREMISM v1"]),
        ({"status": "published"}, ["KTA-VEP-PSY v1", "NMR-ELEARN v1", "NMR-ELEARN v2", "UNODC-VEP v1"]),
        ({"status": "retired"}, ["MEDIA_COMMS v1"]),
        ({"code": "NMR-ELEARN"}, ["NMR-ELEARN v1", "NMR-ELEARN v2", "NMR-ELEARN v3"]),
        ({"code": "NMR"}, []),
        ({"latest": "true"}, ["KTA-VEP-PSY v1", "NMR-ELEARN v2", "UNODC-VEP v1"]),
        ({"latest": "false"}, ALL_LABELS),
        ({"latest": "true", "code": "NMR-ELEARN"}, ["NMR-ELEARN v2"]),
        ({"latest": "true", "code": "TOT-EXTREMISM"}, []),
        ({"latest": "true", "audience": "security_officer"}, ["NMR-ELEARN v2", "UNODC-VEP v1"]),
        # Version 1 names managers but is superseded; the draft version 3 does not count.
        ({"latest": "true", "audience": "manager"}, []),
        ({"latest": "true", "standard": "nelson_mandela_rules"}, ["KTA-VEP-PSY v1", "NMR-ELEARN v2"]),
        ({"latest": "true", "language": "ky"}, ["NMR-ELEARN v2"]),
        ({"latest": "true", "language": "kk"}, ["KTA-VEP-PSY v1"]),
        ({"audience": "manager"}, ["NMR-ELEARN v1", "NMR-ELEARN v3"]),
        ({"audience": "psychologist"}, ["KTA-VEP-PSY v1", "UNODC-VEP v1"]),
        ({"audience": "pve_inspector"}, ["UNODC-VEP v1"]),
        ({"audience": "probation_officer"}, []),
        ({"standard": "unodc_vep_handbook"}, ["KTA-VEP-PSY v1", "UNODC-VEP v1"]),
        ({"standard": "other"}, ["MEDIA_COMMS v1"]),
        ({"delivery_mode": "online"}, ["MEDIA_COMMS v1", "TOT-EXTREMISM v1"]),
        ({"delivery_mode": "blended"}, ["KTA-VEP-PSY v1"]),
        ({"delivery_mode": "e_learning", "status": "published"}, ["NMR-ELEARN v1", "NMR-ELEARN v2"]),
        ({"language": "ky"}, ["MEDIA_COMMS v1", "NMR-ELEARN v2"]),
        ({"language": "en"}, ["NMR-ELEARN v1", "NMR-ELEARN v2", "NMR-ELEARN v3", "UNODC-VEP v1"]),
        ({"language": "tk"}, []),
        ({"owner_institution_id": "home"}, ["KTA-VEP-PSY v1"]),
        ({"owner_institution_id": "foreign"}, ["MEDIA_COMMS v1", "TOT-EXTREMISM v1"]),
        ({"adopted_by": "foreign"}, ["KTA-VEP-PSY v1", "NMR-ELEARN v2"]),
        ({"adopted_by": "home"}, ["NMR-ELEARN v1"]),
        ({"adopted_by": "unodc"}, []),
        ({"derived_from_id": "UNODC-VEP v1"}, ["KTA-VEP-PSY v1"]),
        ({"derived_from_id": "KTA-VEP-PSY v1"}, []),
        ({"q": "ЭКСТРЕМИСТ"}, ["KTA-VEP-PSY v1", "TOT-EXTREMISM v1"]),
        ({"q": "сми"}, ["MEDIA_COMMS v1"]),
        ({"q": "психологтар"}, ["KTA-VEP-PSY v1"]),
        ({"q": "mandela"}, ["NMR-ELEARN v1", "NMR-ELEARN v2", "NMR-ELEARN v3"]),
        ({"q": "kta-vep"}, ["KTA-VEP-PSY v1"]),
        ({"q": "_"}, ["MEDIA_COMMS v1"]),
        ({"q": "A_C"}, ["MEDIA_COMMS v1"]),
        ({"q": "%"}, []),
        ({"q": "mandela", "latest": "true"}, ["NMR-ELEARN v2"]),
    ],
)
def test_list_filters(client, analyst, catalogue, params, expected):
    query = {k: catalogue.get(v, v) if k.endswith(("_id", "_by")) else v for k, v in params.items()}

    response = client.get(URL, query_string=query, headers=analyst.headers)

    assert labels(response) == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_latest_moves_on_when_a_newer_version_is_published(client, admin, catalogue):
    publish(client, admin, catalogue["NMR-ELEARN v3"])

    response = client.get(URL, query_string={"latest": "true", "code": "NMR-ELEARN"}, headers=admin.headers)

    assert labels(response) == ["NMR-ELEARN v3"]
    managers = client.get(URL, query_string={"latest": "true", "audience": "manager"}, headers=admin.headers)
    assert labels(managers) == ["NMR-ELEARN v3"]


def test_latest_skips_a_retired_newest_version(client, admin, catalogue):
    retired = client.post(f"{one(catalogue['NMR-ELEARN v2'])}/retire", headers=admin.headers)
    assert retired.status_code == 200, retired.json

    response = client.get(URL, query_string={"latest": "true", "code": "NMR-ELEARN"}, headers=admin.headers)

    assert labels(response) == ["NMR-ELEARN v1"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ALL_LABELS),
        ("-code", list(reversed(ALL_LABELS))),
        (
            "published_at",  # all published at the same time, then by id; drafts last
            [
                "NMR-ELEARN v1",
                "NMR-ELEARN v2",
                "UNODC-VEP v1",
                "KTA-VEP-PSY v1",
                "MEDIA_COMMS v1",
                "NMR-ELEARN v3",
                "TOT-EXTREMISM v1",
            ],
        ),
        (
            "-version,code",
            [
                "NMR-ELEARN v3",
                "NMR-ELEARN v2",
                "KTA-VEP-PSY v1",
                "MEDIA_COMMS v1",
                "NMR-ELEARN v1",
                "TOT-EXTREMISM v1",
                "UNODC-VEP v1",
            ],
        ),
        (
            "version,-code",
            [
                "UNODC-VEP v1",
                "TOT-EXTREMISM v1",
                "NMR-ELEARN v1",
                "MEDIA_COMMS v1",
                "KTA-VEP-PSY v1",
                "NMR-ELEARN v2",
                "NMR-ELEARN v3",
            ],
        ),
    ],
)
def test_list_sorts(client, analyst, catalogue, sort, expected):
    assert labels(client.get(URL, query_string={"sort": sort}, headers=analyst.headers)) == expected


def test_list_sorts_by_version_with_ties_in_id_order(client, analyst, catalogue):
    ascending = client.get(URL, query_string={"sort": "version"}, headers=analyst.headers).json
    descending = client.get(URL, query_string={"sort": "-version"}, headers=analyst.headers).json

    assert [c["version"] for c in ascending] == [1, 1, 1, 1, 1, 2, 3]
    assert [c["id"] for c in ascending[:5]] == sorted(c["id"] for c in ascending[:5])
    assert [c["version"] for c in descending] == [3, 2, 1, 1, 1, 1, 1]
    assert [c["id"] for c in descending[2:]] == sorted((c["id"] for c in descending[2:]), reverse=True)


def test_list_pagination_headers(client, analyst, catalogue):
    response = client.get(URL, query_string={"page": 2, "page_size": 3}, headers=analyst.headers)

    assert labels(response) == ALL_LABELS[3:6]
    assert response.headers["X-Total-Count"] == "7"
    assert links(response, URL) == {
        "first": {"page": "1", "page_size": "3"},
        "prev": {"page": "1", "page_size": "3"},
        "next": {"page": "3", "page_size": "3"},
        "last": {"page": "3", "page_size": "3"},
    }
    last = client.get(URL, query_string={"page": 3, "page_size": 3}, headers=analyst.headers)
    assert labels(last) == ALL_LABELS[6:]
    assert set(links(last, URL)) == {"first", "prev", "last"}


def test_list_links_keep_filters(client, analyst, catalogue):
    params = {"code": "NMR-ELEARN", "page_size": 2, "sort": "-version"}

    response = client.get(URL, query_string=params, headers=analyst.headers)

    assert labels(response) == ["NMR-ELEARN v3", "NMR-ELEARN v2"]
    assert response.headers["X-Total-Count"] == "3"
    following = client.get(URL, query_string=links(response, URL)["next"], headers=analyst.headers)
    assert labels(following) == ["NMR-ELEARN v1"]


def test_list_filters_by_updated_since(client, analyst, dbs):
    CurriculumFactory(code="OLD", updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    CurriculumFactory(code="NEW")

    response = client.get(
        URL, query_string={"updated_since": "2024-01-01T00:00:00Z"}, headers=analyst.headers
    )

    assert labels(response) == ["NEW v1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"latest": "maybe"}, "latest"),
        ({"audience": "warden"}, "audience"),
        ({"standard": "geneva"}, "standard"),
        ({"delivery_mode": "radio"}, "delivery_mode"),
        ({"language": "fr"}, "language"),
        ({"code": "nmr"}, "code"),
        ({"owner_institution_id": "home"}, "owner_institution_id"),
        ({"adopted_by": 0}, "adopted_by"),
        ({"derived_from_id": -1}, "derived_from_id"),
        ({"q": ""}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"sort": "title"}, "sort"),
        ({"sort": "-total_hours"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"owner": 1}, "owner"),
        ({"version": 2}, "version"),
    ],
)
def test_list_rejects_invalid_arguments(client, analyst, params, field):
    assert_validation(client.get(URL, query_string=params, headers=analyst.headers), field)


def test_list_query_count_does_not_grow_with_rows(client, admin, dbs, home, count_queries):
    def add_curricula(count: int) -> None:
        for _ in range(count):
            source = CurriculumFactory(
                owner_institution_id=home.id,
                status=CurriculumStatus.PUBLISHED,
                modules=[module(1, "1"), module(2, "2"), module(3, "3.5")],
            )
            for _ in range(2):
                CurriculumFactory(owner_institution_id=home.id, derived_from_id=source.id)

    add_curricula(1)
    client.get(URL, headers=admin.headers)  # warm up connections

    def listing(count: int) -> tuple[list, list]:
        with count_queries() as statements:
            response = client.get(URL, query_string={"page_size": 100}, headers=admin.headers)
        assert response.status_code == 200
        assert len(response.json) == count
        return response.json, statements

    _, few = listing(3)
    add_curricula(3)
    items, many = listing(12)

    sources = [c for c in items if c["status"] == "published"]
    assert len(sources) == 4
    assert all(len(c["modules"]) == 3 and c["total_hours"] == 6.5 for c in sources)
    assert all(len(c["derivative_ids"]) == 2 for c in sources)
    assert all(len(c["modules"]) == 2 for c in items if c["status"] == "draft")
    assert len(many) == len(few), many
    # The token's sign-in, the count, the page, then modules and derivatives.
    assert len(many) <= 5, many
