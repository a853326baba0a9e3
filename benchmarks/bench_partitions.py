"""Partitions benchmarks: prints one JSON line per workload (median of several runs).

Run with ``python benchmarks/bench_partitions.py``. Targets: listing the 3,653 keys of a daily
definition (2015-01-01..2025-01-01) within 3 ms; one single-partition run of a trivial daily
asset (fs IO manager, SQLite file) within 10 ms; planning a backfill of 3 assets x 3,653
daily partitions within 50 ms; the partition status query of a 3,653-partition asset within
2 ms.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone

import headwater as dg

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
RUNS = 30


def bench(name: str, fn: Callable[[], object], runs: int = RUNS) -> None:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    print(
        json.dumps(
            {
                "workload": name,
                "median_ms": round(statistics.median(times), 4),
                "min_ms": round(min(times), 4),
                "runs": runs,
            }
        )
    )


def main() -> None:
    def list_cold():
        daily = dg.DailyPartitionsDefinition(start_date="2015-01-01", end_date="2025-01-01")
        keys = daily.get_partition_keys(current_time=NOW)
        assert len(keys) == 3653

    daily = dg.DailyPartitionsDefinition(start_date="2015-01-01")
    keys = daily.get_partition_keys(current_time=NOW)
    bench("daily_list_3653_keys_new_definition", list_cold)
    bench(
        "daily_list_3653_keys_same_definition", lambda: daily.get_partition_keys(current_time=NOW)
    )
    bench("daily_count_partitions", lambda: daily.get_num_partitions(current_time=NOW))
    sample = keys[::37]
    bench(
        "daily_key_to_index_x100",
        lambda: [daily.get_partition_index(k, current_time=NOW) for k in sample],
    )
    bench(
        "daily_index_to_key_x100", lambda: [daily.get_partition_key(i) for i in range(0, 3653, 37)]
    )
    evens = daily.subset_with_partition_keys(keys[::2])
    thirds = daily.subset_with_partition_keys(keys[::3])
    everything = daily.subset_with_all_partitions(current_time=NOW)
    bench("subset_union_3653", lambda: evens | thirds)
    bench("subset_intersection_3653", lambda: evens & thirds)
    bench("subset_difference_all_minus_range", lambda: everything - thirds)
    bench("subset_serialize_roundtrip", lambda: daily.deserialize_subset(evens.serialize()))
    static = dg.StaticPartitionsDefinition([f"k{i}" for i in range(3653)])
    skeys = static.get_partition_keys()
    s_even = static.subset_with_partition_keys(skeys[::2])
    s_third = static.subset_with_partition_keys(skeys[::3])
    bench("static_subset_union_intersection_3653", lambda: ((s_even | s_third), (s_even & s_third)))
    bench("static_subset_len_3653", lambda: len(s_even))
    bench_runs_and_backfills()


def bench_runs_and_backfills() -> None:
    from headwater.backfills import plan_backfill

    daily = dg.DailyPartitionsDefinition(start_date="2015-01-01", end_date="2025-01-01")

    @dg.asset(partitions_def=daily)
    def a(context):
        return context.partition_key

    @dg.asset(partitions_def=daily)
    def b(a):
        return a

    @dg.asset(partitions_def=daily, deps=[b])
    def c() -> None: ...

    keys = daily.get_partition_keys()
    with tempfile.TemporaryDirectory() as home, dg.DagsterInstance.from_directory(home) as inst:
        dg.materialize([a], partition_key=keys[0], instance=inst)  # warm: imports, schema
        days = iter(keys[1:])
        bench(
            "single_partition_run_fs_sqlite",
            lambda: dg.materialize([a], partition_key=next(days), instance=inst),
        )
        graph = dg.Definitions(assets=[a, b, c]).resolve_asset_graph()
        targets = [dg.AssetKey(k) for k in "abc"]
        bench(
            "plan_backfill_3_assets_x_3653_daily",
            lambda: plan_backfill(graph, targets, partition_range=(keys[0], keys[-1])),
            runs=10,
        )
        # Mark every partition of a materialized, with a few gaps, through stored events.
        from headwater.events.assets import AssetMaterialization
        from headwater.events.log import DagsterEvent, EventLogEntry

        entries = [
            EventLogEntry.from_event(
                DagsterEvent.asset_materialization(AssetMaterialization("a", partition=key), "j"),
                "bench",
            )
            for i, key in enumerate(keys)
            if i % 500
        ]
        inst.store_events(entries, {dg.AssetKey("a"): daily})
        status = inst.get_partition_status("a", daily)
        assert len(status.materialized) >= 3653 - 8
        bench("status_query_3653_partitions", lambda: inst.get_partition_status("a", daily))
        bench(
            "status_query_with_missing_3653",
            lambda: inst.get_partition_status("a", daily).missing(current_time=NOW),
        )


if __name__ == "__main__":
    main()
