"""Backfills: planning with policies and mappings, running, status, resume after kill -9, cancel."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter

import pytest

import headwater as dg
from headwater.backfills import UnitStatus, plan_backfill

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


def keys(*names):
    return [dg.AssetKey(name) for name in names]


def test_no_policy_means_one_run_per_partition_for_aligned_assets():
    @dg.asset(partitions_def=daily)
    def a(): ...

    @dg.asset(partitions_def=daily)
    def b(a): ...

    graph = dg.Definitions(assets=[a, b]).resolve_asset_graph()
    plan = plan_backfill(graph, keys("a", "b"), partition_range=("2024-01-01", "2024-01-05"))
    assert plan.groups == ((dg.AssetKey("a"), dg.AssetKey("b")),)
    assert [run.partition_range for run in plan.runs] == [
        (f"2024-01-0{d}", f"2024-01-0{d}") for d in range(1, 6)
    ]


def test_smallest_max_partitions_per_run_wins():
    @dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.multi_run(4))
    def a(): ...

    @dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.multi_run(3))
    def b(a): ...

    graph = dg.Definitions(assets=[a, b]).resolve_asset_graph()
    plan = plan_backfill(graph, keys("a", "b"), partition_range=("2024-01-01", "2024-01-07"))
    assert plan.groups == ((dg.AssetKey("a"), dg.AssetKey("b")),)
    assert [run.partition_range for run in plan.runs] == [
        ("2024-01-01", "2024-01-03"),
        ("2024-01-04", "2024-01-06"),
        ("2024-01-07", "2024-01-07"),
    ]


def test_single_run_policy_and_downstream_waits_for_mapped_upstream_runs():
    @dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.single_run())
    def a(): ...

    @dg.asset(
        partitions_def=daily,
        backfill_policy=dg.BackfillPolicy.multi_run(2),
        deps=[
            dg.AssetDep(
                a, partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=0)
            )
        ],
    )
    def b(): ...

    @dg.asset(deps=[b])
    def summary(): ...

    graph = dg.Definitions(assets=[a, b, summary]).resolve_asset_graph()
    plan = plan_backfill(
        graph, keys("a", "b", "summary"), partition_range=("2024-01-01", "2024-01-04")
    )
    runs = plan.runs
    assert runs[0].partition_range == ("2024-01-01", "2024-01-04")
    assert [r.partition_range for r in runs[1:3]] == [
        ("2024-01-01", "2024-01-02"),
        ("2024-01-03", "2024-01-04"),
    ]
    assert runs[1].deps == (0,)
    assert runs[2].deps == (0,)
    assert runs[3].partition_range is None
    assert runs[3].deps == (1, 2)


def test_key_outside_partitions_is_refused_with_the_asset_named():
    @dg.asset(partitions_def=daily)
    def a(): ...

    with pytest.raises(dg.InvalidDefinitionError, match="Cannot backfill asset a"):
        dg.launch_backfill(
            dg.Definitions(assets=[a]),
            "a",
            partition_range=("2023-01-01", "2023-01-02"),
            instance=dg.DagsterInstance.ephemeral(),
        )


def test_backfill_runs_records_progress_and_status():
    @dg.asset(partitions_def=daily, backfill_policy=dg.BackfillPolicy.multi_run(2))
    def a(context) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"n": len(context.partition_keys)})

    @dg.asset(partitions_def=daily, deps=[a])
    def b(context) -> None:
        if "2024-01-03" in context.partition_keys:
            raise ValueError("bad day")

    with dg.DagsterInstance.ephemeral() as instance:
        defs = dg.Definitions(assets=[a, b])
        backfill_id = dg.launch_backfill(
            defs, "*", partition_range="2024-01-01...2024-01-04", instance=instance
        )
        backfill = dg.get_backfill(backfill_id, instance)
        assert backfill.status is dg.BulkActionStatus.COMPLETED_FAILED
        assert backfill.progress()["SUCCESS"] == 1
        assert backfill.progress()["FAILURE"] == 1
        assert backfill.partitions_by_status("b") == {
            "SUCCESS": [("2024-01-01", "2024-01-02")],
            "FAILURE": [("2024-01-03", "2024-01-04")],
        }
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        assert sorted(r.tags["dagster/asset_partition_range_start"] for r in runs) == [
            "2024-01-01",
            "2024-01-03",
        ]
        status = instance.get_partition_status("b", daily)
        assert status.failed.get_partition_keys() == ["2024-01-03", "2024-01-04"]
        assert status.materialized.get_partition_keys() == ["2024-01-01", "2024-01-02"]
        assert status.in_progress.is_empty
        assert len(status.missing()) == 31 - 4
        assert len(instance.get_partition_status("a", daily).materialized) == 4
        assert [b.backfill_id for b in dg.get_backfills(instance)] == [backfill_id]


def test_cancel_stops_a_backfill_before_its_next_run():
    @dg.asset(partitions_def=daily)
    def a() -> None: ...

    with dg.DagsterInstance.ephemeral() as instance:
        defs = dg.Definitions(assets=[a])
        backfill_id = dg.launch_backfill(
            defs, "a", partition_keys=["2024-01-01", "2024-01-02"], instance=instance, execute=False
        )
        assert dg.cancel_backfill(backfill_id, instance).status is dg.BulkActionStatus.CANCELED
        backfill = dg.resume_backfill(backfill_id, defs, instance)
        assert backfill.status is dg.BulkActionStatus.CANCELED
        assert instance.get_runs_count() == 0


LOCATION = """
import os, time
import headwater as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-21")
LOG = os.environ["H12_LOG"]

