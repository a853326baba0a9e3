"""`@asset`, `@multi_asset` and `@asset_check`: build definitions from functions."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from headwater.definitions._signature import FnSignature
from headwater.definitions.assets import AssetChecksDefinition, AssetsDefinition
from headwater.definitions.checks import AssetCheckSpec
from headwater.definitions.keys import AssetKey
from headwater.definitions.names import (
    DEFAULT_GROUP_NAME,
    check_valid_group_name,
    check_valid_key_components,
    check_valid_name,
)
from headwater.definitions.ops import In, Nothing, OpDefinition, Out, check_ins_against_params
from headwater.definitions.specs import (
    IO_MANAGER_KEY_METADATA,
    AssetDep,
    AssetIn,
    AssetOut,
    AssetSpec,
    _to_dict,
    _to_kinds,
    _to_owners,
    _to_tags,
    build_trusted,
    coerce_dep,
)
from headwater.errors import InvalidDefinitionError

_DEFAULT_IN = AssetIn()
# Shared read-only defaults: most assets use them, and fewer objects per asset keeps building
# 10,000 assets cheap (the garbage collector scans every container object).
_NOTHING_IN = In(dagster_type=Nothing)
_DATA_IN = In()
_DEFAULT_OUTS = {"result": Out()}
# One key and one default dep per plain asset name, shared by the asset and every reader that
# names it as a parameter (both are immutable). Bounded so that a process generating
# unbounded names cannot grow it forever; past the bound, new objects are made as before.
_SHARED_BY_NAME: dict[str, tuple[AssetKey, AssetDep]] = {}
_SHARED_BY_NAME_MAX = 100_000


def _shared_key_and_dep(name: str) -> tuple[AssetKey, AssetDep]:
    shared = _SHARED_BY_NAME.get(name)
    if shared is None:
        key = AssetKey((name,))
        check_valid_key_components(key.parts)
        shared = (key, build_trusted(AssetDep, key, None, {}))
        if len(_SHARED_BY_NAME) < _SHARED_BY_NAME_MAX:
            _SHARED_BY_NAME[name] = shared
    return shared


def _description(fn: Callable[..., Any], description: str | None) -> str | None:
    if description is not None:
        return description
    doc = fn.__doc__
    return inspect.cleandoc(doc) if doc else None


def _prefix(key_prefix: str | Sequence[str] | None) -> tuple[str, ...]:
    if not key_prefix:
        return ()
    return (key_prefix,) if isinstance(key_prefix, str) else tuple(key_prefix)


def _all_deps(deps: Iterable[Any] | None, non_argument_deps: Iterable[Any] | None, label: str):
    if non_argument_deps is not None:
        warnings.warn(
            f"non_argument_deps on {label} is deprecated and will be removed; pass the same "
            "keys as deps=[...] instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        if deps is not None:
            raise InvalidDefinitionError(
                f"{label} got both deps and non_argument_deps; use only deps."
            )
        deps = non_argument_deps
    if isinstance(deps, (str, AssetKey)):
        raise InvalidDefinitionError(
            f"deps of {label} must be a list, not a single {type(deps).__name__}: "
            f"write deps=[{deps!r}]."
        )
    return [coerce_dep(d) for d in deps] if deps else []


def _kinds(kinds: Iterable[str] | None, compute_kind: str | None, label: str):
    if compute_kind is None:
        return kinds
    if kinds:
        raise InvalidDefinitionError(
            f"{label} got both compute_kind and kinds; compute_kind is the legacy spelling of "
            "one kind, so pass kinds={...} only."
        )
    return {compute_kind}


class _Inputs:
    """The op inputs of a definition: data parameters first, then ordering-only deps."""

    __slots__ = ("deps", "ins", "keys_by_input_name")

    def __init__(
        self,
        fn: Callable[..., Any],
        signature: FnSignature,
        ins: Mapping[str, AssetIn] | None,
        deps: list[AssetDep],
    ):
        ordering_only = check_ins_against_params(fn.__name__, signature, ins) if ins else []
        keys_by_input_name: dict[str, AssetKey] = {}
        op_ins: dict[str, In] = {}
        lineage: list[AssetDep] = []
        for param in signature.data_params:
            asset_in = ins.get(param, _DEFAULT_IN) if ins else _DEFAULT_IN
            if asset_in is _DEFAULT_IN:
                key, dep = _shared_key_and_dep(param)
                keys_by_input_name[param] = key
                op_ins[param] = _DATA_IN
                lineage.append(dep)
                continue
            key = asset_in.resolve_key(param)
            check_valid_key_components(key.parts)
            keys_by_input_name[param] = key
            op_ins[param] = (
                _DATA_IN
                if asset_in is _DEFAULT_IN
                else build_trusted(
                    In,
                    asset_in.dagster_type,
                    None,
                    asset_in.metadata,
                    None,
                    asset_in.input_manager_key,
                )
            )
            lineage.append(build_trusted(AssetDep, key, asset_in.partition_mapping, {}))
        for input_name in ordering_only:
            asset_in = ins[input_name]  # type: ignore[index]  # ordering_only is empty without ins
            key = asset_in.resolve_key(input_name)
            check_valid_key_components(key.parts)
            keys_by_input_name[input_name] = key
            op_ins[input_name] = In(
                dagster_type=Nothing,
                metadata=asset_in.metadata,
                input_manager_key=asset_in.input_manager_key,
            )
            lineage.append(build_trusted(AssetDep, key, asset_in.partition_mapping, {}))
        seen = set(keys_by_input_name.values())
        for dep in deps:
            key = dep.asset_key
            check_valid_key_components(key.parts)
            if key in seen:
                continue
            seen.add(key)
            input_name = key.to_python_identifier()
            keys_by_input_name[input_name] = key
            op_ins[input_name] = _NOTHING_IN
            lineage.append(dep)
        self.keys_by_input_name = keys_by_input_name
        self.ins = op_ins
        self.deps = lineage

    def add_ordering_inputs(self, keys: Iterable[AssetKey], produced: set[AssetKey]) -> None:
        """Add ordering-only inputs for upstream keys that are not inputs yet."""
        known = set(self.keys_by_input_name.values()) | produced
        for key in keys:
            if key not in known:
                known.add(key)
                name = key.to_python_identifier()
                self.keys_by_input_name[name] = key
                self.ins[name] = _NOTHING_IN


def _check_dep_keys(check_specs: Iterable[AssetCheckSpec]) -> list[AssetKey]:
    return [
        key
        for spec in check_specs
        for key in (spec.asset_key, *(d.asset_key for d in spec.additional_deps))
    ]


def _check_outs(
    check_specs: Sequence[AssetCheckSpec] | None, produced: Iterable[AssetKey], label: str
) -> dict[str, AssetCheckSpec]:
    if not check_specs:
        return {}
    produced = set(produced)
    by_output: dict[str, AssetCheckSpec] = {}
    for spec in check_specs:
        if spec.asset_key not in produced:
            raise InvalidDefinitionError(
                f"Check '{spec.name}' in check_specs of {label} targets "
                f"{spec.asset_key.to_user_string()}, which {label} does not produce "
                f"(it produces {sorted(k.to_user_string() for k in produced)}). Use @asset_check "
                "for checks on other assets."
            )
        name = spec.get_python_identifier()
        if name in by_output:
            raise InvalidDefinitionError(
                f"Check '{spec.name}' on {spec.asset_key.to_user_string()} is declared twice in "
                f"check_specs of {label}."
            )
        by_output[name] = spec
    return by_output


def _io_manager(
    io_manager_key: str | None,
    io_manager_def: Any,
    resource_defs: Mapping[str, Any] | None,
    op_name: str,
):
    if io_manager_def is None:
        return io_manager_key, resource_defs
    if io_manager_key is not None:
        raise InvalidDefinitionError(
            f"Asset op '{op_name}' got both io_manager_key and io_manager_def; pass one."
        )
    key = f"{op_name}__io_manager"
    return key, {**(resource_defs or {}), key: io_manager_def}


def _finish(assets_def: AssetsDefinition, fn: Callable[..., Any]) -> AssetsDefinition:
    assets_def._source = (fn.__module__, fn.__name__)
    return assets_def


def asset(
    compute_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    description: str | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    io_manager_def: Any = None,
    io_manager_key: str | None = None,
    dagster_type: Any = None,
    partitions_def: Any = None,
    op_tags: Mapping[str, Any] | None = None,
    group_name: str | None = None,
    output_required: bool = True,
    automation_condition: Any = None,
    freshness_policy: Any = None,
    backfill_policy: Any = None,
    retry_policy: Any = None,
    code_version: str | None = None,
    key: Any = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    pool: str | None = None,
    non_argument_deps: Iterable[Any] | None = None,
    compute_kind: str | None = None,
) -> Any:
    """Define an asset computed by the decorated function; usable as ``@asset`` or ``@asset(...)``.

    The key is ``[*key_prefix, name or function name]`` unless ``key`` is given. Each parameter
    (other than the context, resources and config) is an upstream asset named after it.

    Raises:
        InvalidDefinitionError: key given with name or key_prefix, an invalid name or group,
            an ``ins`` entry naming no parameter, or an inconsistent check spec.
    """
    if key is not None and (name is not None or key_prefix):
        raise InvalidDefinitionError(
            "Cannot specify a name or key prefix for @asset when the key argument is provided."
        )
    check_valid_group_name(group_name)
    kinds = _kinds(kinds, compute_kind, "@asset")
    extra_deps = _all_deps(deps, non_argument_deps, "@asset")
    spec_owners = _to_owners(owners)
    spec_kinds = _to_kinds(kinds)
    _to_tags(tags)

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        signature = FnSignature(fn)
        if key is not None:
            asset_key = AssetKey.from_coercible(key)
        elif key_prefix:
            asset_key = AssetKey((*_prefix(key_prefix), name or fn.__name__))
        else:
            asset_key = _shared_key_and_dep(name or fn.__name__)[0]
        check_valid_key_components(asset_key.parts)
        inputs = _Inputs(fn, signature, ins, extra_deps)
        op_name = asset_key.to_python_identifier()
        checks = _check_outs(check_specs, (asset_key,), f"@asset '{op_name}'")
        inputs.add_ordering_inputs(_check_dep_keys(checks.values()), {asset_key})
        out_key, resources = _io_manager(io_manager_key, io_manager_def, resource_defs, op_name)
        returns_nothing = signature.returns_none
        if (
            checks
            or returns_nothing
            or dagster_type is not None
            or not output_required
            or out_key is not None
            or code_version is not None
        ):
            outs = {
                "result": build_trusted(
                    Out,
                    Nothing if returns_nothing else dagster_type,
                    None,
                    output_required,
                    out_key,
                    {},
                    code_version,
                )
            }
        else:
            outs = _DEFAULT_OUTS
        for output_name in checks:
            outs[output_name] = Out(dagster_type=Nothing)
        desc = _description(fn, description)
        op_def = OpDefinition(
            fn,
            op_name,
            ins=inputs.ins,
            outs=outs,
            description=desc,
            config_schema=config_schema,
            required_resource_keys=required_resource_keys,
            tags=op_tags,
            retry_policy=retry_policy,
            code_version=code_version,
            pool=pool,
            _signature=signature,
        )
        spec = build_trusted(
            AssetSpec,
            asset_key,
            tuple(inputs.deps),
            desc,
            _to_dict(metadata),
            not output_required,
            group_name or DEFAULT_GROUP_NAME,
            code_version,
            automation_condition,
            spec_owners,
            _to_dict(tags),
            spec_kinds,
            partitions_def,
            None,
            freshness_policy,
        )
        mappings = {
            dep.asset_key: dep.partition_mapping
            for dep in spec.deps
            if dep.partition_mapping is not None
        }
        return _finish(
            AssetsDefinition._trusted(
                node_def=op_def,
                keys_by_input_name=inputs.keys_by_input_name,
                keys_by_output_name={"result": asset_key},
                specs_by_key={asset_key: spec},
                check_specs_by_output_name=checks,
                can_subset=False,
                partitions_def=partitions_def,
                partition_mappings=mappings,
                backfill_policy=backfill_policy,
                resource_defs=dict(resources) if resources else {},
            ),
            fn,
        )

    return decorate(compute_fn) if compute_fn is not None else decorate


def multi_asset(
    compute_fn: Callable[..., Any] | None = None,
    *,
    outs: Mapping[str, AssetOut] | None = None,
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    description: str | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    internal_asset_deps: Mapping[str, set[AssetKey]] | None = None,
    partitions_def: Any = None,
    backfill_policy: Any = None,
    op_tags: Mapping[str, Any] | None = None,
    can_subset: bool = False,
    resource_defs: Mapping[str, Any] | None = None,
    group_name: str | None = None,
    retry_policy: Any = None,
    code_version: str | None = None,
    specs: Sequence[AssetSpec] | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    pool: str | None = None,
    non_argument_deps: Iterable[Any] | None = None,
    compute_kind: str | None = None,
) -> Any:
    """Define several assets computed by one function, declared by ``outs`` or by ``specs``.

    The op is named after the function (no key prefix). Without ``internal_asset_deps`` (or
    spec deps), every asset depends on every input.

    Raises:
        InvalidDefinitionError: both or neither of outs and specs, invalid names, an
            ``internal_asset_deps`` entry naming no output, or inconsistent checks.
    """
    if outs is not None and specs is not None:
        raise InvalidDefinitionError(
            "@multi_asset got both outs and specs; declare the assets with only one of them."
        )
    if outs is None and specs is None:
        raise InvalidDefinitionError(
            "@multi_asset needs outs={name: AssetOut(...)} or specs=[AssetSpec(...)]."
        )
    check_valid_group_name(group_name)
    kinds = _kinds(None, compute_kind, "@multi_asset")
    extra_deps = _all_deps(deps, non_argument_deps, "@multi_asset")

    def decorate(fn: Callable[..., Any]) -> AssetsDefinition:
        signature = FnSignature(fn)
        op_name = name or fn.__name__
        label = f"@multi_asset '{op_name}'"
        inputs = _Inputs(fn, signature, ins, extra_deps)
        input_deps = inputs.deps
        internal = internal_asset_deps or {}
        op_outs: dict[str, Out] = {}
        keys_by_output_name: dict[str, AssetKey] = {}
        asset_specs: list[AssetSpec] = []
        declared = outs.keys() if outs is not None else ()
        for output_name in internal:
            if outs is not None and output_name not in declared:
                raise InvalidDefinitionError(
                    f"internal_asset_deps of {label} names output '{output_name}', which is not "
                    f"one of its outs {list(declared)}."
                )

        def lineage(output_name: str, own: Sequence[AssetDep]) -> list[AssetDep]:
            if output_name in internal:
                return [coerce_dep(k) for k in internal[output_name]]
            known = {d.asset_key for d in own}
            return [*own, *(d for d in input_deps if d.asset_key not in known)]

        if outs is not None:
            for output_name, asset_out in outs.items():
                check_valid_name(output_name)
                asset_key = asset_out.resolve_key(output_name)
                check_valid_key_components(asset_key.parts)
                spec = asset_out.to_spec(asset_key, lineage(output_name, ()))
                keys_by_output_name[output_name] = asset_key
                op_outs[output_name] = Out(
                    dagster_type=asset_out.dagster_type,
                    description=asset_out.description,
                    is_required=asset_out.is_required,
                    io_manager_key=asset_out.io_manager_key,
                    metadata=asset_out.metadata,
                    code_version=asset_out.code_version or code_version,
                )
                asset_specs.append(spec)
        else:
            for spec in specs or ():
                check_valid_key_components(spec.key.parts)
                output_name = spec.key.to_python_identifier()
                keys_by_output_name[output_name] = spec.key
                op_outs[output_name] = Out(
                    is_required=not spec.skippable,
                    io_manager_key=spec.metadata.get(IO_MANAGER_KEY_METADATA),
                    code_version=spec.code_version or code_version,
                )
                asset_specs.append(spec.replace_attributes(deps=lineage(output_name, spec.deps)))
        finished = []
        for spec in asset_specs:
            changes: dict[str, Any] = {}
            if spec.group_name is None:
                changes["group_name"] = group_name or DEFAULT_GROUP_NAME
            if spec.code_version is None and code_version is not None:
                changes["code_version"] = code_version
            if kinds and not spec.kinds:
                changes["kinds"] = kinds
            finished.append(spec.replace_attributes(**changes) if changes else spec)
        produced = set(keys_by_output_name.values())
        checks = _check_outs(check_specs, produced, label)
        inputs.add_ordering_inputs([d.asset_key for spec in finished for d in spec.deps], produced)
        inputs.add_ordering_inputs(_check_dep_keys(checks.values()), produced)
        for output_name in checks:
            op_outs[output_name] = Out(dagster_type=Nothing, is_required=not can_subset)
        op_def = OpDefinition(
            fn,
            op_name,
            ins=inputs.ins,
            outs=op_outs,
            description=_description(fn, description),
            config_schema=config_schema,
            required_resource_keys=required_resource_keys,
            tags=op_tags,
            retry_policy=retry_policy,
            code_version=code_version,
            pool=pool,
            _signature=signature,
        )
        return _finish(
            AssetsDefinition(
                keys_by_input_name=inputs.keys_by_input_name,
                keys_by_output_name=keys_by_output_name,
                node_def=op_def,
                partitions_def=partitions_def,
                can_subset=can_subset,
                resource_defs=resource_defs,
                backfill_policy=backfill_policy,
                specs=finished,
                check_specs_by_output_name=checks,
            ),
            fn,
        )

    return decorate(compute_fn) if compute_fn is not None else decorate


def asset_check(
    compute_fn: Callable[..., Any] | None = None,
    *,
    asset: Any,
    name: str | None = None,
    description: str | None = None,
    blocking: bool = False,
    additional_ins: Mapping[str, AssetIn] | None = None,
    additional_deps: Iterable[Any] | None = None,
    required_resource_keys: set[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    config_schema: Any = None,
    op_tags: Mapping[str, Any] | None = None,
    retry_policy: Any = None,
    metadata: Mapping[str, Any] | None = None,
    automation_condition: Any = None,
    pool: str | None = None,
) -> Any:
    """Define a check on ``asset`` computed by the decorated function.

    The function returns an `AssetCheckResult`. Its first data parameter (one not in
    ``additional_ins``) receives the checked asset's value.

    Raises:
        InvalidDefinitionError: an invalid name, or ``additional_ins`` naming no parameter.
    """
    asset_key = AssetDep(asset).asset_key
    extra_deps = _all_deps(additional_deps, None, "@asset_check")

    def decorate(fn: Callable[..., Any]) -> AssetChecksDefinition:
        signature = FnSignature(fn)
        check_name = name or fn.__name__
        extra_ins = dict(additional_ins or {})
        ins: dict[str, AssetIn] = dict(extra_ins)
        for param in signature.data_params:
            if param not in ins:
                ins[param] = AssetIn(key=asset_key)
                break
        inputs = _Inputs(fn, signature, ins, extra_deps)
        spec = AssetCheckSpec(
            check_name,
            asset=asset_key,
            additional_deps=[d for d in inputs.deps if d.asset_key != asset_key],
            description=_description(fn, description),
            blocking=blocking,
            metadata=metadata,
            automation_condition=automation_condition,
        )
        inputs.add_ordering_inputs(_check_dep_keys((spec,)), set())
        output_name = spec.get_python_identifier()
        op_def = OpDefinition(
            fn,
            output_name,
            ins=inputs.ins,
            outs={output_name: Out(dagster_type=Nothing)},
            description=spec.description,
            config_schema=config_schema,
            required_resource_keys=required_resource_keys,
            tags=op_tags,
            retry_policy=retry_policy,
            pool=pool,
            _signature=signature,
        )
        checks_def = AssetChecksDefinition(
            keys_by_input_name=inputs.keys_by_input_name,
            keys_by_output_name={},
            node_def=op_def,
            resource_defs=resource_defs,
            specs=(),
            check_specs_by_output_name={output_name: spec},
        )
        _finish(checks_def, fn)
        return checks_def

    return decorate(compute_fn) if compute_fn is not None else decorate
