"""What the engine reads from an AssetsDefinition, extracted once per plan.

This module is the single seam between the execution engine and the definitions model: the
rest of the engine only sees `NodeInfo`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey
from headwater.definitions.ops import DEFAULT_IO_MANAGER_KEY, is_nothing
from headwater.execution._types import ANY, StepType, declared_types


@attrs.frozen(slots=True)
class InputInfo:
    """One op input: the asset it reads and how.

    ``source`` is ``(step key, output name)`` for an input fed by another op of the same graph.
    """

    name: str
    asset_key: AssetKey | None
    is_nothing: bool
    input_manager_key: str | None
    source: tuple[str, str] | None = None
    dagster_type: StepType = ANY


@attrs.frozen(slots=True)
class StepOutput:
    """One output a step is expected to produce in this run.

    ``definition_metadata`` is the output's metadata merged over its asset's; ``dagster_type``
    is its declared type (``Any`` when undeclared).
    """

    name: str
    asset_key: AssetKey | None
    check_key: Any
    is_required: bool
    is_nothing: bool
    io_manager_key: str
    blocking: bool = False
    definition_metadata: Mapping[str, Any] = attrs.field(factory=dict)
    dagster_type: StepType = ANY


@attrs.frozen(slots=True, eq=False)
class NodeInfo:
    """The engine's view of one AssetsDefinition: its op, inputs and selected outputs.

    ``output_names`` lists the op's value (non-check) outputs in declaration order, which is
    the order of a tuple return. ``unselected_required`` names required value outputs left
    out of a subset: the function must still produce them (as in the reference).
    """

    name: str
    assets_def: Any
    op: Any
    inputs: tuple[InputInfo, ...]
    outputs: Mapping[str, StepOutput]
    output_names: tuple[str, ...]
    asset_keys: frozenset[AssetKey]
    check_keys: frozenset[Any]
    output_by_asset_key: Mapping[AssetKey, str]
    output_by_check_key: Mapping[Any, str]
    code_versions: Mapping[AssetKey, str | None]
    deps_by_key: Mapping[AssetKey, frozenset[AssetKey]]
    retry_policy: Any
    required_resource_keys: frozenset[str]
    resource_defs: Mapping[str, Any]
    unselected_required: tuple[str, ...] = ()


def node_infos(item: Any) -> list[NodeInfo]:
    """The nodes (one per step) of an AssetsDefinition, or of a `GraphDefinition` op job.

    An op-backed definition is one node; a graph-backed one is one node per op inside, named
    by its path (``ga.o1``), pruned to the ops the selected assets need.
    """
    from headwater.definitions.graphs import GraphDefinition

    if isinstance(item, GraphDefinition):
        return [_leaf_node(leaf, "", None, {}, {}) for leaf in item.leaves()]
    if isinstance(item.node_def, GraphDefinition):
        return _graph_asset_nodes(item)
    return [node_info(item)]


def node_info(assets_def: Any) -> NodeInfo:
    """Read the op, inputs and selected outputs of ``assets_def``."""
    op = assets_def.node_def
    keys_by_input = assets_def.keys_by_input_name
    in_types, out_types = declared_types(op)
    inputs = tuple(
        InputInfo(
            name,
            keys_by_input.get(name) or _coerce_key(spec_in.asset_key),
            is_nothing(spec_in.dagster_type),
            spec_in.input_manager_key,
            dagster_type=in_types[name],
        )
        for name, spec_in in op.ins.items()
    )
    specs = assets_def.specs_by_key
    keys_by_output = assets_def.keys_by_output_name
    checks_by_output = assets_def.check_specs_by_output_name
    all_checks = assets_def.node_check_specs_by_output_name
    outputs: dict[str, StepOutput] = {}
    for name, out in op.outs.items():
        key = keys_by_output.get(name)
        check = checks_by_output.get(name)
        if key is None and check is None:
            continue
        outputs[name] = StepOutput(
            name,
            key,
            check.key if check is not None else None,
            out.is_required,
            is_nothing(out.dagster_type) or check is not None,
            out.io_manager_key or DEFAULT_IO_MANAGER_KEY,
            bool(check is not None and check.blocking),
            _definition_metadata(specs.get(key) if key is not None else None, out),
            out_types[name],
        )
    output_names = tuple(name for name in op.outs if name not in all_checks)
    return NodeInfo(
        name=op.name,
        assets_def=assets_def,
        op=op,
        inputs=inputs,
        outputs=outputs,
        output_names=output_names,
        asset_keys=frozenset(assets_def.keys),
        check_keys=frozenset(assets_def.check_keys),
        output_by_asset_key={key: name for name, key in keys_by_output.items()},
        output_by_check_key={spec.key: name for name, spec in checks_by_output.items()},
        code_versions=assets_def.code_versions_by_key,
        deps_by_key=assets_def.asset_deps,
        retry_policy=assets_def.retry_policy,
        required_resource_keys=assets_def.required_resource_keys,
        resource_defs=assets_def.resource_defs,
        unselected_required=tuple(
            name for name in output_names if name not in outputs and op.outs[name].is_required
        )
        if assets_def.is_subset
        else (),
    )


def _definition_metadata(spec: Any, out: Any) -> Mapping[str, Any]:
    if spec is None or not spec.metadata:
        return out.metadata
    return {**spec.metadata, **out.metadata}


def _graph_asset_nodes(assets_def: Any) -> list[NodeInfo]:
    from headwater.definitions.graphs import FromStep

    graph = assets_def.node_def
    prefix = f"{graph.name}."
    graph_outputs = graph.leaf_outputs()
    assets_at: dict[tuple[str, str], AssetKey] = {}
    for name, key in assets_def.keys_by_output_name.items():
        source = graph_outputs[name]
        assets_at[(prefix + source.step, source.output)] = key
    leaves = graph.leaves()
    needed: set[str] = {step for step, _ in assets_at}
    outputs_used: set[tuple[str, str]] = set(assets_at)
    # Walk upstream from the ops producing selected assets; other ops are left out of the run.
    for leaf in reversed(leaves):
        if prefix + leaf.handle in needed:
            for source in leaf.sources.values():
                if isinstance(source, FromStep):
                    needed.add(prefix + source.step)
                    outputs_used.add((prefix + source.step, source.output))
    # A subset run also asks each op for only the outputs it needs (`selected_output_names`).
    only = outputs_used if assets_def.is_subset else None
    return [
        _leaf_node(leaf, prefix, assets_def, assets_def.keys_by_input_name, assets_at, only)
        for leaf in leaves
        if prefix + leaf.handle in needed
    ]


def _leaf_node(
    leaf: Any,
    prefix: str,
    assets_def: Any,
    keys_by_graph_input: Mapping[str, AssetKey],
    assets_at: Mapping[tuple[str, str], AssetKey],
    only_outputs: set[tuple[str, str]] | None = None,
) -> NodeInfo:
    from headwater.definitions.graphs import FromGraphInput, leaf_resource_keys

    op = leaf.op
    handle = prefix + leaf.handle
    in_types, out_types = declared_types(op)
    specs = assets_def.specs_by_key if assets_def is not None else {}
    inputs = []
    for name, spec_in in op.ins.items():
        source = leaf.sources.get(name)
        if source is None:
            continue
        nothing = is_nothing(spec_in.dagster_type)
        if isinstance(source, FromGraphInput):
            key = keys_by_graph_input[source.name]
            inputs.append(
                InputInfo(
                    name, key, nothing, spec_in.input_manager_key, dagster_type=in_types[name]
                )
            )
        else:
            feed = (prefix + source.step, source.output)
            inputs.append(
                InputInfo(name, None, nothing, spec_in.input_manager_key, feed, in_types[name])
            )
    outputs = {
        name: StepOutput(
            name,
            assets_at.get((handle, name)),
            None,
            out.is_required,
            is_nothing(out.dagster_type),
            out.io_manager_key or DEFAULT_IO_MANAGER_KEY,
            definition_metadata=_definition_metadata(specs.get(assets_at.get((handle, name))), out),
            dagster_type=out_types[name],
        )
        for name, out in op.outs.items()
        if only_outputs is None or (handle, name) in only_outputs
    }
    asset_keys = {o.asset_key: o.name for o in outputs.values() if o.asset_key is not None}
    return NodeInfo(
        name=handle,
        assets_def=assets_def,
        op=op,
        inputs=tuple(inputs),
        outputs=outputs,
        output_names=tuple(op.outs),
        asset_keys=frozenset(asset_keys),
        check_keys=frozenset(),
        output_by_asset_key=asset_keys,
        output_by_check_key={},
        code_versions=assets_def.code_versions_by_key if assets_def is not None else {},
        deps_by_key=assets_def.asset_deps if assets_def is not None else {},
        retry_policy=op.retry_policy,
        required_resource_keys=leaf_resource_keys(op),
        resource_defs=assets_def.resource_defs if assets_def is not None else {},
    )


def keyless_assets_def(op: Any) -> Any:
    """A definition with no assets around an op of an op job.

    Steps of op jobs carry it so the engine reads partitions, keys and resources the same way
    for every step; their contexts still report that they have no assets definition.
    """
    from headwater.definitions.assets import AssetsDefinition

    return AssetsDefinition(keys_by_input_name={}, keys_by_output_name={}, node_def=op)


def io_manager_keys_by_asset_key(assets_def: Any) -> dict[AssetKey, str]:
    """The IO manager key that stores (and so loads) each asset of ``assets_def``."""
    return {key: assets_def.io_manager_key_for_asset_key(key) for key in assets_def.keys}


def _coerce_key(value: Any) -> AssetKey | None:
    return None if value is None else AssetKey.from_coercible(value)
