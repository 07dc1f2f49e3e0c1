"""Swagger UI and ReDoc in a real headless Chromium: they render, authorize and call the API, offline."""

import json
import threading
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import TEST_PASSWORD, InstitutionFactory

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright's own browsers are never downloaded
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    pytest.skip("the playwright package is not installed (pip install -e '.[test]')", allow_module_level=True)
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def origin(app):
    """The app under a real HTTP server on a free local port, as a browser reaches it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A fresh browser tab that records every request it makes and every error it reports."""

    def __init__(self, browser, origin: str):
        self.origin = origin
        self.context = browser.new_context()
        self.context.set_default_timeout(TIMEOUT_MS)
        self.requested: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requested.append(request.url))
        # As on a network without internet: whatever leaves the hub fails (and is still recorded).
        self.context.route(lambda url: not self.is_local(url), lambda route: route.abort())
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message) -> None:
        # CSP violations are reported here too. The browser's own probe of /favicon.ico (the hub has
        # none) is not the docs' doing.
        if message.type == "error" and message.location.get("url") != f"{self.origin}/favicon.ico":
            self.errors.append(message.text)

    def is_local(self, url: str) -> bool:
        return url.startswith((f"{self.origin}/", f"blob:{self.origin}/", "data:"))

    def off_the_hub(self) -> list[str]:
        """The requests that went (or tried to go) anywhere but the hub."""
        return [url for url in self.requested if not self.is_local(url)]

    def settle(self) -> None:
        """Wait until the page has stopped loading things, so late requests are recorded too."""
        self.page.wait_for_load_state("networkidle")


@pytest.fixture
def visit(browser, origin):
    tab = Visit(browser, origin)
    yield tab
    tab.context.close()


def sign_in_over_http(origin: str, email: str) -> str:
    """An access token from the real sign-in endpoint, as a user would get one to paste."""
    request = urllib.request.Request(
        f"{origin}/api/v1/auth/login",
        data=json.dumps({"email": email, "password": TEST_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.load(response)["access_token"]


def test_swagger_ui_renders_the_operations_takes_a_token_and_tries_out_a_list(visit, engine, admin):
    InstitutionFactory(code="TRYIT")
    token = sign_in_over_http(visit.origin, admin.user.email)
    page = visit.page
    page.goto(f"{visit.origin}/docs")

    operation = page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/institutions"]'))
    assert "List institutions" in operation.inner_text()
    assert page.locator(".opblock").count() > 50  # the whole API, not a fragment of it

    page.locator(".auth-wrapper .authorize").click()
    page.locator("#auth-bearer-value").fill(token)
    page.get_by_role("button", name="Apply credentials").click()
    page.get_by_role("button", name="Close").click()
    page.locator(".auth-wrapper .authorize.locked").wait_for()  # the padlock shows the token is set

    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    with page.expect_request(lambda r: r.url.startswith(f"{visit.origin}/api/v1/institutions?")) as sent:
        operation.get_by_role("button", name="Execute").click()

    shown = operation.locator(".live-responses-table .response")
    assert shown.locator(".response-col_status").inner_text().strip() == "200"
    assert '"TRYIT"' in shown.locator(".response-col_description").inner_text()
    assert sent.value.all_headers()["authorization"] == f"Bearer {token}"
    visit.settle()
    assert any(url.endswith("/swagger-ui-bundle.js") for url in visit.requested)  # requests are recorded
    assert visit.off_the_hub() == []
    assert visit.errors == []


def test_redoc_renders_the_operations_from_the_hub_alone(visit):
    page = visit.page
    page.goto(f"{visit.origin}/redoc")

    page.get_by_role("heading", name="Regional Training Hub API").wait_for()  # and its version
    page.get_by_role("menuitem", name="institutions", exact=True).click()  # opens the tag's operations
    page.get_by_role("heading", name="List institutions").wait_for()
    visit.settle()
    assert any(url.endswith("/redoc.standalone.js") for url in visit.requested)  # requests are recorded
    assert not [url for url in visit.requested if "redoc.ly" in url]  # the "powered by" logo
    assert visit.off_the_hub() == []
    assert visit.errors == []
