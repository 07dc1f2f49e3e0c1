"""hub_api: the REST API of the Central Asian regional training hub; `create_app` builds it."""

from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from hub_api import (
    audit,
    cli,
    database,
    docs_assets,
    idempotency,
    logs,
    metrics,
    ratelimits,
    security_headers,
)
from hub_api.api import BEARER_SCHEME, HubApi, IdConverter
from hub_api.auth.guard import install_guard
from hub_api.auth.passwords import init_hasher
from hub_api.config import load_settings
from hub_api.errors import register_error_handlers
from hub_api.extensions import db, jwt, migrate
from hub_api.lifecycle import HubFlask, install_lifecycle
from hub_api.resources import register_blueprints
from hub_api.services.stats import results as stats_results

API_VERSION = "1.0.0"
MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def _openapi_config(app) -> dict:
    return {
        "API_TITLE": "Regional Training Hub API",
        "API_VERSION": API_VERSION,
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "api/v1/openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": app.config["HUB_SWAGGER_UI_URL"] or docs_assets.SWAGGER_UI_URL,
        "OPENAPI_REDOC_PATH": "redoc",
        "OPENAPI_REDOC_URL": app.config["HUB_REDOC_URL"] or docs_assets.REDOC_URL,
        "API_SPEC_OPTIONS": {
            "info": {
                "description": (
                    "Partners, agreements, curricula, cohorts and statistics of the Central Asian "
                    "regional hub for training prison and probation staff. Errors are RFC 9457 "
                    "problem documents; lists are paged with `page`/`page_size` and carry `Link` "
                    "and `X-Total-Count` headers."
                ),
            },
            "components": {
                "securitySchemes": {
                    BEARER_SCHEME: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                }
            },
        },
    }


def create_app(env: dict | None = None) -> HubFlask:
    """Build the app from `HUB_*` settings (the process environment unless `env` is given)."""
    app = HubFlask(__name__, instance_relative_config=True, static_folder=None)
    app.config.update(load_settings(app.instance_path, env))
    app.config.update(_openapi_config(app))
    app.json.ensure_ascii = False  # Cyrillic and other scripts as UTF-8, not \u escapes
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logs.install(app)
    if app.config["HUB_PROXY_COUNT"]:
        count = app.config["HUB_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    jwt.init_app(app)
    init_hasher(app)
    audit.install_write_auditing()
    install_lifecycle(app)
    install_guard(app)
    ratelimits.install(app)  # after the guard: limits count per identified caller
    stats_results.install(app)

    app.url_map.converters["id"] = IdConverter
    api = HubApi(app)
    register_blueprints(api)
    app.register_blueprint(docs_assets.blp)
    metrics.install(app)
    security_headers.install(app)
    register_error_handlers(app, after_rollback=(idempotency.release, audit.persist_security_events))
    database.install_sqlite_pragmas(app)
    database.install_watchdog(app)
    cli.register(app)
    return app
