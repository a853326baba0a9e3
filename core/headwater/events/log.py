"""`DagsterEvent` (a structured event) and `EventLogEntry` (one row of the event log)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import Any

import attrs

from headwater._serde import serializable
from headwater.definitions.keys import AssetKey
from headwater.errors import InvariantViolationError
from headwater.events.assets import AssetCheckEvaluation, AssetMaterialization, AssetObservation
from headwater.events.data import (
    AssetFailedToMaterializeData,
    AssetMaterializationPlannedData,
    AssetObservationData,
    AssetWipedData,
    SerializableErrorInfo,
    StepMaterializationData,
)
from headwater.events.types import STEP_EVENTS, DagsterEventType

# Run-less events (reported outside any run) carry these run id and job name.
RUNLESS_RUN_ID = ""
RUNLESS_JOB_NAME = ""


@serializable
@attrs.frozen
class DagsterEvent:
    """A structured event: its type, where it happened and its type-specific payload.

    Build one with `DagsterEvent.build` (or the constructor with ``event_type_value`` as the
    stored string).
    """

    event_type_value: str
    job_name: str
    step_key: str | None = None
    message: str | None = None
    event_specific_data: Any = None
    pid: int | None = None
    logging_tags: Mapping[str, str] = attrs.field(factory=dict, converter=dict)

    @staticmethod
    def build(
        event_type: DagsterEventType,
        job_name: str,
        *,
        step_key: str | None = None,
        message: str | None = None,
        event_specific_data: Any = None,
        logging_tags: Mapping[str, str] | None = None,
    ) -> DagsterEvent:
        """A new event of ``event_type`` stamped with the current process id."""
        return DagsterEvent(
            event_type_value=DagsterEventType(event_type).value,
            job_name=job_name,
            step_key=step_key,
            message=message,
            event_specific_data=event_specific_data,
            pid=os.getpid(),
            logging_tags=logging_tags or {},
        )

    @staticmethod
    def asset_materialization(
        materialization: AssetMaterialization, job_name: str = RUNLESS_JOB_NAME, **kwargs: Any
    ) -> DagsterEvent:
        """An ASSET_MATERIALIZATION event for ``materialization``."""
        return DagsterEvent.build(
            DagsterEventType.ASSET_MATERIALIZATION,
            job_name,
            message=kwargs.pop("message", None)
            or f"Materialized value {materialization.asset_key.to_user_string()}.",
            event_specific_data=StepMaterializationData(materialization),
            **kwargs,
        )

    @staticmethod
    def asset_observation(
        observation: AssetObservation, job_name: str = RUNLESS_JOB_NAME, **kwargs: Any
    ) -> DagsterEvent:
        """An ASSET_OBSERVATION event for ``observation``."""
        return DagsterEvent.build(
            DagsterEventType.ASSET_OBSERVATION,
            job_name,
            event_specific_data=AssetObservationData(observation),
            **kwargs,
        )

    @staticmethod
    def asset_check_evaluation(
        evaluation: AssetCheckEvaluation, job_name: str = RUNLESS_JOB_NAME, **kwargs: Any
    ) -> DagsterEvent:
        """An ASSET_CHECK_EVALUATION event for ``evaluation``."""
        return DagsterEvent.build(
            DagsterEventType.ASSET_CHECK_EVALUATION,
            job_name,
            event_specific_data=evaluation,
            **kwargs,
        )

    # -- what kind of event ------------------------------------------------------------------

    @property
    def event_type(self) -> DagsterEventType:
        """The event's type as the enum member."""
        return DagsterEventType(self.event_type_value)

    @property
    def is_step_event(self) -> bool:
        """Whether the event is one of a step's own (not a run, engine or resource event)."""
        return self.event_type in STEP_EVENTS

    @property
    def node_name(self) -> str:
        """The name of the op node the event's step runs (the last part of its step key)."""
        if self.step_key is None:
            raise InvariantViolationError(
                f"{self.event_type_value} event has no step, so no node name; check step_key first."
            )
        return self.step_key.rpartition(".")[2]

    @property
    def is_step_start(self) -> bool:
        return self.event_type is DagsterEventType.STEP_START

    @property
    def is_step_success(self) -> bool:
        return self.event_type is DagsterEventType.STEP_SUCCESS

    @property
    def is_step_failure(self) -> bool:
        return self.event_type is DagsterEventType.STEP_FAILURE

    @property
    def is_step_skipped(self) -> bool:
        return self.event_type is DagsterEventType.STEP_SKIPPED

    @property
    def is_step_up_for_retry(self) -> bool:
        return self.event_type is DagsterEventType.STEP_UP_FOR_RETRY

    @property
    def is_run_success(self) -> bool:
        return self.event_type is DagsterEventType.RUN_SUCCESS

    @property
    def is_run_failure(self) -> bool:
        return self.event_type is DagsterEventType.RUN_FAILURE

    @property
    def is_failure(self) -> bool:
        """Whether this is a step or run failure."""
        return self.event_type in (DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE)

    @property
    def is_successful_output(self) -> bool:
        return self.event_type is DagsterEventType.STEP_OUTPUT

    @property
    def is_engine_event(self) -> bool:
        return self.event_type is DagsterEventType.ENGINE_EVENT

    @property
    def is_handled_output(self) -> bool:
        return self.event_type is DagsterEventType.HANDLED_OUTPUT

    @property
    def is_loaded_input(self) -> bool:
        return self.event_type is DagsterEventType.LOADED_INPUT

    @property
    def is_step_materialization(self) -> bool:
        return self.event_type is DagsterEventType.ASSET_MATERIALIZATION

    is_asset_materialization = is_step_materialization

    @property
    def is_asset_observation(self) -> bool:
        return self.event_type is DagsterEventType.ASSET_OBSERVATION

    @property
    def is_asset_materialization_planned(self) -> bool:
        return self.event_type is DagsterEventType.ASSET_MATERIALIZATION_PLANNED

    @property
    def is_asset_failed_to_materialize(self) -> bool:
        return self.event_type is DagsterEventType.ASSET_FAILED_TO_MATERIALIZE

    @property
    def is_asset_check_evaluation(self) -> bool:
        return self.event_type is DagsterEventType.ASSET_CHECK_EVALUATION

    # -- payload accessors --------------------------------------------------------------------

    @property
    def step_materialization_data(self) -> StepMaterializationData:
        """The payload of an ASSET_MATERIALIZATION event."""
        if not isinstance(self.event_specific_data, StepMaterializationData):
            raise ValueError(f"{self.event_type_value} event has no materialization data")
        return self.event_specific_data

    @property
    def asset_observation_data(self) -> AssetObservationData:
        """The payload of an ASSET_OBSERVATION event."""
        if not isinstance(self.event_specific_data, AssetObservationData):
            raise ValueError(f"{self.event_type_value} event has no observation data")
        return self.event_specific_data

    @property
    def asset_check_evaluation_data(self) -> AssetCheckEvaluation:
        """The payload of an ASSET_CHECK_EVALUATION event."""
        if not isinstance(self.event_specific_data, AssetCheckEvaluation):
            raise ValueError(f"{self.event_type_value} event has no check evaluation")
        return self.event_specific_data

    @property
    def materialization(self) -> AssetMaterialization:
        """The `AssetMaterialization` of an ASSET_MATERIALIZATION event."""
        return self.step_materialization_data.materialization

    @property
    def asset_key(self) -> AssetKey | None:
        """The asset the event is about, if any."""
        data = self.event_specific_data
        if isinstance(data, StepMaterializationData):
            return data.materialization.asset_key
        if isinstance(data, AssetObservationData):
            return data.asset_observation.asset_key
        if isinstance(
            data,
            (
                AssetMaterializationPlannedData,
                AssetFailedToMaterializeData,
                AssetWipedData,
                AssetCheckEvaluation,
            ),
        ):
            return data.asset_key
        return None

    @property
    def partition(self) -> str | None:
        """The partition the event is about, if any."""
        data = self.event_specific_data
        if isinstance(data, StepMaterializationData):
            return data.materialization.partition
        if isinstance(data, AssetObservationData):
            return data.asset_observation.partition
        if isinstance(data, (AssetMaterializationPlannedData, AssetFailedToMaterializeData)):
            return data.partition
        return None


