"""/api/v1/curricula/{id}/adoptions: which institution adopted which version, under which agreement."""

from datetime import date

import pytest

from hub_api.models import Agreement, AgreementParty, CurriculumAdoption
from hub_api.models.enums import AgreementKind, CurriculumStatus, PartyRole
from tests.factories import InstitutionFactory
from tests.helpers import audit_events_via_api, client_headers, links, reloaded, row_count, with_server_fields
from tests.problems import assert_problem, assert_unauthorized, assert_validation
from tests.resources.test_curricula import CurriculumFactory
from tests.resources.test_curricula import one as curriculum_url


@pytest.fixture(autouse=True)
def _bind_factories(dbs):
    CurriculumFactory._meta.sqlalchemy_session = dbs


def adoptions_url(curriculum_id: int) -> str:
    return f"{curriculum_url(curriculum_id)}/adoptions"


def adoption_url(curriculum_id: int, adoption_id: int) -> str:
    return f"{adoptions_url(curriculum_id)}/{adoption_id}"


@pytest.fixture
def unodc(dbs):
    """The owner of the handbook curriculum."""
    return InstitutionFactory(code="UNODC", name={"en": "UNODC"}, country="AT")


@pytest.fixture
def curriculum(dbs, unodc):
    """Version 1 of the UNODC handbook course, published."""
    return CurriculumFactory(
        code="UNODC-VEP", status=CurriculumStatus.PUBLISHED, owner_institution_id=unodc.id
    )


def make_agreement(dbs, reference: str, *institutions, roles=None) -> Agreement:
    """An agreement between these institutions (each with role `party` unless `roles` says)."""
    roles = roles or [PartyRole.PARTY] * len(institutions)
    agreement = Agreement(
        reference=reference,
        title={"en": reference},
        kind=AgreementKind.MOU,
        parties=[
            AgreementParty(institution_id=i.id, role=r) for i, r in zip(institutions, roles, strict=True)
        ],
    )
    dbs.add(agreement)
    dbs.commit()
    return agreement


@pytest.fixture
def mou(dbs, home, foreign):
    """The 2024 MoU between the home and the foreign academy."""
    return make_agreement(dbs, "MOU-2024-KG", home, foreign)


def adoption_body(institution_id: int, agreement_id: int | None = None, **changes) -> dict:
    return {
        "institution_id": institution_id,
        "agreement_id": agreement_id,
        "adopted_on": "2024-10-01",
        "language": "ky",
        "local_title": "Зордук-зомбулук экстремисттер менен иштөө",
        "notes": "Adopted for the Bishkek training centre.",
        **changes,
    }


def adopt(client, actor, curriculum_id: int, body: dict) -> dict:
    response = client.post(adoptions_url(curriculum_id), json=body, headers=actor.headers)
    assert response.status_code == 201, response.json
    return response.json


def make_adoption(dbs, curriculum_id: int, institution_id: int, **fields) -> CurriculumAdoption:
    adoption = CurriculumAdoption(
        curriculum_id=curriculum_id,
        institution_id=institution_id,
        adopted_on=fields.pop("adopted_on", date(2024, 6, 1)),
        language=fields.pop("language", "ru"),
        **fields,
    )
    dbs.add(adoption)
    dbs.commit()
    return adoption


# --- create ---------------------------------------------------------------------------------


