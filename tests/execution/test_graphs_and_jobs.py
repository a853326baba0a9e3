"""Ops composed into graphs, graph-backed assets and op jobs, through the public API."""

from __future__ import annotations

import pickle

import pytest

import headwater as dg
from headwater.execution.plan import build_execution_plan


@dg.asset
def p():
    return 1


@dg.op
def o1(x):
    return x + 1


@dg.op
def o2(y):
    return y * 10


@dg.graph_asset
def ga(p):
    return o2(o1(p))


@dg.asset(key_prefix="pp")
def b(ga):
    return ga + 1


class Start(dg.Config):
    n: int


class Store(dg.ConfigurableResource):
    prefix: str


@dg.op
def start(config: Start):
    return config.n


@dg.op(out={"x": dg.Out(), "y": dg.Out()})
def split(v):
    return v, v * 2


def _levels(*assets):
    job = dg.Definitions(assets=list(assets)).get_implicit_global_asset_job_def()
    plan = build_execution_plan(job.assets_defs, all_assets_defs=job.asset_graph.assets_defs)
    return [[step.key for step in level] for level in plan.get_steps_to_execute_by_level()]


# -- graph assets -------------------------------------------------------------------------------


def test_graph_asset_steps_are_named_graph_dot_op():
    assert _levels(p, ga, b) == [["p"], ["ga.o1"], ["ga.o2"], ["pp__b"]]


def test_graph_asset_definition_shape():
    assert isinstance(ga.node_def, dg.GraphDefinition)
    assert ga.key == dg.AssetKey("ga")
    assert ga.keys_by_input_name == {"p": dg.AssetKey("p")}
    assert ga.asset_deps == {dg.AssetKey("ga"): frozenset({dg.AssetKey("p")})}
    assert [d.name for d in ga.node_def.node_defs] == ["o1", "o2"]


def test_graph_asset_materializes_last_op_output_and_stores_inner_values_per_run(tmp_path):
    io_manager = dg.FilesystemIOManager(base_dir=str(tmp_path))
    result = dg.materialize([p, ga, b], resources={"io_manager": io_manager})
    assert result.success
    assert result.asset_value("ga") == 20
    assert result.asset_value(["pp", "b"]) == 21
    assert result.output_for_node("ga.o1") == 2
    # The inner op's output is not an asset: it lives under the run id and step key.
    assert (tmp_path / result.run_id / "ga.o1" / "result").is_file()
    assert (tmp_path / "ga").is_file()
    materialized = result.asset_materializations_for_node("ga.o2")
    assert [m.asset_key for m in materialized] == [dg.AssetKey("ga")]
    assert result.asset_materializations_for_node("ga.o1") == []


def test_graph_asset_key_prefix_group_and_ins():
    @dg.graph_asset(
        key_prefix=["warehouse"],
        group_name="marts",
        ins={"upstream": dg.AssetIn(key="p")},
        metadata={"owner": "data"},
    )
    def scaled(upstream):
        return o2(upstream)

    assert scaled.key == dg.AssetKey(["warehouse", "scaled"])
    assert scaled.group_names_by_key[scaled.key] == "marts"
    assert scaled.keys_by_input_name == {"upstream": dg.AssetKey("p")}
    result = dg.materialize_to_memory([p, scaled])
    assert result.asset_value(["warehouse", "scaled"]) == 10
    # The graph node is named after the key, like an @asset's op: steps are "warehouse__scaled.*".
    assert scaled.node_def.name == "warehouse__scaled"
    assert result.output_for_node("warehouse__scaled.o2") == 10


def test_graph_asset_rejects_key_with_name():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="Cannot specify a name or key"):
        dg.graph_asset(key="k", name="n")


def test_graph_asset_with_partitions():
    daily = dg.StaticPartitionsDefinition(["a", "b"])

    @dg.op
    def tag(context):
        return context.partition_key

    @dg.graph_asset(partitions_def=daily)
    def part():
        return tag()

    result = dg.materialize_to_memory([part], partition_key="b")
    assert result.asset_value("part") == "b"
    [mat] = result.asset_materializations_for_node("part.tag")
    assert mat.partition == "b"


