"""Time one training step in every variant of the page's own snippet, and record it.

python -m tools.bench.steps            # on the CPU; writes tools/bench/results/steps-cpu.{json,md}
TORCH_DEVICE=cuda python -m tools.bench.steps   # on a GPU; writes steps-cuda.{json,md}
TORCH_DEVICE=cuda python -m tools.bench.steps --run 2   # a repeat run: steps-cuda-2.{json,md}, and
                                                        # steps-cuda-runs.md with every run side by side
"""

import argparse
import json
import os
import runpy
from pathlib import Path

from tools.bench import common

CUDA_GRAPH = "CUDA graph by hand"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=int, default=1, help="number of a repeat run, kept in its own file")
    args = parser.parse_args()
    os.environ["BENCH"] = "full"
    # Cold compiles: without this, the first-call column would time cache hits from earlier runs.
    os.environ.setdefault("TORCHINDUCTOR_FORCE_DISABLE_CACHES", "1")
    device = os.environ.get("TORCH_DEVICE", "cpu")
    run = runpy.run_module("snippets.performance.step_timing", run_name="__main__")
    times = {(r["problem"], r["variant"]): r["step_us"] for r in run["results"]}
    columns = {
        "problem": "problem",
        "variant": "variant",
        "step_us": "median step (µs)",
        "vs_eager": "speed vs eager",
        "first_call_s": "first call, incl. compile (s)",
        "loss": f"loss at step {run['CHECK_STEPS']}",
    }
    if any(variant == CUDA_GRAPH for _, variant in times):
        columns["vs_graph"] = "time ÷ CUDA graph"
    rows = []
    for r in run["results"]:
        row = {
            "problem": r["problem"],
            "variant": r["variant"],
            "step_us": f"{r['step_us']:,.0f}",
            "vs_eager": f"{times[r['problem'], 'eager'] / r['step_us']:.2f}×",
            "first_call_s": f"{r['first_call_s']:.1f}",
            "loss": f"{r['loss']:.4f}",
        }
        if "vs_graph" in columns:
            row["vs_graph"] = f"{r['step_us'] / times[r['problem'], CUDA_GRAPH]:.1f}×"
        rows.append(row)
    data = {"machine": common.machine(device), "columns": columns, "rows": rows}
    path = common.save(f"steps-{device}" + (f"-{args.run}" if args.run > 1 else ""), data)
    print(common.table(data))
    print(f"wrote {path} and its table")
    if args.run > 1:
        print(f"wrote {write_runs_table(device)}")


def write_runs_table(device: str) -> Path:
    """One table of every recorded run on a device, side by side: how much the numbers move."""
    repeats = sorted(common.RESULTS.glob(f"steps-{device}-[0-9]*.json"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    paths = [common.RESULTS / f"steps-{device}.json", *repeats]
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    each = " / ".join(f"run {i}" for i in range(1, len(runs) + 1))
    columns = {"problem": "problem", "variant": "variant", "step_us": f"median step (µs), {each}"}
    if "vs_graph" in runs[0]["columns"]:
        columns["vs_graph"] = f"time ÷ CUDA graph, {each}"
    columns |= {"first_call_s": "first call, run 1 (s)", "loss": runs[0]["columns"]["loss"]}
    rows = []
    for i, row in enumerate(runs[0]["rows"]):
        merged = dict(row)
        for key in ("step_us", "vs_graph"):
            if key in columns:
                merged[key] = " / ".join(run["rows"][i][key] for run in runs)
        rows.append(merged)
    name = f"steps-{device}-runs"
    common.save(name, {"machine": runs[0]["machine"], "columns": columns, "rows": rows})
    return common.RESULTS / f"{name}.md"


if __name__ == "__main__":
    main()
