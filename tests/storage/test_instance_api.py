"""Instance API beyond the storage suite: `instance_for_test`, bad run filters, run and
record helpers, and index repair seen through real runs."""

from __future__ import annotations

import os

import pytest

import headwater as dg

# -- instance_for_test ------------------------------------------------------------------------


def test_instance_for_test_sets_and_restores_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "outer"))
    with dg.instance_for_test() as instance:
        home = instance.root_directory
        assert os.environ["HEADWATER_HOME"] == home
        assert instance.get_runs_count() == 0
        with dg.Instance.get() as same_home:
            assert same_home.root_directory == home
    assert os.environ["HEADWATER_HOME"] == str(tmp_path / "outer")
    assert not os.path.exists(home)


def test_instance_for_test_unsets_a_home_that_was_unset(monkeypatch):
    monkeypatch.delenv("HEADWATER_HOME", raising=False)
    with dg.instance_for_test():
        assert "HEADWATER_HOME" in os.environ
    assert "HEADWATER_HOME" not in os.environ


def test_instance_for_test_in_a_given_directory_with_overrides(tmp_path):
    @dg.asset
    def numbers() -> list[int]:
        return [1, 2]

    overrides = {"io_manager": "memory", "storage": {"url": "sqlite:///runs.db"}}
    with dg.instance_for_test(overrides=overrides, temp_dir=tmp_path / "home") as instance:
        assert instance.settings.io_manager == "memory"
        result = dg.materialize([numbers], instance=instance)
        assert instance.get_run_by_id(result.run_id).is_success
    assert (tmp_path / "home" / "runs.db").is_file()  # a given directory is left in place


def test_instance_for_test_overrides_are_merged_over_the_file(tmp_path):
    (tmp_path / "headwater.toml").write_text('executor = "in_process"\n[plugins.a]\nx = 1\n')
    with dg.instance_for_test({"plugins": {"b": {}}}, temp_dir=tmp_path) as instance:
        assert instance.settings.executor == "in_process"
        assert set(instance.settings.plugins) == {"a", "b"}


def test_instance_for_test_rejects_unknown_overrides(monkeypatch):
    monkeypatch.delenv("HEADWATER_HOME", raising=False)
    expected = r"\$\.io_manger; did you mean 'io_manager'"
    with (
        pytest.raises(dg.InvalidConfigError, match=expected),
        dg.instance_for_test({"io_manger": 1}),
    ):
        pass
    assert "HEADWATER_HOME" not in os.environ


# -- bad run filters --------------------------------------------------------------------------


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def test_runs_filter_refuses_a_lone_run_id():
    with pytest.raises(TypeError, match=r"RunsFilter\(run_ids=...\) takes a list.*run_ids=\["):
        dg.RunsFilter(run_ids="abc")


def test_runs_filter_refuses_a_lone_status():
    with pytest.raises(TypeError, match=r"statuses=\[DagsterRunStatus.SUCCESS\]"):
        dg.RunsFilter(statuses=dg.DagsterRunStatus.SUCCESS)


def test_runs_filter_names_an_unknown_status():
    with pytest.raises(ValueError, match="'SUCCES' is not a run status; did you mean 'SUCCESS'"):
        dg.RunsFilter(statuses=["SUCCES"])


def test_runs_filter_refuses_non_string_tag_values():
    with pytest.raises(TypeError, match=r"tag 'a' must be a string.*got 1 \(int\).*'a': '1'"):
        dg.RunsFilter(tags={"a": 1})


def test_runs_filter_accepts_names_and_lists(instance):
    run = instance.create_run("job", tags={"team": "x"})
    found = dg.RunsFilter(run_ids=[run.run_id], statuses=["NOT_STARTED"], tags={"team": ["x"]})
    assert [r.run_id for r in instance.get_runs(found)] == [run.run_id]


def test_get_runs_refuses_a_dict(instance):
    with pytest.raises(TypeError, match=r"filters must be a RunsFilter.*RunsFilter\(\*\*"):
        instance.get_runs({"job_name": "x"})
    with pytest.raises(TypeError, match="filters must be a RunsFilter"):
        instance.get_runs_count({"job_name": "x"})


