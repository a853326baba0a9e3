"""The multiprocess executor: real worker processes, the coordinator as the only writer."""

from __future__ import annotations

import os
import pickle
import signal
import sys

import pytest

import headwater as dg

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers are forked")


@dg.asset
def w1():
    return os.getpid()


@dg.asset
def w2():
    return os.getpid()


@dg.asset
def w3(w1, w2):
    return [w1, w2, os.getpid()]


@dg.asset
def killed():
    os.kill(os.getpid(), signal.SIGKILL)


@dg.asset
def survivor():
    return "still here"


def _job(assets, executor_def=None):
    defs = dg.Definitions(assets=assets, jobs=[dg.define_asset_job("j", executor_def=executor_def)])
    return defs.resolve_job_def("j")


def test_steps_run_in_worker_processes_and_events_are_stored_in_order(tmp_path):
    instance = dg.Instance.local_temp(tmp_path)
    job = _job([w1, w2, w3], dg.multiprocess_executor.configured({"max_concurrent": 2}))

    result = dg.execute_job(job, instance=instance)

    assert result.success
    with open(os.path.join(instance.storage_directory(), "w3"), "rb") as stored:
        values = pickle.load(stored)
    assert os.getpid() not in values
    step_events = [
        e.dagster_event.event_type_value
        for e in instance.all_logs(result.run_id)
        if e.dagster_event
        and e.dagster_event.step_key == "w3"
        and e.dagster_event.event_type_value != "ASSET_MATERIALIZATION_PLANNED"
    ]
    assert step_events[:3] == ["STEP_WORKER_STARTING", "STEP_WORKER_STARTED", "STEP_START"]
    assert step_events[-1] == "STEP_SUCCESS"
    assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_a_killed_worker_fails_its_step_and_the_run_goes_on(tmp_path):
    instance = dg.Instance.local_temp(tmp_path)
    job = _job([killed, survivor], dg.multiprocess_executor.configured({"max_concurrent": 1}))

    result = dg.execute_job(job, instance=instance)

    assert not result.success
    assert result.get_failed_step_keys() == {"killed"}
    [failure] = result.get_step_failure_events()
    assert "exited with signal 9" in failure.message
    assert "while running step 'killed'" in failure.message
    assert [e.step_key for e in result.get_step_success_events()] == ["survivor"]
    stored = [
        e.dagster_event.event_type_value
        for e in instance.all_logs(result.run_id)
        if e.dagster_event
    ]
    assert stored[-1] == "PIPELINE_FAILURE"


def test_multi_or_in_process_can_choose_in_process(tmp_path):
    instance = dg.Instance.local_temp(tmp_path)
    job = _job([w1])

    result = dg.execute_job(
        job, instance=instance, run_config={"execution": {"config": {"in_process": {}}}}
    )

    assert result.success
    assert "STEP_WORKER_STARTING" not in [e.event_type_value for e in result.all_events]
