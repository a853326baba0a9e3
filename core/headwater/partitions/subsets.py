"""Partition subsets: compact, immutable sets of partitions of one definition.

Time windows hold sorted disjoint index ranges, static definitions an int bitset, dynamic
definitions a frozenset of keys, and two-dimensional definitions one subset of the primary
dimension per key of the secondary dimension. `AllPartitionsSubset` stands for "every
partition at this time" without listing them.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from headwater.errors import InvalidInvocationError, InvariantViolationError
from headwater.partitions.base import (
    DynamicPartitionsStore,
    PartitionKeyRange,
    PartitionsDefinition,
)
from headwater.partitions.dynamic import DynamicPartitionsDefinition
from headwater.partitions.multi import MultiPartitionKey, MultiPartitionsDefinition
from headwater.partitions.static import StaticPartitionsDefinition
from headwater.partitions.time_window import TimeWindow, TimeWindowPartitionsDefinition

_FORMAT_VERSION = 1


class PartitionsSubset:
    """An immutable set of partitions of `partitions_def`, combined with ``|``, ``&``, ``-``."""

    partitions_def: PartitionsDefinition

    # -- implemented by each representation ------------------------------------------------

    def get_partition_keys(self, current_time: datetime | None = None) -> list[str]:
        """Return the keys in the subset, in the definition's order."""
        raise NotImplementedError

    def get_partition_key_ranges(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[PartitionKeyRange]:
        """Return the subset as the fewest inclusive key ranges, in order."""
        raise NotImplementedError

    def with_partition_keys(
        self,
        partition_keys: Iterable[str],
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """Return this subset plus ``partition_keys``.

        Raises:
            UnknownPartitionError: a key can never be a key of the definition.
        """
        raise NotImplementedError

    def _payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def _union(self, other: Any) -> PartitionsSubset:
        raise NotImplementedError

    def _intersection(self, other: Any) -> PartitionsSubset:
        raise NotImplementedError

    def _difference(self, other: Any) -> PartitionsSubset:
        raise NotImplementedError

    def __contains__(self, partition_key: object) -> bool:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    # -- shared behaviour ------------------------------------------------------------------

    def __iter__(self) -> Iterator[str]:
        return iter(self.get_partition_keys())

    @property
    def is_empty(self) -> bool:
        """Whether the subset holds no partition."""
        return len(self) == 0

    def _same_def(self, other: object) -> PartitionsSubset:
        if not isinstance(other, PartitionsSubset):
            raise InvalidInvocationError(
                f"Cannot combine a partitions subset with {type(other).__name__}; build a subset "
                "with partitions_def.subset_with_partition_keys(...)."
            )
        if other.partitions_def != self.partitions_def:
            raise InvalidInvocationError(
                f"Cannot combine subsets of different partitions definitions: "
                f"{self.partitions_def!r} and {other.partitions_def!r}. Map one onto the other "
                "with a PartitionMapping first."
            )
        return other.concrete() if isinstance(other, AllPartitionsSubset) else other

    def concrete(self) -> PartitionsSubset:
        """Return the subset in its explicit representation (resolving `AllPartitionsSubset`)."""
        return self

    def __or__(self, other: PartitionsSubset) -> PartitionsSubset:
        if isinstance(other, AllPartitionsSubset):
            self._same_def(other)
            return other
        return self._union(self._same_def(other))

    def __and__(self, other: PartitionsSubset) -> PartitionsSubset:
        return self._intersection(self._same_def(other))

    def __sub__(self, other: PartitionsSubset) -> PartitionsSubset:
        return self._difference(self._same_def(other))

    def union(self, other: PartitionsSubset) -> PartitionsSubset:
        """Return the partitions in either subset (``self | other``)."""
        return self | other

    def intersection(self, other: PartitionsSubset) -> PartitionsSubset:
        """Return the partitions in both subsets (``self & other``)."""
        return self & other

    def difference(self, other: PartitionsSubset) -> PartitionsSubset:
        """Return the partitions in this subset and not in ``other`` (``self - other``)."""
        return self - other

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartitionsSubset) or other.partitions_def != self.partitions_def:
            return False
        a, b = self.concrete(), other.concrete()
        return type(a) is type(b) and a._state() == b._state()

    def __hash__(self) -> int:
        return hash((type(self.concrete()), self.concrete()._state()))

    def _state(self) -> Any:
        return self._payload()

    def __repr__(self) -> str:
        ranges = ", ".join(
            r.start if r.start == r.end else f"{r.start}...{r.end}"
            for r in self.get_partition_key_ranges()[:5]
        )
        return f"{type(self).__name__}({len(self)} partitions: [{ranges}])"

    def get_partition_keys_not_in_subset(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return the definition's current keys that are not in this subset."""
        everything = self.partitions_def.subset_with_all_partitions(
            current_time, dynamic_partitions_store
        )
        return (everything - self).get_partition_keys(current_time)

    def serialize(self) -> str:
        """Return a compact JSON string; read it back with ``partitions_def.deserialize_subset``.

        Time windows are written as start/end timestamps and static or dynamic partitions as
        keys, so a stored subset survives a changed start date or reordered static keys.
        """
        return json.dumps(
            {"version": _FORMAT_VERSION, **self.concrete()._payload()}, separators=(",", ":")
        )


def _merge(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for lo, hi in sorted(r for r in ranges if r[0] < r[1]):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def _intersect(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]):
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _subtract(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]):
    out, j = [], 0
    for lo, hi in a:
        while j < len(b) and b[j][1] <= lo:
            j += 1
        k, cur = j, lo
        while k < len(b) and b[k][0] < hi:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            k += 1
        if cur < hi:
            out.append((cur, hi))
    return tuple(out)


class TimeWindowPartitionsSubset(PartitionsSubset):
    """Partitions of a time-window definition as sorted, disjoint ``[lo, hi)`` index ranges.

    Indices outside the current partitions are allowed: they describe windows before the
    start or not yet ended (for example, required upstream windows that do not exist).
    """

    def __init__(
        self, partitions_def: TimeWindowPartitionsDefinition, ranges: Iterable[tuple[int, int]]
    ):
        self.partitions_def = partitions_def
        self.ranges = _merge(ranges)
        self._starts = [lo for lo, _ in self.ranges]

    def _state(self) -> Any:
        return self.ranges

    def __len__(self) -> int:
        return sum(hi - lo for lo, hi in self.ranges)

    def __contains__(self, partition_key: object) -> bool:
        if not isinstance(partition_key, str):
            return False
        index = self.partitions_def._index_of(partition_key)
        return index is not None and self.contains_index(index)

    def contains_index(self, index: int) -> bool:
        """Whether the partition numbered ``index`` is in the subset."""
        at = bisect.bisect_right(self._starts, index) - 1
        return at >= 0 and index < self.ranges[at][1]

    def get_partition_keys(self, current_time: datetime | None = None) -> list[str]:
        keys: list[str] = []
        for lo, hi in self.ranges:
            keys += self.partitions_def._keys_between(lo, hi, None)
        return keys

    def get_partition_key_ranges(self, current_time=None, dynamic_partitions_store=None):
        key = self.partitions_def._key_at
        return [PartitionKeyRange(key(lo), key(hi - 1)) for lo, hi in self.ranges]

    @property
    def included_time_windows(self) -> list[TimeWindow]:
        """One window per contiguous run of partitions."""
        local = self.partitions_def._ticks.local
        return [TimeWindow(local(lo), local(hi)) for lo, hi in self.ranges]

    def with_partition_keys(self, partition_keys, dynamic_partitions_store=None):
        indices = []
        for key in partition_keys:
            index = self.partitions_def._index_of(key)
            if index is None or index < 0:
                raise self.partitions_def._unknown_key_error(key, None, None)
            indices.append((index, index + 1))
        return TimeWindowPartitionsSubset(self.partitions_def, self.ranges + tuple(indices))

    def with_index_ranges(self, ranges: Iterable[tuple[int, int]]) -> TimeWindowPartitionsSubset:
        """Return this subset plus the ``[lo, hi)`` index ranges."""
        return TimeWindowPartitionsSubset(self.partitions_def, self.ranges + tuple(ranges))

    def _union(self, other):
        return TimeWindowPartitionsSubset(self.partitions_def, self.ranges + other.ranges)

    def _intersection(self, other):
        return TimeWindowPartitionsSubset(
            self.partitions_def, _intersect(self.ranges, other.ranges)
        )

    def _difference(self, other):
        return TimeWindowPartitionsSubset(self.partitions_def, _subtract(self.ranges, other.ranges))

    def _payload(self) -> dict[str, Any]:
        instant = self.partitions_def.instant_of_index
        windows = [[instant(lo), instant(hi)] for lo, hi in self.ranges]
        return {"kind": "time_window", "windows": windows}


def _bit_indices(bits: int) -> list[int]:
    return [i for i, c in enumerate(reversed(bin(bits)[2:])) if c == "1"]


class StaticPartitionsSubset(PartitionsSubset):
    """Partitions of a static definition as an int bitset (bit ``i`` is key number ``i``)."""

    def __init__(self, partitions_def: StaticPartitionsDefinition, bits: int):
        self.partitions_def = partitions_def
        self.bits = bits

    def _state(self) -> Any:
        return self.bits

    def __len__(self) -> int:
        return bin(self.bits).count("1")

    def __contains__(self, partition_key: object) -> bool:
        index = self.partitions_def._index.get(partition_key)  # type: ignore[arg-type]
        return index is not None and bool(self.bits >> index & 1)

    def get_partition_keys(self, current_time: datetime | None = None) -> list[str]:
        keys = self.partitions_def._keys
        return [keys[i] for i in _bit_indices(self.bits)]

    def get_partition_key_ranges(self, current_time=None, dynamic_partitions_store=None):
        keys, ranges = self.partitions_def._keys, []
        start = prev = None
        for i in _bit_indices(self.bits):
            if prev is None or i != prev + 1:
                if start is not None:
                    ranges.append(PartitionKeyRange(keys[start], keys[prev]))
                start = i
            prev = i
        if start is not None:
            ranges.append(PartitionKeyRange(keys[start], keys[prev]))
        return ranges

    def with_partition_keys(self, partition_keys, dynamic_partitions_store=None):
        bits = self.bits
        for key in partition_keys:
            index = self.partitions_def._index_of(key)
            if index is None:
                raise self.partitions_def._unknown_key_error(key, None, None)
            bits |= 1 << index
        return StaticPartitionsSubset(self.partitions_def, bits)

    def _union(self, other):
        return StaticPartitionsSubset(self.partitions_def, self.bits | other.bits)

    def _intersection(self, other):
        return StaticPartitionsSubset(self.partitions_def, self.bits & other.bits)

    def _difference(self, other):
        return StaticPartitionsSubset(self.partitions_def, self.bits & ~other.bits)

    def _payload(self) -> dict[str, Any]:
        return {"kind": "static", "keys": self.get_partition_keys()}


class KeysPartitionsSubset(PartitionsSubset):
    """Partitions of a dynamic definition as a frozenset of keys (indices are not stable)."""

    def __init__(self, partitions_def: PartitionsDefinition, keys: frozenset[str]):
        self.partitions_def = partitions_def
        self.keys = frozenset(keys)

    def _state(self) -> Any:
        return self.keys

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, partition_key: object) -> bool:
        return partition_key in self.keys

    def get_partition_keys(self, current_time: datetime | None = None) -> list[str]:
        return sorted(self.keys)

    def get_partition_key_ranges(self, current_time=None, dynamic_partitions_store=None):
        if dynamic_partitions_store is None:
            return [PartitionKeyRange(k, k) for k in sorted(self.keys)]
        ordered = self.partitions_def.get_partition_keys(current_time, dynamic_partitions_store)
        ranges: list[PartitionKeyRange] = []
        run: list[str] = []
        for key in [*ordered, None]:
            if key is not None and key in self.keys:
                run.append(key)
            elif run:
                ranges.append(PartitionKeyRange(run[0], run[-1]))
                run = []
        return ranges

    def with_partition_keys(self, partition_keys, dynamic_partitions_store=None):
        return KeysPartitionsSubset(self.partitions_def, self.keys | set(partition_keys))

    def _union(self, other):
        return KeysPartitionsSubset(self.partitions_def, self.keys | other.keys)

    def _intersection(self, other):
        return KeysPartitionsSubset(self.partitions_def, self.keys & other.keys)

    def _difference(self, other):
        return KeysPartitionsSubset(self.partitions_def, self.keys - other.keys)

    def _payload(self) -> dict[str, Any]:
        return {"kind": "keys", "keys": sorted(self.keys)}


