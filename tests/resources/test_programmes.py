"""/api/v1/programmes: donor-funded programmes, their targets, filters, access, concurrency and audit."""

from datetime import UTC, date, datetime

import factory
import pytest
import sqlalchemy as sa
from factory.alchemy import SQLAlchemyModelFactory

from hub_api.models import Agreement, Programme, ProgrammeTarget
from hub_api.models.enums import AgreementKind, InstitutionKind, ProgrammeMetric
from hub_api.models.programme import programme_donors, programme_implementers
from tests.factories import InstitutionFactory
from tests.helpers import (
    assert_timestamp,
    audit_events_via_api,
    client_headers,
    codes,
    links,
    reloaded,
    row_count,
    with_server_fields,
)
from tests.problems import assert_problem, assert_unauthorized, assert_validation

URL = "/api/v1/programmes"


def one(programme_id: int) -> str:
    return f"{URL}/{programme_id}"


class ProgrammeFactory(SQLAlchemyModelFactory):
    """A programme without donors, implementers or targets unless given."""

    class Meta:
        model = Programme
        sqlalchemy_session_persistence = "commit"

    code = factory.Sequence(lambda n: f"PRG{n:03d}")
    name = factory.LazyAttribute(lambda o: {"en": f"Programme {o.code}"})


@pytest.fixture(autouse=True)
def _bind_factories(dbs):
    ProgrammeFactory._meta.sqlalchemy_session = dbs


@pytest.fixture
def partners(dbs):
    """Donors and implementers, created in id order: eu < nl < unoct < unodc < undp."""
    return {
        "eu": InstitutionFactory(code="EU", name={"en": "European Union"}, kind=InstitutionKind.DONOR),
        "nl": InstitutionFactory(code="NL-MFA", name={"en": "Netherlands"}, kind=InstitutionKind.DONOR),
        "unoct": InstitutionFactory(
            code="UNOCT", name={"en": "UN Counter-Terrorism"}, kind=InstitutionKind.DONOR
        ),
        "unodc": InstitutionFactory(
            code="UNODC", name={"en": "UNODC"}, kind=InstitutionKind.INTERNATIONAL_ORGANISATION
        ),
        "undp": InstitutionFactory(
            code="UNDP", name={"en": "UNDP"}, kind=InstitutionKind.INTERNATIONAL_ORGANISATION
        ),
    }


def full_body(partners) -> dict:
    return {
        "code": "GLOBAL-VEP",
        "name": {
            "en": "Global Programme on Violent Extremist Prisoners",
            "ru": "Глобальная программа по заключённым экстремистам",
        },
        "description": "Joint UN programme on managing violent extremist prisoners.",
        "donor_ids": [partners["eu"].id, partners["nl"].id, partners["unoct"].id],
        "implementer_ids": [partners["unodc"].id],
        "starts_on": "2024-01-01",
        "ends_on": "2027-12-31",
        # In the order the API lists them: by metric.
        "targets": [
            {"metric": "participants_trained", "target": 150},
            {"metric": "women_trained", "target": 40},
        ],
    }


def stored_targets(dbs, programme_id: int) -> dict:
    dbs.expire_all()
    rows = dbs.execute(
        sa.select(ProgrammeTarget.metric, ProgrammeTarget.target).where(
            ProgrammeTarget.programme_id == programme_id
        )
    )
    return {metric.value: target for metric, target in rows}


def link_rows(dbs, table, programme_id: int) -> list[int]:
    dbs.expire_all()
    return sorted(dbs.scalars(sa.select(table.c.institution_id).where(table.c.programme_id == programme_id)))


def referring_agreement(dbs, programme_id: int) -> Agreement:
    agreement = Agreement(
        reference="MOU-FUNDED", title={"en": "Funded MoU"}, kind=AgreementKind.MOU, programme_id=programme_id
    )
    dbs.add(agreement)
    dbs.commit()
    return agreement


# --- create ---------------------------------------------------------------------------------


