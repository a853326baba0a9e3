"""Executing a set of assets as one run, in this process: the engine behind `materialize`.

Everything that can be checked is checked before the run is created: the plan, missing
resources and the run config. Then the run is created (the instance writes its planned events
in the same transaction), its resources are initialised, and the executor drives the steps
through the coordinator.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from headwater.definitions.keys import AssetKey
from headwater.errors import InvalidDefinitionError
from headwater.execution import coordinator as coord
from headwater.execution._partitions import RunPartition
from headwater.execution.plan import DEFAULT_IO_MANAGER_KEY, build_execution_plan
from headwater.execution.result import ExecuteInProcessResult
from headwater.execution.step_context import RunContext


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
    io_managers_in_memory: bool = False,
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
        partition_key: the partition to materialize, for partitioned assets.
        tags: run tags.
        op_retry_policy: the default retry policy of every step.
        raise_on_error: re-raise the first step error after the run is recorded.
        default_io_manager: registered IO manager name used for ``io_manager`` when the
            resources do not provide one; defaults to the instance's setting, else ``fs``.
        executor_def: the executor; the built-in in-process executor when None.
        io_managers_in_memory: replace every IO manager the plan uses with the in-memory one.

    Raises:
        InvalidDefinitionError: a required resource is missing (before the run is created).
        InvalidConfigError: the run config is invalid (before the run is created).
        ExecutionStepError: with ``raise_on_error``, a step raised; the user error is chained.
        StepOutputNotFoundError: with ``raise_on_error``, a required output was not produced.
    """
    from headwater.resources import build_resources
    from headwater.resources._build import raise_for_missing_resources
    from headwater.resources._run_config import validate_run_config

    plan = build_execution_plan(
        assets_defs, all_assets_defs=all_assets_defs, op_retry_policy=op_retry_policy
    )
    resource_defs = _resource_defs(plan, resources, instance, default_io_manager)
    if io_managers_in_memory:
        _use_memory_io_managers(plan, resource_defs)
    raise_for_missing_resources(
        {step.key: step.assets_def.required_resource_keys for step in plan.steps},
        resource_defs,
    )
    config_types = {
        step.key: step.node.op.config_type or step.node.op.config_schema
        for step in plan.steps
        if step.node.op.config_type is not None or step.node.op.config_schema is not None
    }
    resolved = validate_run_config(run_config, config_types, resource_defs)
    partition = _partition(partitions_def, partition_key, job_name, instance)
    check_keys = sorted(check_keys, key=lambda k: (k.asset_key, k.name))

    run_id = coord.new_run_id()
    dagster_run = instance.create_run(
        job_name,
        run_id=run_id,
        run_config=_config_dict(run_config),
        tags=coord.run_tags(tags, partition),
        asset_selection=asset_keys,
        asset_check_selection=check_keys,
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
    # The instance wrote the planned events with the run; they open the run's event list.
    coordinator.entries.extend(instance.all_logs(run_id))
    buffer = coordinator.buffer
    executor = _executor(executor_def)
    coord.run_start_events(buffer, executor.label)
    coordinator.flush()

    run_error: BaseException | None = None
    try:
        init_started = time.perf_counter()
        with build_resources(
            resource_defs, instance=instance, run_id=run_id, run_config=resolved
        ) as initialised:
            coord.resource_init_events(buffer, sorted(resource_defs), init_started)
            run_context.resources = initialised
            executor.execute(coordinator)
    except Exception as error:
        run_error = error
    failed = coordinator.active.failed_step_keys()
    coord.run_end_events(buffer, executor.label, failed, run_error)
    coordinator.flush()
    result = ExecuteInProcessResult(
        run_id=run_id,
        job_name=job_name,
        success=not failed and run_error is None,
        entries=coordinator.entries,
        output_values=run_context.output_values,
        output_by_asset_key=plan.producer_by_asset_key,
        instance=instance,
        dagster_run=instance.get_run_by_id(run_id) or dagster_run,
    )
    if raise_on_error:
        if run_error is not None:
            raise run_error
        for key in failed:
            error = coordinator.step_errors.get(key)
            if error is not None:
                raise error
    return result


def _partition(partitions_def: Any, partition_key: str | None, job_name: str, instance: Any) -> Any:
    if partition_key is None:
        return None
    if partitions_def is None:
        raise InvalidDefinitionError(
            f"partition_key={partition_key!r} was given, but none of the assets selected in "
            f"{job_name} is partitioned; drop partition_key= or give the assets a "
            "partitions_def."
        )
    return RunPartition(partitions_def, key=partition_key, store=instance)


def _resource_defs(
    plan: Any, resources: Mapping[str, Any] | None, instance: Any, default_io_manager: str | None
) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    for step in plan.steps:
        for key, value in step.assets_def.resource_defs.items():
            existing = defs.get(key)
            if existing is not None and existing is not value:
                raise InvalidDefinitionError(
                    f"Conflicting resources for key '{key}': assets bind different resources to "
                    f"it (seen again on op '{step.key}'). Bind it once, in Definitions or "
                    "materialize(resources=...)."
                )
            defs[key] = value
    defs.update(resources or {})
    if DEFAULT_IO_MANAGER_KEY not in defs:
        from headwater._plugins import lookup

        name = default_io_manager or _instance_io_manager(instance) or "fs"
        defs[DEFAULT_IO_MANAGER_KEY] = lookup(
            "IO manager", "register_io_managers", name, context="default io_manager"
        )
    return defs


def _use_memory_io_managers(plan: Any, resource_defs: dict[str, Any]) -> None:
    from headwater._plugins import lookup

    memory = lookup("IO manager", "register_io_managers", "memory")
    keys = {DEFAULT_IO_MANAGER_KEY}
    for step in plan.steps:
        keys.update(o.io_manager_key for o in step.outputs.values() if not o.is_nothing)
        keys.update(i.io_manager_key for i in step.inputs if not i.is_nothing)
    for key in keys:
        resource_defs[key] = memory


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