class MultiPartitionsSubset(PartitionsSubset):
    """Partitions of a two-dimensional definition: for each key of the secondary dimension,
    the subset of the primary (time, if any) dimension paired with it."""

    def __init__(
        self, partitions_def: MultiPartitionsDefinition, rows: Mapping[str, PartitionsSubset]
    ):
        self.partitions_def = partitions_def
        self.rows = {k: v for k, v in sorted(rows.items()) if not v.is_empty}

    def _state(self) -> Any:
        return tuple((k, type(v), v._state()) for k, v in self.rows.items())

    def _names(self) -> tuple[str, str]:
        return (
            self.partitions_def.primary_dimension.name,
            self.partitions_def.secondary_dimension.name,
        )

    def __len__(self) -> int:
        return sum(len(row) for row in self.rows.values())

    def __contains__(self, partition_key: object) -> bool:
        if not isinstance(partition_key, str):
            return False
        parts = self.partitions_def._split(partition_key)
        if parts is None:
            return False
        by_dim = dict(zip(self.partitions_def.partition_dimension_names, parts))
        primary, secondary = self._names()
        row = self.rows.get(by_dim[secondary])
        return row is not None and by_dim[primary] in row

    def _pairs(self) -> list[tuple[str, str]]:
        return [(p, s) for s, row in self.rows.items() for p in row.get_partition_keys()]

    def get_partition_keys(self, current_time: datetime | None = None) -> list[str]:
        primary, secondary = self._names()
        keys = [MultiPartitionKey({primary: p, secondary: s}) for p, s in self._pairs()]
        order = [
            self.partitions_def.get_partitions_def_for_dimension(n)
            for n in self.partitions_def.partition_dimension_names
        ]

        def rank(key):
            return tuple(_order(d, part) for d, part in zip(order, self.partitions_def._split(key)))

        return sorted(keys, key=rank)

    def get_partition_key_ranges(self, current_time=None, dynamic_partitions_store=None):
        primary, secondary = self._names()
        return [
            PartitionKeyRange(
                MultiPartitionKey({primary: r.start, secondary: s}),
                MultiPartitionKey({primary: r.end, secondary: s}),
            )
            for s, row in self.rows.items()
            for r in row.get_partition_key_ranges(current_time, dynamic_partitions_store)
        ]

    def with_partition_keys(self, partition_keys, dynamic_partitions_store=None):
        primary, secondary = self._names()
        names = self.partitions_def.partition_dimension_names
        grouped: dict[str, list[str]] = {}
        for key in partition_keys:
            parts = self.partitions_def._split(key)
            if parts is None:
                raise self.partitions_def._unknown_key_error(key, None, None)
            by_dim = dict(zip(names, parts))
            grouped.setdefault(by_dim[secondary], []).append(by_dim[primary])
        secondary_def = self.partitions_def.secondary_dimension.partitions_def
        if not isinstance(secondary_def, DynamicPartitionsDefinition):
            for s in grouped:
                if secondary_def._index_of(s, None) is None:
                    raise secondary_def._unknown_key_error(s, None, None)
        empty = self.partitions_def.primary_dimension.partitions_def.empty_subset()
        rows = dict(self.rows)
        for s, primaries in grouped.items():
            rows[s] = rows.get(s, empty).with_partition_keys(primaries, dynamic_partitions_store)
        return MultiPartitionsSubset(self.partitions_def, rows)

    def _combine(self, other, op) -> MultiPartitionsSubset:
        empty = self.partitions_def.primary_dimension.partitions_def.empty_subset()
        rows = {
            s: op(self.rows.get(s, empty), other.rows.get(s, empty))
            for s in set(self.rows) | set(other.rows)
        }
        return MultiPartitionsSubset(self.partitions_def, rows)

    def _union(self, other):
        return self._combine(other, lambda a, b: a | b)

    def _intersection(self, other):
        return self._combine(other, lambda a, b: a & b)

    def _difference(self, other):
        return self._combine(other, lambda a, b: a - b)

    def _payload(self) -> dict[str, Any]:
        return {"kind": "multi", "rows": {s: row._payload() for s, row in self.rows.items()}}


