"""`ExecuteInProcessResult`: what `materialize` and ``execute_in_process`` return."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from headwater.definitions.keys import AssetKey
from headwater.errors import InvariantViolationError
from headwater.events.types import DagsterEventType as ET


class ExecuteInProcessResult:
    """The outcome of a run executed in this process: its events, outputs and status.

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
        output_by_asset_key: Mapping[AssetKey, tuple[str, str]],
        instance: Any,
        dagster_run: Any,
        output_loader: Callable[[str, str], Any] | None = None,
    ):
        self.run_id = run_id
        self.job_name = job_name
        self.success = success
        self._entries = list(entries)
        self._outputs = output_values
        self._output_by_key = output_by_asset_key
        self._instance = instance
        self._run = dagster_run
        # Loads values the run stored but did not keep here (steps ran in other processes).
        self._load_output = output_loader

    def __repr__(self) -> str:
        return f"ExecuteInProcessResult(run_id={self.run_id!r}, success={self.success})"

    # -- run --------------------------------------------------------------------------------
    @property
    def dagster_run(self) -> Any:
        """The run record as stored at the end of the run."""
        return self._run

    @property
    def instance(self) -> Any:
        """The instance the run was recorded in."""
        return self._instance

    # -- events -----------------------------------------------------------------------------
    @property
    def all_events(self) -> list[Any]:
        """Every structured event of the run (`DagsterEvent`), in order."""
        return [e.dagster_event for e in self._entries if e.dagster_event is not None]

    @property
    def all_node_events(self) -> list[Any]:
        """The structured events that belong to a step."""
        return [e for e in self.all_events if e.step_key is not None]

    @property
    def event_log_entries(self) -> list[Any]:
        """Every stored entry of the run, log lines included (`EventLogEntry`)."""
        return list(self._entries)

    def events_for_node(self, node_name: str) -> list[Any]:
        """The structured events of step ``node_name``."""
        return [e for e in self.all_events if e.step_key == node_name]

    def filter_events(self, predicate: Callable[[Any], bool]) -> list[Any]:
        """The structured events for which ``predicate(event)`` is true."""
        return [e for e in self.all_events if predicate(e)]

    def _of_type(self, event_type: ET, node_name: str | None = None) -> list[Any]:
        value = event_type.value
        return [
            e
            for e in self.all_events
            if e.event_type_value == value and (node_name is None or e.step_key == node_name)
        ]

    def get_asset_materialization_events(self) -> list[Any]:
        """The ASSET_MATERIALIZATION events."""
        return self._of_type(ET.ASSET_MATERIALIZATION)

    def get_asset_observation_events(self) -> list[Any]:
        """The ASSET_OBSERVATION events."""
        return self._of_type(ET.ASSET_OBSERVATION)

    def get_asset_check_evaluations(self) -> list[Any]:
        """Every `AssetCheckEvaluation` recorded in the run."""
        return [e.event_specific_data for e in self._of_type(ET.ASSET_CHECK_EVALUATION)]

    def asset_materializations_for_node(self, node_name: str) -> list[Any]:
        """The `AssetMaterialization` objects step ``node_name`` recorded."""
        return [e.materialization for e in self._of_type(ET.ASSET_MATERIALIZATION, node_name)]

    def asset_observations_for_node(self, node_name: str) -> list[Any]:
        """The `AssetObservation` objects step ``node_name`` recorded."""
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

    def get_failed_step_keys(self) -> list[str]:
        """The keys of the steps that failed."""
        return [e.step_key for e in self.get_step_failure_events()]

    def get_run_failure_event(self) -> Any:
        """The RUN_FAILURE event.

        Raises:
            InvariantViolationError: the run succeeded.
        """
        failures = self._of_type(ET.RUN_FAILURE)
        if not failures:
            raise InvariantViolationError(f"Run {self.run_id} did not fail.")
        return failures[0]

    # -- values -----------------------------------------------------------------------------
    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value step ``node_str`` produced for ``output_name``.

        When the step ran in another process (the multiprocess executor), the value is loaded
        through the output's IO manager.

        Raises:
            InvariantViolationError: the step did not produce that output in this run, or its
                IO manager could not load it.
        """
        try:
            return self._outputs[(node_str, output_name)]
        except KeyError:
            if self._load_output is not None:
                with contextlib.suppress(KeyError):
                    return self._load_output(node_str, output_name)
            produced = sorted(f"{s}.{o}" for s, o in self._outputs)
            raise InvariantViolationError(
                f'No output "{output_name}" for node "{node_str}" in run {self.run_id}; '
                f"outputs with values: {produced}."
            ) from None

    def asset_value(self, asset_key: Any) -> Any:
        """The value materialized for ``asset_key`` in this run.

        Raises:
            InvariantViolationError: the asset was not materialized with a value in this run.
        """
        key = AssetKey.from_coercible(asset_key)
        where = self._output_by_key.get(key)
        if where is None:
            raise InvariantViolationError(
                f"Asset {key.to_user_string()} was not part of run {self.run_id}."
            )
        return self.output_for_node(*where)
