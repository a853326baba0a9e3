"""Deleting a run: its rows go, and the asset indexes it fed fall back to older events.

The asset and partition indexes point at each asset's latest events. When the run holding
some of those events is deleted, `delete_run` recomputes the pointers of exactly the assets
and partitions the run touched from the events that remain (after the asset's last wipe),
inside the deleting transaction; partition status rows of those assets are marked for a
rebuild from the repaired index.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from headwater.events.assets import CODE_VERSION_TAG, DATA_VERSION_TAG
from headwater.events.codec import decode_entry
from headwater.events.types import DagsterEventType
from headwater.storage import partition_status, schema

_MAT = DagsterEventType.ASSET_MATERIALIZATION.value
_OBS = DagsterEventType.ASSET_OBSERVATION.value
_PLANNED = DagsterEventType.ASSET_MATERIALIZATION_PLANNED.value
_FAILED = DagsterEventType.ASSET_FAILED_TO_MATERIALIZE.value


def delete_run(conn: sa.Connection, run_id: str) -> None:
    """Delete ``run_id`` with its tags, events and check executions; repair the indexes."""
    events = schema.events
    touched = conn.execute(
        sa.select(events.c.asset_key, events.c.partition)
        .where(
            events.c.run_id == run_id,
            events.c.event_type.in_([_MAT, _OBS, _PLANNED, _FAILED]),
        )
        .distinct()
    ).all()
    # Before the run row goes: clearing in-progress partitions reads the run's selection.
    partition_status.finish_runs(conn, [run_id])
    for table in (schema.runs, schema.run_tags, schema.events, schema.check_executions):
        conn.execute(table.delete().where(table.c.run_id == run_id))
    keys = sorted({key for key, _ in touched})
    wiped = _wiped_ids(conn, keys)
    for key in keys:
        _repair_asset(conn, key, wiped.get(key))
    for key, partition in touched:
        if partition is not None:
            _repair_partition(conn, key, partition, wiped.get(key))
    partition_status.mark_stale(conn, {key for key, partition in touched if partition})


def _wiped_ids(conn: sa.Connection, keys: list[str]) -> dict[str, int | None]:
    index = schema.asset_index
    query = sa.select(index.c.asset_key, index.c.wiped_event_id).where(index.c.asset_key.in_(keys))
    return {key: wiped for key, wiped in conn.execute(query)}


def _latest(
    conn: sa.Connection, key: str, event_type: str, wiped: int | None, partition: str | None
) -> Any:
    """The newest remaining event of ``event_type`` about the asset (or partition), or None."""
    events = schema.events
    query = sa.select(events.c.id, events.c.run_id, events.c.timestamp, events.c.body).where(
        events.c.asset_key == key,
        events.c.event_type == event_type,
        events.c.id > (wiped or 0),
    )
    if partition is not None:
        query = query.where(events.c.partition == partition)
    return conn.execute(query.order_by(events.c.id.desc()).limit(1)).first()


def _tags(row: Any) -> dict[str, str]:
    entry = decode_entry(row.body)
    value = entry.asset_materialization or entry.asset_observation
    return dict(value.tags) if value is not None else {}


def _repair_asset(conn: sa.Connection, key: str, wiped: int | None) -> None:
    mat = _latest(conn, key, _MAT, wiped, None)
    obs = _latest(conn, key, _OBS, wiped, None)
    planned = _latest(conn, key, _PLANNED, wiped, None)
    # The data version comes from whichever of the two was stored last, as when writing.
    versioned = max((row for row in (mat, obs) if row is not None), key=_id, default=None)
    mat_tags = _tags(mat) if mat is not None else {}
    index = schema.asset_index
    conn.execute(
        index.update()
        .where(index.c.asset_key == key)
        .values(
            last_materialization_event_id=_id(mat),
            last_materialization_timestamp=mat.timestamp if mat is not None else None,
            last_run_id=mat.run_id if mat is not None else None,
            code_version=mat_tags.get(CODE_VERSION_TAG),
            last_observation_event_id=_id(obs),
            last_planned_event_id=_id(planned),
            last_planned_run_id=planned.run_id if planned is not None else None,
            last_data_version=_tags(versioned).get(DATA_VERSION_TAG) if versioned else None,
        )
    )


def _repair_partition(conn: sa.Connection, key: str, partition: str, wiped: int | None) -> None:
    latest = {
        column: _latest(conn, key, event_type, wiped, partition)
        for column, event_type in (
            ("last_materialization_event_id", _MAT),
            ("last_observation_event_id", _OBS),
            ("last_failed_event_id", _FAILED),
        )
    }
    table = schema.asset_partition_index
    where = (table.c.asset_key == key, table.c.partition == partition)
    newest = max((row for row in latest.values() if row is not None), key=_id, default=None)
    if newest is None:
        conn.execute(table.delete().where(*where))
        return
    values = {column: _id(row) for column, row in latest.items()}
    conn.execute(table.update().where(*where).values(**values, last_run_id=newest.run_id))


def _id(row: Any) -> int | None:
    return row.id if row is not None else None
