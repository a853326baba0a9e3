"""Kernel benchmarks: import time, building large code locations, selection evaluation.

Run ``python benchmarks/bench_kernel.py`` (optionally ``--quick``). Each workload prints one
JSON line: ``{"workload": ..., "median_ms": ..., ...}``. Builds run in fresh subprocesses so
that peak RSS is the workload's own.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time

LAYERS = 20
SEED = 1234


def layered_source(n_assets: int) -> str:
    """Python source for ``n_assets`` assets in ~20 layers, each reading up to 3 earlier ones."""
    rng = random.Random(SEED)
    per_layer = max(1, n_assets // LAYERS)
    lines = ["import headwater as dg", ""]
    names: list[str] = []
    for i in range(n_assets):
        layer = i // per_layer
        earlier = names[: layer * per_layer]
        parents = rng.sample(earlier, min(len(earlier), rng.randint(1, 3))) if earlier else []
        name = f"a{i}"
        group = f"g{layer % 5}"
        lines.append(f"@dg.asset(group_name={group!r})")
        lines.append(f"def {name}({', '.join(parents)}):")
        lines.append("    return 1")
        names.append(name)
    lines.append("")
    lines.append("ASSETS = [" + ", ".join(names) + "]")
    return "\n".join(lines)


def _measure_in_subprocess(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


BUILD_SNIPPET = """
import json, sys, time
sys.path.insert(0, {module_dir!r})
t0 = time.perf_counter()
import layered_{n} as location
import headwater as dg
defs = dg.Definitions(assets=location.ASSETS)
dg.Definitions.validate_loadable(defs)
graph = defs.resolve_asset_graph()
elapsed = time.perf_counter() - t0
# VmHWM is this process's own peak; ru_maxrss would also count the parent's peak, which
# Linux carries across exec.
with open("/proc/self/status") as status:
    hwm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({{"seconds": elapsed, "peak_rss_mb": hwm_kb / 1024}}))
"""


def bench_import(runs: int) -> dict:
    """Whole-process time of ``python -c 'import headwater'`` against a bare interpreter."""

    def timed(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return (time.perf_counter() - t0) * 1000

    bare = [timed("pass") for _ in range(runs)]
    full = [timed("import headwater") for _ in range(runs)]
    return {
        "workload": "import headwater (whole process)",
        "median_ms": round(statistics.median(full), 1),
        "bare_interpreter_median_ms": round(statistics.median(bare), 1),
        "import_only_median_ms": round(statistics.median(full) - statistics.median(bare), 1),
        "runs": runs,
    }


def bench_build(n_assets: int, runs: int) -> dict:
    """Import a module of ``n_assets`` layered assets, build and validate its Definitions.

    Each run is a fresh process importing the module from its ``.pyc``, as a code location
    is loaded once it is installed: the timing and peak RSS cover the decorators, the
    Definitions, validation and the asset graph, not compiling the generated source.
    """
    import py_compile
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="headwater-bench-") as module_dir:
        module = Path(module_dir) / f"layered_{n_assets}.py"
        module.write_text(layered_source(n_assets))
        py_compile.compile(str(module), doraise=True)
        code = BUILD_SNIPPET.format(module_dir=module_dir, n=n_assets)
        samples = [_measure_in_subprocess(code) for _ in range(runs)]
    return {
        "workload": f"import+build+validate {n_assets} layered assets",
        "median_ms": round(statistics.median(s["seconds"] for s in samples) * 1000, 1),
        "peak_rss_mb": round(max(s["peak_rss_mb"] for s in samples), 1),
        "runs": runs,
    }


def bench_selection(runs: int) -> dict:
    """Median time per AssetSelection evaluation over a mixed workload on the 5k graph."""
    import headwater as dg

    namespace: dict = {}
    exec(compile(layered_source(5000), "<layered>", "exec"), namespace)
    defs = dg.Definitions(assets=namespace["ASSETS"])
    graph = defs.resolve_asset_graph()
    sel = dg.AssetSelection
    mid = "a2500"
    workload = {
        "upstream": sel.assets(mid).upstream(),
        "downstream depth 2": sel.assets("a10").downstream(depth=2),
        "groups": sel.groups("g1", "g3"),
        "roots": sel.groups("g2").roots(),
        "sinks": sel.groups("g2").sinks(),
        "union": sel.groups("g1") | sel.assets(mid).upstream(),
        "difference": sel.all() - sel.groups("g0"),
        '"k*"': sel.from_string("a10*"),
        '"*k"': sel.from_string(f"*{mid}"),
    }
    # The graph keeps its attribute indexes and closures (built once per graph, as in real
    # use) but each timed evaluation starts without the previous result's key set, so the
    # figure is the cost of evaluating the selection, not of a repeated lookup.
    per_kind = {}
    all_samples = []
    for label, selection in workload.items():
        selection.resolve(graph)
        samples = []
        for _ in range(runs):
            graph._key_sets.clear()
            t0 = time.perf_counter()
            selection.resolve(graph)
            samples.append((time.perf_counter() - t0) * 1000)
        per_kind[label] = round(statistics.median(samples), 4)
        all_samples.extend(samples)
    return {
        "workload": "AssetSelection on 5k graph (result not cached)",
        "median_ms": round(statistics.median(all_samples), 4),
        "max_kind_median_ms": max(per_kind.values()),
        "per_selection_median_ms": per_kind,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    print(json.dumps(bench_import(runs * 3)), flush=True)
    for n in (1000, 5000, 10000):
        print(json.dumps(bench_build(n, runs)), flush=True)
    print(json.dumps(bench_selection(runs * 5)), flush=True)


if __name__ == "__main__":
    main()
