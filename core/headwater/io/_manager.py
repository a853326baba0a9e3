"""The IO manager interface and the ways to define one."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

from headwater.io._contexts import InputContext, OutputContext
from headwater.resources._configurable import ConfigurableResource, ConfigurableResourceFactory
from headwater.resources._definition import ResourceDefinition, definition_decorator


class IOManager(abc.ABC):
    """Stores step outputs and loads them as inputs of downstream steps.

    Subclass it and implement both methods. ``handle_output`` must leave either the new value
    or the previous one in place, never a half-written one.
    """

    @abc.abstractmethod
    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj``, the value described by ``context``."""

    @abc.abstractmethod
    def load_input(self, context: InputContext) -> Any:
        """Load and return the value described by ``context``."""


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager whose config is its annotated fields; it is its own resource value.

    Example::

        class CsvIOManager(ConfigurableIOManager):
            root: str

            def handle_output(self, context, obj): ...
            def load_input(self, context): ...
    """


class ConfigurableIOManagerFactory(ConfigurableResourceFactory[IOManager]):
    """Config fields plus `create_io_manager`, which builds the IO manager for a run."""

    @abc.abstractmethod
    def create_io_manager(self, context: Any) -> IOManager:
        """Build the IO manager; ``context`` is an `InitResourceContext`."""

    def create_resource(self, context: Any) -> IOManager:
        """The resource value is the IO manager built by `create_io_manager`."""
        return self.create_io_manager(context)


class IOManagerDefinition(ResourceDefinition):
    """A `ResourceDefinition` whose value is an `IOManager`.

    Args:
        resource_fn: ``fn(init_context) -> IOManager``.
        config_schema: as for `ResourceDefinition`.
        required_resource_keys: other resources the IO manager needs.
        description: a human-readable description.
    """

    @staticmethod
    def hardcoded_io_manager(
        value: IOManager, description: str | None = None
    ) -> IOManagerDefinition:
        """An IO manager definition that always returns ``value``."""
        return IOManagerDefinition(lambda _context: value, description=description)


def io_manager(
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Any:
    """Turn a function of an `InitResourceContext` returning an `IOManager` into a definition.

    Usable bare (``@io_manager``) or with arguments (``@io_manager(config_schema={...})``).
    """
    return definition_decorator(
        IOManagerDefinition, config_schema, description, required_resource_keys, version
    )
