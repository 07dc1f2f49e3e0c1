"""Donor-funded programmes that pay for the hub's work, with their targets."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub_api.extensions import db
from hub_api.models.base import JSONType, TimestampMixin, enum_column
from hub_api.models.enums import ProgrammeMetric
from hub_api.models.institution import Institution

programme_donors = sa.Table(
    "programme_donors",
    db.metadata,
    sa.Column("programme_id", sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("institution_id", sa.ForeignKey("institutions.id", ondelete="RESTRICT"), primary_key=True),
)
programme_implementers = sa.Table(
    "programme_implementers",
    db.metadata,
    sa.Column("programme_id", sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("institution_id", sa.ForeignKey("institutions.id", ondelete="RESTRICT"), primary_key=True),
)


class Programme(TimestampMixin, db.Model):
    """A funded project: its donors, implementing partners, period and targets."""

    __tablename__ = "programmes"

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[dict] = mapped_column(JSONType)
    description: Mapped[str | None] = mapped_column(sa.Text)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    donors: Mapped[list[Institution]] = relationship(secondary=programme_donors, order_by=Institution.id)
    implementers: Mapped[list[Institution]] = relationship(
        secondary=programme_implementers, order_by=Institution.id
    )
    targets: Mapped[list["ProgrammeTarget"]] = relationship(
        cascade="all, delete-orphan", order_by="ProgrammeTarget.metric"
    )

    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="period"),
    )

    @property
    def donor_ids(self) -> list[int]:
        """Ids of the donor institutions."""
        return [i.id for i in self.donors]

    @property
    def implementer_ids(self) -> list[int]:
        """Ids of the implementing institutions."""
        return [i.id for i in self.implementers]


class ProgrammeTarget(db.Model):
    """One target of a programme, such as 150 participants trained."""

    __tablename__ = "programme_targets"

    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[ProgrammeMetric] = mapped_column(
        enum_column(ProgrammeMetric, "programme_metric"), primary_key=True
    )
    target: Mapped[int]

    __table_args__ = (sa.CheckConstraint("target >= 0", name="target_not_negative"),)


@sa.event.listens_for(Programme, "before_insert")
@sa.event.listens_for(Programme, "before_update")
def _keep_search_text(_mapper, _connection, target: Programme) -> None:
    parts = [target.code or "", *(target.name or {}).values()]
    target.search_text = " ".join(p.casefold() for p in parts if p)
