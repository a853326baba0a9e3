"""`AssetGraph`: the integer-indexed dependency graph of every asset in a `Definitions`.

Each asset key gets an id (its position in ``keys``); parents and children are tuples of ids.
Every traversal is iterative, so a 10,000-asset chain builds, sorts and traverses without
touching the recursion limit. Keys that are depended on but provided by no definition are
kept as nodes flagged *unresolved* and *external* (they can be loaded, never computed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from headwater.asset_graph._bits import bits_of, full, ids_of
from headwater.definitions.keys import AssetKey
from headwater.errors import CycleError, DuplicateDefinitionError

if TYPE_CHECKING:
    from headwater.definitions.assets import AssetsDefinition

DEFAULT_GROUP_NAME = "default"

# Above this many nodes the per-node ancestor/descendant bitsets (O(n^2) bits at worst) cost
# more memory than they save; unlimited traversals then walk the graph instead.
_CLOSURE_LIMIT = 10_000
# Resolved key sets kept per graph (each is one frozenset of the selected keys).
_KEY_SET_CACHE_SIZE = 8

_EMPTY_MAPPING: Mapping[str, str] = {}


class AssetGraph:
    """The dependency graph of a set of asset definitions, built once and then only read.

    Build it with `AssetGraph.from_assets` (``Definitions.resolve_asset_graph()`` does).
    """

    def __init__(
        self,
        keys: list[AssetKey],
        assets_defs_by_id: list[AssetsDefinition | None],
        parents: list[tuple[int, ...]],
        check_keys_by_id: dict[int, list[Any]],
        assets_defs_by_check_key: dict[Any, AssetsDefinition],
        assets_defs: list[AssetsDefinition],
    ):
        n = len(keys)
        self._keys = keys
        self._index = {key: i for i, key in enumerate(keys)}
        self._defs = assets_defs_by_id
        self._parents = parents
        children: list[list[int]] = [[] for _ in range(n)]
        for child, parent_ids in enumerate(parents):
            for parent in parent_ids:
                children[parent].append(child)
        self._children = [tuple(c) for c in children]
        self._check_keys_by_id = check_keys_by_id
        self._defs_by_check_key = assets_defs_by_check_key
        self._assets_defs = assets_defs
        self._order, self._level = self._toposort()
        flags = {"materializable": [], "external": [], "observable": [], "executable": []}
        for i, ad in enumerate(assets_defs_by_id):
            if ad is None:
                flags["external"].append(i)
                continue
            for name, ids in flags.items():
                if getattr(ad, f"is_{name}"):
                    ids.append(i)
        self._flag_bits = {name: bits_of(ids, n) for name, ids in flags.items()}
        self._unresolved_bits = bits_of((i for i, ad in enumerate(assets_defs_by_id) if not ad), n)
        # Per-graph caches for selection evaluation (attribute indexes, closures, patterns).
        self._cache: dict[Any, Any] = {}
        self._key_sets: dict[int, frozenset[AssetKey]] = {}

    @classmethod
    def from_assets(cls, assets_defs: Iterable[AssetsDefinition]) -> AssetGraph:
        """Build the graph of ``assets_defs`` (AssetsDefinitions, including external ones).

        Raises:
            DuplicateDefinitionError: two definitions provide the same asset key.
            CycleError: the dependencies form a cycle; the message names the keys along it.
        """
        defs = list(assets_defs)
        keys: list[AssetKey] = []
        index: dict[AssetKey, int] = {}
        owners: list[AssetsDefinition | None] = []
        for ad in defs:
            for key in ad.keys:
                if key in index:
                    other = owners[index[key]]
                    raise DuplicateDefinitionError(
                        f"Duplicate asset key: {key!r}. It is provided by both "
                        f"{_describe(other)} and {_describe(ad)}; give one of them another key."
                    )
                index[key] = len(keys)
                keys.append(key)
                owners.append(ad)

        def id_for(key: AssetKey) -> int:
            i = index.get(key)
            if i is None:
                i = index[key] = len(keys)
                keys.append(key)
                owners.append(None)
            return i

        parents: list[tuple[int, ...]] = [()] * len(keys)
        check_keys_by_id: dict[int, list[Any]] = {}
        defs_by_check_key: dict[Any, AssetsDefinition] = {}
        for ad in defs:
            # Straight from the specs (what `asset_deps` is built from): building and caching
            # that mapping on every definition costs two long-lived objects per asset.
            specs = ad.specs_by_key
            for key in ad.keys:
                spec = specs.get(key)
                deps = spec.deps if spec is not None else ()
                parents[index[key]] = tuple(dict.fromkeys(id_for(dep.asset_key) for dep in deps))
            for spec in ad.check_specs:
                target = id_for(spec.asset_key)
                check_keys_by_id.setdefault(target, []).append(spec.key)
                defs_by_check_key[spec.key] = ad
        parents.extend([()] * (len(keys) - len(parents)))
        return cls(keys, owners, parents, check_keys_by_id, defs_by_check_key, defs)

    # -- keys and ids ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def has(self, key: AssetKey) -> bool:
        """Whether ``key`` is a node of the graph (provided or depended on)."""
        return key in self._index

    @property
    def all_asset_keys(self) -> frozenset[AssetKey]:
        """Every key in the graph, including unresolved upstream keys."""
        return frozenset(self._keys)

    @property
    def materializable_asset_keys(self) -> frozenset[AssetKey]:
        """Keys that a run can materialize."""
        return self._keys_of(self._flag_bits["materializable"])

    @property
    def external_asset_keys(self) -> frozenset[AssetKey]:
        """Keys that headwater cannot materialize (specs, source assets, unresolved keys)."""
        return self._keys_of(self._flag_bits["external"])

    @property
    def observable_asset_keys(self) -> frozenset[AssetKey]:
        """Keys with an observation function."""
        return self._keys_of(self._flag_bits["observable"])

    @property
    def executable_asset_keys(self) -> frozenset[AssetKey]:
        """Keys that a run can materialize or observe."""
        return self._keys_of(self._flag_bits["executable"])

    @property
    def unresolved_asset_keys(self) -> frozenset[AssetKey]:
        """Keys that are depended on but provided by no definition."""
        return self._keys_of(self._unresolved_bits)

    @property
    def assets_defs(self) -> list[AssetsDefinition]:
        """The definitions the graph was built from, in the order given."""
        return list(self._assets_defs)

    def index_of(self, key: AssetKey) -> int:
        """The integer id of ``key``."""
        return self._index[key]

    def key_at(self, i: int) -> AssetKey:
        """The key whose id is ``i``."""
        return self._keys[i]

    # -- per-key attributes ---------------------------------------------------------------

    def assets_def(self, key: AssetKey) -> AssetsDefinition | None:
        """The definition that provides ``key``, or None for an unresolved key."""
        return self._defs[self._id(key)]

    def _spec(self, i: int) -> Any:
        ad = self._defs[i]
        return None if ad is None else ad.specs_by_key[self._keys[i]]

    def group_name(self, key: AssetKey) -> str:
        """The key's group ("default" when none was given)."""
        spec = self._spec(self._id(key))
        return (spec.group_name if spec is not None else None) or DEFAULT_GROUP_NAME

    def tags(self, key: AssetKey) -> Mapping[str, str]:
        """The key's definition tags."""
        spec = self._spec(self._id(key))
        return (spec.tags if spec is not None else None) or _EMPTY_MAPPING

    def owners(self, key: AssetKey) -> tuple[str, ...]:
        """The key's owners."""
        spec = self._spec(self._id(key))
        return tuple(spec.owners or ()) if spec is not None else ()

    def kinds(self, key: AssetKey) -> frozenset[str]:
        """The key's kinds (``python``, ``snowflake``, ...)."""
        spec = self._spec(self._id(key))
        return frozenset(spec.kinds or ()) if spec is not None else frozenset()

    def partitions_def(self, key: AssetKey) -> Any:
        """The key's partitions definition, or None."""
        ad = self._defs[self._id(key)]
        return None if ad is None else ad.partitions_def

    def backfill_policy(self, key: AssetKey) -> Any:
        """The key's backfill policy, or None."""
        ad = self._defs[self._id(key)]
        return None if ad is None else ad.backfill_policy

    def is_materializable(self, key: AssetKey) -> bool:
        """Whether a run can materialize ``key``."""
        return self._flag(key, "materializable")

    def is_external(self, key: AssetKey) -> bool:
        """Whether ``key`` is external (including unresolved keys)."""
        return self._flag(key, "external")

    def is_observable(self, key: AssetKey) -> bool:
        """Whether ``key`` has an observation function."""
        return self._flag(key, "observable")

    def is_executable(self, key: AssetKey) -> bool:
        """Whether a run can materialize or observe ``key``."""
        return self._flag(key, "executable")

    def is_unresolved(self, key: AssetKey) -> bool:
        """Whether ``key`` is depended on but provided by no definition."""
        return bool(self._unresolved_bits >> self._id(key) & 1)

    def _flag(self, key: AssetKey, name: str) -> bool:
        return bool(self._flag_bits[name] >> self._id(key) & 1)

    # -- structure ------------------------------------------------------------------------

    def parents(self, key: AssetKey) -> frozenset[AssetKey]:
        """The direct upstream keys of ``key``."""
        keys = self._keys
        return frozenset(keys[p] for p in self._parents[self._id(key)])

    def children(self, key: AssetKey) -> frozenset[AssetKey]:
        """The direct downstream keys of ``key``."""
        keys = self._keys
        return frozenset(keys[c] for c in self._children[self._id(key)])

    @property
    def root_keys(self) -> frozenset[AssetKey]:
        """Keys without parents."""
        return frozenset(k for k, p in zip(self._keys, self._parents) if not p)

    @property
    def sink_keys(self) -> frozenset[AssetKey]:
        """Keys without children."""
        return frozenset(k for k, c in zip(self._keys, self._children) if not c)

    def toposorted_keys(self) -> list[AssetKey]:
        """Every key, parents before children; ties are ordered by level, then by key."""
        return [key for level in self.levels() for key in level]

    def levels(self) -> list[list[AssetKey]]:
        """Keys grouped by longest distance from a root; each level sorted by key."""
        cached = self._cache.get("levels")
        if cached is None:
            grouped: list[list[AssetKey]] = [[] for _ in range(max(self._level, default=-1) + 1)]
            for i, level in enumerate(self._level):
                grouped[level].append(self._keys[i])
            for group in grouped:
                group.sort()
            cached = self._cache["levels"] = grouped
        return [list(group) for group in cached]

    def level(self, key: AssetKey) -> int:
        """The longest distance from a root to ``key`` (0 for roots)."""
        return self._level[self._id(key)]

    def execution_set(self, key: AssetKey) -> frozenset[AssetKey]:
        """The keys that must run together with ``key`` (all keys of a non-subsettable def)."""
        ad = self._defs[self._id(key)]
        if ad is None or ad.can_subset or len(ad.keys) == 1:
            return frozenset((key,))
        return frozenset(ad.keys)

    def upstream_keys(
        self, keys: Iterable[AssetKey], depth: int | None = None, include_self: bool = True
    ) -> frozenset[AssetKey]:
        """Keys upstream of ``keys`` (all, or up to ``depth`` layers)."""
        bits = self._bits_of_keys(keys)
        found = self._traverse(bits, depth, upstream=True)
        return self._keys_of(found if include_self else found & ~bits)

    def downstream_keys(
        self, keys: Iterable[AssetKey], depth: int | None = None, include_self: bool = True
    ) -> frozenset[AssetKey]:
        """Keys downstream of ``keys`` (all, or up to ``depth`` layers)."""
        bits = self._bits_of_keys(keys)
        found = self._traverse(bits, depth, upstream=False)
        return self._keys_of(found if include_self else found & ~bits)

    # -- checks ---------------------------------------------------------------------------

    @property
    def asset_check_keys(self) -> frozenset[Any]:
        """Every asset check key."""
        return frozenset(self._defs_by_check_key)

    def check_keys_for(self, key: AssetKey) -> tuple[Any, ...]:
        """The check keys that target ``key``."""
        return tuple(self._check_keys_by_id.get(self._id(key), ()))

    def assets_def_for_check(self, check_key: Any) -> AssetsDefinition:
        """The definition that executes ``check_key``."""
        return self._defs_by_check_key[check_key]

    # -- internals shared with the selection evaluator ------------------------------------

    def _id(self, key: AssetKey) -> int:
        try:
            return self._index[key]
        except KeyError:
            raise KeyError(f"Asset key {key!r} is not in this asset graph") from None

    @property
    def _all_bits(self) -> int:
        return full(len(self._keys))

    def _bits_of_keys(self, keys: Iterable[AssetKey]) -> int:
        return bits_of((self._id(key) for key in keys), len(self._keys))

    def _keys_of(self, bits: int) -> frozenset[AssetKey]:
        # Hashing thousands of keys dominates resolving a large selection; the last few
        # results are kept (copying a frozenset into a set reuses the stored hashes).
        cache = self._key_sets
        found = cache.get(bits)
        if found is None:
            keys = self._keys
            if bits.bit_count() * 2 > len(keys):
                # Mostly everything: take the complement out of the set of all keys, so that
                # only the fewer keys get hashed.
                everything = self._cache.get("all keys")
                if everything is None:
                    everything = self._cache["all keys"] = frozenset(keys)
                found = everything.difference([keys[i] for i in ids_of(self._all_bits & ~bits)])
            else:
                found = frozenset([keys[i] for i in ids_of(bits)])
            if len(cache) >= _KEY_SET_CACHE_SIZE:
                del cache[next(iter(cache))]
            cache[bits] = found
        return found

    def _traverse(self, bits: int, depth: int | None, *, upstream: bool) -> int:
        """``bits`` plus every node reachable from it (up to ``depth`` edges)."""
        if depth is None and len(self._keys) <= _CLOSURE_LIMIT:
            return bits | self._reach(bits, upstream=upstream)
        adjacency = self._parents if upstream else self._children
        frontier = ids_of(bits)
        visited = set(frontier)
        remaining = -1 if depth is None else depth
        while frontier and remaining != 0:
            found = []
            for i in frontier:
                for j in adjacency[i]:
                    if j not in visited:
                        visited.add(j)
                        found.append(j)
            frontier = found
            remaining -= 1
        return bits_of(visited, len(self._keys))

    def _reach(self, bits: int, *, upstream: bool) -> int:
        """Every node reachable from ``bits`` over one or more edges."""
        if len(self._keys) <= _CLOSURE_LIMIT:
            closure = self._closure(upstream)
            out = 0
            for i in ids_of(bits):
                out |= closure[i]
            return out
        adjacency = self._parents if upstream else self._children
        start = bits_of((j for i in ids_of(bits) for j in adjacency[i] if j != i), len(self))
        return self._traverse(start, None, upstream=upstream)

    def _closure(self, upstream: bool) -> list[int]:
        """Per node, the bitset of its strict ancestors (or descendants); built once."""
        name = "ancestors" if upstream else "descendants"
        closure = self._cache.get(name)
        if closure is None:
            closure = [0] * len(self._keys)
            adjacency = self._parents if upstream else self._children
            order = self._order if upstream else reversed(self._order)
            for i in order:
                acc = 0
                for j in adjacency[i]:
                    if j != i:
                        acc |= closure[j] | (1 << j)
                closure[i] = acc
            self._cache[name] = closure
        return closure

    def _toposort(self) -> tuple[list[int], list[int]]:
        n = len(self._keys)
        # A self-dependency (a partition reading its own earlier partition) is not a cycle.
        indegree = [len(p) - (i in p) for i, p in enumerate(self._parents)]
        level = [0] * n
        order = [i for i in range(n) if indegree[i] == 0]
        children = self._children
        position = 0
        while position < len(order):
            i = order[position]
            position += 1
            next_level = level[i] + 1
            for c in children[i]:
                if c == i:
                    continue
                if level[c] < next_level:
                    level[c] = next_level
                indegree[c] -= 1
                if indegree[c] == 0:
                    order.append(c)
        if len(order) < n:
            raise CycleError(self._find_cycle(indegree))
        return order, level

    def _find_cycle(self, indegree: list[int]) -> list[AssetKey]:
        # Every node left unsorted has an unsorted parent, so walking unsorted parents must
        # revisit a node; the revisited stretch is a cycle (found child -> parent).
        start = next(i for i, d in enumerate(indegree) if d > 0)
        seen: dict[int, int] = {}
        path: list[int] = []
        node = start
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = next(p for p in self._parents[node] if p != node and indegree[p] > 0)
        cycle = path[seen[node] :]
        cycle.reverse()
        cycle.append(cycle[0])
        return [self._keys[i] for i in cycle]


def _describe(ad: Any) -> str:
    node_def = getattr(ad, "node_def", None)
    name = getattr(node_def, "name", None)
    return f"'{name}'" if name else "an external asset definition"
