"""Which resources the assets of a `Definitions` need, and a clear error for the first missing.

Kept apart from the job modules so that `Definitions.validate_loadable` and job resolution
pay only for this check, not for importing selections and resources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from headwater.definitions.ops import DEFAULT_IO_MANAGER_KEY, is_nothing
from headwater.errors import InvalidDefinitionError


def check_required_resources(assets_defs: Iterable[Any], resources: Mapping[str, Any]) -> None:
    """Raise for the first resource or IO manager that an asset or a resource needs but lacks.

    Covers every op's required resource keys (ops inside graphs too), the IO managers of op
    outputs and the input managers of op inputs, the IO managers of source and external
    assets that are loaded, and the keys resources require of each other. The default
    ``io_manager`` always counts as provided; an asset's own ``resource_defs`` count for it.

    Args:
        assets_defs: every definition in scope (executable or not), in a stable order.
        resources: the resources given to all of them.

    Raises:
        InvalidDefinitionError: naming the missing key, what requires it and the asset.
    """
    assets_defs = list(assets_defs)
    producers = {key: ad for ad in assets_defs for key in ad.keys}
    shared_provided = {DEFAULT_IO_MANAGER_KEY, *resources}
    _check_resource_dependencies(resources, shared_provided, None)
    for ad in assets_defs:
        if not ad.is_executable:
            continue
        # Most assets bind no resources of their own: share one set for them.
        available, provided = resources, shared_provided
        if ad.resource_defs:
            available = {**resources, **ad.resource_defs}
            provided = {DEFAULT_IO_MANAGER_KEY, *available}
            _check_resource_dependencies(ad.resource_defs, provided, ad)
        node = ad.node_def
        for op in _ops(node):
            # (kind, key, what needs it); described only if something is missing.
            needs = [("resource", key, None) for key in op.required_resource_keys]
            needs += [("io manager", out.io_manager_key, name) for name, out in op.outs.items()]
            needs += [
                ("input manager", spec.input_manager_key, name)
                for name, spec in op.ins.items()
                if spec.input_manager_key
            ]
            missing = [need for need in needs if need[1] and need[1] not in provided]
            if missing:
                kind, key, name = min(missing, key=lambda need: (need[0], need[1], need[2] or ""))
                required_by = {
                    "resource": f"op '{op.name}'",
                    "io manager": f"output '{name}' of op '{op.name}'",
                    "input manager": f"input '{name}' of op '{op.name}'",
                }[kind]
                raise _not_provided(kind, key, required_by, ad, provided, available)
        for key, io_key in _loaded_source_io_managers(ad, producers):
            if io_key not in provided:
                required_by = f"source asset {key.to_user_string()}"
                raise _not_provided("io manager", io_key, required_by, ad, provided, available)


def io_manager_keys(assets_defs: Iterable[Any]) -> set[str]:
    """The IO manager keys the executable assets store their outputs with, and those of the
    source and external assets they load."""
    assets_defs = list(assets_defs)
    producers = {key: ad for ad in assets_defs for key in ad.keys}
    keys: set[str] = set()
    for ad in assets_defs:
        if ad.is_executable:
            for op in _ops(ad.node_def):
                outs = op.outs.values()
                keys.update(out.io_manager_key or DEFAULT_IO_MANAGER_KEY for out in outs)
            keys.update(io_key for _, io_key in _loaded_source_io_managers(ad, producers))
    return keys


def _ops(node: Any) -> list[Any]:
    leaves = getattr(node, "leaves", None)  # a graph: the ops inside it
    return [leaf.op for leaf in leaves()] if leaves is not None else [node]


def _loaded_source_io_managers(ad: Any, producers: Mapping[Any, Any]) -> list[tuple[Any, str]]:
    """(key, IO manager key) of each source or external asset ``ad`` loads as a value."""
    loaded = []
    for input_name, key in ad.keys_by_input_name.items():
        upstream = producers.get(key)
        spec = ad.node_def.ins.get(input_name)
        if upstream is None or upstream.is_materializable or spec is None:
            continue  # materializable upstreams are checked as producers
        if is_nothing(spec.dagster_type) or spec.input_manager_key:
            continue
        loaded.append((key, upstream.io_manager_key_for_asset_key(key)))
    return loaded


def _check_resource_dependencies(
    resources: Mapping[str, Any], provided: set[str], owner: Any
) -> None:
    if not resources:
        return
    from headwater.resources._definition import ResourceDefinition

    for key, value in resources.items():
        if isinstance(value, ResourceDefinition):
            for dep in sorted(value.required_resource_keys):
                if dep not in provided:
                    required_by = f"resource with key '{key}'"
                    raise _not_provided("resource", dep, required_by, owner, provided, resources)


def _owner_label(assets_def: Any) -> str:
    keys = sorted(k.to_user_string() for k in assets_def.keys)
    if keys:
        return f"asset{'s' if len(keys) > 1 else ''} {', '.join(keys)}"
    return f"asset check {', '.join(sorted(k.to_user_string() for k in assets_def.check_keys))}"


def _not_provided(
    kind: str,
    key: str,
    required_by: str,
    owner: Any,
    provided: set[str],
    resources: Mapping[str, Any],
) -> InvalidDefinitionError:
    """The error for a missing key; ``owner`` is the assets definition needing it, if any."""
    if kind == "resource":
        candidates = sorted(provided)
        target = "a resource"
    else:
        candidates = sorted(k for k in provided if _is_io_manager(resources.get(k), k))
        target = "an IO manager"
    return InvalidDefinitionError(
        f"{kind} with key '{key}' required by {required_by} was not provided. Please provide "
        f"{target} to key '{key}', or change the required key to one of the following keys "
        f"which points to {target}: {candidates!r}"
        + (f" (needed for {_owner_label(owner)})" if owner is not None else "")
    )


def _is_io_manager(value: Any, key: str) -> bool:
    from headwater.io._manager import ConfigurableIOManagerFactory, IOManager, IOManagerDefinition

    if value is None:
        return key == DEFAULT_IO_MANAGER_KEY
    return isinstance(value, (IOManager, IOManagerDefinition, ConfigurableIOManagerFactory))
