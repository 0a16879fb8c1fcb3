"""Tables of the prediction and signal logs: `ml.*` in PostgreSQL, `ml_*` in SQLite.

One set of SQLAlchemy Core definitions serves both dialects: PostgreSQL puts them in the `ml`
schema, SQLite (embedded mode) has no schemas and uses an `ml_` prefix instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

SCHEMA = "ml"


@dataclass(frozen=True, slots=True)
class TrackingTables:
    """The three log tables of one dialect, and the metadata that owns them."""

    metadata: sa.MetaData
    predictions: sa.Table
    signals: sa.Table
    outcomes: sa.Table


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _price(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Float, nullable=True)


def build_tables(dialect: str) -> TrackingTables:
    """Table definitions for `dialect` ('postgresql' uses schema `ml`, others a prefix)."""
    schema = SCHEMA if dialect == "postgresql" else None
    prefix = "" if schema else "ml_"
    metadata = sa.MetaData(schema=schema)
    predictions = sa.Table(
        f"{prefix}predictions", metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        _ts("created_at"),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("timeframe", sa.String(4), nullable=False),
        sa.Column("horizon", sa.Integer, nullable=False),
        _ts("candle_time"),
        _price("reference_close"), _price("predicted_high"), _price("predicted_low"),
        _price("p_tp_first_long"), _price("p_tp_first_short"),
        sa.Column("direction", sa.String(8), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("resolved", sa.Boolean, nullable=False, default=False),
        sa.Column("payload", sa.JSON, nullable=True),
        sa.Index(f"ix_{prefix}predictions_unresolved", "resolved", "candle_time"),
        sa.Index(f"ix_{prefix}predictions_symbol_time", "symbol", "created_at"),
    )
    signals = sa.Table(
        f"{prefix}signals", metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        _ts("created_at"),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("timeframe", sa.String(4), nullable=False),
        _ts("time"),
        sa.Column("direction", sa.String(8), nullable=False),
        _price("entry"), _price("stop_loss"),
        sa.Column("take_profits", sa.JSON, nullable=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("p_tp_first", sa.Float, nullable=True),
        _price("predicted_high"), _price("predicted_low"),
        sa.Column("amd_phase", sa.String(24), nullable=True),
        sa.Column("source", sa.String(16), nullable=False, default="api"),
        sa.Column("payload", sa.JSON, nullable=True),
        sa.Index(f"ix_{prefix}signals_symbol_time", "symbol", "time"),
    )
    outcomes = sa.Table(
        f"{prefix}prediction_outcomes", metadata,
        sa.Column("prediction_id", sa.String(36), primary_key=True),
        _ts("resolved_at"),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("horizon", sa.Integer, nullable=False),
        _price("realised_high"), _price("realised_low"), sa.Column("realised_return", sa.Float),
        sa.Column("high_error", sa.Float), sa.Column("low_error", sa.Float),
        sa.Column("range_hit", sa.Boolean, nullable=True),
        sa.Column("direction_hit", sa.Boolean, nullable=True),
    )
    return TrackingTables(metadata, predictions, signals, outcomes)


def create_tables(engine: sa.Engine) -> TrackingTables:
    """Bring the log tables up: Alembic migrations on PostgreSQL, `create_all` on SQLite."""
    tables = build_tables(engine.dialect.name)
    if engine.dialect.name == "postgresql":
        from tradingia.data.migrations import upgrade

        upgrade(engine)
    else:
        tables.metadata.create_all(engine, checkfirst=True)
    return tables
