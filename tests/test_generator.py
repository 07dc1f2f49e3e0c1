"""`hub-api generate`: synthetic data in proportion, consistent by recount, reproducible, and kept apart."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from hub_api import clock, console
from hub_api.extensions import db
from hub_api.generator import GeneratorRefused, generate
from hub_api.generator import enrolments as enrolment_planner
from hub_api.models import (
    Agreement,
    AuditEvent,
    Cohort,
    CohortSession,
    Curriculum,
    CurriculumModule,
    Enrolment,
    Institution,
    Participant,
    Programme,
)
from hub_api.models.enums import AgreementStatus, CohortStatus
from tests import factories, training_factories

SCALE = 300
SEED = 7
CENTRAL_ASIA = {"KZ", "KG", "TJ", "TM", "UZ"}
# What a run writes, to compare two runs by; timestamps of the run itself are left out.
SNAPSHOT = {
    "institutions": "id, code, name, kind, country, city, parent_id, status",
    "agreements": "id, reference, status, signed_on, effective_from, expires_on, predecessor_id",
    "participants": "id, institution_id, given_name, family_name, gender, staff_category, region, is_trainer",
    "cohorts": "id, code, kind, status, host_institution_id, starts_on, ends_on, capacity, seats_taken",
    "cohort_sessions": "id, cohort_id, starts_at, topic",
    "enrolments": "id, cohort_id, participant_id, status, status_changed_at, pre_score, post_score, "
    "satisfaction, attendance_marks, attendance_present",
    "attendance": "id, session_id, enrolment_id, present, minutes",
    "certificates": "id, enrolment_id, number, code, issued_on",
}


def scalar(engine, sql: str, **params):
    with engine.connect() as connection:
        return connection.execute(sa.text(sql), params).scalar()


def rows(engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(sql), params)]


def run_generator(app, scale: int = SCALE, **options):
    with app.app_context():
        return generate(scale, **options)


@pytest.fixture
def generated(app, engine):
    """A generated data set of SCALE participants on an empty database."""
    return run_generator(app, seed=SEED)


def snapshot(engine) -> dict[str, list[tuple]]:
    return {
        table: rows(engine, f"SELECT {columns} FROM {table} ORDER BY id")
        for table, columns in SNAPSHOT.items()
    }


# --- consistency, by recount in SQL -------------------------------------------------------------


def inconsistencies(engine) -> dict[str, list[tuple]]:
    """The rules the database and the app rely on that some rows break, with those rows."""
    checks = {
        "cohort seats_taken": """
            SELECT c.id FROM cohorts c WHERE c.seats_taken <> (
                SELECT count(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status <> 'withdrawn')
            OR c.seats_taken > c.capacity""",
        "allocation seats_taken": """
            SELECT a.id FROM cohort_seat_allocations a WHERE a.seats_taken <> (
                SELECT count(*) FROM enrolments e WHERE e.cohort_id = a.cohort_id
                AND e.institution_id = a.institution_id AND e.status <> 'withdrawn')
            OR a.seats_taken > a.seats""",
        "allocations within capacity": """
            SELECT c.id FROM cohorts c
            WHERE c.capacity < (SELECT coalesce(sum(a.seats), 0) FROM cohort_seat_allocations a
                                WHERE a.cohort_id = c.id)""",
        "enrolled without an allocation": """
            SELECT e.id FROM enrolments e
            WHERE EXISTS (SELECT 1 FROM cohort_seat_allocations a WHERE a.cohort_id = e.cohort_id)
            AND NOT EXISTS (SELECT 1 FROM cohort_seat_allocations a
                            WHERE a.cohort_id = e.cohort_id AND a.institution_id = e.institution_id)""",
        "attendance counters": """
            SELECT e.id FROM enrolments e
            WHERE e.attendance_marks <> (SELECT count(*) FROM attendance t WHERE t.enrolment_id = e.id)
            OR e.attendance_present <> (SELECT count(*) FROM attendance t
                                        WHERE t.enrolment_id = e.id AND t.present)""",
        "roll call of the unconfirmed": """
            SELECT t.id FROM attendance t JOIN enrolments e ON e.id = t.enrolment_id
            WHERE e.status NOT IN ('enrolled', 'completed', 'failed', 'no_show')""",
        "roll call of another cohort's session": """
            SELECT t.id FROM attendance t JOIN enrolments e ON e.id = t.enrolment_id
            JOIN cohort_sessions s ON s.id = t.session_id WHERE s.cohort_id <> e.cohort_id""",
        "roll call before the start": """
            SELECT t.id FROM attendance t JOIN enrolments e ON e.id = t.enrolment_id
            JOIN cohorts c ON c.id = e.cohort_id WHERE c.status NOT IN ('in_progress', 'completed')""",
        "certificate without completion": """
            SELECT r.id FROM certificates r JOIN enrolments e ON e.id = r.enrolment_id
            WHERE e.status <> 'completed'""",
        "completion without certificate": """
            SELECT e.id FROM enrolments e WHERE e.status = 'completed'
            AND NOT EXISTS (SELECT 1 FROM certificates r WHERE r.enrolment_id = e.id)""",
        "participant twice in a cohort": """
            SELECT cohort_id, participant_id FROM enrolments GROUP BY cohort_id, participant_id
            HAVING count(*) > 1""",
        "enrolment of another institution": """
            SELECT e.id FROM enrolments e JOIN participants p ON p.id = e.participant_id
            WHERE e.institution_id <> p.institution_id""",
        "nomination into a planned cohort": """
            SELECT e.id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id WHERE c.status = 'planned'""",
        "completed cohort still running": """
            SELECT e.id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
            WHERE c.status = 'completed' AND e.status IN ('nominated', 'enrolled')""",
        "outcome outside a running or past cohort": """
            SELECT e.id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
            WHERE e.status IN ('completed', 'failed') AND c.status NOT IN ('in_progress', 'completed')""",
        "scores out of range or of the unconfirmed": """
            SELECT e.id FROM enrolments e WHERE e.pre_score NOT BETWEEN 0 AND 100
            OR e.post_score NOT BETWEEN 0 AND 100 OR e.satisfaction NOT BETWEEN 1 AND 5
            OR (e.status NOT IN ('enrolled', 'completed', 'failed', 'no_show')
                AND coalesce(e.pre_score, e.post_score, e.satisfaction) IS NOT NULL)""",
        "version other than 1": """
            SELECT id FROM enrolments WHERE version <> 1 UNION ALL SELECT id FROM cohorts WHERE version <> 1
            UNION ALL SELECT id FROM participants WHERE version <> 1""",
    }
    found = {name: rows(engine, sql) for name, sql in checks.items()}
    return {name: broken for name, broken in found.items() if broken}


def test_counts_follow_the_scale(generated, engine):
    assert scalar(engine, "SELECT count(*) FROM participants") == SCALE
    enrolments = scalar(engine, "SELECT count(*) FROM enrolments")
    assert 4.5 * SCALE <= enrolments <= 5.5 * SCALE
    cohorts = scalar(engine, "SELECT count(*) FROM cohorts")
    assert cohorts == SCALE * 5 // 25
    assert 20 <= enrolments / cohorts <= 30
    assert 3 <= scalar(engine, "SELECT count(*) FROM cohort_sessions") / cohorts <= 7
    assert scalar(engine, "SELECT count(*) FROM institutions") >= 8
    assert scalar(engine, "SELECT count(*) FROM programmes") == 5
    assert scalar(engine, "SELECT count(*) FROM agreements") >= 6
    assert scalar(engine, "SELECT count(*) FROM curricula WHERE status = 'published'") >= 10
    without_modules = "NOT EXISTS (SELECT 1 FROM curriculum_modules m WHERE m.curriculum_id = c.id)"
    assert scalar(engine, f"SELECT count(*) FROM curricula c WHERE {without_modules}") == 0
    for table, count in generated.counts.items():
        assert scalar(engine, f"SELECT count(*) FROM {table}") == count, table


def test_data_spreads_like_the_hubs(generated, engine):
    countries = {country for (country,) in rows(engine, "SELECT country FROM institutions")}
    assert countries >= CENTRAL_ASIA
    kinds = {kind for (kind,) in rows(engine, "SELECT kind FROM institutions")}
    assert {"academy", "donor", "international_organisation"} <= kinds
    women = scalar(engine, "SELECT count(*) FROM participants WHERE gender = 'female'")
    assert 0.25 <= women / SCALE <= 0.45
    assert scalar(engine, "SELECT count(*) FROM participants WHERE is_trainer") > 0
    assert len(rows(engine, "SELECT DISTINCT kind FROM cohorts")) >= 4
    first, last = rows(engine, "SELECT min(starts_on), max(starts_on) FROM cohorts")[0]
    assert str(first) >= "2019-01-01" and str(last) <= "2027-12-31"
    cohorts = scalar(engine, "SELECT count(*) FROM cohorts")
    assert scalar(engine, "SELECT count(*) FROM cohorts WHERE programme_id IS NOT NULL") / cohorts > 0.3
    assert scalar(engine, "SELECT count(*) FROM cohorts WHERE agreement_id IS NOT NULL") / cohorts > 0.15
    hosted_by_an_outsider = """
        SELECT count(*) FROM cohorts c WHERE c.agreement_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM agreement_parties p WHERE p.agreement_id = c.agreement_id
            AND p.institution_id = c.host_institution_id)"""
    assert scalar(engine, hosted_by_an_outsider) == 0
    statuses = {status for (status,) in rows(engine, "SELECT DISTINCT status FROM enrolments")}
    assert {"completed", "failed", "no_show", "withdrawn"} <= statuses
    scored = scalar(
        engine, "SELECT count(*) FROM enrolments WHERE status = 'completed' AND post_score IS NOT NULL"
    )
    assert 0.5 <= scored / scalar(engine, "SELECT count(*) FROM enrolments WHERE status = 'completed'") <= 0.9


def test_every_counter_and_link_holds_by_recount(generated, engine):
    assert inconsistencies(engine) == {}
    assert scalar(engine, "SELECT count(*) FROM cohort_seat_allocations") > 0
    assert scalar(engine, "SELECT count(*) FROM attendance WHERE NOT present") > 0


def test_statuses_agree_with_the_dates(generated, engine, dbs):
    today = clock.today()
    cohorts = dbs.execute(sa.select(Cohort.status, Cohort.starts_on, Cohort.ends_on)).all()
    assert all(ends_on < today for status, _, ends_on in cohorts if status == CohortStatus.COMPLETED)
    running = [
        (starts_on, ends_on) for status, starts_on, ends_on in cohorts if status == CohortStatus.IN_PROGRESS
    ]
    assert all(starts_on <= today <= ends_on for starts_on, ends_on in running)
    ahead = (CohortStatus.PLANNED, CohortStatus.OPEN)
    assert all(starts_on > today for status, starts_on, _ in cohorts if status in ahead)
    statuses = [status for status, _, _ in cohorts]
    assert statuses.count(CohortStatus.COMPLETED) > statuses.count(CohortStatus.CANCELLED)
    sessions = dbs.execute(
        sa.select(CohortSession.starts_at, CohortSession.ends_at, Cohort.starts_on, Cohort.ends_on).join(
            Cohort, Cohort.id == CohortSession.cohort_id
        )
    ).all()
    assert all(
        first <= starts.date() and starts < ends and ends.date() <= last
        for starts, ends, first, last in sessions
    )
    changed = dbs.scalars(sa.select(Enrolment.status_changed_at)).all()
    assert max(changed).date() <= today


def test_certificates_are_numbered_and_coded_like_the_apps(generated, engine):
    certificates = rows(engine, "SELECT r.number, r.code, r.enrolment_id, r.issued_on FROM certificates r")
    assert certificates
    for number, code, enrolment_id, issued_on in certificates:
        assert number == f"HUB-{str(issued_on)[:4]}-{enrolment_id:06d}"
        assert re.fullmatch(r"[A-Za-z0-9_-]{24}", code)
    assert len({code for _, code, _, _ in certificates}) == len(certificates)


def test_agreements_have_parties_commitments_and_a_lifecycle(generated, app, engine):
    parties = "SELECT count(*) FROM agreement_parties p WHERE p.agreement_id = a.id AND p.role = 'party'"
    assert scalar(engine, f"SELECT count(*) FROM agreements a WHERE ({parties}) < 2") == 0
    periods = {per for (per,) in rows(engine, "SELECT DISTINCT per FROM agreement_commitments")}
    assert periods == {"year", "total"}
    stored = {status for (status,) in rows(engine, "SELECT DISTINCT status FROM agreements")}
    assert stored == {"draft", "negotiation", "signed", "active", "terminated"}
    assert scalar(engine, "SELECT count(*) FROM agreements WHERE predecessor_id IS NOT NULL") >= 1
    signed_later = "status IN ('signed', 'active', 'terminated') AND signed_on > :today"
    assert (
        scalar(engine, f"SELECT count(*) FROM agreements WHERE {signed_later}", today=str(clock.today())) == 0
    )
    with app.app_context():
        read = db.session.scalars(sa.select(Agreement.effective_status)).all()
    assert AgreementStatus.EXPIRED in read


def test_search_text_and_names_are_what_the_models_make(generated, dbs):
    for model in (Institution, Programme, Agreement, Curriculum, Cohort, Participant):
        objects = dbs.scalars(sa.select(model).order_by(model.id)).all()
        stored = [obj.search_text for obj in objects]
        for obj in objects:
            obj.search_text = "stale"  # the model's before_update event computes it afresh
        dbs.flush()
        assert [obj.search_text for obj in objects] == stored, model.__name__
        dbs.rollback()
    names = [
        *dbs.scalars(sa.select(Institution.name)),
        *dbs.scalars(sa.select(Programme.name)),
        *dbs.scalars(sa.select(Agreement.title)),
        *dbs.scalars(sa.select(Curriculum.title)),
        *dbs.scalars(sa.select(CurriculumModule.title)),
        *dbs.scalars(sa.select(Cohort.title)),
    ]
    assert all(
        set(name) == {"en", "ru"} and all(isinstance(v, str) and v for v in name.values()) for name in names
    )


def test_the_api_reads_the_generated_data(generated, client, admin, engine):
    response = client.get("/api/v1/agreements?status=expired", headers=admin.headers)
    assert response.status_code == 200 and int(response.headers["X-Total-Count"]) >= 1
    cohort_id = scalar(engine, "SELECT min(cohort_id) FROM cohort_sessions")
    sessions = client.get(f"/api/v1/cohorts/{cohort_id}/sessions", headers=admin.headers).get_json()
    assert sessions and sessions[0]["starts_at"].endswith(("Z", "+00:00"))
    code = scalar(engine, "SELECT min(code) FROM certificates")
    verified = client.get(f"/api/v1/certificates/verify/{code}").get_json()
    assert verified["valid"] is True and verified["certificate_number"].startswith("HUB-")


def test_the_same_seed_gives_the_same_data(app, engine, backend):
    run_generator(app, 200, seed=SEED)
    first = snapshot(engine)
    _, resetter = backend
    resetter.reset(engine)
    run_generator(app, 200, seed=SEED)
    assert snapshot(engine) == first
    resetter.reset(engine)
    run_generator(app, 200, seed=SEED + 1)
    assert snapshot(engine)["participants"] != first["participants"]


@pytest.mark.parametrize(
    ("factory", "found"),
    [
        (factories.InstitutionFactory, ["1 institutions"]),
        (training_factories.PublishedCurriculumFactory, ["1 institutions", "1 curricula"]),
        (training_factories.ParticipantRowFactory, ["1 institutions", "1 participants"]),
    ],
)
def test_refuses_to_write_beside_data_it_did_not_make(app, dbs, engine, factory, found):
    factory()
    with pytest.raises(GeneratorRefused, match="--force") as refusal:
        run_generator(app, 50)
    assert all(part in str(refusal.value) for part in found)
    assert scalar(engine, "SELECT count(*) FROM institutions") == 1
    assert scalar(engine, "SELECT count(*) FROM audit_events WHERE action = 'data.generated'") == 0


def test_force_writes_beside_other_data(app, dbs, engine):
    factories.InstitutionFactory(code="KTA")
    run_generator(app, 50, force=True)
    assert scalar(engine, "SELECT count(*) FROM institutions WHERE code = 'KTA'") == 1
    assert scalar(engine, "SELECT count(*) FROM participants") == 50
    assert inconsistencies(engine) == {}


def test_a_second_run_adds_more_generated_data(app, engine):
    first = run_generator(app, 150, seed=SEED)
    second = run_generator(app, 150, seed=SEED)
    assert (first.prefix, second.prefix) == (f"GEN-{SEED}-1", f"GEN-{SEED}-2")
    assert scalar(engine, "SELECT count(*) FROM participants") == 300
    assert scalar(engine, "SELECT count(*) FROM institutions WHERE code LIKE :prefix",
                  prefix=f"{second.prefix}-%") == second.counts["institutions"]  # fmt: skip
    assert inconsistencies(engine) == {}


def test_the_run_is_audited_and_the_app_gets_fresh_ids_afterwards(generated, dbs, engine):
    events = dbs.scalars(sa.select(AuditEvent).where(AuditEvent.action == "data.generated")).all()
    assert [(e.actor_type, e.details["counts"]) for e in events] == [("system", generated.counts)]
    highest = scalar(engine, "SELECT max(id) FROM institutions")
    assert factories.InstitutionFactory().id > highest  # the id sequence was moved past the generated ids


def schema_objects(engine) -> dict[str, set]:
    """Every table's foreign keys, unique constraints and indexes, by name."""
    inspector = sa.inspect(engine)
    found = {}
    for table in inspector.get_table_names():
        found[table] = {
            *(key["name"] for key in inspector.get_foreign_keys(table)),
            *(unique["name"] for unique in inspector.get_unique_constraints(table)),
            *(index["name"] for index in inspector.get_indexes(table)),
        }
    return found