def test_admin_records_an_adoption_for_any_institution(client, admin, dbs, curriculum, foreign, mou):
    body_in = adoption_body(foreign.id, mou.id)

    response = client.post(adoptions_url(curriculum.id), json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert body == with_server_fields(body, {**body_in, "curriculum_id": curriculum.id})
    assert response.headers["Location"].endswith(adoption_url(curriculum.id, body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    again = client.get(adoption_url(curriculum.id, body["id"]), headers=admin.headers)
    assert again.status_code == 200
    assert (again.json, again.headers["ETag"]) == (body, response.headers["ETag"])
    stored = reloaded(dbs, CurriculumAdoption, body["id"])
    assert (stored.curriculum_id, stored.institution_id, stored.agreement_id) == (
        curriculum.id,
        foreign.id,
        mou.id,
    )
    assert stored.adopted_on == date(2024, 10, 1)


def test_create_with_required_fields_only(client, admin, curriculum, foreign):
    body_in = {"institution_id": foreign.id, "adopted_on": "2025-02-28", "language": "ru"}

    response = client.post(adoptions_url(curriculum.id), json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    expected = {
        **body_in,
        "curriculum_id": curriculum.id,
        "agreement_id": None,
        "local_title": None,
        "notes": None,
    }
    assert response.json == with_server_fields(response.json, expected)


def test_coordinator_records_its_own_institutions_adoption(client, coordinator, curriculum, home, mou):
    adoption = adopt(client, coordinator, curriculum.id, adoption_body(home.id, mou.id, language="kk"))

    assert (adoption["institution_id"], adoption["language"]) == (home.id, "kk")


def test_coordinator_cannot_record_another_institutions_adoption(
    client, coordinator, dbs, curriculum, foreign
):
    body = assert_problem(
        client.post(
            adoptions_url(curriculum.id), json=adoption_body(foreign.id), headers=coordinator.headers
        ),
        403,
    )

    assert "own institution" in body["detail"]
    assert row_count(dbs, CurriculumAdoption) == 0


def test_owners_coordinator_cannot_record_adoptions_by_others(client, coordinator, dbs, home, foreign):
    owned = CurriculumFactory(status=CurriculumStatus.PUBLISHED, owner_institution_id=home.id)

    assert_problem(
        client.post(adoptions_url(owned.id), json=adoption_body(foreign.id), headers=coordinator.headers), 403
    )
    assert row_count(dbs, CurriculumAdoption) == 0


def test_analyst_cannot_record_adoptions(client, analyst, dbs, curriculum, foreign):
    assert_problem(
        client.post(adoptions_url(curriculum.id), json=adoption_body(foreign.id), headers=analyst.headers),
        403,
    )
    assert row_count(dbs, CurriculumAdoption) == 0


def test_api_client_cannot_record_adoptions(app, client, dbs, curriculum, home):
    headers = client_headers(app, ["catalogue:read", "participants:write"], institution=home)

    assert_problem(
        client.post(adoptions_url(curriculum.id), json=adoption_body(home.id), headers=headers), 403
    )
    assert row_count(dbs, CurriculumAdoption) == 0


def test_create_without_token_is_401(client, dbs, curriculum, foreign):
    assert_unauthorized(client.post(adoptions_url(curriculum.id), json=adoption_body(foreign.id)))
    assert row_count(dbs, CurriculumAdoption) == 0


def test_adopting_a_draft_conflicts(client, admin, dbs, foreign):
    draft = CurriculumFactory(status=CurriculumStatus.DRAFT)

    body = assert_problem(
        client.post(adoptions_url(draft.id), json=adoption_body(foreign.id), headers=admin.headers), 409
    )

    assert body["detail"] == "A draft cannot be adopted; publish it first."
    assert row_count(dbs, CurriculumAdoption) == 0


def test_a_retired_version_can_still_be_recorded_as_adopted(client, admin, foreign):
    retired = CurriculumFactory(status=CurriculumStatus.RETIRED)

    assert adopt(client, admin, retired.id, adoption_body(foreign.id))["curriculum_id"] == retired.id


def test_adopting_the_same_version_twice_conflicts(client, admin, dbs, curriculum, foreign):
    first = adopt(client, admin, curriculum.id, adoption_body(foreign.id))

    response = client.post(
        adoptions_url(curriculum.id), json=adoption_body(foreign.id, language="ru"), headers=admin.headers
    )

    body = assert_problem(response, 409, errors={"institution_id": ["Already adopted."]})
    assert f"adoption {first['id']}" in body["detail"]
    assert row_count(dbs, CurriculumAdoption) == 1


def test_the_same_institution_adopts_another_version(client, admin, curriculum, foreign):
    adopt(client, admin, curriculum.id, adoption_body(foreign.id))
    second = CurriculumFactory(
        code=curriculum.code,
        number=2,
        status=CurriculumStatus.PUBLISHED,
        owner_institution_id=curriculum.owner_institution_id,
    )

    assert adopt(client, admin, second.id, adoption_body(foreign.id))["curriculum_id"] == second.id


def test_agreement_must_include_the_adopting_institution(
    client, admin, dbs, curriculum, home, foreign, unodc
):
    others = make_agreement(dbs, "MOU-KZ-UNODC", home, unodc)

    errors = assert_validation(
        client.post(
            adoptions_url(curriculum.id), json=adoption_body(foreign.id, others.id), headers=admin.headers
        ),
        "agreement_id",
    )

    assert errors == {"agreement_id": [f"Institution {foreign.id} is not among its parties."]}
    assert row_count(dbs, CurriculumAdoption) == 0


def test_a_supporting_party_may_adopt_under_the_agreement(
    client, admin, dbs, curriculum, home, foreign, unodc
):
    agreement = make_agreement(
        dbs, "MOU-3", home, foreign, unodc, roles=[PartyRole.PARTY, PartyRole.PARTY, PartyRole.SUPPORTING]
    )

    assert (
        adopt(client, admin, curriculum.id, adoption_body(unodc.id, agreement.id))["agreement_id"]
        == agreement.id
    )


@pytest.mark.parametrize(
    ("field", "label"), [("institution_id", "institution"), ("agreement_id", "agreement")]
)
def test_unknown_reference_is_422(client, admin, dbs, curriculum, foreign, field, label):
    body_in = {**adoption_body(foreign.id), field: 424242}

    errors = assert_validation(
        client.post(adoptions_url(curriculum.id), json=body_in, headers=admin.headers), field
    )

    assert errors == {field: [f"No {label} with id 424242."]}
    assert row_count(dbs, CurriculumAdoption) == 0


def test_create_requires_institution_date_and_language(client, admin, dbs, curriculum):
    response = client.post(adoptions_url(curriculum.id), json={"notes": "?"}, headers=admin.headers)

    assert_validation(response, "institution_id", "adopted_on", "language")
    assert row_count(dbs, CurriculumAdoption) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"institution_id": 0}, "institution_id"),
        ({"institution_id": None}, "institution_id"),
        ({"agreement_id": "MOU"}, "agreement_id"),
        ({"adopted_on": "2024-02-30"}, "adopted_on"),
        ({"adopted_on": "last spring"}, "adopted_on"),
        ({"language": "fr"}, "language"),
        ({"language": None}, "language"),
        ({"local_title": "x" * 301}, "local_title"),
        ({"notes": "x" * 4001}, "notes"),
        ({"curriculum_id": 1}, "curriculum_id"),
        ({"id": 5}, "id"),
        ({"status": "active"}, "status"),
    ],
)
def test_create_rejects_invalid_field(client, admin, dbs, curriculum, foreign, change, field):
    body_in = {**adoption_body(foreign.id), **change}

    assert_validation(client.post(adoptions_url(curriculum.id), json=body_in, headers=admin.headers), field)
    assert row_count(dbs, CurriculumAdoption) == 0


