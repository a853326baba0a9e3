"""Partition mappings and the default inference of the reference (semantics §2.10)."""

from datetime import datetime, timezone

import pytest

import headwater as dg

NOW = datetime(2023, 2, 1, tzinfo=timezone.utc)
DAILY = dg.DailyPartitionsDefinition(start_date="2023-01-01")
HOURLY = dg.HourlyPartitionsDefinition(start_date="2023-01-01-00:00")
STATIC = dg.StaticPartitionsDefinition(["a", "b", "c"])


def upstream(mapping, subset, down_def, up_def):
    return mapping.get_upstream_mapped_partitions_result_for_partitions(
        subset, down_def, up_def, current_time=NOW
    )


def test_identity():
    subset = STATIC.subset_with_partition_keys(["a", "c"])
    result = upstream(dg.IdentityPartitionMapping(), subset, STATIC, STATIC)
    assert result.partitions_subset == subset
    assert result.required_but_nonexistent_partition_keys == []
    smaller = dg.StaticPartitionsDefinition(["a"])
    result = upstream(dg.IdentityPartitionMapping(), subset, STATIC, smaller)
    assert result.partitions_subset.get_partition_keys() == ["a"]
    assert result.required_but_nonexistent_partition_keys == ["c"]


def test_identity_between_daily_definitions_with_other_starts():
    later = dg.DailyPartitionsDefinition(start_date="2023-01-05")
    subset = DAILY.subset_with_partition_keys(["2023-01-04", "2023-01-05", "2023-01-06"])
    result = upstream(dg.IdentityPartitionMapping(), subset, DAILY, later)
    assert result.partitions_subset.get_partition_keys() == ["2023-01-05", "2023-01-06"]
    assert result.required_but_nonexistent_partition_keys == ["2023-01-04"]


def test_time_window_same_window_and_granularity_change():
    day = DAILY.subset_with_partition_keys(["2023-01-02"])
    hours = upstream(dg.TimeWindowPartitionMapping(), day, DAILY, HOURLY).partitions_subset
    assert len(hours) == 24
    assert hours.get_partition_keys()[0] == "2023-01-02-00:00"
    down = dg.TimeWindowPartitionMapping().get_downstream_partitions_for_partitions(
        HOURLY.subset_with_partition_keys(["2023-01-02-05:00"]), HOURLY, DAILY, current_time=NOW
    )
    assert down.get_partition_keys() == ["2023-01-02"]


def test_time_window_offsets_and_self_dependency():
    previous = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    subset = DAILY.subset_with_partition_keys(["2023-01-05"])
    assert upstream(previous, subset, DAILY, DAILY).partitions_subset.get_partition_keys() == [
        "2023-01-04"
    ]
    first = DAILY.subset_with_partition_keys(["2023-01-01"])
    result = upstream(previous, first, DAILY, DAILY)
    assert result.partitions_subset.is_empty
    assert result.required_but_nonexistent_subset.is_empty
    downstream = previous.get_downstream_partitions_for_partitions(
        DAILY.subset_with_partition_keys(["2023-01-04"]), DAILY, DAILY, current_time=NOW
    )
    assert downstream.get_partition_keys() == ["2023-01-05"]
    window = dg.TimeWindowPartitionMapping(start_offset=-2)
    assert upstream(window, subset, DAILY, DAILY).partitions_subset.get_partition_keys() == [
        "2023-01-03",
        "2023-01-04",
        "2023-01-05",
    ]


def test_time_window_reports_required_but_nonexistent_upstream():
    later = dg.DailyPartitionsDefinition(start_date="2023-01-05")
    subset = DAILY.subset_with_partition_keys(["2023-01-03", "2023-01-04", "2023-01-05"])
    result = upstream(dg.TimeWindowPartitionMapping(), subset, DAILY, later)
    assert result.partitions_subset.get_partition_keys() == ["2023-01-05"]
    assert result.required_but_nonexistent_partition_keys == ["2023-01-03", "2023-01-04"]
    lenient = dg.TimeWindowPartitionMapping(allow_nonexistent_upstream_partitions=True)
    assert upstream(lenient, subset, DAILY, later).required_but_nonexistent_subset.is_empty


