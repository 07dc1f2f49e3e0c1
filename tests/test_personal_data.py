"""Who sees whom: every participant- and enrolment-bearing route × every kind of caller.

The rule: a coordinator sees and edits its own institution's participants, plus, read-only, the
names and results of the participants enrolled in cohorts its institution hosts. Nobody else,
analysts included, receives a participant's name, email or external reference: not in lists,
not nested in cohorts or enrolments, not in errors. Another institution's participant or
enrolment answers 404; a write on a visible object that is not the caller's answers 403.

The world: HOST hosts cohort C; GUEST's participant G completed C (certificate, attendance) and
its G2 is enrolled nowhere; HOST's own trainer H is in C too; OTHER's O is in cohort D, which
OTHER hosts. Every personal value is a distinctive string, and each response (body, error body
and headers) is searched for every value the caller may not see, and for every value it may.
"""

import itertools
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from hub_api.extensions import db
from hub_api.models import Attendance, Certificate, SeatAllocation
from hub_api.models.enums import CohortStatus, EnrolmentStatus, Role
from tests.conftest import sign_in
from tests.factories import InstitutionFactory, UserFactory
from tests.helpers import client_headers
from tests.training_factories import (
    CohortFactory,
    ParticipantRowFactory,
    PublishedCurriculumFactory,
    SessionFactory,
    enrol,
)

API = "/api/v1"

# --- the people, and what each caller may read about them ----------------------------------

PERSON = ("given_name", "family_name", "email", "external_ref", "position")
NAMES = ("given_name", "family_name")
SECRETS = {
    "G": {
        "given_name": "Зарина-SECRET-G",
        "family_name": "Ахметова-SECRET-G",
        "email": "g-secret@guest.example",
        "external_ref": "GUEST-SECRET-1",
        "position": "Psychologist-SECRET-G",
    },
    "G2": {
        "given_name": "Гульнар-SECRET-G2",
        "family_name": "Бекова-SECRET-G2",
        "email": "g2-secret@guest.example",
        "external_ref": "GUEST-SECRET-2",
        "position": "Inspector-SECRET-G2",
    },
    "O": {
        "given_name": "Ольга-SECRET-O",
        "family_name": "Осипова-SECRET-O",
        "email": "o-secret@other.example",
        "external_ref": "OTHER-SECRET-1",
        "position": "Officer-SECRET-O",
    },
    "H": {
        "given_name": "Хадиша-SECRET-H",
        "family_name": "Хасенова-SECRET-H",
        "email": "h-secret@host.example",
        "external_ref": "HOST-SECRET-1",
        "position": "Trainer-SECRET-H",
    },
}
G_INITIALS = "З. А."  # all that certificate verification may tell about G
EVERYONE = tuple(SECRETS)

# The callers, in the order of the matrix's columns.
CALLERS = (
    "admin",  # hub administrator
    "host",  # coordinator of HOST
    "guest",  # coordinator of GUEST
    "other",  # coordinator of OTHER
    "analyst",
    "g_read",  # API client of GUEST: participants:read
    "g_write",  # API client of GUEST: participants:write
    "g_enrol",  # API client of GUEST: enrolments:write only
    "g_cat",  # API client of GUEST: catalogue:read only
    "hub_read",  # hub-level API client (no institution): participants:read
    "hub_cat",  # hub-level API client: catalogue:read
    "anon",  # no token
)
USERS = {
    "admin": (Role.HUB_ADMIN, None),
    "host": (Role.COORDINATOR, "HOST"),
    "guest": (Role.COORDINATOR, "GUEST"),
    "other": (Role.COORDINATOR, "OTHER"),
    "analyst": (Role.ANALYST, None),
}
CLIENTS = {
    "g_read": (["participants:read"], "GUEST"),
    "g_write": (["participants:write"], "GUEST"),
    "g_enrol": (["enrolments:write"], "GUEST"),
    "g_cat": (["catalogue:read"], "GUEST"),
    "hub_read": (["participants:read"], None),
    "hub_cat": (["catalogue:read"], None),
}