def test_adopting_an_unknown_curriculum_is_404(client, admin, dbs, foreign):
    body = assert_problem(
        client.post(adoptions_url(424242), json=adoption_body(foreign.id), headers=admin.headers), 404
    )

    assert "424242" in body["detail"]
    assert row_count(dbs, CurriculumAdoption) == 0


def test_create_is_audited(client, admin, curriculum, foreign, mou):
    adoption = adopt(client, admin, curriculum.id, adoption_body(foreign.id, mou.id))

    events = audit_events_via_api(client, admin, action="curriculum_adoptions.create")
    assert [(e["object_type"], e["object_id"]) for e in events] == [
        ("curriculum_adoptions", str(adoption["id"]))
    ]
    assert (events[0]["actor_id"], events[0]["method"], events[0]["path"]) == (
        admin.user.id,
        "POST",
        adoptions_url(curriculum.id),
    )


# --- read -----------------------------------------------------------------------------------


@pytest.fixture
def adoptions(dbs, curriculum, home, foreign, mou):
    """Three adoptions of the curriculum and one of another curriculum; ids by institution key."""
    third = InstitutionFactory(code="KNU", name={"en": "Kyrgyz National University"}, country="KG")
    other = CurriculumFactory(status=CurriculumStatus.PUBLISHED)
    return {
        "home": make_adoption(dbs, curriculum.id, home.id, adopted_on=date(2024, 9, 1), agreement_id=mou.id),
        "foreign": make_adoption(
            dbs, curriculum.id, foreign.id, adopted_on=date(2024, 3, 1), agreement_id=mou.id, language="ky"
        ),
        "knu": make_adoption(dbs, curriculum.id, third.id, adopted_on=date(2024, 6, 1), local_title="Курс"),
        "elsewhere": make_adoption(dbs, other.id, home.id),
        "other_curriculum": other,
        "knu_institution": third,
    }


