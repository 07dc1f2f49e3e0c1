"""The `flask --app hub_api hub ...` commands."""

from hub_api.models import Institution, User
from hub_api.models.enums import Role
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
