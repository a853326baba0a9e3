"""`ExecuteInProcessResult`: what `materialize`, ``execute_in_process`` and `execute_job` return."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from headwater.definitions.keys import AssetKey
from headwater.errors import InvariantViolationError
from headwater.events.types import DagsterEventType as ET

# A one-step run's resource events carry its step key, yet belong to the run, not the node.
_RUN_WIDE = frozenset(
    t.value for t in (ET.RESOURCE_INIT_STARTED, ET.RESOURCE_INIT_SUCCESS, ET.RESOURCE_INIT_FAILURE)
)


class ExecuteInProcessResult:
    """The outcome of one run: its events, outputs and status.

    Nodes are named as in the job: an op or asset by its name, an op inside a graph by its
    path (``ga.o1``), and a graph (a `graph_asset` or a graph inside a job) by its name, which
    stands for every op inside it. Usable as a context manager (``with execute_job(...) as r``).

    Attributes:
        run_id: the run's id.
        success: whether every step succeeded.
    """

    def __init__(
        self,
        *,
        run_id: str,
        job_name: str,
        success: bool,
        entries: Sequence[Any],
        output_values: Mapping[tuple[str, str], Any],
        plan: Any,
        job_def: Any,
        instance: Any,
        dagster_run: Any,
        output_loader: Callable[[str, str], Any] | None = None,
    ):
        self.run_id = run_id
        self.job_name = job_name
        self.success = success
        self._entries = list(entries)
        self._outputs = output_values
        self._plan = plan
        self._job_def = job_def
        self._instance = instance
        self._run = dagster_run
        # Loads values the run stored but did not keep here (steps ran in other processes).
        self._load_output = output_loader
        self._top_nodes: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"ExecuteInProcessResult(run_id={self.run_id!r}, success={self.success})"

    def __enter__(self) -> ExecuteInProcessResult:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    # -- run --------------------------------------------------------------------------------
    @property
    def dagster_run(self) -> Any:
        """The run record as stored at the end of the run."""
        return self._run

    @property
    def instance(self) -> Any:
        """The instance the run was recorded in."""
        return self._instance

    @property
    def job_def(self) -> Any:
        """The job that ran (for `materialize`, the implicit asset job)."""
        return self._job_def

    # -- events -----------------------------------------------------------------------------
    @property
    def all_events(self) -> list[Any]:
        """Every structured event of the run (`DagsterEvent`), in order.

        The planned events written when the run was created are in the instance only.
        """
        return [e.dagster_event for e in self._entries if e.dagster_event is not None]

    @property
    def all_node_events(self) -> list[Any]:
        """The structured events that belong to a step."""
        return [
            e
            for e in self.all_events
            if e.step_key is not None and e.event_type_value not in _RUN_WIDE
        ]

    @property
    def event_log_entries(self) -> list[Any]:
        """Every entry the run stored while it executed, log lines included (`EventLogEntry`)."""
        return list(self._entries)

    def events_for_node(self, node_name: str) -> list[Any]:
        """The structured events of node ``node_name`` (of every op inside, for a graph)."""
        inner = f"{node_name}."
        return [
            e
            for e in self.all_node_events
            if e.step_key == node_name or e.step_key.startswith(inner)
        ]

    def filter_events(self, predicate: Callable[[Any], bool]) -> list[Any]:
        """The structured events for which ``predicate(event)`` is true."""
        return [e for e in self.all_events if predicate(e)]

    def _of_type(self, event_type: ET, node_name: str | None = None) -> list[Any]:
        value = event_type.value
        events = self.all_events if node_name is None else self.events_for_node(node_name)
        return [e for e in events if e.event_type_value == value]

    def get_asset_materialization_events(self) -> list[Any]:
        """The ASSET_MATERIALIZATION events."""
        return self._of_type(ET.ASSET_MATERIALIZATION)

    def get_asset_materialization_planned_events(self) -> list[Any]:
        """The ASSET_MATERIALIZATION_PLANNED events among `all_events`: none, as in the
        reference, since the instance writes them when it creates the run (read them with
        ``instance.all_logs(run_id)``)."""
        return self._of_type(ET.ASSET_MATERIALIZATION_PLANNED)

    def get_asset_observation_events(self) -> list[Any]:
        """The ASSET_OBSERVATION events."""
        return self._of_type(ET.ASSET_OBSERVATION)

    def get_asset_check_evaluations(self) -> list[Any]:
        """Every `AssetCheckEvaluation` recorded in the run."""
        return [e.event_specific_data for e in self._of_type(ET.ASSET_CHECK_EVALUATION)]

    def asset_materializations_for_node(self, node_name: str) -> list[Any]:
        """The `AssetMaterialization` objects node ``node_name`` recorded."""
        return [e.materialization for e in self._of_type(ET.ASSET_MATERIALIZATION, node_name)]

    def asset_observations_for_node(self, node_name: str) -> list[Any]:
        """The `AssetObservation` objects node ``node_name`` recorded."""
        return [
            e.asset_observation_data.asset_observation
            for e in self._of_type(ET.ASSET_OBSERVATION, node_name)
        ]

    def get_step_success_events(self) -> list[Any]:
        """The STEP_SUCCESS events."""
        return self._of_type(ET.STEP_SUCCESS)

    def get_step_failure_events(self) -> list[Any]:
        """The STEP_FAILURE events."""
        return self._of_type(ET.STEP_FAILURE)

    def get_step_skipped_events(self) -> list[Any]:
        """The STEP_SKIPPED events."""
        return self._of_type(ET.STEP_SKIPPED)

    def get_failed_step_keys(self) -> set[str]:
        """The keys of the steps that failed."""
        return {e.step_key for e in self.get_step_failure_events()}

    def get_run_success_event(self) -> Any:
        """The RUN_SUCCESS event.

        Raises:
            InvariantViolationError: the run did not succeed.
        """
        return self._one(ET.RUN_SUCCESS, "did not succeed")

    def get_run_failure_event(self) -> Any:
        """The RUN_FAILURE event.

        Raises:
            InvariantViolationError: the run did not fail.
        """
        return self._one(ET.RUN_FAILURE, "did not fail")

    def _one(self, event_type: ET, otherwise: str) -> Any:
        found = self._of_type(event_type)
        if not found:
            raise InvariantViolationError(
                f"Run {self.run_id} {otherwise}: it has no {event_type.value} event."
            )
        return found[0]

    # -- nodes ------------------------------------------------------------------------------
    def is_node_success(self, node_str: str) -> bool:
        """Whether node ``node_str`` (any op inside, for a graph) succeeded."""
        return bool(self._of_type(ET.STEP_SUCCESS, node_str))

    def is_node_failed(self, node_str: str) -> bool:
        """Whether node ``node_str`` (any op inside, for a graph) failed."""
        return bool(self._of_type(ET.STEP_FAILURE, node_str))

    def is_node_skipped(self, node_str: str) -> bool:
        """Whether node ``node_str`` (any op inside, for a graph) was skipped."""
        return bool(self._of_type(ET.STEP_SKIPPED, node_str))

    def is_node_untouched(self, node_str: str) -> bool:
        """Whether node ``node_str`` has no event in this run (it was not executed)."""
        return not self.events_for_node(node_str)

    def failure_data_for_node(self, node_str: str) -> Any:
        """The `StepFailureData` of node ``node_str``'s failure, or None if it did not fail."""
        failures = self._of_type(ET.STEP_FAILURE, node_str)
        return failures[0].event_specific_data if failures else None

    def retry_attempts_for_node(self, node_str: str) -> int:
        """How many times node ``node_str`` was retried."""
        return len(self._of_type(ET.STEP_RESTARTED, node_str))

    # -- values -----------------------------------------------------------------------------
    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value node ``node_str`` produced for ``output_name``.

        For a graph, the value of the inner op output mapped to the graph's output. An output
        produced without a value (a `MaterializeResult` with none) reads as ``NO_VALUE``, a
        ``Nothing`` output as None. When the step ran in another process (the multiprocess
        executor), the value is loaded through the output's IO manager.

        Raises:
            InvariantViolationError: the node did not produce that output in this run, or its
                IO manager could not load it.
        """
        step_key, output_name = self._resolve_output(node_str, output_name)
        try:
            return self._outputs[(step_key, output_name)]
        except KeyError:
            pass
        if self._load_output is not None:
            with contextlib.suppress(KeyError):
                return self._load_output(step_key, output_name)
        if self._produced_without_value(step_key, output_name):
            from headwater.definitions.results import NO_VALUE

            step = self._plan.step_by_key[step_key]
            return None if step.outputs[output_name].is_nothing else NO_VALUE
        produced = sorted(f"{s}.{o}" for s, o in self._outputs)
        raise InvariantViolationError(
            f'No output "{output_name}" for node "{node_str}" in run {self.run_id}; '
            f"outputs with values: {produced}."
        ) from None

    def output_value(self, output_name: str = "result") -> Any:
        """The value of the job's own output ``output_name`` (an output of its graph).

        Raises:
            InvariantViolationError: the job has no such output (asset jobs have none).
        """
        graph = getattr(self._job_def, "graph_def", None)
        outputs = graph.leaf_outputs() if graph is not None else {}
        if output_name not in outputs:
            raise InvariantViolationError(
                f"Job '{self.job_name}' has no output '{output_name}'; its outputs: "
                f"{sorted(outputs)}. Read op outputs with output_for_node(name)."
            )
        source = outputs[output_name]
        return self.output_for_node(source.step, source.output)

    def asset_value(self, asset_key: Any) -> Any:
        """The value materialized for ``asset_key`` in this run.

        Raises:
            InvariantViolationError: the asset was not materialized with a value in this run.
        """
        key = AssetKey.from_coercible(asset_key)
        where = self._plan.producer_by_asset_key.get(key)
        if where is None:
            raise InvariantViolationError(
                f"Asset {key.to_user_string()} was not part of run {self.run_id}."
            )
        return self.output_for_node(*where)

    def _resolve_output(self, node_str: str, output_name: str) -> tuple[str, str]:
        """The step and output behind ``output_name`` of node ``node_str``."""
        if node_str in self._plan.step_by_key:
            return node_str, output_name
        graph = self._graph_at(node_str)
        if graph is None:
            return node_str, output_name
        source = graph.leaf_outputs().get(output_name)
        if source is None:
            raise InvariantViolationError(
                f"Graph node '{node_str}' has no output '{output_name}'; its outputs: "
                f"{sorted(graph.leaf_outputs())}."
            )
        return f"{node_str}.{source.step}", source.output

    def _graph_at(self, path: str) -> Any:
        """The `GraphDefinition` at node path ``path``, or None if it is not a graph."""
        from headwater.definitions.graphs import GraphDefinition

        if self._top_nodes is None:
            graph = getattr(self._job_def, "graph_def", None)
            if graph is not None:
                self._top_nodes = {name: node.node_def for name, node in graph.nodes.items()}
            else:
                self._top_nodes = {
                    step.key.split(".", 1)[0]: step.assets_def.node_def
                    for step in self._plan.steps
                    if "." in step.key
                }
        top, *inner = path.split(".")
        node_def = self._top_nodes.get(top)
        for name in inner:
            if not isinstance(node_def, GraphDefinition) or name not in node_def.nodes:
                return None
            node_def = node_def.nodes[name].node_def
        return node_def if isinstance(node_def, GraphDefinition) else None

    def _produced_without_value(self, step_key: str, output_name: str) -> bool:
        step_output = ET.STEP_OUTPUT.value
        return any(
            e.step_key == step_key
            and e.event_type_value == step_output
            and e.event_specific_data.output_name == output_name
            for e in self.all_events
        )