def test_list_returns_plain_array_of_whole_objects(client, analyst, curriculum, adoptions, foreign, mou):
    response = client.get(
        adoptions_url(curriculum.id), query_string={"institution_id": foreign.id}, headers=analyst.headers
    )

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    adoption = adoptions["foreign"]
    assert response.json == [
        {
            "id": adoption.id,
            "curriculum_id": curriculum.id,
            "institution_id": foreign.id,
            "agreement_id": mou.id,
            "adopted_on": "2024-03-01",
            "language": "ky",
            "local_title": None,
            "notes": None,
            "created_at": response.json[0]["created_at"],
            "updated_at": response.json[0]["updated_at"],
        }
    ]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json]


def test_list_holds_only_this_curriculums_adoptions_by_date(client, coordinator, curriculum, adoptions):
    response = client.get(adoptions_url(curriculum.id), headers=coordinator.headers)

    assert ids(response) == [adoptions[k].id for k in ("foreign", "knu", "home")]
    newest_first = client.get(
        adoptions_url(curriculum.id), query_string={"sort": "-adopted_on"}, headers=coordinator.headers
    )
    assert ids(newest_first) == [adoptions[k].id for k in ("home", "knu", "foreign")]
    other = adoptions["other_curriculum"]
    assert ids(client.get(adoptions_url(other.id), headers=coordinator.headers)) == [
        adoptions["elsewhere"].id
    ]


def test_list_filters_by_agreement(client, admin, curriculum, adoptions, mou):
    response = client.get(
        adoptions_url(curriculum.id), query_string={"agreement_id": mou.id}, headers=admin.headers
    )

    assert ids(response) == [adoptions["foreign"].id, adoptions["home"].id]
    none = client.get(
        adoptions_url(curriculum.id), query_string={"agreement_id": 424242}, headers=admin.headers
    )
    assert ids(none) == []


def test_list_pagination_headers(client, admin, curriculum, adoptions):
    url = adoptions_url(curriculum.id)

    response = client.get(url, query_string={"page": 2, "page_size": 2}, headers=admin.headers)

    assert ids(response) == [adoptions["home"].id]
    assert response.headers["X-Total-Count"] == "3"
    assert links(response, url) == {
        "first": {"page": "1", "page_size": "2"},
        "prev": {"page": "1", "page_size": "2"},
        "last": {"page": "2", "page_size": "2"},
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"institution_id": "home"}, "institution_id"),
        ({"agreement_id": 0}, "agreement_id"),
        ({"sort": "language"}, "sort"),
        ({"page_size": 0}, "page_size"),
        ({"updated_since": "now"}, "updated_since"),
        ({"language": "ru"}, "language"),
    ],
)
def test_list_rejects_invalid_arguments(client, analyst, curriculum, params, field):
    assert_validation(
        client.get(adoptions_url(curriculum.id), query_string=params, headers=analyst.headers), field
    )


def test_list_of_an_unknown_curriculum_is_404(client, analyst):
    assert_problem(client.get(adoptions_url(424242), headers=analyst.headers), 404)


def test_list_and_get_need_a_reader(app, client, curriculum, adoptions, home):
    url = adoption_url(curriculum.id, adoptions["home"].id)
    assert_unauthorized(client.get(adoptions_url(curriculum.id)))
    assert_unauthorized(client.get(url))
    reader = client_headers(app, ["catalogue:read"], institution=home)
    other = client_headers(app, ["participants:read"], institution=home)
    assert len(ids(client.get(adoptions_url(curriculum.id), headers=reader))) == 3
    assert client.get(url, headers=reader).status_code == 200
    assert_problem(client.get(adoptions_url(curriculum.id), headers=other), 403)
    assert_problem(client.get(url, headers=other), 403)


def test_list_query_count_does_not_grow_with_rows(client, admin, dbs, curriculum, count_queries):
    def add_adoptions(count: int) -> None:
        for _ in range(count):
            make_adoption(dbs, curriculum.id, InstitutionFactory().id)

    url = adoptions_url(curriculum.id)
    add_adoptions(2)
    client.get(url, headers=admin.headers)  # warm up connections

    with count_queries() as few:
        small = client.get(url, headers=admin.headers)
    add_adoptions(10)
    with count_queries() as many:
        large = client.get(url, headers=admin.headers)

    assert (len(small.json), len(large.json)) == (2, 12)
    assert len(many) == len(few), many
    # The token's sign-in, the curriculum, the count and the page.
    assert len(many) <= 4, many


