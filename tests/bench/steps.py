"""Time one training step (eager vs torch.compile) with the page's own snippet, and record it.

python -m tests.bench.steps            # on the CPU; writes tests/bench/results/steps-cpu.{json,md}
TORCH_DEVICE=cuda python -m tests.bench.steps
"""

import os
import runpy

from tests.bench import common


def main() -> None:
    os.environ["BENCH"] = "full"
    device = os.environ.get("TORCH_DEVICE", "cpu")
    run = runpy.run_module("snippets.performance.step_timing", run_name="__main__")
    eager = {r["problem"]: r["step_us"] for r in run["results"] if r["variant"] == "eager"}
    rows = [
        {
            "problem": r["problem"],
            "variant": r["variant"],
            "step_us": f"{r['step_us']:,.0f}",
            "vs_eager": f"{eager[r['problem']] / r['step_us']:.2f}×",
            "first_call_s": f"{r['first_call_s']:.1f}",
        }
        for r in run["results"]
    ]
    columns = {
        "problem": "problem",
        "variant": "variant",
        "step_us": "median step (µs)",
        "vs_eager": "speed vs eager",
        "first_call_s": "first call, incl. compile (s)",
    }
    path = common.save(f"steps-{device}", {"machine": common.machine(device), "columns": columns, "rows": rows})
    print(f"wrote {path} and its table")


if __name__ == "__main__":
    main()
