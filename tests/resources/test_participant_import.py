"""POST /api/v1/participants/import: CSV and JSON rosters, upserted by external_ref, all or nothing."""

import pytest
import sqlalchemy as sa

from hub_api.models import Participant
from hub_api.models.enums import Gender, StaffCategory
from hub_api.services import roster_import
from tests.helpers import audit_rows, client_headers, reloaded, row_count
from tests.problems import (
    PROBLEM_KEYS,
    PROBLEM_TYPE_PREFIX,
    assert_problem,
    assert_unauthorized,
    assert_validation,
)
from tests.training_factories import ParticipantRowFactory

URL = "/api/v1/participants/import"
HEADER = "external_ref,given_name,family_name,gender,staff_category,position,region,email,is_trainer"
AIGERIM = "KZ-1,Айгерим,Садыкова,female,psychologist,Senior psychologist,Kostanay,a.s@service.example,yes"
BAKYT = "KZ-2,Бакыт,Асанов,male,security_officer,,Osh,,0"
OLGA = 'KZ-3,Ольга,Ким,female,manager,"Head, training unit",,,'


def csv_body(*lines: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\r\n".join((header, *lines)) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def post_csv(client, headers: dict, body: bytes, **query):
    return client.post(URL, data=body, content_type="text/csv", query_string=query, headers=headers)


def post_json(client, headers: dict, rows, **query):
    return client.post(URL, json=rows, query_string=query, headers=headers)


def imported(response, **summary) -> dict:
    """The report of a successful import, checked against the expected counts."""
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.json
    expected = {"created": 0, "updated": 0, "unchanged": 0, "error": 0, **summary}
    assert report["summary"] == expected, report
    return report


def refused(response, failed: int) -> dict:
    """A 422 problem carrying the per-row report; return the problem body."""
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert set(body) == PROBLEM_KEYS | {"errors", "report"}
    assert body["type"] == PROBLEM_TYPE_PREFIX + "validation-error"
    assert body["detail"].startswith(f"{failed} of {len(body['report']['rows'])} rows failed")
    assert (body["report"]["committed"], body["report"]["summary"]["error"]) == (False, failed)
    return body


def stored(dbs) -> dict[str, Participant]:
    """The participants as stored now, by external_ref."""
    dbs.expire_all()
    return {p.external_ref: p for p in dbs.scalars(sa.select(Participant))}


def row(**fields) -> dict:
    """A JSON roster row."""
    base = {"external_ref": "KZ-1", "given_name": "Айгерим", "family_name": "Садыкова", "gender": "female"}
    return {**base, "staff_category": "psychologist", **fields}


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_csv_creates_participants_with_cyrillic_names(client, coordinator, dbs, home, bom):
    response = post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT, OLGA, bom=bom))

    report = imported(response, created=3)
    assert (report["dry_run"], report["committed"]) == (False, True)
    people = stored(dbs)
    assert [
        (r["row"], r["external_ref"], r["status"], r["changed"], r["errors"]) for r in report["rows"]
    ] == [
        (1, "KZ-1", "created", [], {}),
        (2, "KZ-2", "created", [], {}),
        (3, "KZ-3", "created", [], {}),
    ]
    assert [r["participant_id"] for r in report["rows"]] == [people[f"KZ-{n}"].id for n in (1, 2, 3)]
    aigerim = client.get(f"/api/v1/participants/{people['KZ-1'].id}", headers=coordinator.headers).json
    assert {
        k: aigerim[k] for k in ("institution_id", "given_name", "family_name", "position", "is_trainer")
    } == {
        "institution_id": home.id,
        "given_name": "Айгерим",
        "family_name": "Садыкова",
        "position": "Senior psychologist",
        "is_trainer": True,
    }
    bakyt, olga = people["KZ-2"], people["KZ-3"]
    assert (bakyt.gender, bakyt.staff_category, bakyt.position, bakyt.email, bakyt.is_trainer) == (
        Gender.MALE,
        StaffCategory.SECURITY_OFFICER,
        None,
        None,
        False,
    )
    assert (olga.position, olga.region, olga.is_trainer) == ("Head, training unit", None, False)
    assert people["KZ-1"].search_text == "айгерим садыкова"
    assert (people["KZ-1"].version, people["KZ-1"].created_at) == (1, people["KZ-1"].updated_at)


