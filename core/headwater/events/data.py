"""Event-specific payloads: what each kind of `DagsterEvent` carries besides its type."""

from __future__ import annotations

import enum
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from headwater._serde import serializable
from headwater.definitions.keys import AssetKey
from headwater.events.assets import AssetMaterialization, AssetObservation


def _metadata(value: Mapping[str, Any] | None) -> dict[str, Any]:
    from headwater.definitions.metadata import normalize_metadata

    return normalize_metadata(value)


@serializable
@attrs.frozen
class SerializableErrorInfo:
    """An exception captured as plain data: message, stack, class name and chained causes."""

    message: str
    stack: Sequence[str] = attrs.field(converter=tuple)
    cls_name: str | None
    cause: SerializableErrorInfo | None = None
    context: SerializableErrorInfo | None = None

    @staticmethod
    def from_exception(exc: BaseException) -> SerializableErrorInfo:
        """Capture ``exc`` with its traceback and its ``__cause__``/``__context__`` chain."""
        cause = exc.__cause__
        context = exc.__context__ if cause is None and not exc.__suppress_context__ else None
        return SerializableErrorInfo(
            message="".join(traceback.format_exception_only(type(exc), exc)),
            stack=traceback.format_tb(exc.__traceback__),
            cls_name=type(exc).__name__,
            cause=SerializableErrorInfo.from_exception(cause) if cause is not None else None,
            context=SerializableErrorInfo.from_exception(context) if context is not None else None,
        )

    def to_string(self) -> str:
        """The message, the stack and the chained errors as one text."""
        text = self.message + "".join(self.stack)
        if self.cause is not None:
            text += "\nThe above exception was caused by:\n\n" + self.cause.to_string()
        elif self.context is not None:
            text += "\nWhile handling the above, another exception occurred:\n\n"
            text += self.context.to_string()
        return text


@serializable
@attrs.frozen
class StepMaterializationData:
    """Payload of ASSET_MATERIALIZATION."""

    materialization: AssetMaterialization
    asset_lineage: Sequence[AssetKey] = attrs.field(default=(), converter=tuple)


@serializable
@attrs.frozen
class AssetObservationData:
    """Payload of ASSET_OBSERVATION."""

    asset_observation: AssetObservation


@serializable
@attrs.frozen
class AssetMaterializationPlannedData:
    """Payload of ASSET_MATERIALIZATION_PLANNED: a run will write this asset (partition)."""

    asset_key: AssetKey
    partition: str | None = None


@serializable
@attrs.frozen
class AssetFailedToMaterializeData:
    """Payload of ASSET_FAILED_TO_MATERIALIZE."""

    asset_key: AssetKey
    partition: str | None = None
    error: SerializableErrorInfo | None = None


@serializable
@attrs.frozen
class AssetWipedData:
    """Payload of ASSET_WIPED: the asset's index was cleared."""

    asset_key: AssetKey
    partition_keys: Sequence[str] | None = None


@serializable
@attrs.frozen
class StepSuccessData:
    """Payload of STEP_SUCCESS."""

    duration_ms: float


@serializable
class ErrorSource(str, enum.Enum):
    """Where a step failure came from: the engine, or code the user wrote."""

    FRAMEWORK_ERROR = "FRAMEWORK_ERROR"
    USER_CODE_ERROR = "USER_CODE_ERROR"
    UNEXPECTED_ERROR = "UNEXPECTED_ERROR"
    INTERRUPT = "INTERRUPT"


@serializable
@attrs.frozen
class UserFailureData:
    """What a `Failure` raised by user code said: its description and metadata."""

    label: str = "intentional-failure"
    description: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_metadata)


@serializable
@attrs.frozen
class StepFailureData:
    """Payload of STEP_FAILURE: the error, and whether it came from user code."""

    error: SerializableErrorInfo | None
    user_failure_data: UserFailureData | None = None
    error_source: ErrorSource | None = None


@serializable
@attrs.frozen
class TypeCheckData:
    """The outcome of checking a step output or input against its declared type."""

    success: bool
    label: str
    description: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_metadata)


@serializable
@attrs.frozen
class StepRetryData:
    """Payload of STEP_UP_FOR_RETRY."""

    error: SerializableErrorInfo | None
    seconds_to_wait: float | None = None


@serializable
@attrs.frozen
class StepOutputData:
    """Payload of STEP_OUTPUT."""

    output_name: str
    mapping_key: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_metadata)
    type_check_data: TypeCheckData | None = None


@serializable
@attrs.frozen
class StepInputData:
    """Payload of STEP_INPUT."""

    input_name: str
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_metadata)
    type_check_data: TypeCheckData | None = None


@serializable
@attrs.frozen
class LoadedInputData:
    """Payload of LOADED_INPUT: which IO manager loaded which upstream output."""

    input_name: str
    manager_key: str
    upstream_output_name: str | None = None
    upstream_step_key: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_metadata)


@serializable
@attrs.frozen
class HandledOutputData:
    """Payload of HANDLED_OUTPUT: which IO manager stored an output."""

    output_name: str
    manager_key: str
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_metadata)


@serializable
@attrs.frozen
class EngineEventData:
    """Payload of ENGINE_EVENT and the RESOURCE_INIT_* events."""

    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_metadata)
    error: SerializableErrorInfo | None = None


@serializable
@attrs.frozen
class JobFailureData:
    """Payload of RUN_FAILURE."""

    error: SerializableErrorInfo | None = None
    failure_reason: str | None = None


@serializable
@attrs.frozen
class ComputeLogsCapturedData:
    """Payload of LOGS_CAPTURED: where a step's stdout/stderr were written."""

    file_key: str
    step_keys: Sequence[str] = attrs.field(converter=tuple)
    external_url: str | None = None
