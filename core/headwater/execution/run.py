"""Executing a set of assets as one run, in this process: the engine behind `materialize`.

Everything that can be checked is checked before the run is created: the plan, missing
resources and the run config. Then the run is created (the instance writes its planned events
in the same transaction), its resources are initialised, and the executor drives the steps
through the coordinator.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from headwater.definitions.keys import AssetKey
from headwater.errors import (
    ExecutionStepError,
    InvalidDefinitionError,
    InvalidInvocationError,
    InvariantViolationError,
)
from headwater.events.types import DagsterEventType as ET
from headwater.execution import coordinator as coord
from headwater.execution._partitions import RunPartition
from headwater.execution.plan import DEFAULT_IO_MANAGER_KEY, build_execution_plan
from headwater.execution.result import ExecuteInProcessResult
from headwater.execution.step_context import RunContext


def execute_resolved_job(
    job: Any,
    instance: Any = None,
    *,
    run_config: Any = None,
    resources: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    **options: Any,
) -> ExecuteInProcessResult:
    """Run a resolved asset job or an op job as one run: its selection, resources, config,
    run tags and retry policy, with ``run_config`` (replacing), ``resources`` and ``tags``
    (added) on top. Without ``instance`` the run is recorded in an ephemeral one.

    ``options`` are passed on to `execute_assets_in_process` (``executor_def``, ``run_id``).

    Raises:
        InvalidInvocationError: an asset binds a resource key the job's resources also set.
        InvalidDefinitionError: a partition was given for an op job.
    """
    if instance is None:
        from headwater.instance import Instance

        instance = Instance.ephemeral()
    graph_def = getattr(job, "graph_def", None)
    if graph_def is not None:
        if partition_key is not None:
            raise InvalidDefinitionError(
                f"partition_key={partition_key!r} was given, but op job '{job.name}' is not "
                "partitioned; drop partition_key=."
            )
        selection: dict[str, Any] = dict(
            assets_defs=[graph_def],
            all_assets_defs=(),
            asset_keys=(),
            check_keys=(),
            partitions_def=None,
        )
    else:
        _check_bound_resources(job)
        selection = dict(
            assets_defs=job.assets_defs,
            all_assets_defs=job.asset_graph.assets_defs,
            asset_keys=job.asset_keys,
            check_keys=job.check_keys,
            partitions_def=job.partitions_def,
        )
    return execute_assets_in_process(
        job_name=job.name,
        **selection,
        instance=instance,
        resources={**job.resources, **(resources or {})},
        run_config=run_config if run_config is not None else job.config,
        partition_key=partition_key,
        tags={**job.run_tags, **(tags or {})},
        op_retry_policy=job.op_retry_policy,
        raise_on_error=raise_on_error,
        job_def=job,
        **options,
    )


def _check_bound_resources(job: Any) -> None:
    """Refuse asset-bound resources whose keys the job's own resources also set."""
    for assets_def in job.asset_graph.assets_defs:
        clash = sorted(set(assets_def.resource_defs) & set(job.resources))
        if clash:
            raise InvalidInvocationError(
                f"Asset(s) {sorted(k.to_user_string() for k in assets_def.keys)} bind "
                f"resource(s) {clash} with resource_defs=, which the resources given to "
                f"Definitions or materialize() also set for job '{job.name}'. Remove the "
                "resource from one of them, or bind it under another key."
            )


