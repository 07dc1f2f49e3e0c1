"""Enrolments: a participant's place and outcome in a cohort, and the certificate it earns."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from hub_api.extensions import db
from hub_api.models.base import TimestampMixin, UTCDateTime, enum_column
from hub_api.models.cohort import Attendance, CohortSession
from hub_api.models.enums import EnrolmentStatus

# Statuses that hold a seat in the cohort; withdrawing gives the seat back.
SEAT_HOLDING = tuple(s for s in EnrolmentStatus if s is not EnrolmentStatus.WITHDRAWN)
# Statuses of a participant confirmed into the cohort, whose attendance can be recorded.
CONFIRMED = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.FAILED,
    EnrolmentStatus.NO_SHOW,
)


class Enrolment(TimestampMixin, db.Model):
    """A participant in a cohort, at most once; `institution_id` is the participant's institution."""

    __tablename__ = "enrolments"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    participant_id: Mapped[int] = mapped_column(index=True)  # see the composite foreign key below
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_column(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.NOMINATED, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pre_score: Mapped[int | None]
    post_score: Mapped[int | None]
    satisfaction: Mapped[int | None]
    # Roll-call marks of this enrolment (rows in `attendance`) and how many say present; kept by
    # `services.enrolments.touch` so that statistics read them without scanning attendance.
    attendance_marks: Mapped[int] = mapped_column(default=0, server_default="0")
    attendance_present: Mapped[int] = mapped_column(default=0, server_default="0")

    participant = relationship("Participant", lazy="raise")
    cohort = relationship("Cohort", lazy="raise")
    certificate: Mapped["Certificate | None"] = relationship(back_populates="enrolment", lazy="selectin")

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "participant_id"),
        # Visibility trusts institution_id: the database keeps it the participant's own.
        sa.ForeignKeyConstraint(
            ["participant_id", "institution_id"],
            ["participants.id", "participants.institution_id"],
            name="fk_enrolments_participant_institution",
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint(
            "pre_score IS NULL OR (pre_score >= 0 AND pre_score <= 100)", name="pre_score_range"
        ),
        sa.CheckConstraint(
            "post_score IS NULL OR (post_score >= 0 AND post_score <= 100)", name="post_score_range"
        ),
        sa.CheckConstraint(
            "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)", name="satisfaction_range"
        ),
        sa.CheckConstraint(
            "attendance_present >= 0 AND attendance_present <= attendance_marks", name="attendance_marks"
        ),
    )

    @property
    def attendance_rate(self) -> float | None:
        """Share of the cohort's sessions attended, from 0 to 1; null before any session exists."""
        if not self.sessions_held:
            return None
        return round(self.sessions_attended / self.sessions_held, 4)


class Certificate(TimestampMixin, db.Model):
    """Proof of completion: a public number and an unguessable code that anyone can verify."""

    __tablename__ = "certificates"

    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolments.id", ondelete="RESTRICT"), unique=True
    )
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_on: Mapped[date]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship(back_populates="certificate", lazy="raise")

    @property
    def valid(self) -> bool:
        """A certificate is valid until it is revoked."""
        return self.revoked_at is None


Enrolment.sessions_held = column_property(
    sa.select(sa.func.count(CohortSession.id))
    .where(CohortSession.cohort_id == Enrolment.cohort_id)
    .correlate_except(CohortSession)
    .scalar_subquery()
)
Enrolment.sessions_attended = column_property(
    sa.select(sa.func.count(Attendance.id))
    .where(Attendance.enrolment_id == Enrolment.id, Attendance.present.is_(True))
    .correlate_except(Attendance)
    .scalar_subquery()
)
