"""Loading code locations through the plugin hooks, one failure never stopping the others."""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING

from headwater.locations.specs import LoadedLocation, LocationSpec

if TYPE_CHECKING:
    from headwater.instance import Instance


def location_specs(instance: Instance) -> list[LocationSpec]:
    """Collect the location specs every plugin registers, in plugin order.

    The built-in Python plugin contributes one spec per ``headwater.locations`` entry point.
    """
    from headwater._plugins import get_plugin_manager

    results = get_plugin_manager().hook.register_code_locations(instance=instance)
    return [spec for specs in results if specs for spec in specs]


def load_locations(
    instance: Instance, specs: Iterable[LocationSpec] | None = None
) -> list[LoadedLocation]:
    """Load code locations into `Definitions`, keeping going past failures.

    Each spec is handed to the ``load_code_location`` hook. A location that raises, or that no
    plugin knows how to load, comes back with ``error`` and ``traceback`` set; the others load
    normally. A second spec with an already-used name fails without being imported.

    Args:
        instance: the instance the locations are loaded for (passed on to the hooks).
        specs: the specs to load; by default those of ``register_code_locations``.

    Returns:
        One `LoadedLocation` per spec, in the order of the specs.
    """
    from headwater._plugins import get_plugin_manager

    hook = get_plugin_manager().hook
    specs = location_specs(instance) if specs is None else list(specs)
    loaded: list[LoadedLocation] = []
    origins: dict[str, str] = {}
    for spec in specs:
        if spec.name in origins:
            message = (
                f"Code location name {spec.name!r} is used twice: by {origins[spec.name]} and "
                f"by {spec.origin}. Rename one of them (the entry point name is the location "
                "name) or uninstall one distribution."
            )
            loaded.append(LoadedLocation(spec, error=message, traceback=message))
            continue
        origins[spec.name] = spec.origin
        loaded.append(_load_one(hook, spec, instance))
    return loaded


def _load_one(hook, spec: LocationSpec, instance: Instance) -> LoadedLocation:
    from headwater import Definitions

    try:
        definitions = hook.load_code_location(spec=spec, instance=instance)
        if definitions is None:
            raise LookupError(
                f"No plugin can load code location {spec.name!r} of kind {spec.kind!r} "
                f"({spec.origin}); install the plugin that provides this kind of location."
            )
        if not isinstance(definitions, Definitions):
            raise TypeError(
                f"Loading code location {spec.name!r} returned "
                f"{type(definitions).__name__}, not a Definitions object."
            )
    except Exception as exc:
        summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return LoadedLocation(spec, error=summary, traceback=traceback.format_exc())
    return LoadedLocation(spec, definitions=definitions)
