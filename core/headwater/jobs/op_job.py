"""`@job` and `JobDefinition`: a graph of ops with the resources, config and executor to run it.

`JobDefinition` is also the type every resolved asset job answers to (``isinstance(job,
JobDefinition)`` holds for ``defs.get_job_def(name)`` whatever the job's kind).
"""

from __future__ import annotations

import abc
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from headwater.definitions.graphs import FromGraphInput, GraphDefinition, compose
from headwater.definitions.names import check_valid_name
from headwater.errors import InvalidDefinitionError
from headwater.jobs.asset_job import ResolvedAssetJob


class JobDefinition(abc.ABC):  # noqa: B024 - abstract only so asset jobs can be registered
    """A job over a graph of ops; `job` builds one, as does `GraphDefinition.to_job`.

    Args:
        graph_def: the graph the job runs.
        name: the job name; defaults to the graph's.
        description: human-readable description.
        resource_defs: resources by key, available to every op.
        config: run config used when a run gives none.
        tags: tags on the job (also applied to its runs unless ``run_tags`` is given).
        run_tags: tags applied to every run of the job.
        metadata: metadata about the job.
        executor_def: how launched runs execute (``execute_in_process`` always runs in process).
        op_retry_policy: the retry policy of every op that has none of its own.

    Raises:
        InvalidDefinitionError: the name is invalid or the graph has inputs nothing feeds.
    """

    def __init__(
        self,
        *,
        graph_def: GraphDefinition,
        name: str | None = None,
        description: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        run_tags: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        executor_def: Any = None,
        op_retry_policy: Any = None,
    ):
        self.name = check_valid_name(name or graph_def.name)
        for leaf in graph_def.leaves():
            for input_name, source in leaf.sources.items():
                if isinstance(source, FromGraphInput):
                    raise InvalidDefinitionError(
                        f"Job '{self.name}' runs graph '{graph_def.name}', whose input "
                        f"'{source.name}' feeds input '{input_name}' of op '{leaf.handle}'; "
                        "a job has nothing to feed graph inputs. Produce the value with an op "
                        "inside the graph."
                    )
        self.graph_def = graph_def
        self.description = description if description is not None else graph_def.description
        self.resource_defs = dict(resource_defs or {})
        self.config = config
        self.tags = dict(tags or {})
        self.run_tags = dict(run_tags if run_tags is not None else self.tags)
        self.metadata = dict(metadata or {})
        self.executor_def = executor_def
        self.op_retry_policy = op_retry_policy

    def __repr__(self) -> str:
        return f"JobDefinition(name={self.name!r})"

    @property
    def node_defs(self) -> list[Any]:
        """The op and graph definitions the job's graph uses."""
        return self.graph_def.node_defs

    @property
    def resources(self) -> Mapping[str, Any]:
        """Resources by key (same as ``resource_defs``)."""
        return self.resource_defs

    @property
    def asset_keys(self) -> tuple[Any, ...]:
        """An op job materializes no assets."""
        return ()

    def with_top_level_resources(
        self, resources: Mapping[str, Any], executor_def: Any = None
    ) -> JobDefinition:
        """A copy that also has ``resources`` (its own win) and, if it has none, the executor."""
        if not resources and (executor_def is None or self.executor_def is not None):
            return self
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.resource_defs = {**resources, **self.resource_defs}
        if copy.executor_def is None:
            copy.executor_def = executor_def
        return copy

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        partition_key: str | None = None,
        raise_on_error: bool = True,
        tags: Mapping[str, str] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run the job once in this process with the in-process executor.

        Args:
            run_config: run config, for example ``{"ops": {"my_op": {"config": {...}}}}``;
                defaults to the job's ``config``.
            instance: the instance recording the run; an ephemeral one when None.
            partition_key: not supported for op jobs; must be None.
            raise_on_error: stop at the first failed step and raise its error, instead of
                running the other steps and returning a failed result.
            tags: run tags, added to the job's run tags.
            resources: resources overriding the job's.

        Returns:
            The run's `ExecuteInProcessResult`.

        Raises:
            InvalidDefinitionError: a required resource is missing, or a partition was given.
            InvalidConfigError: the run config does not match the ops' config.
            Exception: with ``raise_on_error``, the error user code raised in the first
                failed step; the run stops there.
        """
        from headwater.execution.run import execute_resolved_job

        if instance is None:
            from headwater.instance import Instance

            instance = Instance.ephemeral()
        return execute_resolved_job(
            self,
            instance,
            run_config=run_config,
            resources=resources,
            tags=tags,
            partition_key=partition_key,
            raise_on_error=raise_on_error,
        )


JobDefinition.register(ResolvedAssetJob)


def job(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    run_tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    executor_def: Any = None,
    op_retry_policy: Any = None,
) -> Any:
    """Compose ops into a `JobDefinition`; usable bare (``@job``) or called (``@job(...)``).

    The function takes no parameters and calls ops to wire them together, as in `graph`.

    Raises:
        InvalidDefinitionError: an invalid name, or an op called with a constant.
    """

    def decorate(fn: Callable[..., Any]) -> JobDefinition:
        job_name = name or fn.__name__
        nodes, params, outputs = compose(fn, job_name, label="@job")
        graph_def = GraphDefinition(
            job_name,
            nodes,
            input_names=params,
            output_mappings=outputs,
            description=description or (inspect.cleandoc(fn.__doc__) if fn.__doc__ else None),
        )
        return JobDefinition(
            graph_def=graph_def,
            name=job_name,
            description=graph_def.description,
            resource_defs=resource_defs,
            config=config,
            tags=tags,
            run_tags=run_tags,
            metadata=metadata,
            executor_def=executor_def,
            op_retry_policy=op_retry_policy,
        )

    return decorate(compose_fn) if compose_fn is not None else decorate
