"""The event buffer a step (or the run) appends to; the coordinator stores it in one batch."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from headwater.events.assets import AssetCheckEvaluation, AssetMaterialization, AssetObservation
from headwater.events.data import AssetObservationData, StepMaterializationData
from headwater.events.log import DagsterEvent, EventLogEntry
from headwater.events.types import DagsterEventType


class EventBuffer:
    """An append-only list of `EventLogEntry` for one run, drained at each step boundary."""

    __slots__ = ("entries", "job_name", "pid", "run_id", "sink")

    def __init__(
        self, run_id: str, job_name: str, sink: Callable[[EventLogEntry], None] | None = None
    ):
        self.run_id = run_id
        self.job_name = job_name
        self.entries: list[EventLogEntry] = []
        self.pid = os.getpid()
        # Called with each entry as it is appended: worker processes stream events with it.
        self.sink = sink

    def emit(
        self,
        event_type: DagsterEventType,
        step_key: str | None,
        message: str,
        data: Any = None,
        level: int = logging.DEBUG,
    ) -> EventLogEntry:
        """Append a structured event and return its log entry."""
        event = DagsterEvent(
            event_type_value=event_type.value,
            job_name=self.job_name,
            step_key=step_key,
            message=message,
            event_specific_data=data,
            pid=self.pid,
        )
        entry = EventLogEntry(
            error_info=None,
            level=level,
            user_message=message,
            run_id=self.run_id,
            timestamp=time.time(),
            step_key=step_key,
            job_name=self.job_name,
            dagster_event=event,
        )
        self._append(entry)
        return entry

    def log_line(self, level: int, message: str, step_key: str | None) -> None:
        """Append a plain log line (an entry with no structured event)."""
        entry = EventLogEntry(
            error_info=None,
            level=level,
            user_message=message,
            run_id=self.run_id,
            timestamp=time.time(),
            step_key=step_key,
            job_name=self.job_name,
        )
        self._append(entry)

    def _append(self, entry: EventLogEntry) -> None:
        self.entries.append(entry)
        if self.sink is not None:
            self.sink(entry)

    def user_event(self, event: Any, step_key: str | None) -> None:
        """Append an event object user code logged or yielded."""
        if isinstance(event, AssetMaterialization):
            self.emit(
                DagsterEventType.ASSET_MATERIALIZATION,
                step_key,
                f"Materialized value {event.asset_key.to_user_string()}.",
                StepMaterializationData(event),
            )
        elif isinstance(event, AssetObservation):
            self.emit(
                DagsterEventType.ASSET_OBSERVATION,
                step_key,
                f"Observed {event.asset_key.to_user_string()}.",
                AssetObservationData(event),
            )
        elif isinstance(event, AssetCheckEvaluation):
            self.emit(
                DagsterEventType.ASSET_CHECK_EVALUATION,
                step_key,
                f"Asset check '{event.check_name}' on {event.asset_key.to_user_string()} "
                + ("passed." if event.passed else "failed."),
                event,
            )
        else:
            raise TypeError(
                f"Cannot log {type(event).__name__} as an event; log an AssetMaterialization, "
                "AssetObservation or AssetCheckEvaluation."
            )

    def drain(self) -> list[EventLogEntry]:
        """Return the buffered entries and start a new batch."""
        entries = self.entries
        self.entries = []
        return entries