def test_csv_may_leave_out_optional_columns_and_order_them_freely(client, coordinator, dbs):
    body = csv_body(
        "Садыкова,female,KZ-1,Айгерим,psychologist",
        header="family_name,gender,external_ref,given_name,staff_category",
    )

    imported(post_csv(client, coordinator.headers, body), created=1)

    person = stored(dbs)["KZ-1"]
    assert (person.family_name, person.email, person.is_trainer) == ("Садыкова", None, False)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_is_trainer_spellings(client, coordinator, dbs, cell, value):
    body = csv_body(f"KZ-1,Айгерим,Садыкова,female,psychologist,,,,{cell}")

    imported(post_csv(client, coordinator.headers, body), created=1)

    assert stored(dbs)["KZ-1"].is_trainer is value


def test_blank_lines_are_skipped_and_rows_counted_without_them(client, coordinator):
    body = csv_body(AIGERIM, "", BAKYT)

    report = imported(post_csv(client, coordinator.headers, body), created=2)

    assert [(r["row"], r["external_ref"]) for r in report["rows"]] == [(1, "KZ-1"), (2, "KZ-2")]


def test_an_empty_roster_imports_nothing(client, coordinator, dbs):
    report = imported(post_csv(client, coordinator.headers, csv_body()))

    assert report["rows"] == []
    assert row_count(dbs, Participant) == 0


# --- JSON -----------------------------------------------------------------------------------


def test_json_rows_create_participants(client, coordinator, dbs):
    rows = [
        row(email="a.s@service.example", is_trainer=True),
        row(external_ref="KZ-2", given_name="Бакыт", family_name="Асанов", gender="male", is_trainer=None),
    ]

    report = imported(post_json(client, coordinator.headers, rows), created=2)

    people = stored(dbs)
    assert [r["participant_id"] for r in report["rows"]] == [people["KZ-1"].id, people["KZ-2"].id]
    assert (people["KZ-1"].email, people["KZ-1"].is_trainer, people["KZ-2"].is_trainer) == (
        "a.s@service.example",
        True,
        False,
    )


def test_json_must_be_an_array_of_objects(client, coordinator, dbs):
    not_array = post_json(client, coordinator.headers, {"rows": [row()]})
    assert assert_validation(not_array, "_schema") == {"_schema": ["Must be an array of row objects."]}

    body = refused(post_json(client, coordinator.headers, [row(), "KZ-2", [1]]), failed=2)
    assert [r["errors"] for r in body["report"]["rows"]] == [
        {},
        {"_schema": ["Invalid input type."]},
        {"_schema": ["Invalid input type."]},
    ]
    assert row_count(dbs, Participant) == 0


def test_malformed_json_is_a_400_problem(client, coordinator):
    response = client.post(
        URL, data=b'[{"external_ref": ', content_type="application/json", headers=coordinator.headers
    )

    assert_problem(response, 400, errors={"_schema": ["Invalid JSON body."]})


def test_unknown_json_field_is_a_row_error(client, coordinator):
    body = refused(post_json(client, coordinator.headers, [row(nickname="Ace")]), failed=1)

    assert body["errors"] == {"rows.1.nickname": ["Unknown field."]}


# --- upsert ---------------------------------------------------------------------------------


def test_reimport_reports_created_updated_and_unchanged(client, coordinator, dbs, home):
    unchanged = ParticipantRowFactory(
        institution_id=home.id,
        external_ref="KZ-2",
        given_name="Бакыт",
        family_name="Асанов",
        gender=Gender.MALE,
        staff_category=StaffCategory.SECURITY_OFFICER,
        position=None,
        region="Osh",
        email=None,
        is_trainer=False,
    )
    changed = ParticipantRowFactory(
        institution_id=home.id,
        external_ref="KZ-1",
        given_name="Айгерим",
        family_name="Сапарова",
        position="Psychologist",
        region="Kostanay",
        email="a.s@service.example",
        is_trainer=False,
    )

    changed_at, unchanged_at = changed.updated_at, unchanged.updated_at

    report = imported(
        post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT, OLGA)),
        created=1,
        updated=1,
        unchanged=1,
    )

    assert [(r["external_ref"], r["status"], r["changed"]) for r in report["rows"]] == [
        ("KZ-1", "updated", ["family_name", "position", "is_trainer"]),
        ("KZ-2", "unchanged", []),
        ("KZ-3", "created", []),
    ]
    assert [r["participant_id"] for r in report["rows"][:2]] == [changed.id, unchanged.id]
    people = stored(dbs)
    updated = people["KZ-1"]
    assert (updated.family_name, updated.position, updated.is_trainer, updated.version) == (
        "Садыкова",
        "Senior psychologist",
        True,
        2,
    )
    assert updated.search_text == "айгерим садыкова"
    assert updated.updated_at > changed_at
    assert (people["KZ-2"].version, people["KZ-2"].updated_at) == (1, unchanged_at)
    assert row_count(dbs, Participant) == 3


