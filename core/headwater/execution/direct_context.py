"""Contexts built by hand for calling assets and ops directly: `build_asset_context` and
`build_op_context` (as in unit tests), outside any run."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from headwater.execution.context import AssetExecutionContext, OpExecutionContext, _StepState


class _DirectEvents:
    """Where a context built for a direct call keeps the events the function logs."""

    __slots__ = ("events",)

    def __init__(self) -> None:
        self.events: list[Any] = []

    def user_event(self, event: Any, step_key: str | None) -> None:
        self.events.append(event)

    def log_line(self, level: int, message: str, step_key: str | None) -> None:
        """Log lines of a direct call only go to the ``headwater`` logger."""


def _direct_state(
    *,
    resources: Mapping[str, Any] | None,
    resources_config: Mapping[str, Any] | None,
    config: Any,
    instance: Any,
    partition_key: str | None,
    partition_key_range: Any,
    run_tags: Mapping[str, str] | None,
) -> _StepState:
    from headwater.execution._partitions import RunPartition
    from headwater.resources import build_resources
    from headwater.storage.runs import DagsterRun

    partition = None
    if partition_key is not None or partition_key_range is not None:
        partition = RunPartition(None, key=partition_key, key_range=partition_key_range)
    closer = contextlib.ExitStack()
    initialised = closer.enter_context(
        build_resources(dict(resources or {}), instance=instance, resource_config=resources_config)
    )
    run = DagsterRun(job_name="EPHEMERAL", run_id="EPHEMERAL", tags=dict(run_tags or {}))
    state = _StepState(
        run_id=run.run_id,
        run=run,
        instance=instance,
        resources=initialised,
        op_config=config,
        assets_def=None,
        step_key=None,
        selected_asset_keys=frozenset(),
        selected_check_keys=frozenset(),
        selected_output_names=frozenset(),
        partition=partition,
        retry_number=0,
        events=_DirectEvents(),
    )
    state.closer = closer
    return state


class _DirectContext:
    """Mixin for contexts built by hand: ``with build_asset_context(...) as context:``.

    ``_base`` keeps the state as built; each direct call binds a fresh state derived from it
    to the called definition, so one context can be passed to several functions.
    """

    __slots__ = ()
    _state: _StepState
    _base: _StepState

    def __init__(self, state: _StepState, base: _StepState | None = None):
        self._state = state
        self._base = base or state

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._base.closer.close()

    @property
    def instance(self) -> Any:
        """The instance given to the builder, else a temporary one made on first use."""
        base = self._base
        if base.instance is None:
            from headwater.instance import DagsterInstance

            base.instance = base.closer.enter_context(DagsterInstance.ephemeral())
        return base.instance

    def get_events(self) -> list[Any]:
        """The events the last call logged with `log_event`, in order."""
        return list(self._state.events.events)

    def _bound_to(self, op_def: Any, assets_def: Any) -> Any:
        """This context, bound for a direct call of ``op_def`` (of ``assets_def``, if any)."""
        base = self._base
        state = _StepState(
            run_id=base.run_id,
            run=base.run,
            instance=base.instance,
            resources=base.resources,
            op_config=base.op_config,
            assets_def=assets_def,
            step_key=op_def.name,
            selected_asset_keys=frozenset(assets_def.keys) if assets_def else frozenset(),
            selected_check_keys=frozenset(assets_def.check_keys) if assets_def else frozenset(),
            selected_output_names=frozenset(
                assets_def.keys_by_output_name if assets_def else op_def.outs
            ),
            partition=_bind_partition(base.partition, assets_def),
            retry_number=0,
            events=_DirectEvents(),
        )
        state.op_def = op_def
        self._state = state
        return self

    def _use_call_values(self, op_config: Any, resources: Mapping[str, Any]) -> None:
        """Config and resources given as arguments of the call override the context's."""
        from headwater.resources._build import Resources

        state = self._state
        state.op_config = op_config
        if resources:
            state.resources = Resources({**state.resources, **resources})


def _bind_partition(partition: Any, assets_def: Any) -> Any:
    """The hand-built partition target, read with the called asset's partitions definition.

    The key is not validated, as in the reference: tests may pass any key.
    """
    partitions_def = assets_def.partitions_def if assets_def is not None else None
    if partition is None or partitions_def is None:
        return partition
    from headwater.execution._partitions import RunPartition

    bound = RunPartition(None, key=partition.key, key_range=partition.key_range)
    bound.partitions_def = partitions_def
    return bound


class _DirectAssetContext(_DirectContext, AssetExecutionContext):
    __slots__ = ("_base",)

    @property
    def op_execution_context(self) -> OpExecutionContext:
        """The op-level view of this context."""
        return _DirectOpContext(self._state, self._base)


class _DirectOpContext(_DirectContext, OpExecutionContext):
    __slots__ = ("_base",)


def build_asset_context(
    resources: Mapping[str, Any] | None = None,
    resources_config: Mapping[str, Any] | None = None,
    asset_config: Any = None,
    instance: Any = None,
    partition_key: str | None = None,
    partition_key_range: Any = None,
    run_tags: Mapping[str, str] | None = None,
) -> AssetExecutionContext:
    """Build a context for calling an asset function directly in a test.

    Resources are initialised now; use the context in a ``with`` block to tear them down.

    Args:
        resources: resources by key (`ConfigurableResource`s, definitions or plain values).
        resources_config: ``{key: {"config": ...}}`` for the resources.
        asset_config: the value of ``context.op_config``.
        instance: the instance ``context.instance`` returns.
        partition_key: the partition ``context.partition_key`` returns.
        partition_key_range: the `PartitionKeyRange` ``context.partition_key_range`` returns.
        run_tags: the run's tags.

    Example::

        @asset
        def greeting(context):
            return f"hello {context.partition_key}"

        assert greeting(build_asset_context(partition_key="a")) == "hello a"
    """
    state = _direct_state(
        resources=resources,
        resources_config=resources_config,
        config=asset_config,
        instance=instance,
        partition_key=partition_key,
        partition_key_range=partition_key_range,
        run_tags=run_tags,
    )
    return _DirectAssetContext(state)


def build_op_context(
    resources: Mapping[str, Any] | None = None,
    op_config: Any = None,
    resources_config: Mapping[str, Any] | None = None,
    instance: Any = None,
    config: Any = None,
    partition_key: str | None = None,
    partition_key_range: Any = None,
    run_tags: Mapping[str, str] | None = None,
) -> OpExecutionContext:
    """Build a context for calling an op directly in a test (see `build_asset_context`).

    ``config`` is an alias of ``op_config``.
    """
    state = _direct_state(
        resources=resources,
        resources_config=resources_config,
        config=op_config if op_config is not None else config,
        instance=instance,
        partition_key=partition_key,
        partition_key_range=partition_key_range,
        run_tags=run_tags,
    )
    return _DirectOpContext(state)
