"""Executors: what drives a run's steps. Each is an `ExecutorDefinition` registered by name.

Built-in executors are offered through the ``register_executors`` hook like any plugin's.
An executor receives the run coordinator and, for each ready step, either runs it here
(`RunCoordinator.run_step_in_process`) or elsewhere (``start_step``, the ``execute_step``
hook in a worker, then ``finish_step`` back in the coordinator, which alone stores events).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from headwater.errors import InvalidConfigError


class Executor(abc.ABC):
    """Runs the steps of one run, asking the coordinator for ready steps until none are left."""

    label: str = "in process"

    @abc.abstractmethod
    def execute(self, coordinator: Any) -> None:
        """Run every step of ``coordinator.active`` until the run is complete."""


def _config_dict(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(value) if value else {}


@attrs.frozen
class ExecutorDefinition:
    """A named, configurable way to execute runs.

    Args:
        name: the registered name (``"in_process"``).
        executor_creation_fn: ``fn(config) -> Executor``.
        config_fields: the config keys this executor accepts.
        config: the config given with `configured`.
        description: what the executor does.
        config_validator: ``fn(config)`` raising `InvalidConfigError` for bad values; called
            by `configured` on the merged config.
    """

    name: str
    executor_creation_fn: Callable[[Mapping[str, Any]], Executor]
    config_fields: frozenset[str] = frozenset()
    config: Mapping[str, Any] = attrs.field(factory=dict, converter=_config_dict)
    description: str | None = None
    config_validator: Callable[[Mapping[str, Any]], None] | None = None

    def configured(self, config: Mapping[str, Any], name: str | None = None) -> ExecutorDefinition:
        """A copy with ``config`` merged over the current config.

        Raises:
            InvalidConfigError: a key is not one this executor accepts, or a value is invalid.
        """
        unknown = sorted(set(config) - self.config_fields)
        if unknown:
            allowed = ", ".join(sorted(self.config_fields)) or "none"
            raise InvalidConfigError(
                f"Unknown config field(s) {unknown} for executor '{self.name}' "
                f"(path $.execution.config.{unknown[0]}). Allowed fields: {allowed}."
            )
        merged = {**self.config, **config}
        if self.config_validator is not None:
            self.config_validator(merged)
        return attrs.evolve(self, config=merged, name=name or self.name)

    def create_executor(self) -> Executor:
        """Build the executor for one run."""
        return self.executor_creation_fn(self.config)
