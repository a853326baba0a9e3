"""Dynamic partitions: keys added and removed at run time, kept by the instance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from headwater.errors import InvalidDefinitionError, InvalidInvocationError
from headwater.partitions.base import DynamicPartitionsStore, PartitionsDefinition

if TYPE_CHECKING:
    from headwater.partitions.subsets import KeysPartitionsSubset


class DynamicPartitionsDefinition(PartitionsDefinition):
    """Partitions whose keys live in the instance under ``name``, in the order they were added.

    Methods that need the keys take ``dynamic_partitions_store`` (the instance, or any object
    implementing `DynamicPartitionsStore`).

    Args:
        name: the name the keys are stored under; assets sharing it share the keys.
    """

    def __init__(self, name: str):
        if not isinstance(name, str) or not name:
            raise InvalidDefinitionError(
                "DynamicPartitionsDefinition needs a non-empty name, e.g. "
                "DynamicPartitionsDefinition(name='customers')."
            )
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DynamicPartitionsDefinition) and self.name == other.name

    def __hash__(self) -> int:
        return hash(("dynamic", self.name))

    def __repr__(self) -> str:
        return f"DynamicPartitionsDefinition(name={self.name!r})"

    def _store(self, store: DynamicPartitionsStore | None) -> DynamicPartitionsStore:
        if store is None:
            raise InvalidInvocationError(
                f"The keys of {self!r} are kept by the instance; pass "
                "dynamic_partitions_store=instance (or another DynamicPartitionsStore)."
            )
        return store

    def _keys(self, store: DynamicPartitionsStore | None) -> Sequence[str]:
        return self._store(store).get_dynamic_partitions(self.name)

    def _num_partitions(self, now_ts: float, store: DynamicPartitionsStore | None) -> int:
        return len(self._keys(store))

    def _key_at(self, index: int, store: DynamicPartitionsStore | None = None) -> str:
        return self._keys(store)[index]

    def _index_of(self, key: str, store: DynamicPartitionsStore | None = None) -> int | None:
        keys = self._keys(store)
        try:
            return list(keys).index(key)
        except ValueError:
            return None

    def _keys_between(self, lo: int, hi: int, store: DynamicPartitionsStore | None) -> list[str]:
        return list(self._keys(store)[lo:hi])

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        """Return whether the store currently holds ``partition_key`` under this name."""
        store = self._store(dynamic_partitions_store)
        return store.has_dynamic_partition(self.name, partition_key)

    def empty_subset(self) -> KeysPartitionsSubset:
        from headwater.partitions.subsets import KeysPartitionsSubset

        return KeysPartitionsSubset(self, frozenset())
