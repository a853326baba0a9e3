"""Failing steps, abandoned dependents, raise_on_error, RetryPolicy, RetryRequested, Failure."""

from __future__ import annotations

import pytest

import headwater as dg


def types_of(events):
    return [e.event_type_value for e in events]


@dg.asset
def bad():
    raise ValueError("boom")


@dg.asset
def after_bad(bad):
    return bad


@dg.asset
def fine():
    return 1


def test_failure_emits_only_step_failure_and_abandons_dependents():
    result = dg.materialize([bad, after_bad, fine], raise_on_error=False)

    assert not result.success
    assert types_of(result.events_for_node("bad")) == ["STEP_START", "STEP_FAILURE"]
    assert result.events_for_node("after_bad") == []
    assert [e.step_key for e in result.get_step_success_events()] == ["fine"]
    assert result.get_failed_step_keys() == {"bad"}
    failure = result.get_run_failure_event()
    assert failure.event_type_value == "PIPELINE_FAILURE"
    assert "Steps failed: ['bad']" in failure.message
    assert failure.event_specific_data.failure_reason == "STEP_FAILURE"
    assert "ValueError: boom" in failure.event_specific_data.error.cause.message
    assert result.dagster_run.status == dg.DagsterRunStatus.FAILURE


def test_failure_records_the_user_error():
    result = dg.materialize([bad], raise_on_error=False)

    [event] = result.get_step_failure_events()
    error = event.event_specific_data.error
    assert 'Error occurred while executing op "bad"' in error.message
    assert "ValueError: boom" in error.cause.message


def test_raise_on_error_raises_the_user_exception_and_stops_the_run():
    ran = []

    @dg.asset
    def zlater():
        ran.append("zlater")
        return 1

    instance = dg.Instance.ephemeral()
    with pytest.raises(ValueError, match="boom"):
        dg.materialize([bad, zlater], instance=instance)

    assert ran == []
    [run] = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.FAILURE
    stored = [
        e.dagster_event.event_type_value
        for e in instance.all_logs(run.run_id)
        if e.dagster_event is not None
    ]
    assert stored[-3:] == ["STEP_START", "STEP_FAILURE", "PIPELINE_FAILURE"]


def test_raise_on_error_raises_a_failure_as_it_was_raised():
    @dg.asset
    def refuses():
        raise dg.Failure("nope", metadata={"m": 1})

    with pytest.raises(dg.Failure, match="nope"):
        dg.materialize([refuses])


def test_op_job_raise_on_error_stops_at_the_first_failed_op():
    ran = []

    @dg.op
    def a_bad():
        raise ValueError("x")

    @dg.op
    def b_ok():
        ran.append("b")

    @dg.job
    def j():
        a_bad()
        b_ok()

    with pytest.raises(ValueError, match="x"):
        j.execute_in_process()
    assert ran == []

    result = j.execute_in_process(raise_on_error=False)
    assert ran == ["b"]
    assert result.is_node_failed("a_bad")
    assert result.is_node_success("b_ok")


def test_retry_policy_retries_with_attempt_events():
    attempts = []

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky(context):
        attempts.append(context.retry_number)
        if context.retry_number == 0:
            raise RuntimeError("transient")
        return "ok"

    result = dg.materialize([flaky])

    assert attempts == [0, 1]
    assert result.asset_value("flaky") == "ok"
    events = result.events_for_node("flaky")
    assert types_of(events)[:3] == ["STEP_START", "STEP_UP_FOR_RETRY", "STEP_RESTARTED"]
    assert "attempt # 2" in events[2].message


def test_retries_run_out_and_the_step_fails():
    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=1, delay=0.01))
    def always():
        raise RuntimeError("still broken")

    result = dg.materialize([always], raise_on_error=False)

    assert types_of(result.events_for_node("always")) == [
        "STEP_START",
        "STEP_UP_FOR_RETRY",
        "STEP_RESTARTED",
        "STEP_FAILURE",
    ]


def test_job_op_retry_policy_is_the_default():
    calls = []

    @dg.asset
    def once_flaky(context):
        calls.append(context.retry_number)
        if context.retry_number == 0:
            raise RuntimeError("transient")
        return 1

    defs = dg.Definitions(
        assets=[once_flaky],
        jobs=[dg.define_asset_job("j", op_retry_policy=dg.RetryPolicy(max_retries=1))],
    )
    result = dg.execute_job(
        defs.resolve_job_def("j"),
        instance=dg.Instance.ephemeral(),
        run_config={"execution": {"config": {"in_process": {}}}},
    )

    assert result.success
    assert calls == [0, 1]