# Whose personal fields a caller may receive. The host institution gets the names (and results)
# of a guest's participant enrolled in its cohort, never its email, external_ref or position.
SEES = {
    "admin": dict.fromkeys(EVERYONE, PERSON),
    "host": {"H": PERSON, "G": NAMES},
    "guest": {"G": PERSON, "G2": PERSON},
    "other": {"O": PERSON},
    "analyst": {},
    "g_read": {"G": PERSON, "G2": PERSON},
    "g_write": {"G": PERSON, "G2": PERSON},  # its own people, in the answers to its writes
    "g_enrol": {},  # nominates GUEST's people, but nested names stay null without participants:read
    "g_cat": {},
    "hub_read": dict.fromkeys(EVERYONE, PERSON),
    "hub_cat": {},
    "anon": {},
}
# Whose records and enrolments fall within a caller's reach (what its lists hold, by id).
REACH = {
    "admin": set(EVERYONE),
    "host": {"H", "G"},
    "guest": {"G", "G2"},
    "other": {"O"},
    "g_read": {"G", "G2"},
    "g_write": {"G", "G2"},
    "g_enrol": {"G", "G2"},
    "hub_read": set(EVERYONE),
}

# --- the matrix ----------------------------------------------------------------------------

# Expected status per caller; paths are under /api/v1, {X} is an object of the world below.
MATRIX = """
                                                   adm hst gst oth ana grd gwr gen gct hrd hct ano
GET    /participants                               200 200 200 200 403 200 403 403 403 200 403 401
GET    /participants?q=secret                      200 200 200 200 403 200 403 403 403 200 403 401
GET    /participants?q=o-secret@other              200 200 200 200 403 200 403 403 403 200 403 401
POST   /participants                               201 403 201 403 403 403 201 403 403 403 403 401
GET    /participants/{G}                           200 200 200 404 403 200 403 403 403 200 403 401
GET    /participants/{G2}                          200 404 200 404 403 200 403 403 403 200 403 401
GET    /participants/{O}                           200 404 404 200 403 404 403 403 403 200 403 401
GET    /participants/{H}                           200 200 404 404 403 404 403 403 403 200 403 401
PATCH  /participants/{G}                           200 403 200 404 403 403 200 403 403 403 403 401
PATCH  /participants/{G2}                          200 404 200 404 403 403 200 403 403 403 403 401
PATCH  /participants/{O}                           200 404 404 200 403 403 404 403 403 403 403 401
PATCH  /participants/{H}                           200 200 404 404 403 403 404 403 403 403 403 401
DELETE /participants/{G}                           204 403 204 404 403 403 204 403 403 403 403 401
DELETE /participants/{G2}                          204 404 204 404 403 403 204 403 403 403 403 401
DELETE /participants/{O}                           204 404 404 204 403 403 404 403 403 403 403 401
DELETE /participants/{H}                           204 204 404 404 403 403 404 403 403 403 403 401
POST   /participants/import?institution_id={GUEST} 200 403 200 403 403 403 200 403 403 403 403 401
GET    /participants/{G}/enrolments                200 200 200 404 403 200 403 403 403 200 403 401
GET    /participants/{G2}/enrolments               200 404 200 404 403 200 403 403 403 200 403 401
GET    /participants/{O}/enrolments                200 404 404 200 403 404 403 403 403 200 403 401
GET    /cohorts/{C}/enrolments                     200 200 200 200 403 200 403 403 403 200 403 401
GET    /cohorts/{D}/enrolments                     200 200 200 200 403 200 403 403 403 200 403 401
POST   /cohorts/{C}/enrolments                     201 404 201 404 403 403 403 201 403 403 403 401
POST   /cohorts/{C}/enrolments/bulk                200 200 200 200 403 403 403 200 403 403 403 401
GET    /enrolments/{E_G}                           200 200 200 404 403 200 403 403 403 200 403 401
GET    /enrolments/{E_H}                           200 200 404 404 403 404 403 403 403 200 403 401
GET    /enrolments/{E_O}                           200 404 404 200 403 404 403 403 403 200 403 401
PATCH  /enrolments/{E_G}?results                   200 200 403 404 403 403 403 403 403 403 403 401
PATCH  /enrolments/{E_G}                           200 200 403 404 403 403 403 403 403 403 403 401
PATCH  /enrolments/{E_H}                           200 200 404 404 403 403 403 404 403 403 403 401
PATCH  /enrolments/{E_O}                           200 404 404 200 403 403 403 404 403 403 403 401
GET    /cohorts                                    200 200 200 200 200 403 403 403 200 403 200 401
POST   /cohorts                                    201 201 403 403 403 403 403 403 403 403 403 401
GET    /cohorts/{C}                                200 200 200 200 200 403 403 403 200 403 200 401
PATCH  /cohorts/{C}                                200 200 403 403 403 403 403 403 403 403 403 401
DELETE /cohorts/{P}                                204 204 403 403 403 403 403 403 403 403 403 401
POST   /cohorts/{C}/transitions                    200 200 403 403 403 403 403 403 403 403 403 401
GET    /cohorts/{C}/sessions                       200 200 200 200 200 403 403 403 200 403 200 401
POST   /cohorts/{C}/sessions                       201 201 403 403 403 403 403 403 403 403 403 401
GET    /cohorts/{C}/sessions/{S}                   200 200 200 200 200 403 403 403 200 403 200 401
PATCH  /cohorts/{C}/sessions/{S}                   200 200 403 403 403 403 403 403 403 403 403 401
DELETE /cohorts/{C}/sessions/{S}                   204 204 403 403 403 403 403 403 403 403 403 401
GET    /cohorts/{C}/sessions/{S}/attendance        200 200 200 200 403 200 403 403 403 200 403 401
PUT    /cohorts/{C}/sessions/{S}/attendance        200 200 403 403 403 403 403 403 403 403 403 401
GET    /certificates/verify/{CODE}                 200 200 200 200 200 200 200 200 200 200 200 200
GET    /audit-events?page_size=100                 200 403 403 403 403 403 403 403 403 403 403 401
GET    /stats/cohorts/{C}                          200 200 200 200 200 403 403 403 403 403 403 401
"""
# `?results` marks a second PATCH of the same enrolment: results rather than a withdrawal.
PSEUDO_QUERY = "?results"


