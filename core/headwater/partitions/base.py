"""The `PartitionsDefinition` base class, `PartitionKeyRange` and the dynamic-partitions protocol.

Every partitions definition numbers its partitions ``0..n-1``; subsets and mappings work on
those indices, and keys are formatted only when a caller asks for them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from headwater.errors import InvalidInvocationError, UnknownPartitionError, did_you_mean

if TYPE_CHECKING:
    from headwater.partitions.subsets import PartitionsSubset


class PartitionKeyRange(NamedTuple):
    """An inclusive range of partition keys, from ``start`` to ``end``."""

    start: str
    end: str


@runtime_checkable
class DynamicPartitionsStore(Protocol):
    """Where the keys of a `DynamicPartitionsDefinition` live; the instance implements it.

    ``get_dynamic_partitions`` returns the keys of the named definition in the order they
    were added; ``add_dynamic_partitions`` appends keys (ignoring ones already present);
    ``delete_dynamic_partition`` removes one key; ``has_dynamic_partition`` tests one key.
    """

    def get_dynamic_partitions(self, partitions_def_name: str) -> Sequence[str]: ...

    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Sequence[str]
    ) -> None: ...

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None: ...

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool: ...


def current_timestamp(current_time: datetime | None) -> float:
    """Return ``current_time`` as a POSIX timestamp (naive means UTC), or now."""
    if current_time is None:
        return time.time()
    if current_time.tzinfo is None:
        current_time = current_time.replace(tzinfo=timezone.utc)
    return current_time.timestamp()


class PartitionsDefinition:
    """The set of partition keys of an asset, numbered ``0..n-1``.

    Subclasses implement ``_num_partitions``, ``_key_at`` and ``_index_of``; everything else
    (listing, ranges, membership, subsets) is built on those three.
    """

    # -- the index protocol ---------------------------------------------------------------

    def _num_partitions(self, now_ts: float, store: DynamicPartitionsStore | None) -> int:
        raise NotImplementedError

    def _key_at(self, index: int, store: DynamicPartitionsStore | None) -> str:
        raise NotImplementedError

    def _index_of(self, key: str, store: DynamicPartitionsStore | None) -> int | None:
        """Return the index of ``key`` or None when it can never be a key of this definition.

        Time windows return indices outside ``0..n-1`` for well-formed keys before the start
        or not yet ended; callers compare with the count.
        """
        raise NotImplementedError

    def _keys_between(self, lo: int, hi: int, store: DynamicPartitionsStore | None) -> list[str]:
        return [self._key_at(i, store) for i in range(lo, hi)]

    # -- public API ------------------------------------------------------------------------

    def get_num_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> int:
        """Return how many partitions exist at ``current_time`` (default now), without listing."""
        return self._num_partitions(current_timestamp(current_time), dynamic_partitions_store)

    def get_partition_keys(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return every partition key that exists at ``current_time`` (default now), in order."""
        n = self._num_partitions(current_timestamp(current_time), dynamic_partitions_store)
        return self._keys_between(0, n, dynamic_partitions_store)

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        """Return whether ``partition_key`` is a partition at ``current_time`` (default now)."""
        index = self._index_of(partition_key, dynamic_partitions_store)
        if index is None or index < 0:
            return False
        return index < self._num_partitions(
            current_timestamp(current_time), dynamic_partitions_store
        )

    def get_first_partition_key(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> str | None:
        """Return the first partition key, or None when there are no partitions yet."""
        n = self._num_partitions(current_timestamp(current_time), dynamic_partitions_store)
        return self._key_at(0, dynamic_partitions_store) if n else None

    def get_last_partition_key(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> str | None:
        """Return the last partition key at ``current_time``, or None when there is none."""
        n = self._num_partitions(current_timestamp(current_time), dynamic_partitions_store)
        return self._key_at(n - 1, dynamic_partitions_store) if n else None

    def get_partition_key(
        self, index: int, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> str:
        """Return the key of the partition numbered ``index`` (0 is the first partition)."""
        return self._key_at(index, dynamic_partitions_store)

    def get_partition_index(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> int:
        """Return the number of ``partition_key`` (0 is the first partition).

        Raises:
            UnknownPartitionError: the key is not a partition at ``current_time``.
        """
        self.validate_partition_key(partition_key, current_time, dynamic_partitions_store)
        index = self._index_of(partition_key, dynamic_partitions_store)
        assert index is not None  # validated just above
        return index

    def validate_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> None:
        """Raise `UnknownPartitionError` naming close matches if ``partition_key`` is unknown."""
        if not self.has_partition_key(partition_key, current_time, dynamic_partitions_store):
            raise self._unknown_key_error(partition_key, current_time, dynamic_partitions_store)

    def get_partition_keys_in_range(
        self,
        partition_key_range: PartitionKeyRange,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return the keys from ``partition_key_range.start`` to ``.end``, both included.

        Raises:
            UnknownPartitionError: an end of the range is not a key of this definition.
            InvalidInvocationError: the range ends before it starts.
        """
        lo, hi = self._range_indices(partition_key_range, dynamic_partitions_store)
        return self._keys_between(lo, hi, dynamic_partitions_store)

    def _range_indices(
        self, partition_key_range: PartitionKeyRange, store: DynamicPartitionsStore | None
    ) -> tuple[int, int]:
        start, end = partition_key_range
        lo, hi = self._index_of(start, store), self._index_of(end, store)
        for key, index in ((start, lo), (end, hi)):
            if index is None or index < 0:
                raise self._unknown_key_error(
                    key, None, store, what=f"Partition range {start}...{end}"
                )
        assert lo is not None
        assert hi is not None
        if hi < lo:
            raise InvalidInvocationError(
                f"Partition range {start}...{end} of {self!r} ends before it starts; "
                "swap its start and end."
            )
        return lo, hi + 1

    def _unknown_key_error(
        self,
        partition_key: str,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
        what: str = "",
    ) -> UnknownPartitionError:
        try:
            candidates: Iterable[str] = self.get_partition_keys(current_time, store)
        except UnknownPartitionError:
            candidates = ()
        prefix = f"{what}: p" if what else "P"
        return UnknownPartitionError(
            f"{prefix}artition key {partition_key!r} is not a partition of {self!r}"
            f"{did_you_mean(str(partition_key), candidates) or '.'}"
            " Use one of the keys from get_partition_keys()."
        )

    # -- subsets ---------------------------------------------------------------------------

    def empty_subset(self) -> PartitionsSubset:
        """Return the subset holding no partitions of this definition."""
        raise NotImplementedError

    def subset_with_partition_keys(
        self,
        partition_keys: Iterable[str],
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """Return the subset holding ``partition_keys`` (each must be a key of this definition)."""
        return self.empty_subset().with_partition_keys(partition_keys, dynamic_partitions_store)

    def subset_with_partition_key_range(
        self,
        partition_key_range: PartitionKeyRange,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """Return the subset holding every key of ``partition_key_range``, without listing it."""
        lo, hi = self._range_indices(partition_key_range, dynamic_partitions_store)
        return self._subset_of_index_range(lo, hi, dynamic_partitions_store)

    def subset_with_all_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """Return the subset holding every partition that exists at ``current_time``."""
        n = self._num_partitions(current_timestamp(current_time), dynamic_partitions_store)
        return self._subset_of_index_range(0, n, dynamic_partitions_store)

    def _subset_of_index_range(
        self, lo: int, hi: int, store: DynamicPartitionsStore | None
    ) -> PartitionsSubset:
        return self.subset_with_partition_keys(self._keys_between(lo, hi, store), store)

    def deserialize_subset(self, serialized: str) -> PartitionsSubset:
        """Read back a subset written by `PartitionsSubset.serialize` for this definition."""
        from headwater.partitions.subsets import deserialize_subset

        return deserialize_subset(self, serialized)