def test_all_last_specific_static():
    subset = DAILY.subset_with_partition_keys(["2023-01-02"])
    assert len(upstream(dg.AllPartitionMapping(), subset, DAILY, STATIC).partitions_subset) == 3
    last = upstream(dg.LastPartitionMapping(), subset, DAILY, DAILY).partitions_subset
    assert last.get_partition_keys() == ["2023-01-31"]
    specific = upstream(dg.SpecificPartitionsPartitionMapping(["a", "z"]), subset, DAILY, STATIC)
    assert specific.partitions_subset.get_partition_keys() == ["a"]
    assert specific.required_but_nonexistent_partition_keys == ["z"]
    mapping = dg.StaticPartitionMapping({"a": "x", "b": ["x", "y"]})
    xy = dg.StaticPartitionsDefinition(["x", "y"])
    got = upstream(mapping, xy.subset_with_partition_keys(["x"]), xy, STATIC)
    assert got.partitions_subset.get_partition_keys() == ["a", "b"]
    down = mapping.get_downstream_partitions_for_partitions(
        STATIC.subset_with_partition_keys(["b"]), STATIC, xy
    )
    assert down.get_partition_keys() == ["x", "y"]
    assert mapping == dg.StaticPartitionMapping({"a": "x", "b": ["x", "y"]})


MULTI = dg.MultiPartitionsDefinition({"date": DAILY, "color": STATIC})


def test_multi_to_single_dimension_both_directions():
    subset = MULTI.subset_with_partition_keys(["a|2023-01-02", "b|2023-01-03"])
    mapping = dg.MultiToSingleDimensionPartitionMapping()
    result = upstream(mapping, subset, MULTI, DAILY)
    assert result.partitions_subset.get_partition_keys() == ["2023-01-02", "2023-01-03"]
    by_color = upstream(
        dg.MultiToSingleDimensionPartitionMapping("color"), subset, MULTI, STATIC
    ).partitions_subset
    assert by_color.get_partition_keys() == ["a", "b"]
    single = DAILY.subset_with_partition_keys(["2023-01-02"])
    expanded = upstream(mapping, single, DAILY, MULTI).partitions_subset
    assert expanded.get_partition_keys() == ["a|2023-01-02", "b|2023-01-02", "c|2023-01-02"]


def test_multi_partition_mapping_per_dimension():
    letters = dg.StaticPartitionsDefinition(["1", "2", "3"])
    up_def = dg.MultiPartitionsDefinition({"date": DAILY, "num": letters})
    mapping = dg.MultiPartitionMapping(
        {
            "date": dg.DimensionPartitionMapping(
                "date", dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
            ),
            "num": dg.DimensionPartitionMapping(
                "color", dg.StaticPartitionMapping({"1": "a", "2": "b", "3": "c"})
            ),
        }
    )
    subset = MULTI.subset_with_partition_keys(["a|2023-01-05"])
    result = upstream(mapping, subset, MULTI, up_def)
    assert result.partitions_subset.get_partition_keys() == ["2023-01-04|1"]
    down = mapping.get_downstream_partitions_for_partitions(
        up_def.subset_with_partition_keys(["2023-01-04|2"]), up_def, MULTI, current_time=NOW
    )
    assert down.get_partition_keys() == ["b|2023-01-05"]


def test_infer_partition_mapping_defaults():
    explicit = dg.LastPartitionMapping()
    assert dg.infer_partition_mapping(explicit, DAILY, DAILY) is explicit
    assert dg.infer_partition_mapping(None, None, DAILY) == dg.AllPartitionMapping()
    assert dg.infer_partition_mapping(None, DAILY, None) == dg.AllPartitionMapping()
    assert dg.infer_partition_mapping(None, MULTI, DAILY) == (
        dg.MultiToSingleDimensionPartitionMapping()
    )
    assert dg.infer_partition_mapping(None, STATIC, MULTI) == (
        dg.MultiToSingleDimensionPartitionMapping()
    )
    assert dg.infer_partition_mapping(None, DAILY, HOURLY) == dg.TimeWindowPartitionMapping()
    assert dg.infer_partition_mapping(None, STATIC, STATIC) == dg.IdentityPartitionMapping()
    assert dg.infer_partition_mapping(None, MULTI, MULTI) == dg.IdentityPartitionMapping()


def test_mapping_errors():
    with pytest.raises(dg.InvalidDefinitionError, match="time-window partitions definitions only"):
        upstream(dg.TimeWindowPartitionMapping(), STATIC.empty_subset(), STATIC, DAILY)
    other = dg.StaticPartitionsDefinition(["q"])
    with pytest.raises(dg.InvalidDefinitionError, match="partition_dimension_name"):
        upstream(dg.MultiToSingleDimensionPartitionMapping(), other.empty_subset(), other, MULTI)
