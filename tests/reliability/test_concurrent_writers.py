"""Two OS processes, 20 runs each, one HEADWATER_HOME: no lock errors, no gaps, no disorder."""

from __future__ import annotations

import json
from collections import defaultdict

import headwater as dg

RUNS_PER_PROCESS = 20


def test_two_processes_running_twenty_runs_each_share_one_sqlite_file(processes, tmp_path):
    go_file = tmp_path / "go"
    writers = [
        processes.start("many_runs.py", name, str(RUNS_PER_PROCESS), str(go_file))
        for name in ("left", "right")
    ]
    go_file.touch()
    outputs = [writer.communicate(timeout=300) for writer in writers]

    for writer, (_, err) in zip(writers, outputs):
        assert "database is locked" not in err
        assert writer.returncode == 0, err
    reported = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(reported) == 2 * RUNS_PER_PROCESS
    assert all(line["success"] for line in reported)

    rows_by_run = defaultdict(list)
    for storage_id, run_id, _ in processes.stored_event_rows():
        rows_by_run[run_id].append(storage_id)
    with dg.Instance.get() as instance:
        runs = instance.get_runs()
        assert len(runs) == 2 * RUNS_PER_PROCESS
        assert {run.status for run in runs} == {dg.DagsterRunStatus.SUCCESS}
        assert sorted(run.tags["writer"] for run in runs).count("left") == RUNS_PER_PROCESS
        for line in reported:
            stored = instance.all_logs(line["run_id"])
            # Gap-free: the run's stored events are exactly the ones the writer produced, in
            # the order it produced them.
            types = [e.dagster_event.event_type_value if e.dagster_event else None for e in stored]
            # The instance wrote one planned event per asset when it created the run.
            assert types == ["ASSET_MATERIALIZATION_PLANNED"] * 3 + line["types"]
            assert types[-1] == "PIPELINE_SUCCESS"
            timestamps = [e.timestamp for e in stored]
            assert timestamps == sorted(timestamps)
            ids = rows_by_run[line["run_id"]]
            assert ids == sorted(ids)
            assert len(set(ids)) == len(ids) == len(stored)
        assert instance.get_latest_materialization_event(dg.AssetKey("summary")) is not None
