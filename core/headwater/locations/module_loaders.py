"""``load_assets_from_*``, ``load_asset_checks_from_*`` and ``load_definitions_from_*``.

Each loader looks through ``dir(module)`` of the given modules for definitions (and lists made
only of definitions), keeps each object once (asset specs by equality, everything else by
identity) and refuses two different objects claiming one asset key or name.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from headwater.definitions.keys import AssetKey
from headwater.errors import InvalidDefinitionError
from headwater.locations.collect import (
    FoundObjects,
    caller_module,
    check_unique,
    find_objects,
    package_modules,
    package_modules_by_name,
)

if TYPE_CHECKING:
    from headwater.definitions.assets import AssetsDefinition
    from headwater.definitions.definitions import Definitions

DEFAULT_GROUP_NAME = "default"

# Public names of the definition kinds load_definitions_from_* collects besides assets; a kind
# is collected once its package exports it from `headwater`.
_NAMED_KINDS = {
    "job": ("JobDefinition", "UnresolvedAssetJobDefinition"),
    "schedule": ("ScheduleDefinition",),
    "sensor": ("SensorDefinition",),
}


def load_assets_from_modules(
    modules: Iterable[ModuleType],
    group_name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    *,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    source_key_prefix: str | Sequence[str] | None = None,
    include_specs: bool = False,
) -> list[Any]:
    """Collect the assets and source assets defined in ``modules``.

    Args:
        modules: the modules to look in.
        group_name: group for every loaded asset whose group is unset or ``"default"``.
        key_prefix: prefix for the keys of the loaded assets; their dependencies on each
            other are rewritten to match, dependencies on other keys are left alone.
        automation_condition: condition set on every loaded asset.
        backfill_policy: backfill policy set on every loaded materializable asset.
        source_key_prefix: prefix for the keys of the loaded source assets, and for every
            loaded asset's dependencies on them.
        include_specs: also collect `AssetSpec` objects.

    Returns:
        The loaded `AssetsDefinition`, `SourceAsset` (and, with ``include_specs``,
        `AssetSpec`) objects, rewritten as asked.

    Raises:
        DuplicateDefinitionError: two different objects define one asset key.
        InvalidDefinitionError: ``group_name`` conflicts with an asset's explicit group.
    """
    found = _find_assets(modules, include_specs=include_specs)
    return _apply_options(
        found.objects,
        group_name=group_name,
        key_prefix=key_prefix,
        source_key_prefix=source_key_prefix,
        automation_condition=automation_condition,
        backfill_policy=backfill_policy,
    )


def load_assets_from_current_module(
    group_name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    *,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    source_key_prefix: str | Sequence[str] | None = None,
    include_specs: bool = False,
) -> list[Any]:
    """Collect the assets of the module this is called from (see `load_assets_from_modules`).

    Raises:
        InvariantViolationError: "Could not find a module for the caller" (for code not run
            from an imported module).
    """
    return load_assets_from_modules(
        [caller_module(1)],
        group_name,
        key_prefix,
        automation_condition=automation_condition,
        backfill_policy=backfill_policy,
        source_key_prefix=source_key_prefix,
        include_specs=include_specs,
    )


def load_assets_from_package_module(
    package_module: ModuleType,
    group_name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    *,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    source_key_prefix: str | Sequence[str] | None = None,
    include_specs: bool = False,
) -> list[Any]:
    """Collect the assets of a package and all its submodules, importing each of them."""
    return load_assets_from_modules(
        list(package_modules(package_module)),
        group_name,
        key_prefix,
        automation_condition=automation_condition,
        backfill_policy=backfill_policy,
        source_key_prefix=source_key_prefix,
        include_specs=include_specs,
    )


def load_assets_from_package_name(
    package_name: str,
    group_name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    *,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    source_key_prefix: str | Sequence[str] | None = None,
    include_specs: bool = False,
) -> list[Any]:
    """Import the package ``package_name`` and collect the assets of all its modules."""
    return load_assets_from_modules(
        list(package_modules_by_name(package_name)),
        group_name,
        key_prefix,
        automation_condition=automation_condition,
        backfill_policy=backfill_policy,
        source_key_prefix=source_key_prefix,
        include_specs=include_specs,
    )


# -- asset checks ----------------------------------------------------------------------------


def load_asset_checks_from_modules(
    modules: Iterable[ModuleType], asset_key_prefix: str | Sequence[str] | None = None
) -> list[AssetsDefinition]:
    """Collect the asset checks (``@asset_check`` definitions) defined in ``modules``.

    Args:
        modules: the modules to look in.
        asset_key_prefix: prefix added to the key of the asset each check targets (use the
            ``key_prefix`` its assets were loaded with).

    Raises:
        DuplicateDefinitionError: two different objects define one asset check.
    """
    from headwater.definitions.assets import AssetsDefinition

    found = find_objects(modules, lambda obj: isinstance(obj, AssetsDefinition) and _is_check(obj))
    check_unique(found, found.objects, _check_keys, _describe_check)
    if asset_key_prefix is None:
        return list(found.objects)
    return [
        checks.with_attributes(
            asset_key_replacements={
                key.asset_key: key.asset_key.with_prefix(asset_key_prefix)
                for key in checks.check_keys
            }
        )
        for checks in found.objects
    ]


def load_asset_checks_from_current_module(
    asset_key_prefix: str | Sequence[str] | None = None,
) -> list[AssetsDefinition]:
    """Collect the asset checks of the module this is called from."""
    return load_asset_checks_from_modules([caller_module(1)], asset_key_prefix)


def load_asset_checks_from_package_module(
    package_module: ModuleType, asset_key_prefix: str | Sequence[str] | None = None
) -> list[AssetsDefinition]:
    """Collect the asset checks of a package and all its submodules."""
    return load_asset_checks_from_modules(list(package_modules(package_module)), asset_key_prefix)


def load_asset_checks_from_package_name(
    package_name: str, asset_key_prefix: str | Sequence[str] | None = None
) -> list[AssetsDefinition]:
    """Import the package ``package_name`` and collect the asset checks of all its modules."""
    return load_asset_checks_from_modules(
        list(package_modules_by_name(package_name)), asset_key_prefix
    )


# -- whole definitions -------------------------------------------------------------------------


def load_definitions_from_modules(
    modules: Iterable[ModuleType],
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    """Build a `Definitions` from everything defined in ``modules``.

    Collects assets, source assets, asset specs, asset checks, jobs, schedules and sensors
    (lists of them too); ``resources``, ``loggers`` and ``executor`` are passed through.

    Raises:
        DuplicateDefinitionError: two different objects define one asset key, asset check,
            or job, schedule or sensor name.
    """
    from headwater import Definitions

    modules = list(modules)
    asset_found = _find_assets(modules, include_specs=True, keep_checks=True)
    assets = [obj for obj in asset_found.objects if not _is_check(obj)]
    checks = [obj for obj in asset_found.objects if _is_check(obj)]
    check_unique(asset_found, checks, _check_keys, _describe_check)
    named: dict[str, list[object]] = {}
    for kind, names in _NAMED_KINDS.items():
        types = _public_types(names)
        if not types:
            named[kind] = []
            continue
        found = find_objects(modules, lambda obj, types=types: isinstance(obj, types))
        label = kind.capitalize()
        check_unique(found, found.objects, lambda obj: [obj.name], lambda n, x=label: f"{x} {n}")
        named[kind] = found.objects
    return Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=named["job"],
        schedules=named["schedule"],
        sensors=named["sensor"],
        resources=resources,
        loggers=loggers,
        executor=executor,
    )


def load_definitions_from_module(
    module: ModuleType,
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    """Build a `Definitions` from everything defined in one module."""
    return load_definitions_from_modules([module], resources, loggers, executor)


def load_definitions_from_current_module(
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    """Build a `Definitions` from everything defined in the module this is called from."""
    return load_definitions_from_modules([caller_module(1)], resources, loggers, executor)


def load_definitions_from_package_module(
    package_module: ModuleType,
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    """Build a `Definitions` from everything defined in a package and its submodules."""
    return load_definitions_from_modules(
        list(package_modules(package_module)), resources, loggers, executor
    )


def load_definitions_from_package_name(
    package_name: str,
    resources: Mapping[str, Any] | None = None,
    loggers: Mapping[str, Any] | None = None,
    executor: Any = None,
) -> Definitions:
    """Import the package ``package_name`` and build a `Definitions` from all its modules."""
    return load_definitions_from_modules(
        list(package_modules_by_name(package_name)), resources, loggers, executor
    )


# -- helpers -----------------------------------------------------------------------------------


def _public_types(names: Iterable[str]) -> tuple[type, ...]:
    """The exported classes among ``names`` whose defining module is already imported.

    An object of a class whose module was never imported cannot exist, so nothing is missed,
    and loading a location does not import (say) the job machinery it does not use.
    """
    import headwater

    return tuple(
        getattr(headwater, name)
        for name in names
        if name in headwater._EXPORTS and headwater._EXPORTS[name] in sys.modules
    )


def _asset_types(include_specs: bool) -> tuple[type, ...]:
    from headwater.definitions.assets import AssetsDefinition
    from headwater.definitions.specs import AssetSpec

    types = (AssetsDefinition, *_public_types(["SourceAsset"]))
    return (*types, AssetSpec) if include_specs else types


def _find_assets(
    modules: Iterable[ModuleType], *, include_specs: bool, keep_checks: bool = False
) -> FoundObjects:
    types = _asset_types(include_specs)

    def accept(obj: object) -> bool:
        return isinstance(obj, types) and (keep_checks or not _is_check(obj))

    found = find_objects(modules, accept, equality_key=_spec_equality_key)
    check_unique(
        found,
        [obj for obj in found.objects if not _is_check(obj)],
        _asset_keys,
        lambda key: f"Asset key {key.to_user_string()}",
    )
    return found


def _is_check(obj: object) -> bool:
    from headwater.definitions.assets import AssetsDefinition

    return isinstance(obj, AssetsDefinition) and not obj.keys and bool(obj.check_keys)


def _spec_equality_key(obj: object) -> AssetKey | None:
    from headwater.definitions.specs import AssetSpec

    return obj.key if isinstance(obj, AssetSpec) else None


def _asset_keys(obj: Any) -> Iterable[AssetKey]:
    from headwater.definitions.assets import AssetsDefinition

    return obj.keys if isinstance(obj, AssetsDefinition) else [obj.key]


def _check_keys(obj: Any) -> Iterable[Any]:
    return obj.check_keys


def _describe_check(check_key: Any) -> str:
    return f"Asset check {check_key.name} on {check_key.asset_key.to_user_string()}"


def _apply_options(
    objects: Sequence[Any],
    *,
    group_name: str | None,
    key_prefix: str | Sequence[str] | None,
    source_key_prefix: str | Sequence[str] | None,
    automation_condition: Any,
    backfill_policy: Any,
) -> list[Any]:
    from headwater.definitions.assets import AssetsDefinition
    from headwater.definitions.specs import AssetSpec

    replacements: dict[AssetKey, AssetKey] = {}
    for obj in objects:
        if isinstance(obj, AssetsDefinition) and key_prefix:
            replacements.update({key: key.with_prefix(key_prefix) for key in obj.keys})
        elif not isinstance(obj, (AssetsDefinition, AssetSpec)) and source_key_prefix:
            replacements[obj.key] = obj.key.with_prefix(source_key_prefix)
    result = []
    for obj in objects:
        if isinstance(obj, AssetsDefinition):
            obj = _rewrite_assets_def(
                obj, replacements, group_name, automation_condition, backfill_policy
            )
        elif isinstance(obj, AssetSpec):
            obj = _rewrite_spec(obj, group_name, automation_condition)
        else:
            obj = _rewrite_source_asset(obj, replacements, group_name)
        result.append(obj)
    return result


def _group_for(key: AssetKey, current: str | None, group_name: str | None) -> str | None:
    """The group to set, or None to leave it; raises when it conflicts with an explicit one."""
    if group_name is None or current == group_name:
        return None
    if current not in (None, DEFAULT_GROUP_NAME):
        raise InvalidDefinitionError(
            f"Asset spec {key.to_user_string()} has group name {current}, which conflicts "
            f"with the group name {group_name} provided in load_assets_from_modules."
        )
    return group_name


def _rewrite_assets_def(
    assets_def: AssetsDefinition,
    replacements: Mapping[AssetKey, AssetKey],
    group_name: str | None,
    automation_condition: Any,
    backfill_policy: Any,
) -> AssetsDefinition:
    groups = {}
    for key, spec in assets_def.specs_by_key.items():
        group = _group_for(key, spec.group_name, group_name)
        if group is not None:
            groups[key] = group
    used = {
        old: new
        for old, new in replacements.items()
        if old in assets_def.keys or old in assets_def.dependency_keys
    }
    if used or groups or (backfill_policy is not None and assets_def.is_materializable):
        assets_def = assets_def.with_attributes(
            asset_key_replacements=used or None,
            group_names_by_key=groups or None,
            backfill_policy=backfill_policy if assets_def.is_materializable else None,
        )
    if automation_condition is not None:
        assets_def = assets_def.map_asset_specs(
            lambda spec: spec.replace_attributes(automation_condition=automation_condition)
        )
    return assets_def


def _rewrite_spec(spec: Any, group_name: str | None, automation_condition: Any) -> Any:
    changes: dict[str, Any] = {}
    group = _group_for(spec.key, spec.group_name, group_name)
    if group is not None:
        changes["group_name"] = group
    if automation_condition is not None:
        changes["automation_condition"] = automation_condition
    return spec.replace_attributes(**changes) if changes else spec


def _rewrite_source_asset(
    source: Any, replacements: Mapping[AssetKey, AssetKey], group_name: str | None
) -> Any:
    from headwater.definitions.source import SourceAsset

    group = _group_for(source.key, source.group_name, group_name)
    new_key = replacements.get(source.key)
    if group is None and new_key is None:
        return source
    # The IO manager key was derived when the original was built; keep it and its resource.
    return SourceAsset._internal(
        key=new_key or source.key,
        metadata=source.metadata,
        io_manager_key=source.io_manager_key,
        description=source.description,
        partitions_def=source.partitions_def,
        group_name=group or source.group_name,
        resource_defs=source.resource_defs,
        observe_fn=source.observe_fn,
        op_tags=source.op_tags,
        auto_observe_interval_minutes=source.auto_observe_interval_minutes,
        automation_condition=source.automation_condition,
        tags=source.tags,
    )
