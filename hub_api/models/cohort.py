"""Cohorts: scheduled deliveries of a curriculum, their seat allocations, sessions and attendance."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub_api.extensions import db
from hub_api.models.base import JSONType, TimestampMixin, UTCDateTime, enum_column
from hub_api.models.enums import CohortKind, CohortStatus, DeliveryMode

session_trainers = sa.Table(
    "cohort_session_trainers",
    db.metadata,
    sa.Column("session_id", sa.ForeignKey("cohort_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participants.id", ondelete="RESTRICT"), primary_key=True),
)


class Cohort(TimestampMixin, db.Model):
    """One delivery of a published curriculum, hosted by an institution, with a fixed capacity.

    `seats_taken` counts the enrolments holding a seat (every status but withdrawn). It only
    ever changes through a conditional UPDATE, and a CHECK keeps it within the capacity."""

    __tablename__ = "cohorts"

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[dict] = mapped_column(JSONType)
    kind: Mapped[CohortKind] = mapped_column(enum_column(CohortKind, "cohort_kind"), index=True)
    status: Mapped[CohortStatus] = mapped_column(
        enum_column(CohortStatus, "cohort_status"), default=CohortStatus.PLANNED, index=True
    )
    curriculum_id: Mapped[int] = mapped_column(sa.ForeignKey("curricula.id", ondelete="RESTRICT"), index=True)
    host_institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="RESTRICT"), index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="RESTRICT"), index=True
    )
    delivery_mode: Mapped[DeliveryMode] = mapped_column(enum_column(DeliveryMode, "delivery_mode"))
    country: Mapped[str] = mapped_column(
        sa.String(2), sa.ForeignKey("countries.code", ondelete="RESTRICT"), index=True
    )
    city: Mapped[str | None] = mapped_column(sa.String(120))
    language: Mapped[str] = mapped_column(sa.String(2))
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date]
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    seat_allocations: Mapped[list["SeatAllocation"]] = relationship(
        cascade="all, delete-orphan", order_by="SeatAllocation.institution_id"
    )
    curriculum = relationship("Curriculum", lazy="raise")
    host_institution = relationship("Institution", lazy="raise")

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="within_capacity"),
    )

    @property
    def enrolled_count(self) -> int:
        """Participants holding a seat: nominated, enrolled or with an outcome."""
        return self.seats_taken

    @property
    def seats_left(self) -> int:
        """Seats still free."""
        return self.capacity - self.seats_taken


class SeatAllocation(db.Model):
    """Seats of a cohort reserved for one partner institution, and how many of them are taken."""

    __tablename__ = "cohort_seat_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    seats: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "institution_id"),
        sa.CheckConstraint("seats >= 1", name="seats_positive"),
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="within_seats"),
    )


class CohortSession(TimestampMixin, db.Model):
    """A scheduled session of a cohort: when, on what, how, and who trains."""

    __tablename__ = "cohort_sessions"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    topic: Mapped[str] = mapped_column(sa.String(300))
    mode: Mapped[DeliveryMode] = mapped_column(enum_column(DeliveryMode, "delivery_mode"))

    trainers = relationship("Participant", secondary=session_trainers, order_by="Participant.id")
    attendance: Mapped[list["Attendance"]] = relationship(
        cascade="all, delete-orphan", order_by="Attendance.enrolment_id", back_populates="session"
    )

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    @property
    def trainer_ids(self) -> list[int]:
        """The participants who train in this session."""
        return [trainer.id for trainer in self.trainers]


class Attendance(db.Model):
    """Whether an enrolled participant attended one session, and for how long."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort_sessions.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool]
    minutes: Mapped[int | None]

    session: Mapped[CohortSession] = relationship(back_populates="attendance")
    enrolment = relationship("Enrolment", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("session_id", "enrolment_id"),
        sa.CheckConstraint("minutes IS NULL OR (minutes >= 0 AND minutes <= 1440)", name="minutes_in_day"),
    )

    @property
    def participant_id(self) -> int:
        """The participant this attendance belongs to."""
        return self.enrolment.participant_id


@sa.event.listens_for(Cohort, "before_insert")
@sa.event.listens_for(Cohort, "before_update")
def _keep_search_text(_mapper, _connection, target: Cohort) -> None:
    parts = [target.code or "", *(target.title or {}).values()]
    target.search_text = " ".join(p.casefold() for p in parts if p)
