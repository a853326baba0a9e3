"""Run config, resources, multi-asset subsetting and asset checks, through materialize()."""

from __future__ import annotations

import pytest

import headwater as dg


class LimitConfig(dg.Config):
    limit: int


@dg.asset
def limited(config: LimitConfig):
    return config.limit


ran = []


@dg.asset
def side_effect():
    ran.append(1)
    return 1


def test_config_class_parameter_gets_run_config():
    result = dg.materialize([limited], run_config={"ops": {"limited": {"config": {"limit": 3}}}})
    assert result.asset_value("limited") == 3


def test_run_config_object():
    result = dg.materialize(
        [limited], run_config=dg.RunConfig(ops={"limited": LimitConfig(limit=5)})
    )
    assert result.asset_value("limited") == 5


@pytest.mark.parametrize(
    ("run_config", "message"),
    [
        ({}, r"\$\.ops\.limited\.config\.limit: missing required field"),
        ({"ops": {"limited": {"config": {"limit": "x"}}}}, r"limit: expected int, got 'x'"),
        (
            {"ops": {"limited": {"config": {"limit": 1, "extra": 2}}}},
            r"unknown field 'extra'",
        ),
    ],
)
def test_bad_config_fails_before_any_step_runs(run_config, message):
    ran.clear()
    instance = dg.Instance.ephemeral()
    with pytest.raises(dg.InvalidConfigError, match=message):
        dg.materialize([side_effect, limited], run_config=run_config, instance=instance)
    assert ran == []
    assert instance.get_runs() == []


class Greeting(dg.ConfigurableResource):
    word: str = "hello"


@dg.asset
def greet(greeting: Greeting):
    return greeting.word


@dg.asset(required_resource_keys={"greeting"})
def greet_by_key(context):
    return context.resources.greeting.word


def test_resources_by_parameter_and_by_key():
    result = dg.materialize([greet, greet_by_key], resources={"greeting": Greeting(word="hi")})
    assert result.asset_value("greet") == "hi"
    assert result.asset_value("greet_by_key") == "hi"


def test_missing_resource_names_the_op_and_key_before_the_run():
    instance = dg.Instance.ephemeral()
    with pytest.raises(
        dg.InvalidDefinitionError,
        match="resource with key 'greeting' required by op 'greet' was not provided",
    ):
        dg.materialize([greet], instance=instance)
    assert instance.get_runs() == []


def test_resource_events_are_recorded():
    result = dg.materialize([greet], resources={"greeting": Greeting()})
    types = [e.event_type_value for e in result.all_events]
    assert types.index("RESOURCE_INIT_STARTED") < types.index("RESOURCE_INIT_SUCCESS")
    assert types.index("RESOURCE_INIT_SUCCESS") < types.index("STEP_START")


@dg.multi_asset(
    outs={"o1": dg.AssetOut(is_required=False), "o2": dg.AssetOut(is_required=False)},
    can_subset=True,
)
def subsettable(context):
    for key in sorted(context.selected_asset_keys):
        yield dg.MaterializeResult(asset_key=key, value=key.to_user_string())


@dg.multi_asset(outs={"r1": dg.AssetOut(), "r2": dg.AssetOut()}, can_subset=True)
def required_outs(context):
    for key in context.selected_asset_keys:
        yield dg.Output(1, output_name=key.path[-1])


def test_subset_of_multi_asset_runs_only_selected_outputs():
    result = dg.materialize([subsettable], selection=["o1"])

    assert result.asset_value("o1") == "o1"
    assert [m.asset_key for m in result.asset_materializations_for_node("subsettable")] == [
        dg.AssetKey("o1")
    ]


def test_selected_output_names_is_deprecated_on_the_asset_context():
    seen = {}

    @dg.multi_asset(
        outs={"p": dg.AssetOut(is_required=False), "q": dg.AssetOut(is_required=False)},
        can_subset=True,
    )
    def names(context):
        seen["op"] = context.op_execution_context.selected_output_names
        with pytest.warns(DeprecationWarning, match="selected_output_names is deprecated"):
            seen["asset"] = context.selected_output_names
        yield dg.Output(1, output_name="q")

    dg.materialize([names], selection=["q"])
    assert seen == {"op": frozenset({"q"}), "asset": frozenset({"q"})}


def test_tuple_return_fills_outputs_in_order():
    @dg.multi_asset(outs={"first": dg.AssetOut(), "second": dg.AssetOut()})
    def pair():
        return 1, 2

    result = dg.materialize([pair])
    assert (result.asset_value("first"), result.asset_value("second")) == (1, 2)


