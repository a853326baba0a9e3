"""Partition subsets: compact representations, algebra and serialisation."""

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

import headwater as dg

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
DAILY = dg.DailyPartitionsDefinition(start_date="2015-01-01")
KEYS = DAILY.get_partition_keys(current_time=NOW)
STATIC = dg.StaticPartitionsDefinition([f"k{i}" for i in range(100)])


def test_time_subset_is_ranges():
    subset = DAILY.subset_with_partition_key_range(dg.PartitionKeyRange("2015-01-01", "2024-12-31"))
    assert isinstance(subset, dg.TimeWindowPartitionsSubset)
    assert subset.ranges == ((0, 3653),)
    assert len(subset) == 3653
    assert "2020-02-29" in subset
    assert "2025-01-01" not in subset
    hole = DAILY.subset_with_partition_keys(["2016-01-01", "2016-01-02"])
    rest = subset - hole
    assert rest.ranges == ((0, 365), (367, 3653))
    assert rest.get_partition_key_ranges() == [
        dg.PartitionKeyRange("2015-01-01", "2015-12-31"),
        dg.PartitionKeyRange("2016-01-03", "2024-12-31"),
    ]
    assert [w.start.year for w in rest.included_time_windows] == [2015, 2016]
    assert rest | hole == subset
    assert rest & hole == DAILY.empty_subset()


def test_static_subset_is_a_bitset():
    subset = STATIC.subset_with_partition_keys(["k3", "k4", "k5", "k9"])
    assert isinstance(subset, dg.StaticPartitionsSubset)
    assert subset.bits == 0b1000111000
    assert subset.get_partition_keys() == ["k3", "k4", "k5", "k9"]
    assert subset.get_partition_key_ranges() == [
        dg.PartitionKeyRange("k3", "k5"),
        dg.PartitionKeyRange("k9", "k9"),
    ]
    assert len(subset.get_partition_keys_not_in_subset()) == 96


def test_all_partitions_sentinel_counts_without_listing():
    everything = dg.AllPartitionsSubset(DAILY, current_time=NOW)
    assert len(everything) == 3653
    assert "2024-12-31" in everything
    some = DAILY.subset_with_partition_keys(["2015-01-05"])
    assert (some | everything) is everything
    assert (everything & some) == some
    assert len(everything - some) == 3652
    assert everything == DAILY.subset_with_all_partitions(current_time=NOW)


def test_multi_subset_rows_by_secondary_key():
    multi = dg.MultiPartitionsDefinition(
        {"day": DAILY, "region": dg.StaticPartitionsDefinition(["eu", "us"])}
    )
    subset = multi.subset_with_partition_keys(["2015-01-02|eu", "2015-01-01|eu", "2015-01-01|us"])
    assert isinstance(subset, dg.MultiPartitionsSubset)
    assert set(subset.rows) == {"eu", "us"}
    assert subset.get_partition_keys() == ["2015-01-01|eu", "2015-01-01|us", "2015-01-02|eu"]
    assert "2015-01-02|eu" in subset
    assert "2015-01-02|us" not in subset
    everything = multi.subset_with_all_partitions(current_time=NOW)
    assert len(everything) == 2 * 3653
    assert len(everything - subset) == 2 * 3653 - 3
    round_trip = multi.deserialize_subset(subset.serialize())
    assert round_trip == subset


def test_serialisation_round_trip_and_stability():
    subset = DAILY.subset_with_partition_keys(["2015-01-03", "2015-01-04", "2020-01-01"])
    text = subset.serialize()
    assert len(text) < 120
    assert DAILY.deserialize_subset(text) == subset
    later = dg.DailyPartitionsDefinition(start_date="2015-01-02")
    assert later.deserialize_subset(text).get_partition_keys() == subset.get_partition_keys()
    static = STATIC.subset_with_partition_keys(["k1", "k50"])
    reordered = dg.StaticPartitionsDefinition(["k50", "k1", "new"])
    assert reordered.deserialize_subset(static.serialize()).get_partition_keys() == ["k50", "k1"]
    with pytest.raises(dg.InvariantViolationError, match="of kind 'static' cannot be read"):
        DAILY.deserialize_subset(static.serialize())
    with pytest.raises(dg.InvariantViolationError, match="Not a serialized partitions subset"):
        DAILY.deserialize_subset("[1, 2]")


def test_combining_subsets_of_different_definitions_is_refused():
    other = dg.DailyPartitionsDefinition(start_date="2016-01-01")
    with pytest.raises(dg.InvalidInvocationError, match="different partitions definitions"):
        DAILY.empty_subset() | other.empty_subset()


index_sets = st.sets(st.integers(min_value=0, max_value=199), max_size=60)


@given(index_sets, index_sets)
def test_time_subset_algebra_matches_python_sets(a, b):
    sa = DAILY.subset_with_partition_keys([KEYS[i] for i in a])
    sb = DAILY.subset_with_partition_keys([KEYS[i] for i in b])
    for got, want in ((sa | sb, a | b), (sa & sb, a & b), (sa - sb, a - b)):
        assert got.get_partition_keys() == [KEYS[i] for i in sorted(want)]
        assert len(got) == len(want)
    assert DAILY.deserialize_subset(sa.serialize()) == sa


@given(index_sets, index_sets)
def test_static_subset_algebra_matches_python_sets(a, b):
    keys = STATIC.get_partition_keys()
    sa = STATIC.subset_with_partition_keys([keys[i % 100] for i in a])
    sb = STATIC.subset_with_partition_keys([keys[i % 100] for i in b])
    a, b = {i % 100 for i in a}, {i % 100 for i in b}
    for got, want in ((sa | sb, a | b), (sa & sb, a & b), (sa - sb, a - b)):
        assert set(got) == {keys[i] for i in want}
        assert len(got) == len(want)
