"""Run one step in the current process: load inputs, call the function, handle what it returns.

Return semantics (see docs/reference/execution.md): a plain value goes to the IO manager;
``None`` without an annotation is stored too; a ``-> None`` function has a Nothing output
(no IO manager call); `MaterializeResult` skips the IO manager unless it has ``value=``;
generators yield `Output`, `MaterializeResult`, `AssetCheckResult`, `AssetMaterialization` and
`AssetObservation`; a tuple return fills the outputs in declaration order.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Mapping
from typing import Any

from headwater.definitions.checks import AssetCheckResult, AssetCheckSeverity
from headwater.definitions.keys import AssetKey
from headwater.definitions.results import (
    DataVersion,
    DataVersionsByPartition,
    MaterializeResult,
    ObserveResult,
    Output,
)
from headwater.errors import (
    ExecutionStepError,
    HandleOutputError,
    InvalidObservationError,
    LoadInputError,
    StepOutputNotFoundError,
    TypeCheckError,
)
from headwater.events.assets import (
    DATA_VERSION_TAG,
    AssetCheckEvaluation,
    AssetMaterialization,
    AssetObservation,
)
from headwater.events.data import (
    AssetFailedToMaterializeData,
    AssetObservationData,
    ErrorSource,
    HandledOutputData,
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
from headwater.events.types import DagsterEventType as ET
from headwater.execution import _io
from headwater.execution._events import EventBuffer
from headwater.execution._types import ANY
from headwater.execution.context import AssetExecutionContext, OpExecutionContext, _StepState
from headwater.execution.data_versions import (
    DATA_VERSION_IS_USER_PROVIDED_TAG,
    DEFAULT_DATA_VERSION,
    compute_logical_data_version,
    data_version_tags,
)
from headwater.execution.exceptions import Failure, RetryRequested
from headwater.execution.step_context import StepExecutionContext, StepResult


class _StepFailed(Exception):
    """Internal: the step failed for a reason already wrapped in a headwater error."""


def run_step(step: Any, context: StepExecutionContext) -> StepResult:
    """Run ``step`` once in this process and return its result (never raises for user errors)."""
    run = context.run
    events = EventBuffer(run.run_id, run.job_name, run.event_sink)
    node = step.node
    started = time.perf_counter()
    state = _StepState(
        run_id=run.run_id,
        run=run.run,
        instance=run.instance,
        resources=run.resources,
        op_config=run.op_configs.get(step.key),
        assets_def=node.assets_def,
        step_key=step.key,
        selected_asset_keys=step.selected_asset_keys,
        selected_check_keys=step.selected_check_keys,
        selected_output_names=frozenset(step.outputs),
        partition=run.partition,
        retry_number=context.retry_number,
        events=events,
    )
    state.step = step
    # Ops inside a graph, and ops of op jobs, get the op context (as in the reference).
    own_op = node.assets_def is not None and node.assets_def.node_def is node.op
    user_context = AssetExecutionContext(state) if own_op else OpExecutionContext(state)
    runner = _Runner(step, run, events, state)
    try:
        inputs = runner.load_inputs(user_context)
        try:
            raw = node.op._invoke(user_context, inputs, None, state.op_config)
            runner.consume(raw)
        except (_StepFailed, StepOutputNotFoundError, TypeCheckError):
            raise
        except RetryRequested as request:
            return runner.retry_or_fail(
                request, context.retry_number, request.max_retries, request.seconds_to_wait
            )
        except Exception as error:
            policy = step.retry_policy if run.retries_enabled else None
            allow = not (isinstance(error, Failure) and not error.allow_retries)
            if policy is not None and allow and context.retry_number < policy.max_retries:
                delay = policy.calculate_delay(context.retry_number + 1)
                return runner.retry_or_fail(error, context.retry_number, policy.max_retries, delay)
            raise _StepFailed(_user_error(step.key, error)) from error
        runner.check_required_outputs()
        runner.check_blocking()
    except _StepFailed as failed:
        return runner.failure(failed.args[0])
    except (StepOutputNotFoundError, TypeCheckError) as error:
        return runner.failure(error)
    elapsed_ms = (time.perf_counter() - started) * 1000
    events.emit(
        ET.STEP_SUCCESS,
        step.key,
        f'Finished execution of step "{step.key}" in {_duration(elapsed_ms)}.',
        StepSuccessData(elapsed_ms),
    )
    return StepResult(
        step.key,
        "success",
        events.entries,
        frozenset(runner.produced),
        runner.values,
        runner.materialized,
    )


def _user_error(step_key: str, error: BaseException) -> BaseException:
    """What a step fails with when its function raised ``error``.

    A `Failure` is the user's own verdict and is kept as is; anything else is wrapped so the
    message names the op, with the user's exception as the cause.
    """
    if isinstance(error, Failure):
        return error
    wrapped = ExecutionStepError(f'Error occurred while executing op "{step_key}"')
    wrapped.__cause__ = error
    return wrapped


def _input_name(step_input: Any) -> str:
    return step_input.name


def _type_check(declared: Any, name: str, value: Any) -> TypeCheckData:
    return (
        TypeCheckData(True, name)
        if declared is ANY
        else TypeCheckData((problem := declared.type_check(value)) is None, name, problem)
    )


def _type_message(prefix: str, declared: Any, check: TypeCheckData) -> str:
    outcome = "(Type check passed)." if check.success else "Warning! Type check failed."
    return f'{prefix} of type "{declared.display_name}". {outcome}'


def _type_error(
    what: str, name: str, step_key: str, declared: Any, check: TypeCheckData
) -> TypeCheckError:
    return TypeCheckError(
        f'Type check failed for step {what} "{name}" of step "{step_key}": expected type '
        f'"{declared.display_name}". {check.description} Produce a value of that type, or '
        "change the annotation or dagster_type.",
        check.description,
    )


def _duration(ms: float) -> str:
    return f"{ms:.0f}ms" if ms < 1000 else f"{ms / 1000:.2f}s"


class _Runner:
    """The per-attempt bookkeeping of one step."""

    __slots__ = (
        "events",
        "failed_blocking",
        "materialized",
        "node",
        "produced",
        "run",
        "state",
        "step",
        "values",
    )

    def __init__(self, step: Any, run: Any, events: EventBuffer, state: _StepState):
        self.step = step
        self.node = step.node
        self.run = run
        self.events = events
        self.state = state
        self.produced: set[str] = set()
        self.values: dict[str, Any] = {}
        self.materialized: dict[AssetKey, str] = {}
        self.failed_blocking: list[AssetCheckEvaluation] = []

    # -- inputs -------------------------------------------------------------------------------
    def load_inputs(self, user_context: Any) -> dict[str, Any]:
        """Load every input, then type-check them: LOADED_INPUT events, then STEP_INPUT events.

        Both are emitted in input-name order, as the reference does.
        """
        step = self.step
        loaded = [i for i in step.inputs if not i.is_nothing]
        if not loaded:
            return {}
        if len(loaded) > 1:
            loaded.sort(key=_input_name)
        inputs: dict[str, Any] = {}
        for step_input in loaded:
            inputs[step_input.name] = self.load_input(step_input)
        types = {info.name: info.dagster_type for info in self.node.inputs}
        for step_input in loaded:
            name = step_input.name
            declared = types[name]
            check = _type_check(declared, name, inputs[name])
            self.events.emit(
                ET.STEP_INPUT,
                self.step.key,
                _type_message(f'Got input "{name}"', declared, check),
                StepInputData(name, {}, check),
            )
            if not check.success:
                raise _type_error("input", name, step.key, declared, check)
        return inputs

    def load_input(self, step_input: Any) -> Any:
        step = self.step
        manager = _io.io_manager(self.run.resources, step_input.io_manager_key, step, step_input)
        input_context = _io.input_context(self.run, step, step_input, self.state)
        try:
            value = manager.load_input(input_context)
        except Exception as error:
            wrapped = LoadInputError(
                f'Error occurred while loading input "{step_input.name}" of step '
                f'"{step.key}" with IO manager "{step_input.io_manager_key}"'
            )
            wrapped.__cause__ = error
            raise _StepFailed(wrapped) from error
        self.events.emit(
            ET.LOADED_INPUT,
            step.key,
            f'Loaded input "{step_input.name}" using input manager '
            f'"{step_input.io_manager_key}"'
            + (
                f', from output "{step_input.source_output_name}" of step '
                f'"{step_input.source_step_key}"'
                if step_input.source_step_key
                else ""
            ),
            LoadedInputData(
                step_input.name,
                step_input.io_manager_key,
                step_input.source_output_name,
                step_input.source_step_key,
                input_context.consume_logged_metadata(),
            ),
        )
        return value

    # -- results --------------------------------------------------------------------------------
    def consume(self, raw: Any) -> None:
        node = self.node
        if inspect.isgenerator(raw):
            for item in raw:
                self.handle_item(item, from_generator=True)
            return
        if node.check_keys:
            self.check_returned_results(raw)
        if isinstance(raw, tuple) and _value_output_count(node) > 1:
            names = list(node.output_names)
            if len(raw) != len(names):
                raise _StepFailed(
                    ExecutionStepError(
                        f'Op "{self.step.key}" returned a tuple of {len(raw)} values but has '
                        f"{len(names)} outputs {names}; return one value per output, in order."
                    )
                )
            for name, value in zip(names, raw):
                if name in node.outputs:
                    self.handle_item(
                        value
                        if isinstance(value, (Output, MaterializeResult))
                        else Output(value, name),
                        from_generator=False,
                    )
            return
        self.handle_item(raw, from_generator=False)

    def handle_item(self, item: Any, *, from_generator: bool) -> None:
        if isinstance(item, Output):
            self.output(
                item.output_name, item.value, True, item.metadata, item.data_version, item.tags
            )
        elif isinstance(item, MaterializeResult):
            name = self.output_for_key(item.asset_key, "MaterializeResult")
            self.output(
                name, item.value, item.has_value, item.metadata, item.data_version, item.tags
            )
            for check_result in item.check_results:
                self.check_result(check_result)
        elif isinstance(item, AssetCheckResult):
            self.check_result(item)
        elif isinstance(item, ObserveResult):
            self.observe(item)
        elif isinstance(item, DataVersion) and self.step.assets_def.is_observable:
            self.observe(ObserveResult(data_version=item))
        elif isinstance(item, DataVersionsByPartition) and self.step.assets_def.is_observable:
            self.observe_partitions(item)
        elif isinstance(item, (AssetMaterialization, AssetObservation, AssetCheckEvaluation)):
            self.events.user_event(item, self.step.key)
        elif from_generator:
            raise _StepFailed(
                ExecutionStepError(
                    f'Op "{self.step.key}" yielded a {type(item).__name__}; generators must '
                    "yield Output, MaterializeResult, AssetCheckResult, AssetMaterialization or "
                    "AssetObservation objects."
                )
            )
        else:
            name = self.single_value_output()
            if name is None:
                return
            spec = self.node.outputs[name]
            if item is None and not spec.is_required:
                return
            self.output(name, item, not spec.is_nothing, {}, None, {})

    def single_value_output(self) -> str | None:
        names = [n for n, o in self.node.outputs.items() if o.check_key is None]
        if len(names) == 1:
            return names[0]
        if not names:
            return None
        raise _StepFailed(
            ExecutionStepError(
                f'Op "{self.step.key}" has outputs {names}; return a tuple with one value per '
                "output, or yield Output(value, output_name=...) or "
                "MaterializeResult(asset_key=...) for each."
            )
        )

    def output_for_key(self, key: AssetKey | None, what: str) -> str:
        node = self.node
        if key is None:
            names = [n for n, o in node.outputs.items() if o.asset_key is not None]
            if len(names) == 1:
                return names[0]
            raise _StepFailed(
                ExecutionStepError(
                    f'{what} in op "{self.step.key}" must name its asset_key: the op '
                    f"materializes {sorted(k.to_user_string() for k in node.asset_keys)}."
                )
            )
        name = node.output_by_asset_key.get(key)
        if name is None or name not in node.outputs:
            raise _StepFailed(
                ExecutionStepError(
                    f'{what} in op "{self.step.key}" names asset {key.to_user_string()}, which '
                    "this step does not materialize in this run; selected: "
                    f"{sorted(k.to_user_string() for k in node.asset_keys)}."
                )
            )
        return name

    def output(
        self,
        name: str,
        value: Any,
        has_value: bool,
        metadata: Mapping[str, Any],
        data_version: Any,
        tags: Mapping[str, str],
    ) -> None:
        step = self.step
        spec = step.outputs.get(name)
        if spec is None:
            raise _StepFailed(
                ExecutionStepError(
                    f'Op "{step.key}" produced output "{name}", which is not one of its '
                    f"selected outputs {sorted(step.outputs)}."
                )
            )
        if name in self.produced:
            raise _StepFailed(
                ExecutionStepError(f'Op "{step.key}" produced output "{name}" more than once.')
            )
        self.produced.add(name)
        user_metadata = self.state.output_metadata.get(name)
        if user_metadata:
            metadata = {**metadata, **user_metadata}
        declared = spec.dagster_type
        store = has_value and not spec.is_nothing
        # A result without a value (MaterializeResult) has nothing to check.
        check = (
            _type_check(declared, name, value)
            if store or declared.is_nothing
            else TypeCheckData(True, name)
        )
        events = self.events
        events.emit(
            ET.STEP_OUTPUT,
            step.key,
            _type_message(f'Yielded output "{name}"', declared, check),
            StepOutputData(name, None, metadata, check),
        )
        if not check.success:
            raise _type_error("output", name, step.key, declared, check)
        io_metadata: Mapping[str, Any] = {}
        if store:
            if self.run.capture_outputs:
                self.values[name] = value
            manager = _io.io_manager(self.run.resources, spec.io_manager_key, step, spec)
            output_context = _io.output_context(self.run, step, spec, self.state)
            try:
                manager.handle_output(output_context, value)
            except Exception as error:
                wrapped = HandleOutputError(
                    f'Error occurred while handling output "{name}" of step "{step.key}" with '
                    f'IO manager "{spec.io_manager_key}"'
                )
                wrapped.__cause__ = error
                raise _StepFailed(wrapped) from error
            io_metadata = output_context.consume_logged_metadata()
        if spec.asset_key is not None:
            self.materialize(
                spec.asset_key,
                {**metadata, **io_metadata} if io_metadata else metadata,
                data_version,
                tags,
            )
        if store:
            events.emit(
                ET.HANDLED_OUTPUT,
                step.key,
                f'Handled output "{name}" using IO manager "{spec.io_manager_key}"',
                HandledOutputData(name, spec.io_manager_key, io_metadata),
            )

    def materialize(
        self, key: AssetKey, metadata: Mapping[str, Any], data_version: Any, tags: Mapping[str, str]
    ) -> None:
        node = self.node
        run = self.run
        code_version = node.code_versions.get(key) or run.run_id
        inputs: dict[AssetKey, tuple[int | None, str]] = {}
        for dep in node.deps_by_key.get(key, ()):
            storage_id, version = run.input_version(dep)
            inputs[dep] = (storage_id, version or DEFAULT_DATA_VERSION)
        if data_version is not None:
            version = data_version.value
        else:
            version = compute_logical_data_version(
                code_version, {dep: found[1] for dep, found in inputs.items()}
            )
        all_tags = data_version_tags(
            version, code_version, inputs, user_provided=data_version is not None
        )
        if tags:
            all_tags.update(tags)
        self.materialized[key] = version
        # A run over a partition range materializes every partition of the range.
        for partition in self._partitions_of(key):
            self.events.emit(
                ET.ASSET_MATERIALIZATION,
                self.step.key,
                f"Materialized value {key.to_user_string()}.",
                StepMaterializationData(
                    AssetMaterialization(key, None, metadata, partition, all_tags)
                ),
            )

    def _partitions_of(self, key: AssetKey) -> list[str | None]:
        partition = self.run.partition
        if partition is None or self.step.assets_def.partitions_def is None:
            return [None]
        if partition.key is not None:
            return [partition.key]
        return partition.keys()

    def _failed_to_materialize(self, error: BaseException) -> None:
        if self.run.partition is None or self.step.assets_def.partitions_def is None:
            return
        info = SerializableErrorInfo.from_exception(error)
        for key in sorted(self.node.asset_keys):
            if key in self.materialized:
                continue
            for partition in self._partitions_of(key):
                self.events.emit(
                    ET.ASSET_FAILED_TO_MATERIALIZE,
                    self.step.key,
                    f"Asset {key.to_user_string()} failed to materialize (partition {partition}).",
                    AssetFailedToMaterializeData(key, partition, info),
                    level=logging.ERROR,
                )

    def observe(self, item: ObserveResult) -> None:
        step = self.step
        key = item.asset_key
        if key is None:
            if len(self.node.asset_keys) != 1:
                raise _StepFailed(
                    ExecutionStepError(
                        f'ObserveResult in op "{step.key}" must name its asset_key: the op '
                        f"observes {sorted(k.to_user_string() for k in self.node.asset_keys)}."
                    )
                )
            key = next(iter(self.node.asset_keys))
        elif key not in self.node.asset_keys:
            raise _StepFailed(
                ExecutionStepError(
                    f'ObserveResult in op "{step.key}" names asset {key.to_user_string()}, which '
                    "this step does not observe in this run; selected: "
                    f"{sorted(k.to_user_string() for k in self.node.asset_keys)}."
                )
            )
        tags = dict(item.tags)
        name = self.node.output_by_asset_key.get(key)
        through_output = name is not None and name in step.outputs
        if not through_output and step.assets_def.partitions_def is not None:
            raise _StepFailed(
                InvalidObservationError(
                    f"{key!r} is partitioned, but its observe function returned one data "
                    "version for the whole asset, which does not say which partition it "
                    "describes. Return DataVersionsByPartition({partition_key: version, ...})."
                )
            )
        if through_output:
            # Observations of a multi-observable definition are outputs of its op, like
            # materializations; a source asset's observe function has no per-asset output.
            if name in self.produced:
                raise _StepFailed(
                    ExecutionStepError(
                        f'Op "{step.key}" observed {key.to_user_string()} more than once.'
                    )
                )
            self.produced.add(name)
            self.events.emit(
                ET.STEP_OUTPUT,
                step.key,
                f'Yielded output "{name}" of type "Nothing". (Type check passed).',
                StepOutputData(name, type_check_data=TypeCheckData(True, name)),
            )
        if item.data_version is not None:
            tags[DATA_VERSION_TAG] = item.data_version.value
            if through_output:
                tags[DATA_VERSION_IS_USER_PROVIDED_TAG] = "true"
        partition = self.run.partition.key if self.run.partition is not None else None
        self._observed(key, item.metadata, partition, tags)
        if not through_output:
            self._observe_fn_output()
        for check_result in item.check_results:
            self.check_result(check_result)

    def observe_partitions(self, item: DataVersionsByPartition) -> None:
        """One observation per partition, for a partitioned observable source asset."""
        (key,) = self.node.asset_keys
        if self.step.assets_def.partitions_def is None:
            raise _StepFailed(
                InvalidObservationError(
                    f"{key!r} is not partitioned, so its observe function should return a "
                    "DataVersion, not a DataVersionsByPartition."
                )
            )
        for partition, version in item.data_versions_by_partition.items():
            self._observed(key, {}, partition, {DATA_VERSION_TAG: version.value})
        self._observe_fn_output()

    def _observe_fn_output(self) -> None:
        # An observe function's op has one output, "result", that stores nothing; the
        # reference reports it after the observations.
        self.events.emit(
            ET.STEP_OUTPUT,
            self.step.key,
            'Yielded output "result" of type "Nothing". (Type check passed).',
            StepOutputData("result", type_check_data=TypeCheckData(True, "result")),
        )

    def _observed(self, key: AssetKey, metadata: Any, partition: str | None, tags: dict) -> None:
        self.events.emit(
            ET.ASSET_OBSERVATION,
            self.step.key,
            f"Observed {key.to_user_string()}.",
            AssetObservationData(AssetObservation(key, None, metadata, partition, tags)),
        )

    def check_key_for(self, result: AssetCheckResult) -> Any:
        """The selected check ``result`` is for; fails the step when it names none or several."""
        step = self.step
        candidates = [
            key
            for key in step.selected_check_keys
            if (result.asset_key is None or key.asset_key == result.asset_key)
            and (result.check_name is None or key.name == result.check_name)
        ]
        if len(candidates) != 1:
            what = "matches no" if not candidates else "matches several"
            selected = sorted(k.to_user_string() for k in step.selected_check_keys)
            raise _StepFailed(
                ExecutionStepError(
                    f"AssetCheckResult(asset_key={result.asset_key!r}, "
                    f'check_name={result.check_name!r}) in op "{step.key}" {what} check '
                    f"selected for this step: {selected}. Set asset_key= and check_name= to name "
                    "one."
                )
            )
        return candidates[0]

    def check_returned_results(self, raw: Any) -> None:
        """Fail before anything is recorded when a returned value lacks a required check result.

        A generator is checked at its end instead (its results are recorded as they come).
        """
        items = raw if isinstance(raw, tuple) else (raw,)
        returned = set()
        for item in items:
            if isinstance(item, (MaterializeResult, ObserveResult)):
                returned.update(self.check_key_for(r) for r in item.check_results)
            elif isinstance(item, AssetCheckResult):
                returned.add(self.check_key_for(item))
        for name, spec in self.step.outputs.items():
            if spec.check_key is not None and spec.is_required and spec.check_key not in returned:
                raise StepOutputNotFoundError(
                    f'Core compute for op "{self.step.key}" did not return an output for '
                    f'non-optional output "{name}": return a MaterializeResult with '
                    f"check_results=[AssetCheckResult(check_name={spec.check_key.name!r}, ...)]"
                )

    def check_result(self, result: AssetCheckResult) -> None:
        node = self.node
        step = self.step
        check_key = self.check_key_for(result)
        name = node.output_by_check_key[check_key]
        spec = step.outputs[name]
        if name in self.produced:
            raise _StepFailed(
                ExecutionStepError(
                    f'Op "{step.key}" produced more than one result for check '
                    f"{check_key.to_user_string()}."
                )
            )
        self.produced.add(name)
        self.events.emit(
            ET.STEP_OUTPUT,
            step.key,
            f'Yielded output "{name}" of type "Any". (Type check passed).',
            StepOutputData(name, type_check_data=TypeCheckData(True, name)),
        )
        evaluation = AssetCheckEvaluation(
            asset_key=check_key.asset_key,
            check_name=check_key.name,
            passed=result.passed,
            metadata=result.metadata,
            severity=result.severity,
            description=result.description,
            blocking=spec.blocking,
        )
        self.events.user_event(evaluation, step.key)
        if spec.blocking and not result.passed and result.severity is AssetCheckSeverity.ERROR:
            # A failed WARN check is recorded but blocks nothing, as in the reference.
            self.failed_blocking.append(evaluation)

    # -- endings --------------------------------------------------------------------------------
    def check_required_outputs(self) -> None:
        """Fail unless every required output was produced, selected or not.

        A subset run still needs the required outputs it did not select: the function cannot
        yield them (they are not selected), so such a multi-asset must mark its outputs
        ``is_required=False`` to be subsettable, as in the reference.
        """
        missing = [
            name
            for name, spec in self.step.outputs.items()
            if spec.is_required and name not in self.produced
        ]
        missing.extend(self.node.unselected_required)
        if missing:
            raise StepOutputNotFoundError(
                f'Core compute for op "{self.step.key}" did not return an output for '
                f'non-optional output "{missing[0]}"'
                + (
                    ". It is not selected in this run: declare it is_required=False so "
                    "the op can skip it"
                    if missing[0] in self.node.unselected_required
                    else ""
                )
            )

    def check_blocking(self) -> None:
        if self.failed_blocking:
            names = ", ".join(
                f"'{e.check_name}' on {e.asset_key.to_user_string()}" for e in self.failed_blocking
            )
            raise _StepFailed(
                ExecutionStepError(
                    f'Blocking check(s) {names} failed in step "{self.step.key}"; downstream '
                    "assets in this run were not materialized."
                )
            )

    def failure(self, error: BaseException) -> StepResult:
        """Record the step's failure with ``error``: user code's error is its cause, and a
        `Failure` raised on purpose is recorded as is, with its description and metadata."""
        message = f'Execution of step "{self.step.key}" failed.'
        user_failure = None
        if isinstance(error, Failure):
            user_failure = UserFailureData(description=error.description, metadata=error.metadata)
            if error.description:
                message = f"{message} {error.description}"
        self.events.emit(
            ET.STEP_FAILURE,
            self.step.key,
            message,
            StepFailureData(
                SerializableErrorInfo.from_exception(error),
                user_failure,
                ErrorSource.USER_CODE_ERROR
                if error.__cause__ is not None
                else ErrorSource.FRAMEWORK_ERROR,
            ),
            level=logging.ERROR,
        )
        self._failed_to_materialize(error)
        return StepResult(
            self.step.key,
            "failure",
            self.events.entries,
            frozenset(self.produced),
            self.values,
            self.materialized,
            error,
        )

    def retry_or_fail(
        self, error: BaseException, retry_number: int, max_retries: int, delay: float
    ) -> StepResult:
        if retry_number >= max_retries:
            return self.failure(_user_error(self.step.key, error.__cause__ or error))
        self.events.emit(
            ET.STEP_UP_FOR_RETRY,
            self.step.key,
            f'Execution of step "{self.step.key}" failed and has requested a retry'
            + (f" in {delay:g} seconds." if delay else "."),
            StepRetryData(SerializableErrorInfo.from_exception(error), delay),
        )
        return StepResult(self.step.key, "retry", self.events.entries, retry_delay=delay)


def _value_output_count(node: Any) -> int:
    return len(node.output_names)
