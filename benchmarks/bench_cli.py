"""CLI start-up benchmarks: prints one JSON line per workload (median and minimum).

Run with ``python benchmarks/bench_cli.py [--runs N]`` from the project's virtualenv, with the
example locations (``locations/hello``, ``locations/lakeside``) installed. Each workload is a
whole process, the way a user meets the CLI; the runs of all workloads are interleaved so that
load from other processes on the machine falls on all of them alike. Target (issue 4):
``headwater location list`` answers within 0.3 s. ``python -c pass`` is the floor any command
pays for starting the interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def headwater_command() -> list[str]:
    """The installed ``headwater`` console script, or the same entry point through python."""
    script = shutil.which("headwater", path=str(Path(sys.executable).parent))
    if script is not None:
        return [script]
    return [sys.executable, "-c", "from headwater.cli import main; main()"]


def workloads() -> dict[str, list[str]]:
    cli = headwater_command()
    return {
        "python_bare_interpreter": [sys.executable, "-c", "pass"],
        "python_import_headwater": [sys.executable, "-c", "import headwater"],
        "cli_help": [*cli, "--help"],
        "cli_location_list": [*cli, "location", "list"],
    }


def run_once(command: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = (time.perf_counter() - t0) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per workload (default 20)")
    args = parser.parse_args()
    commands = workloads()
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HEADWATER_HOME": home}
        # Measure what users see: bytecode cached by the warm-up run, not compiled every time.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for command in commands.values():
            run_once(command, env)  # warm the file cache and the bytecode
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(run_once(command, env))
    for name, values in times.items():
        print(
            json.dumps(
                {
                    "workload": name,
                    "median_ms": round(statistics.median(values), 1),
                    "min_ms": round(min(values), 1),
                    "runs": args.runs,
                }
            )
        )


if __name__ == "__main__":
    main()