def test_left_out_columns_are_left_alone_and_empty_cells_clear(client, coordinator, dbs, home):
    ParticipantRowFactory(
        institution_id=home.id,
        external_ref="KZ-1",
        given_name="Айгерим",
        family_name="Садыкова",
        email="a.s@service.example",
        region="Kostanay",
        is_trainer=True,
    )
    body = csv_body(
        "KZ-1,Айгерим,Садыкова,female,psychologist,",
        header="external_ref,given_name,family_name,gender,staff_category,region",
    )

    report = imported(post_csv(client, coordinator.headers, body), updated=1)

    assert report["rows"][0]["changed"] == ["region"]
    person = stored(dbs)["KZ-1"]
    assert (person.region, person.email, person.is_trainer) == (None, "a.s@service.example", True)


def test_other_institutions_references_do_not_match(client, coordinator, dbs, home, foreign):
    abroad = ParticipantRowFactory(institution_id=foreign.id, external_ref="KZ-1")

    imported(post_csv(client, coordinator.headers, csv_body(AIGERIM)), created=1)

    assert reloaded(dbs, Participant, abroad.id).version == 1
    assert row_count(dbs, Participant) == 2


def test_an_erased_participants_reference_creates_a_new_participant(client, coordinator, dbs, home):
    gone = ParticipantRowFactory(institution_id=home.id, external_ref="KZ-1")
    assert client.delete(f"/api/v1/participants/{gone.id}", headers=coordinator.headers).status_code == 204

    report = imported(post_csv(client, coordinator.headers, csv_body(AIGERIM)), created=1)

    assert report["rows"][0]["participant_id"] != gone.id
    assert reloaded(dbs, Participant, gone.id).given_name is None


def test_a_row_changed_meanwhile_is_a_409(client, coordinator, dbs, home, monkeypatch):
    """The bulk update checks each row's version, as a PATCH with If-Match would."""
    ParticipantRowFactory(institution_id=home.id, external_ref="KZ-1", family_name="Old")
    read = roster_import._existing

    def stale(institution_id):
        return {
            ref: {**values, "version": values["version"] - 1} for ref, values in read(institution_id).items()
        }

    monkeypatch.setattr(roster_import, "_existing", stale)

    assert_problem(post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT)), 409)
    assert stored(dbs)["KZ-1"].family_name == "Old"
    assert row_count(dbs, Participant) == 1


def test_a_thousand_and_a_half_rows_import_and_reimport_unchanged(client, coordinator, dbs):
    lines = [
        f"R-{n:05d},Имя{n},Фамилия{n},{'male' if n % 2 else 'female'},instructor,,Region {n % 7},,{n % 2}"
        for n in range(1500)
    ]
    body = csv_body(*lines)

    first = imported(post_csv(client, coordinator.headers, body), created=1500)
    again = imported(post_csv(client, coordinator.headers, body), unchanged=1500)

    assert len({r["participant_id"] for r in first["rows"]}) == 1500
    assert [r["participant_id"] for r in again["rows"]] == [r["participant_id"] for r in first["rows"]]
    assert stored(dbs)["R-01499"].given_name == "Имя1499"


# --- dry run --------------------------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(client, coordinator, dbs, home):
    existing = ParticipantRowFactory(institution_id=home.id, external_ref="KZ-1", family_name="Сапарова")

    response = post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT), dry_run="true")

    report = imported(response, created=1, updated=1)
    assert (report["dry_run"], report["committed"]) == (True, False)
    assert [(r["status"], r["participant_id"]) for r in report["rows"]] == [
        ("updated", existing.id),
        ("created", None),
    ]
    assert row_count(dbs, Participant) == 1
    assert reloaded(dbs, Participant, existing.id).version == 1
    assert audit_rows(dbs, action="participants.import") == []