def test_admin_creates_programme_with_donors_implementers_and_targets(client, admin, dbs, partners):
    body_in = full_body(partners)

    response = client.post(URL, json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert body == with_server_fields(body, body_in)
    assert response.headers["Location"].endswith(one(body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    again = client.get(one(body["id"]), headers=admin.headers)
    assert again.status_code == 200
    assert again.json == body
    assert again.headers["ETag"] == response.headers["ETag"]
    assert link_rows(dbs, programme_donors, body["id"]) == body_in["donor_ids"]
    assert link_rows(dbs, programme_implementers, body["id"]) == body_in["implementer_ids"]
    assert stored_targets(dbs, body["id"]) == {"participants_trained": 150, "women_trained": 40}


def test_create_with_code_and_name_only_fills_defaults(client, admin):
    response = client.post(URL, json={"code": "P-1", "name": {"kk": "Бағдарлама"}}, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    expected = {
        "code": "P-1",
        "name": {"kk": "Бағдарлама"},
        "description": None,
        "donor_ids": [],
        "implementer_ids": [],
        "starts_on": None,
        "ends_on": None,
        "targets": [],
    }
    assert body == with_server_fields(body, expected)


def test_create_lists_donors_by_id_and_ignores_repeats(client, admin, partners):
    eu, nl = partners["eu"].id, partners["nl"].id
    body_in = {**full_body(partners), "donor_ids": [nl, eu, nl], "implementer_ids": [nl]}

    response = client.post(URL, json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    assert response.json["donor_ids"] == [eu, nl]
    assert response.json["implementer_ids"] == [nl]


def test_create_allows_a_one_day_programme(client, admin):
    body_in = {
        "code": "ONE-DAY",
        "name": {"en": "Workshop"},
        "starts_on": "2025-03-01",
        "ends_on": "2025-03-01",
    }

    response = client.post(URL, json=body_in, headers=admin.headers)

    assert response.status_code == 201, response.json
    assert (response.json["starts_on"], response.json["ends_on"]) == ("2025-03-01", "2025-03-01")


def test_create_is_audited_with_object_id(client, admin, partners):
    created = client.post(URL, json=full_body(partners), headers=admin.headers).json

    events = audit_events_via_api(client, admin, action="programmes.create")
    assert len(events) == 1
    event = events[0]
    assert (event["object_type"], event["object_id"]) == ("programmes", str(created["id"]))
    assert (event["actor_type"], event["actor_id"]) == ("user", admin.user.id)
    assert (event["outcome"], event["method"], event["path"]) == ("success", "POST", URL)
    targets = audit_events_via_api(client, admin, action="programme_targets.create")
    assert len(targets) == 2


def test_create_requires_code_and_name(client, admin, dbs):
    response = client.post(URL, json={"description": "Nameless"}, headers=admin.headers)

    assert_validation(response, "code", "name")
    assert row_count(dbs, Programme) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "global-vep"}, "code"),
        ({"code": "G"}, "code"),
        ({"code": None}, "code"),
        ({"name": {}}, "name"),
        ({"name": {"fr": "Programme"}}, "name.fr.key"),
        ({"description": "x" * 4001}, "description"),
        ({"donor_ids": "1"}, "donor_ids"),
        ({"donor_ids": ["first"]}, "donor_ids.0"),
        ({"implementer_ids": [0]}, "implementer_ids.0"),
        ({"starts_on": "2024-13-01"}, "starts_on"),
        ({"ends_on": "next year"}, "ends_on"),
        ({"targets": [{"metric": "hearts_won", "target": 1}]}, "targets.0.metric"),
        ({"targets": [{"metric": "women_trained", "target": -1}]}, "targets.0.target"),
        ({"targets": [{"metric": "women_trained"}]}, "targets.0.target"),
        ({"targets": [{"metric": "women_trained", "target": 1, "per": "year"}]}, "targets.0.per"),
        ({"budget": 1_000_000}, "budget"),
        ({"id": 7}, "id"),
        ({"updated_at": "2024-01-01T00:00:00Z"}, "updated_at"),
    ],
)
def test_create_rejects_invalid_field(client, admin, dbs, partners, change, field):
    response = client.post(URL, json={**full_body(partners), **change}, headers=admin.headers)

    errors = assert_validation(response, field)
    assert all(isinstance(m, str) for m in errors[field])
    assert row_count(dbs, Programme) == 0


@pytest.mark.parametrize("field", ["donor_ids", "implementer_ids"])
def test_create_with_unknown_institution_names_the_field(client, admin, dbs, partners, field):
    body_in = {**full_body(partners), field: [partners["eu"].id, 424242, 424243]}

    response = client.post(URL, json=body_in, headers=admin.headers)

    errors = assert_validation(response, field)
    assert errors[field] == ["No institution with id 424242.", "No institution with id 424243."]
    assert row_count(dbs, Programme) == 0


def test_create_with_duplicate_code_conflicts(client, admin, dbs, partners):
    ProgrammeFactory(code="GLOBAL-VEP")

    response = client.post(URL, json=full_body(partners), headers=admin.headers)

    assert_problem(response, 409, errors={"code": ["Already used."]})
    assert row_count(dbs, Programme) == 1


def test_create_ending_before_it_starts_is_422(client, admin, dbs, partners):
    body_in = {**full_body(partners), "starts_on": "2025-01-01", "ends_on": "2024-12-31"}

    errors = assert_validation(client.post(URL, json=body_in, headers=admin.headers), "ends_on")

    assert errors["ends_on"] == ["The programme cannot end before it starts."]
    assert row_count(dbs, Programme) == 0


def test_create_with_two_targets_for_one_metric_is_422(client, admin, dbs, partners):
    targets = [
        {"metric": "women_trained", "target": 40},
        {"metric": "participants_trained", "target": 150},
        {"metric": "women_trained", "target": 50},
    ]

    response = client.post(URL, json={**full_body(partners), "targets": targets}, headers=admin.headers)

    assert_validation(response, "targets")
    assert row_count(dbs, Programme) == 0


def test_create_without_token_is_401(client, dbs, partners):
    assert_unauthorized(client.post(URL, json=full_body(partners)))
    assert row_count(dbs, Programme) == 0


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_create_by_non_admin_is_403(client, request, dbs, partners, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.post(URL, json=full_body(partners), headers=actor.headers), 403)
    assert row_count(dbs, Programme) == 0


def test_create_by_api_client_is_403_whatever_its_scopes(app, client, dbs, partners):
    headers = client_headers(app, ["catalogue:read", "participants:write", "enrolments:write"])

    assert_problem(client.post(URL, json=full_body(partners), headers=headers), 403)
    assert row_count(dbs, Programme) == 0


# --- read one -------------------------------------------------------------------------------


def test_get_programme_returns_whole_object_and_etag(client, analyst, dbs, partners):
    programme = ProgrammeFactory(
        code="RFTF-II",
        name={"en": "RFTF Detention Program Phase II"},
        description="US State Department CT Bureau",
        donors=[partners["nl"], partners["eu"]],
        implementers=[partners["undp"], partners["unodc"]],
        starts_on=date(2023, 10, 1),
        ends_on=None,
        targets=[
            ProgrammeTarget(metric=ProgrammeMetric.TRAINERS_CERTIFIED, target=12),
            ProgrammeTarget(metric=ProgrammeMetric.COHORTS_COMPLETED, target=6),
        ],
    )

    response = client.get(one(programme.id), headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{programme.id}-1"'
    assert response.json == {
        "id": programme.id,
        "code": "RFTF-II",
        "name": {"en": "RFTF Detention Program Phase II"},
        "description": "US State Department CT Bureau",
        "donor_ids": [partners["eu"].id, partners["nl"].id],
        "implementer_ids": [partners["unodc"].id, partners["undp"].id],
        "starts_on": "2023-10-01",
        "ends_on": None,
        "targets": [
            {"metric": "cohorts_completed", "target": 6},
            {"metric": "trainers_certified", "target": 12},
        ],
        "created_at": response.json["created_at"],
        "updated_at": response.json["updated_at"],
    }
    assert assert_timestamp(response.json["created_at"]) == programme.created_at


def test_get_unknown_programme_is_404(client, admin):
    body = assert_problem(client.get(one(424242), headers=admin.headers), 404)
    assert "424242" in body["detail"]


def test_get_without_token_is_401(client, dbs):
    programme = ProgrammeFactory()
    assert_unauthorized(client.get(one(programme.id)))
    assert_unauthorized(client.get(URL))


@pytest.mark.parametrize("role", ["admin", "coordinator", "analyst"])
def test_every_user_role_reads_programmes(client, request, dbs, role):
    programme = ProgrammeFactory(code="READ-ME")
    actor = request.getfixturevalue(role)

    assert client.get(one(programme.id), headers=actor.headers).json["code"] == "READ-ME"
    assert codes(client.get(URL, headers=actor.headers)) == ["READ-ME"]


def test_api_client_needs_catalogue_scope(app, client, dbs, home):
    programme = ProgrammeFactory(code="READ-ME")
    reader = client_headers(app, ["catalogue:read"], institution=home)
    other = client_headers(app, ["participants:read", "stats:read", "webhooks:manage"], institution=home)

    assert client.get(one(programme.id), headers=reader).status_code == 200
    assert codes(client.get(URL, headers=reader)) == ["READ-ME"]
    assert_problem(client.get(one(programme.id), headers=other), 403)
    assert_problem(client.get(URL, headers=other), 403)


# --- list -----------------------------------------------------------------------------------


def test_list_returns_plain_array_of_whole_objects(client, analyst, dbs, partners):
    programme = ProgrammeFactory(
        code="POLICE-KZ",
        name={"en": "Support to Police Reform in Kazakhstan"},
        donors=[partners["eu"]],
        targets=[ProgrammeTarget(metric=ProgrammeMetric.PARTICIPANTS_TRAINED, target=300)],
    )

    response = client.get(URL, headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    assert response.json == [
        {
            "id": programme.id,
            "code": "POLICE-KZ",
            "name": {"en": "Support to Police Reform in Kazakhstan"},
            "description": None,
            "donor_ids": [partners["eu"].id],
            "implementer_ids": [],
            "starts_on": None,
            "ends_on": None,
            "targets": [{"metric": "participants_trained", "target": 300}],
            "created_at": response.json[0]["created_at"],
            "updated_at": response.json[0]["updated_at"],
        }
    ]


@pytest.fixture
def portfolio(dbs, partners):
    """Four programmes with different funders, implementers, periods and names."""
    eu, nl, unoct, unodc, undp = (partners[k] for k in ("eu", "nl", "unoct", "unodc", "undp"))
    ProgrammeFactory(
        code="GLOBAL-VEP",
        name={"en": "Violent extremist prisoners", "ru": "Насильственные экстремисты в тюрьмах"},
        donors=[eu, nl, unoct],
        implementers=[unodc],
        starts_on=date(2024, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    ProgrammeFactory(
        code="RFTF-II",
        name={"en": "RFTF Detention Program Phase II", "ru": "Программа по местам заключения"},
        donors=[nl],
        implementers=[unodc, undp],
        starts_on=date(2022, 6, 1),
        ends_on=date(2024, 5, 31),
    )
    ProgrammeFactory(
        code="POLICE-KZ",
        name={"en": "Police reform", "kk": "Полиция реформасы"},
        donors=[unoct],
        implementers=[undp],
        starts_on=date(2025, 1, 1),
        ends_on=None,
    )
    ProgrammeFactory(code="OPEN_100%", name={"en": "Open-ended pilot"}, starts_on=None, ends_on=None)
    return partners


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"donor_id": "nl"}, ["GLOBAL-VEP", "RFTF-II"]),
        ({"donor_id": "eu"}, ["GLOBAL-VEP"]),
        ({"donor_id": "unodc"}, []),
        ({"implementer_id": "undp"}, ["POLICE-KZ", "RFTF-II"]),
        ({"implementer_id": "unodc"}, ["GLOBAL-VEP", "RFTF-II"]),
        ({"donor_id": "nl", "implementer_id": "undp"}, ["RFTF-II"]),
        ({"active_on": "2024-01-01"}, ["GLOBAL-VEP", "OPEN_100%", "RFTF-II"]),
        ({"active_on": "2024-05-31"}, ["GLOBAL-VEP", "OPEN_100%", "RFTF-II"]),
        ({"active_on": "2024-06-01"}, ["GLOBAL-VEP", "OPEN_100%"]),
        ({"active_on": "2023-12-31"}, ["OPEN_100%", "RFTF-II"]),
        ({"active_on": "2030-01-01"}, ["OPEN_100%", "POLICE-KZ"]),
        ({"active_on": "2026-01-01", "donor_id": "unoct"}, ["GLOBAL-VEP", "POLICE-KZ"]),
        ({"q": "rftf"}, ["RFTF-II"]),
        ({"q": "police-"}, ["POLICE-KZ"]),
        ({"q": "ЭКСТРЕМИСТЫ"}, ["GLOBAL-VEP"]),
        ({"q": "программа"}, ["RFTF-II"]),
        ({"q": "реформасы"}, ["POLICE-KZ"]),
        ({"q": "prison"}, ["GLOBAL-VEP"]),
        ({"q": "%"}, ["OPEN_100%"]),
        ({"q": "N_1"}, ["OPEN_100%"]),
        ({"q": "nothing like it"}, []),
    ],
)
def test_list_filters(client, analyst, portfolio, params, expected):
    query = {k: portfolio[v].id if k.endswith("_id") else v for k, v in params.items()}

    response = client.get(URL, query_string=query, headers=analyst.headers)

    assert codes(response) == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_list_filter_by_unknown_institution_is_empty(client, analyst, portfolio):
    assert codes(client.get(URL, query_string={"donor_id": 424242}, headers=analyst.headers)) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ["GLOBAL-VEP", "OPEN_100%", "POLICE-KZ", "RFTF-II"]),
        ("-code", ["RFTF-II", "POLICE-KZ", "OPEN_100%", "GLOBAL-VEP"]),
        ("starts_on", ["RFTF-II", "GLOBAL-VEP", "POLICE-KZ", "OPEN_100%"]),
        ("-starts_on", ["POLICE-KZ", "GLOBAL-VEP", "RFTF-II", "OPEN_100%"]),
        ("ends_on,code", ["RFTF-II", "GLOBAL-VEP", "OPEN_100%", "POLICE-KZ"]),
        ("-ends_on,-code", ["GLOBAL-VEP", "RFTF-II", "POLICE-KZ", "OPEN_100%"]),
    ],
)
def test_list_sorts_with_nulls_last_both_ways(client, analyst, portfolio, sort, expected):
    assert codes(client.get(URL, query_string={"sort": sort}, headers=analyst.headers)) == expected


