"""The run coordinator: the only writer of a run's events.

It validates config and resources before anything runs, creates the run, writes the planned
events, initialises resources, lets the executor drive the steps, and stores events in one
batch per step boundary (a step's start, a step's end).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from headwater.events.data import (
    EngineEventData,
    JobFailureData,
    SerializableErrorInfo,
)
from headwater.events.types import DagsterEventType as ET
from headwater.execution import active as outcomes
from headwater.execution._events import EventBuffer
from headwater.execution.active import ActiveExecution
from headwater.execution.plan import ExecutionPlan, ExecutionStep
from headwater.execution.step_context import RunContext, StepExecutionContext, StepResult
from headwater.storage.runs import PARTITION_RANGE_END_TAG as RANGE_END_TAG
from headwater.storage.runs import PARTITION_RANGE_START_TAG as RANGE_START_TAG
from headwater.storage.runs import PARTITION_TAG


class RunCoordinator:
    """Drives one run: the executor asks it to start and finish steps; it stores the events.

    Attributes:
        plan: the execution plan.
        active: which steps are ready, done or waiting.
        run_context: the state shared by the run's steps.
        entries: every event stored for the run, in order.
        step_errors: the error of each failed step, by step key.
        stop_on_failure: end the run at the first failed step (``raise_on_error`` with an
            in-process executor); `finish_step` then raises `RunHalted`.
    """

    def __init__(self, plan: ExecutionPlan, run_context: RunContext, instance: Any):
        self.plan = plan
        self.active = ActiveExecution(plan)
        self.run_context = run_context
        self.instance = instance
        self.buffer = EventBuffer(run_context.run_id, run_context.job_name)
        self.entries: list[Any] = []
        self.step_errors: dict[str, BaseException] = {}
        self.stop_on_failure = False
        self._hook: Any = None
        self._unstored_versions: dict[Any, str] = {}
        # Partitions definitions of the plan's partitioned assets, for the status rows.
        self.partitions_defs: Mapping[Any, Any] = {}

    # -- storage ------------------------------------------------------------------------------
    def flush(self) -> None:
        """Store the buffered events in one transaction.

        Materializations in the batch get their storage ids recorded, for the input event
        pointers of downstream steps.
        """
        batch = self.buffer.drain()
        if not batch:
            return
        ids = self.instance.store_events(batch, self.partitions_defs or None)
        self.entries.extend(batch)
        pending = self._unstored_versions
        if pending:
            versions = self.run_context.asset_versions
            mat = ET.ASSET_MATERIALIZATION.value
            for entry, storage_id in zip(batch, ids):
                event = entry.dagster_event
                if event is not None and event.event_type_value == mat:
                    key = event.materialization.asset_key
                    if key in pending:
                        versions[key] = (storage_id, pending.pop(key))

    # -- steps ----------------------------------------------------------------------------------
    def start_step(self, step: ExecutionStep, attempt: int) -> StepExecutionContext:
        """Record that ``step`` starts (attempt 0) or restarts; return its hook context.

        The start is stored before the step runs, in one transaction with whatever the
        previous step left buffered (its end events): one transaction per step boundary.
        """
        if attempt == 0:
            self.buffer.emit(ET.STEP_START, step.key, f'Started execution of step "{step.key}".')
        else:
            self.buffer.emit(
                ET.STEP_RESTARTED,
                step.key,
                f'Started re-execution (attempt # {attempt + 1}) of step "{step.key}".',
            )
        self.flush()
        return StepExecutionContext(self.run_context, attempt)

    def execute_step(self, step: ExecutionStep, context: StepExecutionContext) -> StepResult:
        """Run ``step`` through the `execute_step` hook (plugins may take over or wrap it)."""
        if self._hook is None:
            from headwater._plugins import get_plugin_manager

            self._hook = get_plugin_manager().hook.execute_step
        return self._hook(step=step, context=context)

    def finish_step(self, step: ExecutionStep, attempt: int, result: StepResult) -> None:
        """Buffer the step's end events and release (or skip) its dependents.

        The events are stored by the next `flush`: the next step's start, a retry wait, or the
        end of the run, whichever comes first.

        Raises:
            RunHalted: the step failed and ``stop_on_failure`` is set; nothing else runs.
        """
        self.buffer.entries.extend(result.events)
        if result.status == "retry":
            self.active.schedule_retry(step.key, attempt + 1, result.retry_delay)
            return
        if result.status == "success":
            decided = self.active.finish(step.key, outcomes.SUCCESS, result.produced_outputs)
        else:
            if result.error is not None:
                self.step_errors[step.key] = result.error
            decided = self.active.finish(step.key, outcomes.FAILURE)
            if self.stop_on_failure:
                raise RunHalted(step.key)
        for skipped, verdict in decided:
            if verdict == outcomes.SKIPPED:
                self.buffer.emit(
                    ET.STEP_SKIPPED,
                    skipped.key,
                    f"Skipping step {skipped.key} due to skipped dependencies: "
                    f"{self.active.missing_inputs(skipped)}.",
                )
        run = self.run_context
        if run.capture_outputs:
            for name, value in result.output_values.items():
                run.output_values[(step.key, name)] = value
        if result.materialized:
            self._unstored_versions.update(result.materialized)
            for key, version in result.materialized.items():
                run.asset_versions[key] = (None, version)

    def first_failure_error(self) -> SerializableErrorInfo | None:
        """The error of the run's first STEP_FAILURE (stored or buffered), or None."""
        failure = ET.STEP_FAILURE.value
        for entry in (*self.entries, *self.buffer.entries):
            event = entry.dagster_event
            if event is not None and event.event_type_value == failure:
                return event.event_specific_data.error
        return None

    def run_step_in_process(self, step: ExecutionStep, attempt: int) -> None:
        """Start, execute and finish ``step`` here (what in-process executors do per step)."""
        context = self.start_step(step, attempt)
        self.finish_step(step, attempt, self.execute_step(step, context))


