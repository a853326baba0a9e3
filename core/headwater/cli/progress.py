"""Live progress of a run on the command line, and the summary printed when it ends.

`RunProgress` is registered as a plugin for the duration of a run: its `handle_event` sees
every event the coordinator stores, so progress is shown as the run happens whatever the
executor. On a terminal it redraws one status line on stderr; otherwise (or with
``--log-format json``) it writes one line, or one JSON object, per step outcome.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

import click

from headwater.hookspecs import hookimpl

_PLUGIN_NAME = "headwater.cli.progress"
_SUCCESS, _FAILURE, _SKIPPED = "STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"


class RunTally:
    """What a run's events say so far: steps started and finished, assets, checks, errors."""

    def __init__(self, total_steps: int) -> None:
        self.total_steps = total_steps
        self.run_id: str | None = None
        self.running: list[str] = []
        self.succeeded: list[str] = []
        self.failed: list[str] = []
        self.skipped: list[str] = []
        self.materialized: list[str] = []
        self.observed: list[str] = []
        self.checks_passed: list[str] = []
        self.checks_failed: list[str] = []
        self.errors: dict[str, str] = {}
        self.run_error: str | None = None

    @property
    def done(self) -> int:
        """How many steps have finished, whatever their outcome."""
        return len(self.succeeded) + len(self.failed) + len(self.skipped)

    def add(self, entry: Any) -> str | None:
        """Account for one stored event; return its type when it changes a step's state."""
        event = entry.dagster_event
        if event is None:
            return None
        if self.run_id is None:
            self.run_id = entry.run_id
        kind = event.event_type_value
        step = event.step_key
        if kind == "STEP_START":
            self.running.append(step)
        elif kind in (_SUCCESS, _FAILURE, _SKIPPED):
            if step in self.running:
                self.running.remove(step)
            {_SUCCESS: self.succeeded, _FAILURE: self.failed, _SKIPPED: self.skipped}[kind].append(
                step
            )
            if kind == _FAILURE:
                self.errors[step] = _error_text(event.event_specific_data)
        elif kind == "ASSET_MATERIALIZATION":
            self.materialized.append(_asset_label(event.asset_key, event.partition))
        elif kind == "ASSET_OBSERVATION":
            self.observed.append(_asset_label(event.asset_key, event.partition))
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            label = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            (self.checks_passed if evaluation.passed else self.checks_failed).append(label)
        elif kind == "PIPELINE_FAILURE" and not self.failed:
            data = event.event_specific_data
            self.run_error = _error_text(data) if data is not None else event.message
        else:
            return None
        return kind

    @classmethod
    def of(cls, entries: Iterable[Any], total_steps: int) -> RunTally:
        """The tally of a finished run's events."""
        tally = cls(total_steps)
        for entry in entries:
            tally.add(entry)
        return tally


class RunProgress:
    """Shows the progress of the run being executed; use as a context manager around it.

    Args:
        total_steps: how many steps the run's plan has.
        log_format: ``colored``, ``plain`` or ``json`` (the root ``--log-format``).
        stream: where progress goes (default stderr); live redraws only on a terminal.
    """

    def __init__(self, total_steps: int, log_format: str, stream: TextIO | None = None):
        self.tally = RunTally(total_steps)
        self.log_format = log_format
        self.stream = stream if stream is not None else sys.stderr
        self.live = log_format != "json" and _isatty(self.stream)
        self._status_shown = False

    def __enter__(self) -> RunProgress:
        from headwater._plugins import get_plugin_manager

        get_plugin_manager().register(self, name=_PLUGIN_NAME)
        return self

    def __exit__(self, *exc_info: object) -> None:
        from headwater._plugins import get_plugin_manager

        get_plugin_manager().unregister(self, name=_PLUGIN_NAME)
        self._clear_status()

    @hookimpl
    def handle_event(self, event: Any, instance: Any) -> None:
        kind = self.tally.add(event)
        if kind is None:
            return
        if self.live:
            if kind == _FAILURE:
                step = event.dagster_event.step_key
                text = f"✗ {step} failed: {self.tally.errors[step]}"
                self._line(_style(text, "red", self.log_format))
            self._draw_status()
        elif kind in (_SUCCESS, _FAILURE, _SKIPPED, "STEP_START"):
            self._step_line(kind, event)

    # -- output -------------------------------------------------------------------------------
    def _step_line(self, kind: str, entry: Any) -> None:
        step = entry.dagster_event.step_key
        tally = self.tally
        if self.log_format == "json":
            document = {
                "event": _JSON_NAMES[kind],
                "run_id": tally.run_id,
                "step": step,
                "done": tally.done,
                "total": tally.total_steps,
            }
            if kind == _FAILURE:
                document["error"] = tally.errors[step]
            self._line(json.dumps(document))
            return
        position = f"[{tally.done}/{tally.total_steps}]"
        if kind == "STEP_START":
            text = f"{position} {step} started"
        elif kind == _SUCCESS:
            text = _style(f"{position} {step} succeeded", "green", self.log_format)
        elif kind == _SKIPPED:
            text = _style(f"{position} {step} skipped", "yellow", self.log_format)
        else:
            text = _style(f"{position} {step} failed: {tally.errors[step]}", "red", self.log_format)
        self._line(text)

    def _draw_status(self) -> None:
        tally = self.tally
        current = ", ".join(tally.running) or "-"
        failures = f" · {len(tally.failed)} failed" if tally.failed else ""
        status = f"{tally.done}/{tally.total_steps} steps done{failures} · running: {current}"
        width = _terminal_width()
        if len(status) > width - 1:
            status = status[: width - 2] + "…"
        self.stream.write("\r\x1b[2K" + status)
        self.stream.flush()
        self._status_shown = True

    def _clear_status(self) -> None:
        if self._status_shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._status_shown = False

    def _line(self, text: str) -> None:
        self._clear_status()
        click.echo(text, file=self.stream, color=self.log_format == "colored" or None)