def test_list_filters_by_updated_since(client, analyst, dbs):
    ProgrammeFactory(code="OLD", updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    ProgrammeFactory(code="NEW")

    response = client.get(
        URL, query_string={"updated_since": "2024-01-01T00:00:00Z"}, headers=analyst.headers
    )

    assert codes(response) == ["NEW"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"donor_id": "eu"}, "donor_id"),
        ({"donor_id": 0}, "donor_id"),
        ({"implementer_id": "undp"}, "implementer_id"),
        ({"active_on": "soon"}, "active_on"),
        ({"q": ""}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"sort": "name"}, "sort"),
        ({"sort": "-donor_ids"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"updated_since": "last week"}, "updated_since"),
        ({"funder": 1}, "funder"),
    ],
)
def test_list_rejects_invalid_arguments(client, analyst, params, field):
    assert_validation(client.get(URL, query_string=params, headers=analyst.headers), field)


def test_list_pagination_headers(client, analyst, dbs):
    for n in range(5):
        ProgrammeFactory(code=f"P{n}")

    response = client.get(URL, query_string={"page": 2, "page_size": 2}, headers=analyst.headers)

    assert codes(response) == ["P2", "P3"]
    assert response.headers["X-Total-Count"] == "5"
    assert links(response, URL) == {
        "first": {"page": "1", "page_size": "2"},
        "prev": {"page": "1", "page_size": "2"},
        "next": {"page": "3", "page_size": "2"},
        "last": {"page": "3", "page_size": "2"},
    }
    last = client.get(URL, query_string={"page": 3, "page_size": 2}, headers=analyst.headers)
    assert codes(last) == ["P4"]
    assert set(links(last, URL)) == {"first", "prev", "last"}


