"""Partition status per asset: materialized / failed / in-progress subsets, one row per asset.

The `partition_status` row of an asset holds three serialised `PartitionsSubset`s: partitions
whose latest outcome is a materialization, partitions whose latest outcome is a failure, and
the partitions each unfinished run targets (a JSON object ``{run_id: subset}``, so concurrent
runs clear only their own partitions when they end). `SqlStorage` updates the row in the same
transaction as the events that change it.

Subsets can only be decoded with the asset's partitions definition, which the storage learns
from the writer (the run coordinator passes it with every batch). An event written without
it (a runless materialization, say) marks the row stale (``partitions_def_id`` NULL); the
next reader or writer that knows the definition rebuilds the row once from the per-partition
index (`asset_partition_index`), never from the event log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa

from headwater.definitions.keys import AssetKey
from headwater.errors import HeadwaterError
from headwater.storage import schema


@attrs.frozen
class AssetPartitionStatus:
    """Which partitions of one asset are materialized, failed, in progress or missing.

    Attributes:
        asset_key: the asset.
        partitions_def: the definition the subsets belong to.
        materialized: partitions whose latest outcome is a materialization.
        failed: partitions whose latest outcome is a failed step.
        in_progress: partitions targeted by runs that have not finished.
    """

    asset_key: AssetKey
    partitions_def: Any
    materialized: Any
    failed: Any
    in_progress: Any

    def missing(
        self, current_time: datetime | None = None, dynamic_partitions_store: Any = None
    ) -> Any:
        """Existing partitions that are neither materialized, failed nor in progress."""
        everything = self.partitions_def.subset_with_all_partitions(
            current_time, dynamic_partitions_store
        )
        return everything - self.materialized - self.failed - self.in_progress


@attrs.define
class StatusChanges:
    """Changes to one asset's row gathered from a batch of events."""

    materialized: list[str] = attrs.field(factory=list)
    failed: list[str] = attrs.field(factory=list)
    # run id -> partition keys that run finished (materialized or failed).
    done_by_run: dict[str, list[str]] = attrs.field(factory=dict)
    stale: bool = False

    def record(self, kind: str, partition: str, run_id: str) -> None:
        (self.materialized if kind == "mat" else self.failed).append(partition)
        self.done_by_run.setdefault(run_id, []).append(partition)


def def_id(partitions_def: Any) -> str:
    """A short fingerprint of a definition's kind, stored to spot rows written for another."""
    return type(partitions_def).__name__


class _Row:
    """A decoded status row, changed in memory and written back once."""

    def __init__(self, key: str, partitions_def: Any, row: Any):
        self.key = key
        self.partitions_def = partitions_def
        empty = partitions_def.empty_subset()
        self.materialized = self.failed = empty
        self.in_progress: dict[str, Any] = {}
        self.valid = False
        if row is None:
            return
        try:
            self.in_progress = {
                run_id: partitions_def.deserialize_subset(text)
                for run_id, text in json.loads(row.in_progress or "{}").items()
            }
            if row.partitions_def_id == def_id(partitions_def):
                self.materialized = _decode(partitions_def, row.materialized)
                self.failed = _decode(partitions_def, row.failed)
                self.valid = True
        except (HeadwaterError, ValueError):
            self.in_progress = {}

    def rebuild(self, conn: sa.Connection) -> None:
        """Recompute materialized and failed from the per-partition index."""
        table = schema.asset_partition_index
        query = sa.select(
            table.c.partition, table.c.last_materialization_event_id, table.c.last_failed_event_id
        ).where(table.c.asset_key == self.key)
        materialized, failed = [], []
        for partition, mat_id, failed_id in conn.execute(query):
            if failed_id is not None and (mat_id is None or failed_id > mat_id):
                failed.append(partition)
            elif mat_id is not None:
                materialized.append(partition)
        self.materialized = _with_known_keys(self.partitions_def.empty_subset(), materialized)
        self.failed = _with_known_keys(self.partitions_def.empty_subset(), failed)
        self.valid = True

    def values(self) -> dict[str, Any]:
        return {
            "asset_key": self.key,
            "partitions_def_id": def_id(self.partitions_def),
            "materialized": self.materialized.serialize(),
            "failed": self.failed.serialize(),
            "in_progress": json.dumps(
                {run_id: s.serialize() for run_id, s in self.in_progress.items() if len(s)},
                separators=(",", ":"),
            ),
            "update_timestamp": time.time(),
        }


def _decode(partitions_def: Any, text: str | None) -> Any:
    if not text:
        return partitions_def.empty_subset()
    return partitions_def.deserialize_subset(text)


def _with_known_keys(subset: Any, keys: Iterable[str]) -> Any:
    """``subset`` plus ``keys``, skipping keys the definition no longer has."""
    keys = list(keys)
    try:
        return subset.with_partition_keys(keys)
    except HeadwaterError:
        out = subset
        for key in keys:
            try:
                out = out.with_partition_keys([key])
            except HeadwaterError:
                continue
        return out


