"""`AssetSelection`: a small tree of frozen values that resolves to asset and check keys.

A selection is built with the static constructors and the traversal methods, combined with
``|``, ``&`` and ``-``, and only evaluated by `AssetSelection.resolve` against an `AssetGraph`.
Evaluation is set algebra over the graph's integer ids held as bitsets; attribute indexes
(group -> ids, tag -> ids, ...) are built once per graph and cached on it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from headwater.asset_graph._bits import bits_of, ids_of
from headwater.asset_graph.graph import DEFAULT_GROUP_NAME, AssetGraph
from headwater.definitions.keys import AssetKey
from headwater.errors import InvalidDefinitionError, InvalidSubsetError, did_you_mean

if TYPE_CHECKING:
    from typing import TypeAlias

    CoercibleToAssetSelection: TypeAlias = Any


class AssetSelection:
    """A query over the assets and asset checks of a code location.

    Combine selections with ``|`` (union), ``&`` (intersection) and ``-`` (difference).
    Selecting an asset also selects the checks that target it, unless checks are removed
    (``without_checks()``).

    Example:
        ``AssetSelection.groups("marketing") - AssetSelection.assets("leads").downstream()``
    """

    __slots__ = ()

    # -- constructors ---------------------------------------------------------------------

    @staticmethod
    def all(include_sources: bool = False) -> AssetSelection:
        """Every materializable asset (and external ones too with ``include_sources``)."""
        return _All(include_sources)

    @staticmethod
    def all_asset_checks() -> AssetSelection:
        """Every asset check, and no assets."""
        return _AllChecks()

    @staticmethod
    def assets(*assets_defs: Any) -> AssetSelection:
        """The given assets: keys, strings (one component each), key paths or definitions."""
        return _Keys(tuple(_coerce_asset_keys(assets_defs)))

    @staticmethod
    def keys(*asset_keys: Any) -> AssetSelection:
        """Deprecated spelling of `AssetSelection.assets`."""
        warnings.warn(
            "AssetSelection.keys is deprecated; use AssetSelection.assets instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return _Keys(tuple(_coerce_asset_keys(asset_keys)))

    @staticmethod
    def key_prefixes(*key_prefixes: str | Sequence[str], include_sources: bool = False):
        """Assets whose key starts with any of the prefixes (``"a"`` or ``["a", "b"]``)."""
        prefixes = tuple((p,) if isinstance(p, str) else tuple(p) for p in key_prefixes)
        return _KeyPrefixes(prefixes, include_sources)

    @staticmethod
    def groups(*group_strs: str, include_sources: bool = False) -> AssetSelection:
        """Assets in any of the named groups."""
        for group in group_strs:
            if not isinstance(group, str):
                raise TypeError(
                    f"AssetSelection.groups takes group names as strings; got {group!r}"
                )
        return _Groups(tuple(group_strs), include_sources)

    @staticmethod
    def tag(key: str, value: str, include_sources: bool = False) -> AssetSelection:
        """Assets whose definition tag ``key`` equals ``value`` exactly."""
        return _Tag(key, value, include_sources)

    @staticmethod
    def owner(owner: str, include_sources: bool = False) -> AssetSelection:
        """Assets owned by ``owner`` (an email or ``team:name``)."""
        return _Owner(owner, include_sources)

    @staticmethod
    def kind(kind: str, include_sources: bool = False) -> AssetSelection:
        """Assets of the given kind (``python``, ``snowflake``, ...)."""
        return _Kind(kind, include_sources)

    @staticmethod
    def checks(*assets_checks: Any) -> AssetSelection:
        """The given asset checks: check keys, check specs or check definitions."""
        return _Checks(tuple(_coerce_check_keys(assets_checks)))

    @staticmethod
    def checks_for_assets(*assets_defs: Any) -> AssetSelection:
        """The checks that target the given assets (not the assets themselves)."""
        return _ChecksForAssets(tuple(_coerce_asset_keys(assets_defs)))

    @staticmethod
    def from_string(string: str) -> AssetSelection:
        """Parse a selection string (attribute syntax first, then the legacy clause syntax).

        Raises:
            InvalidAssetSelectionError: the string is valid in neither syntax.
        """
        from headwater.asset_graph.selection_parser import parse_selection

        return parse_selection(string)

    @staticmethod
    def from_coercible(selection: CoercibleToAssetSelection) -> AssetSelection:
        """Turn what ``define_asset_job(selection=...)`` accepts into an `AssetSelection`.

        Accepts a selection, a string, a sequence of strings (OR-ed), or a sequence of
        asset keys and asset definitions.
        """
        if isinstance(selection, AssetSelection):
            return selection
        if isinstance(selection, str):
            return AssetSelection.from_string(selection)
        if isinstance(selection, (Sequence, set, frozenset)):
            parts: list[AssetSelection] = []
            keys: list[AssetKey] = []
            check_keys: list[Any] = []
            for item in selection:
                if isinstance(item, str):
                    parts.append(AssetSelection.from_string(item))
                elif isinstance(item, AssetKey):
                    keys.append(item)
                elif _is_definition(item):
                    keys.extend(_coerce_asset_keys((item,)))
                    # A check-only definition (``@asset_check``) selects its checks.
                    if _keys_attr(item) is not None and not _keys_attr(item):
                        check_keys.extend(item.check_keys)
                else:
                    raise _bad_coercible(selection)
            if keys or not parts:
                parts.append(_Keys(tuple(keys)))
            if check_keys:
                parts.append(_Checks(tuple(check_keys)))
            return parts[0] if len(parts) == 1 else _Or(tuple(parts))
        raise _bad_coercible(selection)

    # -- traversals and filters -----------------------------------------------------------

    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """Add upstream assets (all, or ``depth`` layers); never adds external assets."""
        return _Upstream(self, depth, include_self)

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """Add downstream assets (all, or ``depth`` layers)."""
        return _Downstream(self, depth, include_self)

    def sinks(self) -> AssetSelection:
        """The selected assets with no descendant inside the selection."""
        return _Sinks(self)

    def roots(self) -> AssetSelection:
        """The selected non-external assets with no ancestor inside the selection."""
        return _Roots(self)

    def sources(self) -> AssetSelection:
        """Deprecated spelling of `roots`."""
        warnings.warn(
            "AssetSelection.sources is deprecated; use AssetSelection.roots instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return _Roots(self)

    def required_multi_asset_neighbors(self) -> AssetSelection:
        """Add the other keys of any selected non-subsettable multi-asset."""
        return _RequiredNeighbors(self)

    def materializable(self) -> AssetSelection:
        """Keep only the selected assets that can be materialized."""
        return _Materializable(self)

    def upstream_source_assets(self) -> AssetSelection:
        """The external assets upstream of the selection."""
        return _UpstreamSources(self)

    def without_checks(self) -> AssetSelection:
        """The same assets with every asset check removed."""
        return _Sub(self, _AllChecks())

    # -- operators ------------------------------------------------------------------------

    def __or__(self, other: object) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return _Or(_flatten(_Or, self) + _flatten(_Or, other))

    def __and__(self, other: object) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return _And(_flatten(_And, self) + _flatten(_And, other))

    def __sub__(self, other: object) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return _Sub(self, other)

    # -- evaluation -----------------------------------------------------------------------

    def resolve(self, assets_or_graph: Any, allow_missing: bool = False) -> set[AssetKey]:
        """The asset keys selected in a graph or in an iterable of asset definitions.

        Raises:
            InvalidSubsetError: the selection names keys no definition provides (unless
                ``allow_missing``).
        """
        graph = _as_graph(assets_or_graph)
        return set(graph._keys_of(self._bits(graph, allow_missing)))

    def resolve_checks(self, assets_or_graph: Any, allow_missing: bool = False) -> set[Any]:
        """The asset check keys selected in a graph or in an iterable of definitions."""
        graph = _as_graph(assets_or_graph)
        return set(self._checks(graph, allow_missing))

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        raise NotImplementedError

    def _checks(self, graph: AssetGraph, allow_missing: bool) -> frozenset[Any]:
        # By default a selection holds the checks that target its assets.
        bits = self._bits(graph, allow_missing)
        return frozenset(
            ck for i, cks in graph._check_keys_by_id.items() if bits >> i & 1 for ck in cks
        )


# -- leaves ---------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class _All(AssetSelection):
    include_sources: bool = False

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return graph._all_bits if self.include_sources else graph._flag_bits["materializable"]


@attrs.frozen(slots=True)
class _AllChecks(AssetSelection):
    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return 0

    def _checks(self, graph: AssetGraph, allow_missing: bool) -> frozenset[Any]:
        return graph.asset_check_keys


@attrs.frozen(slots=True)
class _Keys(AssetSelection):
    selected: tuple[AssetKey, ...]

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        index = graph._index
        missing = [key for key in self.selected if key not in index]
        if missing and not allow_missing:
            raise InvalidSubsetError(_missing_keys_message(missing, graph))
        return bits_of((index[k] for k in self.selected if k in index), len(graph))


@attrs.frozen(slots=True)
class _KeyWildcard(AssetSelection):
    """Keys whose ``/``-joined form matches a pattern where ``*`` matches anything."""

    pattern: str

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        cache_key = ("key-pattern", self.pattern)
        bits = graph._cache.get(cache_key)
        if bits is None:
            regex = _wildcard_regex(self.pattern)
            ids = (i for i, key in enumerate(graph._keys) if regex.match(key.to_user_string()))
            bits = graph._cache[cache_key] = bits_of(ids, len(graph))
        return bits


@attrs.frozen(slots=True)
class _KeyPrefixes(AssetSelection):
    prefixes: tuple[tuple[str, ...], ...]
    include_sources: bool = False

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        index = _attribute_index(graph, "prefix")
        bits = 0
        for prefix in self.prefixes:
            bits |= index.get(prefix, 0)
        return _restrict(graph, bits, self.include_sources)


@attrs.frozen(slots=True)
class _Groups(AssetSelection):
    selected: tuple[str, ...]
    include_sources: bool = False

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return _restrict(graph, _lookup(graph, "group", self.selected), self.include_sources)


@attrs.frozen(slots=True)
class _GroupWildcard(AssetSelection):
    pattern: str
    include_sources: bool = False

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        index = _attribute_index(graph, "group")
        regex = _wildcard_regex(self.pattern)
        names = [name for name in index if regex.match(name)]
        return _restrict(graph, _lookup(graph, "group", names), self.include_sources)


@attrs.frozen(slots=True)
class _Tag(AssetSelection):
    key: str
    value: str
    include_sources: bool = False

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        bits = _attribute_index(graph, "tag").get((self.key, self.value), 0)
        return _restrict(graph, bits, self.include_sources)


@attrs.frozen(slots=True)
class _Owner(AssetSelection):
    owner: str
    include_sources: bool = False

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return _restrict(graph, _lookup(graph, "owner", (self.owner,)), self.include_sources)


@attrs.frozen(slots=True)
class _Kind(AssetSelection):
    kind: str
    include_sources: bool = False

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return _restrict(graph, _lookup(graph, "kind", (self.kind,)), self.include_sources)


@attrs.frozen(slots=True)
class _Flag(AssetSelection):
    """Assets with a property: materializable, external, observable or executable."""

    flag: str

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return graph._flag_bits[self.flag]


@attrs.frozen(slots=True)
class _Checks(AssetSelection):
    selected: tuple[Any, ...]

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return 0

    def _checks(self, graph: AssetGraph, allow_missing: bool) -> frozenset[Any]:
        known = graph._defs_by_check_key
        missing = [key for key in self.selected if key not in known]
        if missing and not allow_missing:
            labels = sorted(_check_label(key) for key in missing)
            raise InvalidSubsetError(
                f"AssetCheckKey(s) {labels} were selected, but no definitions supply these "
                "checks. Make sure all check names are spelled correctly and that every "
                "check is passed to Definitions."
            )
        return frozenset(key for key in self.selected if key in known)


@attrs.frozen(slots=True)
class _ChecksForAssets(AssetSelection):
    selected: tuple[AssetKey, ...]

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return 0

    def _checks(self, graph: AssetGraph, allow_missing: bool) -> frozenset[Any]:
        return frozenset(
            ck for key in self.selected if key in graph for ck in _checks_of(graph, key)
        )


# -- traversals and filters -----------------------------------------------------------------


@attrs.frozen(slots=True)
class _Upstream(AssetSelection):
    child: AssetSelection
    depth: int | None = None
    include_self: bool = True

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        selected = self.child._bits(graph, allow_missing)
        found = graph._traverse(selected, self.depth, upstream=True) & ~selected
        found &= ~graph._flag_bits["external"]
        return found | selected if self.include_self else found


@attrs.frozen(slots=True)
class _Downstream(AssetSelection):
    child: AssetSelection
    depth: int | None = None
    include_self: bool = True

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        selected = self.child._bits(graph, allow_missing)
        found = graph._traverse(selected, self.depth, upstream=False)
        return found if self.include_self else found & ~selected


@attrs.frozen(slots=True)
class _Roots(AssetSelection):
    child: AssetSelection

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        selected = self.child._bits(graph, allow_missing) & ~graph._flag_bits["external"]
        return selected & ~graph._reach(selected, upstream=False)


@attrs.frozen(slots=True)
class _Sinks(AssetSelection):
    child: AssetSelection

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        selected = self.child._bits(graph, allow_missing)
        return selected & ~graph._reach(selected, upstream=True)


@attrs.frozen(slots=True)
class _RequiredNeighbors(AssetSelection):
    child: AssetSelection

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        selected = self.child._bits(graph, allow_missing)
        execution_sets = _execution_sets(graph)
        out = selected
        for i in ids_of(selected & execution_sets["any"]):
            out |= execution_sets[i]
        return out


@attrs.frozen(slots=True)
class _Materializable(AssetSelection):
    child: AssetSelection

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return self.child._bits(graph, allow_missing) & graph._flag_bits["materializable"]


@attrs.frozen(slots=True)
class _UpstreamSources(AssetSelection):
    child: AssetSelection

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        selected = self.child._bits(graph, allow_missing)
        return graph._reach(selected, upstream=True) & graph._flag_bits["external"]


# -- set operators --------------------------------------------------------------------------


@attrs.frozen(slots=True)
class _Or(AssetSelection):
    operands: tuple[AssetSelection, ...]

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        out = 0
        for operand in self.operands:
            out |= operand._bits(graph, allow_missing)
        return out

    def _checks(self, graph: AssetGraph, allow_missing: bool) -> frozenset[Any]:
        return frozenset().union(*(o._checks(graph, allow_missing) for o in self.operands))


@attrs.frozen(slots=True)
class _And(AssetSelection):
    operands: tuple[AssetSelection, ...]

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        out = -1
        for operand in self.operands:
            out &= operand._bits(graph, allow_missing)
        return out

    def _checks(self, graph: AssetGraph, allow_missing: bool) -> frozenset[Any]:
        first, *rest = (o._checks(graph, allow_missing) for o in self.operands)
        return first.intersection(*rest)


@attrs.frozen(slots=True)
class _Sub(AssetSelection):
    left: AssetSelection
    right: AssetSelection

    def _bits(self, graph: AssetGraph, allow_missing: bool) -> int:
        return self.left._bits(graph, allow_missing) & ~self.right._bits(graph, allow_missing)

    def _checks(self, graph: AssetGraph, allow_missing: bool) -> frozenset[Any]:
        return self.left._checks(graph, allow_missing) - self.right._checks(graph, allow_missing)


# -- helpers --------------------------------------------------------------------------------


def _flatten(kind: type, selection: AssetSelection) -> tuple[AssetSelection, ...]:
    return selection.operands if isinstance(selection, kind) else (selection,)  # type: ignore[attr-defined]


def _as_graph(assets_or_graph: Any) -> AssetGraph:
    if isinstance(assets_or_graph, AssetGraph):
        return assets_or_graph
    from headwater.definitions.definitions import Definitions

    return Definitions(assets=list(assets_or_graph)).resolve_asset_graph()


def _restrict(graph: AssetGraph, bits: int, include_sources: bool) -> int:
    return bits if include_sources else bits & graph._flag_bits["materializable"]


def _lookup(graph: AssetGraph, attribute: str, values: Iterable[str]) -> int:
    index = _attribute_index(graph, attribute)
    bits = 0
    for value in values:
        bits |= index.get(value, 0)
    return bits


def _attribute_index(graph: AssetGraph, attribute: str) -> dict[Any, int]:
    """Value -> bitset of ids having it; built on first use and cached on the graph."""
    cache_key = ("index", attribute)
    index = graph._cache.get(cache_key)
    if index is not None:
        return index
    ids: dict[Any, list[int]] = {}
    for i, key in enumerate(graph._keys):
        spec = graph._spec(i)
        if attribute == "group":
            values: Iterable[Any] = ((spec.group_name if spec else None) or DEFAULT_GROUP_NAME,)
        elif attribute == "tag":
            values = (spec.tags or {}).items() if spec else ()
        elif attribute == "owner":
            values = (spec.owners or ()) if spec else ()
        elif attribute == "kind":
            values = (spec.kinds or ()) if spec else ()
        else:
            values = (key.parts[:n] for n in range(1, len(key.parts) + 1))
        for value in values:
            ids.setdefault(value, []).append(i)
    size = len(graph)
    index = graph._cache[cache_key] = {value: bits_of(v, size) for value, v in ids.items()}
    return index


def _execution_sets(graph: AssetGraph) -> dict[Any, int]:
    """Id -> bitset of its non-subsettable multi-asset's keys; "any" -> all such ids."""
    sets = graph._cache.get("execution-sets")
    if sets is None:
        sets = {}
        size = len(graph)
        for ad in graph._assets_defs:
            if ad.can_subset or len(ad.keys) < 2:
                continue
            ids = [graph._index[key] for key in ad.keys]
            bits = bits_of(ids, size)
            sets.update(dict.fromkeys(ids, bits))
        sets["any"] = bits_of((i for i in sets), size)
        graph._cache["execution-sets"] = sets
    return sets


