"""The `hub-api` console script: `demo` serves the demo data, `generate` fills, `worker` sends webhooks."""

import argparse
import os
import secrets
import signal
import sys
import threading

import flask_migrate

from hub_api import create_app
from hub_api.demo.loader import load_demo, reset_demo_accounts
from hub_api.extensions import db
from hub_api.generator import DEFAULT_SEED, GeneratorRefused, generate
from hub_api.webhooks.worker import run, run_once


def run_demo(host: str, port: int, database_url: str | None) -> None:
    """Migrate the database (SQLite in the instance folder unless named), load the demo set, print
    credentials, serve, and send webhooks."""
    if database_url:
        os.environ["HUB_DATABASE_URL"] = database_url
    os.environ.setdefault("HUB_ENV", "development")
    os.environ.setdefault("HUB_WEBHOOK_ALLOW_PRIVATE", "true")  # so a receiver on this machine works
    if os.environ["HUB_ENV"] == "production":
        sys.exit("hub-api demo creates accounts with printed passwords; it refuses HUB_ENV=production.")
    app = create_app()
    password = os.environ.get("HUB_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    with app.app_context():
        flask_migrate.upgrade()
        summary = load_demo()
        try:
            accounts = reset_demo_accounts(password)
        except ValueError as exc:
            sys.exit(f"HUB_DEMO_PASSWORD: {exc}")
        db.session.commit()
    base = f"http://{host}:{port}"
    print(f"\nDemo data: {summary}")
    print(f"Swagger UI: {base}/docs    ReDoc: {base}/redoc    OpenAPI: {base}/api/v1/openapi.json")
    print("Demo accounts (this run's password; demo only):")
    for email, role in accounts:
        print(f"  {role:<12} {email}")
    print(f"  password     {password}\n")
    print("Webhooks are delivered by a worker running beside the server (hub-api worker in production).")
    stop = threading.Event()
    threading.Thread(target=run, args=(app, stop), name="webhook-worker", daemon=True).start()
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        stop.set()


def run_generate(scale: int, seed: int, force: bool) -> None:
    """Migrate the database HUB_DATABASE_URL names and add a synthetic data set to it."""
    os.environ.setdefault("HUB_ENV", "development")
    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()
        try:
            report = generate(scale, seed=seed, force=force)
        except (GeneratorRefused, ValueError) as exc:
            sys.exit(f"hub-api generate: {exc}")
    print(report)


def run_worker(once: bool) -> None:
    """Deliver webhooks until stopped (SIGTERM or Ctrl-C), or for one round with --once."""
    app = create_app()
    if once:
        print(f"{run_once(app)} items handled")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        run(app, stop)
    except KeyboardInterrupt:
        stop.set()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="hub-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the API with the demo data set (SQLite unless told)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=5000)
    demo.add_argument(
        "--database-url",
        help="a PostgreSQL (or other SQLAlchemy) URL to use instead of instance/hub.sqlite3; "
        "the demo set and accounts are added to what is there",
    )
    synthetic = commands.add_parser("generate", help="add synthetic data for N participants to the database")
    synthetic.add_argument("--scale", type=int, required=True, metavar="N", help="number of participants")
    synthetic.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same data")
    synthetic.add_argument("--force", action="store_true", help="write even beside data it did not make")
    worker = commands.add_parser("worker", help="deliver webhooks (run one or more beside the API)")
    worker.add_argument("--once", action="store_true", help="one round, then exit")
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(args.host, args.port, args.database_url)
    elif args.command == "generate":
        run_generate(args.scale, args.seed, args.force)
    elif args.command == "worker":
        run_worker(args.once)


if __name__ == "__main__":
    main()
