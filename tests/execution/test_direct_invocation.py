"""Calling asset and op functions directly, and the contexts they get in and out of runs."""

from contextlib import contextmanager

import pytest

import headwater as dg


class Cfg(dg.Config):
    n: int = 2


class Counter(dg.ConfigurableResource):
    v: int = 1


@dg.asset
def withcfg(config: Cfg):
    return config.n


@dg.asset
def withres(res: Counter):
    return res.v


def test_config_parameter_accepts_an_instance_a_mapping_defaults_or_the_context():
    assert withcfg(Cfg(n=7)) == 7
    assert withcfg(config=Cfg(n=7)) == 7
    assert withcfg() == 2
    assert withcfg(config={"n": 5}) == 5
    assert withcfg(dg.build_asset_context(asset_config={"n": 6})) == 6


def test_bad_config_in_a_direct_call_names_the_field():
    with pytest.raises(dg.InvalidConfigError, match=r"withcfg\.config\.n: expected int"):
        withcfg(config={"n": "x"})

    @dg.asset(config_schema={"n": int})
    def legacy(context):
        return context.op_config["n"]

    assert legacy(dg.build_asset_context(asset_config={"n": 3})) == 3
    with pytest.raises(dg.InvalidConfigError, match=r"legacy\.config\.n: missing required"):
        legacy(dg.build_asset_context())


def test_context_supplies_resources_and_config_to_functions_without_a_context_parameter():
    assert withres(dg.build_asset_context(resources={"res": Counter(v=5)})) == 5


def test_context_config_and_resources_together():
    @dg.asset
    def both(context, config: Cfg, res: Counter):
        return (config.n, res.v, context.resources.res.v, context.op_config)

    context = dg.build_asset_context(resources={"res": Counter(v=9)})
    assert both(context, Cfg(n=8)) == (8, 9, 9, {"n": 8})


def test_resources_passed_as_arguments_are_set_up_and_torn_down_around_the_call():
    calls = []

    class Conn(dg.ConfigurableResource):
        url: str = "default"

        def setup_for_execution(self, context) -> None:
            calls.append(f"setup {self.url}")

        def teardown_after_execution(self, context) -> None:
            calls.append(f"teardown {self.url}")

    class Client:
        def __init__(self, url):
            self.url = url

    class ClientFactory(dg.ConfigurableResource):
        url: str

        @contextmanager
        def yield_for_execution(self, context):
            calls.append("enter")
            yield Client(self.url)
            calls.append("exit")

    @dg.asset
    def a(context, conn: Conn, client: ClientFactory):
        calls.append(f"call {conn.url} {type(client).__name__} {context.resources.client.url}")
        return 1

    assert a(dg.build_asset_context(), conn=Conn(), client=ClientFactory(url="c")) == 1
    assert calls == ["enter", "setup default", "call default Client c", "teardown default", "exit"]


def test_resources_of_a_generator_are_torn_down_after_iteration():
    calls = []

    class Conn(dg.ConfigurableResource):
        def teardown_after_execution(self, context) -> None:
            calls.append("teardown")

    @dg.asset
    def gen(conn: Conn):
        calls.append("body")
        yield dg.Output(1)

    outputs = gen(conn=Conn())
    assert calls == []
    assert [o.value for o in outputs] == [1]
    assert calls == ["body", "teardown"]


def test_missing_required_resource_key_is_a_definition_error_naming_the_key():
    @dg.asset(required_resource_keys={"foo"})
    def needs_foo(context):
        return context.resources.foo

    assert needs_foo(dg.build_asset_context(resources={"foo": "bar"})) == "bar"
    with pytest.raises(dg.InvalidDefinitionError, match="resource with key 'foo' required by"):
        needs_foo(dg.build_asset_context())


def test_direct_context_has_an_instance_and_records_logged_events():
    @dg.asset
    def observed(context):
        context.log_event(dg.AssetObservation(asset_key="observed", metadata={"q": 1}))
        context.log_event(dg.AssetMaterialization(asset_key="observed"))
        context.add_asset_metadata({"rows": 2})
        return isinstance(context.instance, dg.DagsterInstance)

    with dg.build_asset_context() as context:
        assert observed(context) is True
        assert [type(e).__name__ for e in context.get_events()] == [
            "AssetObservation",
            "AssetMaterialization",
        ]
        assert context.get_output_metadata("result") == {"rows": 2}