def test_keys_and_indexes_are_back_after_a_run(app, engine):
    before = schema_objects(engine)
    run_generator(app, 50)
    assert schema_objects(engine) == before
    assert before["enrolments"] >= {"fk_enrolments_participant_institution", "ix_enrolments_status"}


def test_a_failed_run_leaves_nothing_behind(app, engine, monkeypatch):
    def broken(_self):
        raise RuntimeError("planner failed")
        yield

    monkeypatch.setattr(enrolment_planner.Training, "_attendance_rows", broken)
    before = schema_objects(engine)
    with pytest.raises(RuntimeError, match="planner failed"):
        run_generator(app, 50)
    for table in ("institutions", "participants", "cohorts", "enrolments", "audit_events"):
        assert scalar(engine, f"SELECT count(*) FROM {table}") == 0, table
    assert schema_objects(engine) == before


def test_the_command_line_migrates_generates_and_refuses(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'generated.sqlite3'}"
    monkeypatch.setenv("HUB_ENV", "development")
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    console.main(["generate", "--scale", "40", "--seed", "3"])
    printed = capsys.readouterr().out
    assert "GEN-3-1" in printed and "40  participants" in printed and " s" in printed
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM participants")).scalar() == 40
        connection.execute(
            sa.text(
                "INSERT INTO institutions (code, name, kind, country, status, external_ids, search_text, "
                "created_at, updated_at, version) VALUES ('KTA', '{\"en\": \"Kostanay\"}', 'academy', 'KZ', "
                "'active', '{}', 'kta', :now, :now, 1)"
            ),
            {"now": str(date.today())},
        )
    with pytest.raises(SystemExit) as refusal:
        console.main(["generate", "--scale", "40"])
    assert refusal.value.code != 0 and "--force" in str(refusal.value.code)
    console.main(["generate", "--scale", "40", "--force"])
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM participants")).scalar() == 80
    engine.dispose()
