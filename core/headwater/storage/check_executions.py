"""Check executions: a row per planned or evaluated check, written with the check's events.

An evaluation stored in a run without the materialization it checked is linked to the
asset's latest materialization stored before it (the run's partition's, for a partitioned
run), as the check saw it: the row's ``materialization_event_id`` and the stored event's
``target_materialization_data`` both name it. Run-less evaluations are stored as given.
"""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa

from headwater.events.assets import AssetCheckEvaluationTargetMaterializationData
from headwater.events.codec import encode_entry
from headwater.events.log import RUNLESS_RUN_ID, EventLogEntry
from headwater.events.types import DagsterEventType
from headwater.storage import schema

_MAT = DagsterEventType.ASSET_MATERIALIZATION.value
_CHECK_PLANNED = DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED.value


def record_check_event(
    conn: sa.Connection, entry: EventLogEntry, storage_id: int
) -> EventLogEntry | None:
    """Insert or complete the execution row of a planned or evaluated check.

    Returns:
        The entry as now stored, when the evaluation was linked to its materialization here;
        else None (stored as given).
    """
    event = entry.get_dagster_event()
    table = schema.check_executions
    data = event.event_specific_data
    key = data.asset_key.to_string()
    if event.event_type_value == _CHECK_PLANNED:
        conn.execute(
            table.insert().values(
                asset_key=key,
                check_name=data.check_name,
                run_id=entry.run_id,
                status="PLANNED",
                create_timestamp=entry.timestamp,
                update_timestamp=entry.timestamp,
            )
        )
        return None
    stored = None
    target = data.target_materialization_data
    if target is None and entry.run_id != RUNLESS_RUN_ID:
        target = _latest_materialization(conn, key, entry.run_id, storage_id)
        if target is not None:
            stored = _with_target(entry, target)
            events = schema.events
            conn.execute(
                events.update().where(events.c.id == storage_id).values(body=encode_entry(stored))
            )
    values = {
        "status": "SUCCEEDED" if data.passed else "FAILED",
        "evaluation_event_id": storage_id,
        "evaluation_timestamp": entry.timestamp,
        "materialization_event_id": target.storage_id if target is not None else None,
        "update_timestamp": entry.timestamp,
    }
    updated = conn.execute(
        table.update()
        .where(
            table.c.asset_key == key,
            table.c.check_name == data.check_name,
            table.c.run_id == entry.run_id,
            table.c.status == "PLANNED",
        )
        .values(**values)
    )
    if updated.rowcount == 0:
        conn.execute(
            table.insert().values(
                asset_key=key,
                check_name=data.check_name,
                run_id=entry.run_id,
                create_timestamp=entry.timestamp,
                **values,
            )
        )
    return stored


def _latest_materialization(
    conn: sa.Connection, key: str, run_id: str, before: int
) -> AssetCheckEvaluationTargetMaterializationData | None:
    """The asset's newest materialization stored before ``before`` and after its last wipe."""
    events, index, runs = schema.events, schema.asset_index, schema.runs
    wiped = sa.select(index.c.wiped_event_id).where(index.c.asset_key == key).scalar_subquery()
    query = (
        sa.select(events.c.id, events.c.run_id, events.c.timestamp)
        .where(
            events.c.asset_key == key,
            events.c.event_type == _MAT,
            events.c.id < before,
            events.c.id > sa.func.coalesce(wiped, 0),
        )
        .order_by(events.c.id.desc())
        .limit(1)
    )
    partition = conn.execute(sa.select(runs.c.partition).where(runs.c.run_id == run_id)).scalar()
    if partition is not None:
        query = query.where(events.c.partition == partition)
    row = conn.execute(query).first()
    if row is None:
        return None
    return AssetCheckEvaluationTargetMaterializationData(
        storage_id=row.id, run_id=row.run_id, timestamp=row.timestamp
    )


def _with_target(
    entry: EventLogEntry, target: AssetCheckEvaluationTargetMaterializationData
) -> EventLogEntry:
    event: Any = entry.dagster_event
    data = attrs.evolve(event.event_specific_data, target_materialization_data=target)
    return attrs.evolve(entry, dagster_event=attrs.evolve(event, event_specific_data=data))
