"""The multiprocess executor's worker pool: long-lived forked worker processes.

Workers are forked from the run's process after the definitions, the plan and the resources
exist, so user code is imported once, not once per step. Each worker runs one step at a time
through the ``execute_step`` hook and streams the step's events back over a pipe as they are
emitted, then the step's result; the coordinator stays the only writer of the run's events.
A worker that dies mid-step (killed, crashed) fails that step with the reason and is
replaced; the run goes on.

Workers do not write storage: the coordinator sends each step the data versions of its
upstream assets. Output values stay in the workers; the run's result loads them back through
the IO manager when asked.

Imported only when a multiprocess executor is created, so that registering the built-in
plugin does not import multiprocessing and the event classes.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import time
import traceback
from multiprocessing.connection import Connection, wait
from typing import Any

from headwater.builtin.multiprocess_executor import MAX_CONCURRENT_ENV_VAR
from headwater.errors import ExecutionStepError, InvalidConfigError
from headwater.events.data import EngineEventData, SerializableErrorInfo, StepFailureData
from headwater.events.types import DagsterEventType as ET
from headwater.execution._events import EventBuffer
from headwater.execution.executor import Executor
from headwater.execution.step_context import StepExecutionContext, StepResult


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

    _forget_parent_connections(coordinator.run_context.instance)
    hook = get_plugin_manager().hook.execute_step
    run = coordinator.run_context
    plan = coordinator.plan
    streamed: set[int] = set()

    def stream(entry: Any) -> None:
        streamed.add(id(entry))
        conn.send(("event", entry))

    run.event_sink = stream
    while True:
        task = conn.recv()
        if task is None:
            return
        step_key, attempt, versions = task
        run.asset_versions.update(versions)
        streamed.clear()
        conn.send(("started", os.getpid()))
        try:
            context = StepExecutionContext(run, attempt)
            result = hook(step=plan.step_by_key[step_key], context=context)
        except Exception:
            # The step runner reports user errors in its result; this is a framework failure.
            conn.send(("crashed", traceback.format_exc()))
            continue
        conn.send(("result", _portable(result, streamed)))


def _forget_parent_connections(instance: Any) -> None:
    # A database connection must not be shared across fork: give the worker its own pool
    # (without closing the parent's connections) in case user code reads the instance. An
    # in-memory database exists only in the parent; keep the forked snapshot for reads.
    database = getattr(getattr(instance, "storage", None), "database", None)
    engine = getattr(database, "engine", None)
    if engine is not None and engine.url.database not in (None, "", ":memory:"):
        engine.dispose(close=False)


def _portable(result: StepResult, streamed: set[int]) -> StepResult:
    """The result without values or already streamed events, with an error sure to pickle."""
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
        [entry for entry in result.events if id(entry) not in streamed],
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
        self.max_concurrent = max_concurrent or _default_max_concurrent()
        self.retries_enabled = retries_enabled

    def execute(self, coordinator: Any) -> None:
        """Run every step in worker processes until the run is complete."""
        run = coordinator.run_context
        run.retries_enabled = self.retries_enabled
        run.capture_outputs = False
        # As in the reference, raise_on_error neither stops nor raises when steps run in
        # other processes: the run goes on and its result reports the failures.
        coordinator.stop_on_failure = False
        mp = multiprocessing.get_context("fork")
        size = max(1, min(self.max_concurrent, len(coordinator.plan.steps)))
        workers = [_Worker(mp, coordinator) for _ in range(size)]
        queue: list[tuple[Any, int]] = []
        try:
            while True:
                queue.extend(coordinator.active.pop_ready())
                for index, worker in enumerate(workers):
                    if worker.task is None and queue:
                        workers[index] = self._submit(coordinator, worker, mp, *queue.pop(0))
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

    def _submit(
        self, coordinator: Any, worker: _Worker, mp: Any, step: Any, attempt: int
    ) -> _Worker:
        """Send ``step`` to ``worker`` (or to a fresh worker if it died while idle)."""
        run = coordinator.run_context
        versions = {key: run.input_version(key) for key in step.assets_def.dependency_keys}
        task = (step.key, attempt, versions)
        # Commit what upstream steps reported before the step can run and read the instance.
        coordinator.flush()
        if not worker.process.is_alive():
            worker.stop()
            worker = _Worker(mp, coordinator)
        try:
            worker.conn.send(task)
        except OSError:
            # It died between the check and the send.
            worker.stop()
            worker = _Worker(mp, coordinator)
            worker.conn.send(task)
        coordinator.buffer.emit(
            ET.STEP_WORKER_STARTING,
            step.key,
            f'Launching step "{step.key}" in worker process {worker.process.pid}.',
            EngineEventData({"pid": str(worker.process.pid)}),
        )
        worker.task = (step, attempt)
        return worker

    def _receive(self, coordinator: Any, worker: _Worker, mp: Any) -> _Worker | None:
        """Handle one message from a busy worker; return its replacement if it died."""
        step, attempt = worker.task  # type: ignore[misc]
        try:
            kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join()
            coordinator.finish_step(step, attempt, _died(coordinator, worker, step))
            worker.conn.close()
            return _Worker(mp, coordinator)
        if kind == "event":
            coordinator.buffer.entries.append(payload)
        elif kind == "started":
            coordinator.buffer.emit(
                ET.STEP_WORKER_STARTED,
                step.key,
                f'Executing step "{step.key}" in worker process {payload}.',
                EngineEventData({"pid": str(payload)}),
            )
            coordinator.start_step(step, attempt)
        elif kind == "crashed":
            worker.task = None
            message = f"the execute_step hook raised in worker process {worker.process.pid}"
            coordinator.finish_step(step, attempt, _failure(coordinator, step, message, payload))
        else:
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
    return _failure(coordinator, step, message, None)


def _failure(coordinator: Any, step: Any, message: str, details: str | None) -> StepResult:
    error = ExecutionStepError(message + (f":\n{details}" if details else ""))
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


def _default_max_concurrent() -> int:
    raw = os.environ.get(MAX_CONCURRENT_ENV_VAR)
    if raw:
        value = raw.strip()
        if not value.isdigit() or int(value) < 1:
            raise InvalidConfigError(
                f"Environment variable {MAX_CONCURRENT_ENV_VAR}={raw!r} is not a positive "
                "integer. Set it to the number of worker processes (e.g. 4), or unset it to "
                "use the CPU count."
            )
        return int(value)
    return os.cpu_count() or 1
