"""The event model: event types, user-facing asset events, log entries and stored records.

Everything here is a frozen attrs value that pickles and round-trips through the converter in
`headwater._serde`.
"""

from headwater.events.assets import (
    AssetCheckEvaluation,
    AssetCheckEvaluationPlanned,
    AssetCheckEvaluationTargetMaterializationData,
    AssetMaterialization,
    AssetObservation,
)
from headwater.events.data import (
    AssetFailedToMaterializeData,
    AssetMaterializationPlannedData,
    AssetObservationData,
    AssetWipedData,
    ComputeLogsCapturedData,
    EngineEventData,
    ErrorSource,
    HandledOutputData,
    JobFailureData,
    LoadedInputData,
    SerializableErrorInfo,
    StepFailureData,
    StepInputData,
    StepMaterializationData,
    StepOutputData,
    StepRetryData,
    StepSuccessData,
    TypeCheckData,
    UserFailureData,
)
from headwater.events.log import RUNLESS_JOB_NAME, RUNLESS_RUN_ID, DagsterEvent, EventLogEntry
from headwater.events.records import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
    AssetEntry,
    AssetRecord,
    AssetRecordsFilter,
    EventLogRecord,
    EventRecordsFilter,
    EventRecordsResult,
)
from headwater.events.types import DagsterEventType, HeadwaterEventType

__all__ = [
    "RUNLESS_JOB_NAME",
    "RUNLESS_RUN_ID",
    "AssetCheckEvaluation",
    "AssetCheckEvaluationPlanned",
    "AssetCheckEvaluationTargetMaterializationData",
    "AssetCheckExecutionRecord",
    "AssetCheckExecutionRecordStatus",
    "AssetEntry",
    "AssetFailedToMaterializeData",
    "AssetMaterialization",
    "AssetMaterializationPlannedData",
    "AssetObservation",
    "AssetObservationData",
    "AssetRecord",
    "AssetRecordsFilter",
    "AssetWipedData",
    "ComputeLogsCapturedData",
    "DagsterEvent",
    "DagsterEventType",
    "EngineEventData",
    "ErrorSource",
    "EventLogEntry",
    "EventLogRecord",
    "EventRecordsFilter",
    "EventRecordsResult",
    "HandledOutputData",
    "HeadwaterEventType",
    "JobFailureData",
    "LoadedInputData",
    "SerializableErrorInfo",
    "StepFailureData",
    "StepInputData",
    "StepMaterializationData",
    "StepOutputData",
    "StepRetryData",
    "StepSuccessData",
    "TypeCheckData",
    "UserFailureData",
]