def test_list_links_keep_filters(client, analyst, portfolio):
    params = {"implementer_id": portfolio["unodc"].id, "page_size": 1, "sort": "-code"}

    response = client.get(URL, query_string=params, headers=analyst.headers)

    assert codes(response) == ["RFTF-II"]
    assert response.headers["X-Total-Count"] == "2"
    following = client.get(URL, query_string=links(response, URL)["next"], headers=analyst.headers)
    assert codes(following) == ["GLOBAL-VEP"]


def test_list_query_count_does_not_grow_with_rows(client, admin, dbs, count_queries, partners):
    def add_programmes(count: int) -> None:
        for _ in range(count):
            ProgrammeFactory(
                donors=[partners["eu"], partners["nl"]],
                implementers=[partners["unodc"]],
                targets=[
                    ProgrammeTarget(metric=ProgrammeMetric.PARTICIPANTS_TRAINED, target=10),
                    ProgrammeTarget(metric=ProgrammeMetric.WOMEN_TRAINED, target=4),
                ],
            )

    add_programmes(2)
    client.get(URL, headers=admin.headers)  # warm up connections

    with count_queries() as few:
        small = client.get(URL, headers=admin.headers)
    add_programmes(15)
    with count_queries() as many:
        large = client.get(URL, headers=admin.headers)

    assert len(small.json) == 2
    assert len(large.json) == 17
    assert all(len(p["donor_ids"]) == 2 and len(p["targets"]) == 2 for p in large.json)
    assert len(many) == len(few), many
    # The token's sign-in, the count, the page, then donors, implementers and targets.
    assert len(many) <= 6, many


