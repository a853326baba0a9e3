"""Building and re-keying `AssetsDefinition`s: `from_op` and `with_attributes`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from headwater.definitions.assets import AssetsDefinition
from headwater.definitions.checks import AssetCheckKey
from headwater.definitions.keys import AssetKey
from headwater.definitions.names import DEFAULT_GROUP_NAME
from headwater.definitions.ops import OpDefinition
from headwater.definitions.specs import AssetDep, AssetSpec, build_trusted
from headwater.errors import InvalidDefinitionError


def assets_def_from_op(
    op_def: OpDefinition,
    *,
    keys_by_input_name: Mapping[str, AssetKey] | None = None,
    keys_by_output_name: Mapping[str, AssetKey] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    internal_asset_deps: Mapping[str, set[AssetKey]] | None = None,
    partitions_def: Any = None,
    partition_mappings: Mapping[str, Any] | None = None,
    group_name: str | None = None,
    group_names_by_output_name: Mapping[str, str | None] | None = None,
    descriptions_by_output_name: Mapping[str, str | None] | None = None,
    metadata_by_output_name: Mapping[str, Mapping[str, Any] | None] | None = None,
    tags_by_output_name: Mapping[str, Mapping[str, str] | None] | None = None,
    freshness_policies_by_output_name: Mapping[str, Any] | None = None,
    automation_conditions_by_output_name: Mapping[str, Any] | None = None,
    backfill_policy: Any = None,
    can_subset: bool = False,
    owners_by_key: Mapping[AssetKey, Sequence[str]] | None = None,
) -> AssetsDefinition:
    """Wrap an existing `OpDefinition`: each output is an asset, each input an upstream.

    Keys default to the input and output names; ``key_prefix`` applies to output keys.
    ``partition_mappings`` is keyed by input name.
    """
    prefix: tuple[str, ...] = (
        ()
        if key_prefix is None
        else (key_prefix,)
        if isinstance(key_prefix, str)
        else tuple(key_prefix)
    )
    inputs = {
        name: AssetKey.from_coercible((keys_by_input_name or {}).get(name, name))
        for name in op_def.ins
    }
    outputs = {
        name: AssetKey.from_coercible((keys_by_output_name or {}).get(name, name)).with_prefix(
            prefix
        )
        for name in op_def.outs
    }
    mappings = {inputs[n]: m for n, m in (partition_mappings or {}).items()}
    internal = internal_asset_deps or {}

    def by_output(mapping: Mapping[str, Any] | None, name: str) -> Any:
        return (mapping or {}).get(name)

    specs = []
    for name, key in outputs.items():
        deps = internal.get(name, inputs.values())
        specs.append(
            AssetSpec(
                key,
                deps=[AssetDep(d, partition_mapping=mappings.get(d)) for d in deps],
                description=by_output(descriptions_by_output_name, name),
                metadata=by_output(metadata_by_output_name, name),
                tags=by_output(tags_by_output_name, name),
                group_name=by_output(group_names_by_output_name, name) or group_name,
                automation_condition=by_output(automation_conditions_by_output_name, name),
                freshness_policy=by_output(freshness_policies_by_output_name, name),
                owners=(owners_by_key or {}).get(key),
                code_version=op_def.outs[name].code_version or op_def.code_version,
                skippable=not op_def.outs[name].is_required,
            )
        )
    return AssetsDefinition(
        keys_by_input_name=inputs,
        keys_by_output_name=outputs,
        node_def=op_def,
        partitions_def=partitions_def,
        partition_mappings=mappings,
        can_subset=can_subset,
        backfill_policy=backfill_policy,
        specs=specs,
    )


def with_replaced_attributes(
    assets_def: AssetsDefinition,
    *,
    asset_key_replacements: Mapping[AssetKey, AssetKey],
    group_names_by_key: Mapping[AssetKey, str],
    tags_by_key: Mapping[AssetKey, Mapping[str, str]],
    automation_condition: Any,
    backfill_policy: Any,
) -> AssetsDefinition:
    """Implementation of `AssetsDefinition.with_attributes`."""
    replace = dict(asset_key_replacements)
    groups = group_names_by_key
    for key, group in groups.items():
        current = (
            assets_def._specs_by_key[key].group_name if key in assets_def._specs_by_key else None
        )
        if current not in (None, DEFAULT_GROUP_NAME, group):
            raise InvalidDefinitionError(
                f"Asset {key.to_user_string()} already has group '{current}'; cannot also "
                f"put it in group '{group}'. Remove one of the two group names."
            )

    def rekey(key: AssetKey) -> AssetKey:
        return replace.get(key, key)

    def rekey_dep(dep: AssetDep) -> AssetDep:
        return build_trusted(AssetDep, rekey(dep.asset_key), dep.partition_mapping, dep.metadata)

    specs = []
    for key, spec in assets_def._specs_by_key.items():
        changes: dict[str, Any] = {}
        if replace:
            changes["key"] = rekey(key)
            changes["deps"] = [rekey_dep(dep) for dep in spec.deps]
        if key in groups:
            changes["group_name"] = groups[key]
        if tags_by_key and key in tags_by_key:
            changes["tags"] = {**spec.tags, **tags_by_key[key]}
        if automation_condition is not None and spec.automation_condition is None:
            changes["automation_condition"] = automation_condition
        specs.append(attrs.evolve(spec, **changes) if changes else spec)
    checks = {
        name: attrs.evolve(
            spec,
            asset=rekey(spec.asset_key),
            additional_deps=[rekey_dep(d) for d in spec.additional_deps],
        )
        for name, spec in assets_def._check_specs_by_output_name.items()
    }
    return assets_def._replace(
        _keys_by_input_name={n: rekey(k) for n, k in assets_def._keys_by_input_name.items()},
        _keys_by_output_name={n: rekey(k) for n, k in assets_def._keys_by_output_name.items()},
        _specs_by_key={spec.key: spec for spec in specs},
        _check_specs_by_output_name=checks,
        _selected_asset_keys=frozenset(rekey(k) for k in assets_def._selected_asset_keys),
        _selected_check_keys=frozenset(
            AssetCheckKey(rekey(k.asset_key), k.name) for k in assets_def._selected_check_keys
        ),
        _partition_mappings={rekey(k): m for k, m in assets_def._partition_mappings.items()},
        _backfill_policy=backfill_policy or assets_def._backfill_policy,
    )
