"""Static partitions: a fixed list of keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from headwater.errors import InvalidDefinitionError
from headwater.partitions.base import DynamicPartitionsStore, PartitionsDefinition

if TYPE_CHECKING:
    from headwater.partitions.subsets import StaticPartitionsSubset


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed, ordered list of partition keys, such as regions or customers.

    Args:
        partition_keys: the keys, unique, in the order partitions are listed.

    Raises:
        InvalidDefinitionError: a key is repeated or is not a string.
    """

    def __init__(self, partition_keys: Sequence[str]):
        keys = tuple(partition_keys)
        bad = [key for key in keys if not isinstance(key, str)]
        if bad:
            raise InvalidDefinitionError(
                f"Static partition keys must be strings; got {bad[:5]!r}. Convert them with str()."
            )
        index = {key: i for i, key in enumerate(keys)}
        if len(index) != len(keys):
            seen: set[str] = set()
            duplicates = sorted({key for key in keys if key in seen or seen.add(key)})
            raise InvalidDefinitionError(
                "Partition keys must be unique. Duplicate instances of partition keys: "
                f"{duplicates!r}. Remove the repeated keys."
            )
        self._keys = keys
        self._index = index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionsDefinition) and self._keys == other._keys

    def __hash__(self) -> int:
        return hash(self._keys)

    def __repr__(self) -> str:
        shown = ", ".join(repr(key) for key in self._keys[:5])
        more = f", ... ({len(self._keys)} keys)" if len(self._keys) > 5 else ""
        return f"StaticPartitionsDefinition([{shown}{more}])"

    def __getstate__(self) -> tuple[str, ...]:
        return self._keys

    def __setstate__(self, keys: tuple[str, ...]) -> None:
        self.__init__(keys)  # type: ignore[misc]

    def _num_partitions(self, now_ts: float, store: DynamicPartitionsStore | None) -> int:
        return len(self._keys)

    def _key_at(self, index: int, store: DynamicPartitionsStore | None = None) -> str:
        return self._keys[index]

    def _index_of(self, key: str, store: DynamicPartitionsStore | None = None) -> int | None:
        return self._index.get(key)

    def _keys_between(self, lo: int, hi: int, store: DynamicPartitionsStore | None) -> list[str]:
        return list(self._keys[lo:hi])

    def empty_subset(self) -> StaticPartitionsSubset:
        from headwater.partitions.subsets import StaticPartitionsSubset

        return StaticPartitionsSubset(self, 0)

    def _subset_of_index_range(self, lo: int, hi: int, store: DynamicPartitionsStore | None):
        from headwater.partitions.subsets import StaticPartitionsSubset

        return StaticPartitionsSubset(self, ((1 << hi) - 1) ^ ((1 << lo) - 1) if lo < hi else 0)
