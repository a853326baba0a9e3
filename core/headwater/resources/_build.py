"""Initialising resources: `build_resources`, coercion and the missing-resource check."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from headwater.errors import InvalidDefinitionError, ResourceFunctionError
from headwater.resources._configurable import (
    ConfigurableResourceFactory,
    evolve_unchecked,
    resolve_env_fields,
    resource_fields,
)
from headwater.resources._definition import InitResourceContext, ResourceDefinition
from headwater.resources._env import is_env_var, resolve_env_var
from headwater.resources._fields import config_dict


class Resources(Mapping[str, Any]):
    """Initialised resources by key, readable as attributes (``resources.warehouse``)."""

    def __init__(self, values: Mapping[str, Any], configs: Mapping[str, Any] | None = None):
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_configs", dict(configs or {}))

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__["_values"]
        if name in values:
            return values[name]
        raise AttributeError(
            f"no resource with key {name!r}; available: {', '.join(sorted(values)) or '(none)'}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Resources are read-only")

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Resources({', '.join(sorted(self._values))})"


def config_of(resources: Any, key: str) -> Any:
    """The config resource ``key`` was initialised with (None when unknown or unconfigured)."""
    configs = getattr(resources, "__dict__", {}).get("_configs")
    return configs.get(key) if configs else None


def coerce_resource(value: Any) -> ResourceDefinition | ConfigurableResourceFactory:
    """A resource definition for ``value``; a plain object becomes a hardcoded resource."""
    if isinstance(value, (ResourceDefinition, ConfigurableResourceFactory)):
        return value
    return ResourceDefinition.hardcoded_resource(value)


def missing_resource_keys(required: Iterable[str], provided: Iterable[str]) -> list[str]:
    """The keys in ``required`` that ``provided`` lacks, sorted."""
    have = set(provided)
    return sorted(set(required) - have)


def raise_for_missing_resources(
    required_by: Mapping[str, Iterable[str]], provided: Iterable[str], kind: str = "op"
) -> None:
    """Raise InvalidDefinitionError for the first resource key a node needs but nobody gave.

    Args:
        required_by: node name -> the resource keys it requires.
        provided: the keys that point to a resource.
        kind: what the nodes are, for the message ("op", "resource", "asset").
    """
    have = sorted(set(provided))
    for node, required in required_by.items():
        for key in missing_resource_keys(required, have):
            raise InvalidDefinitionError(
                f"resource with key '{key}' required by {kind} '{node}' was not provided. "
                f"Please provide a resource to key '{key}', or change the required key to one "
                f"of the following keys which points to a resource: {have!r}"
            )


@contextlib.contextmanager
def build_resources(
    resources: Mapping[str, Any],
    instance: Any = None,
    resource_config: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    log_manager: Any = None,
    *,
    run_config: Any = None,
) -> Iterator[Resources]:
    """Initialise ``resources`` for use outside a run; tear them down when the block exits.

    Dependencies are initialised first and torn down last. Plain objects are used as they
    are (hardcoded resources).

    Args:
        resources: key -> a `ConfigurableResource`, a `ResourceDefinition` or any value.
        instance: an optional instance, visible to resources as ``context.instance``.
        resource_config: ``{key: {"config": ...}}`` for the resources.
        run_id: an optional run id for the init contexts.
        log_manager: an optional logger for the init contexts.
        run_config: a whole run config (`RunConfig`, mapping or `ResolvedRunConfig`); only its
            resources section is read.

    Yields:
        The initialised resources, with attribute access.

    Raises:
        InvalidConfigError: bad resource config or an unset `EnvVar`, with its path.
        ResourceFunctionError: a resource failed to initialise; names the resource key.
    """
    from headwater.resources._run_config import (
        ResolvedRunConfig,
        _as_mapping,
        validate_run_config,
    )

    defs = {key: coerce_resource(value) for key, value in resources.items()}
    if isinstance(run_config, ResolvedRunConfig):
        configured = dict(run_config.resources)
    else:
        section = resource_config
        if section is None:
            section = (_as_mapping(run_config) or {}).get("resources", {})
        configured = dict(validate_run_config({"resources": section}, {}, defs).resources)
    builder = _Builder(resources, defs, configured, instance, run_id, log_manager)
    with contextlib.ExitStack() as stack:
        yield builder.build(stack)


def with_dependencies(resources: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The entries of ``resources`` at ``keys`` and, transitively, those they depend on.

    Keys nobody provides are left out; `build_resources` reports them.
    """
    defs = {key: coerce_resource(value) for key, value in resources.items()}
    builder = _Builder(resources, defs, {}, None, None, None)
    needed: dict[str, Any] = {}
    pending = [key for key in keys if key in resources]
    while pending:
        key = pending.pop()
        if key not in needed:
            needed[key] = resources[key]
            pending.extend(dep for dep in builder._dependencies(key) if dep in resources)
    return needed