@dataclass(frozen=True)
class Shape:
    """What a case sends, and what its answer may carry besides its status."""

    body: object = None
    # Participant → the fields this route's answer may carry about them, for callers who may see.
    names: dict = field(default_factory=dict)
    # (key, participants): a 200 list holds exactly these, as far as the caller reaches.
    lists: tuple | None = None
    # Per-row statuses of a bulk nomination, one per caller ("---": the request itself is refused).
    rows: str | None = None
    # Further checks of a 2xx answer: (response, world) → list of problems.
    check: object = None
    # Steps run before the request: (app, client, world) → further strings nobody may receive.
    prepare: object = None


def _trainers_only(response, world) -> list[str]:
    sessions = response.json if isinstance(response.json, list) else [response.json]
    trainer_ids = [s["trainer_ids"] for s in sessions if s["id"] == world["S"]]
    return [] if trainer_ids == [[world["H"]]] else [f"session S should name trainer H by id: {trainer_ids}"]


PUBLIC_FACTS = {
    "valid",
    "certificate_number",
    "holder_initials",
    "cohort_title",
    "curriculum_title",
    "issued_on",
    "issuer",
}


def _initials_only(response, _world) -> list[str]:
    body = response.json
    problems = (
        [] if set(body) == PUBLIC_FACTS else [f"verification answers more than the public facts: {body}"]
    )
    if body.get("holder_initials") != G_INITIALS:
        problems.append(f"holder_initials should be {G_INITIALS!r}: {body.get('holder_initials')!r}")
    return problems


RENAMED = "Ахметова-RENAMED-SECRET-G"
REPOSITIONED = "Position-RENAMED-SECRET-G2"
PLANTED_ACTIONS = {
    "participants.export",
    "participants.update",
    "participants.import",
    "participants.erase",
    "permission.denied",
}