def test_dry_run_with_failing_rows_answers_200_with_the_report(client, coordinator, dbs):
    bad = "KZ-9,Иван,Петров,male,warden,,,,"

    report = imported(
        post_csv(client, coordinator.headers, csv_body(AIGERIM, bad), dry_run="1"), created=1, error=1
    )

    assert list(report["rows"][1]["errors"]) == ["staff_category"]
    assert row_count(dbs, Participant) == 0


# --- failures -------------------------------------------------------------------------------


def test_any_failing_row_writes_nothing_and_answers_422_with_the_report(client, coordinator, dbs, home):
    ParticipantRowFactory(institution_id=home.id, external_ref="KZ-2", family_name="Старая")
    bad_email = "KZ-4,Жанна,Омарова,female,psychologist,,,not-an-email,"
    no_name = "KZ-5,,Омаров,male,psychologist,,,,"

    body = refused(
        post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT, bad_email, no_name)), failed=2
    )

    assert body["detail"].startswith("2 of 4 rows failed validation, so nothing was imported")
    assert body["errors"] == {
        "rows.3.email": ["Not a valid email address."],
        "rows.4.given_name": ["Field may not be null."],
    }
    report = body["report"]
    assert report["summary"] == {"created": 1, "updated": 1, "unchanged": 0, "error": 2}
    assert [(r["row"], r["external_ref"], r["status"]) for r in report["rows"]] == [
        (1, "KZ-1", "created"),
        (2, "KZ-2", "updated"),
        (3, "KZ-4", "error"),
        (4, "KZ-5", "error"),
    ]
    assert stored(dbs)["KZ-2"].family_name == "Старая"
    assert row_count(dbs, Participant) == 1
    assert audit_rows(dbs, action="participants.import") == []


def test_errors_never_echo_names_or_emails(client, coordinator, dbs):
    rows = [
        "KZ-1,Айгерим,Садыкова,female,psychologist,,,aigerim.sadykova@,",
        f"KZ-2,{'Жанна' * 30},Омарова,female,psychologist,,,,",
        "KZ-3,Бакыт,Асанов,мужской,psychologist,,,,",
    ]

    response = post_csv(client, coordinator.headers, csv_body(*rows))

    refused(response, failed=3)
    text = response.get_data(as_text=True)
    for secret in ("Айгерим", "Садыкова", "aigerim", "Жанна", "Омарова", "Бакыт", "Асанов", "мужской"):
        assert secret not in text
        assert secret.encode("unicode_escape").decode() not in text


def test_a_reference_repeated_in_the_file_fails_the_later_row(client, coordinator, dbs):
    again = "KZ-1,Ольга,Ким,female,manager,,,,"

    body = refused(post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT, again)), failed=1)

    assert body["errors"] == {"rows.3.external_ref": ["Row 1 already has this external_ref."]}
    assert [r["status"] for r in body["report"]["rows"]] == ["created", "created", "error"]
    assert row_count(dbs, Participant) == 0


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (",Айгерим,Садыкова,female,psychologist,,,,", "external_ref"),
        (f"{'R' * 101},Айгерим,Садыкова,female,psychologist,,,,", "external_ref"),
        ("KZ-1,Айгерим,,female,psychologist,,,,", "family_name"),
        ("KZ-1,Айгерим,Садыкова,,psychologist,,,,", "gender"),
        ("KZ-1,Айгерим,Садыкова,female,warden,,,,", "staff_category"),
        (f"KZ-1,Айгерим,Садыкова,female,psychologist,{'p' * 201},,,", "position"),
        ("KZ-1,Айгерим,Садыкова,female,psychologist,,,,maybe", "is_trainer"),
        ("KZ-1,Айгерим,Садыкова,female,psychologist,,,", "_schema"),
        ("KZ-1,Айгерим,Садыкова,female,psychologist,,,,,", "_schema"),
    ],
)
def test_invalid_cells_are_row_errors(client, coordinator, dbs, line, field):
    body = refused(post_csv(client, coordinator.headers, csv_body(BAKYT, line)), failed=1)

    assert list(body["errors"]) == [f"rows.2.{field}"]
    assert row_count(dbs, Participant) == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("external_ref,given_name,family_name,staff_category", "Missing required columns: gender."),
        (f"{HEADER},nickname", "Columns 10 are not participant fields; use "),
        (f"{HEADER},region", "Columns 10 repeat an earlier column."),
    ],
)
def test_a_bad_header_is_a_422_for_the_file(client, coordinator, dbs, header, message):
    response = post_csv(client, coordinator.headers, csv_body(header=header))

    errors = assert_validation(response, "columns")
    assert errors["columns"][0].startswith(message)
    assert row_count(dbs, Participant) == 0