def test_nested_graph_inside_graph_asset():
    @dg.graph
    def twice(v):
        return o1(o1(v))

    @dg.graph_asset
    def nested(p):
        return o2(twice(p))

    result = dg.materialize_to_memory([p, nested])
    assert result.asset_value("nested") == 30
    assert result.output_for_node("nested.twice.o1_2") == 3
    assert _levels(p, nested) == [["p"], ["nested.twice.o1"], ["nested.twice.o1_2"], ["nested.o2"]]


def test_graph_multi_asset_with_config_for_inner_ops():
    @dg.graph_multi_asset(outs={"gx": dg.AssetOut(), "gy": dg.AssetOut(key_prefix="k")})
    def gm():
        x, y = split(start())
        return {"gx": o1(x), "gy": y}

    assert gm.keys == {dg.AssetKey("gx"), dg.AssetKey(["k", "gy"])}
    result = dg.materialize_to_memory(
        [gm], run_config={"ops": {"gm": {"ops": {"start": {"config": {"n": 3}}}}}}
    )
    assert result.asset_value("gx") == 4
    assert result.asset_value(["k", "gy"]) == 6
    with pytest.raises(dg.DagsterInvalidConfigError, match=r"\$\.ops\.gm\.start"):
        dg.materialize_to_memory([gm])


def test_graph_multi_asset_subset_runs_only_the_needed_ops():
    @dg.op(out={"x": dg.Out(is_required=False), "y": dg.Out(is_required=False)})
    def fork(context):
        if "x" in context.selected_output_names:
            yield dg.Output(1, "x")
        yield dg.Output(2, "y")

    @dg.op
    def plus_one(v):
        return v + 1

    @dg.graph_multi_asset(
        outs={"sx": dg.AssetOut(is_required=False), "sy": dg.AssetOut(is_required=False)},
        can_subset=True,
    )
    def sub():
        x, y = fork()
        return {"sx": plus_one(x), "sy": y}

    result = dg.materialize_to_memory([sub], selection=["sy"])
    assert result.success
    assert [e.step_key for e in result.get_step_success_events()] == ["sub.fork"]
    assert result.asset_value("sy") == 2


def test_graph_multi_asset_without_can_subset_cannot_be_split():
    @dg.graph_multi_asset(outs={"mx": dg.AssetOut(), "my": dg.AssetOut()})
    def whole():
        x, y = split(start())
        return {"mx": x, "my": y}

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="does not support subsetting"):
        dg.materialize_to_memory([whole], selection=["mx"])


def test_graph_multi_asset_returned_outputs_must_match_outs():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=r"returned outputs \['a'\]"):

        @dg.graph_multi_asset(outs={"a": dg.AssetOut(), "c": dg.AssetOut()})
        def wrong():
            return {"a": o1(start())}


def test_from_graph_and_from_op_end_to_end():
    @dg.graph
    def chain(raw):
        return o2(o1(raw))

    chained = dg.AssetsDefinition.from_graph(
        chain,
        keys_by_input_name={"raw": dg.AssetKey("p")},
        keys_by_output_name={"result": dg.AssetKey("chained")},
        group_name="g",
    )
    plus = dg.AssetsDefinition.from_op(
        o1,
        keys_by_input_name={"x": dg.AssetKey("chained")},
        keys_by_output_name={"result": dg.AssetKey("plus")},
    )
    result = dg.materialize_to_memory([p, chained, plus])
    assert result.asset_value("chained") == 20
    assert result.asset_value("plus") == 21
    assert chained.group_names_by_key[dg.AssetKey("chained")] == "g"
    assert _levels(p, chained, plus) == [["p"], ["chain.o1"], ["chain.o2"], ["o1"]]


