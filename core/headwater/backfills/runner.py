"""Launching, running, resuming and cancelling backfills, in the calling process.

Progress is stored per planned run before and after it executes: a row naming the run id is
written before the run starts, and its outcome after. A process killed mid-way leaves a row in
STARTED state; `resume_backfill` then closes the dead run (a RUN_FAILURE event, which also
clears its in-progress partitions), re-runs only the assets of that planned run that the dead
run did not materialize, and carries on with the planned runs that never started.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from headwater.backfills import store
from headwater.backfills.model import (
    BACKFILL_ID_TAG,
    Backfill,
    BackfillRequest,
    BulkActionStatus,
    UnitStatus,
)
from headwater.backfills.planner import plan_backfill
from headwater.definitions.keys import AssetKey
from headwater.errors import InvalidAssetSelectionError, InvariantViolationError

_log = logging.getLogger("headwater.backfills")
BACKFILL_JOB_NAME = "__ASSET_JOB"
_SUCCESS = "SUCCESS"
_FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def launch_backfill(
    defs: Any,
    selection: Any = None,
    *,
    partition_range: tuple[str, str] | str | None = None,
    partition_keys: Sequence[str] | None = None,
    instance: Any = None,
    tags: Mapping[str, str] | None = None,
    location: str | None = None,
    execute: bool = True,
) -> str:
    """Plan a backfill of ``selection`` over partitions, record it, and (by default) run it.

    Args:
        defs: the `Definitions` holding the assets.
        selection: the assets (anything `AssetSelection` accepts); every materializable
            asset when None.
        partition_range: (first, last) key, or ``"first...last"``.
        partition_keys: explicit keys instead of a range; every partition when neither.
        instance: where the backfill and its runs are recorded (``Instance.get()`` if None).
        tags: tags of every run of the backfill.
        location: the code location the assets come from (recorded for the CLI).
        execute: run the backfill now, in this process (False: only plan and record it;
            run it later with `resume_backfill`).

    Returns:
        The backfill id.

    Raises:
        InvalidAssetSelectionError: the selection matches no materializable asset.
        InvalidDefinitionError: a key is not a partition of a selected asset.
    """
    if partition_range is not None and partition_keys is not None:
        raise InvariantViolationError("Pass partition_range or partition_keys, not both.")
    instance = _instance(instance)
    graph = defs.resolve_asset_graph()
    keys = _selected(graph, selection)
    key_range = _parse_range(partition_range)
    plan = plan_backfill(
        graph,
        keys,
        partition_range=key_range,
        partition_keys=partition_keys,
        dynamic_partitions_store=instance,
    )
    request = BackfillRequest(
        asset_keys=tuple(plan.asset_keys),
        partition_range=key_range,
        partition_keys=tuple(partition_keys) if partition_keys is not None else None,
        tags=dict(tags or {}),
        location=location,
        plan=plan,
    )
    backfill_id = uuid.uuid4().hex[:8]
    store.add_backfill(instance, backfill_id, request)
    if execute:
        _run(defs, instance, backfill_id, request)
    return backfill_id


def resume_backfill(backfill_id: str, defs: Any, instance: Any = None) -> Backfill:
    """Run what is left of a backfill: after a crash, or one launched with ``execute=False``.

    Planned runs that succeeded are not run again; a run its process died in is closed and
    only its unmaterialized assets are run again.

    Raises:
        InvariantViolationError: no such backfill, or another live process is running it.
    """
    instance = _instance(instance)
    row = store.read_row(instance, backfill_id)
    _check_owner(backfill_id, row.owner)
    record = store.to_record(instance, row)
    if not record.status.is_finished:
        _run(defs, instance, backfill_id, record.request)
    return get_backfill(backfill_id, instance)


def cancel_backfill(backfill_id: str, instance: Any = None) -> Backfill:
    """Stop a backfill: no further planned run starts (the one in flight finishes).

    A backfill being run by a live process becomes CANCELING until that process notices;
    otherwise it becomes CANCELED at once. Finished backfills are left as they are.
    """
    instance = _instance(instance)
    row = store.read_row(instance, backfill_id)
    status = BulkActionStatus(row.status)
    if not status.is_finished:
        running = row.owner is not None and _owner_alive(row.owner)
        store.set_status(
            instance,
            backfill_id,
            BulkActionStatus.CANCELING if running else BulkActionStatus.CANCELED,
            row.owner if running else None,
        )
    return get_backfill(backfill_id, instance)


def get_backfill(backfill_id: str, instance: Any = None) -> Backfill:
    """The stored `Backfill` with this id.

    Raises:
        InvariantViolationError: there is none.
    """
    instance = _instance(instance)
    return store.to_record(instance, store.read_row(instance, backfill_id))


def get_backfills(
    instance: Any = None, status: BulkActionStatus | None = None, limit: int | None = None
) -> list[Backfill]:
    """Stored backfills, newest first (optionally only those in ``status``)."""
    instance = _instance(instance)
    return [store.to_record(instance, row) for row in store.list_rows(instance, status, limit)]


# -- running ------------------------------------------------------------------------------------


def _run(defs: Any, instance: Any, backfill_id: str, request: BackfillRequest) -> None:
    plan = request.plan
    owner = f"{socket.gethostname()}:{os.getpid()}"
    store.claim(instance, backfill_id, owner)
    states = store.unit_states(instance, backfill_id)
    statuses: list[UnitStatus] = []
    jobs: dict[tuple[AssetKey, ...], Any] = {}
    tags = {**request.tags, BACKFILL_ID_TAG: backfill_id}
    try:
        for unit, run in enumerate(plan.runs):
            current = store.read_status(instance, backfill_id)
            if current is not BulkActionStatus.REQUESTED:
                store.set_status(instance, backfill_id, BulkActionStatus.CANCELED)
                return
            attempt, status, run_id = states.get(unit, (0, UnitStatus.PENDING, None))
            keys = plan.groups[run.group]
            if status is UnitStatus.STARTED:
                status, keys = _recover(instance, run, keys, run_id)
                if status is UnitStatus.STARTED:
                    attempt += 1
                else:
                    store.set_unit(instance, backfill_id, unit, attempt, status, run_id)
            if status is UnitStatus.PENDING or status is UnitStatus.STARTED:
                if any(statuses[d] is not UnitStatus.SUCCESS for d in run.deps):
                    status = UnitStatus.SKIPPED
                    store.set_unit(instance, backfill_id, unit, attempt, status, None)
                else:
                    status = _execute(
                        defs, instance, backfill_id, unit, attempt, run, keys, jobs, tags
                    )
            statuses.append(status)
        final = (
            BulkActionStatus.COMPLETED_SUCCESS
            if all(s is UnitStatus.SUCCESS for s in statuses)
            else BulkActionStatus.COMPLETED_FAILED
        )
        store.set_status(instance, backfill_id, final)
    except BaseException:
        store.claim(instance, backfill_id, None)
        raise


def _execute(defs, instance, backfill_id, unit, attempt, run, keys, jobs, tags) -> UnitStatus:
    from headwater.execution.coordinator import RANGE_END_TAG, RANGE_START_TAG, new_run_id
    from headwater.execution.run import execute_resolved_job

    job = jobs.get(keys)
    if job is None:
        from headwater.jobs.asset_job import define_asset_job

        job = define_asset_job(BACKFILL_JOB_NAME, selection=list(keys)).resolve(
            asset_graph=defs.resolve_asset_graph(),
            default_executor_def=defs.executor,
            resources=defs.resources,
        )
        jobs[keys] = job
    run_id = new_run_id()
    partition_key = None
    run_tags = dict(tags)
    if run.partition_range is not None:
        start, end = run.partition_range
        if start == end:
            partition_key = start
        else:
            run_tags[RANGE_START_TAG], run_tags[RANGE_END_TAG] = start, end
    # Recorded before the run exists: a crash from here on is found by resume_backfill.
    store.set_unit(instance, backfill_id, unit, attempt, UnitStatus.STARTED, run_id)
    result = execute_resolved_job(
        job,
        instance,
        tags=run_tags,
        partition_key=partition_key,
        raise_on_error=False,
        run_id=run_id,
    )
    status = UnitStatus.SUCCESS if result.success else UnitStatus.FAILURE
    store.set_unit(instance, backfill_id, unit, attempt, status, run_id)
    _log.info("backfill %s: run %s of %s %s", backfill_id, run_id, list(keys), status.value)
    return status


def _recover(instance: Any, run: Any, keys: tuple[AssetKey, ...], run_id: str | None):
    """Settle a planned run left STARTED by a dead process: (status, assets still to run)."""
    dead = instance.get_run_by_id(run_id) if run_id is not None else None
    if dead is None:
        return UnitStatus.STARTED, keys
    if dead.status.value in _FINISHED:
        ok = dead.status.value == _SUCCESS
        return (UnitStatus.SUCCESS if ok else UnitStatus.FAILURE), keys
    _close_dead_run(instance, dead)
    from headwater.events.types import DagsterEventType

    done: dict[AssetKey, set[str | None]] = {}
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        event = entry.dagster_event
        done.setdefault(event.asset_key, set()).add(event.partition)
    expected = run.num_partitions or 1
    remaining = tuple(key for key in keys if len(done.get(key, ())) < expected)
    if not remaining:
        return UnitStatus.SUCCESS, keys
    return UnitStatus.STARTED, remaining


def _close_dead_run(instance: Any, run: Any) -> None:
    from headwater.events.data import JobFailureData
    from headwater.events.log import DagsterEvent, EventLogEntry
    from headwater.events.types import DagsterEventType

    event = DagsterEvent.build(
        DagsterEventType.RUN_FAILURE,
        run.job_name,
        message=f'Run for "{run.job_name}" was not finished when the process running it '
        "stopped; marked failed by resume_backfill.",
        event_specific_data=JobFailureData(None, "RUN_EXCEPTION"),
    )
    instance.store_events([EventLogEntry.from_event(event, run.run_id, level=logging.ERROR)])


# -- helpers ------------------------------------------------------------------------------------


def _instance(instance: Any) -> Any:
    if instance is not None:
        return instance
    from headwater.instance import Instance

    return Instance.get()


def _selected(graph: Any, selection: Any) -> list[AssetKey]:
    from headwater.asset_graph.selection import AssetSelection

    chosen = AssetSelection.all() if selection is None else AssetSelection.from_coercible(selection)
    keys = [key for key in chosen.resolve(graph) if graph.is_materializable(key)]
    if not keys:
        raise InvalidAssetSelectionError(
            f"The backfill selection {selection!r} matches no materializable asset."
        )
    return keys


def _parse_range(value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        start, sep, end = value.partition("...")
        if not sep or not start or not end:
            raise InvariantViolationError(
                f"Partition range {value!r} must look like FIRST...LAST, e.g. "
                "2024-01-01...2024-01-31."
            )
        return (start, end)
    start, end = value
    return (str(start), str(end))


def _check_owner(backfill_id: str, owner: str | None) -> None:
    if owner is None or owner == f"{socket.gethostname()}:{os.getpid()}":
        return
    if _owner_alive(owner):
        raise InvariantViolationError(
            f"Backfill {backfill_id} is being run by process {owner}; wait for it, or cancel "
            "the backfill and stop that process first."
        )


def _owner_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        # Another machine's process cannot be checked from here: assume it is running.
        return True
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    return True