def _order(partitions_def: PartitionsDefinition, key: str) -> Any:
    if isinstance(partitions_def, DynamicPartitionsDefinition):
        return key
    return partitions_def._index_of(key, None)


class AllPartitionsSubset(PartitionsSubset):
    """Every partition of the definition at ``current_time``, counted without listing."""

    def __init__(
        self,
        partitions_def: PartitionsDefinition,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ):
        self.partitions_def = partitions_def
        self.current_time = current_time
        self.dynamic_partitions_store = dynamic_partitions_store
        self._resolved: PartitionsSubset | None = None

    def concrete(self) -> PartitionsSubset:
        if self._resolved is None:
            self._resolved = self.partitions_def.subset_with_all_partitions(
                self.current_time, self.dynamic_partitions_store
            )
        return self._resolved

    def _state(self) -> Any:
        return self.concrete()._state()

    def __len__(self) -> int:
        return self.partitions_def.get_num_partitions(
            self.current_time, self.dynamic_partitions_store
        )

    def __contains__(self, partition_key: object) -> bool:
        return isinstance(partition_key, str) and self.partitions_def.has_partition_key(
            partition_key, self.current_time, self.dynamic_partitions_store
        )

    def get_partition_keys(self, current_time: datetime | None = None) -> list[str]:
        return self.partitions_def.get_partition_keys(
            self.current_time, self.dynamic_partitions_store
        )

    def get_partition_key_ranges(self, current_time=None, dynamic_partitions_store=None):
        return self.concrete().get_partition_key_ranges(
            self.current_time, self.dynamic_partitions_store
        )

    def with_partition_keys(self, partition_keys, dynamic_partitions_store=None):
        return self.concrete().with_partition_keys(partition_keys, dynamic_partitions_store)

    def __or__(self, other: PartitionsSubset) -> PartitionsSubset:
        self._same_def(other)
        return self

    def _intersection(self, other):
        return self.concrete() & other

    def _difference(self, other):
        return self.concrete() - other

    def _payload(self) -> dict[str, Any]:
        return self.concrete()._payload()


