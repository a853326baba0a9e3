"""Contexts (in runs and built by hand), direct invocation, partitions, executors and hooks."""

from __future__ import annotations

import types

import pytest

import headwater as dg
from headwater._plugins import get_plugin_manager
from headwater.execution.plan import build_execution_plan


def test_context_exposes_run_and_asset_information():
    seen = {}

    @dg.asset(key_prefix=["p"])
    def b(context: dg.AssetExecutionContext):
        seen.update(
            run_id=context.run_id,
            asset_key=context.asset_key,
            selected=context.selected_asset_keys,
            retry=context.retry_number,
            op=isinstance(context.op_execution_context, dg.OpExecutionContext),
            tags=context.run.tags,
            has_partition=context.has_partition_key,
            instance=context.instance,
        )
        return 1

    instance = dg.Instance.ephemeral()
    result = dg.materialize([b], tags={"t": "1"}, instance=instance)

    assert seen["run_id"] == result.run_id
    assert seen["asset_key"] == dg.AssetKey(["p", "b"])
    assert seen["selected"] == {dg.AssetKey(["p", "b"])}
    assert seen["retry"] == 0
    assert seen["op"]
    assert seen["tags"]["t"] == "1"
    assert seen["has_partition"] is False
    assert seen["instance"] is instance
    assert result.events_for_node("p__b")


def test_asset_key_on_a_multi_asset_context_is_an_error():
    @dg.multi_asset(outs={"m1": dg.AssetOut(), "m2": dg.AssetOut()})
    def two(context):
        context.asset_key  # noqa: B018 - the access raises
        return 1, 2

    with pytest.raises(dg.InvariantViolationError, match=r"Use context\.asset_keys"):
        dg.materialize([two])


def test_partitioned_run_exposes_the_partition():
    colors = dg.StaticPartitionsDefinition(["red", "blue"])

    @dg.asset(partitions_def=colors)
    def paint(context):
        return (context.partition_key, context.partition_keys, context.partition_key_range)

    @dg.asset(partitions_def=colors)
    def wall(paint):
        return paint[0]

    result = dg.materialize([paint, wall], partition_key="blue")

    key, keys, key_range = result.asset_value("paint")
    assert (key, keys) == ("blue", ["blue"])
    assert (key_range.start, key_range.end) == ("blue", "blue")
    assert result.asset_value("wall") == "blue"
    assert result.dagster_run.tags["dagster/partition"] == "blue"
    assert result.asset_materializations_for_node("wall")[0].partition == "blue"


def test_partition_key_for_unpartitioned_assets_is_an_error():
    @dg.asset
    def plain():
        return 1

    with pytest.raises(dg.InvalidDefinitionError, match="none of the assets selected"):
        dg.materialize([plain], partition_key="x")


def test_direct_invocation_returns_the_raw_value():
    @dg.asset
    def up():
        return 1

    @dg.asset
    def down(up):
        return dg.MaterializeResult(metadata={"v": up})

    assert up() == 1
    assert isinstance(down(5), dg.MaterializeResult)


class Store(dg.ConfigurableResource):
    name: str


def test_build_asset_context_with_resources_config_and_partition():
    @dg.asset
    def direct(context, store: Store):
        return (store.name, context.partition_key, context.op_config)

    with dg.build_asset_context(
        resources={"store": Store(name="s3")}, partition_key="2024-01-01", asset_config={"n": 1}
    ) as context:
        assert direct(context) == ("s3", "2024-01-01", {"n": 1})


def test_build_op_context_without_partition_refuses_partition_key():
    context = dg.build_op_context()
    with pytest.raises(dg.InvariantViolationError, match="not partitioned"):
        context.partition_key_range  # noqa: B018 - the access raises


def test_plan_levels_and_step_inputs():
    @dg.asset
    def r1():
        return 1

    @dg.asset
    def r2():
        return 2

    @dg.asset
    def joined(r1, r2):
        return r1 + r2

    plan = build_execution_plan([joined, r2, r1])

    levels = [[s.key for s in level] for level in plan.get_steps_to_execute_by_level()]
    assert levels == [["r1", "r2"], ["joined"]]
    step = plan.get_step("joined")
    assert [(i.name, i.source_step_key) for i in step.inputs] == [("r1", "r1"), ("r2", "r2")]


def test_executor_definitions_are_registered_and_configurable():
    assert get_plugin_manager().collect_registry("register_executors")["in_process"].value is (
        dg.in_process_executor
    )
    configured = dg.in_process_executor.configured({"retries": {"disabled": {}}})
    assert configured.config == {"retries": {"disabled": {}}}
    with pytest.raises(dg.InvalidConfigError, match="Unknown config field"):
        dg.in_process_executor.configured({"max_concurrent": 2})


def test_execute_step_wrapper_sees_every_step():
    seen = []

    plugin = types.ModuleType("step_tracer")

    @dg.hookimpl(wrapper=True)
    def execute_step(step, context):
        seen.append((step.key, context.retry_number))
        return (yield)

    plugin.execute_step = execute_step

    @dg.asset
    def one():
        return 1

    @dg.asset
    def two(one):
        return one

    manager = get_plugin_manager()
    manager.register(plugin, name="step_tracer")
    try:
        dg.materialize([one, two])
    finally:
        manager.unregister(plugin)
    assert seen == [("one", 0), ("two", 0)]


days = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")


@dg.asset(partitions_def=days)
def events(context):
    return f"events of {context.partition_key}"


@dg.asset(
    partitions_def=days,
    ins={
        "events": dg.AssetIn(
            partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
        )
    },
)
def previous_day(context, events):
    return (
        events,
        context.asset_partition_key_for_input("events"),
        context.partition_time_window.start.isoformat(),
    )


@dg.asset
def all_events(events):
    return events


def test_partition_mapping_chooses_the_upstream_partition():
    instance = dg.Instance.ephemeral()
    dg.materialize([events], partition_key="2024-01-01", instance=instance)

    result = dg.materialize(
        [events, previous_day],
        partition_key="2024-01-02",
        selection=["previous_day"],
        instance=instance,
    )

    assert result.asset_value("previous_day") == (
        "events of 2024-01-01",
        "2024-01-01",
        "2024-01-02T00:00:00+00:00",
    )


def test_unpartitioned_asset_reads_every_upstream_partition():
    instance = dg.Instance.ephemeral()
    for day in ("2024-01-01", "2024-01-02"):
        dg.materialize([events], partition_key=day, instance=instance)

    result = dg.materialize([events, all_events], selection=["all_events"], instance=instance)

    assert result.asset_value("all_events") == {
        "2024-01-01": "events of 2024-01-01",
        "2024-01-02": "events of 2024-01-02",
    }