def _plant_audit_trail(app, client, world) -> tuple[str, ...]:
    """Personal data passes through a search, writes, a refusal, an import and an erasure."""
    admin, host, guest = (headers_for(app, world, who) for who in ("admin", "host", "guest"))
    g2 = SECRETS["G2"]
    roster = [
        {
            "external_ref": g2["external_ref"],
            "given_name": g2["given_name"],
            "family_name": g2["family_name"],
            "gender": "female",
            "staff_category": "psychologist",
            "position": REPOSITIONED,
        }
    ]
    search = f"q={SECRETS['G']['given_name'].casefold()}&external_ref={SECRETS['G']['external_ref']}"
    steps = [
        (admin, "GET", f"/participants?{search}", None, 200),
        (guest, "PATCH", "/participants/{G}", {"family_name": RENAMED}, 200),
        (host, "PATCH", "/participants/{G}", {"given_name": "Someone Else"}, 403),
        (guest, "POST", "/participants/import?institution_id={GUEST}", roster, 200),
        (admin, "DELETE", "/participants/{O}", None, 204),
    ]
    for headers, method, path, body, status in steps:
        response = client.open(API + fill(path, world), method=method, json=body, headers=headers)
        assert response.status_code == status, (method, path, response.get_data(as_text=True))
    return RENAMED, REPOSITIONED


def _planted_events_listed(response, _world) -> list[str]:
    missing = PLANTED_ACTIONS - {event["action"] for event in response.json}
    return [f"the trail should list {sorted(missing)}"] if missing else []


NEW_PERSON = {
    "institution_id": "{GUEST}",
    "given_name": "Newcomer",
    "family_name": "Person",
    "gender": "male",
    "staff_category": "instructor",
}
IMPORT_ROWS = [
    {
        "external_ref": "NEW-IMPORT-1",
        "given_name": "Imported",
        "family_name": "Person",
        "gender": "female",
        "staff_category": "psychologist",
    }
]
NEW_COHORT = {
    "code": "NEW-COHORT-1",
    "title": {"en": "A new cohort"},
    "kind": "course",
    "curriculum_id": "{CURRICULUM}",
    "delivery_mode": "online",
    "language": "ru",
    "starts_on": "2026-05-04",
    "ends_on": "2026-05-08",
    "capacity": 10,
    "host_institution_id": "{HOST}",
}
NEW_SESSION = {
    "starts_at": "2026-03-03T04:00:00Z",
    "ends_at": "2026-03-03T08:00:00Z",
    "topic": "Second day",
    "trainer_ids": ["{H}"],
}
ROLL_CALL = [
    {"participant_id": "{G}", "present": False, "minutes": 0},
    {"participant_id": "{H}", "present": True, "minutes": 240},
]
CHANGE = {"region": "Changed-Region"}
WITHDRAW = {"status": "withdrawn"}
PARTICIPANT_LIST = ("id", EVERYONE)
C_ROLL = ("participant_id", ("G", "H"))  # who is in cohort C