def test_graph_asset_cannot_be_called_directly():
    with pytest.raises(dg.DagsterInvalidInvocationError, match="outside a graph function"):
        ga(1)


def test_direct_asset_call_binds_the_context():
    @dg.asset
    def keyed(context):
        return context.asset_key.to_user_string()

    assert keyed(dg.build_asset_context()) == "keyed"


def test_module_level_graph_asset_pickles_by_reference():
    assert pickle.loads(pickle.dumps(ga)) is ga


# -- graphs and op jobs -------------------------------------------------------------------------


@dg.op
def emit():
    return 5


@dg.op
def add(a, b):
    return a + b


@dg.job
def arithmetic():
    x, y = split(emit())
    add(x, y)


def test_job_runs_ops_in_dependency_order():
    result = arithmetic.execute_in_process()
    assert result.success
    assert [e.step_key for e in result.get_step_success_events()] == ["emit", "split", "add"]
    assert result.output_for_node("add") == 15
    assert result.output_for_node("split", "y") == 10
    assert result.dagster_run.job_name == "arithmetic"


def test_reused_op_gets_numbered_node_names():
    @dg.job
    def reuse():
        add(add(emit(), emit()), emit())

    result = reuse.execute_in_process()
    assert result.output_for_node("add_2") == 15
    assert sorted(n.name for n in reuse.graph_def.nodes.values()) == [
        "add",
        "add_2",
        "emit",
        "emit_2",
        "emit_3",
    ]


def test_job_op_config_from_run_config_and_job_default():
    @dg.op(config_schema={"name": str})
    def greet(context):
        return f"hello {context.op_config['name']}"

    @dg.job(config={"ops": {"greet": {"config": {"name": "default"}}}}, tags={"team": "a"})
    def greeting():
        o1(start())
        greet()

    result = greeting.execute_in_process(
        run_config={"ops": {"start": {"config": {"n": 1}}, "greet": {"config": {"name": "ann"}}}}
    )
    assert result.output_for_node("greet") == "hello ann"
    assert result.output_for_node("o1") == 2
    assert result.dagster_run.tags["team"] == "a"
    with pytest.raises(dg.DagsterInvalidConfigError, match=r"\$\.ops\.start"):
        greeting.execute_in_process()


def test_job_resources_and_failure_result():
    @dg.op
    def use(store: Store):
        return store.prefix + "!"

    @dg.op
    def boom(value):
        raise ValueError(f"bad {value}")

    @dg.job(resource_defs={"store": Store(prefix="s")})
    def fragile():
        boom(use())

    result = fragile.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.output_for_node("use") == "s!"
    assert result.get_failed_step_keys() == {"boom"}
    with pytest.raises(ValueError, match="bad s!"):
        fragile.execute_in_process()


def test_job_missing_resource_is_reported_before_running():
    @dg.op
    def use(store: Store):
        return store.prefix

    @dg.job
    def needs_store():
        use()

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="'store'"):
        needs_store.execute_in_process()
    assert needs_store.execute_in_process(resources={"store": Store(prefix="x")}).success


def test_graph_to_job_and_execute_in_process():
    @dg.graph
    def pipeline():
        return o2(o1(emit()))

    assert pipeline.execute_in_process().output_for_node("o2") == 60
    as_job = pipeline.to_job(name="pipeline_job", tags={"k": "v"})
    assert isinstance(as_job, dg.JobDefinition)
    result = as_job.execute_in_process()
    assert result.dagster_run.job_name == "pipeline_job"
    assert result.dagster_run.tags["k"] == "v"


def test_graph_with_declared_outputs_and_nested_graph_in_job():
    @dg.graph(out={"low": dg.GraphOut(), "high": dg.GraphOut()})
    def both(v):
        x, y = split(v)
        return x, y

    @dg.job
    def outer():
        low, high = both(emit())
        add(low, high)

    assert outer.execute_in_process().output_for_node("add") == 15
    assert set(outer.graph_def.nodes) == {"emit", "both", "add"}