def test_selecting_part_of_a_non_subsettable_multi_asset_is_an_error():
    @dg.multi_asset(outs={"x1": dg.AssetOut(), "x2": dg.AssetOut()})
    def whole():
        return 1, 2

    with pytest.raises(dg.InvalidDefinitionError, match="does not support subsetting"):
        dg.materialize([whole], selection=["x1"])


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="checked")])
def checked():
    return dg.MaterializeResult(
        value=5, check_results=[dg.AssetCheckResult(passed=True, metadata={"v": 5})]
    )


@dg.asset_check(asset=checked)
def small(checked):
    return dg.AssetCheckResult(passed=checked < 10)


def test_checks_are_planned_and_evaluated():
    result = dg.materialize([checked, small])

    evaluations = {
        (e.asset_key, e.check_name): e.passed for e in result.get_asset_check_evaluations()
    }
    assert evaluations == {
        (dg.AssetKey("checked"), "positive"): True,
        (dg.AssetKey("checked"), "small"): True,
    }
    # The instance writes the planned events when it creates the run, outside the result.
    planned = [
        e
        for e in result.instance.all_logs(result.run_id)
        if e.dagster_event and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION_PLANNED"
    ]
    assert len(planned) == 2
    assert [e.event_type_value for e in result.events_for_node("checked")] == [
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_OUTPUT",
        "ASSET_CHECK_EVALUATION",
        "STEP_SUCCESS",
    ]


def test_failed_blocking_check_in_the_asset_step_stops_downstream():
    @dg.asset(check_specs=[dg.AssetCheckSpec("nonneg", asset="source", blocking=True)])
    def source():
        return dg.MaterializeResult(value=-1, check_results=[dg.AssetCheckResult(passed=False)])

    @dg.asset
    def consumer(source):
        return source

    result = dg.materialize([source, consumer], raise_on_error=False)

    assert result.get_failed_step_keys() == {"source"}
    assert result.events_for_node("consumer") == []
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed


def test_failed_standalone_blocking_check_stops_downstream():
    @dg.asset
    def base():
        return 1

    @dg.asset_check(asset=base, blocking=True)
    def never_ok(base):
        return dg.AssetCheckResult(passed=False)

    @dg.asset
    def uses_base(base):
        return base

    result = dg.materialize([base, never_ok, uses_base], raise_on_error=False)

    assert result.get_failed_step_keys() == {"base_never_ok"}
    assert result.events_for_node("uses_base") == []


def test_non_blocking_failed_check_lets_the_run_succeed():
    @dg.asset
    def base2():
        return 1

    @dg.asset_check(asset=base2)
    def soft(base2):
        return dg.AssetCheckResult(passed=False)

    @dg.asset
    def uses_base2(base2):
        return base2

    result = dg.materialize([base2, soft, uses_base2])
    assert result.success
    assert result.asset_value("uses_base2") == 1


def test_two_blocking_checks_on_one_asset_both_run():
    @dg.asset
    def x():
        return 5

    @dg.asset_check(asset=x, blocking=True)
    def c1(x):
        return dg.AssetCheckResult(passed=True)

    @dg.asset_check(asset=x, blocking=True)
    def c2(x):
        return dg.AssetCheckResult(passed=True)

    @dg.asset
    def after(x):
        return x

    result = dg.materialize([x, c1, c2, after])
    succeeded = [e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]
    assert succeeded[0] == "x"
    assert succeeded[-1] == "after"
    assert sorted(succeeded[1:3]) == ["x_c1", "x_c2"]


# -- missing resources are definition errors ------------------------------------------------


@dg.asset(required_resource_keys={"foo"})
def needs_foo(context):
    return 1


@dg.asset
def plain():
    return 1


def _missing_foo(defs_call):
    with pytest.raises(dg.DagsterInvalidDefinitionError) as info:
        defs_call()
    assert str(info.value).startswith(
        "resource with key 'foo' required by op 'needs_foo' was not provided."
    )
    assert str(info.value).endswith("(needed for asset needs_foo)")


def test_missing_resource_fails_every_job_resolution_but_not_definitions():
    defs = dg.Definitions(
        assets=[needs_foo, plain], jobs=[dg.define_asset_job("j", selection=[plain])]
    )
    _missing_foo(lambda: defs.get_job_def("j"))
    _missing_foo(defs.get_implicit_global_asset_job_def)
    _missing_foo(defs.resolve_all_job_defs)
    _missing_foo(lambda: dg.Definitions.validate_loadable(defs))
    with_foo = dg.Definitions(assets=[needs_foo, plain], resources={"foo": 1})
    dg.Definitions.validate_loadable(with_foo)


