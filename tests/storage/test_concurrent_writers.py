"""Two OS processes write runs into one SQLite file at the same time."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import headwater as dg

RUNS_PER_WRITER = 20
BATCHES_PER_RUN = 10
EVENTS_PER_BATCH = 4

WRITER = textwrap.dedent(
    """
    import sys, time, pathlib
    import headwater as dg
    from headwater.testing.storage_suite import event, log_line, materialization

    name, start_file = sys.argv[1], pathlib.Path(sys.argv[2])
    print("ready", flush=True)
    while not start_file.exists():
        time.sleep(0.005)
    errors = 0
    with dg.Instance.get() as instance:
        for r in range({runs}):
            run = instance.create_run("job", run_id=f"{{name}}-{{r}}")
            instance.store_events([event(run.run_id, dg.DagsterEventType.RUN_START)])
            seq = 0
            for b in range({batches}):
                batch = []
                for _ in range({per_batch}):
                    batch.append(log_line(run.run_id, str(seq)))
                    seq += 1
                batch.append(materialization(run.run_id, f"{{name}}_{{b}}"))
                instance.store_events(batch)
            instance.store_events([event(run.run_id, dg.DagsterEventType.RUN_SUCCESS)])
    print("done", flush=True)
    """
).format(runs=RUNS_PER_WRITER, batches=BATCHES_PER_RUN, per_batch=EVENTS_PER_BATCH)


def test_two_processes_write_without_lock_errors(headwater_home, tmp_path):
    start = tmp_path / "start"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    start.touch()
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        results.append((writer.returncode, out, err))
    for code, out, err in results:
        assert "database is locked" not in err
        assert code == 0, err
        assert out.strip() == "done"

    with dg.Instance.get() as instance:
        runs = instance.get_runs()
        assert len(runs) == 2 * RUNS_PER_WRITER
        assert {run.status for run in runs} == {dg.DagsterRunStatus.SUCCESS}
        for run in runs:
            records = instance.get_records_for_run(run.run_id).records
            ids = [record.storage_id for record in records]
            assert ids == sorted(set(ids))
            entries = [record.event_log_entry for record in records]
            assert entries[0].dagster_event_type == dg.DagsterEventType.RUN_START
            assert entries[-1].dagster_event_type == dg.DagsterEventType.RUN_SUCCESS
            lines = [e.user_message for e in entries if e.dagster_event is None]
            assert lines == [str(i) for i in range(BATCHES_PER_RUN * EVENTS_PER_BATCH)]
            assert len(entries) == 2 + BATCHES_PER_RUN * (EVENTS_PER_BATCH + 1)
        assert len(instance.get_asset_keys()) == 2 * BATCHES_PER_RUN
