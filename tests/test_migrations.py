"""The migrated schema and the models agree, so Alembic cannot drift from the code."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub_api.extensions import db


def test_migrations_leave_no_difference_from_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_countries_are_seeded_by_migration(engine):
    with engine.connect() as connection:
        codes = set(connection.scalars(sa.text("SELECT code FROM countries")))
    assert {"KZ", "KG", "TJ", "TM", "UZ"} <= codes


def test_foreign_keys_are_enforced_on_every_backend(engine):
    """SQLite only enforces them when the app switches them on for each connection."""
    insert = sa.text(
        "INSERT INTO institution_contacts (institution_id, name, roles, created_at, updated_at, version)"
        " VALUES (424242, 'Nobody', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
    )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(insert)