def test_time_partitioned_asset_called_directly_has_a_time_window():
    @dg.asset(partitions_def=dg.DailyPartitionsDefinition("2024-01-01"))
    def daily(context):
        return (
            str(context.partition_time_window.start),
            context.asset_partition_key_for_output(),
            str(context.asset_partitions_time_window_for_output().end),
        )

    context = dg.build_asset_context(partition_key="2024-01-05")
    assert daily(context) == (
        "2024-01-05 00:00:00+00:00",
        "2024-01-05",
        "2024-01-06 00:00:00+00:00",
    )


def test_one_context_can_be_passed_to_several_functions():
    @dg.asset
    def first(context):
        return (context.asset_key, context.op_def.name, context.describe_op())

    @dg.op
    def second(context):
        return (context.has_assets_def, context.op.name, context.describe_op())

    context = dg.build_asset_context()
    assert first(context) == (dg.AssetKey("first"), "first", 'op "first"')
    assert second(context) == (False, "second", 'op "second"')
    assert first(context)[0] == dg.AssetKey("first")


def test_positional_arguments_follow_the_parameters_after_the_context():
    @dg.asset
    def mixed(a, res: Counter, b):
        return (a, res.v, b)

    assert mixed(1, Counter(v=4), 2) == (1, 4, 2)
    with pytest.raises(dg.InvalidInvocationError, match="3 positional argument"):
        mixed(1, Counter(), 2, 3)


def test_run_context_members_for_outputs_inputs_and_the_op():
    daily = dg.DailyPartitionsDefinition("2024-01-01")
    seen = {}

    @dg.asset(partitions_def=daily)
    def up():
        return 1

    @dg.asset(partitions_def=daily)
    def down(context: dg.AssetExecutionContext, up, config: Cfg):
        op_context = context.op_execution_context
        seen.update(
            key_out=context.asset_key_for_output(),
            op_key_out=op_context.asset_key_for_output(),
            key_in=context.asset_key_for_input("up"),
            output=context.output_for_asset_key(dg.AssetKey("down")),
            subset=(context.is_subset, op_context.is_subset),
            op=(context.op.name, op_context.op_def.name, context.node_handle),
            describe=context.describe_op(),
            mapping=context.get_mapping_key(),
            part_out=context.asset_partition_key_for_output(),
            keys_out=context.asset_partition_keys_for_output(),
            range_out=context.asset_partition_key_range_for_output(),
            def_out=context.asset_partitions_def_for_output(),
            def_in=context.asset_partitions_def_for_input("up"),
            run_config=context.run_config,
        )
        context.add_asset_metadata({"m": 1})
        return up

    config = {"ops": {"down": {"config": {"n": 3}}}}
    result = dg.materialize([up, down], partition_key="2024-01-05", run_config=config)
    assert seen == {
        "key_out": dg.AssetKey("down"),
        "op_key_out": dg.AssetKey("down"),
        "key_in": dg.AssetKey("up"),
        "output": "result",
        "subset": (False, False),
        "op": ("down", "down", "down"),
        "describe": 'op "down"',
        "mapping": None,
        "part_out": "2024-01-05",
        "keys_out": ["2024-01-05"],
        "range_out": dg.PartitionKeyRange("2024-01-05", "2024-01-05"),
        "def_out": daily,
        "def_in": daily,
        "run_config": config,
    }
    [materialization] = result.asset_materializations_for_node("down")
    assert materialization.metadata["m"].value == 1


def test_subset_multi_asset_context():
    seen = {}

    @dg.multi_asset(
        outs={"x": dg.AssetOut(is_required=False), "y": dg.AssetOut(is_required=False)},
        can_subset=True,
    )
    def pair(context: dg.AssetExecutionContext):
        seen["subset"] = context.is_subset
        context.add_asset_metadata({"z": 1})
        with pytest.raises(dg.InvariantViolationError, match="materializes \\['x'\\]"):
            context.add_asset_metadata({"z": 1}, asset_key="y")
        with pytest.raises(dg.InvariantViolationError, match="materializes no asset"):
            context.asset_key_for_output()
        yield dg.Output(1, output_name="x")

    result = dg.materialize([pair], selection=["x"])
    assert seen["subset"] is True
    [materialization] = result.asset_materializations_for_node("pair")
    assert materialization.metadata["z"].value == 1