def test_a_file_without_header_never_echoes_its_first_row(client, coordinator):
    response = post_csv(client, coordinator.headers, csv_body(BAKYT, header=AIGERIM))

    errors = assert_validation(response, "columns")
    assert errors["columns"][0].startswith("Missing required columns: external_ref, given_name, family_name")
    assert "Айгерим" not in response.get_data(as_text=True)
    assert "\\u0410\\u0439" not in response.get_data(as_text=True)


def test_csv_that_is_not_utf8_is_a_422(client, coordinator):
    body = (HEADER + "\r\n" + AIGERIM + "\r\n").encode("cp1251")

    errors = assert_validation(post_csv(client, coordinator.headers, body), "body")

    assert errors["body"][0].startswith("Not UTF-8 at byte")


def test_an_empty_body_is_a_422(client, coordinator):
    errors = assert_validation(post_csv(client, coordinator.headers, b""), "columns")

    assert errors["columns"][0].startswith("Missing required columns")


def test_too_many_rows_is_a_422(client, coordinator, dbs, monkeypatch):
    monkeypatch.setattr(roster_import, "MAX_ROWS", 2)

    response = post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT, OLGA))

    assert assert_validation(response, "rows") == {"rows": ["At most 2 rows."]}
    assert row_count(dbs, Participant) == 0


def test_the_row_limit_is_enforced_while_reading(client, coordinator, dbs, monkeypatch):
    # The line after the limit would break the CSV reader: refusing at the limit never reaches it.
    monkeypatch.setattr(roster_import, "MAX_ROWS", 2)

    response = post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT, OLGA) + b"KZ-4,\x00broken\r\n")

    assert assert_validation(response, "rows") == {"rows": ["At most 2 rows."]}
    assert row_count(dbs, Participant) == 0


def test_max_rows_is_twenty_thousand():
    assert roster_import.MAX_ROWS == 20_000


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "multipart/form-data; boundary=x", "text/csv; charset=windows-1251"],
)
def test_other_content_types_are_415(client, coordinator, dbs, content_type):
    response = client.post(
        URL, data=csv_body(AIGERIM), content_type=content_type, headers=coordinator.headers
    )

    body = assert_problem(response, 415)
    assert body["type"] == PROBLEM_TYPE_PREFIX + "unsupported-media-type"
    assert "text/csv" in body["detail"]
    assert row_count(dbs, Participant) == 0


def test_rosters_may_exceed_the_general_body_limit_up_to_the_import_cap(
    app, client, coordinator, monkeypatch
):
    body = csv_body(AIGERIM, BAKYT, OLGA)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    monkeypatch.setitem(app.config, "HUB_IMPORT_MAX_BYTES", len(body))

    imported(post_csv(client, coordinator.headers, body), created=3)


def test_a_roster_over_the_cap_is_a_413_problem(app, client, coordinator, dbs, monkeypatch):
    monkeypatch.setitem(app.config, "HUB_IMPORT_MAX_BYTES", 100)
    keyed = {**coordinator.headers, "Idempotency-Key": "big-1"}  # the key's fingerprint reads the body first

    body = assert_problem(post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT)), 413)
    assert_problem(post_csv(client, keyed, csv_body(AIGERIM, BAKYT)), 413)

    assert body["type"] == PROBLEM_TYPE_PREFIX + "import-too-large"
    assert "100 bytes" in body["detail"]
    assert row_count(dbs, Participant) == 0


# --- who may import -------------------------------------------------------------------------


def test_admin_imports_into_the_named_institution(client, admin, dbs, foreign):
    imported(post_csv(client, admin.headers, csv_body(AIGERIM), institution_id=foreign.id), created=1)

    assert stored(dbs)["KZ-1"].institution_id == foreign.id