# --- update ---------------------------------------------------------------------------------


@pytest.fixture
def programme(dbs, partners):
    """GLOBAL-VEP as created through the API would store it."""
    return ProgrammeFactory(
        code="GLOBAL-VEP",
        name={"en": "Violent extremist prisoners"},
        donors=[partners["eu"], partners["nl"]],
        implementers=[partners["unodc"]],
        starts_on=date(2024, 1, 1),
        ends_on=date(2027, 12, 31),
        targets=[
            ProgrammeTarget(metric=ProgrammeMetric.PARTICIPANTS_TRAINED, target=150),
            ProgrammeTarget(metric=ProgrammeMetric.WOMEN_TRAINED, target=40),
        ],
    )


def test_patch_replaces_lists_and_changes_fields(client, admin, dbs, partners, programme):
    changes = {
        "code": "GLOBAL-VEP-2",
        "name": {"en": "Violent extremist prisoners II", "ru": "Экстремисты II"},
        "donor_ids": [partners["unoct"].id],
        "implementer_ids": [partners["unodc"].id, partners["undp"].id],
        "ends_on": "2028-06-30",
        "targets": [{"metric": "trainers_certified", "target": 20}],
    }

    response = client.patch(one(programme.id), json=changes, headers=admin.headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert body == {
        "id": programme.id,
        "code": "GLOBAL-VEP-2",
        "name": {"en": "Violent extremist prisoners II", "ru": "Экстремисты II"},
        "description": None,
        "donor_ids": [partners["unoct"].id],
        "implementer_ids": [partners["unodc"].id, partners["undp"].id],
        "starts_on": "2024-01-01",
        "ends_on": "2028-06-30",
        "targets": [{"metric": "trainers_certified", "target": 20}],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert response.headers["ETag"] == f'"{programme.id}-2"'
    assert assert_timestamp(body["updated_at"]) > programme.updated_at
    assert client.get(one(programme.id), headers=admin.headers).json == body
    assert link_rows(dbs, programme_donors, programme.id) == [partners["unoct"].id]
    assert stored_targets(dbs, programme.id) == {"trainers_certified": 20}


def test_patch_keeps_lists_not_given(client, admin, dbs, partners, programme):
    response = client.patch(one(programme.id), json={"description": "Phase one"}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert response.json["donor_ids"] == [partners["eu"].id, partners["nl"].id]
    assert response.json["implementer_ids"] == [partners["unodc"].id]
    assert len(response.json["targets"]) == 2
    assert response.json["description"] == "Phase one"


def test_patch_can_empty_lists_and_clear_dates(client, admin, dbs, programme):
    changes = {"donor_ids": [], "implementer_ids": [], "targets": [], "starts_on": None, "ends_on": None}

    response = client.patch(one(programme.id), json=changes, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in changes} == changes
    assert stored_targets(dbs, programme.id) == {}
    assert link_rows(dbs, programme_donors, programme.id) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"donor_ids": ["unoct"]},
        {"implementer_ids": ["undp"]},
        {"targets": [{"metric": "cohorts_completed", "target": 3}]},
    ],
    ids=["donors", "implementers", "targets"],
)
def test_patch_of_a_list_alone_is_a_new_version(client, admin, dbs, partners, programme, changes):
    changes = {
        k: [partners[v].id for v in value] if k.endswith("_ids") else value for k, value in changes.items()
    }
    before = client.get(one(programme.id), headers=admin.headers)

    response = client.patch(
        one(programme.id), json=changes, headers={**admin.headers, "If-Match": before.headers["ETag"]}
    )

    assert response.status_code == 200, response.json
    assert response.headers["ETag"] != before.headers["ETag"]
    assert assert_timestamp(response.json["updated_at"]) > assert_timestamp(before.json["updated_at"])
    assert client.get(one(programme.id), headers=admin.headers).headers["ETag"] == response.headers["ETag"]
    stale = client.patch(
        one(programme.id),
        json={"description": "late"},
        headers={**admin.headers, "If-Match": before.headers["ETag"]},
    )
    assert_problem(stale, 412)
    since = client.get(URL, query_string={"updated_since": before.json["updated_at"]}, headers=admin.headers)
    assert codes(since) == ["GLOBAL-VEP"]


