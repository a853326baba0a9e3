"""Planning a backfill: which runs, over which partitions, in which order.

Assets are grouped so that a group's assets run together over the same partitions: two
selected assets join one group when they share a partitions definition and the edge between
them maps each partition to itself (or when both are unpartitioned); non-subsettable
multi-assets stay whole. Each group's target subset is
cut into runs by the group's `BackfillPolicy`: one run for everything (`single_run`), runs of
at most ``max_partitions_per_run`` partitions (`multi_run`; the smallest maximum among the
group's assets wins), or one run per partition when no asset of the group has a policy.
Across groups (and for self-dependencies), each run depends on the runs holding the upstream
partitions its partitions map to, and runs are ordered so every run comes after its
dependencies.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

from headwater.backfills.model import BackfillPlan, BackfillRunPlan
from headwater.definitions.keys import AssetKey
from headwater.errors import HeadwaterError, InvalidDefinitionError


def resolve_max_partitions_per_run(policies: Sequence[Any]) -> int | None:
    """Partitions per run for assets carrying ``policies`` (None entries: no policy).

    The smallest ``max_partitions_per_run`` wins; `single_run` policies count only when no
    asset has a `multi_run` one; with no policy at all, each run holds one partition.
    """
    given = [policy for policy in policies if policy is not None]
    if not given:
        return 1
    limits = [p.max_partitions_per_run for p in given if p.max_partitions_per_run]
    return min(limits) if limits else None


def plan_backfill(
    asset_graph: Any,
    asset_keys: Sequence[AssetKey],
    *,
    partition_range: tuple[str, str] | None = None,
    partition_keys: Sequence[str] | None = None,
    dynamic_partitions_store: Any = None,
) -> BackfillPlan:
    """Plan the runs that materialize ``asset_keys`` over the given partitions.

    Args:
        asset_graph: the graph of the definitions (``defs.resolve_asset_graph()``).
        asset_keys: the executable assets to materialize.
        partition_range: (first, last) partition key of every partitioned asset.
        partition_keys: explicit partition keys instead of a range.
        dynamic_partitions_store: the instance, for dynamic partitions.

    Without a range or keys, every partition of each partitioned asset is targeted.

    Raises:
        InvalidDefinitionError: a key is not a partition of some asset, or the partition
            mappings ask for partitions that would run later (a forward self-dependency).
    """
    store = dynamic_partitions_store
    selected = set(asset_keys)
    order = sorted(selected, key=lambda key: (asset_graph.level(key), key))
    targets = {
        key: _target(asset_graph, key, partition_range, partition_keys, store) for key in order
    }
    groups = _groups(asset_graph, order, selected)
    runs: list[BackfillRunPlan] = []
    unit_of: dict[int, list[tuple[int, Any]]] = {}  # group -> [(run index, run subset)]
    group_of = {key: g for g, members in enumerate(groups) for key in members}
    for g, members in enumerate(groups):
        first = members[0]
        pdef = asset_graph.partitions_def(first)
        chunks = _chunks(
            pdef,
            targets[first],
            resolve_max_partitions_per_run([asset_graph.backfill_policy(k) for k in members]),
            store,
        )
        external = _external_edges(asset_graph, members, selected)
        for chunk_range, count, subset in chunks:
            deps: set[int] = set()
            for down, up in external:
                deps.update(
                    _deps_of(asset_graph, down, up, subset, unit_of.get(group_of[up], ()), store)
                )
            unit_of.setdefault(g, []).append((len(runs), subset))
            runs.append(BackfillRunPlan(g, chunk_range, count, tuple(sorted(deps))))
        # Self-dependencies map onto runs of the same group, which may come later.
        for down, up in _self_edges(asset_graph, members):
            for index, subset in unit_of.get(g, ()):
                deps = _deps_of(asset_graph, down, up, subset, unit_of[g], store) - {index}
                if deps:
                    run = runs[index]
                    runs[index] = BackfillRunPlan(
                        run.group,
                        run.partition_range,
                        run.num_partitions,
                        tuple(sorted(set(run.deps) | deps)),
                    )
    return BackfillPlan(groups=tuple(tuple(m) for m in groups), runs=tuple(_ordered(runs)))


def _target(graph: Any, key: AssetKey, key_range: Any, keys: Any, store: Any) -> Any:
    from headwater.partitions.base import PartitionKeyRange

    pdef = graph.partitions_def(key)
    if pdef is None:
        return None
    try:
        if key_range is not None:
            return pdef.subset_with_partition_key_range(PartitionKeyRange(*key_range), store)
        if keys is not None:
            return pdef.subset_with_partition_keys(list(keys), store)
        return pdef.subset_with_all_partitions(dynamic_partitions_store=store)
    except HeadwaterError as error:
        raise InvalidDefinitionError(
            f"Cannot backfill asset {key.to_user_string()}: {error} Choose partitions of its "
            "partitions definition, or leave the asset out of the selection."
        ) from error


def _aligned(graph: Any, down: AssetKey, up: AssetKey) -> bool:
    """Whether each partition of ``down`` reads the same partition of ``up`` (same run)."""
    from headwater.partitions.mappings import IdentityPartitionMapping, TimeWindowPartitionMapping

    down_def, up_def = graph.partitions_def(down), graph.partitions_def(up)
    if down_def is None or up_def is None:
        return down_def is None and up_def is None
    if down_def != up_def:
        return False
    mapping = graph.assets_def(down).get_partition_mapping(up)
    if mapping is None or isinstance(mapping, IdentityPartitionMapping):
        return True
    return (
        isinstance(mapping, TimeWindowPartitionMapping)
        and mapping.start_offset == 0
        and mapping.end_offset == 0
    )


def _groups(graph: Any, order: list[AssetKey], selected: set[AssetKey]) -> list[list[AssetKey]]:
    parent = {key: key for key in order}

    def find(key: AssetKey) -> AssetKey:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for key in order:
        for up in graph.parents(key):
            if up in selected and up != key and _aligned(graph, key, up):
                parent[find(key)] = find(up)
        for other in graph.execution_set(key):
            if other in selected:
                parent[find(key)] = find(other)
    members: dict[AssetKey, list[AssetKey]] = {}
    for key in order:
        members.setdefault(find(key), []).append(key)
    groups = list(members.values())
    if not _groups_acyclic(graph, groups, selected):
        # A path leaves a group and comes back: run each asset (execution set) on its own.
        groups = _split(graph, order, selected)
    return sorted(groups, key=lambda g: min(graph.level(k) for k in g))


def _split(graph: Any, order: list[AssetKey], selected: set[AssetKey]) -> list[list[AssetKey]]:
    seen: set[AssetKey] = set()
    out = []
    for key in order:
        if key in seen:
            continue
        group = [k for k in order if k in graph.execution_set(key) or k == key]
        seen.update(group)
        out.append(group)
    return out


def _groups_acyclic(graph: Any, groups: list[list[AssetKey]], selected: set[AssetKey]) -> bool:
    index = {key: g for g, members in enumerate(groups) for key in members}
    edges: dict[int, set[int]] = {g: set() for g in range(len(groups))}
    indegree = [0] * len(groups)
    for key, g in index.items():
        for up in graph.parents(key):
            h = index.get(up)
            if h is not None and h != g and g not in edges[h]:
                edges[h].add(g)
                indegree[g] += 1
    ready = [g for g, n in enumerate(indegree) if n == 0]
    visited = 0
    while ready:
        h = ready.pop()
        visited += 1
        for g in edges[h]:
            indegree[g] -= 1
            if indegree[g] == 0:
                ready.append(g)
    return visited == len(groups)


def _chunks(pdef: Any, target: Any, per_run: int | None, store: Any) -> list[tuple[Any, int, Any]]:
    """(key range, size, subset) of each run of a group; one unpartitioned run if no def."""
    if pdef is None:
        return [(None, 0, None)]

    out = []
    for key_range in target.get_partition_key_ranges(dynamic_partitions_store=store):
        if per_run is None:
            subset = pdef.subset_with_partition_key_range(key_range, store)
            out.append(((key_range.start, key_range.end), len(subset), subset))
            continue
        keys = pdef.get_partition_keys_in_range(key_range, dynamic_partitions_store=store)
        for i in range(0, len(keys), per_run):
            part = keys[i : i + per_run]
            out.append(((part[0], part[-1]), len(part), _lazy(pdef, part[0], part[-1])))
    return out


class _lazy:
    """A run's partitions, turned into a subset only if a dependency needs it."""

    __slots__ = ("end", "pdef", "start")

    def __init__(self, pdef: Any, start: str, end: str):
        self.pdef, self.start, self.end = pdef, start, end

    def subset(self, store: Any) -> Any:
        from headwater.partitions.base import PartitionKeyRange

        return self.pdef.subset_with_partition_key_range(
            PartitionKeyRange(self.start, self.end), store
        )


