"""`materialize`, `materialize_to_memory` and executing a resolved asset job in process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from headwater.errors import InvalidDefinitionError, InvariantViolationError
from headwater.execution.result import ExecuteInProcessResult

EPHEMERAL_JOB_NAME = "__ephemeral_asset_job__"


def materialize(
    assets: Sequence[Any],
    run_config: Any = None,
    instance: Any = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    selection: Any = None,
) -> ExecuteInProcessResult:
    """Materialize ``assets`` in this process, in dependency order, as one run.

    Without ``instance`` the run is recorded in an ephemeral instance and values are pickled
    by the filesystem IO manager under a temporary directory.

    Args:
        assets: asset definitions, plus `AssetSpec`s and `SourceAsset`s they read.
        run_config: run config as a mapping or a `RunConfig`.
        instance: the instance recording the run.
        resources: resources by key, for example ``{"io_manager": ...}``.
        partition_key: the partition to materialize, for partitioned assets.
        raise_on_error: stop at the first failed step and raise the error its code raised
            (the default), instead of running the other steps and returning a failed result.
        tags: run tags.
        selection: the subset of ``assets`` to materialize (anything `AssetSelection`
            accepts); the rest are loaded from storage when read.

    Returns:
        The run's `ExecuteInProcessResult`.

    Raises:
        InvalidDefinitionError: duplicate keys, an input asset nobody provides, or a missing
            resource.
        InvalidConfigError: the run config does not match the assets' config, or an
            `EnvVar` a used resource reads is unset.
        InvalidInvocationError: an asset binds a resource key ``resources`` also sets.
        Exception: with ``raise_on_error``, the error a step's code raised.
    """
    job = _ephemeral_job(assets, resources, selection)
    return execute_job_in_process(
        job,
        run_config=run_config,
        instance=instance,
        partition_key=partition_key,
        raise_on_error=raise_on_error,
        tags=tags,
    )


def materialize_to_memory(
    assets: Sequence[Any],
    run_config: Any = None,
    instance: Any = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    selection: Any = None,
) -> ExecuteInProcessResult:
    """Like `materialize`, but every IO manager is the in-memory one: nothing is written.

    IO managers given under other keys are replaced by the in-memory one too, for the assets
    that use them.

    Raises:
        InvariantViolationError: ``resources`` has an ``io_manager``.
        InvalidDefinitionError, InvalidConfigError, InvalidInvocationError: as `materialize`.
    """
    if "io_manager" in (resources or {}):
        raise InvariantViolationError(
            "materialize_to_memory keeps every value in memory, so it takes no 'io_manager' "
            "resource. Remove it, or use materialize() to store values with it."
        )
    job = _ephemeral_job(assets, resources, selection, in_memory=True)
    return execute_job_in_process(
        job,
        run_config=run_config,
        instance=instance,
        partition_key=partition_key,
        raise_on_error=raise_on_error,
        tags=tags,
    )


def execute_job_in_process(
    job: Any,
    run_config: Any = None,
    instance: Any = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    resources: Mapping[str, Any] | None = None,
) -> ExecuteInProcessResult:
    """Run a resolved asset job in this process (what ``job.execute_in_process`` does).

    Args:
        job: a resolved asset job (``defs.resolve_job_def(name)``).
        run_config: run config; defaults to the job's ``config``.
        instance: the instance recording the run; an ephemeral one when None.
        partition_key: the partition to materialize.
        raise_on_error: stop at the first failed step and raise its error.
        tags: run tags, added to the job's run tags.
        resources: resources overriding the job's.
    """
    from headwater.execution.run import execute_resolved_job

    return execute_resolved_job(
        job,
        instance,
        run_config=run_config,
        resources=resources,
        tags=tags,
        partition_key=partition_key,
        raise_on_error=raise_on_error,
    )


def execute_job(
    job: Any,
    instance: Any = None,
    run_config: Any = None,
    tags: Mapping[str, str] | None = None,
    raise_on_error: bool = False,
    *,
    partition_key: str | None = None,
) -> ExecuteInProcessResult:
    """Run a job with its executor, as a launched run would be.

    The executor is the job's ``executor_def``, else the instance's configured executor,
    else ``multi_or_in_process`` (the multiprocess executor). Output values stay in the
    workers; the result loads them back through the IO manager when asked.

    Args:
        job: an op job (`job`, `GraphDefinition.to_job`, or `reconstructable` of one), or a
            resolved asset job (``defs.resolve_job_def(name)``).
        instance: the instance recording the run; ``Instance.get()`` when None.
        run_config: run config; defaults to the job's ``config``. Its ``execution.config``
            section configures the executor.
        tags: run tags, added to the job's run tags.
        raise_on_error: with the in-process executor, stop at the first failed step and
            raise its error; steps in worker processes always all run, and nothing is raised.
        partition_key: the partition to materialize.

    Returns:
        The run's `ExecuteInProcessResult` (also usable as a context manager).
    """
    from headwater.execution.run import execute_resolved_job

    if instance is None:
        from headwater.instance import Instance

        instance = Instance.get()
    config = run_config if run_config is not None else job.config
    return execute_resolved_job(
        job,
        instance,
        run_config=config,
        tags=tags,
        partition_key=partition_key,
        raise_on_error=raise_on_error,
        executor_def=_job_executor(job, instance, config),
    )


def reconstructable(target: Any) -> Any:
    """The job to pass to `execute_job`: ``target`` itself, or what calling it returns.

    Args:
        target: a job (as made by `job`), or a function without arguments returning one.

    Raises:
        InvalidDefinitionError: ``target`` is neither.
    """
    from headwater.jobs.op_job import JobDefinition

    job = target
    if not isinstance(job, JobDefinition) and callable(job):
        job = job()
    if not isinstance(job, JobDefinition):
        raise InvalidDefinitionError(
            f"reconstructable() needs a job or a function returning one, got {target!r}. "
            "Pass the function decorated with @job, or a function that builds the job."
        )
    return job


def _job_executor(job: Any, instance: Any, run_config: Any) -> Any:
    from headwater._plugins import lookup

    executor_def = job.executor_def
    if executor_def is None:
        settings = getattr(instance, "settings", None)
        name = getattr(settings, "executor", None) or "multi_or_in_process"
        executor_def = lookup("executor", "register_executors", name, context=f"job {job.name}")
    execution = _mapping(run_config).get("execution") or {}
    executor_config = execution.get("config") if isinstance(execution, Mapping) else None
    return executor_def.configured(executor_config) if executor_config else executor_def


def _mapping(run_config: Any) -> Mapping[str, Any]:
    if run_config is None:
        return {}
    to_dict = getattr(run_config, "to_config_dict", None)
    return to_dict() if to_dict is not None else run_config


def _ephemeral_job(
    assets: Sequence[Any],
    resources: Mapping[str, Any] | None,
    selection: Any,
    *,
    in_memory: bool = False,
):
    """The job `materialize` runs; ``in_memory`` puts the in-memory IO manager under every
    IO manager key the assets use (what `materialize_to_memory` promises)."""
    from headwater.definitions.definitions import Definitions
    from headwater.jobs.asset_job import define_asset_job

    def definitions(resources: Mapping[str, Any] | None) -> Definitions:
        return Definitions(
            assets=list(assets),
            jobs=[define_asset_job(EPHEMERAL_JOB_NAME, selection=selection)],
            resources=resources,
        )

    defs = definitions(resources)
    if in_memory:
        from headwater._plugins import lookup
        from headwater.definitions.requirements import io_manager_keys

        memory = lookup("IO manager", "register_io_managers", "memory")
        assets_defs = defs.resolve_asset_graph().assets_defs
        keys = io_manager_keys(assets_defs)
        bound = sorted({key for ad in assets_defs for key in ad.resource_defs if key in keys})
        if bound:
            raise InvariantViolationError(
                "materialize_to_memory keeps every value in memory, but assets bind IO "
                f"manager(s) {bound} with resource_defs=. Remove them, or use materialize() "
                "to store values with them."
            )
        defs = definitions({**(resources or {}), **dict.fromkeys(keys, memory)})
    job = defs.resolve_job_def(EPHEMERAL_JOB_NAME)
    _check_inputs_provided(job)
    return job


def _check_inputs_provided(job: Any) -> None:
    graph = job.asset_graph
    for assets_def in job.assets_defs:
        op = assets_def.node_def
        for name, key in assets_def.keys_by_input_name.items():
            spec_in = op.ins.get(name)
            if spec_in is None or _is_nothing(spec_in):
                continue
            if graph.is_unresolved(key):
                same_name = sorted(
                    other.to_user_string()
                    for other in graph.all_asset_keys
                    if other.path[-1] == key.path[-1] and other != key
                )
                hint = (
                    f" Assets with that name: {', '.join(same_name)}; name one with "
                    f"ins={{'{name}': AssetIn(key=...)}}."
                    if same_name
                    else ""
                )
                raise InvalidDefinitionError(
                    f'Input asset "{key.to_string()}" is not produced by any of the provided '
                    "asset ops and is not one of the provided sources. Pass the asset that "
                    f"produces it, or an AssetSpec for {key.to_user_string()}, to materialize()."
                    + hint
                )


def _is_nothing(spec_in: Any) -> bool:
    from headwater.definitions.ops import is_nothing

    return is_nothing(spec_in.dagster_type)
