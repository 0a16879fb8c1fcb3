"""ml.predictions, ml.signals, ml.prediction_outcomes: the prediction and signal logs.

Mirrors `tradingia.tracking.tables.build_tables("postgresql")` (SQLite gets the same tables
with an `ml_` prefix from `create_all`).

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS ml")
    op.create_table(
        "predictions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("timeframe", sa.String(4), nullable=False),
        sa.Column("horizon", sa.Integer, nullable=False),
        sa.Column("candle_time", TS, nullable=False),
        *(sa.Column(name, sa.Float) for name in (
            "reference_close", "predicted_high", "predicted_low", "p_tp_first_long",
            "p_tp_first_short")),
        sa.Column("direction", sa.String(8)),
        sa.Column("confidence", sa.Float),
        sa.Column("model_version", sa.String(64)),
        sa.Column("resolved", sa.Boolean, nullable=False),
        sa.Column("payload", sa.JSON),
        schema="ml",
    )
    op.create_index("ix_predictions_unresolved", "predictions", ["resolved", "candle_time"],
                    schema="ml")
    op.create_index("ix_predictions_symbol_time", "predictions", ["symbol", "created_at"],
                    schema="ml")
    op.create_table(
        "signals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("timeframe", sa.String(4), nullable=False),
        sa.Column("time", TS, nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("entry", sa.Float),
        sa.Column("stop_loss", sa.Float),
        sa.Column("take_profits", sa.JSON),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("p_tp_first", sa.Float),
        sa.Column("predicted_high", sa.Float),
        sa.Column("predicted_low", sa.Float),
        sa.Column("amd_phase", sa.String(24)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON),
        schema="ml",
    )
    op.create_index("ix_signals_symbol_time", "signals", ["symbol", "time"], schema="ml")
    op.create_table(
        "prediction_outcomes",
        sa.Column("prediction_id", sa.String(36), primary_key=True),
        sa.Column("resolved_at", TS, nullable=False),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("horizon", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Float) for name in (
            "realised_high", "realised_low", "realised_return", "high_error", "low_error")),
        sa.Column("range_hit", sa.Boolean),
        sa.Column("direction_hit", sa.Boolean),
        schema="ml",
    )


def downgrade() -> None:
    op.drop_table("prediction_outcomes", schema="ml")
    op.drop_table("signals", schema="ml")
    op.drop_table("predictions", schema="ml")