SHAPES = {
    "GET /participants": Shape(names=dict.fromkeys(EVERYONE, PERSON), lists=PARTICIPANT_LIST),
    "GET /participants?q=secret": Shape(names=dict.fromkeys(EVERYONE, PERSON), lists=PARTICIPANT_LIST),
    "GET /participants?q=o-secret@other": Shape(names={"O": PERSON}, lists=("id", ("O",))),
    "POST /participants": Shape(body=NEW_PERSON),
    **{f"GET /participants/{{{p}}}": Shape(names={p: PERSON}) for p in EVERYONE},
    **{f"PATCH /participants/{{{p}}}": Shape(body=CHANGE, names={p: PERSON}) for p in EVERYONE},
    "POST /participants/import?institution_id={GUEST}": Shape(body=IMPORT_ROWS),
    "GET /participants/{G}/enrolments": Shape(names={"G": NAMES}, lists=("participant_id", ("G",))),
    "GET /participants/{G2}/enrolments": Shape(lists=("participant_id", ())),
    "GET /participants/{O}/enrolments": Shape(names={"O": NAMES}, lists=("participant_id", ("O",))),
    "GET /cohorts/{C}/enrolments": Shape(names=dict.fromkeys(("G", "H"), NAMES), lists=C_ROLL),
    "GET /cohorts/{D}/enrolments": Shape(names={"O": NAMES}, lists=("participant_id", ("O",))),
    "POST /cohorts/{C}/enrolments": Shape(body={"participant_id": "{G2}"}, names={"G2": NAMES}),
    "POST /cohorts/{C}/enrolments/bulk": Shape(
        body={"participant_ids": ["{G2}"]},
        rows="201 404 201 404 --- --- --- 201 --- --- --- ---",
    ),
    **{f"GET /enrolments/{{E_{p}}}": Shape(names={p: NAMES}) for p in ("G", "H", "O")},
    "PATCH /enrolments/{E_G}?results": Shape(body={"post_score": 91}, names={"G": NAMES}),
    **{f"PATCH /enrolments/{{E_{p}}}": Shape(body=WITHDRAW, names={p: NAMES}) for p in ("G", "H", "O")},
    "POST /cohorts": Shape(body=NEW_COHORT),
    "PATCH /cohorts/{C}": Shape(body={"city": "Astana"}),
    "POST /cohorts/{C}/transitions": Shape(body={"to": "in_progress"}),
    "GET /cohorts/{C}/sessions": Shape(check=_trainers_only),
    "POST /cohorts/{C}/sessions": Shape(body=NEW_SESSION),
    "GET /cohorts/{C}/sessions/{S}": Shape(check=_trainers_only),
    "PATCH /cohorts/{C}/sessions/{S}": Shape(body={"topic": "Changed topic"}),
    "GET /cohorts/{C}/sessions/{S}/attendance": Shape(lists=C_ROLL),
    "PUT /cohorts/{C}/sessions/{S}/attendance": Shape(body=ROLL_CALL, lists=C_ROLL),
    "GET /certificates/verify/{CODE}": Shape(check=_initials_only),
    "GET /audit-events?page_size=100": Shape(prepare=_plant_audit_trail, check=_planted_events_listed),
}


def _statuses(cells: list[str]) -> dict[str, int | None]:
    assert len(cells) == len(CALLERS), cells
    return {caller: None if cell == "---" else int(cell) for caller, cell in zip(CALLERS, cells, strict=True)}


@dataclass(frozen=True)
class Case:
    """One row of the matrix: a request, and the status each caller gets."""

    method: str
    path: str
    expected: dict
    shape: Shape

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def url(self) -> str:
        return API + self.path.removesuffix(PSEUDO_QUERY)

    def row_status(self, caller: str) -> int | None:
        return _statuses(self.shape.rows.split())[caller] if self.shape.rows else None


def _parse(matrix: str) -> list[Case]:
    cases = []
    for line in matrix.strip("\n").splitlines()[1:]:
        method, path, *cells = line.split()
        label = f"{method} {path}"
        cases.append(Case(method, path, _statuses(cells), SHAPES.get(label, Shape())))
    return cases


CASES = _parse(MATRIX)

# --- the world -----------------------------------------------------------------------------


