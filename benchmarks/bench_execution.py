"""Execution and storage benchmarks: materializing chains and wide graphs, reading the index.

Run ``python benchmarks/bench_execution.py`` (optionally ``--quick``, or ``--only WORD`` to run
the workloads whose name contains WORD). Each workload prints one JSON line:
``{"workload": ..., "median_ms": ..., "per_asset_ms": ..., "runs": ...}``. Every run of a
materialization workload gets a new instance on a temporary directory (SQLite file in WAL
mode, values under its storage directory), its database created before the clock starts; only
``materialize`` itself is timed. Creating a new instance's database is a workload of its own,
and so is the filesystem floor: what creating, writing and renaming a small file costs on the
same disk at the same moment (``TMPDIR`` chooses the disk).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def chain_source(n_assets: int) -> str:
    """Python source for a chain ``c0 -> c1 -> ...``, each returning its upstream + 1."""
    lines = ["import headwater as dg", "", "@dg.asset", "def c0():", "    return 0"]
    for i in range(1, n_assets):
        lines += ["@dg.asset", f"def c{i}(c{i - 1}):", f"    return c{i - 1} + 1"]
    lines.append("ASSETS = [" + ", ".join(f"c{i}" for i in range(n_assets)) + "]")
    return "\n".join(lines)


def wide_source(n_assets: int) -> str:
    """Python source for ``n_assets`` independent assets, each returning its index."""
    lines = ["import headwater as dg", ""]
    for i in range(n_assets):
        lines += ["@dg.asset", f"def w{i}():", f"    return {i}"]
    lines.append("ASSETS = [" + ", ".join(f"w{i}" for i in range(n_assets)) + "]")
    return "\n".join(lines)


def _assets(source: str) -> list[Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<bench>", "exec"), namespace)
    return namespace["ASSETS"]


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def _timed_runs(runs: int, run_once: Callable[[], float]) -> list[float]:
    run_once()  # warm-up: first-use imports and caches are not part of the steady state
    return [run_once() for _ in range(runs)]


def _timed_on_new_instance(
    action: Callable[[Any], Any], *, database_ready: bool = True
) -> tuple[float, Any]:
    """Seconds ``action(instance)`` takes on a new temp-dir instance, and what it returned.

    With ``database_ready`` the instance's database is created before the clock starts
    (creating it is a workload of its own, `bench_new_instance`).
    """
    import headwater as dg

    with tempfile.TemporaryDirectory(prefix="hw-bench-") as home:
        instance = dg.Instance.local_temp(home)
        try:
            if database_ready:
                _ = instance.storage
            t0 = time.perf_counter()
            outcome = action(instance)
            return time.perf_counter() - t0, outcome
        finally:
            instance.dispose()


def bench_materialize(label: str, source: str, n_assets: int, io: str, runs: int) -> dict:
    """Materialize the assets of ``source`` on a new temp-dir SQLite instance per run."""
    import headwater as dg

    assets = _assets(source)

    def run_once() -> float:
        resources = {"io_manager": dg.InMemoryIOManager()} if io == "memory" else None
        elapsed, result = _timed_on_new_instance(
            lambda instance: dg.materialize(assets, instance=instance, resources=resources)
        )
        assert result.success
        return elapsed

    samples = _timed_runs(runs, run_once)
    median = statistics.median(samples)
    return {
        "workload": f"{label} ({io} IO, SQLite)",
        "median_ms": _median_ms(samples),
        "per_asset_ms": round(median * 1000 / n_assets, 3),
        "runs": runs,
    }


def bench_filesystem_floor(n_files: int, runs: int) -> dict:
    """What the disk charges per value, headwater aside: create, write and rename a small file.

    Shown next to the fs IO workloads because creating a file (a new inode) is the cost that
    varies most between moments on shared machines: quiet, tens of microseconds; otherwise up
    to half a millisecond.
    """

    def run_once() -> float:
        with tempfile.TemporaryDirectory(prefix="hw-bench-") as directory:
            t0 = time.perf_counter()
            for i in range(n_files):
                temporary = os.path.join(directory, f".v{i}.tmp")
                fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.write(fd, b"\x80\x05K\x01.")
                os.close(fd)
                os.replace(temporary, os.path.join(directory, f"v{i}"))
            return time.perf_counter() - t0

    samples = _timed_runs(runs, run_once)
    return {
        "workload": f"filesystem floor: create, write and rename {n_files} small files",
        "median_ms": _median_ms(samples),
        "per_asset_ms": round(statistics.median(samples) * 1000 / n_files, 3),
        "runs": runs,
    }


def bench_new_instance(runs: int) -> dict:
    """Create the database of a new temp-dir instance (schema, WAL mode, revision stamp)."""

    def run_once() -> float:
        elapsed, _ = _timed_on_new_instance(lambda instance: instance.storage, database_ready=False)
        return elapsed

    samples = _timed_runs(runs, run_once)
    return {
        "workload": "create a new instance database (SQLite)",
        "median_ms": _median_ms(samples),
        "runs": runs,
    }


def bench_multiprocess(n_assets: int, runs: int) -> dict:
    """Execute ``n_assets`` independent trivial assets as a job on the multiprocess executor."""
    import headwater as dg

    assets = _assets(wide_source(n_assets))
    job_def = dg.define_asset_job("bench", executor_def=dg.multiprocess_executor)
    job = dg.Definitions(assets=assets, jobs=[job_def]).resolve_job_def("bench")

    def run_once() -> float:
        elapsed, result = _timed_on_new_instance(
            lambda instance: dg.execute_job(job, instance=instance)
        )
        assert result.success
        return elapsed

    samples = _timed_runs(runs, run_once)
    return {
        "workload": f"{n_assets} independent assets, multiprocess executor (fs IO, SQLite)",
        "median_ms": _median_ms(samples),
        "per_asset_ms": round(statistics.median(samples) * 1000 / n_assets, 3),
        "runs": runs,
    }


READ_SNIPPET = """
import json, sys, time
t0 = time.perf_counter()
import headwater as dg
instance = dg.Instance.from_directory({home!r})
_ = instance.storage  # opened on first use: part of opening, not of the read
keys = [dg.AssetKey(f"w{{i}}") for i in range({n})]
t1 = time.perf_counter()
latest = instance.get_latest_materialization_events(keys)
t2 = time.perf_counter()
assert all(latest[key] is not None for key in keys)
print(json.dumps({{"open_s": t1 - t0, "first_read_s": t2 - t1}}))
"""


def bench_latest_materializations(n_keys: int, runs: int) -> list[dict]:
    """Latest materialization of ``n_keys`` keys: first call in a fresh process, and warm."""
    import headwater as dg

    with tempfile.TemporaryDirectory(prefix="hw-bench-") as home:
        instance = dg.Instance.local_temp(home)
        try:
            dg.materialize(_assets(wide_source(n_keys)), instance=instance)
            keys = [dg.AssetKey(f"w{i}") for i in range(n_keys)]
            warm = _timed_runs(runs * 5, lambda: _timed_read(instance, keys))
        finally:
            instance.dispose()
        code = READ_SNIPPET.format(home=home, n=n_keys)
        fresh = []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
            fresh.append(json.loads(out.strip().splitlines()[-1]))
    return [
        {
            "workload": f"latest materialization of {n_keys} keys, fresh process (first call)",
            "median_ms": _median_ms([sample["first_read_s"] for sample in fresh]),
            "import_and_open_median_ms": _median_ms([sample["open_s"] for sample in fresh]),
            "per_asset_ms": round(
                statistics.median(s["first_read_s"] for s in fresh) * 1000 / n_keys, 4
            ),
            "runs": runs,
        },
        {
            "workload": f"latest materialization of {n_keys} keys, warm",
            "median_ms": _median_ms(warm),
            "per_asset_ms": round(statistics.median(warm) * 1000 / n_keys, 4),
            "runs": runs * 5,
        },
    ]


def _timed_read(instance: Any, keys: list[Any]) -> float:
    t0 = time.perf_counter()
    instance.get_latest_materialization_events(keys)
    return time.perf_counter() - t0


def workloads(runs: int) -> list[tuple[str, Callable[[], dict | list[dict]]]]:
    """(name, thunk) for every workload, in the order they run."""
    table: list[tuple[str, Callable[[], dict | list[dict]]]] = []
    for n in (100, 500):
        for io in ("fs", "memory"):
            table.append(
                (
                    f"chain {n} {io}",
                    lambda n=n, io=io: bench_materialize(
                        f"chain of {n} assets", chain_source(n), n, io, runs
                    ),
                )
            )
    table.append(
        (
            "wide 200 fs",
            lambda: bench_materialize("200 independent assets", wide_source(200), 200, "fs", runs),
        )
    )
    table.append(("filesystem floor fs", lambda: bench_filesystem_floor(200, runs)))
    table.append(("new instance", lambda: bench_new_instance(runs)))
    table.append(("multiprocess 20", lambda: bench_multiprocess(20, runs)))
    table.append(("latest 500", lambda: bench_latest_materializations(500, runs)))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", default="", help="run workloads whose name contains this")
    parser.add_argument("--runs", type=int, default=0, help="timed runs per workload")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 7)
    # Keep user plugins out of the measurement, like a clean environment.
    os.environ.setdefault("HEADWATER_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name, thunk in workloads(runs):
        if args.only and args.only not in name:
            continue
        results = thunk()
        for result in results if isinstance(results, list) else [results]:
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
