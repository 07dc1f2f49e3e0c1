"""Countries, identified by their ISO 3166-1 alpha-2 code."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub_api.extensions import db
from hub_api.models.base import JSONType, TimestampMixin


class Country(TimestampMixin, db.Model):
    """A country that partner institutions belong to."""

    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[dict] = mapped_column(JSONType)
    is_central_asia: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (sa.CheckConstraint("length(code) = 2", name="code_alpha2"),)
