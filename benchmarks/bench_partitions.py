"""Partitions benchmarks: prints one JSON line per workload (median of several runs).

Run with ``python benchmarks/bench_partitions.py``. Targets: listing the 3,653 keys of a daily
definition (2015-01-01..2025-01-01) within 3 ms.
"""

from __future__ import annotations

import json
import statistics
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
            {"workload": name, "median_ms": round(statistics.median(times), 4), "runs": runs}
        )
    )


def main() -> None:
    def list_cold():
        daily = dg.DailyPartitionsDefinition(start_date="2015-01-01")
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


if __name__ == "__main__":
    main()
