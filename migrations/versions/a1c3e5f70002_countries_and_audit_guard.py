"""Seed the countries and make the audit trail append-only at the database level.

Revision ID: a1c3e5f70002
Revises: 09915752be5b
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "a1c3e5f70002"
down_revision = "09915752be5b"
branch_labels = None
depends_on = None

# ISO 3166-1 alpha-2: the five Central Asian states first, then neighbours and partner seats.
COUNTRIES = [
    ("KZ", True, {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан"}),
    ("KG", True, {"en": "Kyrgyzstan", "ru": "Кыргызстан", "ky": "Кыргызстан"}),
    ("TJ", True, {"en": "Tajikistan", "ru": "Таджикистан", "tg": "Тоҷикистон"}),
    ("TM", True, {"en": "Turkmenistan", "ru": "Туркменистан", "tk": "Türkmenistan"}),
    ("UZ", True, {"en": "Uzbekistan", "ru": "Узбекистан", "uz": "Oʻzbekiston"}),
    ("AF", False, {"en": "Afghanistan", "ru": "Афганистан"}),
    ("AZ", False, {"en": "Azerbaijan", "ru": "Азербайджан"}),
    ("CN", False, {"en": "China", "ru": "Китай"}),
    ("IR", False, {"en": "Iran", "ru": "Иран"}),
    ("MN", False, {"en": "Mongolia", "ru": "Монголия"}),
    ("PK", False, {"en": "Pakistan", "ru": "Пакистан"}),
    ("RU", False, {"en": "Russia", "ru": "Россия"}),
    ("AT", False, {"en": "Austria", "ru": "Австрия"}),
    ("BE", False, {"en": "Belgium", "ru": "Бельгия"}),
    ("NL", False, {"en": "Netherlands", "ru": "Нидерланды"}),
    ("US", False, {"en": "United States", "ru": "Соединённые Штаты"}),
]

APPEND_ONLY_MESSAGE = "audit_events is append-only"


def _create_sqlite_guard():
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def _create_postgresql_guard():
    op.execute(
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )


def upgrade():
    now = datetime.now(UTC)
    countries = sa.table(
        "countries",
        sa.column("code", sa.String),
        sa.column("is_central_asia", sa.Boolean),
        sa.column("name", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("version", sa.Integer),
    )
    op.bulk_insert(
        countries,
        [
            {"code": code, "is_central_asia": central, "name": name,
             "created_at": now, "updated_at": now, "version": 1}
            for code, central, name in COUNTRIES
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql_guard()
    else:
        _create_sqlite_guard()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    op.execute("DELETE FROM countries WHERE code IN (%s)" % ", ".join(f"'{c}'" for c, _, _ in COUNTRIES))