def note(what, context):
    with open(LOG, "a") as f:
        f.write(f"{what} {context.partition_key}\\n")

@dg.asset(partitions_def=daily)
def up(context) -> None:
    note("up", context)

@dg.asset(partitions_def=daily, deps=[up])
def down(context) -> None:
    note("down", context)
    time.sleep(0.15)

defs = dg.Definitions(assets=[up, down])
"""

LAUNCH = """
import sys
sys.path.insert(0, sys.argv[1])
import headwater as dg
from location import defs
print(dg.launch_backfill(defs, "*", instance=dg.DagsterInstance.from_directory(sys.argv[2])))
"""


def test_backfill_resumes_after_kill_9_without_rerunning_finished_partitions(tmp_path):
    (tmp_path / "location.py").write_text(textwrap.dedent(LOCATION))
    log = tmp_path / "log.txt"
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "H12_LOG": str(log)}
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, str(tmp_path), str(home)], env=env, cwd=tmp_path
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().count("down") >= 6:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    lines_before = log.read_text().splitlines()
    assert 6 <= sum(1 for line in lines_before if line.startswith("down")) < 20

    os.environ["H12_LOG"] = str(log)
    sys.path.insert(0, str(tmp_path))
    try:
        from location import defs  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
        os.environ.pop("H12_LOG")
    with dg.DagsterInstance.from_directory(home) as instance:
        (backfill,) = dg.get_backfills(instance)
        assert backfill.status is dg.BulkActionStatus.REQUESTED
        os.environ["H12_LOG"] = str(log)
        try:
            done = dg.resume_backfill(backfill.backfill_id, defs, instance)
        finally:
            os.environ.pop("H12_LOG")
        assert done.status is dg.BulkActionStatus.COMPLETED_SUCCESS
        assert set(done.unit_statuses) == {UnitStatus.SUCCESS}
        # Each asset partition is materialized exactly once across both processes.
        for name in ("up", "down"):
            mats = instance.fetch_materializations(dg.AssetKey(name), limit=1000).records
            counts = Counter(r.event_log_entry.dagster_event.partition for r in mats)
            assert len(counts) == 20
            assert set(counts.values()) == {1}
            assert (
                len(
                    instance.get_partition_status(
                        name, defs.get_assets_def(name).partitions_def
                    ).materialized
                )
                == 20
            )
    # Only work in flight at the kill (at most one partition per asset) ran twice.
    ran = Counter(log.read_text().splitlines())
    assert sum(n - 1 for n in ran.values()) <= 2


def test_policy_resolution_rules():
    from headwater.backfills import resolve_max_partitions_per_run as resolve

    single, multi = dg.BackfillPolicy.single_run(), dg.BackfillPolicy.multi_run
    assert resolve([None, None]) == 1
    assert resolve([single, None]) is None
    assert resolve([single, multi(5), multi(2)]) == 2