# -- run and record helpers -------------------------------------------------------------------


def test_run_failure_or_canceled_and_previous_run_id(instance):
    parent = instance.create_run("job")
    child = instance.create_run("job", parent_run_id=parent.run_id, root_run_id=parent.run_id)
    assert child.previous_run_id == parent.run_id
    assert parent.previous_run_id is None
    assert not child.is_failure_or_canceled
    assert child.with_status(dg.DagsterRunStatus.CANCELED).is_failure_or_canceled
    assert child.with_status(dg.DagsterRunStatus.FAILURE).is_failure_or_canceled


def test_event_log_record_asset_event(instance):
    T = dg.DagsterEventType
    instance.report_runless_asset_event(dg.AssetMaterialization("a"))
    instance.report_runless_asset_event(dg.AssetObservation("a"))
    (mat,) = instance.get_event_records(dg.EventRecordsFilter(T.ASSET_MATERIALIZATION))
    (obs,) = instance.get_event_records(dg.EventRecordsFilter(T.ASSET_OBSERVATION))
    assert mat.asset_event == dg.AssetMaterialization("a")
    assert obs.asset_event == dg.AssetObservation("a")
    instance.wipe_assets([dg.AssetKey("a")])
    (wiped,) = instance.get_event_records(dg.EventRecordsFilter(T.ASSET_WIPED))
    assert wiped.asset_event is None


# -- index repair and links seen through real runs --------------------------------------------


def test_a_failed_run_is_the_assets_last_run(instance):
    fail = {"now": False}

    @dg.asset
    def flaky() -> int:
        if fail["now"]:
            raise ValueError("down")
        return 1

    good = dg.materialize([flaky], instance=instance)
    fail["now"] = True
    bad = dg.materialize([flaky], instance=instance, raise_on_error=False)
    (record,) = instance.get_asset_records([flaky.key])
    assert record.asset_entry.last_run_id == bad.run_id
    assert record.asset_entry.last_materialization.run_id == good.run_id


def test_deleting_a_partitioned_run_updates_partition_status(instance):
    letters = dg.StaticPartitionsDefinition(["a", "b"])

    @dg.asset(partitions_def=letters)
    def part() -> int:
        return 1

    first = dg.materialize([part], instance=instance, partition_key="a")
    second = dg.materialize([part], instance=instance, partition_key="b")
    assert instance.get_partition_status(part.key, letters).materialized.get_partition_keys() == [
        "a",
        "b",
    ]
    instance.delete_run(second.run_id)
    status = instance.get_partition_status(part.key, letters)
    assert list(status.materialized.get_partition_keys()) == ["a"]
    assert instance.get_materialized_partitions(part.key) == {"a"}
    assert instance.get_latest_materialization_event(part.key).run_id == first.run_id


def test_check_results_link_to_the_checked_materialization(instance):
    @dg.asset
    def table() -> int:
        return 1

    @dg.asset_check(asset=table)
    def not_empty() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    result = dg.materialize([table, not_empty], instance=instance)
    record = instance.get_latest_asset_check_evaluation_record(
        dg.AssetCheckKey(table.key, "not_empty")
    )
    latest = instance.get_asset_records([table.key])[0].asset_entry
    assert record.materialization_storage_id == latest.last_materialization_storage_id
    target = record.evaluation.target_materialization_data
    assert target.run_id == result.run_id
    assert target.storage_id == latest.last_materialization_storage_id


def test_run_record_times_are_utc_datetimes():
    import datetime

    with dg.instance_for_test() as instance:
        run = instance.create_run("job")
        (record,) = instance.get_run_records(dg.RunsFilter(run_ids=[run.run_id]))
    assert record.create_timestamp.tzinfo == datetime.timezone.utc
    assert record.update_timestamp >= record.create_timestamp
    age = datetime.datetime.now(datetime.timezone.utc) - record.create_timestamp
    assert datetime.timedelta(0) <= age < datetime.timedelta(minutes=5)