_JSON_NAMES = {
    "STEP_START": "step_started",
    _SUCCESS: "step_succeeded",
    _FAILURE: "step_failed",
    _SKIPPED: "step_skipped",
}


def summary_document(
    tally: RunTally, *, success: bool, location: str, job_name: str, duration: float, storage: str
) -> dict[str, Any]:
    """The end-of-run summary as a JSON-ready document (what ``--log-format json`` prints)."""
    return {
        "run_id": tally.run_id,
        "status": "SUCCESS" if success else "FAILURE",
        "location": location,
        "job_name": job_name,
        "duration_seconds": round(duration, 3),
        "steps": {
            "total": tally.total_steps,
            "succeeded": len(tally.succeeded),
            "failed": tally.failed,
            "skipped": tally.skipped,
            "not_run": tally.total_steps - tally.done,
        },
        "assets_materialized": tally.materialized,
        "assets_observed": tally.observed,
        "checks_passed": tally.checks_passed,
        "checks_failed": tally.checks_failed,
        "first_error": first_error(tally),
        "storage": storage,
    }


def first_error(tally: RunTally) -> str | None:
    """The first failed step and its error, or the run's own error, or None."""
    if tally.failed:
        step = tally.failed[0]
        return f"{step}: {tally.errors[step]}"
    return tally.run_error


def echo_summary(document: dict[str, Any], log_format: str) -> None:
    """Print the summary: JSON with ``--log-format json``, else one screen of text."""
    if log_format == "json":
        click.echo(json.dumps(document, indent=2))
        return
    color = log_format == "colored" or None
    ok = document["status"] == "SUCCESS"
    steps = document["steps"]
    status = _style(document["status"], "green" if ok else "red", log_format)
    lines = [
        f"Run {document['run_id']} {status} in {document['duration_seconds']:.2f} s "
        f"(location {document['location']}, job {document['job_name']})",
        f"Steps:      {steps['succeeded']} succeeded, {len(steps['failed'])} failed, "
        f"{len(steps['skipped'])} skipped, {steps['not_run']} not run, of {steps['total']}",
        _listing("Assets:", document["assets_materialized"], "materialized"),
    ]
    if document["assets_observed"]:
        lines.append(_listing("Observed:", document["assets_observed"], "observed"))
    checks_total = len(document["checks_passed"]) + len(document["checks_failed"])
    if checks_total:
        failed = document["checks_failed"]
        lines.append(
            f"Checks:     {len(document['checks_passed'])} passed, {len(failed)} failed"
            + (f" ({', '.join(failed)})" if failed else "")
        )
    lines.append(f"Stored in:  {document['storage']}")
    if not ok:
        if steps["failed"]:
            lines.append(_style(f"Failed:     {', '.join(steps['failed'])}", "red", log_format))
        if document["first_error"]:
            lines.append(_style(f"Error:      {document['first_error']}", "red", log_format))
    lines.append(f"Events:     headwater run logs {document['run_id']}")
    for line in lines:
        click.echo(line, color=color)


def _listing(title: str, labels: list[str], verb: str) -> str:
    shown = ", ".join(labels[:12])
    more = f", and {len(labels) - 12} more" if len(labels) > 12 else ""
    return f"{title:<12}{len(labels)} {verb}" + (f": {shown}{more}" if labels else "")


def _asset_label(asset_key: Any, partition: str | None) -> str:
    label = asset_key.to_user_string()
    return f"{label}[{partition}]" if partition else label


def _error_text(data: Any) -> str:
    error = getattr(data, "error", None)
    if error is None:
        return "unknown error (see `headwater run logs`)"
    # The user's exception is the cause of the engine's wrapper: show the user's message.
    while error.cause is not None:
        error = error.cause
    name = f"{error.cls_name}: " if error.cls_name else ""
    message = error.message.strip().splitlines()
    text = message[0] if message else ""
    return text if text.startswith(name) else f"{name}{text}"


def _style(text: str, color: str, log_format: str) -> str:
    return click.style(text, fg=color) if log_format == "colored" else text


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns
