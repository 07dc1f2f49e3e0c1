"""The whole data set as tables in writing order, each planned once those it refers to are written."""

from collections.abc import Iterator

from hub_api.generator.agreement_tables import agreement_tables
from hub_api.generator.agreements import plan_agreements
from hub_api.generator.cohort_tables import cohort_tables
from hub_api.generator.cohorts import plan_cohorts
from hub_api.generator.context import Context
from hub_api.generator.curricula import plan_curricula
from hub_api.generator.enrolments import plan_enrolments
from hub_api.generator.participants import plan_participants
from hub_api.generator.partners import plan_institutions
from hub_api.generator.programmes import plan_programmes
from hub_api.generator.seating import ENROLMENTS_PER_PARTICIPANT
from hub_api.generator.tables import Table

# Tables whose ids the generator assigns; the others are keyed by the ids they link.
ID_TABLES = (
    "institutions", "programmes", "agreements", "agreement_parties", "agreement_commitments",
    "agreement_transitions", "curricula", "curriculum_modules", "curriculum_adoptions", "participants",
    "cohorts", "cohort_seat_allocations", "cohort_sessions", "enrolments", "attendance", "certificates",
)  # fmt: skip


def plan_tables(ctx: Context, scale: int) -> Iterator[Table]:
    """Partners, programmes, agreements, curricula, participants, cohorts, then the training record."""
    partners = plan_institutions(ctx, scale)
    yield from partners.tables()
    programmes = plan_programmes(ctx, scale, partners)
    yield from programmes.tables()
    agreements = plan_agreements(ctx, scale, partners, programmes)
    yield from agreement_tables(ctx, agreements)
    curricula = plan_curricula(ctx, partners)
    yield from curricula.tables()
    people = plan_participants(ctx, scale, partners)
    yield from people.tables()
    cohorts = plan_cohorts(
        ctx, scale * ENROLMENTS_PER_PARTICIPANT, partners, programmes, agreements, curricula
    )
    training = plan_enrolments(ctx, cohorts, people, partners)
    yield from cohort_tables(ctx, cohorts, people)
    yield from training.tables()
