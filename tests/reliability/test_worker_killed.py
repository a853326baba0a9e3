"""kill -9 of a multiprocess worker mid-step: the step fails with the reason, nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest

import headwater as dg

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers are forked")


def _stored_types(instance, run_id, step_key=None):
    """Event types of the run, or of one step's execution (not its planned materialization)."""
    return [
        entry.dagster_event.event_type_value
        for entry in instance.all_logs(run_id)
        if entry.dagster_event is not None
        and (
            step_key is None
            or (
                entry.step_key == step_key
                and entry.dagster_event.event_type_value != "ASSET_MATERIALIZATION_PLANNED"
            )
        )
    ]


def _victim_started(processes):
    rows = processes.stored_event_rows()
    return any('"STEP_START"' in body and '"victim"' in body for _, _, body in rows)


def test_killing_a_worker_mid_step_fails_the_step_and_keeps_every_committed_event(
    processes, tmp_path
):
    process = processes.start("victim_run.py", str(tmp_path))
    pid_file = tmp_path / "victim.pid"
    processes.wait_until(pid_file.exists, "the victim step to start", process)
    # The coordinator stores STEP_START when the worker reports it; wait for that commit.
    processes.wait_until(
        lambda: _victim_started(processes), "the victim's STEP_START to be committed", process
    )
    before = processes.stored_event_rows()
    assert any('"ASSET_MATERIALIZATION"' in body for _, _, body in before)
    worker_pid = int(pid_file.read_text())
    assert worker_pid != process.pid

    os.kill(worker_pid, signal.SIGKILL)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err
    outcome = json.loads(out.strip().splitlines()[-1])
    assert outcome["success"] is False
    after = processes.stored_event_rows()
    # Every row committed before the kill is still there, unchanged, in the same order.
    assert after[: len(before)] == before
    assert len(after) > len(before)

    with dg.Instance.get() as instance:
        run = instance.get_run_by_id(outcome["run_id"])
        assert run.status == dg.DagsterRunStatus.FAILURE
        [failure] = instance.all_logs(outcome["run_id"], of_type=dg.DagsterEventType.STEP_FAILURE)
        assert failure.step_key == "victim"
        assert (
            f"worker process {worker_pid} exited with signal 9 (SIGKILL) while running step "
            "'victim'" in failure.message
        )
        error = failure.dagster_event.event_specific_data.error
        assert "SIGKILL" in error.message
        assert _stored_types(instance, outcome["run_id"], "victim") == [
            "STEP_WORKER_STARTING",
            "STEP_WORKER_STARTED",
            "STEP_START",
            "LOADED_INPUT",
            "STEP_INPUT",
            "STEP_FAILURE",
        ]
        # Events streamed from the worker before it died are stored with the failure.
        victim_lines = [
            e.user_message for e in instance.all_logs(outcome["run_id"]) if e.step_key == "victim"
        ]
        assert "victim started its work" in victim_lines
        # The dependent of the killed step never ran; the independent step and upstream did.
        assert _stored_types(instance, outcome["run_id"], "after_victim") == []
        assert _stored_types(instance, outcome["run_id"], "first")[-1] == "STEP_SUCCESS"
        assert _stored_types(instance, outcome["run_id"], "bystander")[-1] == "STEP_SUCCESS"
        assert _stored_types(instance, outcome["run_id"])[-1] == "PIPELINE_FAILURE"
        assert instance.get_latest_materialization_event(dg.AssetKey("victim")) is None
