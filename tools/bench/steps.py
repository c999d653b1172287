"""Time one training step in every variant that the performance page defines (and EXTRA_VARIANTS), and record it.

    python -m tools.bench.steps                             # on the CPU: results/steps-cpu.json
    TORCH_DEVICE=cuda python -m tools.bench.steps           # on a GPU: results/steps-cuda.json
    TORCH_DEVICE=cuda python -m tools.bench.steps --run 2   # a repeat run there: results/steps-cuda-2.json
    python -m tools.bench.steps --compiled-autograd         # only eager, torch.compile and compiled
                                                            # autograd: results/steps-cpu-compiled-autograd.json
    python -m tools.bench.steps --tables                    # measure nothing; regenerate the Markdown

The problems, step functions, variants and timer are the page's own: this imports them from
snippets/performance/step_timing.py (importing it also runs the page's short check and prints it)
and runs the full measurement: both problems, every variant, many samples.

After a measurement, and with --tables, it writes from every recorded JSON file the fragments that
docs/performance/step_timing.md (zh) and .en.md include, one per language:
    results/steps-cpu.<lang>.md, results/steps-cuda.<lang>.md   a device's table, every run side by side
    results/steps-findings.<lang>.md                            the page's sentences that quote numbers
    results/steps-compiled-autograd.<lang>.md                   docs/deep/compiled_backward.md's table and
                                                                sentences: the compiled-autograd variant
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

from tools.bench import common

COMMAND = "tools.bench.steps"
DEVICES = ("cpu", "cuda")  # the devices whose tables the page includes
LANGS = ("en", "zh")
ARTICLE, LARGE = "article MLP", "large MLP"
EAGER, COMPILE, COMPILE_RO = "eager", "torch.compile", "torch.compile reduce-overhead"
ONE_GRAPH, TWO_STEPS = "one graph, reduce-overhead", "one graph, reduce-overhead, 2 steps per call"
CUDA_GRAPH = "CUDA graph by hand"
NOT_COMPILED = {EAGER, CUDA_GRAPH}
# A variant that the benchmark adds to the page's own: the torch.compile step with compiled autograd on
# (docs/deep/compiled_backward.md). It is the page's "torch.compile" variant, built with the flag set.
COMPILED_AUTOGRAD = "torch.compile, compiled autograd"
EXTRA_VARIANTS = {COMPILED_AUTOGRAD: COMPILE}
# A short run for that variant alone, with the two rows it is compared with (--compiled-autograd)
CA_RUN = (EAGER, COMPILE, COMPILED_AUTOGRAD)
# How each problem is timed (arguments of the page's median_us). Small steps are timed in blocks of
# many calls, so that reading the clock and synchronising are spread over many steps.
TIMING = {ARTICLE: dict(warmup=10, samples=50, block=20), LARGE: dict(warmup=3, samples=10, block=1)}

HEADERS = {
    "en": {
        "problem": "problem",
        "variant": "variant",
        "step_us": "median step (µs)",
        "vs_eager": "speed vs eager",
        "vs_graph": "time ÷ CUDA graph",
        "first_call_s": "first call, incl. compile (s)",
        "loss": "loss at step {steps}",
    },
    "zh": {
        "problem": "问题",
        "variant": "跑法",
        "step_us": "每步时间中位数（µs）",
        "vs_eager": "相对 eager 模式的速度",
        "vs_graph": "时间 ÷ CUDA Graph",
        "first_call_s": "第一次调用，含编译（s）",
        "loss": "第 {steps} 步的损失",
    },
}
RUN = {"en": "run {}", "zh": "运行 {}"}
NAMES = {  # problem and variant names as the Chinese tables show them; English shows the code's names
    "zh": {
        ARTICLE: "原文 MLP",
        LARGE: "大 MLP",
        EAGER: "eager 模式",
        COMPILE: "torch.compile",
        COMPILE_RO: "torch.compile，reduce-overhead",
        ONE_GRAPH: "单图，reduce-overhead",
        TWO_STEPS: "单图，reduce-overhead，每次调用两步",
        CUDA_GRAPH: "手动捕获的 CUDA Graph",
        COMPILED_AUTOGRAD: "torch.compile，Compiled Autograd",
    }
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=int, default=1, help="number of a repeat run, kept in its own file")
    parser.add_argument("--tables", action="store_true", help="measure nothing; regenerate the page's Markdown")
    parser.add_argument(
        "--compiled-autograd",
        action="store_true",
        help=f"measure only {', '.join(CA_RUN)}, into results/steps-<device>-compiled-autograd.json",
    )
    args = parser.parse_args()
    if not args.tables:
        device = os.environ.get("TORCH_DEVICE", "cpu")
        if args.compiled_autograd:
            path = common.save_json(f"steps-{device}-compiled-autograd", measure(device, CA_RUN))
        else:
            path = common.save_json(f"steps-{device}" + (f"-{args.run}" if args.run > 1 else ""), measure(device))
        print(f"wrote {path}")
    for path in write_fragments():
        print(f"wrote {path}")


def measure(device: str, only: tuple[str, ...] | None = None) -> dict:
    """Run every variant of the page (or `only` these) on both problems; the rows of the recorded JSON."""
    # Turn Inductor's caches off before torch is imported (it reads the variable then), so that the
    # first-call column does not time cache hits from earlier runs.
    os.environ.setdefault("TORCHINDUCTOR_FORCE_DISABLE_CACHES", "1")
    from snippets.performance import step_timing as page

    compiled = {name for name, (_, options, _) in page.VARIANTS.items() if options is not None}
    assert compiled == set(page.VARIANTS) - NOT_COMPILED, f"update NOT_COMPILED in {__file__}"
    variants = {name: per_call for name, (_, _, per_call) in page.VARIANTS.items()}
    variants |= {name: variants[base] for name, base in EXTRA_VARIANTS.items()}
    if only is not None:
        variants = {name: variants[name] for name in only if name in variants}
    load_before = os.getloadavg()[0]  # the machine may be shared: the record says how busy it was
    results = []
    for problem, size in page.PROBLEMS.items():
        for variant, per_call in variants.items():
            start = time.perf_counter()
            step = build(page, variant, size)
            loss = step()  # the first call compiles
            page.sync()
            first_call_s = time.perf_counter() - start
            for _ in range(page.CHECK_STEPS // per_call - 1):
                loss = step()
            loss = loss.item()  # read it now: a CUDA graph's next replay overwrites it
            step_us = page.median_us(step, **TIMING[problem]) / per_call
            results.append(
                dict(problem=problem, variant=variant, step_us=step_us, first_call_s=first_call_s, loss=loss)
            )
            print(f"{problem}, {variant}: {step_us:,.0f} µs per step, loss {loss:.4f}")
        eager = next(r["loss"] for r in results if r["problem"] == problem and r["variant"] == EAGER)
        wrong = [r["variant"] for r in results if r["problem"] == problem and abs(r["loss"] - eager) >= 1e-4]
        if wrong:  # a faster step that computes something else is a bug, not a result
            raise SystemExit(f"{problem}: {', '.join(wrong)} reach a different loss than eager mode")
    times = {(r["problem"], r["variant"]): r["step_us"] for r in results}
    columns = {key: HEADERS["en"][key].format(steps=page.CHECK_STEPS) for key in HEADERS["en"]}
    if CUDA_GRAPH not in variants:
        del columns["vs_graph"]
    rows = []
    for r in results:
        row = {
            "problem": r["problem"],
            "variant": r["variant"],
            "step_us": f"{r['step_us']:,.0f}",
            "vs_eager": f"{times[r['problem'], EAGER] / r['step_us']:.2f}×",
            "first_call_s": f"{r['first_call_s']:.1f}",
            "loss": f"{r['loss']:.4f}",
        }
        if "vs_graph" in columns:
            row["vs_graph"] = f"{r['step_us'] / times[r['problem'], CUDA_GRAPH]:.1f}×"
        rows.append(row)
    machine = common.machine(device) | {"load": [round(load_before, 1), round(os.getloadavg()[0], 1)]}
    return {"machine": machine, "columns": columns, "rows": rows}


def build(page, variant: str, size: dict):
    """The page's build(), and for the compiled-autograd variant the same build with the flag set."""
    if variant not in EXTRA_VARIANTS:
        return page.build(variant, size)
    import torch._dynamo

    # torch.compile reads the flag when it is called: each call of the compiled step then runs
    # loss.backward() under compiled autograd (torch/_dynamo/eval_frame.py, OptimizeContext)
    with torch._dynamo.config.patch(compiled_autograd=True):
        return page.build(EXTRA_VARIANTS[variant], size)