def _checks_of(graph: AssetGraph, key: AssetKey) -> tuple[Any, ...]:
    return tuple(graph._check_keys_by_id.get(graph._index[key], ()))


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    # Only "*" is special (any run of characters); everything else matches literally.
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")) + r"\Z", re.DOTALL)


def _missing_keys_message(missing: list[AssetKey], graph: AssetGraph) -> str:
    labels = sorted(key.to_user_string() for key in missing)
    message = (
        f"AssetKey(s) {labels} were selected, but no definitions supply these keys. Make sure "
        "all keys are spelled correctly, and that every asset is passed to Definitions."
    )
    known = [key.to_user_string() for key in graph._keys]
    for label in labels:
        hint = did_you_mean(label, known)
        if hint:
            message += f" Instead of '{label}'{hint[1:]}"
    return message


def _check_label(check_key: Any) -> str:
    asset_key = getattr(check_key, "asset_key", None)
    name = getattr(check_key, "name", None)
    if isinstance(asset_key, AssetKey) and name is not None:
        return f"{asset_key.to_user_string()}:{name}"
    return str(check_key)


def _keys_attr(item: Any) -> Any:
    keys = getattr(item, "keys", None)
    return None if keys is None or callable(keys) else keys


def _is_definition(item: Any) -> bool:
    return _keys_attr(item) is not None or isinstance(getattr(item, "key", None), AssetKey)


