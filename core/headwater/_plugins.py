"""The plugin manager: built-ins, entry points, blocking, validation and the name registries.

Discovery order (also documented in docs/reference/hookspecs.md):

1. blocked names (``HEADWATER_BLOCK_PLUGINS`` and ``blocked=``) are never imported;
2. built-in plugins (`headwater.builtin.BUILTIN_PLUGINS`), each named by the last component of
   its module name;
3. ``headwater.plugins`` entry points, named by the entry point name, unless
   ``HEADWATER_DISABLE_PLUGIN_AUTOLOAD`` is true (or ``autoload=False``);
4. plugins named explicitly (``HEADWATER_PLUGINS`` and ``plugins=``), by module name;
5. the unknown-hook check.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pluggy

from headwater import hookspecs
from headwater.errors import PluginError, PluginNotFoundError, did_you_mean

ENTRY_POINT_GROUP = "headwater.plugins"
BLOCK_ENV = "HEADWATER_BLOCK_PLUGINS"
DISABLE_AUTOLOAD_ENV = "HEADWATER_DISABLE_PLUGIN_AUTOLOAD"
PLUGINS_ENV = "HEADWATER_PLUGINS"

_TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


@attrs.frozen
class PluginInfo:
    """One plugin as `headwater plugins list` shows it.

    Attributes:
        name: the name the plugin is registered (or blocked) under.
        source: ``"builtin"``, ``"entrypoint"`` or ``"explicit"``.
        distribution: the installed distribution providing it, None when it has none.
        version: that distribution's version.
        status: ``"loaded"``, ``"blocked"`` or ``"failed"``.
        hooks: names of the hooks it implements (empty unless loaded).
        error: why it failed, for ``"failed"``.
    """

    name: str
    source: str
    distribution: str | None
    version: str | None
    status: str
    hooks: tuple[str, ...] = ()
    error: str | None = None


@attrs.frozen
class RegisteredImpl:
    """One named implementation collected from a ``register_*`` hook.

    Attributes:
        name: the registered name (``"fs"``).
        value: what the plugin registered under that name.
        plugin: the name of the plugin that registered it.
        distribution: that plugin's distribution, None when it has none.
        default: True when registered by a ``trylast`` implementation, which any other
            plugin registering the same name overrides.
    """

    name: str
    value: Any
    plugin: str
    distribution: str | None
    default: bool


_KIND_BY_HOOK = {
    "register_io_managers": "IO manager",
    "register_executors": "executor",
    "register_storage_backends": "storage backend",
    "register_automation_conditions": "automation condition",
}


class HeadwaterPluginManager(pluggy.PluginManager):
    """A pluggy plugin manager that remembers where each plugin came from."""

    def __init__(self) -> None:
        super().__init__("headwater")
        self._infos: list[PluginInfo] = []
        self._registries: dict[str, dict[str, RegisteredImpl]] = {}

    def register(self, plugin: object, name: str | None = None) -> str | None:
        self._registries.clear()
        return super().register(plugin, name)

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        self._registries.clear()
        return super().unregister(plugin, name)

    def plugin_infos(self) -> list[PluginInfo]:
        """Every plugin seen while building, in discovery order, with its current hooks."""
        infos = []
        for info in self._infos:
            plugin = self.get_plugin(info.name) if info.status == "loaded" else None
            if plugin is not None:
                hooks = tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or ()))
                info = attrs.evolve(info, hooks=hooks)
            infos.append(info)
        return infos

    def origin(self, plugin_name: str) -> PluginInfo | None:
        """The loaded plugin record for ``plugin_name``, None for plugins registered later."""
        for info in self._infos:
            if info.name == plugin_name and info.status == "loaded":
                return info
        return None

    def collect_registry(self, hook_name: str) -> dict[str, RegisteredImpl]:
        """Merge the mappings returned by every implementation of a ``register_*`` hook.

        Raises:
            PluginError: the hook is unknown, an implementation returned something other than
                a mapping, or two non-default implementations registered one name.
        """
        cached = self._registries.get(hook_name)
        if cached is not None:
            return cached
        caller = getattr(self.hook, hook_name, None)
        if not isinstance(caller, pluggy.HookCaller) or not caller.has_spec():
            known = _known_hooks(self)
            registries = ", ".join(h for h in known if h.startswith("register_"))
            raise PluginError(
                f"Unknown hook '{hook_name}'{did_you_mean(hook_name, known)}. "
                f"Registry hooks: {registries}."
            )
        kind = _KIND_BY_HOOK.get(hook_name, hook_name)
        merged: dict[str, RegisteredImpl] = {}
        for impl in caller.get_hookimpls():
            if impl.wrapper or impl.hookwrapper:
                continue
            result = impl.function()
            if result is None:
                continue
            plugin_label = self._describe(impl.plugin_name)
            if not isinstance(result, Mapping):
                raise PluginError(
                    f"Hook {hook_name} of {plugin_label} returned {type(result).__name__}; "
                    f"it must return a mapping of name to {kind} (or None)."
                )
            origin = self.origin(impl.plugin_name)
            for name, value in result.items():
                entry = RegisteredImpl(
                    name=name,
                    value=value,
                    plugin=impl.plugin_name,
                    distribution=origin.distribution if origin else None,
                    default=impl.trylast,
                )
                merged[name] = self._merge_one(kind, merged.get(name), entry)
        self._registries[hook_name] = merged
        return merged

    def _merge_one(
        self, kind: str, existing: RegisteredImpl | None, new: RegisteredImpl
    ) -> RegisteredImpl:
        if existing is None or (existing.default and not new.default):
            return new
        if new.default and not existing.default:
            return existing
        raise PluginError(
            f"{kind} '{new.name}' is registered by two plugins: "
            f"{self._describe(existing.plugin)} and {self._describe(new.plugin)}. "
            f"Uninstall or block one of them ({BLOCK_ENV}=<plugin name>)."
        )

    def _describe(self, plugin_name: str) -> str:
        origin = self.origin(plugin_name)
        if origin is None:
            return _describe(plugin_name, None, None)
        return _describe(plugin_name, origin.distribution, origin.version)


def _describe(name: str, distribution: str | None, version: str | None) -> str:
    if distribution is None:
        return f"plugin '{name}' (not from an installed distribution)"
    return f"plugin '{name}' (distribution {distribution} {version})"


def _known_hooks(pm: pluggy.PluginManager) -> list[str]:
    return sorted(
        name
        for name, caller in vars(pm.hook).items()
        if isinstance(caller, pluggy.HookCaller) and caller.has_spec()
    )


def distribution_name_version(dist: Any) -> tuple[str, str]:
    """The ``Name`` and ``Version`` of an installed distribution (an ``importlib_metadata``
    distribution), read from the header lines of its metadata file.

    ``dist.name`` and ``dist.version`` parse the whole file with the email package, which costs
    more than everything else the CLI does to find its plugins and locations.
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        field, _, value = line.partition(":")
        if field in ("Name", "Version") and field not in found:
            found[field] = value.strip()
    if len(found) < 2:
        return dist.name, dist.version
    return found["Name"], found["Version"]