def build_world(dbs) -> dict:
    """HOST, GUEST and OTHER, their cohorts and people; returns the ids (and the certificate code)."""
    host = InstitutionFactory(code="HOST", name={"en": "Host Academy"})
    guest = InstitutionFactory(code="GUEST", name={"en": "Guest Service"}, country="KG")
    other = InstitutionFactory(code="OTHER", name={"en": "Other Academy"}, country="TJ")
    curriculum = PublishedCurriculumFactory(owner_institution_id=host.id)
    c = CohortFactory(
        code="C-HOSTED",
        host_institution_id=host.id,
        curriculum_id=curriculum.id,
        seat_allocations=[
            SeatAllocation(institution_id=host.id, seats=5),
            SeatAllocation(institution_id=guest.id, seats=5),
        ],
    )
    d = CohortFactory(code="D-OTHER", host_institution_id=other.id, curriculum_id=curriculum.id)
    p = CohortFactory(
        code="P-PLANNED",
        host_institution_id=host.id,
        curriculum_id=curriculum.id,
        status=CohortStatus.PLANNED,
    )
    people = {
        "G": ParticipantRowFactory(institution_id=guest.id, **SECRETS["G"]),
        "G2": ParticipantRowFactory(institution_id=guest.id, **SECRETS["G2"]),
        "O": ParticipantRowFactory(institution_id=other.id, **SECRETS["O"]),
        "H": ParticipantRowFactory(institution_id=host.id, is_trainer=True, **SECRETS["H"]),
    }
    e_g = enrol(dbs, c, people["G"], status=EnrolmentStatus.COMPLETED)
    e_h = enrol(dbs, c, people["H"])
    e_o = enrol(dbs, d, people["O"])
    e_g.pre_score, e_g.post_score, e_g.satisfaction = 40, 85, 5
    certificate = Certificate(
        enrolment_id=e_g.id, number="HUB-2026-000001", code="verify-code-of-g", issued_on=date(2026, 3, 13)
    )
    session = SessionFactory(
        cohort_id=c.id,
        starts_at=datetime(2026, 3, 2, 4, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        trainers=[people["H"]],
    )
    dbs.add_all(
        [
            certificate,
            Attendance(session_id=session.id, enrolment_id=e_g.id, present=True, minutes=240),
            Attendance(session_id=session.id, enrolment_id=e_h.id, present=True, minutes=240),
        ]
    )
    dbs.commit()
    return {
        "HOST": host.id,
        "GUEST": guest.id,
        "OTHER": other.id,
        "CURRICULUM": curriculum.id,
        "C": c.id,
        "D": d.id,
        "P": p.id,
        **{name: person.id for name, person in people.items()},
        "E_G": e_g.id,
        "E_H": e_h.id,
        "E_O": e_o.id,
        "S": session.id,
        "CODE": certificate.code,
    }


def headers_for(app, world: dict, caller: str) -> dict:
    """Authorization headers of a fresh caller of that kind."""
    if caller in USERS:
        role, institution = USERS[caller]
        institution_id = world[institution] if institution else None
        return sign_in(app, UserFactory(role=role, institution_id=institution_id)).headers
    if caller in CLIENTS:
        scopes, institution = CLIENTS[caller]
        return client_headers(app, scopes, SimpleNamespace(id=world[institution]) if institution else None)
    return {}


def fill(template, world: dict):
    """The template with each `{NAME}` replaced by that object of the world."""
    if isinstance(template, str):
        whole = re.fullmatch(r"\{(\w+)\}", template)
        if whole:
            return world[whole.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(world[m.group(1)]), template)
    if isinstance(template, list):
        return [fill(item, world) for item in template]
    if isinstance(template, dict):
        return {key: fill(value, world) for key, value in template.items()}
    return template


WATCHED_TABLES = (
    "participants",
    "enrolments",
    "certificates",
    "attendance",
    "cohorts",
    "cohort_seat_allocations",
    "cohort_sessions",
    "cohort_session_trainers",
)


def snapshot(dbs) -> dict:
    """Every row of the tables a personal-data write could touch, as the database holds them."""
    state = {}
    for name in WATCHED_TABLES:
        table = db.metadata.tables[name]
        state[name] = [tuple(row) for row in dbs.execute(sa.select(table).order_by(*table.primary_key))]
    dbs.rollback()  # hold no transaction open while the app writes
    return state


def exposed_text(response) -> str:
    """Everything a caller receives, JSON unescaped and headers URL-decoded, case-folded."""
    parts = [response.get_data(as_text=True)]
    if response.is_json and response.get_data():
        parts.append(json.dumps(response.get_json(), ensure_ascii=False))
    parts.extend(f"{name}: {unquote(value)}" for name, value in response.headers.items())
    return "\n".join(parts).casefold()


_addresses = itertools.count(1)


def unique_address() -> str:
    """A client address of its own, so the verification rate limit never trips across tests."""
    n = next(_addresses)
    return f"10.{100 + os.getpid() % 100}.{n // 250}.{n % 250 + 1}"


# --- the tests -----------------------------------------------------------------------------

PERSONAL_ROUTE = re.compile(r"participant|enrolment|cohorts|certificates|audit-events")


def test_the_matrix_covers_every_personal_data_route(app):
    """A new route under these paths fails here until the matrix says who may use it."""
    adapter = app.url_map.bind("localhost")
    required = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if PERSONAL_ROUTE.search(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = set()
    for case in CASES:
        path = re.sub(r"\{\w+\}", "1", case.url.split("?")[0])
        endpoint, _ = adapter.match(path, method=case.method)
        covered.add((case.method, endpoint))
    assert sorted(required - covered) == [], "routes missing from MATRIX"
    assert sorted(covered - required) == []
    assert set(SHAPES) <= {case.label for case in CASES}, "a SHAPES key matches no MATRIX row"


def test_the_matrix_keeps_analysts_out_and_anonymous_callers_unauthenticated():
    """The table itself: analysts never get personal routes, anonymous callers only verification."""
    for case in CASES:
        if case.path.startswith("/certificates/verify/"):
            assert set(case.expected.values()) == {200}, case.label
            continue
        assert case.expected["anon"] == 401, case.label
        if re.search(r"participant|enrolment|attendance|audit", case.path):
            assert case.expected["analyst"] == 403, case.label
            assert case.expected["g_cat"] == case.expected["hub_cat"] == 403, case.label


def test_every_secret_is_distinct():
    """No secret contains another, so each one found in a response is the one searched for."""
    values = [value.casefold() for person in SECRETS.values() for value in person.values()]
    values += [RENAMED.casefold(), REPOSITIONED.casefold(), G_INITIALS.casefold()]
    for a, b in itertools.permutations(values, 2):
        assert a not in b, (a, b)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_who_sees_whom(app, client, dbs, case, caller):
    """The status, every personal value received or withheld, the list's members, the write's effect."""
    world = build_world(dbs)
    headers = headers_for(app, world, caller)
    planted = case.shape.prepare(app, client, world) if case.shape.prepare else ()
    before = snapshot(dbs)

    response = client.open(
        fill(case.url, world),
        method=case.method,
        json=fill(case.shape.body, world),
        headers=headers,
        environ_base={"REMOTE_ADDR": unique_address()},
    )

    status, expected = response.status_code, case.expected[caller]
    where = f"{caller} on {case.label}"
    problems = []
    if status != expected:
        body = response.get_data(as_text=True)[:300]
        problems.append(f"{where}: expected {expected}, got {status}: {body}")
    text = exposed_text(response)
    seen = SEES[caller]
    may = {(p, f) for p, fields in case.shape.names.items() for f in fields if f in seen.get(p, ())}
    for p, values in SECRETS.items():
        for f, value in values.items():
            found = value.casefold() in text
            if found and (p, f) not in may:
                allowed = [g for q, g in sorted(may) if q == p]
                hint = f"; it may receive only {p}'s {', '.join(allowed)}" if allowed else ""
                problems.append(f"LEAK {where} ({status}): received {p}.{f} = {value!r}{hint}")
            if not found and (p, f) in may and 200 <= status < 300:
                problems.append(f"{where} ({status}): should show {p}.{f}, which it may see")
    leaked = [value for value in planted if value.casefold() in text]
    problems += [f"LEAK {where} ({status}): received {value!r}" for value in leaked]

    if status == expected and 200 <= status < 300 and response.get_data():
        if case.shape.lists:
            key, among = case.shape.lists
            got = {item[key] for item in response.json}
            want = {world[p] for p in among if p in REACH.get(caller, ())}
            names = {world[p]: p for p in EVERYONE}
            if got != want:
                problems.append(
                    f"{where}: lists {sorted(names.get(i, i) for i in got)}, "
                    f"expected {sorted(names[i] for i in want)}"
                )
        total = response.headers.get("X-Total-Count")
        if total is not None and int(total) != len(response.json):
            problems.append(f"{where}: X-Total-Count {total} for {len(response.json)} items")
        if case.shape.check:
            problems += [f"{where}: {problem}" for problem in case.shape.check(response, world)]
        row = case.row_status(caller)
        if row is not None and [r["status"] for r in response.json["results"]] != [row]:
            problems.append(f"{where}: bulk row should be {row}: {response.json['results']}")

    row = case.row_status(caller)
    wrote = case.method != "GET" and 200 <= status < 300 and row in (None, 201)
    after = snapshot(dbs)
    if wrote and after == before:
        problems.append(f"{where}: a {status} write changed nothing")
    if not wrote and after != before:
        changed = sorted(name for name in WATCHED_TABLES if before[name] != after[name])
        problems.append(f"{where}: a refused or read-only request ({status}) changed {changed}")

    assert not problems, "\n".join(problems)