def test_admin_must_name_an_existing_institution(client, admin, dbs):
    missing = assert_validation(post_csv(client, admin.headers, csv_body(AIGERIM)), "institution_id")
    unknown = assert_validation(
        post_csv(client, admin.headers, csv_body(AIGERIM), institution_id=424242), "institution_id"
    )

    assert missing == {"institution_id": ["Missing data for required field."]}
    assert unknown == {"institution_id": ["No institution with id 424242."]}
    assert row_count(dbs, Participant) == 0


def test_api_client_imports_into_its_own_institution(app, client, dbs, home, foreign):
    writer = client_headers(app, ["participants:write"], institution=home)

    imported(post_json(client, writer, [row()]), created=1)
    assert_problem(post_json(client, writer, [row(external_ref="KZ-2")], institution_id=foreign.id), 403)

    assert [p.institution_id for p in stored(dbs).values()] == [home.id]


def test_coordinator_cannot_import_into_another_institution(client, coordinator, dbs, foreign):
    response = post_csv(client, coordinator.headers, csv_body(AIGERIM), institution_id=foreign.id)

    assert_problem(response, 403)
    assert row_count(dbs, Participant) == 0


def test_import_needs_participant_write_rights(app, client, analyst, dbs, home):
    reader = client_headers(app, ["participants:read", "catalogue:read"], institution=home)

    assert_unauthorized(post_csv(client, {}, csv_body(AIGERIM)))
    assert_problem(post_csv(client, analyst.headers, csv_body(AIGERIM)), 403)
    assert_problem(post_csv(client, reader, csv_body(AIGERIM)), 403)
    assert row_count(dbs, Participant) == 0


@pytest.mark.parametrize("query", [{"dry_run": "perhaps"}, {"institution_id": "home"}, {"mode": "upsert"}])
def test_bad_query_arguments_are_422(client, coordinator, query):
    assert_validation(post_csv(client, coordinator.headers, csv_body(AIGERIM), **query), next(iter(query)))


# --- audit and retries ----------------------------------------------------------------------


def test_an_import_is_audited_per_person_and_as_a_whole_without_personal_data(client, coordinator, dbs, home):
    ParticipantRowFactory(institution_id=home.id, external_ref="KZ-2", family_name="Старая")
    ParticipantRowFactory(
        institution_id=home.id,
        external_ref="KZ-3",
        given_name="Ольга",
        family_name="Ким",
        gender=Gender.FEMALE,
        staff_category=StaffCategory.MANAGER,
        position="Head, training unit",
        region=None,
        email=None,
        is_trainer=False,
    )

    report = imported(
        post_csv(client, coordinator.headers, csv_body(AIGERIM, BAKYT, OLGA)),
        created=1,
        updated=1,
        unchanged=1,
    )

    [event] = audit_rows(dbs, action="participants.import")
    assert (event.actor_id, event.object_type, event.institution_id) == (
        coordinator.user.id,
        "participants",
        home.id,
    )
    assert event.details == {"institution_id": home.id, "rows": 3, "created": 1, "updated": 1, "unchanged": 1}
    people = {p.external_ref: p.id for p in dbs.scalars(sa.select(Participant))}
    [created] = audit_rows(dbs, action="participants.create", actor_type="user")
    [updated] = audit_rows(dbs, action="participants.update", actor_type="user")
    assert (created.object_id, created.request_id, created.actor_id) == (
        str(people["KZ-1"]),
        event.request_id,
        coordinator.user.id,
    )
    changed = next(row["changed"] for row in report["rows"] if row["status"] == "updated")
    assert "family_name" in changed
    assert (updated.object_id, updated.details) == (str(people["KZ-2"]), {"fields": changed})
    trail = " ".join(str(e.details) for e in audit_rows(dbs))
    assert not any(secret in trail for secret in ("Айгерим", "Садыкова", "a.s@service.example", "KZ-1"))


def test_a_retry_with_the_same_idempotency_key_replays_the_report(client, coordinator, dbs):
    headers = {**coordinator.headers, "Idempotency-Key": "roster-2026-03"}

    first = post_csv(client, headers, csv_body(AIGERIM, BAKYT))
    again = post_csv(client, headers, csv_body(AIGERIM, BAKYT))

    imported(first, created=2)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert row_count(dbs, Participant) == 2
    assert len(audit_rows(dbs, action="participants.import")) == 1


