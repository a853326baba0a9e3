"""`AssetsDefinition`: one op (or none, for external assets) and the assets it produces."""

from __future__ import annotations

import enum
import importlib
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from headwater.definitions._invocation import invoke_directly
from headwater.definitions.checks import AssetCheckKey, AssetCheckSpec
from headwater.definitions.keys import AssetKey, CoercibleToAssetKey
from headwater.definitions.names import DEFAULT_GROUP_NAME
from headwater.definitions.ops import DEFAULT_IO_MANAGER_KEY, Nothing, OpDefinition
from headwater.definitions.specs import (
    EMPTY_FROZENSET,
    IO_MANAGER_KEY_METADATA,
    AssetDep,
    AssetSpec,
)
from headwater.errors import InvalidDefinitionError, InvalidSubsetError


class AssetExecutionType(enum.Enum):
    """What running an asset's node does: materialize it, observe it, or nothing (external)."""

    MATERIALIZATION = "MATERIALIZATION"
    OBSERVATION = "OBSERVATION"
    UNEXECUTABLE = "UNEXECUTABLE"


def _attach(spec: AssetSpec, partitions_def: Any) -> AssetSpec:
    """The spec as stored on a definition: group resolved, partitions filled in."""
    changes: dict[str, Any] = {}
    if spec.group_name is None:
        changes["group_name"] = DEFAULT_GROUP_NAME
    if spec.partitions_def is None and partitions_def is not None:
        changes["partitions_def"] = partitions_def
    return attrs.evolve(spec, **changes) if changes else spec


