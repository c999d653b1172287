"""Measure what the hooks page claims costs memory or time, and record it.

    python -m tools.bench.hooks                      # on the CPU: results/hooks-cpu.json
    TORCH_DEVICE=cuda python -m tools.bench.hooks    # on a GPU: results/hooks-cuda.json
    python -m tools.bench.hooks --tables             # measure nothing; regenerate the Markdown

Three experiments, each with two variants, on models large enough for the difference to show:

- one training step of a 6 x 1024 MLP with Adam: the ordinary loop (backward, step, zero_grad) against
  the optimizer stepped in a post-accumulate-grad hook (snippets/deep/hooks.py, optimizer-in-backward);
- a gradient against a Hessian-vector product (double backward) of the same MLP's loss;
- a WGAN critic step without and with the gradient penalty.

For each variant it records the median time of one call (on a GPU wall time; on the CPU the process's CPU
time with one thread, which a shared machine disturbs far less) and the peak memory allocated during the call,
above what was allocated when it began. On a GPU that is torch.cuda.max_memory_allocated(). On the CPU,
where no allocator keeps a peak, it is the running sum of the allocation and free events that
torch.profiler records with profile_memory=True (read from the profiler's raw events, in time order).
For the training step it also records the largest number of bytes held by parameters' .grad tensors
at one time, counted in the hooks (in-backward variant) or after backward (ordinary loop).

After a measurement, and with --tables, it writes from every recorded JSON file the fragments that
docs/deep/hooks.md (zh) and .en.md include: results/hooks-<device>.<lang>.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import time
from pathlib import Path

from tools.bench import common

COMMAND = "tools.bench.hooks"
LANGS = ("en", "zh")
WIDTH, DEPTH, BATCH = 1024, 6, 64  # the MLP of the first two experiments
CRITIC_WIDTH, CRITIC_BATCH = 512, 256
SAMPLES, WARMUP = 10, 2

STEP, HVP, PENALTY = "training step", "second derivative", "WGAN critic step"
ORDINARY, IN_BACKWARD = "ordinary loop", "optimizer in backward"
GRADIENT, DOUBLE = "gradient", "Hessian-vector product"
PLAIN, GP = "without gradient penalty", "with gradient penalty"

HEADERS = {
    "en": {
        "experiment": "experiment",
        "variant": "variant",
        "time_ms": "median time (ms)",
        "vs_first": "time vs first variant",
        "peak_mb": "peak allocated during the call (MiB)",
        "grad_mb": "peak .grad held (MiB)",
    },
    "zh": {
        "experiment": "实验",
        "variant": "做法",
        "time_ms": "时间中位数（ms）",
        "vs_first": "时间相对第一种做法",
        "peak_mb": "调用期间分配的峰值（MiB）",
        "grad_mb": ".grad 同时占用的峰值（MiB）",
    },
}
NAMES = {
    "zh": {
        STEP: f"一个训练步（{DEPTH} × {WIDTH} MLP，Adam）",
        HVP: "二阶导数（同一 MLP 的损失）",
        PENALTY: f"WGAN 判别器的一步（宽 {CRITIC_WIDTH}）",
        ORDINARY: "普通训练循环",
        IN_BACKWARD: "在反向传播中调用优化器",
        GRADIENT: "梯度",
        DOUBLE: "Hessian-向量积",
        PLAIN: "不加梯度惩罚",
        GP: "加梯度惩罚",
    },
    "en": {
        STEP: f"one training step ({DEPTH} × {WIDTH} MLP, Adam)",
        HVP: "second derivative (the same MLP's loss)",
        PENALTY: f"one WGAN critic step (width {CRITIC_WIDTH})",
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", action="store_true", help="measure nothing; regenerate the page's Markdown")
    args = parser.parse_args()
    if not args.tables:
        device = os.environ.get("TORCH_DEVICE", "cpu")
        path = common.save_json(f"hooks-{device}", measure(device))
        print(f"wrote {path}")
    for path in write_fragments():
        print(f"wrote {path}")


# ---- measuring ------------------------------------------------------------------------------------


def sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def clock(device):
    """Wall time on a GPU; on the CPU, the process's CPU time (one thread), which other jobs on a shared
    machine disturb far less than wall time."""
    return time.perf_counter if device.type == "cuda" else time.process_time


def median_ms(fn, device) -> float:
    for _ in range(WARMUP):
        fn()
    sync(device)
    now = clock(device)
    times = []
    for _ in range(SAMPLES):
        start = now()
        fn()
        sync(device)
        times.append(now() - start)
    return statistics.median(times) * 1000


def peak_bytes(fn, device) -> int:
    """Peak bytes allocated while fn runs, above what was allocated when it began."""
    import torch

    fn()  # optimizer state and caches exist before the measured call
    sync(device)
    if device.type == "cuda":
        start = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        fn()
        sync(device)
        return torch.cuda.max_memory_allocated() - start
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    # Every allocation (+bytes) and free (-bytes) the CPU allocator reported, in time order.
    events = sorted(
        (e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"), key=lambda e: e.start_ns()
    )
    live = peak = 0
    for event in events:
        live += event.nbytes()
        peak = max(peak, live)
    return peak


def mlp(device):
    import torch
    from torch import nn

    torch.manual_seed(0)
    layers = []
    for _ in range(DEPTH):
        layers += [nn.Linear(WIDTH, WIDTH), nn.Tanh()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, 1)).to(device)


def training_step(device) -> list[dict]:
    import torch
    from torch import nn

    ordinary = mlp(device)
    fused = copy.deepcopy(ordinary)
    x, y = torch.randn(BATCH, WIDTH).to(device), torch.randn(BATCH, 1).to(device)
    optimizer = torch.optim.Adam(ordinary.parameters(), lr=1e-4)
    grads = {ORDINARY: [], IN_BACKWARD: []}

    def grad_bytes(model) -> int:
        return sum(p.grad.nbytes for p in model.parameters() if p.grad is not None)

    def ordinary_step():
        nn.functional.mse_loss(ordinary(x), y).backward()
        grads[ORDINARY].append(grad_bytes(ordinary))
        optimizer.step()
        optimizer.zero_grad()

    optimizers = {p: torch.optim.Adam([p], lr=1e-4) for p in fused.parameters()}

    def hook(param):
        grads[IN_BACKWARD].append(grad_bytes(fused))
        optimizers[param].step()
        optimizers[param].zero_grad()

    for p in fused.parameters():
        p.register_post_accumulate_grad_hook(hook)

    def fused_step():
        nn.functional.mse_loss(fused(x), y).backward()

    for _ in range(3):
        ordinary_step()
        fused_step()
    if not all(torch.allclose(a, b, atol=1e-5) for a, b in zip(ordinary.parameters(), fused.parameters())):
        raise SystemExit("the optimizer-in-backward step trains to other weights than the ordinary loop")
    rows = []
    for variant, step in ((ORDINARY, ordinary_step), (IN_BACKWARD, fused_step)):
        rows.append(
            dict(
                experiment=STEP,
                variant=variant,
                time_ms=median_ms(step, device),
                peak_bytes=peak_bytes(step, device),
                grad_bytes=max(grads[variant]),
            )
        )
    return rows


def second_derivative(device) -> list[dict]:
    import torch
    from torch import nn

    model = mlp(device)
    params = list(model.parameters())
    x, y = torch.randn(BATCH, WIDTH).to(device), torch.randn(BATCH, 1).to(device)
    v = [torch.randn_like(p) for p in params]

    def gradient():
        return torch.autograd.grad(nn.functional.mse_loss(model(x), y), params)

    def hvp():
        grads = torch.autograd.grad(nn.functional.mse_loss(model(x), y), params, create_graph=True)
        dot = sum((g * u).sum() for g, u in zip(grads, v))
        return torch.autograd.grad(dot, params)

    return [
        dict(experiment=HVP, variant=name, time_ms=median_ms(fn, device), peak_bytes=peak_bytes(fn, device))
        for name, fn in ((GRADIENT, gradient), (DOUBLE, hvp))
    ]


def critic_step(device) -> list[dict]:
    import torch
    from torch import nn

    torch.manual_seed(0)
    critic = nn.Sequential(
        nn.Linear(2, CRITIC_WIDTH),
        nn.Tanh(),
        nn.Linear(CRITIC_WIDTH, CRITIC_WIDTH),
        nn.Tanh(),
        nn.Linear(CRITIC_WIDTH, 1),
    ).to(device)
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-4)
    real = torch.randn(CRITIC_BATCH, 2).to(device)
    fake = torch.randn(CRITIC_BATCH, 2).to(device) + 2.0
    eps = torch.rand(CRITIC_BATCH, 1).to(device)

    def step(with_penalty: bool):
        loss = critic(fake).mean() - critic(real).mean()
        if with_penalty:
            mixed = (eps * real + (1 - eps) * fake).requires_grad_()
            (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
            loss = loss + 10 * ((grad.norm(dim=1) - 1) ** 2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    rows = []
    for name, flag in ((PLAIN, False), (GP, True)):
        fn = lambda flag=flag: step(flag)  # noqa: E731
        rows.append(
            dict(experiment=PENALTY, variant=name, time_ms=median_ms(fn, device), peak_bytes=peak_bytes(fn, device))
        )
    return rows


def measure(device_name: str) -> dict:
    import torch

    device = torch.device(device_name)
    if device.type == "cpu":
        torch.set_num_threads(1)  # CPU time of one thread: what a call costs, not how busy the machine was
    load_before = os.getloadavg()[0]
    rows = training_step(device) + second_derivative(device) + critic_step(device)
    for row in rows:
        print(
            f"{row['experiment']}, {row['variant']}: {row['time_ms']:.1f} ms, peak {row['peak_bytes'] / 2**20:.1f} MiB"
        )
    peak_how = (
        "torch.cuda.max_memory_allocated() minus memory_allocated() at the start"
        if device.type == "cuda"
        else "running sum of torch.profiler's [memory] events (profile_memory=True)"
    )
    settings = dict(
        width=WIDTH,
        depth=DEPTH,
        batch=BATCH,
        critic_width=CRITIC_WIDTH,
        critic_batch=CRITIC_BATCH,
        samples=SAMPLES,
        warmup=WARMUP,
        peak_memory=peak_how,
        timer="time.perf_counter (wall)" if device.type == "cuda" else "time.process_time (CPU time, 1 thread)",
        load_average=[round(load_before, 1), round(os.getloadavg()[0], 1)],
    )
    return {"machine": common.machine(device_name), "settings": settings, "rows": rows}


# ---- the fragments the page includes ----------------------------------------------------------------


def mib(n: int) -> str:
    """Bytes in mebibytes (2**20 bytes), as the table's headers say."""
    return f"{n / 2**20:.1f}"


