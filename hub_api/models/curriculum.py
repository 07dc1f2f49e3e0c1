"""Curricula: versioned, multilingual course designs, their modules and their adoptions."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub_api.extensions import db
from hub_api.models.base import JSONType, TimestampMixin, UTCDateTime, enum_column
from hub_api.models.enums import CurriculumStatus


class Curriculum(TimestampMixin, db.Model):
    """One version of a course design; a published version never changes."""

    __tablename__ = "curricula"

    code: Mapped[str] = mapped_column(sa.String(40), index=True)
    # The curriculum's version number (API field `version`); `version` itself is the row's lock counter.
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[dict] = mapped_column(JSONType)
    summary: Mapped[dict | None] = mapped_column(JSONType)
    owner_institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[CurriculumStatus] = mapped_column(
        enum_column(CurriculumStatus, "curriculum_status"), default=CurriculumStatus.DRAFT, index=True
    )
    languages: Mapped[list] = mapped_column(JSONType, default=list)
    delivery_modes: Mapped[list] = mapped_column(JSONType, default=list)
    audiences: Mapped[list] = mapped_column(JSONType, default=list)
    standards: Mapped[list] = mapped_column(JSONType, default=list)
    derived_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("curricula.id", ondelete="RESTRICT"), index=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    modules: Mapped[list["CurriculumModule"]] = relationship(
        cascade="all, delete-orphan", order_by="CurriculumModule.position"
    )
    derivatives: Mapped[list["Curriculum"]] = relationship(
        back_populates="derived_from", order_by="Curriculum.id"
    )
    derived_from: Mapped["Curriculum | None"] = relationship(
        remote_side="Curriculum.id", back_populates="derivatives"
    )

    __table_args__ = (
        sa.UniqueConstraint("code", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("derived_from_id IS NULL OR derived_from_id <> id", name="not_own_source"),
        sa.CheckConstraint("status = 'draft' OR published_at IS NOT NULL", name="published_has_date"),
    )

    @property
    def total_hours(self) -> Decimal:
        """Sum of the modules' hours, derived so it never disagrees with them."""
        return sum((m.hours for m in self.modules), Decimal(0))

    @property
    def derivative_ids(self) -> list[int]:
        """Curricula adapted from this one."""
        return [c.id for c in self.derivatives]


class CurriculumModule(db.Model):
    """A module of a curriculum at a given position, with its hours and learning outcomes."""

    __tablename__ = "curriculum_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(sa.ForeignKey("curricula.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[dict] = mapped_column(JSONType)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1))
    learning_outcomes: Mapped[list] = mapped_column(JSONType, default=list)

    __table_args__ = (
        sa.UniqueConstraint("curriculum_id", "position"),
        sa.CheckConstraint("hours > 0", name="hours_positive"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
    )


class CurriculumAdoption(TimestampMixin, db.Model):
    """An institution's adoption of a curriculum version, possibly under an agreement."""

    __tablename__ = "curriculum_adoptions"

    curriculum_id: Mapped[int] = mapped_column(sa.ForeignKey("curricula.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="RESTRICT"), index=True
    )
    adopted_on: Mapped[date]
    language: Mapped[str] = mapped_column(sa.String(2))
    local_title: Mapped[str | None] = mapped_column(sa.String(300))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("curriculum_id", "institution_id"),)


@sa.event.listens_for(Curriculum, "before_insert")
@sa.event.listens_for(Curriculum, "before_update")
def _keep_search_text(_mapper, _connection, target: Curriculum) -> None:
    parts = [target.code or "", *(target.title or {}).values()]
    target.search_text = " ".join(p.casefold() for p in parts if p)
