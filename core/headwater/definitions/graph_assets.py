"""`@graph_asset`, `@graph_multi_asset` and `AssetsDefinition.from_graph`: graph-backed assets.

The node of a graph-backed definition is a `GraphDefinition`; each op inside runs as its own
step (``<graph>.<op>``), and the graph outputs are the assets. There is no ``io_manager_key``:
the inner ops' outputs keep their own IO managers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from headwater.definitions.assets import AssetsDefinition
from headwater.definitions.graphs import GraphDefinition, compose
from headwater.definitions.keys import AssetKey
from headwater.definitions.names import (
    DEFAULT_GROUP_NAME,
    check_valid_group_name,
    check_valid_key_components,
    check_valid_name,
)
from headwater.definitions.specs import AssetDep, AssetIn, AssetOut, AssetSpec
from headwater.errors import InvalidDefinitionError

_DEFAULT_IN = AssetIn()


def _prefix(key_prefix: str | Sequence[str] | None) -> tuple[str, ...]:
    if not key_prefix:
        return ()
    return (key_prefix,) if isinstance(key_prefix, str) else tuple(key_prefix)


def _graph_inputs(
    graph_def: GraphDefinition, ins: Mapping[str, AssetIn] | None
) -> tuple[dict[str, AssetKey], list[AssetDep]]:
    keys: dict[str, AssetKey] = {}
    deps: list[AssetDep] = []
    for input_name in graph_def.ins:
        asset_in = (ins or {}).get(input_name, _DEFAULT_IN)
        key = asset_in.resolve_key(input_name)
        check_valid_key_components(key.parts)
        keys[input_name] = key
        deps.append(AssetDep(key, partition_mapping=asset_in.partition_mapping))
    return keys, deps


def _described(fn: Callable[..., Any], description: str | None) -> str | None:
    import inspect

    if description is not None:
        return description
    return inspect.cleandoc(fn.__doc__) if fn.__doc__ else None


def _finish(assets_def: AssetsDefinition, fn: Callable[..., Any]) -> AssetsDefinition:
    # Lets a module-level definition pickle by reference, as @asset definitions do.
    assets_def._source = (fn.__module__, fn.__name__)
    return assets_def


def graph_asset(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    group_name: str | None = None,
    partitions_def: Any = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    resource_defs: Mapping[str, Any] | None = None,
    code_version: str | None = None,
    key: Any = None,
) -> Any:
    """Define one asset computed by a graph of ops; usable bare or called.

    The function's parameters are upstream assets (named as for `asset`, or by ``ins``); its
    body calls ops and returns the output of the last one, which becomes the asset value.

    Raises:
        InvalidDefinitionError: ``key`` given with ``name`` or ``key_prefix``, an invalid
            name or group, or a function that does not return an op output.
    """
    if key is not None and (name is not None or key_prefix):
        raise InvalidDefinitionError(
            "Cannot specify a name or key prefix for @graph_asset when the key argument is "
            "provided."
        )
    check_valid_group_name(group_name)

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        asset_key = (
            AssetKey.from_coercible(key)
            if key is not None
            else AssetKey((*_prefix(key_prefix), name or fn.__name__))
        )
        check_valid_key_components(asset_key.parts)
        # Named after the key, as an @asset's op is, so prefixed graphs do not collide.
        graph_name = asset_key.to_python_identifier()
        nodes, params, outputs = compose(fn, graph_name, ins, None, "@graph_asset")
        if set(outputs) != {"result"}:
            raise InvalidDefinitionError(
                f"@graph_asset '{graph_name}' must return the output of an op call (the asset "
                "value); use @graph_multi_asset for several assets."
            )
        desc = _described(fn, description)
        graph_def = GraphDefinition(
            graph_name, nodes, input_names=params, output_mappings=outputs, description=desc
        )
        keys_by_input_name, deps = _graph_inputs(graph_def, ins)
        spec = AssetSpec(
            asset_key,
            deps=deps,
            description=desc,
            metadata=metadata,
            group_name=group_name or DEFAULT_GROUP_NAME,
            code_version=code_version,
            automation_condition=automation_condition,
            owners=owners or (),
            tags=tags,
            kinds=kinds,
            partitions_def=partitions_def,
            skippable=not graph_def.outs["result"].is_required,
        )
        return _finish(
            AssetsDefinition(
                keys_by_input_name=keys_by_input_name,
                keys_by_output_name={"result": asset_key},
                node_def=graph_def,
                partitions_def=partitions_def,
                resource_defs=resource_defs,
                backfill_policy=backfill_policy,
                specs=[spec],
            ),
            fn,
        )

    return decorate(compose_fn) if compose_fn is not None else decorate


def graph_multi_asset(
    compose_fn: Callable[..., Any] | None = None,
    *,
    outs: Mapping[str, AssetOut],
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    partitions_def: Any = None,
    backfill_policy: Any = None,
    group_name: str | None = None,
    can_subset: bool = False,
    resource_defs: Mapping[str, Any] | None = None,
) -> Any:
    """Define several assets computed by one graph of ops, one per entry of ``outs``.

    The function returns a dict of op outputs keyed by out name (or a tuple in ``outs``
    order). With ``can_subset=True``, a run selecting some of the assets runs only the ops
    they need.

    Raises:
        InvalidDefinitionError: invalid names or groups, or returned outputs that do not
            match ``outs``.
    """
    check_valid_group_name(group_name)

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        graph_name = name or fn.__name__
        for output_name in outs:
            check_valid_name(output_name)
        nodes, params, outputs = compose(fn, graph_name, ins, outs, "@graph_multi_asset")
        graph_def = GraphDefinition(
            graph_name,
            nodes,
            input_names=params,
            output_mappings=outputs,
            description=_described(fn, None),
        )
        keys_by_input_name, deps = _graph_inputs(graph_def, ins)
        keys_by_output_name: dict[str, AssetKey] = {}
        specs = []
        for output_name, asset_out in outs.items():
            asset_key = asset_out.resolve_key(output_name)
            check_valid_key_components(asset_key.parts)
            keys_by_output_name[output_name] = asset_key
            spec = asset_out.to_spec(asset_key, deps)
            if spec.group_name is None:
                spec = spec.replace_attributes(group_name=group_name or DEFAULT_GROUP_NAME)
            specs.append(spec)
        return _finish(
            AssetsDefinition(
                keys_by_input_name=keys_by_input_name,
                keys_by_output_name=keys_by_output_name,
                node_def=graph_def,
                partitions_def=partitions_def,
                can_subset=can_subset,
                resource_defs=resource_defs,
                backfill_policy=backfill_policy,
                specs=specs,
            ),
            fn,
        )

    return decorate(compose_fn) if compose_fn is not None else decorate


def assets_def_from_graph(
    graph_def: GraphDefinition,
    *,
    resource_defs: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> AssetsDefinition:
    """Implementation of `AssetsDefinition.from_graph` (keyword arguments as `from_op`)."""
    from headwater.definitions._asset_builders import assets_def_from_op

    assets_def = assets_def_from_op(graph_def, **kwargs)  # type: ignore[arg-type]
    return assets_def.with_resources(resource_defs) if resource_defs else assets_def
