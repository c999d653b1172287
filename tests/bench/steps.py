"""Time one training step in every variant of the page's own snippet, and record it.

python -m tests.bench.steps            # on the CPU; writes tests/bench/results/steps-cpu.{json,md}
TORCH_DEVICE=cuda python -m tests.bench.steps   # on a GPU; writes steps-cuda.{json,md}
TORCH_DEVICE=cuda python -m tests.bench.steps --run 2   # a repeat run; writes steps-cuda-2.{json,md}
"""

import argparse
import os
import runpy

from tests.bench import common

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


if __name__ == "__main__":
    main()
