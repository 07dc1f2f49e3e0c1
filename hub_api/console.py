"""The `hub-api` console script: `hub-api demo` runs the API on SQLite with the demo data."""

import argparse
import os
import secrets
import sys

import flask_migrate

from hub_api import create_app
from hub_api.demo.loader import load_demo, reset_demo_accounts
from hub_api.extensions import db


def run_demo(host: str, port: int) -> None:
    """Migrate the instance database, load the demo set, print credentials, and serve."""
    os.environ.setdefault("HUB_ENV", "development")
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
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="hub-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the API on SQLite with the demo data set")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(args.host, args.port)


if __name__ == "__main__":
    main()