# ---- reading the recorded results -------------------------------------------------------------------


def runs_of(device: str) -> list[dict]:
    """Every recorded run on a device: steps-<device>.json, then steps-<device>-2.json, -3, ..."""
    first = common.RESULTS / f"steps-{device}.json"
    repeats = sorted(common.RESULTS.glob(f"steps-{device}-[0-9]*.json"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in ([first] if first.exists() else []) + repeats]
    for run in runs[1:]:
        if [(r["problem"], r["variant"]) for r in run["rows"]] != [
            (r["problem"], r["variant"]) for r in runs[0]["rows"]
        ]:
            raise SystemExit(f"the runs on {device} measured different variants; measure them again")
    return runs


def value(text: str) -> float:
    """A number as the tables print it: '1,257' or '0.54×'."""
    return float(text.replace(",", "").rstrip("×"))


def cell(run: dict, problem: str, variant: str, key: str) -> str:
    return next(r[key] for r in run["rows"] if r["problem"] == problem and r["variant"] == variant)


def cells(runs: list[dict], problem: str, variant: str, key: str) -> list[str]:
    return [cell(run, problem, variant, key) for run in runs]


def span(texts: list[str], lang: str) -> str:
    """'15.4×' and '20.0×' as '15.4–20.0' (en) or '15.4 到 20.0' (zh); one value if they agree."""
    texts = sorted(set(t.rstrip("×") for t in texts), key=value)
    if len(texts) == 1:
        return texts[0]
    return f"{texts[0]}–{texts[-1]}" if lang == "en" else f"{texts[0]} 到 {texts[-1]}"


def milliseconds(values: list[float], lang: str) -> str:
    """Microseconds as a span of milliseconds, to two significant digits or whole milliseconds."""
    return span([f"{v / 1000:.1f}" if v < 10_000 else f"{v / 1000:.0f}" for v in values], lang)


def check(claim: bool, what: str) -> None:
    common.check_claim(claim, what, "docs/performance/step_timing.md", __file__)


# ---- the fragments the page includes ----------------------------------------------------------------


def pinned_torch() -> str:
    """The torch version requirements.txt pins, directly or through a file it includes (-r)."""
    root = common.RESULTS.parents[2]
    for name in ("requirements.txt", "requirements-torch.txt"):
        path = root / name
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        found = re.search(r"^torch==([^\s+\\]+)", text, re.MULTILINE)
        if found:
            return found.group(1)
    raise SystemExit("found no torch==<version> line in requirements.txt or requirements-torch.txt")


def device_table(runs: list[dict], lang: str) -> str:
    """A device's table, every run side by side where the runs differ, its stamp, and its caveats."""
    columns = runs[0]["columns"]
    steps = int(re.search(r"\d+", columns["loss"]).group())
    keys = [k for k in HEADERS["en"] if k in columns]
    n = len(runs[0]["rows"])
    varies = {k for k in keys if any(run["rows"][i][k] != runs[0]["rows"][i][k] for run in runs for i in range(n))}
    headers = [HEADERS[lang][k].format(steps=steps) for k in keys]
    names = NAMES.get(lang, {})
    rows = []
    for i in range(n):
        row = []
        for k in keys:
            texts = [run["rows"][i][k] for run in runs] if k in varies else [runs[0]["rows"][i][k]]
            row.append(" / ".join(names.get(t, t) for t in texts))
        rows.append(row)
    text = common.markdown_table(headers, rows)
    if len(runs) > 1:
        each = " / ".join(RUN[lang].format(i) for i in range(1, len(runs) + 1))
        text = {
            "en": f"Where a cell holds {len(runs)} values, they are {each}.\n\n",
            "zh": f"单元格中有 {len(runs)} 个值时，依次是{each}。\n\n",
        }[lang] + text
    stamp = []
    for key, label in (("device", ""), ("torch", "PyTorch "), ("python", "Python "), ("date", "")):
        found = list(dict.fromkeys(run["machine"][key] for run in runs))
        if key == "device" and lang == "zh":
            found = [re.sub(r"^(.*), (\d+) cores$", r"\1，\2 核", d) for d in found]
        stamp.append(label + " / ".join(found))
    text += "\n*" + " · ".join(stamp) + "*\n"
    versions = sorted({run["machine"]["torch"] for run in runs})
    pinned = pinned_torch()
    if any(v.split("+")[0] != pinned for v in versions):
        used = " / ".join(versions)
        text += {
            "en": f'\n!!! warning "Recorded with PyTorch {used}"\n'
            f"    These results were recorded with PyTorch {used}, not with {pinned}, the version that this site\n"
            f"    pins (`requirements.txt`) and records the pages' outputs with; they have not been measured\n"
            f"    again with {pinned} yet.\n",
            "zh": f'\n!!! warning "用 PyTorch {used} 测得"\n'
            f"    这些结果是用 PyTorch {used} 测得的，而本站固定的、录制各页输出所用的版本是 {pinned}\n"
            f"    （见 `requirements.txt`）；它们还没有用 {pinned} 重新测量。\n",
        }[lang]
    if len(runs) > 1:
        (small, variant), (large, _) = moved(runs, ARTICLE), moved(runs, LARGE)
        check(small > large, "the small step's times move between runs more than the large step's")
        name = NAMES.get(lang, {}).get(variant, variant)
        text += {
            "en": f"\nBetween the runs, the article MLP's median step changed by up to {small:.0%} ({name}), the "
            f"large MLP's by up to {large:.0%}: compare the small model's variants within one run, "
            f"and read its numbers as approximate.\n",
            "zh": f"\n各次运行之间，原文 MLP 的每步时间中位数最多变化了 {small:.0%}（{name}），大 MLP 的最多变化了 "
            f"{large:.0%}：比较小模型的各种跑法，请只在同一次运行之内比较，并把它的数字看作近似值。\n",
        }[lang]
    return text


def moved(runs: list[dict], problem: str) -> tuple[float, str]:
    """The largest relative change of a median step between runs, among a problem's variants, and where."""
    changes = []
    for row in runs[0]["rows"]:
        if row["problem"] == problem:
            times = [value(t) for t in cells(runs, problem, row["variant"], "step_us")]
            changes.append((max(times) / min(times) - 1, row["variant"]))
    return max(changes)


def first_compile_is_slowest(run: dict) -> bool:
    """Whether the first variant compiled in a run has the longest first call of the run."""
    compiled = [value(r["first_call_s"]) for r in run["rows"] if r["variant"] not in NOT_COMPILED]
    return compiled[0] == max(compiled)


def findings(cpu: list[dict], gpu: list[dict], lang: str) -> str:
    """The 'what the numbers show' list: every number in it comes from the recorded runs."""
    both = cpu + gpu
    # The small model on the GPU: eager mode against a replay of the same kernels.
    eager_vs_graph = cells(gpu, ARTICLE, EAGER, "vs_graph")
    check(min(map(value, eager_vs_graph)) > 2, "most of an eager step of the small model is overhead")
    # The large model: how far apart the variants are, and how long a step takes.
    spread = max(
        max(vals) / min(vals) - 1
        for run in both
        for vals in [[value(r["step_us"]) for r in run["rows"] if r["problem"] == LARGE]]
    )
    large_gpu = [value(r["step_us"]) for run in gpu for r in run["rows"] if r["problem"] == LARGE]
    large_cpu = [value(r["step_us"]) for run in cpu for r in run["rows"] if r["problem"] == LARGE]
    large_eager_vs_graph = cells(gpu, LARGE, EAGER, "vs_graph")
    check(spread < 0.2 and max(map(value, large_eager_vs_graph)) < 1.2, "the large model has little overhead left")
    # Compiling the step as written, and the one-graph step, against eager mode.
    as_written_cpu = cells(cpu, ARTICLE, COMPILE, "vs_eager") + cells(cpu, ARTICLE, COMPILE_RO, "vs_eager")
    as_written_gpu = cells(gpu, ARTICLE, COMPILE, "vs_eager") + cells(gpu, ARTICLE, COMPILE_RO, "vs_eager")
    check(max(map(value, as_written_cpu + as_written_gpu)) < 1, "compiling the step as written is slower than eager")
    one_graph_cpu, one_graph_gpu = (
        cells(cpu, ARTICLE, ONE_GRAPH, "vs_eager"),
        cells(gpu, ARTICLE, ONE_GRAPH, "vs_eager"),
    )
    check(min(map(value, one_graph_cpu + one_graph_gpu)) > 1, "the one-graph step is faster than eager")
    # The recipe on the GPU: the one-graph step against the hand-captured graph, and the cost of a call.
    one_vs_graph, two_vs_graph = cells(gpu, ARTICLE, ONE_GRAPH, "vs_graph"), cells(gpu, ARTICLE, TWO_STEPS, "vs_graph")
    check(all(value(b) < value(a) for a, b in zip(one_vs_graph, two_vs_graph)), "two steps per call cost less per step")
    # A hypothesis for why two steps per call help: each call into compiled code costs a fixed amount on top
    # of a replay (the one-graph step's time minus the hand-captured graph's). Two steps per call would then
    # take (one-graph time + hand-captured time) / 2 per step. The page says the runs do not settle it.
    one_us = [value(t) for t in cells(gpu, ARTICLE, ONE_GRAPH, "step_us")]
    graph_us = [value(t) for t in cells(gpu, ARTICLE, CUDA_GRAPH, "step_us")]
    two_us = [value(t) for t in cells(gpu, ARTICLE, TWO_STEPS, "step_us")]
    per_call = [a - b for a, b in zip(one_us, graph_us)]
    predicted = [(a + b) / 2 for a, b in zip(one_us, graph_us)]
    check(
        len(gpu) > 1 and any(abs(m / p - 1) > 0.1 for m, p in zip(two_us, predicted)),
        "a fixed cost per call does not account for the two-steps-per-call times",
    )
    small_moved, _ = moved(gpu, ARTICLE)
    check(small_moved > 0.2, "the small step's times move a lot between the GPU runs")
    # The versions the numbers were measured with: the GPU runs may predate the pinned version.
    pinned = pinned_torch()
    gpu_torch = " / ".join(sorted({run["machine"]["torch"] for run in gpu}))
    cpu_torch = " / ".join(sorted({run["machine"]["torch"] for run in cpu}))
    gpu_is_pinned = all(run["machine"]["torch"].split("+")[0] == pinned for run in gpu)
    # Compile time: the first call of every compiled variant.
    first_calls = [r["first_call_s"] for run in both for r in run["rows"] if r["variant"] not in NOT_COMPILED]
    first = next(r for r in cpu[0]["rows"] if r["variant"] not in NOT_COMPILED)
    first_is_slowest = all(first_compile_is_slowest(run) for run in both)
    same_step_cpu = cell(cpu[0], first["problem"], COMPILE_RO, "first_call_s")

    def s(texts: list[str]) -> str:
        return span(texts, lang)

    def each_run(numbers: list[float]) -> str:
        """One number per run, in run order: '67 / 69'."""
        return " / ".join(f"{v:,.0f}" for v in numbers)

    runs = " / ".join(RUN[lang].format(i) for i in range(1, len(gpu) + 1))

    if lang == "en":
        items = [
            f"**The small model is overhead-bound.** On the GPU, an eager step of the article's MLP takes "
            f"{s(eager_vs_graph)} times as long as a replay of the same kernels from the hand-captured CUDA graph, and "
            f"a replay skips all the work around the kernels: Python, dispatch, autograd's recording and one launch "
            f"per kernel[^replay]. Most of an eager step is that work, not arithmetic.",
            f"**The large model is compute-bound.** One step takes {milliseconds(large_gpu, lang)} ms on the GPU and "
            f"{milliseconds(large_cpu, lang)} ms on the CPU, whichever the variant: in every run the slowest variant "
            f"takes at most about {spread:.0%} longer than the fastest, and on the GPU eager mode takes "
            f"{s(large_eager_vs_graph)} times as long as the hand-captured graph. There is little overhead left to "
            f"remove.",
            f"**Compiling the training step as written does not help the small model.** Under `torch.compile`, in "
            f"either mode, it runs at {s(as_written_cpu)} times eager mode's speed on the CPU and {s(as_written_gpu)} "
            f"times on the GPU; the next section shows why. The one-graph step, by contrast, runs at "
            f"{s(one_graph_cpu)} times eager mode's speed on the CPU and {s(one_graph_gpu)} times on the GPU: what "
            f"matters is that the whole step is one graph.",
            f"**On the GPU, the one-graph step comes close to the hand-captured graph**: {s(one_vs_graph)} times its "
            f"time per step, and {s(two_vs_graph)} times with two steps per call. Why two steps per call help, and "
            f"by how much, these runs do not settle. If each call cost a fixed amount on top of one replay (the "
            f"one-graph step's time minus the hand-captured graph's: {each_run(per_call)} µs, {runs}), two steps "
            f"per call would take {each_run(predicted)} µs per step; the runs measured {each_run(two_us)} µs. The "
            f"article MLP's times moved by up to {small_moved:.0%} between the runs, too much for these runs to "
            f"test that hypothesis.",
            f"**Compiling costs seconds.** The first call of a compiled variant, compile included, took "
            f"{s(first_calls)} s in these runs (the first-call column), which pays off only over many steps.",
        ]
        if first_is_slowest:
            items[-1] += (
                f" In every run the first variant compiled, {first['variant']} on the {first['problem']}, took "
                f"longest: the first compile in a process pays one-time costs. On the CPU, where reduce-overhead "
                f"compiles the same step (the CUDA graphs it adds need a GPU[^modes]), it took {same_step_cpu} s right "
                f"after, against {first['first_call_s']} s."
            )
    else:
        items = [
            f"**小模型是开销受限的。** 在 GPU 上，原文 MLP 的一个 eager 模式训练步，耗时是用手动捕获的 "
            f"CUDA Graph 重放同样内核所需时间的 {s(eager_vs_graph)} 倍；而重放省去了内核之外的全部工作：Python、"
            f"分发、autograd 记录计算图，以及每个内核的一次启动[^replay]。eager 模式一步的时间大多花在"
            f"这些工作上，而不是计算本身。",
            f"**大模型是计算受限的。** 不论哪种跑法，一步在 GPU 上要 {milliseconds(large_gpu, lang)} ms，"
            f"在 CPU 上要 {milliseconds(large_cpu, lang)} ms；每次运行中，最慢的跑法最多只比最快的慢约 "
            f"{spread:.0%}；在 GPU 上，eager 模式的耗时是手动捕获的 CUDA Graph 的 "
            f"{s(large_eager_vs_graph)} 倍。剩下可省的开销已经很少。",
            f"**把原样的训练步交给 `torch.compile`，小模型并没有变快。** 无论哪种模式，它在 CPU 上的速度是 "
            f"eager 模式的 {s(as_written_cpu)} 倍，在 GPU 上是 {s(as_written_gpu)} 倍；原因见下一节。"
            f"相比之下，单图训练步在 CPU 上的速度是 eager 模式的 {s(one_graph_cpu)} 倍，在 GPU 上是 "
            f"{s(one_graph_gpu)} 倍：关键在于整个训练步是一张图。",
            f"**在 GPU 上，单图训练步接近手动捕获的 CUDA Graph**：每步耗时是它的 {s(one_vs_graph)} 倍，"
            f"每次调用两步时是 {s(two_vs_graph)} 倍。每次调用两步为什么更快、快多少，这几次运行还说明不了。"
            f"假如每次调用在一次重放之外只多付一份固定开销（单图训练步的时间减去手动捕获的 CUDA Graph 的时间，"
            f"即 {each_run(per_call)} µs，依次是{runs}），每次调用两步时每步应为 {each_run(predicted)} µs；"
            f"实测却是 {each_run(two_us)} µs。原文 MLP 的时间在各次运行之间最多变化了 {small_moved:.0%}，"
            f"这几次运行不足以检验这个假设。",
            f"**编译要花几秒钟。** 在这些运行中，编译过的跑法第一次调用（含编译）用了 {s(first_calls)} s"
            f"（见“第一次调用”一列），只有训练很多步才划算。",
        ]
        if first_is_slowest:
            items[-1] += (
                f"每次运行中第一个编译的跑法（{NAMES['zh'][first['problem']]} 上的 {first['variant']}）"
                f"用时最长：进程中的第一次编译要付出一次性的开销。在 CPU 上，reduce-overhead 编译的是同一个"
                f"训练步（它增加的 CUDA Graph 需要 GPU[^modes]），紧接着编译只用了 {same_step_cpu} s，"
                f"而前者用了 {first['first_call_s']} s。"
            )
    if lang == "en":
        not_pinned = f", not with {pinned}, the version this site pins (see the warning under the GPU table)"
        lead = (
            f"The GPU numbers below were measured with PyTorch {gpu_torch}{'' if gpu_is_pinned else not_pinned}; "
            f"the CPU numbers with PyTorch {cpu_torch}."
        )
    else:
        not_pinned = f"，不是本站固定的 {pinned}（见 GPU 表格下的警告）"
        lead = (
            f"下面 GPU 上的数字是用 PyTorch {gpu_torch} 测得的{'' if gpu_is_pinned else not_pinned}；"
            f"CPU 上的数字用的是 PyTorch {cpu_torch}。"
        )
    return lead + "\n\n" + "".join(f"- {item}\n" for item in items)


def variants_of(runs: list[dict]) -> list[str]:
    return list(dict.fromkeys(r["variant"] for run in runs for r in run["rows"]))


def ca_runs(device: str) -> list[dict]:
    """The runs that measured the compiled-autograd variant on a device: the full runs if they have it,
    else the short run of --compiled-autograd (results/steps-<device>-compiled-autograd.json), else none."""
    full = runs_of(device)
    if COMPILED_AUTOGRAD in variants_of(full):
        return full
    path = common.RESULTS / f"steps-{device}-compiled-autograd.json"
    return [json.loads(path.read_text(encoding="utf-8"))] if path.exists() else []


LABEL = {"cpu": "CPU", "cuda": "GPU"}
CA_PAGE = "../deep/compiled_backward.md#benchmark"


def device_notes(device: str, lang: str) -> str:
    """Under a device's table: where the compiled-autograd variant was measured, if not in this table's runs."""
    name = NAMES.get(lang, {}).get(COMPILED_AUTOGRAD, COMPILED_AUTOGRAD)
    others = [LABEL[d] for d in DEVICES if d != device and ca_runs(d)]
    missing = [LABEL[d] for d in DEVICES if d != device and not ca_runs(d)]
    if COMPILED_AUTOGRAD in variants_of(runs_of(device)):
        if not missing:
            return ""
        text = {
            "en": f"The variant *{name}* ([Compiling the backward pass]({CA_PAGE})) has been measured on the "
            f"{LABEL[device]} only: the {' and '.join(missing)} table does not have it yet.",
            "zh": f"跑法 *{name}*（见[编译反向传播]({CA_PAGE})）只在 {LABEL[device]} 上测过，"
            f"{'、'.join(missing)} 的表格中还没有它。",
        }[lang]
    elif ca_runs(device):
        text = {
            "en": f"The variant *{name}* is not in this table: it was measured on the {LABEL[device]} in a separate, "
            f"shorter run, beside eager mode and torch.compile; its figures are on [Compiling the backward "
            f"pass]({CA_PAGE})" + (f". No {' or '.join(missing)} run has measured it yet." if missing else "."),
            "zh": f"跑法 *{name}* 不在这张表中：它是在 {LABEL[device]} 上另一次较短的运行中，与 eager 模式和 "
            f"torch.compile 一起测的，数字见[编译反向传播]({CA_PAGE})"
            + (f"。{'、'.join(missing)} 上还没有测过它。" if missing else "。"),
        }[lang]
    else:
        text = {
            "en": f"The variant *{name}* ([Compiling the backward pass]({CA_PAGE})) has not been measured on a "
            f"{LABEL[device]} yet" + (f"; it has been measured on the {' and '.join(others)}." if others else "."),
            "zh": f"跑法 *{name}*（见[编译反向传播]({CA_PAGE})）还没有在 {LABEL[device]} 上测过"
            + (f"；{'、'.join(others)} 上测过它。" if others else "。"),
        }[lang]
    return f"\n{text}\n"


def compiled_autograd_table(runs: list[dict], lang: str) -> str:
    """The compiled-backward page's table: eager mode, torch.compile, and torch.compile with compiled autograd."""
    subset = [{**run, "rows": [r for r in run["rows"] if r["variant"] in CA_RUN]} for run in runs]
    return device_table(subset, lang)


def compiled_autograd_findings(runs: list[dict], lang: str) -> str:
    """The compiled-backward page's sentences on its variant; every number in them comes from the CPU runs."""
    names = NAMES.get(lang, {})
    sentences = []
    gaps = {}  # per problem: how many times faster the faster of the two compiled variants ran
    for problem in (ARTICLE, LARGE):
        ca_all = [value(t) for t in cells(runs, problem, COMPILED_AUTOGRAD, "vs_eager")]
        plain_all = [value(t) for t in cells(runs, problem, COMPILE, "vs_eager")]
        # "Faster" or "slower" only where every run says so by more than 5 %: the neutral word otherwise
        order = 1 if min(ca_all) > 1.05 * max(plain_all) else -1 if 1.05 * max(ca_all) < min(plain_all) else 0
        pair = (COMPILED_AUTOGRAD, COMPILE)
        ca_text, plain_text = (span(cells(runs, problem, v, "vs_eager"), lang) for v in pair)
        first_ca, first_plain = (span(cells(runs, problem, v, "first_call_s"), lang) for v in pair)
        # the smallest factor between the two over the runs (meaningful where order says which is faster)
        gaps[problem] = (order, min(ca_all) / max(plain_all) if order == 1 else min(plain_all) / max(ca_all))
        name = names.get(problem, problem)
        # The caveat on one-time costs holds only where plain torch.compile was the first thing each run compiled
        first = all(first_compiled(run) == (problem, COMPILE) for run in runs)
        if lang == "en":
            verdict = {1: "faster than", -1: "slower than", 0: "within 5 % of"}[order]
            caveat = (
                ", but it was compiled earlier in the run, so its time may include one-time costs (see [what the "
                "numbers show](../performance/step_timing.md#what-it-shows))"
                if first
                else ""
            )
            sentences.append(
                f"**{name}**: with compiled autograd the compiled step ran at {ca_text} times eager mode's speed, "
                f"{verdict} `torch.compile` without it ({plain_text} times). Its first call, compile included, took "
                f"{first_ca} s; torch.compile's took {first_plain} s{caveat}."
            )
        else:
            verdict = {1: "比不用它时快", -1: "比不用它时慢", 0: "与不用它时相差不到 5%"}[order]
            caveat = (
                "，但它在这次运行中编译得更早，时间里可能含有一次性的开销"
                "（见[这些数字说明什么](../performance/step_timing.md#what-it-shows)）"
                if first
                else ""
            )
            sentences.append(
                f"**{name}**：打开 Compiled Autograd 后，编译的训练步速度是 eager 模式的 {ca_text} 倍，"
                f"{verdict}（不用它的 `torch.compile` 是 {plain_text} 倍）。它的第一次调用（含编译）用了 {first_ca} s；"
                f"torch.compile 用了 {first_plain} s{caveat}。"
            )
    loads = [run["machine"]["load"] for run in runs if "load" in run["machine"]]
    load = {
        "en": " While it ran, the machine's 1-minute load average went from {} to {} (other jobs shared its cores), "
        "so read the times as approximate and do not compare them with other runs.",
        "zh": "运行期间，这台机器的 1 分钟平均负载从 {} 变为 {}（还有其他任务共用这些核心），"
        "所以这些时间只是近似值，不要与其他运行比较。",
    }[lang]
    lead = {
        "en": "On the CPU (these figures are CPU-only; no GPU run has measured this variant yet).",
        "zh": "在 CPU 上（这些数字只来自 CPU，GPU 上还没有测过这种跑法）。",
    }[lang]
    if loads:
        lead += load.format(*loads[0])
    full = runs_of("cpu")
    if runs != full:  # a separate, shorter run: how far its ratios are from the full runs' says what to trust
        lead += ratios_moved(runs, full, gaps, lang)
    return "\n" + lead + "\n\n" + "".join(f"- {sentence}\n" for sentence in sentences)


def first_compiled(run: dict) -> tuple[str, str]:
    """The problem and variant of the first compiled row of a run: the first thing the run compiled."""
    return next((r["problem"], r["variant"]) for r in run["rows"] if r["variant"] not in NOT_COMPILED)


def ratios_moved(short: list[dict], full: list[dict], gaps: dict, lang: str) -> str:
    """The sentence on how far torch.compile's speed ratio moved between the short run and the full runs,
    and which gap between the two compiled variants is larger than that move."""
    close = [p for p, (order, _) in gaps.items() if order == 0]
    wide = [p for p, (order, _) in gaps.items() if order != 0]
    here, there = (cells(runs, close[0], COMPILE, "vs_eager") if close else [] for runs in (short, full))
    moved = max(map(value, here + there)) / min(map(value, here + there)) if close else 0
    # "Quieter": eager mode, the same code in both, took less time in every full run than in the short one
    faster = all(
        value(cell(f, r["problem"], EAGER, "step_us")) < value(cell(s, r["problem"], EAGER, "step_us"))
        for f in full
        for s in short
        for r in s["rows"]
        if r["variant"] == EAGER
    )
    if not (len(close) == 1 and len(wide) == 1 and moved > 1.05 and gaps[wide[0]][1] > moved and faster):
        raise SystemExit(
            "the recorded results no longer show that one problem's torch.compile ratio moved between the runs "
            "by more than the gap on that problem, while the other problem's gap is larger than the move, "
            f"in a run with slower eager steps; rewrite ratios_moved in {__file__} and "
            "docs/deep/compiled_backward.md and .en.md"
        )
    names = NAMES.get(lang, {})
    close_name, wide_name = (names.get(p, p) for p in (close[0], wide[0]))
    here_text, there_text = (span(t, lang) for t in (here, there))
    ca_text, plain_text = (span(cells(short, wide[0], v, "vs_eager"), lang) for v in (COMPILED_AUTOGRAD, COMPILE))
    if lang == "en":
        return (
            f" Even the ratios within this run moved: torch.compile on the {close_name} ran at {here_text} times "
            f"eager mode's speed here but {there_text} times in the performance chapter's quieter run, so only the "
            f"large gap on the {wide_name} ({ca_text} times against {plain_text} times) should be read as a result."
        )
    return (
        f"连这次运行内部的比值也变了：{close_name} 上 torch.compile 的速度在这里是 eager 模式的 {here_text} 倍，"
        f"在性能一章负载较低的那次运行中是 {there_text} 倍；所以只有{wide_name} 上的明显差距"
        f"（{ca_text} 倍对 {plain_text} 倍）可以当作结论。"
    )


def write_fragments() -> list[Path]:
    runs = {device: runs_of(device) for device in DEVICES}
    missing = [device for device, found in runs.items() if not found]
    if missing:
        raise SystemExit(f"no recorded results for {', '.join(missing)} in {common.RESULTS}; the page needs them")
    ca_cpu = ca_runs("cpu")
    if not ca_cpu:
        raise SystemExit(f"no CPU run has measured {COMPILED_AUTOGRAD!r}: python -m {COMMAND} --compiled-autograd")
    written = []
    for lang in LANGS:
        for device in DEVICES:
            path = common.RESULTS / f"steps-{device}.{lang}.md"
            text = device_table(runs[device], lang) + device_notes(device, lang)
            written.append(common.write_generated(path, text, COMMAND))
        path = common.RESULTS / f"steps-findings.{lang}.md"
        written.append(common.write_generated(path, findings(runs["cpu"], runs["cuda"], lang), COMMAND))
        path = common.RESULTS / f"steps-compiled-autograd.{lang}.md"
        text = compiled_autograd_table(ca_cpu, lang) + compiled_autograd_findings(ca_cpu, lang)
        written.append(common.write_generated(path, text, COMMAND))
    return written


if __name__ == "__main__":
    main()
