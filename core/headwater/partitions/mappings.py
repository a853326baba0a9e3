"""Partition mappings: which upstream partitions a downstream partition reads, and back."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import attrs

from headwater.errors import InvalidDefinitionError
from headwater.partitions.base import (
    DynamicPartitionsStore,
    PartitionsDefinition,
    current_timestamp,
)
from headwater.partitions.subsets import (
    AllPartitionsSubset,
    KeysPartitionsSubset,
    PartitionsSubset,
    TimeWindowPartitionsSubset,
)
from headwater.partitions.time_window import TimeWindowPartitionsDefinition


@attrs.frozen
class UpstreamPartitionsResult:
    """Upstream partitions mapped from downstream ones.

    Attributes:
        partitions_subset: the upstream partitions that exist and are required.
        required_but_nonexistent_subset: required upstream partitions that do not exist
            (yet), which should block the downstream partitions.
    """

    partitions_subset: PartitionsSubset
    required_but_nonexistent_subset: PartitionsSubset

    @property
    def required_but_nonexistent_partition_keys(self) -> list[str]:
        """The keys of `required_but_nonexistent_subset`."""
        return self.required_but_nonexistent_subset.get_partition_keys()


class PartitionMapping:
    """How the partitions of a downstream asset depend on those of an upstream asset."""

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset: PartitionsSubset | None,
        downstream_partitions_def: PartitionsDefinition | None,
        upstream_partitions_def: PartitionsDefinition,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> UpstreamPartitionsResult:
        """Return the upstream partitions that ``downstream_partitions_subset`` reads."""
        raise NotImplementedError

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset: PartitionsSubset,
        upstream_partitions_def: PartitionsDefinition,
        downstream_partitions_def: PartitionsDefinition,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """Return the downstream partitions that read any of ``upstream_partitions_subset``."""
        raise NotImplementedError


def _result(subset: PartitionsSubset) -> UpstreamPartitionsResult:
    """``subset``, with nothing required but nonexistent."""
    return UpstreamPartitionsResult(subset, subset.partitions_def.empty_subset())


def _existing_and_missing(
    partitions_def: PartitionsDefinition,
    keys: Collection[str],
    current_time: datetime | None,
    store: DynamicPartitionsStore | None,
) -> UpstreamPartitionsResult:
    present = [k for k in keys if partitions_def.has_partition_key(k, current_time, store)]
    return UpstreamPartitionsResult(
        partitions_def.subset_with_partition_keys(present, store),
        KeysPartitionsSubset(partitions_def, frozenset(keys) - set(present)),
    )


def _translate(
    subset: PartitionsSubset,
    target: PartitionsDefinition,
    current_time: datetime | None,
    store: DynamicPartitionsStore | None,
) -> UpstreamPartitionsResult:
    """Return the same keys in ``target``: those that exist there, and those that do not."""
    subset = subset.concrete()
    if subset.partitions_def == target:
        return _result(subset)
    source = subset.partitions_def
    if (
        isinstance(subset, TimeWindowPartitionsSubset)
        and isinstance(target, TimeWindowPartitionsDefinition)
        and isinstance(source, TimeWindowPartitionsDefinition)
        and (source.cron_schedule, source.timezone, source.fmt)
        == (target.cron_schedule, target.timezone, target.fmt)
    ):
        # Same schedule, other start or end: the keys are the same ticks, shifted by index.
        shift = target.index_for_timestamp(source.instant_of_index(0))
        shifted = TimeWindowPartitionsSubset(
            target, [(lo + shift, hi + shift) for lo, hi in subset.ranges]
        )
        n = target._num_partitions(current_timestamp(current_time), store)
        valid = shifted & TimeWindowPartitionsSubset(target, [(0, n)])
        return UpstreamPartitionsResult(valid, shifted - valid)
    return _existing_and_missing(target, subset.get_partition_keys(), current_time, store)


@attrs.frozen
class IdentityPartitionMapping(PartitionMapping):
    """Each downstream partition reads the upstream partition with the same key."""

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset,
        downstream_partitions_def,
        upstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        if downstream_partitions_subset is None:
            return _result(upstream_partitions_def.empty_subset())
        return _translate(
            downstream_partitions_subset,
            upstream_partitions_def,
            current_time,
            dynamic_partitions_store,
        )

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset,
        upstream_partitions_def,
        downstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        return _translate(
            upstream_partitions_subset,
            downstream_partitions_def,
            current_time,
            dynamic_partitions_store,
        ).partitions_subset


@attrs.frozen
class AllPartitionMapping(PartitionMapping):
    """Every downstream partition reads every upstream partition."""

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset,
        downstream_partitions_def,
        upstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        return _result(
            AllPartitionsSubset(upstream_partitions_def, current_time, dynamic_partitions_store)
        )

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset,
        upstream_partitions_def,
        downstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        if upstream_partitions_subset.is_empty:
            return downstream_partitions_def.empty_subset()
        return AllPartitionsSubset(
            downstream_partitions_def, current_time, dynamic_partitions_store
        )


@attrs.frozen
class LastPartitionMapping(PartitionMapping):
    """Every downstream partition reads the latest upstream partition."""

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset,
        downstream_partitions_def,
        upstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        last = upstream_partitions_def.get_last_partition_key(
            current_time, dynamic_partitions_store
        )
        keys = [] if last is None else [last]
        return _result(
            upstream_partitions_def.subset_with_partition_keys(keys, dynamic_partitions_store)
        )

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset,
        upstream_partitions_def,
        downstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        last = upstream_partitions_def.get_last_partition_key(
            current_time, dynamic_partitions_store
        )
        if last is not None and last in upstream_partitions_subset:
            return AllPartitionsSubset(
                downstream_partitions_def, current_time, dynamic_partitions_store
            )
        return downstream_partitions_def.empty_subset()


@attrs.frozen
class SpecificPartitionsPartitionMapping(PartitionMapping):
    """Every downstream partition reads the same fixed upstream partitions.

    Args:
        partition_keys: the upstream keys read.
    """

    partition_keys: Sequence[str] = attrs.field(converter=tuple)

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset,
        downstream_partitions_def,
        upstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        return _existing_and_missing(
            upstream_partitions_def, self.partition_keys, current_time, dynamic_partitions_store
        )

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset,
        upstream_partitions_def,
        downstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        if any(key in upstream_partitions_subset for key in self.partition_keys):
            return AllPartitionsSubset(
                downstream_partitions_def, current_time, dynamic_partitions_store
            )
        return downstream_partitions_def.empty_subset()


def _freeze_static_mapping(
    mapping: Mapping[str, str | Collection[str]],
) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(
        (up, frozenset([down] if isinstance(down, str) else down)) for up, down in mapping.items()
    )


@attrs.frozen
class StaticPartitionMapping(PartitionMapping):
    """An explicit correspondence: each upstream key names the downstream key(s) that read it.

    Args:
        downstream_partition_keys_by_upstream_partition_key: upstream key -> downstream key,
            or a collection of downstream keys.
    """

    _pairs: tuple[tuple[str, frozenset[str]], ...] = attrs.field(
        converter=_freeze_static_mapping,
        alias="downstream_partition_keys_by_upstream_partition_key",
    )

    @property
    def downstream_partition_keys_by_upstream_partition_key(self) -> dict[str, frozenset[str]]:
        """The mapping, with each value as a frozenset of downstream keys."""
        return dict(self._pairs)

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset,
        downstream_partitions_def,
        upstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        if downstream_partitions_subset is None:
            return _result(upstream_partitions_def.empty_subset())
        wanted = set(downstream_partitions_subset.get_partition_keys())
        upstream = [up for up, downs in self._pairs if downs & wanted]
        return _existing_and_missing(
            upstream_partitions_def, upstream, current_time, dynamic_partitions_store
        )

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset,
        upstream_partitions_def,
        downstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        downstream = set().union(
            *(downs for up, downs in self._pairs if up in upstream_partitions_subset)
        )
        return _existing_and_missing(
            downstream_partitions_def, downstream, current_time, dynamic_partitions_store
        ).partitions_subset


@attrs.frozen
class TimeWindowPartitionMapping(PartitionMapping):
    """Each downstream window reads the upstream partitions overlapping it, optionally shifted.

    Offsets count downstream partitions: ``start_offset=-1, end_offset=-1`` reads the previous
    window (the way a time-partitioned asset depends on itself). Shifts never reach past the
    upstream's first or last partition.

    Args:
        start_offset: shift of the start of the upstream window.
        end_offset: shift of the end of the upstream window.
        allow_nonexistent_upstream_partitions: if True, upstream windows outside the upstream
            partitions are dropped silently instead of reported as required but nonexistent.
    """

    start_offset: int = 0
    end_offset: int = 0
    allow_nonexistent_upstream_partitions: bool = False

    @staticmethod
    def _check(*defs: PartitionsDefinition | None) -> None:
        for partitions_def in defs:
            if not isinstance(partitions_def, TimeWindowPartitionsDefinition):
                raise InvalidDefinitionError(
                    "TimeWindowPartitionMapping maps between time-window partitions definitions "
                    f"only; got {partitions_def!r}. Use another PartitionMapping here."
                )

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset,
        downstream_partitions_def,
        upstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        self._check(downstream_partitions_def, upstream_partitions_def)
        down, up = downstream_partitions_def, upstream_partitions_def
        if downstream_partitions_subset is None:
            return _result(up.empty_subset())
        subset = downstream_partitions_subset.concrete()
        n = up._num_partitions(current_timestamp(current_time), dynamic_partitions_store)
        bounds = (up.instant_of_index(0), up.instant_of_index(n)) if n else None
        ranges = []
        for lo, hi in subset.ranges:
            start = self._clamp(
                down.instant_of_index(lo + self.start_offset), self.start_offset, bounds
            )
            end = self._clamp(down.instant_of_index(hi + self.end_offset), self.end_offset, bounds)
            a, b = up.index_for_timestamp(start), up._ticks.ceil(end)
            if a < b:
                ranges.append((a, b))
        mapped = TimeWindowPartitionsSubset(up, ranges)
        valid = mapped & TimeWindowPartitionsSubset(up, [(0, n)])
        missing = (
            up.empty_subset() if self.allow_nonexistent_upstream_partitions else mapped - valid
        )
        return UpstreamPartitionsResult(valid, missing)

    @staticmethod
    def _clamp(ts: float, offset: int, bounds: tuple[float, float] | None) -> float:
        if bounds is None:
            return ts
        if offset < 0:
            return max(ts, bounds[0])
        if offset > 0:
            return min(ts, bounds[1])
        return ts

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset,
        upstream_partitions_def,
        downstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        self._check(upstream_partitions_def, downstream_partitions_def)
        up, down = upstream_partitions_def, downstream_partitions_def
        subset = upstream_partitions_subset.concrete()
        ranges = []
        for lo, hi in subset.ranges:
            first = down.index_for_timestamp(up.instant_of_index(lo))
            stop = down._ticks.ceil(up.instant_of_index(hi))
            ranges.append((first - self.end_offset, stop - self.start_offset))
        n = down._num_partitions(current_timestamp(current_time), dynamic_partitions_store)
        return TimeWindowPartitionsSubset(down, ranges) & TimeWindowPartitionsSubset(down, [(0, n)])


def infer_partition_mapping(
    partition_mapping: PartitionMapping | None,
    downstream_partitions_def: PartitionsDefinition | None,
    upstream_partitions_def: PartitionsDefinition | None,
) -> PartitionMapping:
    """Return the mapping used between two assets when none (or ``partition_mapping``) is given.

    An explicit mapping always wins. With an unpartitioned side: `AllPartitionMapping`. When
    exactly one side is multi-dimensional and exactly one of its dimensions equals the other
    side: `MultiToSingleDimensionPartitionMapping`. Two time-window definitions:
    `TimeWindowPartitionMapping`. Otherwise `IdentityPartitionMapping`.
    """
    from headwater.partitions.multi import MultiPartitionsDefinition
    from headwater.partitions.multi_mappings import MultiToSingleDimensionPartitionMapping

    if partition_mapping is not None:
        return partition_mapping
    if downstream_partitions_def is None or upstream_partitions_def is None:
        return AllPartitionMapping()
    down_multi = isinstance(downstream_partitions_def, MultiPartitionsDefinition)
    if down_multi != isinstance(upstream_partitions_def, MultiPartitionsDefinition):
        multi, single = (
            (downstream_partitions_def, upstream_partitions_def)
            if down_multi
            else (upstream_partitions_def, downstream_partitions_def)
        )
        matches = [d for d in multi.partitions_defs if d.partitions_def == single]  # type: ignore[attr-defined]
        if len(matches) == 1:
            return MultiToSingleDimensionPartitionMapping()
    if isinstance(downstream_partitions_def, TimeWindowPartitionsDefinition) and isinstance(
        upstream_partitions_def, TimeWindowPartitionsDefinition
    ):
        return TimeWindowPartitionMapping()
    return IdentityPartitionMapping()
