"""`AssetSpec`, `AssetDep`, `AssetIn` and `AssetOut`: the declarative parts of an asset."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey
from headwater.definitions.names import check_valid_group_name
from headwater.errors import InvalidDefinitionError

IO_MANAGER_KEY_METADATA = "dagster/io_manager_key"
EMPTY_FROZENSET: frozenset[Any] = frozenset()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAX_KINDS = 3


_BUILDERS: dict[type, Any] = {}


def build_trusted(cls: type, *values: Any) -> Any:
    """Build an attrs value from already-normalised field values, in field order.

    The decorators build thousands of values whose fields they have just validated; skipping
    the converters keeps `@asset` cheap.
    """
    builder = _BUILDERS.get(cls)
    if builder is None:
        builder = _BUILDERS[cls] = _make_builder(cls)
    return builder(*values)


def _make_builder(cls: type) -> Any:
    names = [a.name for a in attrs.fields(cls)]
    lines = [f"def build({', '.join(names)}):", "    obj = new(cls)"]
    lines += [f"    set(obj, {name!r}, {name})" for name in names]
    lines.append("    return obj")
    namespace: dict[str, Any] = {"new": object.__new__, "set": object.__setattr__, "cls": cls}
    exec("\n".join(lines), namespace)
    return namespace["build"]


def _coerce_key(value: Any) -> AssetKey:
    if value.__class__ is AssetKey:
        return value
    if isinstance(value, (str, list, tuple)):
        return AssetKey(value)
    key = getattr(value, "key", None)
    if isinstance(key, AssetKey):
        return key
    raise InvalidDefinitionError(
        f"Cannot use {value!r} ({type(value).__name__}) as an asset dependency; pass an AssetKey, "
        "a string, an AssetSpec, an AssetsDefinition, a SourceAsset or an AssetDep."
    )


@attrs.frozen(init=False)
class AssetDep:
    """A dependency on an upstream asset, with an optional partition mapping.

    Args:
        asset: the upstream asset: a key, a string (one component), an `AssetSpec`,
            a single-asset `AssetsDefinition` or a `SourceAsset`.
        partition_mapping: which upstream partitions each partition depends on.
        metadata: metadata about the dependency.
    """

    asset_key: AssetKey
    partition_mapping: Any = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict)

    def __init__(
        self,
        asset: Any,
        *,
        partition_mapping: Any = None,
        metadata: Mapping[str, Any] | None = None,
    ):
        self.__attrs_init__(_coerce_key(asset), partition_mapping, dict(metadata or {}))


def coerce_dep(value: Any) -> AssetDep:
    """Turn anything `AssetDep` accepts, or an `AssetDep`, into an `AssetDep`."""
    if value.__class__ is AssetDep:
        return value
    return AssetDep(value)


def _to_deps(value: Iterable[Any] | None) -> tuple[AssetDep, ...]:
    if not value:
        return ()
    if isinstance(value, (str, AssetKey)):
        raise InvalidDefinitionError(
            f"deps must be a list of dependencies, not a single {type(value).__name__}: "
            f"write deps=[{value!r}]."
        )
    deps = tuple(coerce_dep(item) for item in value)
    seen: set[AssetKey] = set()
    for dep in deps:
        if dep.asset_key in seen:
            raise InvalidDefinitionError(
                f"Dependency on {dep.asset_key!r} is listed more than once; list each "
                "upstream asset once."
            )
        seen.add(dep.asset_key)
    return deps


def _to_dict(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(value) if value else {}


def _normalized_metadata(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """Metadata as `MetadataValue`s; the module converting them loads only when there is some."""
    if not value:
        return {}
    from headwater.definitions.metadata import normalize_metadata

    return normalize_metadata(value)


def _to_owners(value: Sequence[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    owners = tuple(value)
    for owner in owners:
        if not isinstance(owner, str) or not (
            (owner.startswith("team:") and len(owner) > 5) or _EMAIL.match(owner)
        ):
            raise InvalidDefinitionError(
                f"Invalid owner {owner!r}: an owner is an email address or a team name "
                "prefixed with 'team:', e.g. 'team:finops'."
            )
    return owners


def _to_kinds(value: Iterable[str] | None) -> frozenset[str]:
    if not value:
        return EMPTY_FROZENSET
    kinds = frozenset(value)
    if len(kinds) > _MAX_KINDS:
        raise InvalidDefinitionError(
            f"An asset can have at most {_MAX_KINDS} kinds; got {sorted(kinds)}."
        )
    return kinds


def _to_tags(value: Mapping[str, str] | None) -> dict[str, str]:
    if not value:
        return {}
    for tag_key, tag_value in value.items():
        if not isinstance(tag_key, str) or not isinstance(tag_value, str):
            raise InvalidDefinitionError(
                f"Asset tag {tag_key!r}: {tag_value!r} is not a pair of strings; tag keys and "
                "values must be strings (put other values in metadata)."
            )
    return dict(value)


def _group_validator(_instance: object, _attribute: object, value: str | None) -> None:
    check_valid_group_name(value)


@attrs.frozen
class AssetSpec:
    """Everything about an asset except the function that computes it.

    A bare spec given to `Definitions` is an external asset: it is in the graph and can be
    loaded, but headwater cannot materialize it.

    Args:
        key: the asset key; a plain string is one component.
        deps: upstream assets (keys, strings, specs, definitions or `AssetDep`s).
        description: human-readable description.
        metadata: static metadata.
        skippable: whether a run may skip this asset.
        group_name: the group; ``None`` until the spec belongs to a definition, which
            reports ``"default"``.
        code_version: version of the code producing this asset.
        automation_condition: when to materialize automatically.
        owners: email addresses or ``"team:<name>"`` strings.
        tags: string tags for filtering.
        kinds: up to three kinds (``"python"``, ``"snowflake"``...).
        partitions_def: the partitions of the asset.
        backfill_policy: how backfills of this asset are split into runs.
        freshness_policy: accepted for compatibility and stored as given.
    """

    key: AssetKey = attrs.field(converter=AssetKey.from_coercible)
    deps: tuple[AssetDep, ...] = attrs.field(default=(), converter=_to_deps, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_to_dict, kw_only=True)
    skippable: bool = attrs.field(default=False, kw_only=True)
    group_name: str | None = attrs.field(default=None, validator=_group_validator, kw_only=True)
    code_version: str | None = attrs.field(default=None, kw_only=True)
    automation_condition: Any = attrs.field(default=None, kw_only=True)
    owners: tuple[str, ...] = attrs.field(default=(), converter=_to_owners, kw_only=True)
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=_to_tags, kw_only=True)
    kinds: frozenset[str] = attrs.field(default=EMPTY_FROZENSET, converter=_to_kinds, kw_only=True)
    partitions_def: Any = attrs.field(default=None, kw_only=True)
    backfill_policy: Any = attrs.field(default=None, kw_only=True)
    freshness_policy: Any = attrs.field(default=None, kw_only=True)

    def replace_attributes(self, **changes: Any) -> AssetSpec:
        """A copy with the given attributes replaced."""
        return attrs.evolve(self, **changes)

    def merge_attributes(
        self,
        *,
        deps: Iterable[Any] = (),
        metadata: Mapping[str, Any] | None = None,
        owners: Sequence[str] = (),
        tags: Mapping[str, str] | None = None,
        kinds: Iterable[str] = (),
    ) -> AssetSpec:
        """A copy with deps, metadata, owners, tags and kinds added to the existing ones."""
        extra_deps = [coerce_dep(d) for d in deps]
        known = {d.asset_key for d in self.deps}
        return attrs.evolve(
            self,
            deps=self.deps + tuple(d for d in extra_deps if d.asset_key not in known),
            metadata={**self.metadata, **(metadata or {})},
            owners=self.owners + tuple(o for o in owners if o not in self.owners),
            tags={**self.tags, **(tags or {})},
            kinds=self.kinds | frozenset(kinds),
        )

    def with_io_manager_key(self, io_manager_key: str) -> AssetSpec:
        """A copy whose ``"dagster/io_manager_key"`` metadata names the IO manager to load it."""
        return self.merge_attributes(metadata={IO_MANAGER_KEY_METADATA: io_manager_key})


def _to_prefix(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _optional_key(value: Any) -> AssetKey | None:
    return None if value is None else AssetKey.from_coercible(value)


def _check_key_xor_prefix(instance: Any, _attribute: object, _value: object) -> None:
    if instance.key is not None and instance.key_prefix:
        raise InvalidDefinitionError(
            f"{type(instance).__name__} takes key or key_prefix, not both "
            f"(key={instance.key!r}, key_prefix={list(instance.key_prefix)!r})."
        )


@attrs.frozen
class AssetIn:
    """How a function parameter of an asset maps to an upstream asset.

    Args:
        key: the upstream key; defaults to the parameter name.
        metadata: metadata passed to the IO manager that loads the input.
        key_prefix: prefix put in front of the parameter name (instead of ``key``).
        input_manager_key: resource key of the input manager that loads the value.
        partition_mapping: which upstream partitions each partition reads.
        dagster_type: the type of the input value.
    """

    key: AssetKey | None = attrs.field(default=None, converter=_optional_key)
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_to_dict)
    key_prefix: tuple[str, ...] = attrs.field(
        default=(), converter=_to_prefix, validator=_check_key_xor_prefix
    )
    input_manager_key: str | None = None
    partition_mapping: Any = None
    dagster_type: Any = None

    def resolve_key(self, input_name: str) -> AssetKey:
        """The upstream key for a parameter called ``input_name``."""
        if self.key is not None:
            return self.key
        return AssetKey((*self.key_prefix, input_name))


@attrs.frozen
class AssetOut:
    """One asset produced by a `multi_asset`, declared by output name.

    Args mirror `AssetSpec`, plus ``key_prefix``, ``dagster_type``, ``is_required`` (whether the
    function always produces it) and ``io_manager_key`` (the resource storing the value).
    """

    key_prefix: tuple[str, ...] = attrs.field(
        default=(), converter=_to_prefix, validator=_check_key_xor_prefix
    )
    key: AssetKey | None = attrs.field(default=None, converter=_optional_key)
    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_to_dict)
    group_name: str | None = attrs.field(default=None, validator=_group_validator)
    code_version: str | None = None
    automation_condition: Any = None
    backfill_policy: Any = None
    owners: tuple[str, ...] = attrs.field(default=(), converter=_to_owners)
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=_to_tags)
    kinds: frozenset[str] = attrs.field(default=EMPTY_FROZENSET, converter=_to_kinds)
    freshness_policy: Any = None

    def resolve_key(self, output_name: str) -> AssetKey:
        """The key for the output called ``output_name``."""
        if self.key is not None:
            return self.key
        return AssetKey((*self.key_prefix, output_name))

    def to_spec(self, key: AssetKey, deps: Iterable[AssetDep]) -> AssetSpec:
        """The `AssetSpec` this output describes."""
        return AssetSpec(
            key,
            deps=tuple(deps),
            description=self.description,
            metadata=self.metadata,
            group_name=self.group_name,
            code_version=self.code_version,
            automation_condition=self.automation_condition,
            owners=self.owners,
            tags=self.tags,
            kinds=self.kinds,
            backfill_policy=self.backfill_policy,
            freshness_policy=self.freshness_policy,
            skippable=not self.is_required,
        )

    @staticmethod
    def from_spec(spec: AssetSpec, **kwargs: Any) -> AssetOut:
        """An `AssetOut` carrying the attributes of ``spec`` (deps are not carried)."""
        return AssetOut(
            key=spec.key,
            description=spec.description,
            metadata=spec.metadata,
            group_name=spec.group_name,
            code_version=spec.code_version,
            automation_condition=spec.automation_condition,
            owners=spec.owners,
            tags=spec.tags,
            kinds=spec.kinds,
            backfill_policy=spec.backfill_policy,
            freshness_policy=spec.freshness_policy,
            is_required=not spec.skippable,
            **kwargs,
        )