def test_job_with_unfed_graph_input_is_rejected():
    @dg.graph
    def needs_input(v):
        return o1(v)

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="input 'v'"):
        needs_input.to_job()


def test_constant_argument_inside_graph_is_rejected():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="got 3"):

        @dg.job
        def constant():
            o1(3)


def test_conflicting_op_names_in_one_graph():
    @dg.op(name="o1")
    def other(x):
        return x

    with pytest.raises(dg.DagsterInvalidDefinitionError, match='same name "o1"'):

        @dg.job
        def clash():
            other(o1(emit()))


def test_graph_called_outside_composition_explains():
    @dg.graph
    def g():
        emit()

    with pytest.raises(dg.DagsterInvalidInvocationError, match="execute_in_process"):
        g()


def test_ops_still_run_when_called_directly():
    assert add(1, 2) == 3


def test_definitions_hold_op_jobs_and_asset_jobs():
    @dg.op
    def read(store: Store):
        return store.prefix

    @dg.job
    def reads():
        read()

    defs = dg.Definitions(
        assets=[p, ga],
        jobs=[reads, dg.define_asset_job("assets_job", selection=["p", "ga"])],
        resources={"store": Store(prefix="from-defs")},
    )
    op_job = defs.get_job_def("reads")
    assert isinstance(op_job, dg.JobDefinition)
    assert op_job.execute_in_process().output_for_node("read") == "from-defs"
    asset_job = defs.get_job_def("assets_job")
    assert isinstance(asset_job, dg.JobDefinition)
    result = asset_job.execute_in_process(resources={"io_manager": dg.InMemoryIOManager()})
    assert result.success
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [
        dg.AssetKey("p"),
        dg.AssetKey("ga"),
    ]
    assert result.asset_value("ga") == 20


def test_duplicate_job_names_in_definitions():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="Duplicate definition found"):
        dg.Definitions(jobs=[arithmetic, arithmetic.graph_def.to_job()]).get_job_def("x")


# -- ordering-only (Nothing) inputs ---------------------------------------------------------


@dg.op
def first():
    return None


@dg.op(out=dg.Out(dg.Nothing))
def side():
    pass


@dg.op(ins={"start": dg.In(dg.Nothing)})
def after_start():
    return 2


@dg.op(ins={"start": dg.In(dg.Nothing)})
def add_one(x):
    return x + 1


@dg.op
def one():
    return 1


def test_nothing_input_needs_no_parameter_and_orders_the_op():
    @dg.job
    def ordered():
        after_start(start=first())
        add_one(one(), side())

    result = ordered.execute_in_process()
    assert result.output_for_node("after_start") == 2
    # Positional arguments fill the function's parameters first, then the Nothing inputs.
    assert result.output_for_node("add_one") == 2
    steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]
    assert steps.index("first") < steps.index("after_start")
    assert steps.index("side") < steps.index("add_one")


def test_a_parameter_for_a_nothing_input_is_rejected():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=r"parameter 'start'.*Nothing"):

        @dg.op(ins={"start": dg.In(dg.Nothing)})
        def takes_start(start):
            return 1


def test_direct_call_gets_no_value_for_a_nothing_input():
    assert add_one(3) == 4
    with pytest.raises(dg.DagsterInvalidInvocationError, match=r"Nothing input\(s\) \['start'\]"):
        add_one(x=3, start=None)


def test_asset_with_a_nothing_asset_in_has_no_parameter():
    @dg.asset(ins={"p": dg.AssetIn(dagster_type=dg.Nothing)})
    def after_p():
        return 2

    assert after_p.keys_by_input_name == {"p": dg.AssetKey("p")}
    assert dg.materialize([p, after_p]).asset_value("after_p") == 2
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="parameter 'p'"):

        @dg.asset(ins={"p": dg.AssetIn(dagster_type=dg.Nothing)})
        def reads_p(p):
            return p


class Factor(dg.Config):
    n: int