def _from_payload(partitions_def: PartitionsDefinition, payload: dict[str, Any]):
    kind = payload.get("kind")
    expected = {
        TimeWindowPartitionsDefinition: "time_window",
        StaticPartitionsDefinition: "static",
        DynamicPartitionsDefinition: "keys",
        MultiPartitionsDefinition: "multi",
    }
    wanted = next(k for cls, k in expected.items() if isinstance(partitions_def, cls))
    if kind != wanted:
        raise InvariantViolationError(
            f"A stored partitions subset of kind {kind!r} cannot be read with "
            f"{partitions_def!r}, which stores {wanted!r} subsets: the partitions definition "
            "changed since the subset was written. Discard the stored subset and recompute it."
        )
    if isinstance(partitions_def, TimeWindowPartitionsDefinition):
        ticks = partitions_def._ticks
        ranges = [(ticks.floor(lo), ticks.ceil(hi)) for lo, hi in payload["windows"]]
        return TimeWindowPartitionsSubset(partitions_def, ranges)
    if isinstance(partitions_def, StaticPartitionsDefinition):
        index = partitions_def._index
        bits = 0
        # Keys removed from the definition since the subset was written are dropped.
        for key in payload["keys"]:
            if key in index:
                bits |= 1 << index[key]
        return StaticPartitionsSubset(partitions_def, bits)
    if isinstance(partitions_def, DynamicPartitionsDefinition):
        return KeysPartitionsSubset(partitions_def, frozenset(payload["keys"]))
    assert isinstance(partitions_def, MultiPartitionsDefinition)
    primary = partitions_def.primary_dimension.partitions_def
    rows = {s: _from_payload(primary, row) for s, row in payload["rows"].items()}
    return MultiPartitionsSubset(partitions_def, rows)


def deserialize_subset(partitions_def: PartitionsDefinition, serialized: str) -> PartitionsSubset:
    """Read a subset written by `PartitionsSubset.serialize` for ``partitions_def``."""
    try:
        payload = json.loads(serialized)
    except (TypeError, ValueError):
        payload = None
    if not isinstance(payload, dict) or payload.get("version") != _FORMAT_VERSION:
        raise InvariantViolationError(
            f"Not a serialized partitions subset (format version {_FORMAT_VERSION}): "
            f"{str(serialized)[:80]!r}. Write subsets with PartitionsSubset.serialize()."
        )
    return _from_payload(partitions_def, payload)
