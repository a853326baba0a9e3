"""The result object by node name, op jobs through execute_job, and resources at run start."""

from __future__ import annotations

import os
import sys

import pytest

import headwater as dg


@dg.op
def two():
    return 2


@dg.op
def plus_one(x):
    return x + 1


@dg.graph_asset
def ga():
    return plus_one(two())


@dg.asset
def doubled(ga):
    return ga * 2


@dg.graph
def inner():
    return plus_one(two())


@dg.job
def nested():
    plus_one(inner())


# -- graph nodes ------------------------------------------------------------------------------


def test_a_graph_asset_is_addressable_by_its_name():
    result = dg.materialize([ga, doubled])

    assert result.output_for_node("ga") == 3
    assert result.output_for_node("ga.two") == 2
    assert [m.asset_key for m in result.asset_materializations_for_node("ga")] == [
        dg.AssetKey("ga")
    ]
    assert [e.event_type_value for e in result.events_for_node("ga")] == [
        "STEP_START",
        "STEP_OUTPUT",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
        "STEP_START",
        "LOADED_INPUT",
        "STEP_INPUT",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
    ]
    assert result.is_node_success("ga")


def test_a_graph_inside_a_job_is_addressable_by_its_name():
    result = nested.execute_in_process()

    assert result.output_for_node("inner") == 3
    assert result.output_for_node("plus_one") == 4
    assert {e.step_key for e in result.events_for_node("inner")} == {
        "inner.two",
        "inner.plus_one",
    }
    with pytest.raises(dg.InvariantViolationError, match="has no output 'other'"):
        result.output_for_node("inner", "other")


# -- result methods ---------------------------------------------------------------------------


def test_node_status_and_failure_data():
    @dg.asset
    def broken():
        raise dg.Failure("nope", metadata={"m": 1})

    @dg.asset
    def after(broken):
        return broken

    @dg.asset
    def fine():
        return 1

    result = dg.materialize([broken, after, fine], raise_on_error=False)

    assert result.is_node_failed("broken")
    assert not result.is_node_success("broken")
    assert result.is_node_untouched("after")
    assert not result.is_node_skipped("after")
    assert result.is_node_success("fine")
    assert not result.is_node_untouched("fine")
    failure = result.failure_data_for_node("broken").user_failure_data
    assert (failure.description, failure.metadata["m"].value) == ("nope", 1)
    assert result.failure_data_for_node("fine") is None
    assert result.get_failed_step_keys() == {"broken"}
    assert result.job_def.name == "__ephemeral_asset_job__"
    with pytest.raises(dg.InvariantViolationError, match="did not succeed"):
        result.get_run_success_event()


def test_retry_attempts_are_counted_per_node():
    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky(context):
        if context.retry_number < 2:
            raise RuntimeError("transient")
        return 1

    result = dg.materialize([flaky])

    assert result.retry_attempts_for_node("flaky") == 2
    assert result.get_run_success_event().event_type_value == "PIPELINE_SUCCESS"


def test_planned_events_are_stored_with_the_run_but_not_in_the_result():
    @dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="checked")])
    def checked():
        yield dg.Output(1)
        yield dg.AssetCheckResult(passed=True)

    result = dg.materialize([checked])

    planned_types = {"ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED"}
    assert not [e for e in result.all_events if e.event_type_value in planned_types]
    assert result.get_asset_materialization_planned_events() == []
    stored = [
        e.dagster_event.event_type_value
        for e in result.instance.all_logs(result.run_id)
        if e.dagster_event
    ]
    assert stored[:2] == ["ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED"]


def test_outputs_without_a_value():
    @dg.asset
    def reported():
        return dg.MaterializeResult(metadata={"rows": 1})

    @dg.asset
    def side_effect() -> None:
        pass

    result = dg.materialize([reported, side_effect])

    # The no-value marker, as the reference returns its sentinel.
    assert repr(result.output_for_node("reported")) == "NO_VALUE"
    assert result.asset_value("reported") is result.output_for_node("reported")
    assert result.output_for_node("side_effect") is None


def test_output_value_reads_the_jobs_own_output():
    assert inner.to_job().execute_in_process().output_value() == 3
    with pytest.raises(dg.InvariantViolationError, match="has no output 'result'"):
        nested.execute_in_process().output_value()


# -- execute_job with op jobs -----------------------------------------------------------------


