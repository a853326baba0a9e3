"""`@multi_observable_source_asset`: one function observing several external assets."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from headwater.definitions.assets import AssetExecutionType, AssetsDefinition
from headwater.definitions.checks import AssetCheckSpec
from headwater.definitions.ops import Nothing, OpDefinition, Out
from headwater.definitions.specs import AssetSpec
from headwater.errors import InvalidDefinitionError


def multi_observable_source_asset(
    compute_fn: Callable[..., Any] | None = None,
    *,
    specs: Sequence[AssetSpec] | None = None,
    name: str | None = None,
    description: str | None = None,
    can_subset: bool = False,
    required_resource_keys: set[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    group_name: str | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
) -> Any:
    """Define several external assets observed together by the decorated function.

    The function yields one ``ObserveResult(asset_key=...)`` per observed asset (with a
    ``data_version=`` when it knows one). The result is an `AssetsDefinition` whose
    ``is_observable`` is true: select it in an asset job, or pass it to ``observe``.

    Args:
        specs: one `AssetSpec` per observed asset.
        name: the op name (defaults to the function name).
        description: description of the op.
        can_subset: whether the function can observe any subset of ``specs``.
        required_resource_keys: resource keys the function uses via ``context.resources``.
        resource_defs: resources bound to the definition.
        partitions_def: the partitions of the observed assets.
        group_name: group for every spec that names none.
        check_specs: checks evaluated by the function after observing.

    Raises:
        InvalidDefinitionError: no specs, or anything `multi_asset` rejects.
    """
    if not specs:
        raise InvalidDefinitionError(
            "@multi_observable_source_asset needs specs=[AssetSpec(...), ...] naming the assets "
            "it observes."
        )

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        from headwater.definitions.decorators import multi_asset

        built = multi_asset(
            specs=specs,
            name=name,
            description=description,
            can_subset=can_subset,
            required_resource_keys=required_resource_keys,
            resource_defs=resource_defs,
            partitions_def=partitions_def,
            group_name=group_name,
            check_specs=check_specs,
        )(fn)
        op = built.node_def
        skippable = {spec.key for spec in built.specs if spec.skippable}
        keys_by_output = built.keys_by_output_name
        # Observations store no value, so the outputs carry nothing to an IO manager.
        outs = {
            out_name: Out(
                dagster_type=Nothing,
                description=out.description,
                is_required=not (can_subset or keys_by_output[out_name] in skippable),
            )
            if out_name in keys_by_output
            else out
            for out_name, out in op.outs.items()
        }
        observe_op = OpDefinition(
            fn,
            op.name,
            ins=op.ins,
            outs=outs,
            description=op.description,
            required_resource_keys=required_resource_keys,
            _signature=op._signature,
        )
        return built._replace(_node_def=observe_op, _execution_type=AssetExecutionType.OBSERVATION)

    return decorate(compute_fn) if compute_fn is not None else decorate
