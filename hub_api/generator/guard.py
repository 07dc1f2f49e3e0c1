"""The generator's safety catch: it writes beside its own data only, unless forced."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hub_api.models import Agreement, AuditEvent, Cohort, Curriculum, Institution, Participant, Programme

PREFIX = "GEN-"
ACTION = "data.generated"
# What the generator makes, and the column that carries its prefix.
MARKED = (
    ("institutions", Institution.code),
    ("programmes", Programme.code),
    ("agreements", Agreement.reference),
    ("curricula", Curriculum.code),
    ("cohorts", Cohort.code),
)


class GeneratorRefused(Exception):
    """The database holds data the generator did not make, and it was not forced."""


def _unmarked(column):
    return sa.func.substr(column, 1, len(PREFIX)) != PREFIX  # exact on both databases, unlike LIKE


def foreign_rows(session: Session) -> dict[str, int]:
    """How many institutions, participants, programmes, agreements, curricula and cohorts it did not make."""
    counts = {
        name: session.scalar(sa.select(sa.func.count()).select_from(column.class_).where(_unmarked(column)))
        for name, column in MARKED
    }
    counts["participants"] = session.scalar(
        sa.select(sa.func.count(Participant.id))
        .join(Institution, Institution.id == Participant.institution_id)
        .where(_unmarked(Institution.code))
    )
    return {name: count for name, count in counts.items() if count}


def ensure_only_generated(session: Session, *, force: bool) -> None:
    """Refuse to mix synthetic data with real data unless `force` is set."""
    found = foreign_rows(session)
    if found and not force:
        listed = ", ".join(f"{count} {name}" for name, count in found.items())
        raise GeneratorRefused(
            f"The database holds data the generator did not make ({listed}); synthetic data would be "
            "mixed into it. Use a database of its own, or --force to add the synthetic data anyway."
        )


def next_run(session: Session) -> int:
    """The number of this run: one more than the runs recorded in the audit trail."""
    return 1 + session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == ACTION))
