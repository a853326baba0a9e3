"""Partitioned runs: one key, a key range in one run, mapped inputs, fs layout, status rows."""

from __future__ import annotations

import pytest

import headwater as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11")
RANGE_TAGS = {
    "dagster/asset_partition_range_start": "2024-01-02",
    "dagster/asset_partition_range_end": "2024-01-04",
}


def test_range_in_one_run_exposes_keys_range_and_window():
    seen = {}

    @dg.asset(partitions_def=daily)
    def events(context) -> dg.MaterializeResult:
        seen["range"] = context.partition_key_range
        seen["keys"] = context.partition_keys
        seen["window"] = context.partition_time_window
        seen["has_key"] = context.has_partition_key
        return dg.MaterializeResult()

    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([events], instance=instance, tags=RANGE_TAGS)
        assert seen["range"] == dg.PartitionKeyRange("2024-01-02", "2024-01-04")
        assert seen["keys"] == ["2024-01-02", "2024-01-03", "2024-01-04"]
        assert (seen["window"].start.day, seen["window"].end.day) == (2, 5)
        assert seen["has_key"] is False
        mats = result.asset_materializations_for_node("events")
        assert [m.partition for m in mats] == seen["keys"]
        assert result.dagster_run.tags["dagster/asset_partition_range_end"] == "2024-01-04"
        status = instance.get_partition_status("events", daily)
        assert status.materialized.get_partition_keys() == seen["keys"]


def test_half_a_range_is_refused():
    @dg.asset(partitions_def=daily)
    def events() -> None: ...

    with pytest.raises(dg.InvalidDefinitionError, match="only one of the tags"):
        dg.materialize([events], tags={"dagster/asset_partition_range_start": "2024-01-02"})


def test_fs_layout_and_mapped_range_loaded_as_dict(tmp_path):
    @dg.asset(partitions_def=daily)
    def raw(context):
        return context.partition_key.replace("-", "")

    @dg.asset(
        partitions_def=daily,
        ins={
            "raw": dg.AssetIn(
                partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-2, end_offset=0)
            )
        },
    )
    def rolling(context, raw):
        window = context.asset_partitions_time_window_for_input("raw")
        return (
            sorted(raw.items()),
            context.asset_partition_keys_for_input("raw"),
            context.asset_partition_key_range_for_input("raw"),
            (window.start.day, window.end.day),
        )

    with dg.DagsterInstance.local_temp(tmp_path / "home") as instance:
        for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
            dg.materialize([raw], partition_key=day, instance=instance)
        assert (tmp_path / "home" / "storage" / "raw" / "2024-01-03").is_file()
        result = dg.materialize(
            [raw, rolling], partition_key="2024-01-03", instance=instance, selection=[rolling]
        )
        items, keys, key_range, window = result.output_for_node("rolling")
        assert items == [
            ("2024-01-01", "20240101"),
            ("2024-01-02", "20240102"),
            ("2024-01-03", "20240103"),
        ]
        assert keys == ["2024-01-01", "2024-01-02", "2024-01-03"]
        assert key_range == dg.PartitionKeyRange("2024-01-01", "2024-01-03")
        assert window == (1, 4)


def test_status_rows_track_failed_in_progress_and_wipe():
    @dg.asset(partitions_def=daily)
    def flaky(context):
        if context.partition_key == "2024-01-05":
            raise ValueError("no data")
        return 1

    with dg.DagsterInstance.ephemeral() as instance:
        for day in ("2024-01-04", "2024-01-05"):
            dg.materialize([flaky], partition_key=day, instance=instance, raise_on_error=False)
        status = instance.get_partition_status("flaky", daily)
        assert status.materialized.get_partition_keys() == ["2024-01-04"]
        assert status.failed.get_partition_keys() == ["2024-01-05"]
        assert len(status.missing()) == 8
        failed = instance.fetch_failed_materializations(dg.AssetKey("flaky"), limit=5).records
        assert [r.event_log_entry.dagster_event.partition for r in failed] == ["2024-01-05"]
        # A later success moves the partition from failed to materialized.
        instance.report_runless_asset_event(
            dg.AssetMaterialization("flaky", partition="2024-01-05")
        )
        status = instance.get_partition_status("flaky", daily)
        assert status.materialized.get_partition_keys() == ["2024-01-04", "2024-01-05"]
        assert status.failed.is_empty
        # A run that is created but not finished holds its partitions in progress.
        run = instance.create_run(
            "job",
            tags={"dagster/partition": "2024-01-07"},
            asset_selection=[dg.AssetKey("flaky")],
            partitions_defs={dg.AssetKey("flaky"): daily},
        )
        status = instance.get_partition_status("flaky", daily)
        assert status.in_progress.get_partition_keys() == ["2024-01-07"]
        assert "2024-01-07" not in status.missing()
        from headwater.events.log import DagsterEvent, EventLogEntry
        from headwater.events.types import DagsterEventType

        end = DagsterEvent.build(DagsterEventType.RUN_FAILURE, "job", message="stopped")
        instance.store_events([EventLogEntry.from_event(end, run.run_id)])
        assert instance.get_partition_status("flaky", daily).in_progress.is_empty
        instance.wipe_assets([dg.AssetKey("flaky")])
        status = instance.get_partition_status("flaky", daily)
        assert status.materialized.is_empty
        assert status.failed.is_empty


def test_static_partitions_and_dynamic_partitions_through_the_instance():
    colors = dg.DynamicPartitionsDefinition(name="colors")

    @dg.asset(partitions_def=colors)
    def paint(context):
        return context.partition_key

    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("colors", ["red", "blue"])
        assert instance.has_dynamic_partition("colors", "red")
        dg.materialize([paint], partition_key="blue", instance=instance)
        with pytest.raises(dg.HeadwaterError, match="green"):
            dg.materialize([paint], partition_key="green", instance=instance)
        status = instance.get_partition_status("paint", colors)
        assert status.materialized.get_partition_keys() == ["blue"]
        assert status.missing(dynamic_partitions_store=instance).get_partition_keys() == ["red"]
        instance.delete_dynamic_partition("colors", "red")
        assert instance.get_dynamic_partitions("colors") == ["blue"]


def test_job_over_different_partitions_definitions_is_refused():
    hourly = dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00")

    @dg.asset(partitions_def=daily)
    def d(): ...

    @dg.asset(partitions_def=hourly)
    def h(): ...

    defs = dg.Definitions(assets=[d, h], jobs=[dg.define_asset_job("j", selection="*")])
    with pytest.raises(dg.InvalidDefinitionError) as info:
        defs.resolve_job_def("j")
    assert "Failed to resolve asset job j" in str(info.value)
    assert "Selected assets must have the same partitions definitions" in str(info.value)
