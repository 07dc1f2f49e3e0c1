"""Partner institutions, their sub-units and their contact people."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub_api.extensions import db
from hub_api.models.base import JSONType, TimestampMixin, enum_column
from hub_api.models.enums import InstitutionKind, InstitutionStatus


class Institution(TimestampMixin, db.Model):
    """An academy, service, ministry body, organisation or donor taking part in the hub."""

    __tablename__ = "institutions"

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[dict] = mapped_column(JSONType)
    short_name: Mapped[str | None] = mapped_column(sa.String(80))
    kind: Mapped[InstitutionKind] = mapped_column(enum_column(InstitutionKind, "institution_kind"))
    country: Mapped[str] = mapped_column(
        sa.String(2), sa.ForeignKey("countries.code", ondelete="RESTRICT"), index=True
    )
    region: Mapped[str | None] = mapped_column(sa.String(120))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    website: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    status: Mapped[InstitutionStatus] = mapped_column(
        enum_column(InstitutionStatus, "institution_status"), default=InstitutionStatus.ACTIVE
    )
    external_ids: Mapped[dict] = mapped_column(JSONType, default=dict)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="institution", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),)

    def refresh_search_text(self) -> None:
        """Recompute the case-folded text that `q` searches: code, short name and every name."""
        parts = [self.code or "", self.short_name or "", *(self.name or {}).values()]
        self.search_text = " ".join(p.casefold() for p in parts if p)


class Contact(TimestampMixin, db.Model):
    """A named contact person of an institution: a signatory, focal point or head."""

    __tablename__ = "institution_contacts"

    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    roles: Mapped[list] = mapped_column(JSONType, default=list)

    institution: Mapped[Institution] = relationship(back_populates="contacts")


@sa.event.listens_for(Institution, "before_insert")
@sa.event.listens_for(Institution, "before_update")
def _keep_search_text(_mapper, _connection, target: Institution) -> None:
    target.refresh_search_text()