def test_get_returns_the_adoption_with_etag(client, analyst, curriculum, adoptions, home, mou):
    adoption = adoptions["home"]

    response = client.get(adoption_url(curriculum.id, adoption.id), headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{adoption.id}-1"'
    assert response.json == {
        "id": adoption.id,
        "curriculum_id": curriculum.id,
        "institution_id": home.id,
        "agreement_id": mou.id,
        "adopted_on": "2024-09-01",
        "language": "ru",
        "local_title": None,
        "notes": None,
        "created_at": response.json["created_at"],
        "updated_at": response.json["updated_at"],
    }


def test_an_adoption_under_another_curriculums_path_is_404(client, admin, curriculum, adoptions):
    elsewhere = adoptions["elsewhere"]
    wrong = adoption_url(curriculum.id, elsewhere.id)

    assert_problem(client.get(wrong, headers=admin.headers), 404)
    assert_problem(client.patch(wrong, json={"notes": "x"}, headers=admin.headers), 404)
    assert_problem(client.delete(wrong, headers=admin.headers), 404)
    assert_problem(client.get(adoption_url(424242, elsewhere.id), headers=admin.headers), 404)
    assert (
        client.get(adoption_url(elsewhere.curriculum_id, elsewhere.id), headers=admin.headers).status_code
        == 200
    )


def test_get_unknown_adoption_is_404(client, admin, curriculum):
    body = assert_problem(client.get(adoption_url(curriculum.id, 424242), headers=admin.headers), 404)
    assert "424242" in body["detail"]


# --- update and delete ----------------------------------------------------------------------


def test_patch_changes_an_adoption(client, admin, dbs, curriculum, adoptions, home, foreign, unodc):
    adoption = adoptions["home"]
    url = adoption_url(curriculum.id, adoption.id)
    before = client.get(url, headers=admin.headers)
    agreement = make_agreement(dbs, "MOU-2025", home, unodc)
    changes = {
        "agreement_id": agreement.id,
        "adopted_on": "2025-01-20",
        "language": "kk",
        "local_title": "Экстремизм",
        "notes": "Second cohort planned",
    }

    response = client.patch(url, json=changes, headers={**admin.headers, "If-Match": before.headers["ETag"]})

    assert response.status_code == 200, response.json
    assert response.json == {**before.json, **changes, "updated_at": response.json["updated_at"]}
    assert response.headers["ETag"] == f'"{adoption.id}-2"'
    assert client.get(url, headers=admin.headers).json == response.json
    events = audit_events_via_api(
        client, admin, action="curriculum_adoptions.update", object_id=str(adoption.id)
    )
    assert [e["details"]["fields"] for e in events] == [
        ["adopted_on", "agreement_id", "language", "local_title", "notes"]
    ]


def test_patch_can_clear_the_agreement(client, admin, curriculum, adoptions):
    adoption = adoptions["home"]

    response = client.patch(
        adoption_url(curriculum.id, adoption.id), json={"agreement_id": None}, headers=admin.headers
    )

    assert response.status_code == 200, response.json
    assert response.json["agreement_id"] is None


def test_patch_to_an_agreement_without_the_institution_is_422(
    client, admin, dbs, curriculum, adoptions, foreign, unodc, mou
):
    adoption = adoptions["home"]
    others = make_agreement(dbs, "MOU-KG-UNODC", foreign, unodc)

    errors = assert_validation(
        client.patch(
            adoption_url(curriculum.id, adoption.id), json={"agreement_id": others.id}, headers=admin.headers
        ),
        "agreement_id",
    )

    assert errors == {"agreement_id": [f"Institution {adoption.institution_id} is not among its parties."]}
    assert reloaded(dbs, CurriculumAdoption, adoption.id).agreement_id == mou.id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"institution_id": 1}, "institution_id"),
        ({"curriculum_id": 1}, "curriculum_id"),
        ({"language": "de"}, "language"),
        ({"adopted_on": None}, "adopted_on"),
        ({"agreement_id": 424242}, "agreement_id"),
    ],
)
def test_patch_rejects_invalid_field(client, admin, dbs, curriculum, adoptions, change, field):
    adoption = adoptions["home"]

    assert_validation(
        client.patch(adoption_url(curriculum.id, adoption.id), json=change, headers=admin.headers), field
    )
    assert reloaded(dbs, CurriculumAdoption, adoption.id).version == 1


