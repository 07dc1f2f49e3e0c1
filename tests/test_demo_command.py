"""`hub-api demo` as an operator runs it: migrate, load, create the accounts, serve; on either database."""

from hub_api.demo.institutions import DEMO_ACCOUNTS
from tests.live_demo import PASSWORD, call, live_demo


def test_demo_command_serves_the_demo_set_and_accounts(empty_database_url, tmp_path):
    with live_demo(empty_database_url, tmp_path) as (base, output):
        for email, _name, role, _home in DEMO_ACCOUNTS:
            status, tokens = call(base, "/api/v1/auth/login", {"email": email, "password": PASSWORD})
            assert status == 200, (email, tokens)
            status, me = call(base, "/api/v1/auth/me", token=tokens["access_token"])
            assert status == 200 and me["role"] == role.value
        _, tokens = call(base, "/api/v1/auth/login", {"email": DEMO_ACCOUNTS[0][0], "password": PASSWORD})
        status, institutions = call(base, "/api/v1/institutions?q=Kostanay", token=tokens["access_token"])
        assert status == 200
        assert any(item["code"] == "KTA" for item in institutions)
    assert any(PASSWORD in line for line in output)  # the accounts' password is printed for the operator
