"""The SQL schema shared by every backend (SQLAlchemy Core; no dialect-specific types).

Asset keys are stored in their JSON-list form (`AssetKey.to_string`), timestamps as seconds
since the epoch, and structured values as JSON text written by `headwater._serde`.
"""

from __future__ import annotations

import sqlalchemy as sa

# The alembic revision this schema corresponds to. A new database is created from this
# metadata and stamped with it; tests check it equals the migration scripts' head.
HEAD_REVISION = "0003"

# BIGINT on servers, INTEGER on SQLite, where only "INTEGER PRIMARY KEY" aliases the rowid.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Named constraints, so later migrations can address them on every backend.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False, unique=True),
    sa.Column("job_name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
    sa.Column("start_time", sa.Float),
    sa.Column("end_time", sa.Float),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("asset_selection", sa.Text),
    sa.Column("partition", sa.Text),
    sa.Column("partition_range_start", sa.Text),
    sa.Column("partition_range_end", sa.Text),
    sa.Column("parent_run_id", sa.String(255)),
    sa.Column("root_run_id", sa.String(255)),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("ix_runs_job_name_id", "job_name", "id"),
    sa.Index("ix_runs_status_id", "status", "id"),
    sa.Index("ix_runs_create_timestamp", "create_timestamp"),
    sqlite_autoincrement=True,
)

run_tags = sa.Table(
    "run_tags",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Index("ix_run_tags_key_value", "key", "value"),
    sa.Index("ix_run_tags_run_id", "run_id"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("event_type", sa.String(63)),
    sa.Column("step_key", sa.Text),
    sa.Column("asset_key", sa.Text),
    sa.Column("partition", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("ix_events_run_id_id", "run_id", "id"),
    # Ids must never be reused: they are cursors and "latest" pointers.
    sqlite_autoincrement=True,
)

# Only events about an asset (materializations, observations, planned and failed
# materializations, wipes, check evaluations) are looked up by key or by type across runs;
# step and run events are read by run. Indexing asset events alone keeps a step's commit to
# about half the pages: every event type's entries would otherwise end on a page of their own.
ABOUT_AN_ASSET = events.c.asset_key.is_not(None)
PARTIAL_INDEXES = (
    sa.Index(
        "ix_events_asset_key_type_id",
        events.c.asset_key,
        events.c.event_type,
        events.c.id,
        sqlite_where=ABOUT_AN_ASSET,
    ),
    sa.Index("ix_events_type_id", events.c.event_type, events.c.id, sqlite_where=ABOUT_AN_ASSET),
)


def prepare_for_dialect(name: str) -> None:
    """Give the partial indexes their condition on a server dialect, before compiling DDL there.

    Not written into the definitions above: naming a dialect's options imports that dialect
    (PostgreSQL's takes about 40 ms), which every SQLite open would otherwise pay.
    """
    if name == "postgresql":
        for index in PARTIAL_INDEXES:
            index.dialect_kwargs["postgresql_where"] = ABOUT_AN_ASSET


asset_index = sa.Table(
    "asset_index",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("asset_key", sa.Text, nullable=False, unique=True),
    sa.Column("last_materialization_event_id", sa.BigInteger),
    sa.Column("last_materialization_timestamp", sa.Float),
    sa.Column("last_observation_event_id", sa.BigInteger),
    sa.Column("last_planned_event_id", sa.BigInteger),
    sa.Column("last_planned_run_id", sa.String(255)),
    sa.Column("last_run_id", sa.String(255)),
    sa.Column("last_data_version", sa.Text),
    sa.Column("code_version", sa.Text),
    sa.Column("wiped_event_id", sa.BigInteger),
    sa.Column("wiped_timestamp", sa.Float),
    sqlite_autoincrement=True,
)

asset_partition_index = sa.Table(
    "asset_partition_index",
    metadata,
    sa.Column("asset_key", sa.Text, primary_key=True),
    sa.Column("partition", sa.Text, primary_key=True),
    sa.Column("last_materialization_event_id", sa.BigInteger),
    sa.Column("last_observation_event_id", sa.BigInteger),
    sa.Column("last_failed_event_id", sa.BigInteger),
    sa.Column("last_run_id", sa.String(255)),
)

check_executions = sa.Table(
    "check_executions",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("asset_key", sa.Text, nullable=False),
    sa.Column("check_name", sa.Text, nullable=False),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("evaluation_event_id", sa.BigInteger),
    sa.Column("evaluation_timestamp", sa.Float),
    sa.Column("materialization_event_id", sa.BigInteger),
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
    sa.Index("ix_check_executions_key_id", "asset_key", "check_name", "id"),
    sa.Index("ix_check_executions_key_run", "asset_key", "check_name", "run_id"),
    sqlite_autoincrement=True,
)

kv = sa.Table(
    "kv",
    metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

ticks = sa.Table(
    "ticks",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("instigator_name", sa.String(255), nullable=False),
    sa.Column("instigator_type", sa.String(63), nullable=False),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("ix_ticks_instigator_timestamp", "instigator_name", "timestamp"),
    sqlite_autoincrement=True,
)

heartbeats = sa.Table(
    "heartbeats",
    metadata,
    sa.Column("daemon_type", sa.String(255), primary_key=True),
    sa.Column("daemon_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("body", sa.Text),
)

dynamic_partitions = sa.Table(
    "dynamic_partitions",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("partitions_def_name", sa.Text, nullable=False),
    sa.Column("partition", sa.Text, nullable=False),
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.UniqueConstraint("partitions_def_name", "partition"),
    sqlite_autoincrement=True,
)

partition_status = sa.Table(
    "partition_status",
    metadata,
    sa.Column("asset_key", sa.Text, primary_key=True),
    sa.Column("partitions_def_id", sa.Text),
    sa.Column("materialized", sa.Text),
    sa.Column("failed", sa.Text),
    sa.Column("in_progress", sa.Text),
    sa.Column("latest_event_id", sa.BigInteger),
    sa.Column("update_timestamp", sa.Float, nullable=False),
)

# A backfill's request and plan (JSON ``body``, written once) and its life-cycle status.
backfills = sa.Table(
    "backfills",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("backfill_id", sa.String(255), nullable=False, unique=True),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
    sa.Column("owner", sa.String(255)),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("ix_backfills_status_id", "status", "id"),
    sqlite_autoincrement=True,
)

# Progress of a backfill: one row per attempt at one planned run ("unit") of its plan.
backfill_runs = sa.Table(
    "backfill_runs",
    metadata,
    sa.Column("backfill_id", sa.String(255), primary_key=True),
    sa.Column("unit", sa.Integer, primary_key=True),
    sa.Column("attempt", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.String(255)),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
)
