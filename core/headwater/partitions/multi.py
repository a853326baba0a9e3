"""Two-dimensional partitions: every combination of a key from each of two definitions."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from headwater.errors import (
    InvalidDefinitionError,
    InvariantViolationError,
    UnknownPartitionError,
)
from headwater.partitions.base import (
    DynamicPartitionsStore,
    PartitionKeyRange,
    PartitionsDefinition,
    current_timestamp,
)
from headwater.partitions.static import StaticPartitionsDefinition
from headwater.partitions.time_window import TimeWindow, TimeWindowPartitionsDefinition

if TYPE_CHECKING:
    from headwater.partitions.subsets import MultiPartitionsSubset

_SEPARATOR = "|"


class PartitionDimensionKey(NamedTuple):
    """One dimension's part of a `MultiPartitionKey`."""

    dimension_name: str
    partition_key: str


class PartitionDimensionDefinition(NamedTuple):
    """One named dimension of a `MultiPartitionsDefinition`."""

    name: str
    partitions_def: PartitionsDefinition


class MultiPartitionKey(str):
    """A partition key of a `MultiPartitionsDefinition`: a ``str`` joining the dimension keys
    with ``"|"``, dimensions ordered by name, that also remembers each dimension's key.

    Args:
        keys_by_dimension: the key of each dimension, by dimension name.
    """

    _keys_by_dimension: dict[str, str]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> MultiPartitionKey:
        ordered = dict(sorted(keys_by_dimension.items()))
        key = super().__new__(cls, _SEPARATOR.join(ordered.values()))
        key._keys_by_dimension = ordered
        return key

    def __getnewargs__(self) -> tuple[dict[str, str]]:  # type: ignore[override]
        return (self._keys_by_dimension,)

    @property
    def keys_by_dimension(self) -> dict[str, str]:
        """The key of each dimension, by dimension name."""
        return dict(self._keys_by_dimension)

    @property
    def dimension_keys(self) -> list[PartitionDimensionKey]:
        """The dimension keys, ordered by dimension name."""
        return [PartitionDimensionKey(n, k) for n, k in self._keys_by_dimension.items()]


