"""The `flask --app hub_api hub ...` commands."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hub_api.models import Change, Institution, User
from hub_api.models.enums import Role
from tests.factories import InstitutionFactory
from tests.helpers import login


def test_create_admin_makes_an_account_that_can_sign_in(app, client, dbs):
    result = app.test_cli_runner().invoke(
        args=["hub", "create-admin", "--email", "Root@Hub.example", "--password", "a-long-admin-password"]
    )
    assert result.exit_code == 0, result.output
    user = dbs.query(User).filter_by(email="root@hub.example").one()
    assert user.role is Role.HUB_ADMIN
    assert user.password_hash.startswith("$argon2id$")
    assert login(client, "root@hub.example", "a-long-admin-password").status_code == 200


def test_create_admin_refuses_a_short_password(app, dbs):
    result = app.test_cli_runner().invoke(
        args=["hub", "create-admin", "--email", "root@hub.example", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "password" in result.output
    assert dbs.query(User).count() == 0


def test_load_demo_is_idempotent_from_the_command_line(app, dbs):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["hub", "load-demo"])
    second = runner.invoke(args=["hub", "load-demo"])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert "(0 added, 0 updated)" in second.output
    assert dbs.query(Institution).filter_by(code="KTA").count() == 1


def test_prune_changes_keeps_what_is_younger_than_the_retention(app, dbs):
    kept = InstitutionFactory()
    old = InstitutionFactory()
    dbs.execute(
        sa.update(Change)
        .where(Change.object_type == "institution", Change.object_id == old.id)
        .values(at=datetime.now(UTC) - timedelta(days=400))
    )
    dbs.commit()

    result = app.test_cli_runner().invoke(args=["hub", "prune-changes"])

    assert result.exit_code == 0, result.output
    assert "Pruned 1 change feed entries older than 365 days." in result.output
    left = dbs.scalars(sa.select(Change.object_id).where(Change.object_type == "institution")).all()
    assert left == [kept.id]


def test_prune_changes_does_nothing_when_retention_is_off(app, dbs, monkeypatch):
    InstitutionFactory()
    monkeypatch.setitem(app.config, "HUB_CHANGES_RETENTION_DAYS", 0)

    result = app.test_cli_runner().invoke(args=["hub", "prune-changes"])

    assert "keeps every entry" in result.output
    assert dbs.scalar(sa.select(sa.func.count()).select_from(Change)) == 1