def execute_assets_in_process(
    *,
    job_name: str,
    assets_defs: Sequence[Any],
    all_assets_defs: Iterable[Any],
    asset_keys: Sequence[AssetKey],
    check_keys: Iterable[Any],
    partitions_def: Any,
    instance: Any,
    resources: Mapping[str, Any] | None,
    run_config: Any,
    partition_key: str | None,
    tags: Mapping[str, Any] | None,
    op_retry_policy: Any = None,
    raise_on_error: bool = True,
    default_io_manager: str | None = None,
    executor_def: Any = None,
    run_id: str | None = None,
    job_def: Any = None,
) -> ExecuteInProcessResult:
    """Run ``assets_defs`` (already subset to the selection) as one run and return the result.

    Args:
        job_name: the name recorded on the run.
        assets_defs: the definitions to execute, one step each.
        all_assets_defs: every definition in scope (for loading unselected upstream assets).
        asset_keys: the selected asset keys, parents first (for the planned events).
        check_keys: the selected asset check keys.
        partitions_def: the partitions shared by the selected assets, or None.
        instance: where the run and its events are recorded.
        resources: resources by key; an ``io_manager`` is added when missing.
        run_config: a run config mapping or `RunConfig`.
        partition_key: the partition to materialize, for partitioned assets. Without it, the
            tags ``dagster/asset_partition_range_start`` and ``..._end`` target a range of
            partitions in one run.
        tags: run tags.
        op_retry_policy: the default retry policy of every step.
        raise_on_error: re-raise the first step error after the run is recorded.
        default_io_manager: registered IO manager name used for ``io_manager`` when the
            resources do not provide one; defaults to the instance's setting, else ``fs``.
        executor_def: the executor; the built-in in-process executor when None.
        run_id: the new run's id (a fresh one when None).
        job_def: the job being run, for the result's ``job_def``.

    Raises:
        InvalidDefinitionError: a required resource is missing (before the run is created).
        InvalidConfigError: the run config is invalid, or an `EnvVar` a used resource reads
            is unset (before the run is created).
        Exception: with ``raise_on_error`` and the in-process executor, the error user code
            raised in the first failed step (the run stops there); a headwater error such as
            `StepOutputNotFoundError` when the failure was not user code's.
        ResourceFunctionError: with ``raise_on_error``, a resource failed to initialise.
    """
    from headwater.definitions.graphs import flatten_graph_op_config
    from headwater.resources._build import raise_for_missing_resources, with_dependencies
    from headwater.resources._run_config import validate_run_config

    plan = build_execution_plan(
        assets_defs, all_assets_defs=all_assets_defs, op_retry_policy=op_retry_policy
    )
    resource_defs = _resource_defs(plan, resources, instance, default_io_manager)
    raise_for_missing_resources(
        {step.key: step.node.required_resource_keys for step in plan.steps},
        resource_defs,
    )
    _check_io_managers(resource_defs, _used_io_manager_keys(plan))
    config_types = {
        step.key: step.node.op.config_type or step.node.op.config_schema
        for step in plan.steps
        if step.node.op.config_type is not None or step.node.op.config_schema is not None
    }
    resolved = validate_run_config(flatten_graph_op_config(run_config), config_types, resource_defs)
    # Only what the steps use is initialised, so an unused resource cannot fail the run.
    needed = with_dependencies(resource_defs, _used_resource_keys(plan))
    used_resources = {key: needed[key] for key in sorted(needed)}
    _check_env_vars(used_resources, resolved)
    partition = _partition(partitions_def, partition_key, tags, job_name, instance)
    check_keys = sorted(check_keys, key=lambda k: (k.asset_key, k.name))
    partitions_defs = {
        key: step.assets_def.partitions_def
        for step in plan.steps
        if step.assets_def.partitions_def is not None
        for key in step.assets_def.keys
    }
    # Built before the run exists, so a bad executor config or platform records nothing.
    executor = _executor(executor_def)

    run_id = run_id or coord.new_run_id()
    dagster_run = instance.create_run(
        job_name,
        run_id=run_id,
        run_config=_config_dict(run_config),
        tags=coord.run_tags(tags, partition),
        asset_selection=asset_keys,
        asset_check_selection=check_keys,
        partitions_defs=partitions_defs,
        observed_asset_keys=[
            key
            for step in plan.steps
            if step.assets_def.is_observable
            for key in step.assets_def.keys
        ],
        step_keys={
            key: step.key
            for step in plan.steps
            for key in (*step.selected_asset_keys, *step.selected_check_keys)
        },
    )
    run_context = RunContext(
        run_id=run_id,
        run=dagster_run,
        job_name=job_name,
        instance=instance,
        resources=None,
        op_configs={key: resolved.op_config(key) for key in config_types},
        partition=partition,
        plan=plan,
    )
    coordinator = coord.RunCoordinator(plan, run_context, instance)
    coordinator.partitions_defs = partitions_defs
    coordinator.stop_on_failure = raise_on_error
    buffer = coordinator.buffer
    coord.run_start_events(buffer, executor.label)
    coordinator.flush()

    run_error: BaseException | None = None
    halted = False
    try:
        with contextlib.ExitStack() as stack:
            run_context.resources = _init_resources(
                stack, coordinator, used_resources, resolved, run_id
            )
            executor.execute(coordinator)
    except coord.RunHalted:
        halted = True
    except Exception as error:
        run_error = error
    failed = coordinator.active.failed_step_keys()
    coord.run_end_events(
        buffer,
        executor.label,
        failed,
        run_error,
        first_failure=coordinator.first_failure_error() if failed else None,
        steps_finished=not halted and run_context.resources is not None,
    )
    coordinator.flush()
    result = ExecuteInProcessResult(
        run_id=run_id,
        job_name=job_name,
        success=not failed and run_error is None,
        entries=coordinator.entries,
        output_values=run_context.output_values,
        plan=plan,
        job_def=job_def,
        instance=instance,
        dagster_run=instance.get_run_by_id(run_id) or dagster_run,
        output_loader=None
        if run_context.capture_outputs
        else _OutputLoader(run_context, used_resources, resolved, coordinator),
    )
    if raise_on_error:
        if run_error is not None:
            raise run_error
        if halted:
            raise _user_error(coordinator.step_errors[failed[0]])
    return result