class MultiPartitionsDefinition(PartitionsDefinition):
    """Partitions along two named dimensions; a key picks one key from each.

    Keys are `MultiPartitionKey` values such as ``"2024-01-31|eu"`` (dimension keys joined by
    ``"|"`` in dimension-name order), listed with the first dimension (by name) outermost.

    Args:
        partitions_defs: exactly two dimensions, by name; at most one may be time-windowed.

    Raises:
        InvalidDefinitionError: not two dimensions, two time dimensions, a nested
            multi-dimensional definition, or a static key containing ``"|"``.
    """

    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]):
        if len(partitions_defs) != 2:
            raise InvalidDefinitionError(
                "MultiPartitionsDefinition supports exactly two dimensions; got "
                f"{sorted(partitions_defs)!r}."
            )
        for name, dim_def in partitions_defs.items():
            if not isinstance(dim_def, PartitionsDefinition) or isinstance(
                dim_def, MultiPartitionsDefinition
            ):
                raise InvalidDefinitionError(
                    f"Dimension {name!r} of a MultiPartitionsDefinition must be a "
                    f"one-dimensional partitions definition; got {dim_def!r}."
                )
            if isinstance(dim_def, StaticPartitionsDefinition):
                bad = [k for k in dim_def.get_partition_keys() if _SEPARATOR in k]
                if bad:
                    raise InvalidDefinitionError(
                        f"Keys of dimension {name!r} contain '|', which separates dimension "
                        f"keys: {bad[:5]!r}. Choose keys without '|'."
                    )
        time_dims = [
            n for n, d in partitions_defs.items() if isinstance(d, TimeWindowPartitionsDefinition)
        ]
        if len(time_dims) > 1:
            raise InvalidDefinitionError(
                f"A MultiPartitionsDefinition may have one time dimension; {time_dims!r} are both "
                "time-windowed."
            )
        self._dims = tuple(
            PartitionDimensionDefinition(name, partitions_defs[name])
            for name in sorted(partitions_defs)
        )
        primary = time_dims[0] if time_dims else self._dims[0].name
        self._primary = next(d for d in self._dims if d.name == primary)
        self._secondary = next(d for d in self._dims if d.name != primary)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiPartitionsDefinition) and self._dims == other._dims

    def __hash__(self) -> int:
        return hash(self._dims)

    def __repr__(self) -> str:
        inner = ", ".join(f"{d.name!r}: {d.partitions_def!r}" for d in self._dims)
        return f"MultiPartitionsDefinition({{{inner}}})"

    @property
    def partitions_defs(self) -> list[PartitionDimensionDefinition]:
        """The two dimensions, ordered by name."""
        return list(self._dims)

    @property
    def partition_dimension_names(self) -> list[str]:
        """The dimension names, sorted."""
        return [d.name for d in self._dims]

    @property
    def primary_dimension(self) -> PartitionDimensionDefinition:
        """The time dimension if there is one, else the first dimension by name."""
        return self._primary

    @property
    def secondary_dimension(self) -> PartitionDimensionDefinition:
        """The dimension that is not the primary one."""
        return self._secondary

    def get_partitions_def_for_dimension(self, dimension_name: str) -> PartitionsDefinition:
        """Return the partitions definition of the dimension called ``dimension_name``."""
        for dim in self._dims:
            if dim.name == dimension_name:
                return dim.partitions_def
        raise InvalidDefinitionError(
            f"{self!r} has no dimension {dimension_name!r}; its dimensions are "
            f"{self.partition_dimension_names!r}."
        )

    @property
    def has_time_window_dimension(self) -> bool:
        """Whether one dimension is time-windowed."""
        return isinstance(self._primary.partitions_def, TimeWindowPartitionsDefinition)

    @property
    def time_window_dimension(self) -> PartitionDimensionDefinition:
        """The time-windowed dimension.

        Raises:
            InvariantViolationError: no dimension is time-windowed.
        """
        if not self.has_time_window_dimension:
            raise InvariantViolationError(
                f"{self!r} has no time-windowed dimension, so its partitions have no time "
                "window; check has_time_window_dimension first."
            )
        return self._primary

    def time_window_for_partition_key(self, partition_key: str) -> TimeWindow:
        """Return the ``[start, end)`` window of ``partition_key``'s time dimension.

        Raises:
            InvariantViolationError: no dimension is time-windowed.
            UnknownPartitionError: the key does not have one part per dimension, or its time
                part does not match the time dimension.
        """
        dimension = self.time_window_dimension
        key = self.get_partition_key_from_str(partition_key)
        time_def = dimension.partitions_def
        assert isinstance(time_def, TimeWindowPartitionsDefinition)
        return time_def.time_window_for_partition_key(key.keys_by_dimension[dimension.name])

    def get_partition_key_from_str(self, partition_key_str: str) -> MultiPartitionKey:
        """Turn ``"a|b"`` (dimension keys in dimension-name order) into a `MultiPartitionKey`."""
        if isinstance(partition_key_str, MultiPartitionKey):
            return partition_key_str
        parts = partition_key_str.split(_SEPARATOR)
        if len(parts) != 2:
            raise self._unknown_key_error(partition_key_str, None, None)
        return MultiPartitionKey({d.name: p for d, p in zip(self._dims, parts)})

    def _split(self, key: str) -> tuple[str, str] | None:
        if isinstance(key, MultiPartitionKey):
            by_dim = key._keys_by_dimension
            if set(by_dim) != {d.name for d in self._dims}:
                return None
            return by_dim[self._dims[0].name], by_dim[self._dims[1].name]
        parts = key.split(_SEPARATOR) if isinstance(key, str) else []
        return (parts[0], parts[1]) if len(parts) == 2 else None

    def _unknown_key_error(
        self,
        partition_key: str,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
        what: str = "",
    ) -> UnknownPartitionError:
        error = super()._unknown_key_error(partition_key, current_time, store, what)
        return UnknownPartitionError(
            f"{error} A key joins one key per dimension with '|', in dimension-name order "
            f"({', '.join(self.partition_dimension_names)})."
        )

    def _make_key(self, first: str, second: str) -> MultiPartitionKey:
        return MultiPartitionKey({self._dims[0].name: first, self._dims[1].name: second})

    def get_num_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> int:
        now = current_timestamp(current_time)
        first, second = (d.partitions_def for d in self._dims)
        return first._num_partitions(now, dynamic_partitions_store) * second._num_partitions(
            now, dynamic_partitions_store
        )

    def get_partition_keys(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        first, second = (
            d.partitions_def.get_partition_keys(current_time, dynamic_partitions_store)
            for d in self._dims
        )
        return [self._make_key(a, b) for a, b in itertools.product(first, second)]

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        parts = self._split(partition_key)
        return parts is not None and all(
            d.partitions_def.has_partition_key(p, current_time, dynamic_partitions_store)
            for d, p in zip(self._dims, parts)
        )

    def get_first_partition_key(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> str | None:
        ends = [
            d.partitions_def.get_first_partition_key(current_time, dynamic_partitions_store)
            for d in self._dims
        ]
        return None if None in ends else self._make_key(*ends)  # type: ignore[arg-type]

    def get_last_partition_key(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> str | None:
        ends = [
            d.partitions_def.get_last_partition_key(current_time, dynamic_partitions_store)
            for d in self._dims
        ]
        return None if None in ends else self._make_key(*ends)  # type: ignore[arg-type]

    def get_partition_keys_in_range(
        self,
        partition_key_range: PartitionKeyRange,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return the keys from start to end (both included) in listing order: the range
        spans each dimension from its start key to its end key."""
        start, end = (self._split(k) for k in partition_key_range)
        for key, parts in zip(partition_key_range, (start, end)):
            if parts is None:
                raise self._unknown_key_error(key, None, dynamic_partitions_store)
        assert start is not None
        assert end is not None
        first, second = (
            d.partitions_def.get_partition_keys_in_range(
                PartitionKeyRange(start[i], end[i]), dynamic_partitions_store
            )
            for i, d in enumerate(self._dims)
        )
        return [self._make_key(a, b) for a, b in itertools.product(first, second)]

    def get_partition_key(
        self,
        index: int,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
        current_time: datetime | None = None,
    ) -> str:
        """Return the key numbered ``index`` in listing order (first dimension outermost)."""
        first, second = (d.partitions_def for d in self._dims)
        n2 = second._num_partitions(current_timestamp(current_time), dynamic_partitions_store)
        i, j = divmod(index, n2)
        return self._make_key(
            first._key_at(i, dynamic_partitions_store), second._key_at(j, dynamic_partitions_store)
        )

    def get_partition_index(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> int:
        """Return the number of ``partition_key`` in listing order.

        Raises:
            UnknownPartitionError: the key is not a partition at ``current_time``.
        """
        self.validate_partition_key(partition_key, current_time, dynamic_partitions_store)
        parts = self._split(partition_key)
        assert parts is not None
        first, second = (d.partitions_def for d in self._dims)
        n2 = second._num_partitions(current_timestamp(current_time), dynamic_partitions_store)
        i = first._index_of(parts[0], dynamic_partitions_store)
        j = second._index_of(parts[1], dynamic_partitions_store)
        assert i is not None
        assert j is not None
        return i * n2 + j

    def empty_subset(self) -> MultiPartitionsSubset:
        from headwater.partitions.subsets import MultiPartitionsSubset

        return MultiPartitionsSubset(self, {})

    def subset_with_partition_key_range(
        self,
        partition_key_range: PartitionKeyRange,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> MultiPartitionsSubset:
        """Return the subset spanning each dimension from the range's start to its end key."""
        from headwater.partitions.subsets import MultiPartitionsSubset

        start, end = (self._split(k) for k in partition_key_range)
        for key, parts in zip(partition_key_range, (start, end)):
            if parts is None:
                raise self._unknown_key_error(key, None, dynamic_partitions_store)
        assert start is not None
        assert end is not None
        names = [d.name for d in self._dims]
        p, s = names.index(self._primary.name), names.index(self._secondary.name)
        primary = self._primary.partitions_def.subset_with_partition_key_range(
            PartitionKeyRange(start[p], end[p]), dynamic_partitions_store
        )
        secondary_keys = self._secondary.partitions_def.get_partition_keys_in_range(
            PartitionKeyRange(start[s], end[s]), dynamic_partitions_store
        )
        return MultiPartitionsSubset(self, dict.fromkeys(secondary_keys, primary))

    def subset_with_all_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> MultiPartitionsSubset:
        from headwater.partitions.subsets import MultiPartitionsSubset

        primary = self._primary.partitions_def.subset_with_all_partitions(
            current_time, dynamic_partitions_store
        )
        secondary_keys = self._secondary.partitions_def.get_partition_keys(
            current_time, dynamic_partitions_store
        )
        return MultiPartitionsSubset(self, dict.fromkeys(secondary_keys, primary))
