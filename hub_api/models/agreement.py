"""Agreements (MoUs and the like): parties, commitments, lifecycle, renewals and documents."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from hub_api import clock
from hub_api.extensions import db
from hub_api.models.base import JSONType, TimestampMixin, UTCDateTime, enum_column, utcnow
from hub_api.models.enums import AgreementKind, AgreementStatus, CommitmentPeriod, PartyRole, ProgrammeMetric
from hub_api.models.institution import Institution

# Statuses kept in the database; `expired` and `superseded` are read-time views of `active`.
STORED_STATUSES = (
    AgreementStatus.DRAFT,
    AgreementStatus.NEGOTIATION,
    AgreementStatus.SIGNED,
    AgreementStatus.ACTIVE,
    AgreementStatus.TERMINATED,
)
# Once a renewal has reached one of these, its predecessor reads `superseded`.
SUPERSEDING_STATUSES = (AgreementStatus.ACTIVE, AgreementStatus.TERMINATED)
EDITABLE_STATUSES = (AgreementStatus.DRAFT, AgreementStatus.NEGOTIATION)


class Agreement(TimestampMixin, db.Model):
    """An MoU, cooperation agreement, workplan, letter of intent or addendum."""

    __tablename__ = "agreements"

    reference: Mapped[str] = mapped_column(sa.String(60), unique=True)
    title: Mapped[dict] = mapped_column(JSONType)
    kind: Mapped[AgreementKind] = mapped_column(enum_column(AgreementKind, "agreement_kind"))
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus, "agreement_status"), default=AgreementStatus.DRAFT, index=True
    )
    areas: Mapped[list] = mapped_column(JSONType, default=list)
    signed_place: Mapped[str | None] = mapped_column(sa.String(120))
    signed_on: Mapped[date | None] = mapped_column(index=True)
    effective_from: Mapped[date | None]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    auto_renew: Mapped[bool] = mapped_column(default=False)
    programme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="RESTRICT"), index=True
    )
    predecessor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="RESTRICT"), unique=True
    )
    notes: Mapped[str | None] = mapped_column(sa.Text)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    parties: Mapped[list["AgreementParty"]] = relationship(
        cascade="all, delete-orphan", order_by="AgreementParty.id", back_populates="agreement"
    )
    commitments: Mapped[list["AgreementCommitment"]] = relationship(
        cascade="all, delete-orphan", order_by="AgreementCommitment.id"
    )
    predecessor: Mapped["Agreement | None"] = relationship(
        remote_side="Agreement.id", back_populates="successor"
    )
    successor: Mapped["Agreement | None"] = relationship(back_populates="predecessor", uselist=False)

    __table_args__ = (
        sa.CheckConstraint(
            "expires_on IS NULL OR effective_from IS NULL OR expires_on > effective_from",
            name="expires_after_effective",
        ),
        sa.CheckConstraint(
            "status NOT IN ('signed', 'active', 'terminated') OR signed_on IS NOT NULL",
            name="signed_has_date",
        ),
        sa.CheckConstraint("predecessor_id IS NULL OR predecessor_id <> id", name="not_own_predecessor"),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s.value}'" for s in STORED_STATUSES) + ")", name="stored_status"
        ),
    )

    @hybrid_property
    def effective_status(self) -> AgreementStatus:
        """The status as everyone reads it: an active agreement past its end reads `expired`."""
        if self.status is AgreementStatus.ACTIVE:
            if self.successor is not None and self.successor.status in SUPERSEDING_STATUSES:
                return AgreementStatus.SUPERSEDED
            if self.expires_on is not None and self.expires_on < clock.today():
                return AgreementStatus.EXPIRED
        return self.status

    @effective_status.inplace.expression
    @classmethod
    def _effective_status_sql(cls):
        successor = aliased(cls)
        superseded = (
            sa.select(successor.id)
            .where(successor.predecessor_id == cls.id, successor.status.in_(SUPERSEDING_STATUSES))
            .exists()
        )
        active = cls.status == AgreementStatus.ACTIVE
        return sa.case(
            (sa.and_(active, superseded), AgreementStatus.SUPERSEDED.value),
            (sa.and_(active, cls.expires_on < clock.today()), AgreementStatus.EXPIRED.value),
            else_=sa.cast(cls.status, sa.String),
        )

    @property
    def successor_id(self) -> int | None:
        """The renewal that follows this agreement, if any."""
        return self.successor.id if self.successor is not None else None


class AgreementParty(db.Model):
    """An institution's part in an agreement, with who signed for it and when."""

    __tablename__ = "agreement_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[PartyRole] = mapped_column(enum_column(PartyRole, "party_role"), default=PartyRole.PARTY)
    signatory_name: Mapped[str | None] = mapped_column(sa.String(200))
    signatory_title: Mapped[str | None] = mapped_column(sa.String(200))
    signed_on: Mapped[date | None]

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    institution: Mapped[Institution] = relationship()

    __table_args__ = (sa.UniqueConstraint("agreement_id", "institution_id"),)


class AgreementCommitment(db.Model):
    """A promise an agreement makes, such as 40 officers trained a year."""

    __tablename__ = "agreement_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    metric: Mapped[ProgrammeMetric] = mapped_column(enum_column(ProgrammeMetric, "commitment_metric"))
    target: Mapped[int]
    per: Mapped[CommitmentPeriod] = mapped_column(enum_column(CommitmentPeriod, "commitment_period"))

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "metric", "per"),
        sa.CheckConstraint("target >= 0", name="target_not_negative"),
    )


class AgreementTransition(db.Model):
    """One step of an agreement's lifecycle: who moved it, from what, to what, when."""

    __tablename__ = "agreement_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus, "transition_from"))
    to_status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus, "transition_to"))
    on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.Text)
    actor_label: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgreementDocument(TimestampMixin, db.Model):
    """A signed PDF or language version of an agreement; immutable once stored."""

    __tablename__ = "agreement_documents"

    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(2))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)


@sa.event.listens_for(Agreement, "before_insert")
@sa.event.listens_for(Agreement, "before_update")
def _keep_search_text(_mapper, _connection, target: Agreement) -> None:
    parts = [target.reference or "", *(target.title or {}).values()]
    target.search_text = " ".join(p.casefold() for p in parts if p)
