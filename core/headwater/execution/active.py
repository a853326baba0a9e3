"""Tracking which steps of a run are ready, done, skipped, failed or waiting to retry."""

from __future__ import annotations

import time

from headwater.execution.plan import ExecutionPlan, ExecutionStep

SUCCESS = "success"
FAILURE = "failure"
SKIPPED = "skipped"
ABANDONED = "abandoned"


class ActiveExecution:
    """The run loop's bookkeeping over a plan: O(steps + edges) for the whole run.

    A step becomes ready when all its upstream steps have finished. A step whose upstream
    failed (or was abandoned) is abandoned silently; a step reading an output that was not
    produced is skipped.
    """

    __slots__ = ("_pending", "_plan", "_ready", "_retries", "outcome", "produced")

    def __init__(self, plan: ExecutionPlan):
        self._plan = plan
        self._pending: dict[str, int] = {}
        self._ready: list[tuple[str, int]] = []
        self._retries: list[tuple[float, str, int]] = []
        self.outcome: dict[str, str] = {}
        self.produced: dict[str, frozenset[str]] = {}
        for step in plan.steps:
            count = len(step.upstream_step_keys)
            self._pending[step.key] = count
            if count == 0:
                self._ready.append((step.key, 0))

    @property
    def is_complete(self) -> bool:
        """Whether no step is ready, running later, or waiting for its upstream."""
        return not self._ready and not self._retries and len(self.outcome) == len(self._plan.steps)

    def pop_ready(self) -> list[tuple[ExecutionStep, int]]:
        """The steps ready now, sorted by key, with their attempt numbers (0 = first)."""
        now = time.monotonic()
        due = [r for r in self._retries if r[0] <= now]
        if due:
            self._retries = [r for r in self._retries if r[0] > now]
            self._ready.extend((key, attempt) for _, key, attempt in due)
        ready = sorted(self._ready)
        self._ready = []
        return [(self._plan.step_by_key[key], attempt) for key, attempt in ready]

    def seconds_until_next_retry(self) -> float | None:
        """How long until the earliest waiting retry is due, or None if none is waiting."""
        if not self._retries:
            return None
        return max(0.0, min(r[0] for r in self._retries) - time.monotonic())

    def schedule_retry(self, step_key: str, attempt: int, delay: float) -> None:
        """Run ``step_key`` again as attempt number ``attempt`` after ``delay`` seconds."""
        self._retries.append((time.monotonic() + delay, step_key, attempt))

    def finish(
        self, step_key: str, outcome: str, produced: frozenset[str] = frozenset()
    ) -> list[tuple[ExecutionStep, str]]:
        """Record a finished step; return the downstream steps that were skipped or abandoned.

        Newly ready children are queued for `pop_ready`.
        """
        self.outcome[step_key] = outcome
        self.produced[step_key] = produced
        decided: list[tuple[ExecutionStep, str]] = []
        stack = [step_key]
        plan = self._plan
        while stack:
            key = stack.pop()
            for child_key in plan.children_by_step_key[key]:
                self._pending[child_key] -= 1
                if self._pending[child_key]:
                    continue
                child = plan.step_by_key[child_key]
                verdict = self._verdict(child)
                if verdict is None:
                    self._ready.append((child_key, 0))
                else:
                    self.outcome[child_key] = verdict
                    self.produced[child_key] = frozenset()
                    decided.append((child, verdict))
                    stack.append(child_key)
        return decided

    def _verdict(self, step: ExecutionStep) -> str | None:
        outcome = self.outcome
        for key in step.upstream_step_keys:
            if outcome[key] in (FAILURE, ABANDONED):
                return ABANDONED
        for step_input in step.inputs:
            source = step_input.source_step_key
            if source is not None and step_input.source_output_name not in self.produced[source]:
                return SKIPPED
        return None

    def missing_inputs(self, step: ExecutionStep) -> list[str]:
        """``step.output`` names of the upstream outputs ``step`` needed but did not get."""
        return [
            f"{i.source_step_key}.{i.source_output_name}"
            for i in step.inputs
            if i.source_step_key is not None
            and i.source_output_name not in self.produced.get(i.source_step_key, ())
        ]

    def failed_step_keys(self) -> list[str]:
        """Keys of the steps that failed, in plan order."""
        return [s.key for s in self._plan.steps if self.outcome.get(s.key) == FAILURE]