def test_patch_refreshes_search(client, admin, analyst, programme):
    client.patch(one(programme.id), json={"name": {"ru": "Тюремная программа"}}, headers=admin.headers)

    assert codes(client.get(URL, query_string={"q": "ТЮРЕМНАЯ"}, headers=analyst.headers)) == ["GLOBAL-VEP"]
    assert codes(client.get(URL, query_string={"q": "extremist"}, headers=analyst.headers)) == []


@pytest.mark.parametrize(
    "changes",
    [{"ends_on": "2023-12-31"}, {"starts_on": "2028-01-01"}],
    ids=["end-before-stored-start", "start-after-stored-end"],
)
def test_patch_period_is_checked_against_the_stored_other_date(client, admin, dbs, programme, changes):
    response = client.patch(one(programme.id), json=changes, headers=admin.headers)

    assert_validation(response, "ends_on")
    stored = reloaded(dbs, Programme, programme.id)
    assert (stored.starts_on, stored.ends_on, stored.version) == (date(2024, 1, 1), date(2027, 12, 31), 1)


def test_patch_with_both_dates_reversed_is_422(client, admin, programme):
    changes = {"starts_on": "2026-01-01", "ends_on": "2025-01-01"}
    errors = assert_validation(
        client.patch(one(programme.id), json=changes, headers=admin.headers), "ends_on"
    )
    assert errors["ends_on"] == ["The programme cannot end before it starts."]