class _Builder:
    def __init__(
        self,
        originals: Mapping[str, Any],
        defs: Mapping[str, Any],
        configured: Mapping[str, Any],
        instance: Any,
        run_id: str | None,
        log: Any,
    ):
        self.defs = defs
        self.configured = configured
        self.instance = instance
        self.run_id = run_id
        self.log = log
        self.key_by_id = {id(value): key for key, value in originals.items()}
        self.key_by_id.update({id(value): key for key, value in defs.items()})
        self.values: dict[str, Any] = {}
        self.configs: dict[str, Any] = {}

    def build(self, stack: contextlib.ExitStack) -> Resources:
        for key in self._order():
            definition = self.configured.get(key, self.defs[key])
            if isinstance(self.defs[key], ResourceDefinition):
                self.values[key] = self._init_function(
                    stack, key, self.defs[key], definition, f"$.resources.{key}.config"
                )
            else:
                self.values[key] = self._init_class(
                    stack, key, definition, f"$.resources.{key}.config"
                )
        return Resources(self.values, self.configs)

    def _dependencies(self, key: str) -> list[str]:
        definition = self.defs[key]
        if isinstance(definition, ResourceDefinition):
            return sorted(definition.required_resource_keys)
        deps = []
        for dep in resource_fields(self.configured.get(key, definition)).values():
            dep_key = self.key_by_id.get(id(dep))
            if dep_key is not None and dep_key != key:
                deps.append(dep_key)
        return deps

    def _order(self) -> list[str]:
        deps = {key: self._dependencies(key) for key in self.defs}
        raise_for_missing_resources(deps, self.defs, kind="resource")
        order: list[str] = []
        done: set[str] = set()
        remaining = list(self.defs)
        while remaining:
            ready = [key for key in remaining if all(dep in done for dep in deps[key])]
            if not ready:
                raise InvalidDefinitionError(
                    "Resources depend on each other in a cycle: "
                    f"{', '.join(sorted(remaining))}. Break the cycle of dependencies."
                )
            for key in ready:
                order.append(key)
                done.add(key)
            remaining = [key for key in remaining if key not in done]
        return order

    def _context(self, config: Any, deps: Mapping[str, Any], definition: Any) -> Any:
        return InitResourceContext(
            resource_config=config,
            resources=Resources(deps),
            resource_def=definition,
            instance=self.instance,
            run_id=self.run_id,
            log=self.log,
        )

    def _init_function(
        self,
        stack: contextlib.ExitStack,
        key: str,
        definition: ResourceDefinition,
        config: Any,
        path: str,
    ) -> Any:
        config = _resolve_env_in_mapping(config, path)
        deps = {dep: self.values[dep] for dep in definition.required_resource_keys}
        context = self._context(config, deps, definition)
        self.configs[key] = context.resource_config
        with _wrap_init_errors(key):
            result = definition.call_resource_fn(context)
        if inspect.isgenerator(result):
            return _enter(stack, key, _from_generator(key, result))
        return result

    def _init_class(self, stack: contextlib.ExitStack, key: str, resource: Any, path: str) -> Any:
        nested: dict[str, Any] = {}
        for name, dep in resource_fields(resource).items():
            dep_key = self.key_by_id.get(id(dep))
            if dep_key is not None and dep_key in self.values:
                nested[name] = self.values[dep_key]
            elif isinstance(dep, ResourceDefinition):
                nested[name] = self._init_function(stack, f"{key}.{name}", dep, None, path)
            else:
                nested[name] = self._init_class(stack, f"{key}.{name}", dep, f"{path}.{name}")
        resolved = resolve_env_fields(resource, path)
        if nested:
            resolved = evolve_unchecked(resolved, nested)
        context = self._context(config_dict(resource), nested, resource)
        self.configs[key] = context.resource_config
        object.__setattr__(resolved, "_headwater_init_context", context)
        return _enter(stack, key, resolved.yield_for_execution(context))


def _resolve_env_in_mapping(config: Any, path: str) -> Any:
    if is_env_var(config):
        return resolve_env_var(config, path)
    if isinstance(config, Mapping):
        return {
            name: resolve_env_var(value, f"{path}.{name}") if is_env_var(value) else value
            for name, value in config.items()
        }
    return config


@contextlib.contextmanager
def _wrap_init_errors(key: str) -> Iterator[None]:
    try:
        yield
    except ResourceFunctionError:
        raise
    except Exception as exc:
        raise ResourceFunctionError(
            f"Error occurred while initializing resource '{key}': {type(exc).__name__}: {exc}"
        ) from exc


def _enter(stack: contextlib.ExitStack, key: str, manager: Any) -> Any:
    with _wrap_init_errors(key):
        value = manager.__enter__()

    def exit_(exc_type: Any, exc: Any, tb: Any) -> bool:
        try:
            return bool(manager.__exit__(exc_type, exc, tb))
        except Exception as error:
            if error is exc:
                raise
            raise ResourceFunctionError(
                f"Error occurred while tearing down resource '{key}': "
                f"{type(error).__name__}: {error}"
            ) from error

    stack.push(exit_)
    return value


@contextlib.contextmanager
def _from_generator(key: str, generator: Any) -> Iterator[Any]:
    try:
        value = next(generator)
    except StopIteration:
        raise ResourceFunctionError(
            f"resource '{key}': the resource function returned without yielding a value"
        ) from None
    try:
        yield value
    finally:
        try:
            next(generator)
        except StopIteration:
            pass
        else:
            raise ResourceFunctionError(
                f"resource '{key}': the resource function yielded more than once"
            )
