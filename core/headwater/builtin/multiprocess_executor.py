"""Built-in plugin: the multiprocess executor, a pool of long-lived forked worker processes.

Workers are forked from the run's process after the definitions, the plan and the resources
exist, so user code is imported once, not once per step. Each worker runs one step at a time
through the ``execute_step`` hook and sends the step's result back over a pipe; the
coordinator stays the only writer of the run's events. A worker that dies mid-step (killed,
crashed) fails that step with the reason and is replaced; the run goes on.

Workers do not open storage: the coordinator sends each step the data versions of its
upstream assets. Output values stay in the workers (results carry no values).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection, wait
from typing import Any

from headwater.errors import ExecutionStepError
from headwater.events.data import EngineEventData, SerializableErrorInfo, StepFailureData
from headwater.events.types import DagsterEventType as ET
from headwater.execution._events import EventBuffer
from headwater.execution.executor import Executor, ExecutorDefinition
from headwater.execution.step_context import StepExecutionContext, StepResult
from headwater.hookspecs import hookimpl


class _Worker:
    """One forked worker process and the parent's end of its pipe."""

    __slots__ = ("conn", "process", "task")

    def __init__(self, mp: Any, coordinator: Any):
        parent_end, child_end = mp.Pipe()
        self.process = mp.Process(target=_worker_main, args=(child_end, coordinator), daemon=True)
        self.process.start()
        child_end.close()
        self.conn: Connection = parent_end
        self.task: tuple[Any, int] | None = None

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _worker_main(conn: Connection, coordinator: Any) -> None:
    from headwater._plugins import get_plugin_manager

    hook = get_plugin_manager().hook.execute_step
    run = coordinator.run_context
    plan = coordinator.plan
    while True:
        task = conn.recv()
        if task is None:
            return
        step_key, attempt, versions = task
        run.asset_versions.update(versions)
        conn.send(("started", os.getpid()))
        result = hook(step=plan.step_by_key[step_key], context=StepExecutionContext(run, attempt))
        conn.send(("result", _portable(result)))


def _portable(result: StepResult) -> StepResult:
    """The result without values, and with an error that is sure to pickle."""
    error = result.error
    if error is not None:
        cause = error.__cause__
        text = f"{error}" + (f" ({type(cause).__name__}: {cause})" if cause is not None else "")
        error = (
            type(error)(text)
            if isinstance(error, ExecutionStepError)
            else (ExecutionStepError(text))
        )
    return StepResult(
        result.step_key,
        result.status,
        result.events,
        result.produced_outputs,
        {},
        result.materialized,
        error,
        result.retry_delay,
    )


class MultiprocessExecutor(Executor):
    """Runs steps in a pool of at most ``max_concurrent`` long-lived worker processes."""

    label = "in worker processes"

    def __init__(self, max_concurrent: int | None = None, retries_enabled: bool = True):
        self.max_concurrent = max_concurrent or os.cpu_count() or 1
        self.retries_enabled = retries_enabled

    def execute(self, coordinator: Any) -> None:
        """Run every step in worker processes until the run is complete."""
        run = coordinator.run_context
        run.retries_enabled = self.retries_enabled
        run.capture_outputs = False
        mp = multiprocessing.get_context("fork")
        size = max(1, min(self.max_concurrent, len(coordinator.plan.steps)))
        workers = [_Worker(mp, coordinator) for _ in range(size)]
        queue: list[tuple[Any, int]] = []
        try:
            while True:
                queue.extend(coordinator.active.pop_ready())
                for worker in workers:
                    if worker.task is None and queue:
                        self._submit(coordinator, worker, *queue.pop(0))
                busy = [w for w in workers if w.task is not None]
                if not busy:
                    wait_for = coordinator.active.seconds_until_next_retry()
                    if wait_for is None:
                        return
                    coordinator.flush()
                    time.sleep(wait_for)
                    continue
                waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
                ready = wait(waitables, timeout=coordinator.active.seconds_until_next_retry())
                for worker in busy:
                    if worker.conn in ready or worker.process.sentinel in ready:
                        replacement = self._receive(coordinator, worker, mp)
                        if replacement is not None:
                            workers[workers.index(worker)] = replacement
        finally:
            for worker in workers:
                worker.stop()

    def _submit(self, coordinator: Any, worker: _Worker, step: Any, attempt: int) -> None:
        run = coordinator.run_context
        versions = {}
        for key in step.assets_def.dependency_keys:
            versions[key] = run.input_version(key)
        coordinator.buffer.emit(
            ET.STEP_WORKER_STARTING,
            step.key,
            f'Launching step "{step.key}" in worker process {worker.process.pid}.',
            EngineEventData({"pid": str(worker.process.pid)}),
        )
        worker.task = (step, attempt)
        worker.conn.send((step.key, attempt, versions))

    def _receive(self, coordinator: Any, worker: _Worker, mp: Any) -> _Worker | None:
        step, attempt = worker.task  # type: ignore[misc]
        try:
            kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join()
            coordinator.finish_step(step, attempt, _died(coordinator, worker, step))
            worker.conn.close()
            return _Worker(mp, coordinator)
        if kind == "started":
            coordinator.buffer.emit(
                ET.STEP_WORKER_STARTED,
                step.key,
                f'Executing step "{step.key}" in worker process {payload}.',
                EngineEventData({"pid": str(payload)}),
            )
            coordinator.start_step(step, attempt)
            return None
        worker.task = None
        coordinator.finish_step(step, attempt, payload)
        return None


def _died(coordinator: Any, worker: _Worker, step: Any) -> StepResult:
    code = worker.process.exitcode
    if code is not None and code < 0:
        how = f"exited with signal {-code} ({signal.Signals(-code).name})"
    else:
        how = f"exited with code {code}"
    message = f"worker process {worker.process.pid} {how} while running step '{step.key}'"
    error = ExecutionStepError(message)
    run = coordinator.run_context
    events = EventBuffer(run.run_id, run.job_name)
    events.emit(
        ET.STEP_FAILURE,
        step.key,
        f'Execution of step "{step.key}" failed: {message}.',
        StepFailureData(SerializableErrorInfo.from_exception(error), None, "FRAMEWORK_ERROR"),
        level=logging.ERROR,
    )
    return StepResult(step.key, "failure", events.entries, error=error)


def _create(config: Mapping[str, Any]) -> MultiprocessExecutor:
    retries = config.get("retries", {"enabled": {}})
    return MultiprocessExecutor(
        max_concurrent=config.get("max_concurrent"), retries_enabled="disabled" not in retries
    )


multiprocess_executor = ExecutorDefinition(
    name="multiprocess",
    executor_creation_fn=_create,
    config_fields=frozenset({"max_concurrent", "retries"}),
    description="Runs steps in a pool of long-lived forked worker processes.",
)


def _create_either(config: Mapping[str, Any]) -> Executor:
    from headwater.builtin.in_process_executor import in_process_executor

    if "in_process" in config:
        return in_process_executor.configured(config["in_process"] or {}).create_executor()
    return multiprocess_executor.configured(config.get("multiprocess") or {}).create_executor()


multi_or_in_process_executor = ExecutorDefinition(
    name="multi_or_in_process",
    executor_creation_fn=_create_either,
    config_fields=frozenset({"in_process", "multiprocess"}),
    description="The multiprocess executor, or the in-process one with {'in_process': {}}.",
)


@hookimpl(trylast=True)
def register_executors() -> dict[str, Any]:
    """Offer ``"multiprocess"`` and ``"multi_or_in_process"``."""
    return {
        "multiprocess": multiprocess_executor,
        "multi_or_in_process": multi_or_in_process_executor,
    }
