"""Built-in plugin: the in-process executor, and the default ``execute_step`` implementation.

Steps run one after the other in the run's process, ready steps in step-key order; a step
waiting for a retry delay is slept for here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from headwater.execution.executor import Executor, ExecutorDefinition
from headwater.hookspecs import hookimpl


class InProcessExecutor(Executor):
    """Runs every step sequentially in the current process."""

    label = "in process"

    def __init__(self, retries_enabled: bool = True):
        self.retries_enabled = retries_enabled

    def execute(self, coordinator: Any) -> None:
        """Run ready steps in key order until the run is complete."""
        active = coordinator.active
        coordinator.run_context.retries_enabled = self.retries_enabled
        while not active.is_complete:
            ready = active.pop_ready()
            if not ready:
                wait = active.seconds_until_next_retry()
                if wait is None:
                    return
                coordinator.flush()
                time.sleep(wait)
                continue
            for step, attempt in ready:
                coordinator.run_step_in_process(step, attempt)


def _create(config: Mapping[str, Any]) -> InProcessExecutor:
    retries = config.get("retries", {"enabled": {}})
    return InProcessExecutor(retries_enabled="disabled" not in retries)


in_process_executor = ExecutorDefinition(
    name="in_process",
    executor_creation_fn=_create,
    config_fields=frozenset({"retries"}),
    description="Runs steps one after another in the run's process.",
)


@hookimpl(trylast=True)
def register_executors() -> dict[str, Any]:
    """Offer the in-process executor as ``"in_process"``."""
    return {"in_process": in_process_executor}


@hookimpl(trylast=True)
def execute_step(step: Any, context: Any) -> Any:
    """Run ``step`` in this process (the default when no plugin takes the step)."""
    from headwater.execution.step_runner import run_step

    return run_step(step, context)