def test_prefixed_graph_asset_node_and_run_config_use_the_key():
    @dg.op
    def leaf(config: Factor):
        return config.n

    @dg.graph_asset(key_prefix="k")
    def ga():
        return leaf()

    assert ga.node_def.name == "k__ga"
    result = dg.materialize(
        [ga], run_config={"ops": {"k__ga": {"ops": {"leaf": {"config": {"n": 3}}}}}}
    )
    assert result.asset_value(["k", "ga"]) == 3
    steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]
    assert steps == ["k__ga.leaf"]


# -- execute_in_process: op_selection, asset_selection, run_id, input_values -------------------


@dg.op
def _sel_load():
    return 2


@dg.op
def _sel_double(x):
    return x * 2


@dg.op
def _sel_add(x):
    return x + 1


@dg.op
def _sel_alone():
    return 0


@dg.job
def _sel_job():
    _sel_add(_sel_double(_sel_load()))
    _sel_alone()


def _ran(result) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (["*_sel_add"], {"_sel_load", "_sel_double", "_sel_add"}),
        (["_sel_load+"], {"_sel_load", "_sel_double"}),
        (["_sel_load++"], {"_sel_load", "_sel_double", "_sel_add"}),
        (["_sel_alone", "_sel_load"], {"_sel_alone", "_sel_load"}),
        (["*"], {"_sel_load", "_sel_double", "_sel_add", "_sel_alone"}),
        ([], {"_sel_load", "_sel_double", "_sel_add", "_sel_alone"}),
    ],
)
def test_op_selection_runs_selected_ops(selection, expected):
    result = _sel_job.execute_in_process(op_selection=selection)
    assert _ran(result) == expected
    assert result.job_def.name == "_sel_job"


def test_op_selection_errors():
    with pytest.raises(dg.InvalidSubsetError, match="'nope' matches no op of job '_sel_job'"):
        _sel_job.execute_in_process(op_selection=["_sel_load*", "nope"])
    with pytest.raises(dg.InvalidConfigError, match="Select '_sel_load' too"):
        _sel_job.execute_in_process(op_selection=["_sel_double"])
    with pytest.raises(dg.InvalidInvocationError, match="list of op names"):
        _sel_job.execute_in_process(op_selection="_sel_load")


def test_run_id_and_input_values():
    import uuid

    run_id = str(uuid.uuid4())
    result = _sel_job.execute_in_process(run_id=run_id)
    assert result.run_id == run_id == result.dagster_run.run_id
    with pytest.raises(dg.InvalidInvocationError, match="UUID"):
        _sel_job.execute_in_process(run_id="not-a-uuid")
    with pytest.raises(dg.InvalidDefinitionError, match="no top-level input"):
        _sel_job.execute_in_process(input_values={"x": 1})


def test_asset_job_asset_selection():
    @dg.asset
    def up():
        return 1

    @dg.asset
    def down(up):
        return up + 1

    @dg.asset
    def other():
        return 0

    defs = dg.Definitions(
        assets=[up, down, other], jobs=[dg.define_asset_job("aj", selection=["up", "down"])]
    )
    job = defs.get_job_def("aj")
    result = job.execute_in_process(asset_selection=[dg.AssetKey("up")])
    assert _ran(result) == {"up"}
    assert result.dagster_run.asset_selection == {dg.AssetKey("up")}
    assert _ran(job.execute_in_process(asset_selection=[dg.AssetKey("other")])) == {"other"}
    with pytest.raises(dg.InvalidSubsetError, match=r"\['zz'\]"):
        job.execute_in_process(asset_selection=[dg.AssetKey("zz")])
    with pytest.raises(dg.InvalidInvocationError, match="list of AssetKey"):
        job.execute_in_process(asset_selection=["up"])
    assert _ran(job.execute_in_process(op_selection=["up*"])) == {"up", "down"}
    with pytest.raises(dg.InvalidSubsetError, match="'other' matches no op of job 'aj'"):
        job.execute_in_process(op_selection=["other"])
