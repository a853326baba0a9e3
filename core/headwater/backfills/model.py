"""Backfill values: the request, its plan of runs, and the record read back from storage."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from headwater._serde import serializable
from headwater.definitions.keys import AssetKey

BACKFILL_ID_TAG = "dagster/backfill"


class BulkActionStatus(enum.Enum):
    """Where a backfill is in its life."""

    REQUESTED = "REQUESTED"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"
    COMPLETED_SUCCESS = "COMPLETED_SUCCESS"
    COMPLETED_FAILED = "COMPLETED_FAILED"
    FAILED = "FAILED"

    @property
    def is_finished(self) -> bool:
        """Whether nothing more will run for the backfill."""
        return self not in (BulkActionStatus.REQUESTED, BulkActionStatus.CANCELING)


BackfillStatus = BulkActionStatus


class UnitStatus(enum.Enum):
    """The state of one planned run of a backfill."""

    PENDING = "PENDING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    SKIPPED = "SKIPPED"


@serializable
@attrs.frozen
class BackfillRunPlan:
    """One planned run: a group of assets over one partition key range (or none).

    Attributes:
        group: index of the asset group in `BackfillPlan.groups`.
        partition_range: (first key, last key) of the run, or None for unpartitioned assets.
        num_partitions: how many partitions the range holds.
        deps: indices of the planned runs that must succeed first.
    """

    group: int
    partition_range: tuple[str, str] | None = None
    num_partitions: int = 0
    deps: tuple[int, ...] = ()


@serializable
@attrs.frozen
class BackfillPlan:
    """The runs a backfill makes, in the order they run.

    Attributes:
        groups: the asset sets materialized together, parents' groups first.
        runs: the planned runs; each one's dependencies come before it.
    """

    groups: tuple[tuple[AssetKey, ...], ...]
    runs: tuple[BackfillRunPlan, ...]

    @property
    def asset_keys(self) -> list[AssetKey]:
        """Every asset the backfill materializes."""
        return [key for group in self.groups for key in group]


@serializable
@attrs.frozen
class BackfillRequest:
    """What was asked for, and the plan made for it (stored once, at launch)."""

    asset_keys: tuple[AssetKey, ...]
    partition_range: tuple[str, str] | None
    partition_keys: tuple[str, ...] | None
    tags: Mapping[str, str]
    location: str | None
    plan: BackfillPlan


@attrs.frozen
class Backfill:
    """A backfill as stored: its request, plan, status and the state of each planned run.

    Attributes:
        backfill_id: the id `launch_backfill` returned.
        status: the backfill's `BulkActionStatus`.
        request: the assets, partitions and plan.
        unit_statuses: the status of each planned run, in plan order.
        run_ids: the latest run id of each planned run (None before it starts).
        create_timestamp: when it was launched (seconds since the epoch).
        update_timestamp: when its status last changed.
    """

    backfill_id: str
    status: BulkActionStatus
    request: BackfillRequest
    unit_statuses: tuple[UnitStatus, ...]
    run_ids: tuple[str | None, ...]
    create_timestamp: float
    update_timestamp: float

    @property
    def asset_selection(self) -> tuple[AssetKey, ...]:
        """The assets the backfill materializes."""
        return self.request.asset_keys

    @property
    def num_runs(self) -> int:
        """How many runs the plan holds."""
        return len(self.request.plan.runs)

    def progress(self) -> dict[str, int]:
        """How many planned runs are in each `UnitStatus` (by name)."""
        counts = {status.value: 0 for status in UnitStatus}
        for status in self.unit_statuses:
            counts[status.value] += 1
        return counts

    def partitions_by_status(self, asset_key: AssetKey) -> dict[str, list[tuple[str, str]]]:
        """Per status, the partition ranges of ``asset_key`` whose planned run is in it."""
        plan = self.request.plan
        key = AssetKey.from_coercible(asset_key)
        out: dict[str, list[tuple[str, str]]] = {}
        for run, status in zip(plan.runs, self.unit_statuses):
            if key in plan.groups[run.group] and run.partition_range is not None:
                out.setdefault(status.value, []).append(run.partition_range)
        return out