def test_missing_io_manager_of_an_output_is_a_definition_error():
    @dg.asset(io_manager_key="my_io")
    def stored():
        return 1

    defs = dg.Definitions(assets=[stored])
    with pytest.raises(dg.DagsterInvalidDefinitionError) as info:
        dg.Definitions.validate_loadable(defs)
    assert str(info.value) == (
        "io manager with key 'my_io' required by output 'result' of op 'stored' was not "
        "provided. Please provide an IO manager to key 'my_io', or change the required key to "
        "one of the following keys which points to an IO manager: ['io_manager'] (needed for "
        "asset stored)"
    )
    # An IO manager only swapped in for the run is enough for materialize_to_memory.
    assert dg.materialize_to_memory([stored]).asset_value("stored") == 1


def test_missing_io_manager_of_a_loaded_source_asset():
    @dg.asset
    def reader(src):
        return src

    defs = dg.Definitions(assets=[dg.AssetSpec("src").with_io_manager_key("src_io"), reader])
    with pytest.raises(
        dg.DagsterInvalidDefinitionError,
        match=r"^io manager with key 'src_io' required by source asset src was not provided",
    ):
        defs.get_implicit_global_asset_job_def()


def test_missing_dependency_of_a_resource_fails_before_the_run():
    needs_base = dg.ResourceDefinition(lambda ctx: 1, required_resource_keys={"base"})
    instance = dg.Instance.ephemeral()
    with pytest.raises(
        dg.DagsterInvalidDefinitionError,
        match=r"^resource with key 'base' required by resource with key 'dep' was not provided",
    ):
        dg.materialize([plain], resources={"dep": needs_base}, instance=instance)
    assert instance.get_runs() == []


def test_a_bad_job_does_not_stop_the_others_from_resolving():
    defs = dg.Definitions(
        assets=[plain],
        jobs=[
            dg.define_asset_job("good", selection=["plain"]),
            dg.define_asset_job("bad", selection=["nope"]),
        ],
    )
    assert defs.resolve_job_def("good").execute_in_process().success
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="Failed to resolve asset job bad"):
        defs.resolve_job_def("bad")
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="Failed to resolve asset job bad"):
        dg.Definitions.validate_loadable(defs)


class Window(dg.Config):
    days: int = 7


def test_op_config_is_plain_data_while_the_parameter_is_the_config_object():
    seen = {}

    @dg.asset
    def trailing(context: dg.AssetExecutionContext, config: Window):
        seen["param"], seen["op_config"] = config, context.op_config
        return config.days

    dg.materialize_to_memory([trailing], run_config={"ops": {"trailing": {"config": {"days": 3}}}})
    assert isinstance(seen["param"], Window)
    assert seen["param"].days == 3
    assert seen["op_config"] == {"days": 3}


def test_failed_warn_check_does_not_block_downstream():
    @dg.asset
    def raw_rows():
        return [1]

    @dg.asset_check(asset=raw_rows, blocking=True)
    def not_empty_warn():
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)

    @dg.asset
    def report(raw_rows):
        return len(raw_rows)

    result = dg.materialize_to_memory([raw_rows, not_empty_warn, report])
    assert result.success
    assert result.asset_value("report") == 1
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed


def test_a_resource_that_is_not_an_io_manager_is_refused_before_the_run():
    @dg.asset
    def stored():
        return 1

    with dg.instance_for_test() as instance:
        with pytest.raises(
            dg.InvalidDefinitionError, match="'io_manager' is used as an IO manager"
        ):
            dg.materialize([stored], instance=instance, resources={"io_manager": 5})
        assert instance.get_runs() == []


def test_materialize_checks_io_managers_of_unselected_upstreams_before_the_run():
    @dg.asset(io_manager_key="warehouse")
    def upstream_table():
        return 1

    @dg.asset
    def downstream(upstream_table):
        return upstream_table

    with dg.instance_for_test() as instance:
        with pytest.raises(dg.InvalidDefinitionError, match=r"'warehouse'.*upstream_table"):
            dg.materialize(
                [upstream_table, downstream], instance=instance, selection=["downstream"]
            )
        assert instance.get_runs() == []
    # In memory, every IO manager key is served by the in-memory manager.
    result = dg.materialize_to_memory([upstream_table, downstream])
    assert result.asset_value("downstream") == 1