def test_a_refused_import_frees_its_idempotency_key(client, coordinator, dbs):
    headers = {**coordinator.headers, "Idempotency-Key": "roster-retry"}
    bad = "KZ-4,Жанна,Омарова,female,psychologist,,,not-an-email,"

    refused(post_csv(client, headers, csv_body(AIGERIM, bad)), failed=1)
    fixed = post_csv(client, headers, csv_body(AIGERIM))  # a used key with another body would be a 422

    imported(fixed, created=1)
    assert row_count(dbs, Participant) == 1


# --- CSV as spreadsheets save it ------------------------------------------------------------


def test_semicolon_separated_csv_as_excel_saves_it_in_russian_locales(client, coordinator, dbs, home):
    body = csv_body(
        'KZ-1;Айгерим;Садыкова;female;psychologist;"Психолог, отдел кадров";Костанай;a.s@service.example;1',
        "KZ-2;Бакыт;Асанов;male;security_officer;;Ош;;0",
        'KZ-3;Ольга;Ким;female;manager;Head, training unit;"North; Kostanay";;',
        header=HEADER.replace(",", ";"),
        bom=True,
    )

    report = imported(post_csv(client, coordinator.headers, body), created=3)

    assert [(r["row"], r["external_ref"], r["status"]) for r in report["rows"]] == [
        (1, "KZ-1", "created"),
        (2, "KZ-2", "created"),
        (3, "KZ-3", "created"),
    ]
    people = stored(dbs)
    aigerim, bakyt, olga = people["KZ-1"], people["KZ-2"], people["KZ-3"]
    assert (
        aigerim.institution_id,
        aigerim.given_name,
        aigerim.family_name,
        aigerim.position,
        aigerim.region,
        aigerim.email,
        aigerim.is_trainer,
    ) == (
        home.id,
        "Айгерим",
        "Садыкова",
        "Психолог, отдел кадров",
        "Костанай",
        "a.s@service.example",
        True,
    )
    assert (bakyt.given_name, bakyt.gender, bakyt.staff_category, bakyt.position, bakyt.region) == (
        "Бакыт",
        Gender.MALE,
        StaffCategory.SECURITY_OFFICER,
        None,
        "Ош",
    )
    assert (olga.position, olga.region, olga.email, olga.is_trainer) == (
        "Head, training unit",
        "North; Kostanay",
        None,
        False,
    )
    assert aigerim.search_text == "айгерим садыкова"


def test_tab_separated_csv_imports(client, coordinator, dbs, home):
    body = csv_body(
        "\t".join(
            (
                "KZ-1",
                "Айгерим",
                "Садыкова",
                "female",
                "psychologist",
                "Head, training unit",
                "Kostanay",
                "a.s@service.example",
                "1",
            )
        ),
        "\t".join(("KZ-2", "Бакыт", "Асанов", "male", "security_officer", "", "Osh; south", "", "0")),
        header=HEADER.replace(",", "\t"),
    )

    imported(post_csv(client, coordinator.headers, body), created=2)

    people = stored(dbs)
    aigerim, bakyt = people["KZ-1"], people["KZ-2"]
    assert (
        aigerim.institution_id,
        aigerim.family_name,
        aigerim.position,
        aigerim.email,
        aigerim.is_trainer,
    ) == (
        home.id,
        "Садыкова",
        "Head, training unit",
        "a.s@service.example",
        True,
    )
    assert (bakyt.given_name, bakyt.position, bakyt.region, bakyt.is_trainer) == (
        "Бакыт",
        None,
        "Osh; south",
        False,
    )


def test_a_semicolon_separated_reimport_finds_the_same_participants(client, coordinator, dbs):
    comma = csv_body(AIGERIM, BAKYT, OLGA)
    semicolon = csv_body(
        "KZ-1;Айгерим;Садыкова;female;psychologist;Senior psychologist;Kostanay;a.s@service.example;yes",
        "KZ-2;Бакыт;Асанов;male;security_officer;;Osh;;0",
        'KZ-3;Ольга;Ким;female;manager;"Head, training unit";;;',
        header=HEADER.replace(",", ";"),
        bom=True,
    )
    imported(post_csv(client, coordinator.headers, comma), created=3)

    imported(post_csv(client, coordinator.headers, semicolon), unchanged=3)

    assert row_count(dbs, Participant) == 3
