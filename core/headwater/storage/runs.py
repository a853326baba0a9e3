"""Run records: `DagsterRun`, its status, and `RunsFilter` for queries."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from headwater._serde import serializable
from headwater.definitions.keys import AssetKey
from headwater.errors import did_you_mean

PARTITION_TAG = "dagster/partition"
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


class DagsterRunStatus(str, enum.Enum):
    """Where a run stands. A run moves forward through these as its run events are stored."""

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


FINISHED_STATUSES = frozenset(
    {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
)
IN_PROGRESS_STATUSES = frozenset(
    {
        DagsterRunStatus.NOT_STARTED,
        DagsterRunStatus.STARTING,
        DagsterRunStatus.STARTED,
        DagsterRunStatus.CANCELING,
    }
)


def _keys(value: Any) -> frozenset[AssetKey] | None:
    if value is None:
        return None
    return frozenset(AssetKey.from_coercible(key) for key in value)


@serializable
@attrs.frozen
class DagsterRun:
    """A run: which job, which assets and checks, with what tags, and where it stands.

    Use `attrs.evolve` (or `with_status`) to derive a changed copy.
    """

    job_name: str
    run_id: str
    status: DagsterRunStatus = attrs.field(
        default=DagsterRunStatus.NOT_STARTED, converter=DagsterRunStatus
    )
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    run_config: Mapping[str, Any] = attrs.field(factory=dict, converter=dict)
    asset_selection: frozenset[AssetKey] | None = attrs.field(default=None, converter=_keys)
    # Typed Any so the converter restores the AssetCheckKey class of each element.
    asset_check_selection: Any = attrs.field(
        default=None, converter=lambda v: None if v is None else frozenset(v)
    )
    parent_run_id: str | None = None
    root_run_id: str | None = None
    start_time: float | None = None
    end_time: float | None = None

    @property
    def is_finished(self) -> bool:
        """Whether the run succeeded, failed or was canceled."""
        return self.status in FINISHED_STATUSES

    @property
    def is_success(self) -> bool:
        return self.status is DagsterRunStatus.SUCCESS

    @property
    def is_failure(self) -> bool:
        return self.status is DagsterRunStatus.FAILURE

    @property
    def is_failure_or_canceled(self) -> bool:
        """Whether the run failed or was canceled."""
        return self.status in (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)

    @property
    def previous_run_id(self) -> str | None:
        """The run this one re-executes (its ``parent_run_id``), if any."""
        return self.parent_run_id

    @property
    def partition_key(self) -> str | None:
        """The partition the run targets (its ``dagster/partition`` tag)."""
        return self.tags.get(PARTITION_TAG)

    def with_status(self, status: DagsterRunStatus) -> DagsterRun:
        """A copy with another status."""
        return attrs.evolve(self, status=status)


def _utc(value: float | datetime.datetime) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)


@attrs.frozen
class RunRecord:
    """A stored run with its storage id and bookkeeping times.

    ``create_timestamp`` and ``update_timestamp`` are timezone-aware UTC datetimes;
    ``start_time`` and ``end_time`` are seconds since the epoch (as in the reference).
    """

    storage_id: int
    dagster_run: DagsterRun
    create_timestamp: datetime.datetime = attrs.field(converter=_utc)
    update_timestamp: datetime.datetime = attrs.field(converter=_utc)
    start_time: float | None = None
    end_time: float | None = None


def _sequence(name: str, value: Any, example: str) -> tuple[Any, ...] | None:
    """``value`` as a tuple; a lone string or enum member is refused, not split into letters."""
    if value is None:
        return None
    if isinstance(value, (str, enum.Enum)) or not isinstance(value, Iterable):
        raise TypeError(
            f"RunsFilter({name}=...) takes a list, got {value!r} ({type(value).__name__}); "
            f"pass {name}=[{example}]."
        )
    return tuple(value)


def _run_ids(value: Any) -> tuple[str, ...] | None:
    return _sequence("run_ids", value, "run_id")


def _statuses(value: Any) -> tuple[DagsterRunStatus, ...] | None:
    values = _sequence("statuses", value, "DagsterRunStatus.SUCCESS")
    if values is None:
        return None
    out = []
    for status in values:
        try:
            out.append(DagsterRunStatus(status))
        except ValueError:
            known = [member.value for member in DagsterRunStatus]
            hint = did_you_mean(str(status), known) or "."
            raise ValueError(
                f"RunsFilter(statuses=...): {status!r} is not a run status{hint} "
                f"Known: {', '.join(known)}."
            ) from None
    return tuple(out)


def _tags(value: Any) -> dict[str, str | tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise TypeError(
            f"RunsFilter(tags=...) takes a mapping of tag names to values, got "
            f"{type(value).__name__}; pass tags={{'team': 'data'}}."
        )
    out: dict[str, str | tuple[str, ...]] = {}
    for key, accepted in value.items():
        if isinstance(accepted, str):
            out[key] = accepted
        elif isinstance(accepted, Iterable) and all(isinstance(v, str) for v in accepted):
            out[key] = tuple(accepted)
        else:
            raise TypeError(
                f"RunsFilter(tags=...): the value of tag {key!r} must be a string or a list of "
                f"strings, got {accepted!r} ({type(accepted).__name__}); tag values are "
                f"stored as strings, so pass {key!r}: {str(accepted)!r}."
            )
    return out


@attrs.frozen
class RunsFilter:
    """Selects runs; every given criterion must hold.

    Args:
        run_ids: only these runs (a list, even of one id).
        job_name: only runs of this job.
        statuses: only runs in one of these statuses (a list of `DagsterRunStatus` or names).
        tags: only runs having every tag; a value is a string or a list of accepted strings.
        created_after / created_before: creation time bounds, as datetimes or epoch seconds.
        updated_after / updated_before: last update time bounds.

    Raises:
        TypeError: a lone run id or status where a list is expected, or a non-string tag value.
        ValueError: a status name that is not a `DagsterRunStatus`.
    """

    run_ids: Sequence[str] | None = attrs.field(default=None, converter=_run_ids)
    job_name: str | None = None
    statuses: Sequence[DagsterRunStatus] | None = attrs.field(default=None, converter=_statuses)
    tags: Mapping[str, str | Sequence[str]] = attrs.field(factory=dict, converter=_tags)
    created_after: Any = None
    created_before: Any = None
    updated_after: Any = None
    updated_before: Any = None
