"""Alembic environment: runs the revisions on the connection `upgrade` hands in.

Online runs take a transaction-level advisory lock first, so two processes opening a store at
the same moment migrate one after the other instead of racing on `CREATE SCHEMA`. Without a
handed-in connection it connects to `sqlalchemy.url` (developer use); `--sql` (offline) prints
the SQL instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

MIGRATION_LOCK_KEY = 7_428_115_001  # arbitrary, constant: pg_advisory_xact_lock key

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


def run_online() -> None:
    """Migrate on the handed-in connection, or on a fresh one to `sqlalchemy.url`."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "",
                              poolclass=sa.pool.NullPool)
    with engine.connect() as fresh:
        _run(fresh)


def run_offline() -> None:
    """Emit the SQL of the pending revisions without a database."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
