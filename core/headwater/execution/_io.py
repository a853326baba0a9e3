"""Building IO manager contexts for a step: the seam between the engine and `headwater.io`."""

from __future__ import annotations

from typing import Any

from headwater.errors import InvalidDefinitionError
from headwater.io._contexts import InputContext, OutputContext
from headwater.resources._build import config_of


def io_manager(resources: Any, key: str, step: Any, what: Any) -> Any:
    """The initialised IO manager at resource ``key``."""
    try:
        manager = resources[key]
    except KeyError:
        raise InvalidDefinitionError(
            f"IO manager '{key}' needed by step '{step.key}' ({what.name}) was not provided; "
            f"pass resources={{'{key}': ...}}. Provided: {sorted(resources)}."
        ) from None
    return manager


def output_context(run: Any, step: Any, output: Any, state: Any) -> OutputContext:
    """The `OutputContext` for ``output`` of ``step`` in this run."""
    partition = run.partition
    partition_key = None
    key_range = None
    partitions_def = None
    if partition is not None and output.asset_key is not None:
        partitions_def = step.assets_def.partitions_def
        if partitions_def is not None:
            partition_key = partition.key
            key_range = None if partition.key is not None else partition.key_range
    op_out = step.node.op.outs[output.name]
    return OutputContext(
        step_key=step.key,
        name=output.name,
        run_id=run.run_id,
        asset_key=output.asset_key,
        partition_key=partition_key,
        asset_partition_key_range=key_range,
        partitions_def=partitions_def,
        definition_metadata=output.definition_metadata,
        resource_config=config_of(run.resources, output.io_manager_key),
        resources=run.resources,
        log=state.log,
        dagster_type=output.dagster_type,
        version=op_out.code_version,
        op_def=step.node.op,
        asset_spec=(
            step.assets_def.specs_by_key.get(output.asset_key)
            if output.asset_key is not None
            else None
        ),
    )


def input_context(run: Any, step: Any, step_input: Any, state: Any) -> InputContext:
    """The `InputContext` for loading ``step_input`` of ``step`` in this run."""
    upstream_def = step_input.upstream_partitions_def
    partition_key = None
    partition_keys = None
    partition = run.partition
    if upstream_def is not None and step_input.asset_key is not None:
        if partition is not None:
            mapped = partition.keys_for_upstream(
                step.assets_def, upstream_def, step_input.asset_key
            )
        else:
            # An unpartitioned asset reads every partition of a partitioned upstream.
            mapped = upstream_def.get_partition_keys(dynamic_partitions_store=run.instance)
        if isinstance(mapped, list):
            partition_keys = mapped
        else:
            partition_key = mapped
    if step_input.source_step_key is not None:
        source = run.plan.step_by_key[step_input.source_step_key].outputs.get(
            step_input.source_output_name
        )
        step_key, name = step_input.source_step_key, step_input.source_output_name
        metadata = source.definition_metadata if source is not None else None
    else:
        # Loaded, not computed in this run: named after the asset, with the step key "none",
        # as in the reference.
        source = None
        step_key = "none"
        name = step_input.asset_key.path[-1] if step_input.asset_key is not None else "result"
        metadata = step_input.upstream_metadata
    upstream = OutputContext(
        step_key=step_key,
        name=name,
        run_id=run.run_id,
        asset_key=step_input.asset_key,
        partition_key=partition_key,
        asset_partition_keys=partition_keys,
        partitions_def=upstream_def,
        definition_metadata=metadata,
        resources=run.resources,
        log=state.log,
        dagster_type=source.dagster_type if source is not None else None,
    )
    op_in = step.node.op.ins[step_input.name]
    info = next(i for i in step.node.inputs if i.name == step_input.name)
    return InputContext(
        name=step_input.name,
        step_key=step.key,
        run_id=run.run_id,
        asset_key=step_input.asset_key,
        partition_key=partition.key if partition is not None else None,
        asset_partition_keys=[partition_key] if partition_key is not None else partition_keys or [],
        partitions_def=upstream_def,
        upstream_output=upstream,
        definition_metadata=op_in.metadata,
        resource_config=config_of(run.resources, step_input.io_manager_key),
        resources=run.resources,
        log=state.log,
        dagster_type=info.dagster_type,
        op_def=step.node.op,
    )