def _split_names(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class _Builder:
    """Runs the discovery steps against one fresh manager."""

    def __init__(self, pm: HeadwaterPluginManager, *, strict: bool) -> None:
        self.pm = pm
        self.strict = strict

    def fail(self, info: PluginInfo, message: str, cause: BaseException | None = None) -> None:
        if self.strict:
            raise PluginError(message) from cause
        self.pm._infos.append(attrs.evolve(info, status="failed", error=message))

    def add(self, plugin: object, info: PluginInfo) -> None:
        try:
            self.pm.register(plugin, name=info.name)
        except Exception as exc:
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            label = _describe(info.name, info.distribution, info.version)
            self.fail(info, f"Could not register {label}: {exc}", exc)
            return
        self.pm._infos.append(info)

    def builtins(self, module_names: Iterable[str]) -> set[str]:
        from headwater import __version__

        names = set()
        for module_name in module_names:
            name = module_name.rpartition(".")[2]
            names.add(name)
            info = PluginInfo(name, "builtin", "headwater", __version__, "loaded")
            if self.pm.is_blocked(name):
                self.pm._infos.append(attrs.evolve(info, status="blocked"))
                continue
            try:
                module = importlib.import_module(module_name)
            except Exception as exc:
                self.fail(
                    info,
                    f"Built-in plugin '{name}' ({module_name}) failed to import: "
                    f"{type(exc).__name__}: {exc}. Block it with {BLOCK_ENV}={name} "
                    "and report this bug.",
                    exc,
                )
                continue
            self.add(module, info)
        return names

    def entry_points(self, builtin_names: set[str]) -> None:
        import importlib_metadata

        claims: dict[str, list[Any]] = {}
        for entry_point in importlib_metadata.entry_points(group=ENTRY_POINT_GROUP):
            claims.setdefault(entry_point.name, []).append(entry_point)
        for name, entry_points in claims.items():
            first = entry_points[0]
            info = PluginInfo(name, "entrypoint", *distribution_name_version(first.dist), "loaded")
            if self.pm.is_blocked(name):
                self.pm._infos.append(attrs.evolve(info, status="blocked"))
                continue
            if name in builtin_names:
                from headwater import __version__

                self.fail(
                    info,
                    f"Plugin name '{name}' of distribution {info.distribution} {info.version} "
                    f"clashes with the built-in plugin '{name}' of distribution headwater "
                    f"{__version__}. Rename the entry point in {info.distribution}.",
                )
                continue
            if len(entry_points) > 1:
                dists = " and ".join(
                    sorted(" ".join(distribution_name_version(ep.dist)) for ep in entry_points)
                )
                self.fail(
                    info,
                    f"Plugin name '{name}' is claimed by two distributions: {dists}. "
                    "Uninstall one of them.",
                )
                continue
            try:
                plugin = first.load()
            except Exception as exc:
                self.fail(
                    info,
                    f"Plugin '{name}' (entry point {name} = {first.value}) from distribution "
                    f"{info.distribution} {info.version} failed to import: "
                    f"{type(exc).__name__}: {exc}. Fix or upgrade {info.distribution}, or "
                    f"block the plugin with {BLOCK_ENV}={name}.",
                    exc,
                )
                continue
            self.add(plugin, info)

    def explicit(self, module_names: Iterable[str]) -> None:
        for module_name in module_names:
            info = PluginInfo(module_name, "explicit", None, None, "loaded")
            if self.pm.is_blocked(module_name):
                self.pm._infos.append(attrs.evolve(info, status="blocked"))
                continue
            try:
                module = importlib.import_module(module_name)
            except Exception as exc:
                self.fail(
                    info,
                    f"Plugin module '{module_name}' named in {PLUGINS_ENV} (or plugins=) "
                    f"failed to import: {type(exc).__name__}: {exc}. Check the module name "
                    "and that its distribution is installed.",
                    exc,
                )
                continue
            if self.pm.is_registered(module):
                continue
            self.add(module, _with_distribution(info, module_name))

    def check_pending(self) -> None:
        known = _known_hooks(self.pm)
        for info in list(self.pm._infos):
            plugin = self.pm.get_plugin(info.name) if info.status == "loaded" else None
            if plugin is None:
                continue
            for caller in self.pm.get_hookcallers(plugin) or ():
                if caller.has_spec():
                    continue
                impls = [i for i in caller.get_hookimpls() if i.plugin is plugin]
                if all(impl.optionalhook for impl in impls):
                    continue
                self.pm.unregister(plugin)
                self.pm._infos.remove(info)
                label = _describe(info.name, info.distribution, info.version)
                suggestion = did_you_mean(caller.name, known, limit=1) or "."
                self.fail(
                    info,
                    f"{label[0].upper()}{label[1:]} implements unknown hook "
                    f"'{caller.name}'{suggestion} Rename the function "
                    "to a hook of headwater.hookspecs, or mark it "
                    "@hookimpl(optionalhook=True) if it implements another plugin's hook.",
                )
                break


def _with_distribution(info: PluginInfo, module_name: str) -> PluginInfo:
    import importlib_metadata

    top = module_name.partition(".")[0]
    dists = importlib_metadata.packages_distributions().get(top)
    if not dists:
        return info
    return attrs.evolve(info, distribution=dists[0], version=importlib_metadata.version(dists[0]))


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE_VALUES


def build_plugin_manager(
    *,
    plugins: Iterable[str] = (),
    blocked: Iterable[str] = (),
    autoload: bool | None = None,
    strict: bool = True,
) -> HeadwaterPluginManager:
    """Build a fresh plugin manager (the cached one is `get_plugin_manager`).

    Args:
        plugins: module names to register after the entry points, in addition to
            ``HEADWATER_PLUGINS``.
        blocked: plugin names never to import, in addition to ``HEADWATER_BLOCK_PLUGINS``.
        autoload: load ``headwater.plugins`` entry points; None reads
            ``HEADWATER_DISABLE_PLUGIN_AUTOLOAD``.
        strict: raise on the first broken plugin; when False, broken plugins are left out
            and reported by `plugin_infos` with status ``"failed"``.

    Raises:
        PluginError: (strict) a plugin failed to import or register, two plugins claim one
            name, or a plugin implements a hook that does not exist.
    """
    if autoload is None:
        autoload = not _env_true(DISABLE_AUTOLOAD_ENV)
    pm = HeadwaterPluginManager()
    pm.add_hookspecs(hookspecs)
    pm.hook.add_hookspecs.call_historic(kwargs={"plugin_manager": pm})
    for name in [*_split_names(os.environ.get(BLOCK_ENV)), *blocked]:
        pm.set_blocked(name)
    from headwater.builtin import BUILTIN_PLUGINS

    builder = _Builder(pm, strict=strict)
    builtin_names = builder.builtins(BUILTIN_PLUGINS)
    if autoload:
        builder.entry_points(builtin_names)
    builder.explicit([*_split_names(os.environ.get(PLUGINS_ENV)), *plugins])
    builder.check_pending()
    return pm


_lock = threading.Lock()
_cached: HeadwaterPluginManager | None = None


def get_plugin_manager() -> HeadwaterPluginManager:
    """The process-wide plugin manager, built on first use from the environment."""
    global _cached
    with _lock:
        if _cached is None:
            _cached = build_plugin_manager()
        return _cached


def reset_plugin_manager() -> None:
    """Forget the cached plugin manager so the next `get_plugin_manager` rebuilds it."""
    global _cached
    with _lock:
        _cached = None


def plugin_infos(plugin_manager: HeadwaterPluginManager | None = None) -> list[PluginInfo]:
    """Every plugin seen (loaded, blocked or failed), in discovery order."""
    return (plugin_manager or get_plugin_manager()).plugin_infos()


def collect_registry(
    hook_name: str, *, plugin_manager: HeadwaterPluginManager | None = None
) -> dict[str, RegisteredImpl]:
    """Name -> implementation for a ``register_*`` hook, merged over every plugin.

    A name registered by a ``trylast`` implementation (a built-in) is overridden by any other
    plugin registering that name; two other plugins registering one name is an error.
    """
    return (plugin_manager or get_plugin_manager()).collect_registry(hook_name)


def lookup(
    kind: str,
    hook_name: str,
    name: str,
    *,
    context: str = "",
    plugin_manager: HeadwaterPluginManager | None = None,
) -> Any:
    """Return what some plugin registered as ``name`` through ``hook_name``.

    Args:
        kind: what the user calls it, for the message (``"IO manager"``).
        hook_name: the ``register_*`` hook.
        name: the registered name.
        context: where the name came from, for the message (``"asset sales/daily"``).

    Raises:
        PluginNotFoundError: nobody registered ``name``; the message suggests close names
            and lists the installed ones.
    """
    registry = collect_registry(hook_name, plugin_manager=plugin_manager)
    entry = registry.get(name)
    if entry is not None:
        return entry.value
    where = f" ({context})" if context else ""
    suggestion = did_you_mean(name, registry) or "."
    installed = ", ".join(sorted(registry)) or "none"
    raise PluginNotFoundError(
        f"{kind} '{name}' is not installed{where}{suggestion} Installed: {installed}."
    )


def lookup_storage_backend(
    name_or_url: str,
    *,
    context: str = "",
    plugin_manager: HeadwaterPluginManager | None = None,
) -> Any:
    """Return the storage backend registered as ``name_or_url`` or handling its URL scheme.

    A value containing ``:`` is a URL; its scheme, without a ``+driver`` suffix, is matched
    against each backend's ``url_schemes``. A backend from a non-``trylast`` plugin wins over
    a built-in handling the same scheme.

    Raises:
        PluginNotFoundError: no backend has that name or handles that scheme.
        PluginError: two non-built-in backends handle the scheme.
    """
    if ":" not in name_or_url:
        return lookup(
            "storage backend",
            "register_storage_backends",
            name_or_url,
            context=context,
            plugin_manager=plugin_manager,
        )
    registry = collect_registry("register_storage_backends", plugin_manager=plugin_manager)
    scheme = re.split(r"[:+]", name_or_url, maxsplit=1)[0].lower()
    matches = [e for e in registry.values() if scheme in getattr(e.value, "url_schemes", ())]
    preferred = [e for e in matches if not e.default] or matches
    if len(preferred) > 1:
        names = " and ".join(f"'{e.name}' ({e.plugin})" for e in preferred)
        raise PluginError(
            f"URL scheme '{scheme}' is handled by two storage backends: {names}. "
            "Choose one by name in the storage config, or uninstall one."
        )
    if preferred:
        return preferred[0].value
    schemes = sorted({s for e in registry.values() for s in getattr(e.value, "url_schemes", ())})
    where = f" ({context})" if context else ""
    raise PluginNotFoundError(
        f"No storage backend handles URL scheme '{scheme}'{where}"
        f"{did_you_mean(scheme, schemes) or '.'} Installed schemes: {', '.join(schemes) or 'none'}."
    )
