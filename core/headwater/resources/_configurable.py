"""`ConfigurableResource` and `ConfigurableResourceFactory`: resources declared as classes."""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from headwater.resources._env import is_env_var, resolve_env_var
from headwater.resources._fields import FieldsBase

T = TypeVar("T")


class ConfigurableResourceFactory(FieldsBase, abc.ABC, Generic[T]):
    """A class whose fields are config and whose `create_resource` builds the resource value.

    Subclass it, annotate the config fields, and implement `create_resource`. Fields whose
    type is another resource class are dependencies: they are initialised first and the
    initialised resource is what this one sees. `EnvVar` field values are read from the
    environment only when the resource is initialised.
    """

    _headwater_resource: ClassVar[bool] = True

    @abc.abstractmethod
    def create_resource(self, context: Any) -> T:
        """Build the resource value for a run; ``context`` is an `InitResourceContext`."""

    def setup_for_execution(self, context: Any) -> None:
        """Called before the resource is used in a run; override to open clients."""

    def teardown_after_execution(self, context: Any) -> None:
        """Called after the run (or `build_resources` block) ends; override to close clients."""

    @contextlib.contextmanager
    def yield_for_execution(self, context: Any) -> Iterator[T]:
        """Set up, yield the resource value, then tear down; override for custom lifetimes."""
        self.setup_for_execution(context)
        try:
            yield self.create_resource(context)
        finally:
            self.teardown_after_execution(context)

    def get_resource_context(self) -> Any:
        """The `InitResourceContext` this resource was initialised with, if any."""
        return self.__dict__.get("_headwater_init_context")


class ConfigurableResource(ConfigurableResourceFactory[Any]):
    """A resource that is its own value: subclass it, annotate config fields, add methods.

    Example::

        class Warehouse(ConfigurableResource):
            url: str
            pool_size: int = 4

            def query(self, sql: str) -> list: ...
    """

    def create_resource(self, context: Any) -> Any:
        """Return the resource itself."""
        return self


def resource_fields(resource: FieldsBase) -> dict[str, Any]:
    """The resource's field values that are themselves resources (its dependencies)."""
    from headwater.resources._definition import ResourceDefinition

    return {
        field.name: getattr(resource, field.name)
        for field in attrs.fields(type(resource))
        if isinstance(
            getattr(resource, field.name), (ConfigurableResourceFactory, ResourceDefinition)
        )
    }


def config_field_names(cls: type) -> list[str]:
    """Names of the fields of a resource class that are config, not nested resources."""
    from headwater.resources._definition import ResourceDefinition
    from headwater.resources._fields import field_types

    names = []
    for name, tp in field_types(cls).items():
        if isinstance(tp, type) and issubclass(
            tp, (ConfigurableResourceFactory, ResourceDefinition)
        ):
            continue
        names.append(name)
    return names


def resolve_env_fields(value: FieldsBase, path: str) -> FieldsBase:
    """A copy of ``value`` with EnvVar fields read from the environment (nested configs too).

    The copy remembers which fields came from the environment, so its repr and serialised
    form still show ``EnvVar('NAME')`` rather than the value.
    """
    changes: dict[str, Any] = {}
    masked: dict[str, Any] = {}
    for field in attrs.fields(type(value)):
        current = getattr(value, field.name)
        if is_env_var(current):
            changes[field.name] = resolve_env_var(current, f"{path}.{field.name}")
            masked[field.name] = current
        elif isinstance(current, FieldsBase) and not isinstance(
            current, ConfigurableResourceFactory
        ):
            resolved = resolve_env_fields(current, f"{path}.{field.name}")
            if resolved is not current:
                changes[field.name] = resolved
    if not changes:
        return value
    copy = evolve_unchecked(value, changes)
    if masked:
        object.__setattr__(copy, "_headwater_env_fields", masked)
    return copy


def evolve_unchecked(value: FieldsBase, changes: dict[str, Any]) -> Any:
    """A copy of ``value`` with ``changes`` applied, skipping re-validation of the values."""
    cls = type(value)
    copy = cls.__new__(cls)
    for key, item in value.__dict__.items():
        object.__setattr__(copy, key, item)
    for key, item in changes.items():
        object.__setattr__(copy, key, item)
    return copy
