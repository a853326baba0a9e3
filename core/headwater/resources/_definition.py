"""`ResourceDefinition`, the `@resource` decorator and `InitResourceContext`."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, overload

from headwater.errors import InvalidInvocationError

_LOG = logging.getLogger("headwater.resources")


class InitResourceContext:
    """What a resource function (or `ConfigurableResource` hook) receives when initialised.

    Args:
        resource_config: the resource's validated config.
        resources: the already-initialised resources this one depends on (attribute access).
        resource_def: the definition being initialised.
        instance: the headwater instance, when running under one.
        run_id: the id of the run the resource is initialised for.
        log: a logger; defaults to the ``headwater.resources`` logger.
    """

    def __init__(
        self,
        resource_config: Any = None,
        resources: Any = None,
        resource_def: Any = None,
        instance: Any = None,
        run_id: str | None = None,
        log: Any = None,
    ):
        from headwater.resources._build import Resources

        self.resource_config = resource_config
        self.resources = resources if resources is not None else Resources({})
        self.resource_def = resource_def
        self.instance = instance
        self.run_id = run_id
        self.log = log if log is not None else _LOG

    @property
    def log_manager(self) -> Any:
        """The logger (reference-compatible spelling)."""
        return self.log


def build_init_resource_context(
    config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    instance: Any = None,
    run_id: str | None = None,
) -> InitResourceContext:
    """Build an `InitResourceContext` to call a resource function directly in a test.

    Args:
        config: the resource config, passed as is.
        resources: already-initialised resource values, by key.
        instance: an optional instance.
        run_id: an optional run id.
    """
    from headwater.resources._build import Resources

    return InitResourceContext(
        resource_config=config,
        resources=Resources(dict(resources or {})),
        instance=instance,
        run_id=run_id,
    )


class ResourceDefinition:
    """A resource built by a function of an `InitResourceContext`.

    The function returns the resource value, or is a generator that yields it once and runs
    its teardown code after the yield when the run (or `build_resources` block) ends.

    Args:
        resource_fn: ``fn(init_context) -> value`` (or ``fn() -> value``).
        config_schema: the config type: a `Config` subclass, a type, or a mapping of field
            name to type. ``None`` accepts any config as given.
        required_resource_keys: keys of other resources this one needs in
            ``init_context.resources``.
        description: a human-readable description.
    """

    def __init__(
        self,
        resource_fn: Callable[..., Any],
        config_schema: Any = None,
        required_resource_keys: Iterable[str] | None = None,
        description: str | None = None,
        version: str | None = None,
    ):
        if not callable(resource_fn):
            raise TypeError(f"resource_fn must be callable; got {resource_fn!r}")
        self.resource_fn = resource_fn
        self.config_schema = config_schema
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.description = description
        self.version = version
        self._takes_context = _takes_context(resource_fn)

    @staticmethod
    def hardcoded_resource(value: Any, description: str | None = None) -> ResourceDefinition:
        """A resource that is always ``value``."""
        return ResourceDefinition(lambda _context: value, description=description)

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        """A resource whose value is ``None``."""
        return ResourceDefinition.hardcoded_resource(None, description)

    def call_resource_fn(self, context: InitResourceContext) -> Any:
        """Run the resource function with ``context``; may return a generator."""
        return self.resource_fn(context) if self._takes_context else self.resource_fn()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Invoke the resource function directly, for tests: ``my_resource(init_context)``."""
        if kwargs or len(args) > 1:
            raise InvalidInvocationError(
                "A resource is invoked with at most one positional argument, its "
                "InitResourceContext (see build_init_resource_context)."
            )
        context = args[0] if args else None
        if context is None:
            context = build_init_resource_context()
        elif not isinstance(context, InitResourceContext):
            raise InvalidInvocationError(
                f"Expected an InitResourceContext; got {type(context).__name__}. Build one "
                "with build_init_resource_context(config=...)."
            )
        return self.call_resource_fn(context)

    def __repr__(self) -> str:
        name = getattr(self.resource_fn, "__name__", type(self.resource_fn).__name__)
        return f"{type(self).__name__}({name})"


def _takes_context(fn: Callable[..., Any]) -> bool:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if len(positional) > 1 and positional[1].default is inspect.Parameter.empty:
        raise TypeError(
            f"resource function {getattr(fn, '__name__', fn)!r} takes more than one "
            "argument; it receives only the InitResourceContext"
        )
    return bool(positional)


@overload
def resource(config_schema: Callable[..., Any]) -> ResourceDefinition: ...


@overload
def resource(
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Callable[[Callable[..., Any]], ResourceDefinition]: ...


def resource(
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Any:
    """Turn a function of an `InitResourceContext` into a `ResourceDefinition`.

    Usable bare (``@resource``) or with arguments (``@resource(config_schema={"url": str})``).
    """
    return definition_decorator(
        ResourceDefinition, config_schema, description, required_resource_keys, version
    )


def definition_decorator(
    cls: type[ResourceDefinition],
    config_schema: Any,
    description: str | None,
    required_resource_keys: Iterable[str] | None,
    version: str | None,
) -> Any:
    """The body of `resource` and `io_manager`, building a ``cls`` from the decorated function.

    Used bare, ``config_schema`` is the function itself; the description defaults to its
    docstring either way.
    """
    if callable(config_schema) and not isinstance(config_schema, type):
        return definition_decorator(cls, None, None, None, None)(config_schema)

    def decorate(fn: Callable[..., Any]) -> ResourceDefinition:
        return cls(
            fn,
            config_schema=config_schema,
            required_resource_keys=required_resource_keys,
            description=description or inspect.getdoc(fn),
            version=version,
        )

    return decorate
