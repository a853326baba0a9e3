"""`@job` and `JobDefinition`: a graph of ops with the resources, config and executor to run it.

`JobDefinition` is also the type every resolved asset job answers to (``isinstance(job,
JobDefinition)`` holds for ``defs.get_job_def(name)`` whatever the job's kind).
"""

from __future__ import annotations

import abc
import inspect
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from headwater.definitions.graphs import (
    FromGraphInput,
    GraphDefinition,
    NodeInvocation,
    NodeOutputHandle,
    compose,
)
from headwater.definitions.names import check_valid_name
from headwater.definitions.ops import is_nothing
from headwater.errors import (
    InvalidConfigError,
    InvalidDefinitionError,
    InvalidInvocationError,
    InvalidSubsetError,
)
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
        op_selection: Sequence[str] | None = None,
        run_id: str | None = None,
        input_values: Mapping[str, Any] | None = None,
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
            op_selection: run only these top-level ops, each written ``name``, ``*name`` (with
                everything upstream), ``name*`` (everything downstream), ``+name`` /
                ``name++`` (one or two levels), or ``*`` (all); None or empty runs all.
            run_id: the run's id, a UUID string; a fresh one when None.
            input_values: values for the job's top-level inputs (op jobs have none, so any
                name given is refused).
            tags: run tags, added to the job's run tags.
            resources: resources overriding the job's.

        Returns:
            The run's `ExecuteInProcessResult`.

        Raises:
            InvalidDefinitionError: a required resource is missing, a partition was given, or
                ``input_values`` names an input the job does not have.
            InvalidSubsetError: ``op_selection`` names an op the job does not have.
            InvalidConfigError: the run config does not match the ops' config, or a selected
                op reads the output of an op the selection leaves out.
            InvalidInvocationError: ``op_selection`` is not a list of strings, or ``run_id``
                is not a UUID.
            Exception: with ``raise_on_error``, the error user code raised in the first
                failed step; the run stops there.
        """
        from headwater.execution.run import execute_resolved_job

        check_input_values(self.name, input_values)
        job = self._subset(op_selection) if op_selection else self
        return execute_resolved_job(
            job,
            instance,
            run_config=run_config,
            resources=resources,
            tags=tags,
            partition_key=partition_key,
            raise_on_error=raise_on_error,
            run_id=checked_run_id(run_id),
        )

    def _subset(self, op_selection: Sequence[str]) -> JobDefinition:
        """A copy of the job whose graph holds only the selected top-level ops."""
        graph = self.graph_def
        parents = {
            name: {
                s.node_name for s in node.input_sources.values() if isinstance(s, NodeOutputHandle)
            }
            for name, node in graph.nodes.items()
        }
        selected = selected_ops(self.name, parents, op_selection)
        nodes = {}
        for name in graph.nodes:
            if name in selected:
                node = graph.nodes[name]
                sources = _selected_sources(node, selected)
                nodes[name] = NodeInvocation(name, node.node_def, sources)
        outputs = {
            out: handle
            for out, handle in graph.output_mappings.items()
            if handle.node_name in selected
        }
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.graph_def = GraphDefinition(
            graph.name, nodes, output_mappings=outputs, description=graph.description
        )
        return copy


_CLAUSE = re.compile(r"^(\*|\+*)([^*+]+)(\*|\+*)$")


def selected_ops(job_name: str, parents: Mapping[str, set[str]], op_selection: Any) -> set[str]:
    """The op names ``op_selection`` picks, given each op's upstream ops in ``parents``.

    Raises:
        InvalidInvocationError: ``op_selection`` is not a list of strings.
        InvalidSubsetError: a clause names no op.
    """
    if isinstance(op_selection, str) or not all(isinstance(c, str) for c in op_selection):
        raise InvalidInvocationError(
            f"op_selection must be a list of op names, got {op_selection!r}; for example "
            f"op_selection=['{next(iter(parents), 'my_op')}']."
        )
    children: dict[str, set[str]] = {name: set() for name in parents}
    for name, upstream in parents.items():
        for parent in upstream:
            children[parent].add(name)
    selected: set[str] = set()
    for clause in op_selection:
        clause = clause.strip()
        if clause == "*":
            return set(parents)
        match = _CLAUSE.match(clause)
        if match is None or match[2] not in parents:
            raise InvalidSubsetError(
                f"op_selection clause {clause!r} matches no op of job '{job_name}'. Ops: "
                f"{', '.join(sorted(parents))}. Write a clause as name, *name, name*, "
                "+name or name+ (one + per level)."
            )
        up, name, down = match.groups()
        selected.add(name)
        selected |= _reachable(name, parents, up)
        selected |= _reachable(name, children, down)
    return selected


def _reachable(start: str, edges: Mapping[str, set[str]], marker: str) -> set[str]:
    """Nodes reached from ``start`` along ``edges``: unbounded for ``*``, else one level per +."""
    depth = None if marker == "*" else len(marker)
    found: set[str] = set()
    frontier = {start}
    while frontier and (depth is None or depth > 0):
        frontier = {n for node in frontier for n in edges[node]} - found
        found |= frontier
        depth = None if depth is None else depth - 1
    return found


def _selected_sources(node: NodeInvocation, selected: set[str]) -> dict[str, Any]:
    """``node``'s input sources, without ordering-only ones from ops left out.

    Raises:
        InvalidConfigError: an input reads a value from an op the selection leaves out.
    """
    sources = {}
    for input_name, source in node.input_sources.items():
        if isinstance(source, NodeOutputHandle) and source.node_name not in selected:
            if is_nothing(node.node_def.ins[input_name].dagster_type):
                continue
            raise InvalidConfigError(
                f"op_selection runs op '{node.name}' but not op '{source.node_name}', whose "
                f"output '{source.output_name}' feeds its input '{input_name}'. Select "
                f"'{source.node_name}' too (for example '*{node.name}')."
            )
        sources[input_name] = source
    return sources


def check_input_values(job_name: str, input_values: Mapping[str, Any] | None) -> None:
    """Refuse ``input_values``: the job has no top-level inputs to feed.

    Raises:
        InvalidDefinitionError: naming the first input given.
    """
    for name in input_values or {}:
        raise InvalidDefinitionError(
            f"input_values has a value for '{name}', but job '{job_name}' has no top-level "
            "input with that name. Drop it from input_values."
        )


def checked_run_id(run_id: str | None) -> str | None:
    """``run_id`` after checking it is a UUID string (None stays None).

    Raises:
        InvalidInvocationError: it is not a UUID.
    """
    if run_id is None:
        return None
    try:
        uuid.UUID(str(run_id))
    except ValueError:
        raise InvalidInvocationError(
            f"run_id must be a UUID string, got {run_id!r}; use str(uuid.uuid4())."
        ) from None
    return run_id


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
