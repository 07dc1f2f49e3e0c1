"""The API docs work without internet, behind a CSP that trusts only the hub, never framed."""

import base64
import hashlib
import re
from pathlib import Path

import pytest

from tests.conftest import make_app

SCRIPT_SOURCES = re.compile(r'<script src="([^"]+)"')
STYLESHEETS = re.compile(r'<link href="([^"]+)"')


def assets_of(html: str) -> list[str]:
    return SCRIPT_SOURCES.findall(html) + STYLESHEETS.findall(html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_doc_pages_load_only_the_hubs_own_files(client, page):
    response = client.get(page)

    assert response.status_code == 200
    assets = assets_of(response.get_data(as_text=True))
    assert assets, "the page loads no script"
    for asset in assets:
        assert not asset.startswith(("http:", "https:", "//")), asset
        served = client.get(f"/{asset}")  # relative to the page, which sits at the root
        assert served.status_code == 200, asset
        assert served.headers["Cache-Control"] == "public, max-age=31536000"
        assert len(served.data) > 1000


def test_the_csp_allows_the_pages_own_inline_script_by_hash_and_nothing_from_elsewhere(client):
    response = client.get("/docs")

    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";")
    )
    (inline,) = re.findall(rb"<script>(.*?)</script>", response.data, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline).digest()).decode()
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "https:" not in response.headers["Content-Security-Policy"]


def test_a_cdn_is_used_only_when_a_setting_asks_for_it(backend):
    _, resetter = backend
    app = make_app(resetter.url, HUB_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/")

    response = app.test_client().get("/docs")

    assert 'src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"' in response.text
    assert "https://cdn.jsdelivr.net" in response.headers["Content-Security-Policy"]


def test_no_file_outside_the_vendored_folder_is_served(client):
    for path in (
        "/docs-assets/../../config.py",
        "/docs-assets/%2e%2e/%2e%2e/config.py",
        "/docs-assets/nothing.js",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("path", ["/docs", "/health", "/api/v1/countries"])
def test_no_page_may_be_framed_or_sniffed(client, path):
    response = client.get(path)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https_through_a_trusted_proxy(backend):
    _, resetter = backend
    behind_proxy = make_app(resetter.url, HUB_PROXY_COUNT="1").test_client()
    direct = make_app(resetter.url).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}

    assert (
        behind_proxy.get("/health", headers=forwarded)
        .headers["Strict-Transport-Security"]
        .startswith("max-age=31536000")
    )
    assert "Strict-Transport-Security" not in behind_proxy.get("/health").headers
    assert "Strict-Transport-Security" not in direct.get("/health", headers=forwarded).headers  # not trusted


def test_the_vendored_redoc_never_fetches_its_logo_from_the_internet():
    bundle = Path(__file__).resolve().parent.parent / "hub_api/static/docs/redoc-2.5.2/redoc.standalone.js"
    assert "cdn.redoc.ly" not in bundle.read_text(encoding="utf-8")  # see hub_api/static/docs/README.md
