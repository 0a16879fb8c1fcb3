"""market.candles: OHLCV per (symbol, timeframe, ts), partitioned by range on ts.

Yearly partitions (`market.candles_yYYYY`) are created on demand by the PostgreSQL store for
the years a write touches; the DEFAULT partition catches rows outside them (it stays empty
when writes go through the store).

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS market")
    op.execute(
        """
        CREATE TABLE market.candles (
            symbol text NOT NULL,
            timeframe text NOT NULL,
            ts timestamptz NOT NULL,
            open double precision NOT NULL,
            high double precision NOT NULL,
            low double precision NOT NULL,
            close double precision NOT NULL,
            volume double precision NOT NULL,
            PRIMARY KEY (symbol, timeframe, ts)
        ) PARTITION BY RANGE (ts)
        """
    )
    op.execute("CREATE TABLE market.candles_default PARTITION OF market.candles DEFAULT")


def downgrade() -> None:
    op.execute("DROP TABLE market.candles")
    op.execute("DROP SCHEMA IF EXISTS market")