def _read_row(conn: sa.Connection, key: str) -> Any:
    table = schema.partition_status
    return conn.execute(sa.select(table).where(table.c.asset_key == key)).first()


def _write_row(conn: sa.Connection, row: _Row, existed: bool) -> None:
    table = schema.partition_status
    values = row.values()
    if existed:
        conn.execute(table.update().where(table.c.asset_key == row.key).values(values))
    else:
        conn.execute(table.insert().values(values))


def apply_changes(
    conn: sa.Connection,
    changes: Mapping[str, StatusChanges],
    partitions_defs: Mapping[str, Any],
) -> None:
    """Fold a batch's changes into the status rows (inside the batch's transaction)."""
    table = schema.partition_status
    for key, change in changes.items():
        partitions_def = partitions_defs.get(key)
        if partitions_def is None or change.stale:
            conn.execute(
                table.update().where(table.c.asset_key == key).values(partitions_def_id=None)
            )
            continue
        stored = _read_row(conn, key)
        row = _Row(key, partitions_def, stored)
        if not row.valid:
            # The per-partition index was updated earlier in this transaction: it has the batch.
            row.rebuild(conn)
        else:
            if change.materialized:
                done = partitions_def.empty_subset().with_partition_keys(change.materialized)
                row.materialized = row.materialized | done
                row.failed = row.failed - done
            if change.failed:
                broken = partitions_def.empty_subset().with_partition_keys(change.failed)
                row.failed = row.failed | broken
                row.materialized = row.materialized - broken
        for run_id, keys in change.done_by_run.items():
            running = row.in_progress.get(run_id)
            if running is not None:
                row.in_progress[run_id] = (
                    running - partitions_def.empty_subset().with_partition_keys(keys)
                )
        _write_row(conn, row, stored is not None)


def start_run(
    conn: sa.Connection, run_id: str, targets: Mapping[str, Any], partitions_defs: Mapping[str, Any]
) -> None:
    """Mark ``targets`` (stored key -> subset) in progress for ``run_id``."""
    for key, subset in targets.items():
        stored = _read_row(conn, key)
        row = _Row(key, partitions_defs[key], stored)
        if not row.valid:
            row.rebuild(conn)
        row.in_progress[run_id] = subset
        _write_row(conn, row, stored is not None)


def finish_runs(conn: sa.Connection, run_ids: Iterable[str]) -> None:
    """Clear the in-progress partitions of runs that ended."""
    runs, table = schema.runs, schema.partition_status
    for run_id in run_ids:
        found = conn.execute(
            sa.select(runs.c.asset_selection, runs.c.partition, runs.c.partition_range_start).where(
                runs.c.run_id == run_id
            )
        ).first()
        if found is None or found.asset_selection is None:
            continue
        if found.partition is None and found.partition_range_start is None:
            continue
        keys = json.loads(found.asset_selection)
        rows = conn.execute(
            sa.select(table.c.asset_key, table.c.in_progress).where(table.c.asset_key.in_(keys))
        ).all()
        for key, in_progress in rows:
            running = json.loads(in_progress or "{}")
            if running.pop(run_id, None) is not None:
                conn.execute(
                    table.update()
                    .where(table.c.asset_key == key)
                    .values(
                        in_progress=json.dumps(running, separators=(",", ":")),
                        update_timestamp=time.time(),
                    )
                )


def mark_stale(conn: sa.Connection, keys: Iterable[str]) -> None:
    """Have the rows of ``keys`` rebuilt from the per-partition index on their next read."""
    keys = list(keys)
    if keys:
        table = schema.partition_status
        conn.execute(
            table.update().where(table.c.asset_key.in_(keys)).values(partitions_def_id=None)
        )


def read_status(
    conn: sa.Connection, asset_key: AssetKey, partitions_def: Any
) -> tuple[AssetPartitionStatus, bool]:
    """The asset's status, and whether the row had to be rebuilt (the caller may store it)."""
    key = asset_key.to_string()
    stored = _read_row(conn, key)
    row = _Row(key, partitions_def, stored)
    rebuilt = False
    if not row.valid:
        row.rebuild(conn)
        rebuilt = stored is not None or not row.materialized.is_empty or not row.failed.is_empty
    in_progress = partitions_def.empty_subset()
    for subset in row.in_progress.values():
        in_progress = in_progress | subset
    status = AssetPartitionStatus(
        asset_key=asset_key,
        partitions_def=partitions_def,
        materialized=row.materialized,
        failed=row.failed,
        in_progress=in_progress,
    )
    return status, rebuilt


def store_rebuilt(conn: sa.Connection, status: AssetPartitionStatus) -> None:
    """Write back a row that `read_status` rebuilt (keeping in-progress runs as stored)."""
    key = status.asset_key.to_string()
    stored = _read_row(conn, key)
    row = _Row(key, status.partitions_def, stored)
    row.materialized, row.failed = status.materialized, status.failed
    _write_row(conn, row, stored is not None)
