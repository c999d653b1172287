"""Time jacrev against jacfwd on a wide and a tall Jacobian, and record it.

    python -m tools.bench.jacobians                     # on the CPU: results/jacobians-cpu.json
    TORCH_DEVICE=cuda python -m tools.bench.jacobians   # on a GPU: results/jacobians-cuda.json
    python -m tools.bench.jacobians --tables            # measure nothing; regenerate the Markdown

The functions are the page's own: this imports make_mlp and SHAPES from snippets/deep/func.py
(importing it also runs the page's code and prints its output), so the table times exactly the
wide (few outputs, many inputs) and tall (many outputs, few inputs) MLPs that the page shows.
Each Jacobian is computed three ways: torch.func.jacrev, torch.func.jacfwd, and the older
torch.autograd.functional.jacobian with its defaults (a Python loop, one autograd.grad per row).

After a measurement, and with --tables, it writes from every recorded JSON file the fragments that
docs/deep/func.md (zh) and .en.md include, one per language:
    results/jacobians-<device>.<lang>.md   a device's table
    results/jacobians-findings.<lang>.md   the page's sentence that quotes the CPU numbers
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from pathlib import Path

from tools.bench import common

COMMAND = "tools.bench.jacobians"
LANGS = ("en", "zh")
METHODS = ("jacrev", "jacfwd", "loop")  # keys of the recorded times
WARMUP, SAMPLES = 3, 21

HEADERS = {
    "en": {
        "shape": "function",
        "jacobian": "Jacobian (outputs × inputs)",
        "jacrev": "`jacrev` (ms)",
        "jacfwd": "`jacfwd` (ms)",
        "faster": "faster, by",
        "loop": "`autograd.functional.jacobian` (ms)",
    },
    "zh": {
        "shape": "函数",
        "jacobian": "雅可比矩阵（输出 × 输入）",
        "jacrev": "`jacrev`（ms）",
        "jacfwd": "`jacfwd`（ms）",
        "faster": "更快的一方，快多少",
        "loop": "`autograd.functional.jacobian`（ms）",
    },
}
NAMES = {"en": {"wide": "wide", "tall": "tall"}, "zh": {"wide": "宽", "tall": "高"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", action="store_true", help="measure nothing; regenerate the page's Markdown")
    args = parser.parse_args()
    if not args.tables:
        device = os.environ.get("TORCH_DEVICE", "cpu")
        path = common.save_json(f"jacobians-{device}", measure(device))
        print(f"wrote {path}")
    for path in write_fragments():
        print(f"wrote {path}")


def median_ms(fn, sync) -> float:
    """Median wall time of fn() in milliseconds, after a warm-up; sync() waits for a GPU to finish."""
    for _ in range(WARMUP):
        fn()
    sync()
    times = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(device: str) -> dict:
    """Each Jacobian of the page, three ways; the rows of the recorded JSON."""
    import torch
    from torch.func import jacfwd, jacrev

    from snippets.deep import func as page

    assert str(page.device) == device, f"the page runs on {page.device}, not {device}: set TORCH_DEVICE"
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    rows = []
    for name, shape in page.SHAPES.items():
        mlp = page.make_mlp(**shape)
        x = torch.randn(shape["inputs"], generator=torch.Generator().manual_seed(1)).to(page.device)
        ways = {
            "jacrev": lambda mlp=mlp, x=x: jacrev(mlp)(x),
            "jacfwd": lambda mlp=mlp, x=x: jacfwd(mlp)(x),
            "loop": lambda mlp=mlp, x=x: torch.autograd.functional.jacobian(mlp, x),
        }
        results = {method: way() for method, way in ways.items()}
        for method, J in results.items():  # a faster Jacobian that differs is a bug, not a result
            if not torch.allclose(J, results["jacrev"], atol=1e-5):
                raise SystemExit(f"{name}: {method} gives a different Jacobian than jacrev")
        times = {method: median_ms(way, sync) for method, way in ways.items()}
        rows.append(dict(shape=name, outputs=shape["outputs"], inputs=shape["inputs"], ms=times))
        print(name, ", ".join(f"{method} {ms:.2f} ms" for method, ms in times.items()))
    return {"machine": common.machine(device), "warmup": WARMUP, "samples": SAMPLES, "rows": rows}


# ---- the fragments the page includes ----------------------------------------------------------------


def ms(value: float) -> str:
    """Milliseconds to about three significant digits."""
    return f"{value:.3g}" if value < 1000 else f"{value:,.0f}"


def faster(times: dict, lang: str) -> str:
    """Which of jacrev and jacfwd was faster, and how many times as fast: '`jacrev` (201×)'."""
    fast, slow = sorted(("jacrev", "jacfwd"), key=times.get)
    ratio = f"{times[slow] / times[fast]:.3g}×"
    return f"`{fast}` ({ratio})" if lang == "en" else f"`{fast}`（{ratio}）"


def device_table(run: dict, lang: str) -> str:
    headers = list(HEADERS[lang].values())
    rows = [
        [
            NAMES[lang][r["shape"]],
            f"{r['outputs']} × {r['inputs']}",
            ms(r["ms"]["jacrev"]),
            ms(r["ms"]["jacfwd"]),
            faster(r["ms"], lang),
            ms(r["ms"]["loop"]),
        ]
        for r in run["rows"]
    ]
    m = run["machine"]
    device = m["device"] if lang == "en" else re.sub(r"^(.*), (\d+) cores$", r"\1，\2 核", m["device"])
    median = {
        "en": f"Median of {run['samples']} calls after {run['warmup']} warm-up calls.",
        "zh": f"{run['warmup']} 次预热调用之后，{run['samples']} 次调用的中位数。",
    }[lang]
    return (
        common.markdown_table(headers, rows)
        + f"\n{median}\n\n*{device} · PyTorch {m['torch']} · "
        + (f"Python {m['python']} · {m['date']}*\n")
    )


def check(claim: bool, what: str) -> None:
    common.check_claim(claim, what, "docs/deep/func.md", __file__)


def findings(run: dict, lang: str) -> str:
    """The sentence that quotes the CPU numbers: which way wins for which shape, and by how much."""
    row = {r["shape"]: r for r in run["rows"]}
    wide, tall = row["wide"]["ms"], row["tall"]["ms"]
    check(wide["jacrev"] < wide["jacfwd"], "jacrev wins on the wide Jacobian")
    check(tall["jacfwd"] < tall["jacrev"], "jacfwd wins on the tall Jacobian")
    check(tall["loop"] > tall["jacrev"], "the row-by-row loop is slower than jacrev on the tall Jacobian")
    wide_x, tall_x = wide["jacfwd"] / wide["jacrev"], tall["jacrev"] / tall["jacfwd"]
    loop_x = tall["loop"] / tall["jacrev"]
    n_wide, n_tall = row["wide"]["inputs"], row["tall"]["outputs"]
    few = row["wide"]["outputs"]
    if lang == "en":
        return (
            f"On the CPU, `jacrev` computed the wide Jacobian {wide_x:.0f} times as fast as `jacfwd`, "
            f"which pushes {n_wide} tangents through the MLP where `jacrev` pulls back {few} cotangents; "
            f"on the tall one the roles swap, and `jacfwd` was {tall_x:.0f} times as fast. "
            f"The older `torch.autograd.functional.jacobian`, which by default calls `autograd.grad` once per row "
            f"in a Python loop, took {loop_x:.1f} times as long as `jacrev` for the {n_tall} rows of the tall "
            f"Jacobian; for the {few} rows of the wide one it took {ms(wide['loop'])} ms, against "
            f"{ms(wide['jacrev'])} ms for `jacrev`.\n"
        )
    return (
        f"在 CPU 上，计算宽雅可比矩阵时 `jacrev` 的速度是 `jacfwd` 的 {wide_x:.0f} 倍：`jacfwd` 要把 {n_wide} "
        f"个切向量推过 MLP，而 `jacrev` 只需拉回 {few} 个余切向量；高雅可比矩阵则角色互换，`jacfwd` 的速度是 "
        f"`jacrev` 的 {tall_x:.0f} 倍。旧的 `torch.autograd.functional.jacobian` 默认在 Python 循环里每行调用一次 "
        f"`autograd.grad`，算高雅可比矩阵的 {n_tall} 行用时是 `jacrev` 的 {loop_x:.1f} 倍；算宽雅可比矩阵的 {few} "
        f"行则用了 {ms(wide['loop'])} ms，`jacrev` 用了 {ms(wide['jacrev'])} ms。\n"
    )


def write_fragments() -> list[Path]:
    runs = {
        p.stem.split("-", 1)[1]: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(common.RESULTS.glob("jacobians-*.json"))
    }
    if "cpu" not in runs:
        raise SystemExit(f"no recorded results for cpu in {common.RESULTS}; the page needs them")
    written = []
    for lang in LANGS:
        for device, run in runs.items():
            path = common.RESULTS / f"jacobians-{device}.{lang}.md"
            written.append(common.write_generated(path, device_table(run, lang), COMMAND))
        path = common.RESULTS / f"jacobians-findings.{lang}.md"
        written.append(common.write_generated(path, findings(runs["cpu"], lang), COMMAND))
    return written


if __name__ == "__main__":
    main()
