"""What an executor hands to the `execute_step` hook, and what the hook returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey


class RunContext:
    """Run-wide state shared by every step of one run (built once per run).

    Attributes:
        run_id: the run's id.
        run: the run record.
        job_name: the job's name.
        instance: where events are stored.
        resources: the initialised resources, by key as attributes.
        op_configs: each op's resolved run config, by op name.
        partition: the run's partition target, or None.
        plan: the execution plan.
        output_values: values produced in this run, by (step key, output name).
        asset_versions: for assets materialized in this run (and upstream ones looked up),
            ``(storage id or None, data version)``.
        capture_outputs: whether output values are kept for the result object.
        retries_enabled: whether retry policies apply (executors may turn them off).
        event_sink: called with each step event as it is emitted (executors running steps
            in other processes stream events back with it), or None.
    """

    __slots__ = (
        "asset_versions",
        "capture_outputs",
        "event_sink",
        "instance",
        "job_name",
        "op_configs",
        "output_values",
        "partition",
        "plan",
        "resources",
        "retries_enabled",
        "run",
        "run_id",
    )

    def __init__(
        self,
        *,
        run_id: str,
        run: Any,
        job_name: str,
        instance: Any,
        resources: Any,
        op_configs: Mapping[str, Any],
        partition: Any,
        plan: Any,
        capture_outputs: bool = True,
    ):
        self.run_id = run_id
        self.run = run
        self.job_name = job_name
        self.instance = instance
        self.resources = resources
        self.op_configs = op_configs
        self.partition = partition
        self.plan = plan
        self.capture_outputs = capture_outputs
        self.retries_enabled = True
        self.event_sink: Callable[[Any], None] | None = None
        self.output_values: dict[tuple[str, str], Any] = {}
        self.asset_versions: dict[AssetKey, tuple[int | None, str]] = {}

    def input_version(self, key: AssetKey) -> tuple[int | None, str | None]:
        """The storage id and data version of ``key``'s latest materialization or observation."""
        found = self.asset_versions.get(key)
        if found is not None:
            return found
        found = _latest_version_in_storage(self.instance, key)
        self.asset_versions[key] = found
        return found


def _latest_version_in_storage(instance: Any, key: AssetKey) -> tuple[int | None, str | None]:
    from headwater.execution.data_versions import input_version

    return input_version(instance, key)


class StepExecutionContext:
    """The context the `execute_step` hook receives: the run, and which attempt this is."""

    __slots__ = ("retry_number", "run")

    def __init__(self, run: RunContext, retry_number: int = 0):
        self.run = run
        self.retry_number = retry_number

    @property
    def run_id(self) -> str:
        """The id of the run the step belongs to."""
        return self.run.run_id

    @property
    def instance(self) -> Any:
        """The instance the run is recorded in."""
        return self.run.instance


@attrs.frozen(slots=True)
class StepResult:
    """The outcome of one step attempt, returned by the `execute_step` hook.

    Attributes:
        step_key: the step.
        status: ``"success"``, ``"failure"`` or ``"retry"``.
        events: the attempt's events, in order (the coordinator stores them in one batch).
        produced_outputs: output names the step produced.
        output_values: produced values by output name (when captured).
        materialized: data version per asset key the step materialized.
        error: the exception that failed the step, if any (the original user error is its
            ``__cause__``).
        retry_delay: seconds to wait before the next attempt, for ``"retry"``.
    """

    step_key: str
    status: str
    events: list[Any]
    produced_outputs: frozenset[str] = frozenset()
    output_values: Mapping[str, Any] = attrs.field(factory=dict)
    materialized: Mapping[AssetKey, str] = attrs.field(factory=dict)
    error: BaseException | None = None
    retry_delay: float = 0.0