@dg.job(executor_def=dg.in_process_executor)
def adds():
    plus_one(two())


def test_execute_job_runs_a_reconstructable_op_job_as_a_context_manager():
    with (
        dg.Instance.ephemeral() as instance,
        dg.execute_job(dg.reconstructable(adds), instance=instance) as result,
    ):
        assert result.success
        assert result.output_for_node("plus_one") == 3
        assert [run.job_name for run in instance.get_runs()] == ["adds"]


def test_reconstructable_calls_a_function_building_the_job():
    assert dg.reconstructable(lambda: adds) is adds
    with pytest.raises(dg.InvalidDefinitionError, match="needs a job"):
        dg.reconstructable(42)


def test_execute_job_takes_raise_on_error_as_its_fifth_argument():
    @dg.op
    def failing():
        raise ValueError("x")

    @dg.job(executor_def=dg.in_process_executor)
    def fails():
        failing()

    with dg.Instance.ephemeral() as instance:
        assert not dg.execute_job(fails, instance).success
        with pytest.raises(ValueError, match="x"):
            dg.execute_job(fails, instance, None, None, True)


@dg.op
def worker_pid():
    return os.getpid()


@dg.job(executor_def=dg.multiprocess_executor)
def in_workers():
    worker_pid()


@pytest.mark.skipif(sys.platform == "win32", reason="workers are forked")
def test_execute_job_runs_an_op_job_in_worker_processes(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        result = dg.execute_job(dg.reconstructable(in_workers), instance=instance)

        assert result.success
        assert "STEP_WORKER_STARTING" in [e.event_type_value for e in result.all_events]
        assert result.output_for_node("worker_pid") != os.getpid()


@dg.op
def failing_in_worker():
    raise ValueError("x")


@dg.job(executor_def=dg.multiprocess_executor)
def half_fails_in_workers():
    failing_in_worker()
    worker_pid()


@pytest.mark.skipif(sys.platform == "win32", reason="workers are forked")
def test_raise_on_error_neither_stops_nor_raises_with_worker_processes(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        result = dg.execute_job(half_fails_in_workers, instance=instance, raise_on_error=True)

        assert not result.success
        assert result.is_node_success("worker_pid")
        error = result.get_run_failure_event().event_specific_data.error
        assert "failing_in_worker" in error.message


# -- resources at run start -------------------------------------------------------------------


class Db(dg.ConfigurableResource):
    password: str


@dg.asset
def uses_db(db: Db):
    return db.password


@dg.asset
def no_db():
    return 1


def test_an_unused_resource_is_not_initialised(monkeypatch):
    monkeypatch.delenv("H1_UNSET_PASSWORD", raising=False)
    resources = {"db": Db(password=dg.EnvVar("H1_UNSET_PASSWORD"))}

    result = dg.materialize([no_db], resources=resources)

    assert result.success
    started = [e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_STARTED"]
    assert started[0].message == "Starting initialization of resources [io_manager]."
    assert started[0].step_key == "no_db"


@pytest.mark.parametrize("raise_on_error", [True, False])
def test_an_unset_env_var_is_refused_before_the_run_is_created(monkeypatch, raise_on_error):
    monkeypatch.delenv("H1_UNSET_PASSWORD", raising=False)
    instance = dg.Instance.ephemeral()

    with pytest.raises(dg.InvalidConfigError, match="H1_UNSET_PASSWORD"):
        dg.materialize(
            [uses_db],
            resources={"db": Db(password=dg.EnvVar("H1_UNSET_PASSWORD"))},
            instance=instance,
            raise_on_error=raise_on_error,
        )
    assert instance.get_runs() == []


def test_an_asset_bound_resource_given_again_is_refused():
    @dg.asset(resource_defs={"db": Db(password="bound")})
    def bound(db: Db):
        return db.password

    with pytest.raises(dg.InvalidInvocationError, match=r"bind resource\(s\) \['db'\]"):
        dg.materialize([bound], resources={"db": Db(password="other")})
    defs = dg.Definitions(
        assets=[bound], resources={"db": Db(password="other")}, jobs=[dg.define_asset_job("j")]
    )
    with pytest.raises(dg.InvalidInvocationError, match="Definitions or materialize"):
        defs.resolve_job_def("j").execute_in_process()
    assert dg.materialize([bound]).output_for_node("bound") == "bound"
