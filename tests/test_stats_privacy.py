"""No statistic, JSON or CSV, ever carries a participant's name, email, reference or id.

Every person gets distinctive identity strings and an id no count can collide with; every
statistic is asked for in both formats, grouped by every dimension, unsuppressed (what a hub
admin sees, the widest view), and each answer is searched for every identifier.
"""

import itertools
import json

import pytest

from hub_api.models import Agreement, AgreementCommitment, Programme, ProgrammeTarget
from hub_api.models.enums import (
    AgreementKind,
    AgreementStatus,
    CohortKind,
    CommitmentPeriod,
    EnrolmentStatus,
    Gender,
    ProgrammeMetric,
)
from hub_api.services.stats.dimensions import DIMENSIONS
from tests.factories import InstitutionFactory
from tests.training_factories import CohortFactory, ParticipantRowFactory, enrol

FIRST_ID = 7_654_321  # far above any count or id the statistics may publish


@pytest.fixture
def people(dbs):
    """Twelve officers of two institutions in two cohorts, one of them erased, with secret identities."""
    kz = InstitutionFactory(code="PRIV-KZ", name={"en": "Privacy Academy"})
    kg = InstitutionFactory(code="PRIV-KG", name={"en": "Privacy Service"}, country="KG")
    programme = Programme(code="PRIV-PRG", name={"en": "Programme"})
    programme.targets = [ProgrammeTarget(metric=m, target=10) for m in ProgrammeMetric]
    agreement = Agreement(
        reference="PRIV-MOU",
        title={"en": "MoU"},
        kind=AgreementKind.MOU,
        status=AgreementStatus.DRAFT,
        commitments=[
            AgreementCommitment(
                metric=ProgrammeMetric.PARTICIPANTS_TRAINED, target=5, per=CommitmentPeriod.YEAR
            )
        ],
    )
    dbs.add_all([programme, agreement])
    dbs.commit()
    cohorts = [
        CohortFactory(
            host_institution_id=kz.id, programme_id=programme.id, agreement_id=agreement.id, kind=kind
        )
        for kind in (CohortKind.COURSE, CohortKind.TOT)
    ]
    secrets = []
    for n in range(12):
        secret = {
            "given_name": f"Секрет{n}Имя",
            "family_name": f"Тайнова{n}Фамилия",
            "email": f"secret-{n}@hidden.example",
            "external_ref": f"SECRET-REF-{n:03d}",
        }
        person = ParticipantRowFactory(
            id=FIRST_ID + n,
            institution_id=(kz, kg)[n % 2].id,
            gender=(Gender.FEMALE, Gender.MALE)[n % 3 == 0],
            **secret,
        )
        for cohort in cohorts:
            enrolment = enrol(dbs, cohort, person, EnrolmentStatus.COMPLETED)
            enrolment.pre_score, enrolment.post_score, enrolment.satisfaction = 40 + n, 70 + n, 4
            enrolment.attendance_marks, enrolment.attendance_present = 3, 2
        secrets.append(secret)
    dbs.commit()
    return {
        "cohorts": [c.id for c in cohorts],
        "programme": programme.id,
        "agreement": agreement.id,
        "secrets": secrets,
    }


def _identifiers(people) -> list[str]:
    values = [value for secret in people["secrets"] for value in secret.values()]
    return [*values, *(str(FIRST_ID + n) for n in range(len(people["secrets"])))]


def _statistic_urls(people) -> list[str]:
    groupings = [",".join(combo) for combo in itertools.combinations(DIMENSIONS, 4)][::15]
    groupings += list(DIMENSIONS)
    return [
        "/api/v1/stats/overview",
        "/api/v1/stats/training",
        *(f"/api/v1/stats/training?group_by={grouping}" for grouping in groupings),
        *(f"/api/v1/stats/cohorts/{cohort_id}" for cohort_id in people["cohorts"]),
        f"/api/v1/stats/programmes/{people['programme']}",
        f"/api/v1/stats/agreements/{people['agreement']}",
    ]


def _keys(document) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {key for value in document.values() for key in _keys(value)}
    if isinstance(document, list):
        return {key for item in document for key in _keys(item)}
    return set()


def test_no_statistic_names_or_identifies_a_participant(client, admin, people):
    identifiers = [text.casefold() for text in _identifiers(people)]
    for url, fmt in itertools.product(_statistic_urls(people), ("json", "csv")):
        separator = "&" if "?" in url else "?"
        response = client.get(f"{url}{separator}suppress=false&format={fmt}", headers=admin.headers)
        assert response.status_code == 200, (url, response.get_data(as_text=True))
        text = response.get_data(as_text=True)
        if fmt == "json":
            text += json.dumps(response.json, ensure_ascii=False)
            assert not {key for key in _keys(response.json) if "participant" in key or "name" in key}
        exposed = (text + " ".join(f"{k}: {v}" for k, v in response.headers.items())).casefold()
        assert [found for found in identifiers if found in exposed] == [], url


def test_erasing_a_participant_keeps_every_count(client, admin, people):
    url = "/api/v1/stats/training?group_by=institution,gender&suppress=false"
    before = client.get(url, headers=admin.headers).json
    victim = FIRST_ID + 4
    assert client.delete(f"/api/v1/participants/{victim}", headers=admin.headers).status_code == 204

    after = client.get(url, headers=admin.headers).json

    assert after == before
    assert after["totals"]["people_trained"] == len(people["secrets"])
