"""What IO managers are told during a run: resource config, upstream outputs, partitions."""

from typing import Any

import pytest

import headwater as dg


class _Recorder(dg.IOManager):
    """Keeps values in memory and records the contexts it was given."""

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}
        self.outputs: list[Any] = []
        self.inputs: list[Any] = []

    def handle_output(self, context: Any, obj: Any) -> None:
        self.outputs.append(context)
        self.values[context.asset_key] = obj

    def load_input(self, context: Any) -> Any:
        self.inputs.append(context)
        return self.values.get(context.asset_key, 1)


@dg.asset
def a() -> int:
    return 1


@dg.asset
def b(a: int) -> int:
    return a + 1


def test_function_io_manager_sees_its_config_as_resource_config():
    recorder = _Recorder()

    @dg.io_manager(config_schema={"p": str})
    def configured(_init: Any) -> _Recorder:
        return recorder

    result = dg.materialize(
        [a, b],
        resources={"io_manager": configured},
        run_config={"resources": {"io_manager": {"config": {"p": "v"}}}},
    )
    assert result.success
    assert [c.resource_config for c in recorder.outputs] == [{"p": "v"}, {"p": "v"}]
    assert [c.resource_config for c in recorder.inputs] == [{"p": "v"}]


def test_io_manager_without_config_gets_none():
    recorder = _Recorder()
    assert dg.materialize([a, b], resources={"io_manager": recorder}).success
    assert recorder.outputs[0].resource_config is None
    assert recorder.inputs[0].resource_config is None


class _Configurable(dg.ConfigurableIOManager):
    p: str
    q: int = 3

    def handle_output(self, context: Any, obj: Any) -> None:
        seen.append(context.resource_config)

    def load_input(self, context: Any) -> Any:
        seen.append(context.resource_config)
        return 1


seen: list[Any] = []


def test_configurable_io_manager_sees_its_fields_as_resource_config():
    seen.clear()
    assert dg.materialize([a, b], resources={"io_manager": _Configurable(p="x")}).success
    assert seen == [{"p": "x", "q": 3}] * 3


def test_upstream_output_of_external_and_unselected_assets():
    ext = dg.AssetSpec(["pre", "ext"], metadata={"em": 1}).with_io_manager_key("src")
    plain = dg.AssetSpec("plain", metadata={"pm": 2})

    @dg.asset(metadata={"um": 3}, key_prefix="kp")
    def up() -> int:
        return 1

    @dg.asset(
        ins={
            "ext": dg.AssetIn(["pre", "ext"]),
            "plain": dg.AssetIn("plain"),
            "up": dg.AssetIn(["kp", "up"]),
        }
    )
    def down(ext: int, plain: int, up: int) -> int:
        return ext + plain + up

    src, default = _Recorder(), _Recorder()
    result = dg.materialize(
        [ext, plain, up, down],
        selection=[down],
        resources={"src": src, "io_manager": default},
    )
    assert result.success
    uppers = {c.name: c.upstream_output for c in src.inputs + default.inputs}
    assert {name: (u.name, u.step_key) for name, u in uppers.items()} == {
        "ext": ("ext", "none"),
        "plain": ("plain", "none"),
        "up": ("up", "none"),
    }
    assert uppers["ext"].definition_metadata == {"em": 1, "dagster/io_manager_key": "src"}
    assert uppers["plain"].definition_metadata == {"pm": 2}
    assert uppers["up"].definition_metadata == {
        "um": 3,
        "dagster/io_manager_key": "io_manager",
    }


def test_upstream_output_computed_in_the_run_is_its_step_output():
    recorder = _Recorder()
    assert dg.materialize([a, b], resources={"io_manager": recorder}).success
    upstream = recorder.inputs[0].upstream_output
    assert (upstream.step_key, upstream.name) == ("a", "result")
    assert upstream.definition_metadata == {}


daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-10")


@dg.asset(partitions_def=daily)
def day(context: dg.AssetExecutionContext) -> str:
    return context.partition_key


def test_mapped_range_input_knows_the_run_partition_and_the_upstream_range():
    @dg.asset(
        partitions_def=daily,
        ins={
            "day": dg.AssetIn(
                partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-2, end_offset=0)
            )
        },
    )
    def window(day: Any) -> int:
        return 1

    recorder = _Recorder()
    result = dg.materialize(
        [day, window],
        selection=[window],
        partition_key="2024-01-05",
        resources={"io_manager": recorder},
    )
    assert result.success
    (ctx,) = recorder.inputs
    assert ctx.partition_key == "2024-01-05"
    assert ctx.asset_partition_keys == ["2024-01-03", "2024-01-04", "2024-01-05"]
    assert ctx.asset_partition_key_range == dg.PartitionKeyRange("2024-01-03", "2024-01-05")
    with pytest.raises(dg.InvariantViolationError, match="partition range"):
        ctx.asset_partition_key  # noqa: B018 - the property access raises


def test_offset_input_loads_the_upstream_partition_from_its_file(tmp_path):
    @dg.asset(
        partitions_def=daily,
        ins={
            "day": dg.AssetIn(
                partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
            )
        },
    )
    def previous(context: dg.AssetExecutionContext, day: Any) -> str:
        return f"{context.partition_key} after {day}"

    resources = {"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))}
    for key in ["2024-01-02", "2024-01-03"]:
        assert dg.materialize([day], partition_key=key, resources=resources).success
    recorder = _Recorder()
    result = dg.materialize(
        [day, previous],
        selection=[previous],
        partition_key="2024-01-03",
        resources={"io_manager": recorder},
    )
    (ctx,) = recorder.inputs
    assert (ctx.partition_key, ctx.asset_partition_key) == ("2024-01-03", "2024-01-02")
    assert ctx.get_asset_identifier() == ["day", "2024-01-02"]

    result = dg.materialize(
        [day, previous], selection=[previous], partition_key="2024-01-03", resources=resources
    )
    assert result.output_for_node("previous") == "2024-01-03 after 2024-01-02"


def test_unpartitioned_upstream_in_a_partitioned_run():
    recorder = _Recorder()

    @dg.asset(partitions_def=daily)
    def uses_a(a: int) -> int:
        return a

    result = dg.materialize(
        [a, uses_a],
        selection=[uses_a],
        partition_key="2024-01-02",
        resources={"io_manager": recorder},
    )
    assert result.success
    (ctx,) = recorder.inputs
    assert ctx.has_partition_key
    assert ctx.partition_key == "2024-01-02"
    assert not ctx.has_asset_partitions
    assert ctx.asset_partition_keys == []