def _used_resource_keys(plan: Any) -> set[str]:
    """The resource keys the plan's steps require, with the IO managers they read and write.

    An output that stores nothing still names its IO manager, which the reference initialises
    (and requires) all the same.
    """
    keys = _used_io_manager_keys(plan)
    for step in plan.steps:
        keys.update(step.node.required_resource_keys)
    return keys


def _check_io_managers(resource_defs: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Refuse, before the run exists, a resource used as an IO manager that cannot be one.

    Raises:
        InvalidDefinitionError: naming the key and what was given.
    """
    from headwater.io._manager import ConfigurableIOManagerFactory, IOManager
    from headwater.resources._definition import ResourceDefinition

    for key in sorted(keys):
        value = resource_defs.get(key)
        if value is None or isinstance(
            value, (IOManager, ConfigurableIOManagerFactory, ResourceDefinition)
        ):
            continue
        raise InvalidDefinitionError(
            f"Resource '{key}' is used as an IO manager, but it is a {type(value).__name__}, "
            "which cannot store or load values. Give an IOManager, a ConfigurableIOManager or "
            "an @io_manager there (or set the asset's io_manager_key to another resource)."
        )


def _used_io_manager_keys(plan: Any) -> set[str]:
    keys: set[str] = set()
    for step in plan.steps:
        keys.update(o.io_manager_key for o in step.outputs.values())
        keys.update(i.io_manager_key for i in step.inputs if not i.is_nothing)
        if not step.outputs and step.assets_def.is_observable:
            # A source asset's observe function: its op's single output stores nothing but
            # names the asset's IO manager, which the reference initialises.
            assets_def = step.assets_def
            keys.update(assets_def.io_manager_key_for_asset_key(k) for k in assets_def.keys)
    return keys


def _check_env_vars(resource_defs: Mapping[str, Any], resolved: Any) -> None:
    """Read every `EnvVar` the resources use, so an unset one fails before the run exists.

    Raises:
        InvalidConfigError: an environment variable is unset, naming its config path.
    """
    from headwater.resources._build import _resolve_env_in_mapping, coerce_resource
    from headwater.resources._definition import ResourceDefinition

    for key, value in resource_defs.items():
        path = f"$.resources.{key}.config"
        definition = coerce_resource(value)
        configured = resolved.resources.get(key, definition)
        if isinstance(definition, ResourceDefinition):
            _resolve_env_in_mapping(configured, path)
        else:
            _check_env_fields(configured, path)


def _check_env_fields(resource: Any, path: str) -> None:
    from headwater.resources._configurable import resolve_env_fields, resource_fields
    from headwater.resources._definition import ResourceDefinition

    resolve_env_fields(resource, path)
    for name, nested in resource_fields(resource).items():
        if not isinstance(nested, ResourceDefinition):
            _check_env_fields(nested, f"{path}.{name}")


def _init_resources(
    stack: contextlib.ExitStack,
    coordinator: coord.RunCoordinator,
    resource_defs: Mapping[str, Any],
    resolved: Any,
    run_id: str,
) -> Any:
    """Initialise the run's resources into ``stack``, between the RESOURCE_INIT_* events.

    Raises:
        ResourceFunctionError: a resource failed to initialise (after RESOURCE_INIT_FAILURE).
    """
    from headwater.resources import build_resources

    keys = sorted(resource_defs)
    steps = coordinator.plan.steps
    # As in the reference, a one-step run's resource events belong to that step.
    step_key = steps[0].key if len(steps) == 1 else None
    coord.resource_init_started(coordinator.buffer, keys, step_key)
    try:
        resources = stack.enter_context(
            build_resources(
                resource_defs,
                instance=coordinator.instance,
                run_id=run_id,
                run_config=resolved,
            )
        )
    except Exception as error:
        coord.resource_init_finished(coordinator.buffer, keys, step_key, error)
        raise
    coord.resource_init_finished(coordinator.buffer, keys, step_key, None)
    return resources


def _user_error(error: BaseException) -> BaseException:
    """The exception user code raised behind a step error, else the step error itself."""
    if isinstance(error, ExecutionStepError) and error.__cause__ is not None:
        return error.__cause__
    return error


def _partition(
    partitions_def: Any,
    partition_key: str | None,
    tags: Mapping[str, Any] | None,
    job_name: str,
    instance: Any,
) -> Any:
    tags = tags or {}
    start, end = tags.get(coord.RANGE_START_TAG), tags.get(coord.RANGE_END_TAG)
    if partition_key is None and start is None and end is None:
        return None
    if partition_key is None and (start is None or end is None):
        raise InvalidDefinitionError(
            f"Run of {job_name} has only one of the tags {coord.RANGE_START_TAG} and "
            f"{coord.RANGE_END_TAG}; set both to target a partition range."
        )
    what = f"partition_key={partition_key!r}" if partition_key is not None else "a partition range"
    if partitions_def is None:
        raise InvalidDefinitionError(
            f"{what} was given, but none of the assets selected in {job_name} is partitioned; "
            "drop it or give the assets a partitions_def."
        )
    if partition_key is not None:
        return RunPartition(partitions_def, key=partition_key, store=instance)
    from headwater.partitions.base import PartitionKeyRange

    key_range = PartitionKeyRange(str(start), str(end))
    # Validates both ends (and their order) before the run is created.
    partitions_def.get_partition_keys_in_range(key_range, dynamic_partitions_store=instance)
    return RunPartition(partitions_def, key_range=key_range, store=instance)


def _resource_defs(
    plan: Any, resources: Mapping[str, Any] | None, instance: Any, default_io_manager: str | None
) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    for step in plan.steps:
        for key, value in step.node.resource_defs.items():
            existing = defs.get(key)
            if existing is not None and existing is not value:
                raise InvalidDefinitionError(
                    f"Conflicting resources for key '{key}': assets bind different resources to "
                    f"it (seen again on op '{step.key}'). Bind it once, in Definitions or "
                    "materialize(resources=...)."
                )
            defs[key] = value
    defs.update(resources or {})
    return with_default_io_manager(defs, instance, default_io_manager)


def with_default_io_manager(
    resources: Mapping[str, Any], instance: Any, name: str | None = None
) -> dict[str, Any]:
    """``resources``, plus an ``io_manager`` when they lack one.

    It is the registered IO manager ``name``, else the instance's ``io_manager`` setting,
    else ``fs``.
    """
    defs = dict(resources)
    if DEFAULT_IO_MANAGER_KEY not in defs:
        from headwater._plugins import lookup

        name = name or _instance_io_manager(instance) or "fs"
        defs[DEFAULT_IO_MANAGER_KEY] = lookup(
            "IO manager", "register_io_managers", name, context="default io_manager"
        )
    return defs


def _instance_io_manager(instance: Any) -> str | None:
    settings = getattr(instance, "settings", None)
    return getattr(settings, "io_manager", None)


def _config_dict(run_config: Any) -> dict[str, Any]:
    if run_config is None:
        return {}
    to_dict = getattr(run_config, "to_config_dict", None)
    return dict(to_dict()) if to_dict is not None else dict(run_config)


def _executor(executor_def: Any) -> Any:
    if executor_def is None:
        from headwater._plugins import lookup

        executor_def = lookup("executor", "register_executors", "in_process")
    return executor_def.create_executor()


class _OutputLoader:
    """Loads an output a run stored through its IO manager, for values kept in other processes.

    Each load initialises the run's resources again in this process, asks the output's IO
    manager for the value as a downstream step would, and tears the resources down.
    """

    def __init__(self, run: RunContext, resource_defs: Any, run_config: Any, coordinator: Any):
        self._run = run
        self._resource_defs = resource_defs
        self._run_config = run_config
        handled = ET.HANDLED_OUTPUT.value
        self._stored = {
            (entry.step_key, entry.dagster_event.event_specific_data.output_name)
            for entry in coordinator.entries
            if entry.dagster_event is not None and entry.dagster_event.event_type_value == handled
        }

    def __call__(self, step_key: str, output_name: str) -> Any:
        """The value of ``output_name`` of ``step_key``, loaded through its IO manager.

        Raises:
            KeyError: the run did not store that output through an IO manager.
            InvariantViolationError: the IO manager could not load it.
        """
        from headwater.io._contexts import InputContext, OutputContext
        from headwater.resources import build_resources

        if (step_key, output_name) not in self._stored:
            raise KeyError((step_key, output_name))
        run = self._run
        step = run.plan.step_by_key[step_key]
        spec = step.outputs[output_name]
        partitions_def = step.assets_def.partitions_def if spec.asset_key is not None else None
        partition_key = partition_keys = None
        if partitions_def is not None and run.partition is not None:
            partition_key = run.partition.key
            partition_keys = None if partition_key is not None else run.partition.keys()
        where = dict(
            run_id=run.run_id,
            asset_key=spec.asset_key,
            partition_key=partition_key,
            asset_partition_keys=partition_keys,
            partitions_def=partitions_def,
            log=logging.getLogger("headwater"),
        )
        op = step.node.op
        try:
            with build_resources(
                self._resource_defs,
                instance=run.instance,
                run_id=run.run_id,
                run_config=self._run_config,
            ) as resources:
                upstream = OutputContext(
                    step_key=step_key,
                    name=output_name,
                    definition_metadata=op.outs[output_name].metadata,
                    resources=resources,
                    dagster_type=op.outs[output_name].dagster_type,
                    op_def=op,
                    **where,
                )
                context = InputContext(upstream_output=upstream, resources=resources, **where)
                return resources[spec.io_manager_key].load_input(context)
        except Exception as error:
            what = (
                f"asset {spec.asset_key.to_user_string()}"
                if spec.asset_key is not None
                else f'output "{output_name}" of step "{step_key}"'
            )
            raise InvariantViolationError(
                f"Cannot read the value of {what} from run {run.run_id}: it was computed in "
                f"another process, and loading it through IO manager '{spec.io_manager_key}' "
                f"failed ({type(error).__name__}: {error}). Use an IO manager that persists "
                "values (such as the default fs), or run with the in-process executor."
            ) from error
