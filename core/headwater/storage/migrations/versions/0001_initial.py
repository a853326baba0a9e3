"""The first schema: runs, events, asset indexes, checks, kv, ticks, heartbeats, partitions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# BIGINT on servers; INTEGER on SQLite, where only "INTEGER PRIMARY KEY" aliases the rowid.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

TABLES = (
    "asset_index",
    "asset_partition_index",
    "check_executions",
    "dynamic_partitions",
    "events",
    "heartbeats",
    "kv",
    "partition_status",
    "run_tags",
    "runs",
    "ticks",
)


def upgrade() -> None:
    op.create_table(
        "asset_index",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("asset_key", sa.Text(), nullable=False),
        sa.Column("last_materialization_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_materialization_timestamp", sa.Float(), nullable=True),
        sa.Column("last_observation_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_planned_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_planned_run_id", sa.String(length=255), nullable=True),
        sa.Column("last_run_id", sa.String(length=255), nullable=True),
        sa.Column("last_data_version", sa.Text(), nullable=True),
        sa.Column("code_version", sa.Text(), nullable=True),
        sa.Column("wiped_event_id", sa.BigInteger(), nullable=True),
        sa.Column("wiped_timestamp", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_index")),
        sa.UniqueConstraint("asset_key", name=op.f("uq_asset_index_asset_key")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "asset_partition_index",
        sa.Column("asset_key", sa.Text(), nullable=False),
        sa.Column("partition", sa.Text(), nullable=False),
        sa.Column("last_materialization_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_observation_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_failed_event_id", sa.BigInteger(), nullable=True),
        sa.Column("last_run_id", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("asset_key", "partition", name=op.f("pk_asset_partition_index")),
    )
    op.create_table(
        "check_executions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("asset_key", sa.Text(), nullable=False),
        sa.Column("check_name", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=63), nullable=False),
        sa.Column("evaluation_event_id", sa.BigInteger(), nullable=True),
        sa.Column("evaluation_timestamp", sa.Float(), nullable=True),
        sa.Column("materialization_event_id", sa.BigInteger(), nullable=True),
        sa.Column("create_timestamp", sa.Float(), nullable=False),
        sa.Column("update_timestamp", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_executions")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_check_executions_key_id",
        "check_executions",
        ["asset_key", "check_name", "id"],
        unique=False,
    )
    op.create_index(
        "ix_check_executions_key_run",
        "check_executions",
        ["asset_key", "check_name", "run_id"],
        unique=False,
    )
    op.create_table(
        "dynamic_partitions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("partitions_def_name", sa.Text(), nullable=False),
        sa.Column("partition", sa.Text(), nullable=False),
        sa.Column("create_timestamp", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dynamic_partitions")),
        sa.UniqueConstraint(
            "partitions_def_name",
            "partition",
            name=op.f("uq_dynamic_partitions_partitions_def_name_partition"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=255), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("event_type", sa.String(length=63), nullable=True),
        sa.Column("step_key", sa.Text(), nullable=True),
        sa.Column("asset_key", sa.Text(), nullable=True),
        sa.Column("partition", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_events_asset_key_type_id", "events", ["asset_key", "event_type", "id"], unique=False
    )
    op.create_index("ix_events_run_id_id", "events", ["run_id", "id"], unique=False)
    op.create_index("ix_events_type_id", "events", ["event_type", "id"], unique=False)
    op.create_table(
        "heartbeats",
        sa.Column("daemon_type", sa.String(length=255), nullable=False),
        sa.Column("daemon_id", sa.String(length=255), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("daemon_type", name=op.f("pk_heartbeats")),
    )
    op.create_table(
        "kv",
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kv")),
    )
    op.create_table(
        "partition_status",
        sa.Column("asset_key", sa.Text(), nullable=False),
        sa.Column("partitions_def_id", sa.Text(), nullable=True),
        sa.Column("materialized", sa.Text(), nullable=True),
        sa.Column("failed", sa.Text(), nullable=True),
        sa.Column("in_progress", sa.Text(), nullable=True),
        sa.Column("latest_event_id", sa.BigInteger(), nullable=True),
        sa.Column("update_timestamp", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("asset_key", name=op.f("pk_partition_status")),
    )
    op.create_table(
        "run_tags",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=255), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_tags")),
    )
    op.create_index("ix_run_tags_key_value", "run_tags", ["key", "value"], unique=False)
    op.create_index("ix_run_tags_run_id", "run_tags", ["run_id"], unique=False)
    op.create_table(
        "runs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=255), nullable=False),
        sa.Column("job_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=63), nullable=False),
        sa.Column("create_timestamp", sa.Float(), nullable=False),
        sa.Column("update_timestamp", sa.Float(), nullable=False),
        sa.Column("start_time", sa.Float(), nullable=True),
        sa.Column("end_time", sa.Float(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("asset_selection", sa.Text(), nullable=True),
        sa.Column("partition", sa.Text(), nullable=True),
        sa.Column("partition_range_start", sa.Text(), nullable=True),
        sa.Column("partition_range_end", sa.Text(), nullable=True),
        sa.Column("parent_run_id", sa.String(length=255), nullable=True),
        sa.Column("root_run_id", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sa.UniqueConstraint("run_id", name=op.f("uq_runs_run_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_runs_create_timestamp", "runs", ["create_timestamp"], unique=False)
    op.create_index("ix_runs_job_name_id", "runs", ["job_name", "id"], unique=False)
    op.create_index("ix_runs_status_id", "runs", ["status", "id"], unique=False)
    op.create_table(
        "ticks",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("instigator_name", sa.String(length=255), nullable=False),
        sa.Column("instigator_type", sa.String(length=63), nullable=False),
        sa.Column("status", sa.String(length=63), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticks")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_ticks_instigator_timestamp", "ticks", ["instigator_name", "timestamp"], unique=False
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
