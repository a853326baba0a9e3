"""The partition (or range of partitions) a run targets, as contexts and IO managers see it."""

from __future__ import annotations

from typing import Any

from headwater.errors import InvariantViolationError


class RunPartition:
    """A run's partition target: one key, or a key range, of one partitions definition.

    ``partitions_def`` is None only for contexts built by hand in tests
    (`build_asset_context(partition_key=...)`), where only the key itself is known.
    Keys of a `MultiPartitionsDefinition` are held (and handed to contexts) as
    `MultiPartitionKey` values, so user code can read ``keys_by_dimension``.
    """

    __slots__ = ("key", "key_range", "partitions_def", "store")

    def __init__(
        self, partitions_def: Any, key: str | None = None, key_range: Any = None, store: Any = None
    ):
        from headwater.partitions.base import PartitionKeyRange

        # Only multi-dimensional definitions parse keys into key objects; an attribute
        # lookup is much cheaper than importing their class to test for it.
        as_key = getattr(partitions_def, "get_partition_key_from_str", None)
        if key is not None:
            if partitions_def is not None:
                partitions_def.validate_partition_key(key, dynamic_partitions_store=store)
            if as_key is not None:
                key = as_key(key)
            key_range = PartitionKeyRange(key, key)
        elif as_key is not None:
            key_range = PartitionKeyRange(as_key(key_range.start), as_key(key_range.end))
        self.partitions_def = partitions_def
        self.key = key
        self.key_range = key_range
        self.store = store

    def keys(self) -> list[str]:
        """Every targeted partition key, in order."""
        if self.key is not None:
            return [self.key]
        if self.partitions_def is None:
            return [self.key_range.start, self.key_range.end]
        return list(
            self.partitions_def.get_partition_keys_in_range(
                self.key_range, dynamic_partitions_store=self.store
            )
        )

    def time_window(self) -> Any:
        """The time window the targeted partitions span."""
        window_for = getattr(self.partitions_def, "time_window_for_partition_key", None)
        if window_for is None:
            raise InvariantViolationError(
                "partition_time_window is only defined for time-partitioned assets."
            )
        first = window_for(self.key_range.start)
        if self.key_range.start == self.key_range.end:
            return first
        last = window_for(self.key_range.end)
        return type(first)(first.start, last.end)

    def keys_for_upstream(self, downstream_def: Any, upstream_def: Any, upstream_key: Any) -> Any:
        """The upstream partition keys one input reads, or None when upstream is unpartitioned.

        Returns a single key when the mapping gives one, else a list of keys.
        """
        if upstream_def is None:
            return None
        explicit = (
            downstream_def.get_partition_mapping(upstream_key)
            if downstream_def is not None
            else None
        )
        if explicit is None and upstream_def == self.partitions_def:
            return self.key if self.key is not None else self.keys()
        from headwater.partitions.mappings import infer_partition_mapping

        mapping = infer_partition_mapping(explicit, self.partitions_def, upstream_def)
        subset = mapping.get_upstream_mapped_partitions_result_for_partitions(
            self.partitions_def.subset_with_partition_keys(self.keys()),
            self.partitions_def,
            upstream_def,
            dynamic_partitions_store=self.store,
        ).partitions_subset
        keys = list(subset.get_partition_keys())
        return keys[0] if len(keys) == 1 else keys
