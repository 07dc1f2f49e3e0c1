"""Alembic environment: migrates the database of the Flask app that Flask-Migrate runs in."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from hub_api.database import lift_timeouts

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
engine = migrate_ext.db.engine
target_metadata = migrate_ext.db.metadata


def skip_empty_autogenerate(_context, _revision, directives):
    """Do not write a revision file when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_offline():
    """Emit SQL for the app's database URL without connecting."""
    context.configure(
        url=engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        **migrate_ext.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    """Apply migrations over a connection of the app's engine."""
    args = dict(migrate_ext.configure_args)
    args.setdefault("process_revision_directives", skip_empty_autogenerate)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **args)
        with context.begin_transaction():
            lift_timeouts(connection)
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