@serializable
@attrs.frozen
class EventLogEntry:
    """One row of the event log: a structured `DagsterEvent` or a plain log message."""

    error_info: SerializableErrorInfo | None
    level: int
    user_message: str
    run_id: str
    timestamp: float
    step_key: str | None = None
    job_name: str | None = None
    dagster_event: DagsterEvent | None = None

    @staticmethod
    def from_event(
        event: DagsterEvent,
        run_id: str,
        *,
        level: int = logging.DEBUG,
        timestamp: float | None = None,
    ) -> EventLogEntry:
        """Wrap ``event`` as a log entry of ``run_id`` stamped now (or at ``timestamp``)."""
        return EventLogEntry(
            error_info=None,
            level=level,
            user_message=event.message or "",
            run_id=run_id,
            timestamp=time.time() if timestamp is None else timestamp,
            step_key=event.step_key,
            job_name=event.job_name,
            dagster_event=event,
        )

    @property
    def is_dagster_event(self) -> bool:
        """Whether the entry holds a structured event (rather than a plain log line)."""
        return self.dagster_event is not None

    def get_dagster_event(self) -> DagsterEvent:
        """The structured event; raises ValueError for plain log lines."""
        if self.dagster_event is None:
            raise ValueError("This log entry is a plain message and has no structured event")
        return self.dagster_event

    @property
    def dagster_event_type(self) -> DagsterEventType | None:
        """The structured event's type, or None for plain log lines."""
        return self.dagster_event.event_type if self.dagster_event is not None else None

    @property
    def message(self) -> str:
        """The event's message, falling back to the user message."""
        if self.dagster_event is not None and self.dagster_event.message:
            return self.dagster_event.message
        return self.user_message

    @property
    def asset_materialization(self) -> AssetMaterialization | None:
        """The materialization this entry records, if it is one."""
        event = self.dagster_event
        if event is None or not event.is_step_materialization:
            return None
        return event.materialization

    @property
    def asset_observation(self) -> AssetObservation | None:
        """The observation this entry records, if it is one."""
        event = self.dagster_event
        if event is None or not event.is_asset_observation:
            return None
        return event.asset_observation_data.asset_observation

    @property
    def asset_check_evaluation(self) -> AssetCheckEvaluation | None:
        """The check evaluation this entry records, if it is one."""
        event = self.dagster_event
        if event is None or not event.is_asset_check_evaluation:
            return None
        return event.asset_check_evaluation_data

    @property
    def tags(self) -> Mapping[str, str] | None:
        """Tags of the materialization or observation this entry records, if any."""
        record = self.asset_materialization or self.asset_observation
        return record.tags if record is not None else None
