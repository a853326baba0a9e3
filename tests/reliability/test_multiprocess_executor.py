"""The multiprocess executor: its pool, configuration, retries, values and platform check."""

from __future__ import annotations

import multiprocessing
import os
import sys

import pytest

import headwater as dg

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers are forked")


@dg.asset
def left():
    return os.getpid()


@dg.asset
def right():
    return os.getpid()


@dg.asset
def both(left, right):
    return sorted({left, right})


def _job(assets, executor_def=None):
    defs = dg.Definitions(assets=assets, jobs=[dg.define_asset_job("j", executor_def=executor_def)])
    return defs.resolve_job_def("j")


def _worker_pids(result):
    return {
        e.event_specific_data.metadata["pid"].value
        for e in result.all_events
        if e.event_type_value == "STEP_WORKER_STARTING"
    }


def test_the_default_executor_runs_steps_in_worker_processes(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        result = dg.execute_job(_job([left, right, both]), instance=instance)

        assert result.success
        assert "STEP_WORKER_STARTED" in [e.event_type_value for e in result.all_events]
        # Values live in the workers; the result loads them through the fs IO manager.
        assert os.getpid() not in result.asset_value("both")
        assert result.output_for_node("left") == result.asset_value("left")


@pytest.mark.parametrize(
    ("executor_def", "run_config"),
    [
        (dg.multiprocess_executor.configured({"max_concurrent": 1}), None),
        (dg.multi_or_in_process_executor.configured({"multiprocess": {"max_concurrent": 1}}), None),
        (None, {"execution": {"config": {"multiprocess": {"max_concurrent": 1}}}}),
    ],
    ids=["multiprocess.configured", "multi_or_in_process.configured", "run config"],
)
def test_max_concurrent_one_uses_a_single_long_lived_worker(tmp_path, executor_def, run_config):
    with dg.Instance.local_temp(tmp_path) as instance:
        result = dg.execute_job(
            _job([left, right, both], executor_def), instance=instance, run_config=run_config
        )

        assert result.success
        [pid] = _worker_pids(result)
        assert result.asset_value("both") == [int(pid)]


def test_two_workers_run_independent_steps_in_two_processes(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        result = dg.execute_job(
            _job([left, right, both]),
            instance=instance,
            run_config={"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}},
        )

        assert result.success
        assert len(_worker_pids(result)) == 2
        assert result.asset_value("left") != result.asset_value("right")


def test_the_environment_variable_sets_the_default_pool_size(tmp_path, monkeypatch):
    monkeypatch.setenv("HEADWATER_MULTIPROCESS_MAX_CONCURRENT", "1")
    with dg.Instance.local_temp(tmp_path) as instance:
        result = dg.execute_job(_job([left, right, both]), instance=instance)

        assert len(_worker_pids(result)) == 1


def test_a_bad_environment_variable_is_refused_before_the_run_is_created(tmp_path, monkeypatch):
    monkeypatch.setenv("HEADWATER_MULTIPROCESS_MAX_CONCURRENT", "many")
    with dg.Instance.local_temp(tmp_path) as instance:
        with pytest.raises(dg.InvalidConfigError, match="HEADWATER_MULTIPROCESS_MAX_CONCURRENT"):
            dg.execute_job(_job([left]), instance=instance)
        assert instance.get_runs() == []


def test_bad_executor_config_names_its_path():
    with pytest.raises(dg.InvalidConfigError, match=r"\$\.execution\.config\.max_concurrent"):
        dg.multiprocess_executor.configured({"max_concurrent": 0})
    with pytest.raises(
        dg.InvalidConfigError, match=r"\$\.execution\.config\.multiprocess\.max_concurent"
    ):
        dg.multi_or_in_process_executor.configured({"multiprocess": {"max_concurent": 2}})
    with pytest.raises(dg.InvalidConfigError, match="both 'in_process' and 'multiprocess'"):
        dg.multi_or_in_process_executor.configured({"in_process": {}, "multiprocess": {}})


def test_bad_run_config_for_the_executor_records_no_run(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        with pytest.raises(dg.InvalidConfigError, match="retries"):
            dg.execute_job(
                _job([left]),
                instance=instance,
                run_config={"execution": {"config": {"multiprocess": {"retries": "no"}}}},
            )
        assert instance.get_runs() == []


def test_without_fork_the_error_says_to_use_the_in_process_executor(tmp_path, monkeypatch):
    # Simulates a platform without fork (Windows): the check asks the start methods.
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with dg.Instance.local_temp(tmp_path) as instance:
        with pytest.raises(dg.InvalidConfigError, match="in-process executor") as caught:
            dg.execute_job(_job([left]), instance=instance)
        assert '{"execution": {"config": {"in_process": {}}}}' in str(caught.value)
        assert instance.get_runs() == []
        in_process = dg.execute_job(
            _job([left]),
            instance=instance,
            run_config={"execution": {"config": {"in_process": {}}}},
        )
        assert in_process.asset_value("left") == os.getpid()


def test_retries_run_again_in_the_pool(tmp_path):
    attempts = tmp_path / "attempts"

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
    def flaky():
        with attempts.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        if len(attempts.read_text().splitlines()) < 3:
            raise RuntimeError("not yet")
        return "done"

    with dg.Instance.local_temp(tmp_path / "home") as instance:
        result = dg.execute_job(
            _job([flaky], dg.multiprocess_executor.configured({"max_concurrent": 2})),
            instance=instance,
        )

        assert result.success
        assert result.asset_value("flaky") == "done"
        types = [e.event_type_value for e in result.all_events if e.step_key == "flaky"]
        assert types.count("STEP_UP_FOR_RETRY") == 2
        assert types.count("STEP_RESTARTED") == 2
        assert types.count("STEP_WORKER_STARTING") == 3
        restarted = [e.message for e in result.all_events if e.event_type_value == "STEP_RESTARTED"]
        assert "attempt # 3" in restarted[-1]
        assert str(os.getpid()) not in attempts.read_text().split()


def test_a_worker_can_read_the_instance(tmp_path):
    @dg.asset
    def upstream():
        return 1

    @dg.asset(deps=[upstream])
    def reads_instance(context):
        event = context.instance.get_latest_materialization_event(dg.AssetKey("upstream"))
        return event.run_id

    with dg.Instance.local_temp(tmp_path) as instance:
        result = dg.execute_job(_job([upstream, reads_instance]), instance=instance)

        assert result.success
        assert result.asset_value("reads_instance") == result.run_id


def test_values_of_the_memory_io_manager_cannot_be_read_back(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        job = dg.Definitions(
            assets=[left],
            jobs=[dg.define_asset_job("j")],
            resources={"io_manager": dg.InMemoryIOManager()},
        ).resolve_job_def("j")
        result = dg.execute_job(job, instance=instance)

        assert result.success
        with pytest.raises(dg.InvariantViolationError, match="computed in another process"):
            result.asset_value("left")


def test_a_raising_execute_step_hook_fails_only_that_step(tmp_path):
    from headwater._plugins import get_plugin_manager
    from headwater.hookspecs import hookimpl

    class BrokenPlugin:
        @hookimpl
        def execute_step(self, step, context):
            if step.key == "left":
                raise LookupError("the plugin lost its tracer")
            return None

    plugin_manager = get_plugin_manager()
    plugin = BrokenPlugin()
    plugin_manager.register(plugin, name="broken-tracer")
    try:
        with dg.Instance.local_temp(tmp_path) as instance:
            result = dg.execute_job(
                _job([left, right], dg.multiprocess_executor.configured({"max_concurrent": 1})),
                instance=instance,
            )
    finally:
        plugin_manager.unregister(plugin)

    assert result.get_failed_step_keys() == {"left"}
    [failure] = result.get_step_failure_events()
    assert "the execute_step hook raised in worker process" in failure.message
    assert "LookupError: the plugin lost its tracer" in failure.event_specific_data.error.message
    assert [e.step_key for e in result.get_step_success_events()] == ["right"]
    assert len(_worker_pids(result)) == 1
