"""Stale status: whether an asset's stored value still matches its code and its inputs.

An asset is MISSING until it is materialized. A materialized asset is STALE when its code
version differs from the one its latest materialization recorded, when one of its
dependencies now has a different data version than the one recorded, or when a dependency
was added or removed since; otherwise it is FRESH. Staleness does not propagate on its own:
a child of a STALE asset stays FRESH until the parent is re-materialized with a new data
version. External assets (source assets, specs) are always FRESH.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey
from headwater.execution.data_versions import (
    DEFAULT_DATA_VERSION,
    NULL_DATA_VERSION,
    DataProvenance,
    extract_data_version,
    latest_data_version_record,
)


class StaleStatus(enum.Enum):
    """Whether an asset is MISSING, STALE or FRESH."""

    MISSING = "MISSING"
    STALE = "STALE"
    FRESH = "FRESH"


@functools.total_ordering
class StaleCauseCategory(enum.Enum):
    """What made an asset stale: its CODE, upstream DATA, or its DEPENDENCIES."""

    CODE = "CODE"
    DATA = "DATA"
    DEPENDENCIES = "DEPENDENCIES"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, StaleCauseCategory):
            return NotImplemented
        return self.value < other.value


@attrs.frozen
class StaleCause:
    """One reason an asset is stale.

    Attributes:
        key: the stale asset.
        category: CODE, DATA or DEPENDENCIES.
        reason: what changed, for example ``"has a new code version"``.
        dependency: the upstream asset involved, if any.
        children: the causes on ``dependency`` behind this one, if any.
        partition_key: the stale partition, if the asset is partitioned.
        dependency_partition_key: the partition of ``dependency``, if partitioned.
    """

    key: AssetKey
    category: StaleCauseCategory
    reason: str
    dependency: AssetKey | None = None
    children: tuple[StaleCause, ...] | None = None
    partition_key: str | None = None
    dependency_partition_key: str | None = None

    @property
    def asset_key(self) -> AssetKey:
        """The stale asset."""
        return self.key

    @property
    def dependency_asset_key(self) -> AssetKey | None:
        """The upstream asset involved, if any."""
        return self.dependency

    @property
    def sort_key(self) -> str:
        """Order of causes in `StaleStatusResolver.get_stale_causes`."""
        own = _label(self.key, self.partition_key)
        if self.dependency is None:
            return own
        return f"{own}/{_label(self.dependency, self.dependency_partition_key)}"


def _label(key: AssetKey, partition_key: str | None) -> str:
    text = key.to_user_string()
    return text if partition_key is None else f"{text}[{partition_key}]"


class StaleStatusResolver:
    """Answers stale-status questions about the assets of a `Definitions` from an instance.

    One resolver caches what it reads, so it reflects the instance at the time of its first
    query for each asset: build a new one after new runs.

    Args:
        instance: the instance holding materializations and observations.
        definitions: a `Definitions`, an asset graph, or a list of assets.
    """

    def __init__(self, instance: Any, definitions: Any):
        self._instance = instance
        self._graph = _asset_graph(definitions)
        self._records: dict[tuple[AssetKey, str | None], Any] = {}
        self._statuses: dict[tuple[AssetKey, str | None], StaleStatus] = {}
        self._causes: dict[tuple[AssetKey, str | None], tuple[StaleCause, ...]] = {}

    # -- public queries -----------------------------------------------------------------------

    def get_status(self, key: Any, partition_key: str | None = None) -> StaleStatus:
        """MISSING, STALE or FRESH for the asset (or one partition of it)."""
        key = AssetKey.from_coercible(key)
        found = self._statuses.get((key, partition_key))
        if found is None:
            found = self._status(key, partition_key)
            self._statuses[(key, partition_key)] = found
        return found

    def get_stale_causes(self, key: Any, partition_key: str | None = None) -> list[StaleCause]:
        """Why the asset (or partition) is stale; empty when it is FRESH or MISSING."""
        return list(self._stale_causes(AssetKey.from_coercible(key), partition_key))

    def get_stale_root_causes(self, key: Any, partition_key: str | None = None) -> list[StaleCause]:
        """The deepest causes: the upstream changes at the bottom of `get_stale_causes`."""
        pending = list(self._stale_causes(AssetKey.from_coercible(key), partition_key))
        seen: set[tuple[Any, ...]] = set()
        roots: list[StaleCause] = []
        while pending:
            following: list[StaleCause] = []
            for cause in pending:
                ident = (cause.key, cause.partition_key, cause.category, cause.reason)
                ident += (cause.dependency, cause.dependency_partition_key)
                if ident in seen:
                    continue
                seen.add(ident)
                if cause.children is None:
                    roots.append(cause)
                else:
                    following.extend(cause.children)
            pending = following
        return roots

    def get_current_data_version(self, key: Any, partition_key: str | None = None) -> str:
        """The asset's current data version.

        ``"NULL"`` for a materializable asset never materialized, ``"INITIAL"`` for an
        external asset never observed (or an event without a version).
        """
        return self._current_version(AssetKey.from_coercible(key), partition_key)

    # -- internals ------------------------------------------------------------------------------

    def _is_external(self, key: AssetKey) -> bool:
        return not (self._graph.has(key) and self._graph.is_materializable(key))

    def _is_partitioned(self, key: AssetKey) -> bool:
        return self._graph.has(key) and self._graph.partitions_def(key) is not None

    def _code_version(self, key: AssetKey) -> str | None:
        assets_def = self._graph.assets_def(key) if self._graph.has(key) else None
        return None if assets_def is None else assets_def.code_versions_by_key.get(key)

    def _record(self, key: AssetKey, partition_key: str | None) -> Any:
        ident = (key, partition_key)
        if ident not in self._records:
            observable = self._graph.has(key) and self._graph.is_observable(key)
            self._records[ident] = latest_data_version_record(
                self._instance, key, observable=observable, partition=partition_key
            )
        return self._records[ident]

    def _current_version(self, key: AssetKey, partition_key: str | None) -> str:
        record = self._record(key, partition_key)
        if record is None:
            return DEFAULT_DATA_VERSION if self._is_external(key) else NULL_DATA_VERSION
        return extract_data_version(record.event_log_entry.tags) or DEFAULT_DATA_VERSION

    def _provenance(self, key: AssetKey, partition_key: str | None) -> DataProvenance | None:
        record = self._record(key, partition_key)
        return None if record is None else DataProvenance.from_tags(record.event_log_entry.tags)

    def _status(self, key: AssetKey, partition_key: str | None) -> StaleStatus:
        if self._is_partitioned(key) and partition_key is None:
            return StaleStatus.FRESH
        if self._current_version(key, partition_key) == NULL_DATA_VERSION:
            return StaleStatus.MISSING
        if self._is_external(key):
            return StaleStatus.FRESH
        return StaleStatus.STALE if self._stale_causes(key, partition_key) else StaleStatus.FRESH

    def _stale_causes(self, key: AssetKey, partition_key: str | None) -> tuple[StaleCause, ...]:
        ident = (key, partition_key)
        found = self._causes.get(ident)
        if found is None:
            found = ()
            if (
                not self._is_external(key)
                and not (self._is_partitioned(key) and partition_key is None)
                and self._current_version(key, partition_key) != NULL_DATA_VERSION
            ):
                causes = self._materialized_causes(key, partition_key)
                found = tuple(sorted(causes, key=lambda cause: cause.sort_key))
            self._causes[ident] = found
        return found

    def _materialized_causes(self, key: AssetKey, partition_key: str | None) -> list[StaleCause]:
        causes: list[StaleCause] = []
        provenance = self._provenance(key, partition_key)
        parents = self._graph.parents(key)
        if provenance is not None:
            code_version = self._code_version(key)
            if code_version and code_version != provenance.code_version:
                causes.append(
                    StaleCause(
                        key,
                        StaleCauseCategory.CODE,
                        "has a new code version",
                        None,
                        None,
                        partition_key,
                    )
                )
            for removed in sorted(set(provenance.input_data_versions) - parents):
                causes.append(
                    StaleCause(
                        key,
                        StaleCauseCategory.DEPENDENCIES,
                        f"removed dependency on {removed.to_user_string()}",
                        removed,
                        partition_key=partition_key,
                    )
                )
        own_record = self._record(key, partition_key)
        for dep in sorted(parents):
            # Partition-to-partition lineage is not tracked by the engine's provenance yet, so a
            # partitioned dependency of a partitioned asset is not compared.
            if self._is_partitioned(dep) and partition_key is not None:
                continue
            if provenance is not None:
                cause = self._dependency_cause(key, partition_key, dep, provenance)
            else:
                cause = self._cause_without_provenance(key, partition_key, dep, own_record)
            if cause is not None:
                causes.append(cause)
        return causes

    def _dependency_cause(
        self, key: AssetKey, partition_key: str | None, dep: AssetKey, provenance: DataProvenance
    ) -> StaleCause | None:
        if not provenance.has_input(dep):
            return StaleCause(
                key,
                StaleCauseCategory.DEPENDENCIES,
                f"has a new dependency on {dep.to_user_string()}",
                dep,
                partition_key=partition_key,
            )
        recorded = provenance.input_data_versions[dep]
        current = self._current_version(dep, None)
        # An input recorded as INITIAL that now reads NULL never changed: the same asset is
        # external in one place and materializable (but never materialized) in another.
        if recorded == current or (
            recorded == DEFAULT_DATA_VERSION and current == NULL_DATA_VERSION
        ):
            return None
        versioned = self._code_version(dep) is not None or self._is_user_provided(dep)
        return StaleCause(
            key,
            StaleCauseCategory.DATA,
            "has a new dependency data version"
            if versioned
            else "has a new dependency materialization",
            dep,
            (
                StaleCause(
                    dep,
                    StaleCauseCategory.DATA,
                    "has a new data version" if versioned else "has a new materialization",
                ),
            ),
            partition_key,
        )

    def _cause_without_provenance(
        self, key: AssetKey, partition_key: str | None, dep: AssetKey, own_record: Any
    ) -> StaleCause | None:
        # Materializations recorded without provenance tags are compared by time instead.
        if self._is_external(dep):
            return None
        dep_record = self._record(dep, None)
        if dep_record is None:
            return StaleCause(
                key, StaleCauseCategory.DATA, "has a new input", dep, partition_key=partition_key
            )
        if dep_record.timestamp > own_record.timestamp:
            return StaleCause(
                key,
                StaleCauseCategory.DATA,
                "has a new dependency materialization",
                dep,
                (StaleCause(dep, StaleCauseCategory.DATA, "has a new materialization"),),
                partition_key,
            )
        return None

    def _is_user_provided(self, key: AssetKey) -> bool:
        if self._is_external(key):
            return True
        provenance = self._provenance(key, None)
        return provenance is not None and provenance.is_user_provided


CachingStaleStatusResolver = StaleStatusResolver


def _asset_graph(definitions: Any) -> Any:
    from headwater.asset_graph.graph import AssetGraph

    if isinstance(definitions, AssetGraph):
        return definitions
    resolve = getattr(definitions, "resolve_asset_graph", None)
    if resolve is not None:
        return resolve()
    from headwater.definitions.definitions import Definitions

    assets: Sequence[Any] | Iterable[Any] = definitions
    return Definitions(assets=list(assets)).resolve_asset_graph()