def test_patch_with_duplicate_metric_is_422(client, admin, dbs, programme):
    targets = [{"metric": "cohorts_completed", "target": 1}, {"metric": "cohorts_completed", "target": 2}]

    assert_validation(
        client.patch(one(programme.id), json={"targets": targets}, headers=admin.headers), "targets"
    )
    assert stored_targets(dbs, programme.id) == {"participants_trained": 150, "women_trained": 40}


def test_patch_with_unknown_implementer_is_422(client, admin, dbs, partners, programme):
    changes = {"implementer_ids": [partners["undp"].id, 424242]}

    errors = assert_validation(
        client.patch(one(programme.id), json=changes, headers=admin.headers), "implementer_ids"
    )

    assert errors["implementer_ids"] == ["No institution with id 424242."]
    assert link_rows(dbs, programme_implementers, programme.id) == [partners["unodc"].id]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": None}, "code"),
        ({"name": None}, "name"),
        ({"donor_ids": None}, "donor_ids"),
        ({"targets": None}, "targets"),
        ({"code": "lower"}, "code"),
        ({"targets": [{"metric": "women_trained", "target": "many"}]}, "targets.0.target"),
        ({"status": "closed"}, "status"),
        ({"version": 9}, "version"),
    ],
)
def test_patch_rejects_invalid_field(client, admin, dbs, programme, change, field):
    assert_validation(client.patch(one(programme.id), json=change, headers=admin.headers), field)
    assert reloaded(dbs, Programme, programme.id).version == 1


def test_patch_to_another_programmes_code_conflicts(client, admin, dbs, programme):
    other = ProgrammeFactory(code="RFTF-II")

    response = client.patch(one(other.id), json={"code": "GLOBAL-VEP"}, headers=admin.headers)

    assert_problem(response, 409, errors={"code": ["Already used."]})
    assert reloaded(dbs, Programme, other.id).code == "RFTF-II"


def test_patch_keeping_own_code_is_fine(client, admin, programme):
    response = client.patch(
        one(programme.id), json={"code": "GLOBAL-VEP", "description": "x"}, headers=admin.headers
    )
    assert response.status_code == 200, response.json


def test_patch_is_audited_with_changed_fields(client, admin, programme):
    client.patch(
        one(programme.id), json={"description": "Phase one", "ends_on": "2028-01-01"}, headers=admin.headers
    )

    events = audit_events_via_api(client, admin, action="programmes.update", object_id=str(programme.id))
    assert len(events) == 1
    assert events[0]["details"]["fields"] == ["description", "ends_on"]
    assert events[0]["actor_id"] == admin.user.id


def test_patch_with_stale_if_match_is_412(client, admin, dbs, programme):
    etag = client.get(one(programme.id), headers=admin.headers).headers["ETag"]
    first = client.patch(
        one(programme.id), json={"description": "A"}, headers={**admin.headers, "If-Match": etag}
    )
    assert first.status_code == 200

    stale = client.patch(
        one(programme.id), json={"description": "B"}, headers={**admin.headers, "If-Match": etag}
    )

    body = assert_problem(stale, 412)
    assert first.headers["ETag"] in body["detail"]
    assert reloaded(dbs, Programme, programme.id).description == "A"


