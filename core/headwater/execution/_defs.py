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


@attrs.frozen(slots=True)
class InputInfo:
    """One op input: the asset it reads and how."""

    name: str
    asset_key: AssetKey | None
    is_nothing: bool
    input_manager_key: str | None


@attrs.frozen(slots=True)
class StepOutput:
    """One output a step is expected to produce in this run."""

    name: str
    asset_key: AssetKey | None
    check_key: Any
    is_required: bool
    is_nothing: bool
    io_manager_key: str
    blocking: bool = False


@attrs.frozen(slots=True, eq=False)
class NodeInfo:
    """The engine's view of one AssetsDefinition: its op, inputs and selected outputs.

    ``output_names`` lists the op's value (non-check) outputs in declaration order, which is
    the order of a tuple return.
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


def node_info(assets_def: Any) -> NodeInfo:
    """Read the op, inputs and selected outputs of ``assets_def``."""
    op = assets_def.node_def
    keys_by_input = assets_def.keys_by_input_name
    inputs = tuple(
        InputInfo(
            name,
            keys_by_input.get(name) or _coerce_key(spec_in.asset_key),
            is_nothing(spec_in.dagster_type),
            spec_in.input_manager_key,
        )
        for name, spec_in in op.ins.items()
    )
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
        )
    return NodeInfo(
        name=op.name,
        assets_def=assets_def,
        op=op,
        inputs=inputs,
        outputs=outputs,
        output_names=tuple(name for name in op.outs if name not in all_checks),
        asset_keys=frozenset(assets_def.keys),
        check_keys=frozenset(assets_def.check_keys),
        output_by_asset_key={key: name for name, key in keys_by_output.items()},
        output_by_check_key={spec.key: name for name, spec in checks_by_output.items()},
        code_versions=assets_def.code_versions_by_key,
        deps_by_key=assets_def.asset_deps,
        retry_policy=assets_def.retry_policy,
    )


def io_manager_keys_by_asset_key(assets_def: Any) -> dict[AssetKey, str]:
    """The IO manager key that stores (and so loads) each asset of ``assets_def``."""
    return {key: assets_def.io_manager_key_for_asset_key(key) for key in assets_def.keys}


def _coerce_key(value: Any) -> AssetKey | None:
    return None if value is None else AssetKey.from_coercible(value)