class RunHalted(Exception):
    """Raised by `RunCoordinator.finish_step` to end a run at its first failed step."""


def new_run_id() -> str:
    """A fresh run id."""
    return str(uuid.uuid4())


def run_tags(tags: Mapping[str, Any] | None, partition: Any) -> dict[str, str]:
    """The run's tags: the user's, plus the partition tags of a partitioned run."""
    out = {str(k): str(v) for k, v in (tags or {}).items()}
    if partition is not None:
        if partition.key is not None:
            out[PARTITION_TAG] = partition.key
        else:
            out[RANGE_START_TAG] = partition.key_range.start
            out[RANGE_END_TAG] = partition.key_range.end
    return out


def run_start_events(buffer: EventBuffer, executor_label: str) -> None:
    """Buffer RUN_START and the engine event announcing the executor."""
    buffer.emit(ET.RUN_START, None, f'Started execution of run for "{buffer.job_name}".')
    buffer.emit(
        ET.ENGINE_EVENT,
        None,
        f"Executing steps {executor_label} (pid: {os.getpid()})",
        EngineEventData({"pid": str(os.getpid())}),
    )


def run_end_events(
    buffer: EventBuffer,
    executor_label: str,
    failed_steps: list[str],
    error: BaseException | None,
    *,
    first_failure: SerializableErrorInfo | None = None,
    steps_finished: bool = True,
) -> None:
    """Buffer the closing engine event (when the executor finished its steps) and RUN_SUCCESS
    or RUN_FAILURE, which carries the first step failure's error, else the run's ``error``."""
    if steps_finished:
        buffer.emit(ET.ENGINE_EVENT, None, f"Finished steps {executor_label} (pid: {os.getpid()}).")
    if failed_steps:
        buffer.emit(
            ET.RUN_FAILURE,
            None,
            f'Execution of run for "{buffer.job_name}" failed. Steps failed: {failed_steps}.',
            JobFailureData(first_failure, "STEP_FAILURE"),
            level=logging.ERROR,
        )
    elif error is not None:
        buffer.emit(
            ET.RUN_FAILURE,
            None,
            f'Execution of run for "{buffer.job_name}" failed. An exception was thrown during '
            "execution.",
            JobFailureData(SerializableErrorInfo.from_exception(error), "RUN_EXCEPTION"),
            level=logging.ERROR,
        )
    else:
        buffer.emit(ET.RUN_SUCCESS, None, f'Finished execution of run for "{buffer.job_name}".')


def resource_init_started(buffer: EventBuffer, keys: Sequence[str], step_key: str | None) -> None:
    """Buffer RESOURCE_INIT_STARTED for ``keys`` (nothing when there are none)."""
    if keys:
        buffer.emit(
            ET.RESOURCE_INIT_STARTED,
            step_key,
            f"Starting initialization of resources [{', '.join(keys)}].",
            EngineEventData(),
        )


def resource_init_finished(
    buffer: EventBuffer, keys: Sequence[str], step_key: str | None, error: BaseException | None
) -> None:
    """Buffer RESOURCE_INIT_SUCCESS, or RESOURCE_INIT_FAILURE with the user's error."""
    if not keys:
        return
    if error is None:
        buffer.emit(
            ET.RESOURCE_INIT_SUCCESS,
            step_key,
            f"Finished initialization of resources [{', '.join(keys)}].",
            EngineEventData(),
        )
        return
    buffer.emit(
        ET.RESOURCE_INIT_FAILURE,
        step_key,
        f"Initialization of resources [{', '.join(keys)}] failed.",
        EngineEventData(error=SerializableErrorInfo.from_exception(error.__cause__ or error)),
        level=logging.ERROR,
    )
