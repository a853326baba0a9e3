"""The execution plan: one step per op node, in dependency order, built once per run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey
from headwater.definitions.specs import IO_MANAGER_KEY_METADATA
from headwater.errors import InvalidDefinitionError
from headwater.execution import _defs
from headwater.execution._defs import StepOutput

DEFAULT_IO_MANAGER_KEY = "io_manager"


@attrs.frozen(slots=True)
class StepInput:
    """Where one input of a step comes from.

    ``source_step_key`` names the step producing it in this run; when it is None the value is
    loaded through ``io_manager_key`` (an unselected upstream or a source asset), and
    ``upstream_metadata`` holds that upstream asset's definition metadata.
    """

    name: str
    asset_key: AssetKey | None
    is_nothing: bool
    io_manager_key: str
    source_step_key: str | None = None
    source_output_name: str | None = None
    upstream_partitions_def: Any = None
    upstream_metadata: Mapping[str, Any] | None = None


@attrs.frozen(slots=True, eq=False)
class ExecutionStep:
    """One unit of work: one op, restricted to the selected outputs.

    Attributes:
        key: the step key: the op name (``p__b``), or the op's path inside a graph (``ga.o1``).
        assets_def: the (subset) AssetsDefinition whose op runs; in an op job, one without
            assets (``node.assets_def`` is None there).
        inputs: where each op input comes from.
        outputs: the outputs selected for this run, by output name.
        upstream_step_keys: steps that must succeed first.
        selected_asset_keys: asset keys this step materializes.
        selected_check_keys: check keys this step evaluates.
        node: what the engine read from the definition (outputs, versions, deps).
        retry_policy: the asset's retry policy, else the job's ``op_retry_policy``.
    """

    key: str
    assets_def: Any
    inputs: tuple[StepInput, ...]
    outputs: Mapping[str, StepOutput]
    upstream_step_keys: tuple[str, ...]
    selected_asset_keys: frozenset[AssetKey]
    selected_check_keys: frozenset[Any]
    node: _defs.NodeInfo
    retry_policy: Any = None

    @property
    def op_name(self) -> str:
        """The name of the op this step runs (same as the step key)."""
        return self.key


@attrs.frozen(slots=True, eq=False)
class ExecutionPlan:
    """The steps of a run in topological order, with lookups the run loop needs."""

    steps: tuple[ExecutionStep, ...]
    step_by_key: Mapping[str, ExecutionStep]
    producer_by_asset_key: Mapping[AssetKey, tuple[str, str]]
    children_by_step_key: Mapping[str, tuple[str, ...]]

    def get_step(self, key: str) -> ExecutionStep:
        """The step named ``key``."""
        return self.step_by_key[key]

    @property
    def step_keys(self) -> list[str]:
        """Every step key, in execution order."""
        return [step.key for step in self.steps]

    def get_steps_to_execute_by_level(self) -> list[list[ExecutionStep]]:
        """Steps grouped by depth: level n holds the steps whose longest upstream chain is n."""
        depth: dict[str, int] = {}
        levels: list[list[ExecutionStep]] = []
        for step in self.steps:
            level = 1 + max((depth[k] for k in step.upstream_step_keys), default=-1)
            depth[step.key] = level
            if level == len(levels):
                levels.append([])
            levels[level].append(step)
        return [sorted(level, key=_step_sort_key) for level in levels]


def _step_sort_key(step: ExecutionStep) -> str:
    return step.key


def build_execution_plan(
    assets_defs: Sequence[Any],
    *,
    all_assets_defs: Iterable[Any] = (),
    op_retry_policy: Any = None,
) -> ExecutionPlan:
    """Build the plan for running ``assets_defs`` (already subset to the selection).

    Args:
        assets_defs: the AssetsDefinitions to execute, each contributing one step per op
            (a graph-backed one, one per op inside); or, for an op job, its `GraphDefinition`.
        all_assets_defs: every AssetsDefinition in scope, used to find the IO manager of
            upstream assets that are loaded rather than computed in this run.
        op_retry_policy: the job-wide default retry policy.

    Raises:
        InvalidDefinitionError: two definitions produce the same asset key or share an op name.
    """
    nodes = [node for item in assets_defs for node in _defs.node_infos(item)]
    producer: dict[AssetKey, tuple[str, str]] = {}
    seen_ops: set[str] = set()
    for node in nodes:
        if node.name in seen_ops:
            raise InvalidDefinitionError(
                f'Detected conflicting node definitions with the same name "{node.name}". '
                "Give one of the assets another name or key prefix."
            )
        seen_ops.add(node.name)
        for out in node.outputs.values():
            if out.asset_key is not None:
                if out.asset_key in producer:
                    raise InvalidDefinitionError(
                        f"Duplicate asset key: {out.asset_key!r}. Each asset key may be "
                        "produced by one definition only."
                    )
                producer[out.asset_key] = (node.name, out.name)

    # Blocking checks evaluated in their own step gate the consumers of the checked asset.
    blocking_gates: dict[AssetKey, list[str]] = {}
    for node in nodes:
        for out in node.outputs.values():
            if out.check_key is not None and out.blocking and not node.asset_keys:
                blocking_gates.setdefault(out.check_key.asset_key, []).append(node.name)

    node_by_name = {node.name: node for node in nodes}
    upstream_info: dict[AssetKey, tuple[str, Any, Any]] | None = None
    steps_unordered: dict[str, ExecutionStep] = {}
    for node in nodes:
        inputs: list[StepInput] = []
        upstream: dict[str, None] = {}
        checked_keys = {
            out.check_key.asset_key for out in node.outputs.values() if out.check_key is not None
        }
        for inp in node.inputs:
            if inp.source is not None:
                # Fed by another op of the same graph: a value passed through its IO manager.
                source_node = node_by_name[inp.source[0]]
                inputs.append(
                    StepInput(
                        inp.name,
                        None,
                        inp.is_nothing,
                        inp.input_manager_key or source_node.outputs[inp.source[1]].io_manager_key,
                        inp.source[0],
                        inp.source[1],
                    )
                )
                upstream[inp.source[0]] = None
                continue
            source = producer.get(inp.asset_key) if inp.asset_key is not None else None
            if source is not None and source[0] != node.name:
                source_node = node_by_name[source[0]]
                inputs.append(
                    StepInput(
                        inp.name,
                        inp.asset_key,
                        inp.is_nothing,
                        inp.input_manager_key or source_node.outputs[source[1]].io_manager_key,
                        source[0],
                        source[1],
                        source_node.assets_def.partitions_def,
                    )
                )
                upstream[source[0]] = None
            else:
                if upstream_info is None:
                    upstream_info = _upstream_info(all_assets_defs)
                io_key, partitions_def, upstream_def = upstream_info.get(
                    inp.asset_key, (DEFAULT_IO_MANAGER_KEY, None, None)
                )
                inputs.append(
                    StepInput(
                        inp.name,
                        inp.asset_key,
                        inp.is_nothing,
                        inp.input_manager_key or io_key,
                        upstream_partitions_def=partitions_def,
                        upstream_metadata=_upstream_metadata(upstream_def, inp.asset_key, io_key),
                    )
                )
            if inp.asset_key is not None and inp.asset_key not in checked_keys:
                # Checks gate the asset's consumers, not the other checks of the same asset.
                for gate in blocking_gates.get(inp.asset_key, ()):
                    upstream[gate] = None
        steps_unordered[node.name] = ExecutionStep(
            key=node.name,
            assets_def=node.assets_def
            if node.assets_def is not None
            else _defs.keyless_assets_def(node.op),
            inputs=tuple(inputs),
            outputs=node.outputs,
            upstream_step_keys=tuple(upstream),
            selected_asset_keys=node.asset_keys,
            selected_check_keys=node.check_keys,
            node=node,
            retry_policy=node.retry_policy or op_retry_policy,
        )
    steps, children = _toposort(steps_unordered)
    return ExecutionPlan(
        steps=steps,
        step_by_key=steps_unordered,
        producer_by_asset_key=producer,
        children_by_step_key=children,
    )


def _upstream_info(all_assets_defs: Iterable[Any]) -> dict[AssetKey, tuple[str, Any, Any]]:
    """Per asset key: its IO manager key, partitions definition and AssetsDefinition."""
    info: dict[AssetKey, tuple[str, Any, Any]] = {}
    for assets_def in all_assets_defs:
        partitions_def = assets_def.partitions_def
        for key, io_key in _defs.io_manager_keys_by_asset_key(assets_def).items():
            info[key] = (io_key, partitions_def, assets_def)
    return info


def _upstream_metadata(assets_def: Any, key: AssetKey, io_key: str) -> dict[str, Any] | None:
    """The definition metadata of an upstream asset loaded rather than computed in the run.

    A materializable asset's also names its IO manager key, as in the reference; an external
    asset's is its spec metadata as written.
    """
    if assets_def is None:
        return None
    metadata = dict(assets_def.specs_by_key[key].metadata)
    if assets_def.is_materializable:
        metadata.setdefault(IO_MANAGER_KEY_METADATA, io_key)
    return metadata


def _toposort(
    steps: Mapping[str, ExecutionStep],
) -> tuple[tuple[ExecutionStep, ...], dict[str, tuple[str, ...]]]:
    children: dict[str, list[str]] = {key: [] for key in steps}
    remaining: dict[str, int] = {}
    for step in steps.values():
        remaining[step.key] = len(step.upstream_step_keys)
        for parent in step.upstream_step_keys:
            children[parent].append(step.key)
    ready = sorted(key for key, count in remaining.items() if count == 0)
    order: list[ExecutionStep] = []
    while ready:
        # Kahn's algorithm, level by level, each level sorted by step key for a stable order.
        next_ready: list[str] = []
        for key in ready:
            order.append(steps[key])
            for child in children[key]:
                remaining[child] -= 1
                if remaining[child] == 0:
                    next_ready.append(child)
        ready = sorted(next_ready)
    if len(order) != len(steps):
        stuck = sorted(key for key, count in remaining.items() if count > 0)
        raise InvalidDefinitionError(
            f"The steps {stuck} depend on each other in a cycle and cannot be ordered."
        )
    return tuple(order), {key: tuple(value) for key, value in children.items()}