def device_table(run: dict, lang: str) -> str:
    keys = list(HEADERS["en"])
    names = NAMES[lang]
    first = {}
    rows = []
    for row in run["rows"]:
        base = first.setdefault(row["experiment"], row["time_ms"])
        rows.append(
            [
                names.get(row["experiment"], row["experiment"]),
                names.get(row["variant"], row["variant"]),
                f"{row['time_ms']:.1f}",
                f"{row['time_ms'] / base:.2f}×",
                mib(row["peak_bytes"]),
                mib(row["grad_bytes"]) if "grad_bytes" in row else "—",
            ]
        )
    text = common.markdown_table([HEADERS[lang][k] for k in keys], rows)
    m = run["machine"]
    device = m["device"]
    if lang == "zh":
        device = device.replace(" cores", " 核").replace(", ", "，")
    load = run["settings"].get("load_average")
    busy = ""
    if load:
        busy = {"en": f" · load average {load[0]} → {load[1]}", "zh": f" · 负载均值 {load[0]} → {load[1]}"}[lang]
    timer = run["settings"].get("timer", "")
    if timer.startswith("time.process_time"):
        text += {
            "en": "\nTimes are the process's CPU time with one thread (`time.process_time`), not wall time.\n",
            "zh": "\n时间是进程用单线程时的 CPU 时间（`time.process_time`），不是墙上时间。\n",
        }[lang]
    text += f"\n*{device} · PyTorch {m['torch']} · Python {m['python']} · {m['date']}{busy}*\n"
    return text


def write_fragments() -> list[Path]:
    written = []
    runs = sorted(common.RESULTS.glob("hooks-*.json"))
    if not runs:
        raise SystemExit(f"no recorded results hooks-<device>.json in {common.RESULTS}; measure first")
    for path in runs:
        run = json.loads(path.read_text(encoding="utf-8"))
        for lang in LANGS:
            out = common.RESULTS / f"{path.stem}.{lang}.md"
            written.append(common.write_generated(out, device_table(run, lang), COMMAND))
    return written


if __name__ == "__main__":
    main()
