"""Runs of multi-partitioned assets: the keys user code sees, file layout and time windows."""

from __future__ import annotations

import pytest

import headwater as dg

colors = dg.StaticPartitionsDefinition(["red", "blue"])
daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05")
by_day_and_color = dg.MultiPartitionsDefinition({"date": daily, "color": colors})
# Dimension names sort the other way round from how they are written here.
by_letter_and_digit = dg.MultiPartitionsDefinition(
    {"zz": dg.StaticPartitionsDefinition(["1"]), "aa": dg.StaticPartitionsDefinition(["k"])}
)


class RecordingIOManager(dg.IOManager):
    """Keeps values in memory and records the partition key of every context it is given."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], object] = {}
        self.seen: list[tuple[str, str, object]] = []

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        self.seen.append(("out", context.asset_key.to_user_string(), context.partition_key))
        self.values[(context.asset_key.to_user_string(), context.partition_key)] = obj

    def load_input(self, context: dg.InputContext) -> object:
        self.seen.append(("in", context.asset_key.to_user_string(), context.partition_key))
        return self.values[(context.asset_key.to_user_string(), context.partition_key)]


def test_contexts_see_multi_partition_keys():
    seen = {}

    @dg.asset(partitions_def=by_day_and_color)
    def sales(context: dg.AssetExecutionContext) -> int:
        seen["key"] = context.partition_key
        seen["keys"] = context.partition_keys
        seen["range"] = context.partition_key_range
        return 1

    @dg.asset(partitions_def=by_day_and_color)
    def report(sales: int) -> int:
        return sales + 1

    io_manager = RecordingIOManager()
    result = dg.materialize(
        [sales, report], partition_key="blue|2024-01-02", resources={"io_manager": io_manager}
    )
    assert result.success
    assert isinstance(seen["key"], dg.MultiPartitionKey)
    assert seen["key"].keys_by_dimension == {"color": "blue", "date": "2024-01-02"}
    assert isinstance(seen["keys"][0], dg.MultiPartitionKey)
    assert isinstance(seen["range"].start, dg.MultiPartitionKey)
    assert [(what, asset) for what, asset, _ in io_manager.seen] == [
        ("out", "sales"),
        ("in", "sales"),
        ("out", "report"),
    ]
    for _, _, key in io_manager.seen:
        assert isinstance(key, dg.MultiPartitionKey)
        assert key.keys_by_dimension == {"color": "blue", "date": "2024-01-02"}


def test_range_run_hands_out_multi_partition_keys():
    seen = {}

    @dg.asset(partitions_def=by_day_and_color)
    def sales(context: dg.AssetExecutionContext) -> None:
        seen["range"] = context.partition_key_range
        seen["keys"] = context.partition_keys

    dg.materialize(
        [sales],
        tags={
            "dagster/asset_partition_range_start": "red|2024-01-01",
            "dagster/asset_partition_range_end": "blue|2024-01-02",
        },
    )
    assert seen["range"] == dg.PartitionKeyRange("red|2024-01-01", "blue|2024-01-02")
    assert all(isinstance(k, dg.MultiPartitionKey) for k in seen["range"])
    assert seen["keys"] == [
        "red|2024-01-01",
        "red|2024-01-02",
        "blue|2024-01-01",
        "blue|2024-01-02",
    ]
    assert all(isinstance(k, dg.MultiPartitionKey) for k in seen["keys"])


def test_filesystem_io_manager_stores_one_directory_per_dimension(tmp_path):
    @dg.asset(partitions_def=by_letter_and_digit)
    def letters(context: dg.AssetExecutionContext) -> str:
        return str(context.partition_key)

    @dg.asset(partitions_def=by_letter_and_digit)
    def shouted(letters: str) -> str:
        return letters.upper()

    resources = {"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))}
    with dg.DagsterInstance.ephemeral() as instance:
        dg.materialize([letters], partition_key="k|1", resources=resources, instance=instance)
        assert (tmp_path / "letters" / "k" / "1").is_file()
        result = dg.materialize(
            [letters, shouted],
            selection=[shouted],
            partition_key="k|1",
            resources=resources,
            instance=instance,
        )
    assert result.output_for_node("shouted") == "K|1"
    assert (tmp_path / "shouted" / "k" / "1").is_file()


def test_partition_time_window_of_a_multi_partitioned_run():
    windows = []

    @dg.asset(partitions_def=by_day_and_color)
    def sales(context: dg.AssetExecutionContext) -> None:
        window = context.partition_time_window
        windows.append((window.start.day, window.end.day))

    dg.materialize([sales], partition_key="red|2024-01-03")
    dg.materialize(
        [sales],
        tags={
            "dagster/asset_partition_range_start": "red|2024-01-01",
            "dagster/asset_partition_range_end": "blue|2024-01-03",
        },
    )
    assert windows == [(3, 4), (1, 4)]

    @dg.asset(partitions_def=by_letter_and_digit)
    def untimed(context: dg.AssetExecutionContext) -> None:
        with pytest.raises(dg.InvariantViolationError, match="no time-windowed dimension"):
            _ = context.partition_time_window

    assert dg.materialize([untimed], partition_key="k|1").success


def test_time_window_dimension_of_a_multi_definition():
    assert by_day_and_color.has_time_window_dimension
    assert by_day_and_color.time_window_dimension == dg.PartitionDimensionDefinition("date", daily)
    window = by_day_and_color.time_window_for_partition_key("blue|2024-01-02")
    assert (window.start.day, window.end.day) == (2, 3)
    key = dg.MultiPartitionKey({"date": "2024-01-04", "color": "red"})
    assert by_day_and_color.time_window_for_partition_key(key).start.day == 4
    assert not by_letter_and_digit.has_time_window_dimension
    with pytest.raises(dg.InvariantViolationError, match="check has_time_window_dimension"):
        by_letter_and_digit.time_window_for_partition_key("k|1")
    with pytest.raises(dg.UnknownPartitionError, match="'nope'"):
        by_day_and_color.time_window_for_partition_key("nope")


def test_unknown_multi_key_names_the_dimension_order():
    with pytest.raises(dg.UnknownPartitionError, match=r"dimension-name order \(aa, zz\)"):
        by_letter_and_digit.validate_partition_key("1|k")