def _load_global(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


def _rebuild(cls: type, state: dict[str, Any]) -> AssetsDefinition:
    obj = object.__new__(cls)
    for slot, value in state.items():
        object.__setattr__(obj, slot, value)
    obj._cache = {}
    return obj


class AssetsDefinition:
    """A set of assets produced by one op, or described without one (external assets).

    Usually built by `asset` or `multi_asset`; `AssetsDefinition.from_op` wraps an existing op.

    Args:
        keys_by_input_name: the upstream key loaded by each op input.
        keys_by_output_name: the asset key produced by each op output.
        node_def: the op computing the assets; ``None`` for external assets.
        partitions_def: partitions shared by every asset of the definition.
        partition_mappings: explicit partition mapping per upstream key.
        asset_deps: upstream keys per produced key (defaults to every input).
        selected_asset_keys: the keys selected, for a subset.
        can_subset: whether the op can produce any subset of its assets.
        resource_defs: resources bound to the definition.
        backfill_policy: how backfills are split into runs.
        specs: one `AssetSpec` per produced key (built from the other arguments if omitted).
        check_specs_by_output_name: checks computed by the op, by output name.
        selected_asset_check_keys: the checks selected, for a subset.
        execution_type: materialization, observation or unexecutable.
    """

    __slots__ = (
        "_backfill_policy",
        "_cache",
        "_can_subset",
        "_check_specs_by_output_name",
        "_execution_type",
        "_keys_by_input_name",
        "_keys_by_output_name",
        "_node_def",
        "_partition_mappings",
        "_partitions_def",
        "_resource_defs",
        "_selected_asset_keys",
        "_selected_check_keys",
        "_source",
        "_specs_by_key",
    )

    def __init__(
        self,
        *,
        keys_by_input_name: Mapping[str, AssetKey],
        keys_by_output_name: Mapping[str, AssetKey],
        node_def: OpDefinition | None,
        partitions_def: Any = None,
        partition_mappings: Mapping[AssetKey, Any] | None = None,
        asset_deps: Mapping[AssetKey, Iterable[AssetKey]] | None = None,
        selected_asset_keys: Iterable[AssetKey] | None = None,
        can_subset: bool = False,
        resource_defs: Mapping[str, Any] | None = None,
        backfill_policy: Any = None,
        specs: Sequence[AssetSpec] | None = None,
        check_specs_by_output_name: Mapping[str, AssetCheckSpec] | None = None,
        selected_asset_check_keys: Iterable[AssetCheckKey] | None = None,
        execution_type: AssetExecutionType = AssetExecutionType.MATERIALIZATION,
    ):
        keys_by_input_name = dict(keys_by_input_name)
        keys_by_output_name = dict(keys_by_output_name)
        mappings = dict(partition_mappings) if partition_mappings else {}
        if specs is None:
            input_keys = tuple(keys_by_input_name.values())
            specs = [
                AssetSpec(
                    key,
                    deps=[
                        AssetDep(dep, partition_mapping=mappings.get(dep))
                        for dep in (asset_deps[key] if asset_deps else input_keys)
                    ],
                )
                for key in keys_by_output_name.values()
            ]
        specs_by_key: dict[AssetKey, AssetSpec] = {}
        for spec in specs:
            spec = _attach(spec, partitions_def)
            if partitions_def is None:
                partitions_def = spec.partitions_def
            elif spec.partitions_def != partitions_def:
                raise InvalidDefinitionError(
                    f"Assets {sorted(k.to_user_string() for k in specs_by_key)} and "
                    f"'{spec.key.to_user_string()}' are computed together but have different "
                    "partitions definitions; give every asset of one definition the same "
                    "partitions_def."
                )
            for dep in spec.deps:
                if dep.partition_mapping is not None:
                    mappings.setdefault(dep.asset_key, dep.partition_mapping)
            specs_by_key[spec.key] = spec
        missing = set(keys_by_output_name.values()) - specs_by_key.keys()
        if missing:
            raise InvalidDefinitionError(
                f"No AssetSpec given for produced key(s) {sorted(missing)}; pass one spec per "
                "output key."
            )
        self._init_slots(
            node_def=node_def,
            keys_by_input_name=keys_by_input_name,
            keys_by_output_name=keys_by_output_name,
            specs_by_key=specs_by_key,
            check_specs_by_output_name=(
                dict(check_specs_by_output_name) if check_specs_by_output_name else {}
            ),
            can_subset=can_subset,
            partitions_def=partitions_def,
            partition_mappings=mappings,
            backfill_policy=backfill_policy,
            resource_defs=dict(resource_defs) if resource_defs else {},
            execution_type=execution_type,
            selected_asset_keys=selected_asset_keys,
            selected_asset_check_keys=selected_asset_check_keys,
        )

    def _init_slots(
        self,
        *,
        node_def: OpDefinition | None,
        keys_by_input_name: dict[str, AssetKey],
        keys_by_output_name: dict[str, AssetKey],
        specs_by_key: dict[AssetKey, AssetSpec],
        check_specs_by_output_name: dict[str, AssetCheckSpec],
        can_subset: bool,
        partitions_def: Any,
        partition_mappings: dict[AssetKey, Any],
        backfill_policy: Any,
        resource_defs: dict[str, Any],
        execution_type: AssetExecutionType = AssetExecutionType.MATERIALIZATION,
        selected_asset_keys: Iterable[AssetKey] | None = None,
        selected_asset_check_keys: Iterable[AssetCheckKey] | None = None,
    ) -> None:
        """Set every slot from normalised values (specs attached, mappings collected)."""
        self._node_def = node_def
        self._keys_by_input_name = keys_by_input_name
        self._keys_by_output_name = keys_by_output_name
        self._specs_by_key = specs_by_key
        self._check_specs_by_output_name = check_specs_by_output_name
        self._selected_asset_keys = (
            frozenset(selected_asset_keys)
            if selected_asset_keys is not None
            else frozenset(specs_by_key)
        )
        if selected_asset_check_keys is not None:
            self._selected_check_keys = frozenset(selected_asset_check_keys)
        elif check_specs_by_output_name:
            self._selected_check_keys = frozenset(
                s.key for s in check_specs_by_output_name.values()
            )
        else:
            self._selected_check_keys = EMPTY_FROZENSET
        self._can_subset = can_subset
        self._partitions_def = partitions_def
        self._partition_mappings = partition_mappings
        self._backfill_policy = backfill_policy
        self._resource_defs = resource_defs
        self._execution_type = execution_type
        self._source = None
        self._cache = {}

    @classmethod
    def _trusted(cls, **slots: Any) -> AssetsDefinition:
        """Build from normalised values (see `_init_slots`); used by the decorators."""
        obj = object.__new__(cls)
        obj._init_slots(**slots)
        return obj

    # -- construction helpers ---------------------------------------------------------------

    def _replace(self, **slots: Any) -> AssetsDefinition:
        """A shallow copy with some slots replaced and derived caches cleared."""
        new = object.__new__(type(self))
        for slot in AssetsDefinition.__slots__:
            object.__setattr__(new, slot, slots[slot] if slot in slots else getattr(self, slot))
        new._cache = {}
        return new

    def _cached(self, name: str, build: Callable[[], Any]) -> Any:
        cache = self._cache
        if name not in cache:
            cache[name] = build()
        return cache[name]

    def __reduce__(self):
        # A definition made at module level pickles by reference, because its compute function
        # is shadowed in the module by the definition itself and cannot be pickled by name.
        if self._source is not None:
            module, name = self._source
            if getattr(sys.modules.get(module), name, None) is self:
                return (_load_global, (module, name))
        state = {slot: getattr(self, slot) for slot in AssetsDefinition.__slots__}
        del state["_cache"]
        return (_rebuild, (type(self), state))

    def __repr__(self) -> str:
        keys = sorted(k.to_user_string() for k in self._selected_asset_keys)
        return f"{type(self).__name__}(keys={keys})"

    @staticmethod
    def from_op(op_def: OpDefinition, **kwargs: Any) -> AssetsDefinition:
        """Wrap an existing `OpDefinition`: each output is an asset, each input an upstream.

        Keyword arguments: ``keys_by_input_name``, ``keys_by_output_name``, ``key_prefix``
        (applied to output keys), ``internal_asset_deps``, ``partitions_def``,
        ``partition_mappings`` (by input name), ``group_name``, ``group_names_by_output_name``,
        ``descriptions_by_output_name``, ``metadata_by_output_name``, ``tags_by_output_name``,
        ``freshness_policies_by_output_name``, ``automation_conditions_by_output_name``,
        ``backfill_policy``, ``can_subset`` and ``owners_by_key``. Keys default to the input
        and output names.
        """
        from headwater.definitions._asset_builders import assets_def_from_op

        return assets_def_from_op(op_def, **kwargs)

    @staticmethod
    def from_graph(graph_def: Any, **kwargs: Any) -> AssetsDefinition:
        """Wrap an existing `GraphDefinition`: each graph output is an asset.

        Takes the keyword arguments of `from_op`, plus ``resource_defs``.
        """
        from headwater.definitions.graph_assets import assets_def_from_graph

        return assets_def_from_graph(graph_def, **kwargs)

    # -- keys and specs ---------------------------------------------------------------------

    @property
    def keys(self) -> frozenset[AssetKey]:
        """The asset keys this definition produces (the selected ones, for a subset)."""
        return self._selected_asset_keys

    @property
    def key(self) -> AssetKey:
        """The single asset key; an error for multi-assets."""
        if len(self._selected_asset_keys) != 1:
            raise InvalidDefinitionError(
                f"Tried to read .key of a definition with {len(self._selected_asset_keys)} asset "
                f"keys {sorted(self._selected_asset_keys)}; use .keys instead."
            )
        return next(iter(self._selected_asset_keys))

    @property
    def is_subset(self) -> bool:
        """Whether only some of the assets or checks are selected."""
        return len(self._selected_asset_keys) < len(self._specs_by_key) or len(
            self._selected_check_keys
        ) < len(self._check_specs_by_output_name)

    @property
    def keys_by_output_name(self) -> Mapping[str, AssetKey]:
        """The selected asset key of each op output."""
        if not self.is_subset:
            return self._keys_by_output_name
        return self._cached(
            "keys_by_output_name",
            lambda: {
                n: k for n, k in self._keys_by_output_name.items() if k in self._selected_asset_keys
            },
        )

    @property
    def node_keys_by_output_name(self) -> Mapping[str, AssetKey]:
        """The asset key of every op output, selected or not."""
        return self._keys_by_output_name

    @property
    def keys_by_input_name(self) -> Mapping[str, AssetKey]:
        """The upstream key loaded by each op input."""
        return self._keys_by_input_name

    @property
    def specs_by_key(self) -> Mapping[AssetKey, AssetSpec]:
        """The spec of each selected key; group names are resolved."""
        if len(self._selected_asset_keys) == len(self._specs_by_key):
            return self._specs_by_key
        return self._cached(
            "specs_by_key",
            lambda: {k: s for k, s in self._specs_by_key.items() if k in self._selected_asset_keys},
        )

    @property
    def specs(self) -> Iterable[AssetSpec]:
        """The specs of the selected keys."""
        return self.specs_by_key.values()

    def get_asset_spec(self, key: CoercibleToAssetKey | None = None) -> AssetSpec:
        """The spec of ``key``, which may be omitted for a single-asset definition."""
        resolved = self.key if key is None else AssetKey.from_coercible(key)
        spec = self.specs_by_key.get(resolved)
        if spec is None:
            raise InvalidDefinitionError(
                f"{resolved!r} is not produced by this definition; its keys are "
                f"{sorted(self.keys)}."
            )
        return spec

    @property
    def asset_deps(self) -> Mapping[AssetKey, frozenset[AssetKey]]:
        """The upstream keys of each produced key, inside or outside this definition."""
        return self._cached(
            "asset_deps",
            lambda: {
                key: frozenset(dep.asset_key for dep in spec.deps)
                for key, spec in self.specs_by_key.items()
            },
        )

    @property
    def dependency_keys(self) -> frozenset[AssetKey]:
        """Every key upstream of a selected asset or check."""

        def build() -> frozenset[AssetKey]:
            keys: set[AssetKey] = set()
            for deps in self.asset_deps.values():
                keys.update(deps)
            for spec in self.check_specs:
                keys.add(spec.asset_key)
                keys.update(dep.asset_key for dep in spec.additional_deps)
            return frozenset(keys)

        return self._cached("dependency_keys", build)

    def _by_key(self, attribute: str, keep_none: bool = False) -> dict[AssetKey, Any]:
        return self._cached(
            attribute,
            lambda: {
                key: getattr(spec, attribute)
                for key, spec in self.specs_by_key.items()
                if keep_none or getattr(spec, attribute)
            },
        )

    @property
    def group_names_by_key(self) -> Mapping[AssetKey, str]:
        """The group of each asset."""
        return self._by_key("group_name")

    @property
    def descriptions_by_key(self) -> Mapping[AssetKey, str]:
        """The description of each asset that has one."""
        return self._by_key("description")

    @property
    def code_versions_by_key(self) -> Mapping[AssetKey, str | None]:
        """The code version of each asset (``None`` when unset)."""
        return self._by_key("code_version", keep_none=True)

    @property
    def metadata_by_key(self) -> Mapping[AssetKey, Mapping[str, Any]]:
        """The static metadata of each asset."""
        return self._by_key("metadata", keep_none=True)

    @property
    def tags_by_key(self) -> Mapping[AssetKey, Mapping[str, str]]:
        """The tags of each asset."""
        return self._by_key("tags", keep_none=True)

    @property
    def owners_by_key(self) -> Mapping[AssetKey, Sequence[str]]:
        """The owners of each asset."""
        return self._by_key("owners", keep_none=True)

    @property
    def kinds_by_key(self) -> Mapping[AssetKey, frozenset[str]]:
        """The kinds of each asset."""
        return self._by_key("kinds", keep_none=True)

    @property
    def automation_conditions_by_key(self) -> Mapping[AssetKey, Any]:
        """The automation condition of each asset that has one."""
        return self._by_key("automation_condition")

    @property
    def backfill_policies_by_key(self) -> Mapping[AssetKey, Any]:
        """The backfill policy of each asset (the definition's, unless a spec sets its own)."""
        return self._cached(
            "backfill_policies_by_key",
            lambda: {
                key: spec.backfill_policy or self._backfill_policy
                for key, spec in self.specs_by_key.items()
            },
        )

    # -- checks -----------------------------------------------------------------------------

    @property
    def check_specs_by_output_name(self) -> Mapping[str, AssetCheckSpec]:
        """The selected checks computed by the op, by output name."""
        return self._cached(
            "check_specs_by_output_name",
            lambda: {
                n: s
                for n, s in self._check_specs_by_output_name.items()
                if s.key in self._selected_check_keys
            },
        )

    @property
    def node_check_specs_by_output_name(self) -> Mapping[str, AssetCheckSpec]:
        """Every check computed by the op, selected or not."""
        return self._check_specs_by_output_name

    @property
    def check_specs(self) -> Iterable[AssetCheckSpec]:
        """The selected checks."""
        return self.check_specs_by_output_name.values()

    @property
    def check_keys(self) -> frozenset[AssetCheckKey]:
        """The keys of the selected checks."""
        return self._selected_check_keys

    def get_output_name_for_asset_key(self, key: AssetKey) -> str:
        """The op output producing ``key``."""
        names = self._cached(
            "output_names", lambda: {k: n for n, k in self._keys_by_output_name.items()}
        )
        if key not in names:
            raise InvalidDefinitionError(f"{key!r} is not produced by {self!r}.")
        return names[key]

    def get_output_name_for_check_key(self, check_key: AssetCheckKey) -> str:
        """The op output producing the check ``check_key``."""
        for name, spec in self._check_specs_by_output_name.items():
            if spec.key == check_key:
                return name
        raise InvalidDefinitionError(f"Check {check_key.to_user_string()} is not in {self!r}.")

    # -- execution-facing attributes --------------------------------------------------------

    @property
    def execution_type(self) -> AssetExecutionType:
        """Whether the node materializes, observes, or cannot run."""
        return self._execution_type

    @property
    def is_materializable(self) -> bool:
        """Whether running the node materializes the assets."""
        return self._execution_type is AssetExecutionType.MATERIALIZATION

    @property
    def is_observable(self) -> bool:
        """Whether running the node observes the assets."""
        return self._execution_type is AssetExecutionType.OBSERVATION

    @property
    def is_executable(self) -> bool:
        """Whether there is a node to run."""
        return self._execution_type is not AssetExecutionType.UNEXECUTABLE

    @property
    def is_external(self) -> bool:
        """Whether headwater cannot materialize these assets (specs and source assets)."""
        return self._execution_type is not AssetExecutionType.MATERIALIZATION

    @property
    def node_def(self) -> OpDefinition:
        """The op computing the assets."""
        if self._node_def is None:
            raise InvalidDefinitionError(
                f"{self!r} describes external assets and has no op to run."
            )
        return self._node_def

    @property
    def op(self) -> OpDefinition:
        """The op computing the assets (same as `node_def`)."""
        return self.node_def

    @property
    def partitions_def(self) -> Any:
        """The partitions shared by the assets, if any."""
        return self._partitions_def

    @property
    def backfill_policy(self) -> Any:
        """The backfill policy of the op, if any."""
        return self._backfill_policy

    @property
    def can_subset(self) -> bool:
        """Whether the op can produce any subset of its assets."""
        return self._can_subset

    @property
    def required_resource_keys(self) -> frozenset[str]:
        """The resource keys the op needs, including IO managers of its outputs and inputs."""

        def build() -> frozenset[str]:
            if self._node_def is None:
                io_keys = {
                    spec.metadata.get(IO_MANAGER_KEY_METADATA, DEFAULT_IO_MANAGER_KEY)
                    for spec in self._specs_by_key.values()
                }
                return frozenset(io_keys) if self.is_observable else frozenset()
            keys = set(self._node_def.required_resource_keys)
            for name, out in self._node_def.outs.items():
                if name in self._keys_by_output_name and out.dagster_type is not Nothing:
                    keys.add(out.io_manager_key or DEFAULT_IO_MANAGER_KEY)
            for spec_in in self._node_def.ins.values():
                if spec_in.input_manager_key:
                    keys.add(spec_in.input_manager_key)
            return frozenset(keys)

        return self._cached("required_resource_keys", build)

    @property
    def resource_defs(self) -> Mapping[str, Any]:
        """Resources bound with `with_resources`."""
        return self._resource_defs

    @property
    def retry_policy(self) -> Any:
        """The op's retry policy."""
        return self._node_def.retry_policy if self._node_def is not None else None

    @property
    def op_tags(self) -> Mapping[str, Any]:
        """The op's tags."""
        return self._node_def.tags if self._node_def is not None else {}

    @property
    def code_version(self) -> str | None:
        """The op's code version."""
        return self._node_def.code_version if self._node_def is not None else None

    def io_manager_key_for_asset_key(self, key: AssetKey) -> str:
        """The resource key of the IO manager storing (or loading) ``key``."""
        if self._node_def is not None:
            out = self._node_def.outs.get(self.get_output_name_for_asset_key(key))
            if out is not None and out.io_manager_key:
                return out.io_manager_key
        spec = self._specs_by_key[key]
        return spec.metadata.get(IO_MANAGER_KEY_METADATA, DEFAULT_IO_MANAGER_KEY)

    def is_output_required(self, output_name: str) -> bool:
        """Whether the op must produce ``output_name``."""
        return self.node_def.outs[output_name].is_required

    @property
    def output_required(self) -> bool:
        """For a single asset: whether the function always materializes it."""
        return self.is_output_required(self.get_output_name_for_asset_key(self.key))

    def get_partition_mapping(self, key: CoercibleToAssetKey) -> Any:
        """The explicit partition mapping to upstream ``key``, or ``None`` to use the default."""
        return self._partition_mappings.get(AssetKey.from_coercible(key))

    @property
    def partition_mappings(self) -> Mapping[AssetKey, Any]:
        """Explicit partition mappings by upstream key."""
        return self._partition_mappings

    @property
    def source_module(self) -> str | None:
        """The module where the decorated function was defined, if known."""
        return self._source[0] if self._source else None

    # -- transforms -------------------------------------------------------------------------

    def with_attributes(
        self,
        *,
        asset_key_replacements: Mapping[AssetKey, AssetKey] | None = None,
        group_names_by_key: Mapping[AssetKey, str] | None = None,
        tags_by_key: Mapping[AssetKey, Mapping[str, str]] | None = None,
        automation_condition: Any = None,
        backfill_policy: Any = None,
    ) -> AssetsDefinition:
        """A copy with keys renamed, groups, tags, automation condition or backfill policy set.

        Raises:
            InvalidDefinitionError: a group is given for an asset that already has another
                non-default group.
        """
        from headwater.definitions._asset_builders import with_replaced_attributes

        return with_replaced_attributes(
            self,
            asset_key_replacements=asset_key_replacements or {},
            group_names_by_key=group_names_by_key or {},
            tags_by_key=tags_by_key or {},
            automation_condition=automation_condition,
            backfill_policy=backfill_policy,
        )

    def map_asset_specs(self, fn: Callable[[AssetSpec], AssetSpec]) -> AssetsDefinition:
        """A copy whose specs are ``fn(spec)``; ``fn`` may not change keys or an op's deps.

        Raises:
            InvalidDefinitionError: ``fn`` changed a key, or the deps of an executable asset.
        """
        specs = {}
        for key, spec in self._specs_by_key.items():
            new = fn(spec)
            if new.key != key:
                raise InvalidDefinitionError(
                    f"map_asset_specs cannot change asset keys ({key.to_user_string()} became "
                    f"{new.key.to_user_string()}); use with_attributes(asset_key_replacements=...)."
                )
            if self.is_executable and {d.asset_key for d in new.deps} != {
                d.asset_key for d in spec.deps
            }:
                raise InvalidDefinitionError(
                    f"map_asset_specs cannot change the deps of executable asset "
                    f"{key.to_user_string()}; declare deps on the decorator instead."
                )
            specs[key] = _attach(new, self._partitions_def)
        return self._replace(_specs_by_key=specs)

    def with_resources(self, resource_defs: Mapping[str, Any]) -> AssetsDefinition:
        """A copy with resources bound; resources already bound take precedence."""
        return self._replace(_resource_defs={**resource_defs, **self._resource_defs})

    def subset_for(
        self,
        selected_asset_keys: Iterable[AssetKey],
        selected_asset_check_keys: Iterable[AssetCheckKey] | None = None,
    ) -> AssetsDefinition:
        """A copy computing only the selected assets and checks.

        Checks default to those of the selected assets.

        Raises:
            InvalidSubsetError: the keys are not produced here, or the op cannot subset.
        """
        asset_keys = frozenset(selected_asset_keys) & frozenset(self._specs_by_key)
        all_checks = {s.key for s in self._check_specs_by_output_name.values()}
        if selected_asset_check_keys is None:
            check_keys = frozenset(k for k in all_checks if k.asset_key in asset_keys)
        else:
            check_keys = frozenset(selected_asset_check_keys) & all_checks
        if asset_keys == self._selected_asset_keys and check_keys == self._selected_check_keys:
            return self
        if not self._can_subset and asset_keys and asset_keys != frozenset(self._specs_by_key):
            raise InvalidSubsetError(
                f"Asset definition {self.node_def.name if self._node_def else ''} contains asset "
                f"keys {sorted(k.to_user_string() for k in self._specs_by_key)} but only "
                f"{sorted(k.to_user_string() for k in asset_keys)} were selected. This "
                "AssetsDefinition does not support subsetting. Please select all asset and check "
                "keys produced by this asset, or set can_subset=True on it."
            )
        return self._replace(_selected_asset_keys=asset_keys, _selected_check_keys=check_keys)

    def to_source_asset(self, key: CoercibleToAssetKey | None = None) -> Any:
        """A `SourceAsset` with the key, metadata, IO manager and partitions of one asset."""
        from headwater.definitions.source import SourceAsset

        spec = self.get_asset_spec(key)
        return SourceAsset._internal(
            key=spec.key,
            metadata=spec.metadata,
            io_manager_key=self.io_manager_key_for_asset_key(spec.key),
            description=spec.description,
            partitions_def=self._partitions_def,
            group_name=spec.group_name,
            resource_defs=self._resource_defs,
            tags=spec.tags,
        )

    def to_source_assets(self) -> list[Any]:
        """One `SourceAsset` per selected asset."""
        return [self.to_source_asset(key) for key in sorted(self.keys)]

    # -- invocation -------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function directly: a context, then upstream values, resources and config."""
        node = self.node_def
        if not isinstance(node, OpDefinition):
            # A graph explains that it computes nothing when called outside a graph.
            return node(*args, **kwargs)
        return invoke_directly(node, args, kwargs, assets_def=self)

    def _invoke(
        self,
        context: Any,
        inputs: Mapping[str, Any],
        resources: Mapping[str, Any] | None = None,
        config: Any = None,
    ) -> Any:
        """Run the compute function: the seam the execution engine calls."""
        return self.node_def._invoke(context, inputs, resources, config)


class AssetChecksDefinition(AssetsDefinition):
    """A definition that computes checks only (built by `asset_check`); it has no asset keys."""

    __slots__ = ()


def external_assets_from_specs(
    specs: Sequence[AssetSpec], *, observe_op: OpDefinition | None = None
) -> AssetsDefinition:
    """An unexecutable (or, with ``observe_op``, observable) definition for some specs."""
    outputs = {spec.key.to_python_identifier(): spec.key for spec in specs}
    return AssetsDefinition(
        keys_by_input_name={},
        keys_by_output_name=outputs,
        node_def=observe_op,
        specs=specs,
        execution_type=(
            AssetExecutionType.OBSERVATION
            if observe_op is not None
            else AssetExecutionType.UNEXECUTABLE
        ),
    )
