"""Participants: the officers trained, owned by their institution and erasable on request."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub_api.extensions import db
from hub_api.models.base import TimestampMixin, UTCDateTime, enum_column
from hub_api.models.enums import Gender, StaffCategory

# Columns that identify a person; erasure empties every one of them.
IDENTITY_COLUMNS = ("external_ref", "given_name", "family_name", "email", "position", "search_text")


class Participant(TimestampMixin, db.Model):
    """An officer of one institution; after erasure only the anonymous facts remain."""

    __tablename__ = "participants"

    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    external_ref: Mapped[str | None] = mapped_column(sa.String(100))
    given_name: Mapped[str | None] = mapped_column(sa.String(100))
    family_name: Mapped[str | None] = mapped_column(sa.String(100))
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender"))
    staff_category: Mapped[StaffCategory] = mapped_column(enum_column(StaffCategory, "staff_category"))
    position: Mapped[str | None] = mapped_column(sa.String(200))
    region: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    is_trainer: Mapped[bool] = mapped_column(default=False)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_text: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        # NULLs never clash, so erased participants (whose reference is gone) never collide.
        sa.UniqueConstraint("institution_id", "external_ref"),
        # The target of enrolments' (participant_id, institution_id) foreign key.
        sa.UniqueConstraint("id", "institution_id"),
        sa.CheckConstraint(
            "erased_at IS NULL OR (external_ref IS NULL AND given_name IS NULL AND family_name IS NULL "
            "AND email IS NULL AND position IS NULL AND search_text IS NULL)",
            name="erased_has_no_identity",
        ),
        sa.CheckConstraint(
            "erased_at IS NOT NULL OR (given_name IS NOT NULL AND family_name IS NOT NULL)",
            name="named_unless_erased",
        ),
    )

    @property
    def erased(self) -> bool:
        """Whether the identity has been erased."""
        return self.erased_at is not None


def participant_search_text(values: dict) -> str:
    """The case-folded names that `q` searches (Cyrillic too, on both databases)."""
    parts = (values.get(key) for key in ("given_name", "family_name"))
    return " ".join(p.casefold() for p in parts if p)


@sa.event.listens_for(Participant, "before_insert")
@sa.event.listens_for(Participant, "before_update")
def _keep_search_text(_mapper, _connection, target: Participant) -> None:
    if target.erased_at is None:
        target.search_text = participant_search_text(target.__dict__)
