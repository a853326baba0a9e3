"""`observe`: run the observation functions of source assets in this process, as one run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from headwater.errors import InvalidDefinitionError
from headwater.execution.result import ExecuteInProcessResult

OBSERVATION_JOB_NAME = "in_process_observation_job"


def observe(
    assets: Sequence[Any],
    run_config: Any = None,
    instance: Any = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
) -> ExecuteInProcessResult:
    """Observe every observable asset in ``assets`` in this process, as one run.

    Each observation function's `DataVersion` or `ObserveResult` is recorded as an
    ASSET_OBSERVATION event with a ``dagster/data_version`` tag (one per partition for a
    `DataVersionsByPartition`). The run is named
    ``in_process_observation_job``.

    Args:
        assets: `@observable_source_asset` source assets, `@multi_observable_source_asset`
            definitions, and anything else they need in scope.
        run_config: run config as a mapping or a `RunConfig`.
        instance: the instance recording the run; an ephemeral one when None.
        resources: resources by key.
        partition_key: the partition to observe, for partitioned source assets.
        raise_on_error: raise the first step error (the default) instead of returning a
            failed result.
        tags: run tags.

    Returns:
        The run's `ExecuteInProcessResult`.

    Raises:
        InvalidDefinitionError: none of ``assets`` is observable.
        ExecutionStepError: an observation function raised and ``raise_on_error`` is true.
    """
    from headwater.definitions.definitions import Definitions
    from headwater.execution.materialize import execute_job_in_process
    from headwater.jobs.asset_job import define_asset_job

    defs = Definitions(
        assets=list(assets),
        jobs=[define_asset_job(OBSERVATION_JOB_NAME, selection="is:observable")],
        resources=resources,
    )
    job = defs.resolve_job_def(OBSERVATION_JOB_NAME)
    if not job.asset_keys:
        raise InvalidDefinitionError(
            "observe() was given no observable assets; pass source assets built with "
            "@observable_source_asset or @multi_observable_source_asset."
        )
    return execute_job_in_process(
        job,
        run_config=run_config,
        instance=instance,
        partition_key=partition_key,
        raise_on_error=raise_on_error,
        tags=tags,
    )
