"""The context objects user functions receive: `AssetExecutionContext` and `OpExecutionContext`.

Both are thin views over one `_StepState`, built once per step attempt; no copies are made.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import Any

from headwater.definitions.keys import AssetKey
from headwater.errors import InvariantViolationError
from headwater.resources._fields import FieldsBase, config_dict


class RunLogger:
    """A `logging.Logger`-like object whose lines are recorded as events of the run.

    Each call appends an event (with no event type) to the step's event buffer; lines are also
    passed on to the standard ``headwater`` logger so they show up in the console.
    """

    __slots__ = ("_sink", "_step_key")

    _python_logger = logging.getLogger("headwater")

    def __init__(self, sink: Any, step_key: str | None):
        self._sink = sink
        self._step_key = step_key

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        """Record ``msg % args`` at ``level``."""
        message = str(msg) % args if args else str(msg)
        if kwargs.get("exc_info"):
            import traceback

            message = f"{message}\n{traceback.format_exc()}"
        if self._sink is not None:
            self._sink.log_line(level, message, self._step_key)
        self._python_logger.log(level, message)

    def debug(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Record a DEBUG line."""
        self.log(logging.DEBUG, msg, *args, **kwargs)

    def info(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Record an INFO line."""
        self.log(logging.INFO, msg, *args, **kwargs)

    def warning(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Record a WARNING line."""
        self.log(logging.WARNING, msg, *args, **kwargs)

    def error(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Record an ERROR line."""
        self.log(logging.ERROR, msg, *args, **kwargs)

    def critical(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Record a CRITICAL line."""
        self.log(logging.CRITICAL, msg, *args, **kwargs)

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Record an ERROR line with the current exception's traceback."""
        kwargs.setdefault("exc_info", True)
        self.log(logging.ERROR, msg, *args, **kwargs)

    warn = warning


class _StepState:
    """Everything a context exposes, shared by the asset and op views of one step attempt."""

    __slots__ = (
        "assets_def",
        "closer",
        "events",
        "instance",
        "log",
        "op_config",
        "op_def",
        "output_metadata",
        "partition",
        "resources",
        "retry_number",
        "run",
        "run_id",
        "selected_asset_keys",
        "selected_check_keys",
        "selected_output_names",
        "step",
        "step_key",
    )

    def __init__(
        self,
        *,
        run_id: str,
        run: Any,
        instance: Any,
        resources: Any,
        op_config: Any,
        assets_def: Any,
        step_key: str | None,
        selected_asset_keys: frozenset[AssetKey],
        selected_check_keys: frozenset[Any],
        selected_output_names: frozenset[str],
        partition: Any,
        retry_number: int,
        events: Any,
    ):
        self.run_id = run_id
        self.run = run
        self.instance = instance
        self.resources = resources
        self.op_config = op_config
        self.assets_def = assets_def
        self.step_key = step_key
        self.selected_asset_keys = selected_asset_keys
        self.selected_check_keys = selected_check_keys
        self.selected_output_names = selected_output_names
        self.partition = partition
        self.retry_number = retry_number
        self.events = events
        self.output_metadata: dict[str, dict[str, Any]] = {}
        self.log = RunLogger(events, step_key)
        self.closer: Any = None
        self.step: Any = None
        self.op_def: Any = None


class OpExecutionContext:
    """The context of one step attempt, as ops see it.

    Built by the executor for each step, or by `build_op_context` for direct calls in tests.
    """

    __slots__ = ("_state",)

    def __init__(self, state: _StepState):
        self._state = state

    # -- run ----------------------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        """The id of the run this step belongs to."""
        return self._state.run_id

    @property
    def run(self) -> Any:
        """The run record (`DagsterRun`)."""
        return self._state.run

    dagster_run = run

    @property
    def job_name(self) -> str | None:
        """The name of the job being run."""
        return getattr(self._state.run, "job_name", None)

    @property
    def run_tags(self) -> Mapping[str, str]:
        """The run's tags."""
        return getattr(self._state.run, "tags", None) or {}

    @property
    def run_config(self) -> Mapping[str, Any]:
        """The run config the run was launched with, as given."""
        return getattr(self._state.run, "run_config", None) or {}

    def has_tag(self, key: str) -> bool:
        """Whether the run has tag ``key``."""
        return key in self.run_tags

    def get_tag(self, key: str) -> str | None:
        """The run tag ``key``, or None."""
        return self.run_tags.get(key)

    @property
    def instance(self) -> Any:
        """The instance the run is recorded in."""
        return self._state.instance

    @property
    def retry_number(self) -> int:
        """0 on the first attempt, then 1, 2, … on retries."""
        return self._state.retry_number

    @property
    def log(self) -> RunLogger:
        """A logger whose lines are recorded as events of the run."""
        return self._state.log

    @property
    def resources(self) -> Any:
        """The resources the step required, by key as attributes."""
        return self._state.resources

    @property
    def op_config(self) -> Any:
        """The op's run config (``ops.<op name>.config``), as plain data.

        A `Config` parameter's value is given as a mapping here, like the reference; the
        function's parameter holds the `Config` object itself.
        """
        value = self._state.op_config
        if isinstance(value, FieldsBase):
            return config_dict(value)
        return value

    # -- definition -----------------------------------------------------------------------------
    @property
    def assets_def(self) -> Any:
        """The AssetsDefinition whose op is running."""
        if self._state.assets_def is None:
            raise InvariantViolationError("This context is not bound to an asset definition.")
        return self._state.assets_def

    @property
    def has_assets_def(self) -> bool:
        """Whether the op belongs to an AssetsDefinition."""
        return self._state.assets_def is not None

    @property
    def op_def(self) -> Any:
        """The op definition being run."""
        state = self._state
        op_def = state.step.node.op if state.step is not None else state.op_def
        if op_def is None:
            raise InvariantViolationError(
                "This context is not bound to an op: it was built by hand and not yet passed "
                "to an asset or op function."
            )
        return op_def

    op = op_def

    @property
    def op_handle(self) -> str | None:
        """The step key of the op (its name, or its path inside a graph)."""
        return self._state.step_key

    node_handle = op_handle

    def describe_op(self) -> str:
        """``op "<step key>"``, for messages."""
        return f'op "{self._state.step_key or self.op_def.name}"'

    def get_mapping_key(self) -> str | None:
        """The mapping key of a dynamic step; always None (steps are not mapped)."""
        return None

    @property
    def is_subset(self) -> bool:
        """Whether the step materializes only some of its definition's assets or checks."""
        assets_def = self._state.assets_def
        return assets_def is not None and assets_def.is_subset

    @property
    def step_key(self) -> str | None:
        """The key of the running step."""
        return self._state.step_key

    @property
    def asset_key(self) -> AssetKey:
        """The key of the one asset this step materializes.

        Raises:
            InvariantViolationError: the step materializes several assets; use
                ``asset_keys`` or ``selected_asset_keys``.
        """
        keys = self._state.selected_asset_keys
        if len(keys) != 1:
            raise InvariantViolationError(
                f"Cannot call context.asset_key: this step materializes {len(keys)} assets "
                f"({sorted(k.to_user_string() for k in keys)}). Use context.asset_keys or "
                "context.selected_asset_keys instead."
            )
        return next(iter(keys))

    @property
    def asset_keys(self) -> frozenset[AssetKey]:
        """Every asset key of the definition, selected or not."""
        if self._state.assets_def is None:
            return self._state.selected_asset_keys
        return frozenset(self._state.assets_def.keys)

    @property
    def selected_asset_keys(self) -> frozenset[AssetKey]:
        """The asset keys this run asks the step to materialize."""
        return self._state.selected_asset_keys

    @property
    def selected_asset_check_keys(self) -> frozenset[Any]:
        """The check keys this run asks the step to evaluate."""
        return self._state.selected_check_keys

    @property
    def selected_output_names(self) -> frozenset[str]:
        """The op output names this run asks for."""
        return self._state.selected_output_names

    def asset_key_for_output(self, output_name: str = "result") -> AssetKey:
        """The asset key output ``output_name`` materializes.

        Raises:
            InvariantViolationError: the output materializes no asset.
        """
        step = self._state.step
        if step is not None:
            output = step.node.outputs.get(output_name)
            key = output.asset_key if output is not None else None
        else:
            key = self.assets_def.keys_by_output_name.get(output_name)
        if key is None:
            raise InvariantViolationError(
                f"Output '{output_name}' of {self.describe_op()} materializes no asset; "
                f"outputs with assets: {sorted(self._output_by_asset_key().values())}."
            )
        return key

    def output_for_asset_key(self, asset_key: Any) -> str:
        """The name of the output that materializes ``asset_key``.

        Raises:
            InvariantViolationError: no output of this step materializes it.
        """
        key = AssetKey.from_coercible(asset_key)
        outputs = self._output_by_asset_key()
        if key not in outputs:
            raise InvariantViolationError(
                f"{self.describe_op()} does not materialize {key.to_user_string()}; it "
                f"materializes {sorted(k.to_user_string() for k in outputs)}."
            )
        return outputs[key]

    def asset_key_for_input(self, input_name: str) -> AssetKey:
        """The key of the upstream asset input ``input_name`` reads.

        Raises:
            InvariantViolationError: the input reads no asset.
        """
        if self._state.step is not None:
            key = self._step_input(input_name).asset_key
        else:
            key = self.assets_def.keys_by_input_name.get(input_name)
        if key is None:
            raise InvariantViolationError(
                f"Input '{input_name}' of {self.describe_op()} does not read an asset."
            )
        return key

    def _output_by_asset_key(self) -> Mapping[AssetKey, str]:
        step = self._state.step
        if step is not None:
            return step.node.output_by_asset_key
        return {key: name for name, key in self.assets_def.keys_by_output_name.items()}

    # -- events ---------------------------------------------------------------------------------
    def log_event(self, event: Any) -> None:
        """Record an `AssetMaterialization`, `AssetObservation` or `AssetCheckEvaluation` now."""
        sink = self._state.events
        if sink is None:
            raise InvariantViolationError(
                "log_event needs a running step; this context was built for a direct call."
            )
        sink.user_event(event, self._state.step_key)

    def add_output_metadata(
        self, metadata: Mapping[str, Any], output_name: str | None = None
    ) -> None:
        """Attach ``metadata`` to the event of an output (the only output when unnamed).

        Raises:
            InvariantViolationError: no name was given and the step has several outputs.
        """
        if output_name is None:
            names = self._state.selected_output_names
            if len(names) > 1:
                raise InvariantViolationError(
                    "add_output_metadata needs output_name= because this step has outputs "
                    f"{sorted(names)}."
                )
            output_name = next(iter(names), "result")
        self._state.output_metadata.setdefault(output_name, {}).update(metadata)

    def get_output_metadata(self, output_name: str = "result") -> Mapping[str, Any] | None:
        """Metadata added so far with `add_output_metadata` for ``output_name``."""
        return self._state.output_metadata.get(output_name)

    def add_asset_metadata(
        self,
        metadata: Mapping[str, Any],
        asset_key: Any = None,
        partition_key: str | None = None,
    ) -> None:
        """Attach ``metadata`` to the materialization of ``asset_key`` (the only asset if None).

        Raises:
            InvariantViolationError: the step does not materialize that asset, no key was given
                and it materializes several, or ``partition_key`` is not the run's partition.
        """
        selected = self._state.selected_asset_keys
        if asset_key is None:
            if len(selected) != 1:
                raise InvariantViolationError(
                    "add_asset_metadata needs asset_key= because this step materializes "
                    f"{sorted(k.to_user_string() for k in selected)}."
                )
            key = next(iter(selected))
        else:
            key = AssetKey.from_coercible(asset_key)
            if key not in selected:
                raise InvariantViolationError(
                    f"Cannot add metadata for {key.to_user_string()}: this step materializes "
                    f"{sorted(k.to_user_string() for k in selected)}."
                )
        if partition_key is not None and (
            not self.has_partition_key or partition_key != self.partition_key
        ):
            raise InvariantViolationError(
                f"Cannot add metadata for partition '{partition_key}': the step materializes "
                + (
                    f"partition '{self.partition_key}' only."
                    if self.has_partition_key
                    else "no single partition."
                )
            )
        self.add_output_metadata(metadata, self.output_for_asset_key(key))

    # -- partitions -----------------------------------------------------------------------------
    @property
    def has_partition_key(self) -> bool:
        """Whether the run targets exactly one partition."""
        return self._state.partition is not None and self._state.partition.key is not None

    @property
    def has_partition_key_range(self) -> bool:
        """Whether the run targets a partition or a range of partitions."""
        return self._state.partition is not None

    @property
    def partition_key(self) -> str:
        """The partition the run targets.

        Raises:
            InvariantViolationError: the run is not partitioned or targets a range.
        """
        if not self.has_partition_key:
            raise InvariantViolationError(
                "Cannot access partition_key: this run does not target a single partition."
            )
        return self._state.partition.key

    @property
    def partition_key_range(self) -> Any:
        """The range of partitions the run targets (a one-key range for a single partition)."""
        return self._require_partition().key_range

    @property
    def partition_keys(self) -> list[str]:
        """Every partition key the run targets."""
        return list(self._require_partition().keys())

    @property
    def partition_time_window(self) -> Any:
        """The time window the targeted partitions cover (time-partitioned assets only)."""
        return self._require_partition().time_window()

    @property
    def asset_partition_key_range(self) -> Any:
        """Deprecated alias of `partition_key_range`."""
        return self.partition_key_range

    def asset_partitions_def_for_output(self, output_name: str = "result") -> Any:
        """The partitions definition of the asset output ``output_name`` materializes."""
        self.asset_key_for_output(output_name)
        return self.assets_def.partitions_def

    def asset_partition_key_for_output(self, output_name: str = "result") -> str:
        """The partition output ``output_name`` materializes (the run's partition key)."""
        self.asset_key_for_output(output_name)
        return self.partition_key

    def asset_partition_keys_for_output(self, output_name: str = "result") -> list[str]:
        """Every partition output ``output_name`` materializes, in order."""
        self.asset_key_for_output(output_name)
        return self.partition_keys

    def asset_partition_key_range_for_output(self, output_name: str = "result") -> Any:
        """The `PartitionKeyRange` output ``output_name`` materializes."""
        self.asset_key_for_output(output_name)
        return self.partition_key_range

    def asset_partitions_time_window_for_output(self, output_name: str = "result") -> Any:
        """The time window output ``output_name`` materializes (time-partitioned assets)."""
        self.asset_key_for_output(output_name)
        return self.partition_time_window

    def asset_partitions_def_for_input(self, input_name: str) -> Any:
        """The partitions definition of the upstream asset input ``input_name`` reads."""
        return self._step_input(input_name).upstream_partitions_def

    def asset_partition_key_for_input(self, input_name: str) -> str:
        """The partition of the upstream asset that input ``input_name`` reads.

        Raises:
            InvariantViolationError: the input reads no partition or several partitions.
        """
        mapped = self._mapped_for_input(input_name)
        if mapped is None or isinstance(mapped, list):
            raise InvariantViolationError(
                f"Input '{input_name}' does not read exactly one partition "
                f"({'unpartitioned upstream' if mapped is None else mapped}); "
                "there is no single partition key for it."
            )
        return mapped

    def asset_partition_keys_for_input(self, input_name: str) -> list[str]:
        """Every partition of the upstream asset that input ``input_name`` reads, in order.

        Raises:
            InvariantViolationError: the run is not partitioned, or the upstream is not.
        """
        mapped = self._mapped_for_input(input_name)
        if mapped is None:
            raise InvariantViolationError(
                f"Input '{input_name}' reads an unpartitioned asset; it has no partition keys."
            )
        return mapped if isinstance(mapped, list) else [mapped]

    def asset_partition_key_range_for_input(self, input_name: str) -> Any:
        """The `PartitionKeyRange` from the first to the last upstream partition read."""
        from headwater.partitions.base import PartitionKeyRange

        keys = self.asset_partition_keys_for_input(input_name)
        if not keys:
            raise InvariantViolationError(
                f"Input '{input_name}' reads no upstream partition in this run."
            )
        return PartitionKeyRange(keys[0], keys[-1])

    def asset_partitions_time_window_for_input(self, input_name: str) -> Any:
        """The time window spanned by the upstream partitions input ``input_name`` reads.

        Raises:
            InvariantViolationError: the upstream asset is not time-partitioned.
        """
        step_input = self._step_input(input_name)
        upstream_def = step_input.upstream_partitions_def
        window_for = getattr(upstream_def, "time_window_for_partition_key", None)
        if window_for is None:
            raise InvariantViolationError(
                f"Input '{input_name}' reads {step_input.asset_key.to_user_string()}, which is "
                "not time-partitioned; it has no time window."
            )
        key_range = self.asset_partition_key_range_for_input(input_name)
        first, last = window_for(key_range.start), window_for(key_range.end)
        return type(first)(first.start, last.end)

    def _step_input(self, input_name: str) -> Any:
        step = self._state.step
        step_input = next((i for i in step.inputs if i.name == input_name), None) if step else None
        if step_input is None:
            raise InvariantViolationError(
                f"No input named '{input_name}' in this step"
                + (f"; inputs: {[i.name for i in step.inputs]}." if step else ".")
            )
        return step_input

    def _mapped_for_input(self, input_name: str) -> Any:
        partition = self._require_partition()
        step_input = self._step_input(input_name)
        return partition.keys_for_upstream(
            self._state.assets_def, step_input.upstream_partitions_def, step_input.asset_key
        )

    def _require_partition(self) -> Any:
        if self._state.partition is None:
            raise InvariantViolationError(
                "This run is not partitioned: pass partition_key= to materialize or "
                "execute_in_process."
            )
        return self._state.partition


class AssetExecutionContext(OpExecutionContext):
    """The context of one step attempt, as asset functions see it."""

    __slots__ = ()

    @property
    def op_execution_context(self) -> OpExecutionContext:
        """The op-level view of this context."""
        return OpExecutionContext(self._state)

    @property
    def selected_output_names(self) -> frozenset[str]:
        """Deprecated on assets: use ``context.op_execution_context.selected_output_names``."""
        warnings.warn(
            "AssetExecutionContext.selected_output_names is deprecated; use "
            "context.op_execution_context.selected_output_names or context.selected_asset_keys.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._state.selected_output_names