def test_retry_requested_retries_without_a_policy():
    @dg.asset
    def asks(context):
        if context.retry_number == 0:
            raise dg.RetryRequested(max_retries=1, seconds_to_wait=0.01)
        return 2

    result = dg.materialize([asks])

    assert result.asset_value("asks") == 2
    assert "STEP_UP_FOR_RETRY" in types_of(result.events_for_node("asks"))


def test_failure_without_retries_carries_description_and_metadata():
    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=3))
    def refuses():
        raise dg.Failure("upstream file is empty", metadata={"path": "/x"}, allow_retries=False)

    result = dg.materialize([refuses], raise_on_error=False)

    [event] = result.get_step_failure_events()
    assert "upstream file is empty" in event.message
    failure_data = event.event_specific_data.user_failure_data
    assert failure_data.description == "upstream file is empty"
    assert failure_data.metadata == {"path": dg.MetadataValue.text("/x")}
    assert "STEP_UP_FOR_RETRY" not in types_of(result.events_for_node("refuses"))


def test_required_output_missing_is_step_output_not_found():
    @dg.multi_asset(outs={"o1": dg.AssetOut(), "o2": dg.AssetOut()})
    def m():
        yield dg.Output(1, output_name="o1")

    with pytest.raises(
        dg.StepOutputNotFoundError,
        match='Core compute for op "m" did not return an output for non-optional output "o2"',
    ):
        dg.materialize([m])


def test_io_manager_failure_fails_the_step_and_names_the_output():
    class Broken(dg.IOManager):
        def handle_output(self, context, obj):
            raise OSError("disk full")

        def load_input(self, context):
            raise NotImplementedError

    with pytest.raises(OSError, match="disk full"):
        dg.materialize([fine], resources={"io_manager": Broken()})

    result = dg.materialize([fine], resources={"io_manager": Broken()}, raise_on_error=False)
    error = result.failure_data_for_node("fine").error
    assert 'handling output "result" of step "fine"' in error.message
    assert error.cause.cls_name == "OSError"


class Exploding(dg.ConfigurableResource):
    def setup_for_execution(self, context):
        raise ConnectionError("warehouse unreachable")


@dg.asset
def needs_exploding(exploding: Exploding):
    return 1


def test_resource_that_fails_to_start_fails_the_run():
    instance = dg.Instance.ephemeral()
    with pytest.raises(dg.ResourceFunctionError, match="exploding"):
        dg.materialize([needs_exploding], resources={"exploding": Exploding()}, instance=instance)
    [run] = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.FAILURE
    events = [e.dagster_event for e in instance.all_logs(run.run_id) if e.dagster_event]
    assert [(e.event_type_value, e.step_key) for e in events[-3:]] == [
        ("RESOURCE_INIT_STARTED", "needs_exploding"),
        ("RESOURCE_INIT_FAILURE", "needs_exploding"),
        ("PIPELINE_FAILURE", None),
    ]
    assert events[-2].event_specific_data.error.cls_name == "ConnectionError"


def test_resource_that_fails_to_start_without_raise_on_error_fails_the_run_with_its_error():
    result = dg.materialize(
        [needs_exploding], resources={"exploding": Exploding()}, raise_on_error=False
    )

    assert not result.success
    failure = result.get_run_failure_event().event_specific_data
    assert failure.failure_reason == "RUN_EXCEPTION"
    assert failure.error.cls_name == "ResourceFunctionError"
    assert result.events_for_node("needs_exploding") == []


def test_executor_config_can_disable_retries():
    calls = []

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky_once(context):
        calls.append(context.retry_number)
        raise RuntimeError("nope")

    defs = dg.Definitions(
        assets=[flaky_once],
        jobs=[
            dg.define_asset_job(
                "j", executor_def=dg.in_process_executor.configured({"retries": {"disabled": {}}})
            )
        ],
    )
    result = dg.execute_job(defs.resolve_job_def("j"), instance=dg.Instance.ephemeral())

    assert not result.success
    assert calls == [0]
