"""A conformance suite for storage backends: subclass `StorageSuite` in your plugin's tests.

Example::

    from headwater.testing.storage_suite import StorageSuite

    class TestMyStorage(StorageSuite):
        __test__ = True

        @pytest.fixture
        def instance(self, tmp_path):
            with dg.Instance(MyStorage(url), tmp_path) as instance:
                yield instance

The ``instance`` fixture must yield an `Instance` over a new, empty storage; ``storage`` is
derived from it. Capability methods (``can_delete_runs`` and so on) switch off tests for
features a backend does not offer.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import attrs
import pytest

import headwater as dg
from headwater.events import (
    AssetMaterializationPlannedData,
    AssetObservationData,
    StepMaterializationData,
    StepSuccessData,
)


def event(run_id: str, event_type: Any, data: Any = None, step_key: str | None = None) -> Any:
    """A log entry of ``run_id`` for a structured event."""
    return dg.EventLogEntry.from_event(
        dg.DagsterEvent.build(event_type, "job", step_key=step_key, event_specific_data=data),
        run_id,
    )


def materialization(run_id: str, key: Any, partition: str | None = None, **tags: str) -> Any:
    """An ASSET_MATERIALIZATION entry of ``run_id``."""
    mat = dg.AssetMaterialization(key, partition=partition, tags=tags or None)
    step_key = mat.asset_key.to_python_identifier()
    return event(
        run_id, dg.DagsterEventType.ASSET_MATERIALIZATION, StepMaterializationData(mat), step_key
    )


def log_line(run_id: str, message: str) -> Any:
    """A plain log line of ``run_id`` (no structured event)."""
    return dg.EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
    )


T = dg.DagsterEventType


class StorageSuite:
    """Behaviour every storage backend must have. Override the ``instance`` fixture."""

    __test__ = False

    @pytest.fixture
    def instance(self) -> Any:
        """Yield an `Instance` over a new, empty storage of the backend under test."""
        raise NotImplementedError("override the instance fixture in your subclass")

    @pytest.fixture
    def storage(self, instance: Any) -> Any:
        """The storage under test."""
        return instance.storage

    # -- capabilities; override to switch tests off ---------------------------------------------

    def can_delete_runs(self) -> bool:
        return True

    def supports_dynamic_partitions(self) -> bool:
        return True

    def supports_migrations(self) -> bool:
        return True

    def reopen(self, instance: Any) -> Any:
        """A second `Instance` over the same database (so reads parse what was stored rather
        than reuse the writer's cached entries), or None if the storage cannot be reopened."""
        return None

    # -- runs ---------------------------------------------------------------------------------

    def test_create_and_get_run(self, instance):
        run = instance.create_run("job", tags={"team": "data"}, run_config={"ops": {}})
        stored = instance.get_run_by_id(run.run_id)
        assert stored == run
        assert stored.status == dg.DagsterRunStatus.NOT_STARTED
        assert instance.has_run(run.run_id)
        assert instance.get_run_by_id("missing") is None
        assert not instance.has_run("missing")

    def test_duplicate_run_id_is_refused(self, instance):
        instance.create_run("job", run_id="r1")
        with pytest.raises(dg.InvariantViolationError, match="'r1' already exists"):
            instance.create_run("job", run_id="r1")

    def test_run_events_move_status_and_times(self, instance):
        run = instance.create_run("job")
        instance.store_events([event(run.run_id, T.RUN_START)])
        started = instance.get_run_records(dg.RunsFilter(run_ids=[run.run_id]))[0]
        assert started.dagster_run.status == dg.DagsterRunStatus.STARTED
        assert started.start_time is not None
        assert started.end_time is None
        instance.store_events([event(run.run_id, T.RUN_FAILURE)])
        failed = instance.get_run_by_id(run.run_id)
        assert failed.status == dg.DagsterRunStatus.FAILURE
        assert failed.is_finished
        assert failed.is_failure
        assert failed.end_time >= failed.start_time

    def test_run_filters(self, instance):
        a = instance.create_run("alpha", tags={"team": "x", "env": "prod"})
        b = instance.create_run("beta", tags={"team": "y"})
        c = instance.create_run("alpha", tags={"team": "y"})
        instance.store_events([event(b.run_id, T.RUN_START), event(b.run_id, T.RUN_SUCCESS)])

        def ids(**kwargs):
            return [r.run_id for r in instance.get_runs(dg.RunsFilter(**kwargs))]

        assert [r.run_id for r in instance.get_runs()] == [c.run_id, b.run_id, a.run_id]
        assert ids(job_name="alpha") == [c.run_id, a.run_id]
        assert ids(statuses=[dg.DagsterRunStatus.SUCCESS]) == [b.run_id]
        assert ids(tags={"team": "y"}) == [c.run_id, b.run_id]
        assert ids(tags={"team": ["x", "y"], "env": "prod"}) == [a.run_id]
        assert ids(run_ids=[a.run_id, b.run_id]) == [b.run_id, a.run_id]
        assert ids(created_before=0) == []
        assert ids(created_after=0) == [c.run_id, b.run_id, a.run_id]
        assert instance.get_runs_count(dg.RunsFilter(job_name="alpha")) == 2
        assert instance.get_runs_count() == 3

    def test_run_pagination(self, instance):
        runs = [instance.create_run("job").run_id for _ in range(5)]
        first = instance.get_runs(limit=2)
        second = instance.get_runs(limit=2, cursor=first[-1].run_id)
        rest = instance.get_runs(cursor=second[-1].run_id)
        assert [r.run_id for r in first + second + rest] == runs[::-1]
        ascending = instance.get_runs(limit=3, ascending=True)
        assert [r.run_id for r in ascending] == runs[:3]

    def test_add_run_tags(self, instance):
        run = instance.create_run("job", tags={"a": "1", "b": "2"})
        instance.add_run_tags(run.run_id, {"b": "3", "c": "4"})
        assert instance.get_run_by_id(run.run_id).tags == {"a": "1", "b": "3", "c": "4"}
        assert instance.get_runs(dg.RunsFilter(tags={"b": "2"})) == []
        assert len(instance.get_runs(dg.RunsFilter(tags={"b": "3"}))) == 1

    def test_delete_run(self, instance):
        if not self.can_delete_runs():
            pytest.skip("the backend cannot delete runs")
        run = instance.create_run("job", tags={"t": "v"})
        instance.store_events([event(run.run_id, T.RUN_START)])
        instance.delete_run(run.run_id)
        assert not instance.has_run(run.run_id)
        assert instance.all_logs(run.run_id) == []
        assert instance.get_runs(dg.RunsFilter(tags={"t": "v"})) == []

    def test_delete_run_falls_back_to_older_events(self, instance):
        if not self.can_delete_runs():
            pytest.skip("the backend cannot delete runs")
        old, new = instance.create_run("job"), instance.create_run("job")
        first = materialization(old.run_id, "a", **{"dagster/data_version": "v1"})
        instance.store_events([first, materialization(old.run_id, "p", "x")])
        instance.store_events(
            [
                materialization(new.run_id, "a", **{"dagster/data_version": "v2"}),
                materialization(new.run_id, "p", "x"),
                materialization(new.run_id, "p", "y"),
            ]
        )
        instance.delete_run(new.run_id)
        assert instance.get_latest_materialization_event(dg.AssetKey("a")) == first
        (record,) = instance.get_asset_records([dg.AssetKey("a")])
        assert record.asset_entry.cached_data_version == "v1"
        assert record.asset_entry.last_run_id == old.run_id
        assert instance.get_materialized_partitions(dg.AssetKey("p")) == {"x"}
        latest_p = instance.get_latest_materialization_event(dg.AssetKey("p"))
        assert latest_p.run_id == old.run_id
        instance.delete_run(old.run_id)
        assert instance.get_latest_materialization_events([dg.AssetKey("a")]) == {}
        assert not instance.has_asset_key(dg.AssetKey("a"))
        assert instance.get_materialized_partitions(dg.AssetKey("p")) == set()

    def test_planned_events_at_run_creation(self, instance):
        check = dg.AssetCheckKey(dg.AssetKey("b"), "positive")
        run = instance.create_run(
            "job",
            asset_selection=[dg.AssetKey("b"), dg.AssetKey("a")],
            asset_check_selection=[check],
            tags={"dagster/partition": "2024-01-01"},
        )
        logs = instance.all_logs(run.run_id)
        assert [entry.dagster_event_type for entry in logs] == [
            T.ASSET_MATERIALIZATION_PLANNED,
            T.ASSET_MATERIALIZATION_PLANNED,
            T.ASSET_CHECK_EVALUATION_PLANNED,
        ]
        first = logs[0].get_dagster_event()
        assert first.asset_key == dg.AssetKey("a")
        assert first.partition == "2024-01-01"
        assert isinstance(first.event_specific_data, AssetMaterializationPlannedData)
        history = instance.event_log_storage.get_asset_check_execution_history(check, limit=5)
        assert [record.status.value for record in history] == ["PLANNED"]
        assert instance.get_run_by_id(run.run_id).asset_selection == {
            dg.AssetKey("a"),
            dg.AssetKey("b"),
        }

    # -- the event log ------------------------------------------------------------------------

    def test_events_read_back_in_order_with_increasing_ids(self, instance):
        run = instance.create_run("job")
        batch = [
            event(run.run_id, T.RUN_START),
            event(run.run_id, T.STEP_START, step_key="a"),
            log_line(run.run_id, "hello from a"),
            materialization(run.run_id, "a"),
            event(run.run_id, T.STEP_SUCCESS, StepSuccessData(12.5), "a"),
        ]
        ids = instance.store_events(batch)
        assert ids == sorted(ids)
        assert len(set(ids)) == len(batch)
        assert instance.all_logs(run.run_id) == batch
        assert instance.all_logs(run.run_id)[2].dagster_event is None
        assert [
            e.dagster_event_type for e in instance.all_logs(run.run_id, of_type=T.STEP_START)
        ] == [T.STEP_START]
        both = instance.all_logs(run.run_id, of_type={T.STEP_START, T.STEP_SUCCESS})
        assert [e.get_dagster_event().is_step_success for e in both] == [False, True]

    def test_records_for_run_paginate(self, instance):
        run = instance.create_run("job")
        ids = instance.store_events([log_line(run.run_id, str(i)) for i in range(7)])
        seen, cursor = [], None
        while True:
            page = instance.get_records_for_run(run.run_id, cursor=cursor, limit=3)
            seen += [record.storage_id for record in page.records]
            cursor = page.cursor
            if not page.has_more:
                break
        assert seen == ids

    def test_event_values_round_trip(self, instance):
        run = instance.create_run("job")
        mat = dg.AssetMaterialization(
            dg.AssetKey(["warehouse", "orders"]),
            description="written",
            metadata={
                "rows": 10,
                "ratio": 0.5,
                "ok": True,
                "note": "text",
                "shape": {"a": [1, 2]},
                "link": dg.MetadataValue.url("https://example.com"),
                "none": None,
            },
            tags={"dagster/data_version": "abc"},
        )
        entry = dg.EventLogEntry.from_event(
            dg.DagsterEvent.asset_materialization(mat, "job"), run.run_id
        )
        instance.store_events([entry])
        reader = self.reopen(instance) or instance
        try:
            (stored,) = reader.all_logs(run.run_id)
            (record,) = reader.get_asset_records([dg.AssetKey(["warehouse", "orders"])])
        finally:
            if reader is not instance:
                reader.dispose()
        assert stored == entry
        assert record.asset_entry.last_materialization == entry
        assert stored.asset_materialization.metadata["link"] == dg.MetadataValue.url(
            "https://example.com"
        )
        assert stored.asset_materialization.metadata["rows"].value == 10

    def test_get_event_records_filters(self, instance):
        run = instance.create_run("job")
        instance.store_events(
            [
                materialization(run.run_id, "a", "p1"),
                materialization(run.run_id, "a", "p2"),
                materialization(run.run_id, "b"),
                event(run.run_id, T.STEP_START, step_key="a"),
            ]
        )
        mats = instance.get_event_records(dg.EventRecordsFilter(T.ASSET_MATERIALIZATION))
        assert [r.asset_key for r in mats] == [dg.AssetKey("b"), dg.AssetKey("a"), dg.AssetKey("a")]
        only_a = instance.get_event_records(
            dg.EventRecordsFilter(T.ASSET_MATERIALIZATION, asset_key=dg.AssetKey("a")),
            ascending=True,
        )
        assert [r.partition_key for r in only_a] == ["p1", "p2"]
        p2 = instance.get_event_records(
            dg.EventRecordsFilter(T.ASSET_MATERIALIZATION, asset_key="a", asset_partitions=["p2"])
        )
        assert [r.partition_key for r in p2] == ["p2"]
        after = instance.get_event_records(
            dg.EventRecordsFilter(T.ASSET_MATERIALIZATION, after_cursor=only_a[0].storage_id),
            limit=1,
            ascending=True,
        )
        assert [r.storage_id for r in after] == [only_a[1].storage_id]
        # Step events name no asset: found by type all the same.
        starts = instance.get_event_records(dg.EventRecordsFilter(T.STEP_START))
        assert [r.event_log_entry.step_key for r in starts] == ["a"]

    def test_batch_failing_midway_writes_nothing(self, instance):
        run = instance.create_run("job")
        good = [log_line(run.run_id, str(i)) for i in range(1500)]
        # A missing run id violates NOT NULL when the last rows are inserted, after the
        # first rows of the same batch were already sent to the database.
        bad = log_line(None, "no run")  # type: ignore[arg-type]
        with pytest.raises(Exception, match=r"(?i)null"):
            instance.store_events([event(run.run_id, T.RUN_START), *good, bad])
        assert instance.all_logs(run.run_id) == []
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.NOT_STARTED

    # -- the asset index ----------------------------------------------------------------------

    def test_latest_materialization_and_asset_records(self, instance):
        run = instance.create_run("job")
        first = materialization(run.run_id, "a", **{"dagster/data_version": "v1"})
        second = materialization(
            run.run_id, "a", **{"dagster/data_version": "v2", "dagster/code_version": "7"}
        )
        _, second_id = instance.store_events([first, second])
        assert instance.get_latest_materialization_event(dg.AssetKey("a")) == second
        (record,) = instance.get_asset_records([dg.AssetKey("a")])
        entry = record.asset_entry
        assert entry.asset_key == dg.AssetKey("a")
        assert entry.last_materialization == second
        assert entry.last_materialization_storage_id == second_id
        assert entry.last_run_id == run.run_id
        assert entry.cached_data_version == "v2"
        assert entry.code_version == "7"
        assert instance.get_asset_records([dg.AssetKey("never")]) == []

    def test_last_run_id_is_the_latest_run_planning_or_materializing(self, instance):
        done = instance.create_run("job", asset_selection=[dg.AssetKey("a")])
        _, mat_id = instance.store_events(
            [materialization(done.run_id, "a"), materialization(done.run_id, "b")]
        )
        failed = instance.create_run("job", asset_selection=[dg.AssetKey("a")])
        (entry,) = [r.asset_entry for r in instance.get_asset_records([dg.AssetKey("a")])]
        assert entry.last_run_id == failed.run_id
        assert entry.last_materialization.run_id == done.run_id
        assert entry.last_event_storage_id == entry.last_planned_materialization_storage_id
        assert entry.last_event_storage_id > mat_id
        obs_id = instance.report_runless_asset_event(dg.AssetObservation("a"))
        (entry,) = [r.asset_entry for r in instance.get_asset_records([dg.AssetKey("a")])]
        assert entry.last_observation_storage_id == entry.last_event_storage_id == obs_id
        assert entry.last_run_id == failed.run_id  # observations are not runs of the asset

    def test_latest_materializations_for_many_keys(self, instance):
        run = instance.create_run("job")
        keys = [dg.AssetKey(["many", str(i)]) for i in range(50)]
        instance.store_events([materialization(run.run_id, key) for key in keys])
        missing = dg.AssetKey("missing")
        latest = instance.get_latest_materialization_events([*keys, missing])
        assert missing not in latest
        assert all(latest[key].asset_materialization.asset_key == key for key in keys)

    def test_observations(self, instance):
        obs = dg.AssetObservation("source", tags={"dagster/data_version": "d1"})
        storage_id = instance.report_runless_asset_event(obs)
        (record,) = instance.get_asset_records([dg.AssetKey("source")])
        assert record.asset_entry.last_observation.asset_observation == obs
        assert record.asset_entry.last_materialization is None
        assert record.asset_entry.cached_data_version == "d1"
        result = instance.fetch_observations(dg.AssetKey("source"), limit=10)
        assert [r.storage_id for r in result.records] == [storage_id]
        entry = result.records[0].event_log_entry
        assert entry.run_id == ""
        assert isinstance(entry.get_dagster_event().event_specific_data, AssetObservationData)

    def test_fetch_materializations_pages(self, instance):
        run = instance.create_run("job")
        ids = instance.store_events([materialization(run.run_id, "a", f"p{i}") for i in range(5)])
        first = instance.fetch_materializations(dg.AssetKey("a"), limit=2)
        assert [r.storage_id for r in first.records] == ids[:-3:-1]
        assert first.has_more
        rest = instance.fetch_materializations(dg.AssetKey("a"), limit=10, cursor=first.cursor)
        assert [r.storage_id for r in rest.records] == ids[2::-1]
        assert not rest.has_more
        up = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key="a", asset_partitions=["p1", "p3"]),
            limit=10,
            ascending=True,
        )
        assert [r.partition_key for r in up.records] == ["p1", "p3"]

    def test_materialized_partitions(self, instance):
        run = instance.create_run("job")
        instance.store_events(
            [
                materialization(run.run_id, "daily", "2024-01-01"),
                materialization(run.run_id, "daily", "2024-01-02"),
                materialization(run.run_id, "daily", "2024-01-01"),
            ]
        )
        assert instance.get_materialized_partitions(dg.AssetKey("daily")) == {
            "2024-01-01",
            "2024-01-02",
        }
        assert instance.get_materialized_partitions(dg.AssetKey("other")) == set()

    def test_asset_keys_prefix_limit_cursor(self, instance):
        for key in (["a", "x"], ["a", "y"], ["a%"], ["a_b"], ["b"], ["a"]):
            instance.report_runless_asset_event(dg.AssetMaterialization(dg.AssetKey(key)))
        everything = instance.get_asset_keys()
        assert everything == sorted(everything, key=lambda k: k.to_string())
        assert len(everything) == 6
        assert set(instance.get_asset_keys(prefix=["a"])) == {
            dg.AssetKey("a"),
            dg.AssetKey(["a", "x"]),
            dg.AssetKey(["a", "y"]),
        }
        first = instance.get_asset_keys(limit=2)
        rest = instance.get_asset_keys(cursor=first[-1].to_string())
        assert first + rest == everything
        assert instance.has_asset_key(dg.AssetKey("a%"))
        assert not instance.has_asset_key(dg.AssetKey("zzz"))

    def test_runless_events_reject_other_types(self, instance):
        with pytest.raises(dg.InvariantViolationError, match="got str"):
            instance.report_runless_asset_event("a")

    def test_wipe_assets(self, instance):
        run = instance.create_run("job")
        instance.store_events(
            [materialization(run.run_id, "a", "p1"), materialization(run.run_id, "b")]
        )
        instance.wipe_assets([dg.AssetKey("a")])
        assert instance.get_latest_materialization_event(dg.AssetKey("a")) is None
        assert not instance.has_asset_key(dg.AssetKey("a"))
        assert instance.get_asset_keys() == [dg.AssetKey("b")]
        assert instance.get_materialized_partitions(dg.AssetKey("a")) == set()
        assert instance.fetch_materializations(dg.AssetKey("a"), limit=5).records == ()
        wiped = instance.get_event_records(dg.EventRecordsFilter(T.ASSET_WIPED))
        assert [r.asset_key for r in wiped] == [dg.AssetKey("a")]
        assert len(instance.all_logs(run.run_id)) == 2  # history stays in the log
        again = materialization(run.run_id, "a", "p2")
        instance.store_events([again])
        assert instance.get_latest_materialization_event(dg.AssetKey("a")) == again
        assert instance.get_materialized_partitions(dg.AssetKey("a")) == {"p2"}

    # -- checks -------------------------------------------------------------------------------

    def test_check_executions(self, instance):
        check = dg.AssetCheckKey(dg.AssetKey("a"), "not_empty")
        run = instance.create_run("job", asset_check_selection=[check])
        evaluation = dg.AssetCheckEvaluation(
            asset_key="a",
            check_name="not_empty",
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rows": 0},
        )
        instance.store_events(
            [
                dg.EventLogEntry.from_event(
                    dg.DagsterEvent.asset_check_evaluation(evaluation, "job"), run.run_id
                )
            ]
        )
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(asset_key="a", check_name="not_empty", passed=True)
        )
        storage = instance.event_log_storage
        history = storage.get_asset_check_execution_history(check, limit=10)
        assert [(r.run_id, r.status.value) for r in history] == [
            ("", "SUCCEEDED"),
            (run.run_id, "FAILED"),
        ]
        assert history[1].evaluation == evaluation
        assert history[1].evaluation.severity == dg.AssetCheckSeverity.WARN
        older = storage.get_asset_check_execution_history(check, limit=10, cursor=history[0].id)
        assert [r.id for r in older] == [history[1].id]
        latest = storage.get_latest_asset_check_execution_by_key([check])
        assert latest[check].status.value == "SUCCEEDED"

    def test_check_evaluation_in_a_run_targets_the_latest_materialization(self, instance):
        check = dg.AssetCheckKey(dg.AssetKey("a"), "positive")
        first = instance.create_run("job", asset_check_selection=[check])
        (mat_id,) = instance.store_events([materialization(first.run_id, "a")])
        evaluation = dg.AssetCheckEvaluation(asset_key="a", check_name="positive", passed=True)
        entry = dg.EventLogEntry.from_event(
            dg.DagsterEvent.asset_check_evaluation(evaluation, "job"), first.run_id
        )
        check_only = instance.create_run("job", asset_check_selection=[check])
        instance.store_events([entry])
        instance.store_events([attrs.evolve(entry, run_id=check_only.run_id)])
        instance.report_runless_asset_event(evaluation)
        reader = self.reopen(instance) or instance
        try:
            history = reader.event_log_storage.get_asset_check_execution_history(check, limit=5)
        finally:
            if reader is not instance:
                reader.dispose()
        runless, latest, same_run = history
        for record in (same_run, latest):
            assert record.materialization_storage_id == mat_id
            target = record.evaluation.target_materialization_data
            assert (target.storage_id, target.run_id) == (mat_id, first.run_id)
            assert record.partition is None
        assert runless.materialization_storage_id is None
        assert runless.evaluation.target_materialization_data is None

    def test_wipe_assets_forgets_check_executions(self, instance):
        check = dg.AssetCheckKey(dg.AssetKey("a"), "positive")
        instance.create_run("job", asset_check_selection=[check])
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(asset_key="a", check_name="positive", passed=True)
        )
        instance.wipe_assets([dg.AssetKey("a")])
        assert instance.get_latest_asset_check_evaluation_record(check) is None
        assert instance.event_log_storage.get_asset_check_execution_history(check, 5) == []

    # -- key/value and dynamic partitions -------------------------------------------------------

    def test_kv(self, instance):
        assert instance.get_kv(["cursor"]) == {}
        instance.set_kv({"cursor": "1", "other": "x"})
        instance.set_kv({"cursor": "2"})
        assert instance.get_kv(["cursor", "other", "missing"]) == {"cursor": "2", "other": "x"}

    def test_dynamic_partitions(self, instance):
        if not self.supports_dynamic_partitions():
            pytest.skip("the backend has no dynamic partitions")
        instance.add_dynamic_partitions("customers", ["acme", "globex"])
        instance.add_dynamic_partitions("customers", ["globex", "initech", "initech"])
        assert instance.get_dynamic_partitions("customers") == ["acme", "globex", "initech"]
        assert instance.has_dynamic_partition("customers", "acme")
        instance.delete_dynamic_partition("customers", "acme")
        assert not instance.has_dynamic_partition("customers", "acme")
        assert instance.get_dynamic_partitions("other") == []

    # -- schema -------------------------------------------------------------------------------

    def test_schema_is_stamped_at_head(self, instance):
        if not self.supports_migrations():
            pytest.skip("the backend has no migrations")
        from headwater.storage import migrate

        head = migrate.head_revision()
        assert instance.storage.schema_revision() == head
        assert instance.upgrade() == (head, head)
