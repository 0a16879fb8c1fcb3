"""Versioned PostgreSQL schema (Alembic), run from code: no alembic.ini needed.

`upgrade(engine)` brings a database to the newest revision; the PostgreSQL stores call it when
they open. Revisions live in `versions/`, one file per change, named `NNNN_slug.py` with
`revision = "NNNN"` and `down_revision` the previous number. To add one (ml.*, llm.*, ...):

    .venv/bin/python -c "from alembic import command; from tradingia.data.migrations import \\
        alembic_config; command.revision(alembic_config(), 'ml tables', rev_id='0002')"

then fill in `upgrade()` / `downgrade()` with `op.execute(...)` or `op.create_table(...)`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config pointing at this package's scripts (and at `url`, when given)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run every pending revision up to `revision`, in one transaction on `engine`."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo revisions down to `revision` ('base' removes everything), in one transaction."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


__all__ = ["MIGRATIONS_DIR", "alembic_config", "downgrade", "upgrade"]