def _coerce_asset_keys(items: Iterable[Any]) -> list[AssetKey]:
    keys: list[AssetKey] = []
    for item in items:
        if isinstance(item, (AssetKey, str, list, tuple)):
            keys.append(AssetKey.from_coercible(item))
        elif _keys_attr(item) is not None:
            keys.extend(sorted(_keys_attr(item)))
        elif isinstance(getattr(item, "key", None), AssetKey):
            keys.append(item.key)
        else:
            raise TypeError(
                f"Cannot select {item!r} as an asset; pass an AssetKey, a string, a list of "
                "strings, an AssetSpec or an asset definition"
            )
    return keys


def _coerce_check_keys(items: Iterable[Any]) -> list[Any]:
    from headwater.definitions.checks import AssetCheckKey

    keys: list[Any] = []
    for item in items:
        if isinstance(item, AssetCheckKey):
            keys.append(item)
        elif getattr(item, "check_keys", None) is not None:
            keys.extend(item.check_keys)
        elif isinstance(getattr(item, "key", None), AssetCheckKey):
            keys.append(item.key)
        else:
            raise TypeError(
                f"Cannot select {item!r} as an asset check; pass an AssetCheckKey, an "
                "AssetCheckSpec or an asset check definition"
            )
    return keys


def _bad_coercible(selection: Any) -> InvalidDefinitionError:
    return InvalidDefinitionError(
        f"Cannot use {selection!r} as an asset selection; pass an AssetSelection, a selection "
        "string, a list of strings, or a list of asset keys or asset definitions"
    )