def test_patch_with_stale_if_match_is_412(client, admin, dbs, curriculum, adoptions):
    adoption = adoptions["home"]
    url = adoption_url(curriculum.id, adoption.id)
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    assert (
        client.patch(url, json={"notes": "A"}, headers={**admin.headers, "If-Match": etag}).status_code == 200
    )

    assert_problem(client.patch(url, json={"notes": "B"}, headers={**admin.headers, "If-Match": etag}), 412)
    assert reloaded(dbs, CurriculumAdoption, adoption.id).notes == "A"
    assert client.patch(url, json={"notes": "C"}, headers=admin.headers).status_code == 200


def test_coordinator_manages_its_own_institutions_adoption(client, coordinator, dbs, curriculum, adoptions):
    adoption = adoptions["home"]
    url = adoption_url(curriculum.id, adoption.id)

    changed = client.patch(url, json={"local_title": "Наш курс"}, headers=coordinator.headers)

    assert changed.status_code == 200, changed.json
    assert changed.json["local_title"] == "Наш курс"
    assert client.delete(url, headers=coordinator.headers).status_code == 204
    assert reloaded(dbs, CurriculumAdoption, adoption.id) is None


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_others_cannot_change_or_remove_an_adoption(client, request, dbs, curriculum, adoptions, role):
    adoption = adoptions["foreign"]
    url = adoption_url(curriculum.id, adoption.id)
    actor = request.getfixturevalue(role)

    assert_problem(client.patch(url, json={"notes": "x"}, headers=actor.headers), 403)
    assert_problem(client.delete(url, headers=actor.headers), 403)
    stored = reloaded(dbs, CurriculumAdoption, adoption.id)
    assert (stored.notes, stored.version) == (None, 1)


def test_api_client_and_anonymous_cannot_change_an_adoption(app, client, dbs, curriculum, adoptions, home):
    adoption = adoptions["home"]
    url = adoption_url(curriculum.id, adoption.id)
    headers = client_headers(app, ["catalogue:read"], institution=home)

    assert_problem(client.patch(url, json={"notes": "x"}, headers=headers), 403)
    assert_problem(client.delete(url, headers=headers), 403)
    assert_unauthorized(client.patch(url, json={"notes": "x"}))
    assert_unauthorized(client.delete(url))
    assert reloaded(dbs, CurriculumAdoption, adoption.id) is not None


def test_delete_an_adoption(client, admin, dbs, curriculum, adoptions, foreign):
    adoption_id = adoptions["foreign"].id
    url = adoption_url(curriculum.id, adoption_id)

    response = client.delete(url, headers=admin.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(url, headers=admin.headers), 404)
    assert reloaded(dbs, CurriculumAdoption, adoption_id) is None
    assert len(ids(client.get(adoptions_url(curriculum.id), headers=admin.headers))) == 2
    events = audit_events_via_api(client, admin, action="curriculum_adoptions.delete")
    assert [(e["object_id"], e["path"]) for e in events] == [(str(adoption_id), url)]
    again = adopt(client, admin, curriculum.id, adoption_body(foreign.id))
    assert again["id"] != adoption_id


def test_delete_with_stale_if_match_is_412(client, admin, dbs, curriculum, adoptions):
    adoption = adoptions["home"]
    url = adoption_url(curriculum.id, adoption.id)

    assert_problem(client.delete(url, headers={**admin.headers, "If-Match": f'"{adoption.id}-0"'}), 412)
    assert reloaded(dbs, CurriculumAdoption, adoption.id) is not None
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    assert client.delete(url, headers={**admin.headers, "If-Match": etag}).status_code == 204


def test_adopted_by_filter_follows_adoptions(client, admin, curriculum, foreign):
    url = "/api/v1/curricula"
    assert client.get(url, query_string={"adopted_by": foreign.id}, headers=admin.headers).json == []

    adoption = adopt(client, admin, curriculum.id, adoption_body(foreign.id))

    listed = client.get(url, query_string={"adopted_by": foreign.id}, headers=admin.headers).json
    assert [c["id"] for c in listed] == [curriculum.id]
    client.delete(adoption_url(curriculum.id, adoption["id"]), headers=admin.headers)
    assert client.get(url, query_string={"adopted_by": foreign.id}, headers=admin.headers).json == []
