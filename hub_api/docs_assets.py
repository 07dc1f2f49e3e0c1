"""Swagger UI and ReDoc served by the hub itself, so the API docs work on a network without internet."""

from pathlib import Path

from flask import Blueprint, send_from_directory

ASSETS = Path(__file__).resolve().parent / "static" / "docs"
SWAGGER_UI = "swagger-ui-5.35.0"
REDOC = "redoc-2.5.2"
ONE_YEAR = 365 * 24 * 3600  # the folders carry the version: a new release gets a new address

blp = Blueprint("docs-assets", __name__)


@blp.route("/docs-assets/<path:filename>")
def asset(filename: str):
    """A vendored file, cached for a year."""
    return send_from_directory(ASSETS, filename, max_age=ONE_YEAR)


# Relative to the pages at /docs and /redoc, so the docs also work below a path prefix.
SWAGGER_UI_URL = f"docs-assets/{SWAGGER_UI}/"
REDOC_URL = f"docs-assets/{REDOC}/redoc.standalone.js"
