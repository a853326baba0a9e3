"""Backfills: one row per backfill, one row per planned run of a backfill.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# BIGINT on servers; INTEGER on SQLite, where only "INTEGER PRIMARY KEY" aliases the rowid.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "backfills",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("backfill_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=63), nullable=False),
        sa.Column("create_timestamp", sa.Float(), nullable=False),
        sa.Column("update_timestamp", sa.Float(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfills")),
        sa.UniqueConstraint("backfill_id", name=op.f("uq_backfills_backfill_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_backfills_status_id", "backfills", ["status", "id"], unique=False)
    op.create_table(
        "backfill_runs",
        sa.Column("backfill_id", sa.String(length=255), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=63), nullable=False),
        sa.Column("update_timestamp", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("backfill_id", "unit", "attempt", name=op.f("pk_backfill_runs")),
    )


def downgrade() -> None:
    op.drop_table("backfill_runs")
    op.drop_index("ix_backfills_status_id", table_name="backfills")
    op.drop_table("backfills")