@pytest.mark.parametrize("if_match", [None, "*", "current"])
def test_patch_accepts_current_star_or_absent_if_match(client, admin, programme, if_match):
    headers = dict(admin.headers)
    if if_match == "current":
        headers["If-Match"] = client.get(one(programme.id), headers=admin.headers).headers["ETag"]
    elif if_match:
        headers["If-Match"] = if_match

    response = client.patch(one(programme.id), json={"description": "ok"}, headers=headers)

    assert response.status_code == 200, response.json
    assert response.json["description"] == "ok"


def test_patch_without_token_is_401(client, programme):
    assert_unauthorized(client.patch(one(programme.id), json={"description": "x"}))


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_patch_by_non_admin_is_403(client, request, dbs, programme, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.patch(one(programme.id), json={"description": "x"}, headers=actor.headers), 403)
    assert reloaded(dbs, Programme, programme.id).description is None


def test_patch_by_api_client_is_403(app, client, dbs, programme):
    headers = client_headers(app, ["catalogue:read"])
    assert_problem(client.patch(one(programme.id), json={"description": "x"}, headers=headers), 403)


def test_patch_unknown_programme_is_404(client, admin):
    assert_problem(client.patch(one(424242), json={"description": "x"}, headers=admin.headers), 404)


# --- delete ---------------------------------------------------------------------------------


def test_admin_deletes_programme_with_its_targets_and_links(client, admin, dbs, partners, programme):
    programme_id = programme.id

    response = client.delete(one(programme_id), headers=admin.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(one(programme_id), headers=admin.headers), 404)
    assert reloaded(dbs, Programme, programme_id) is None
    assert stored_targets(dbs, programme_id) == {}
    assert link_rows(dbs, programme_donors, programme_id) == []
    assert link_rows(dbs, programme_implementers, programme_id) == []
    assert reloaded(dbs, type(partners["eu"]), partners["eu"].id) is not None
    events = audit_events_via_api(client, admin, action="programmes.delete")
    assert [e["object_id"] for e in events] == [str(programme_id)]


def test_delete_refused_while_an_agreement_refers_to_it(client, admin, dbs, programme):
    agreement = referring_agreement(dbs, programme.id)

    body = assert_problem(client.delete(one(programme.id), headers=admin.headers), 409)

    assert "1 agreement" in body["detail"]
    assert reloaded(dbs, Programme, programme.id) is not None
    dbs.delete(agreement)
    dbs.commit()
    assert client.delete(one(programme.id), headers=admin.headers).status_code == 204


def test_delete_with_stale_if_match_is_412(client, admin, dbs, programme):
    response = client.delete(one(programme.id), headers={**admin.headers, "If-Match": f'"{programme.id}-0"'})

    assert_problem(response, 412)
    assert reloaded(dbs, Programme, programme.id) is not None


def test_delete_with_current_if_match(client, admin, programme):
    etag = client.get(one(programme.id), headers=admin.headers).headers["ETag"]
    assert client.delete(one(programme.id), headers={**admin.headers, "If-Match": etag}).status_code == 204


def test_delete_without_token_is_401(client, dbs, programme):
    assert_unauthorized(client.delete(one(programme.id)))
    assert reloaded(dbs, Programme, programme.id) is not None


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_delete_by_non_admin_is_403(client, request, dbs, programme, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.delete(one(programme.id), headers=actor.headers), 403)
    assert reloaded(dbs, Programme, programme.id) is not None


def test_delete_by_api_client_is_403(app, client, dbs, programme):
    headers = client_headers(app, ["catalogue:read"])
    assert_problem(client.delete(one(programme.id), headers=headers), 403)
    assert reloaded(dbs, Programme, programme.id) is not None


def test_delete_unknown_programme_is_404(client, admin):
    assert_problem(client.delete(one(424242), headers=admin.headers), 404)


def test_changing_only_the_donors_is_audited_with_the_field_name(client, admin, dbs):
    donor, other = InstitutionFactory(), InstitutionFactory()
    created = client.post(
        "/api/v1/programmes",
        json={"code": "AUDITED", "name": {"en": "Audited"}, "donor_ids": [donor.id]},
        headers=admin.headers,
    )
    programme_id = created.json["id"]
    changed = client.patch(
        f"/api/v1/programmes/{programme_id}", json={"donor_ids": [other.id]}, headers=admin.headers
    )
    assert changed.status_code == 200
    events = audit_events_via_api(client, admin, action="programmes.update", object_id=str(programme_id))
    assert len(events) == 1
    assert "donors" in events[0]["details"]["fields"]