def _subset(value: Any, store: Any) -> Any:
    return value.subset(store) if isinstance(value, _lazy) else value


def _external_edges(graph: Any, members: list[AssetKey], selected: set[AssetKey]):
    inside = set(members)
    return [
        (key, up)
        for key in members
        for up in sorted(graph.parents(key))
        if up in selected and up not in inside
    ]


def _self_edges(graph: Any, members: list[AssetKey]):
    inside = set(members)
    return [
        (key, up)
        for key in members
        for up in sorted(graph.parents(key))
        if up in inside and not _aligned(graph, key, up)
    ]


def _deps_of(graph: Any, down: AssetKey, up: AssetKey, subset: Any, up_units, store) -> set[int]:
    """Indices of the runs in ``up_units`` holding partitions ``subset`` of ``down`` reads."""
    if not up_units:
        return set()
    down_def, up_def = graph.partitions_def(down), graph.partitions_def(up)
    if down_def is None or up_def is None:
        return {index for index, _ in up_units}
    from headwater.partitions.mappings import infer_partition_mapping

    mapping = infer_partition_mapping(
        graph.assets_def(down).get_partition_mapping(up), down_def, up_def
    )
    needed = mapping.get_upstream_mapped_partitions_result_for_partitions(
        _subset(subset, store), down_def, up_def, dynamic_partitions_store=store
    ).partitions_subset
    if needed.is_empty:
        return set()
    return {
        index
        for index, unit_subset in up_units
        if not (_subset(unit_subset, store) & needed).is_empty
    }


def _ordered(runs: list[BackfillRunPlan]) -> list[BackfillRunPlan]:
    """``runs`` with every run after its dependencies (stable when already so)."""
    if all(dep < i for i, run in enumerate(runs) for dep in run.deps):
        return runs
    children: dict[int, list[int]] = {}
    indegree = [len(run.deps) for run in runs]
    for i, run in enumerate(runs):
        for dep in run.deps:
            children.setdefault(dep, []).append(i)
    ready = [i for i, n in enumerate(indegree) if n == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for child in children.get(i, ()):
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(runs):
        raise InvalidDefinitionError(
            "The backfill's partition mappings make runs depend on each other in a cycle (a "
            "self-dependency that reads later partitions?). Use mappings that read earlier "
            "partitions, such as TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)."
        )
    position = {old: new for new, old in enumerate(order)}
    return [
        BackfillRunPlan(
            runs[old].group,
            runs[old].partition_range,
            runs[old].num_partitions,
            tuple(sorted(position[d] for d in runs[old].deps)),
        )
        for old in order
    ]
