"""Measure what a stack of transformer-style blocks keeps for backward, and what keeping less costs in time.

    python -m tools.bench.memory                    # on the CPU: results/memory-cpu.json
    TORCH_DEVICE=cuda python -m tools.bench.memory  # on a GPU: results/memory-cuda.json (adds peak memory)
    python -m tools.bench.memory --tables           # measure nothing; regenerate the Markdown

Four variants of one forward+backward of the same model (docs/deep/graph_memory.md explains each):
plain; every block under torch.utils.checkpoint.checkpoint(use_reentrant=False); every block under
selective checkpointing that saves the outputs of matrix products and attention and recomputes the rest;
the whole forward under torch.autograd.graph.save_on_cpu().

For each it records:
  - the bytes held for backward between forward and backward, counted on any device with
    torch.autograd.graph.saved_tensors_hooks (unique storages; parameters left out, they live anyway),
    plus the outputs that selective checkpointing caches outside the graph (summed in its policy);
    what save_on_cpu moved to CPU memory is counted apart, as offloaded;
  - on a GPU, the peak of torch.cuda.max_memory_allocated over forward+backward, above what was
    allocated before (this includes what checkpointing recomputes during backward, which the count above
    cannot see);
  - the median time of one forward+backward: on a GPU, wall-clock time; on the CPU, the CPU time of the
    process running torch on one thread, which other processes on a shared machine barely change
    (wall-clock time there measures the machine's load as much as the work).

After a measurement, and with --tables, it writes from every recorded JSON file the fragments that
docs/deep/graph_memory.md (zh) and .en.md include: results/memory-<device>.<lang>.md.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import json
import os
import re
import statistics
import time
from pathlib import Path

from tools.bench import common

COMMAND = "tools.bench.memory"
LANGS = ("en", "zh")
# The model: a pre-norm transformer block (causal self-attention, then a 4x MLP, each with a residual).
CONFIG = dict(layers=4, batch=4, tokens=128, width=256, heads=4)
WARMUP, SAMPLES = 1, 9
PLAIN, FULL, SELECTIVE, OFFLOAD = "plain", "checkpoint", "selective checkpoint", "save_on_cpu"
VARIANTS = (PLAIN, FULL, SELECTIVE, OFFLOAD)
MIB = 2**20

HEADERS = {
    "en": {
        "variant": "variant",
        "saved_mib": "held for backward (MiB)",
        "saved_vs_plain": "of plain",
        "offloaded_mib": "offloaded to CPU memory (MiB)",
        "peak_mib": "peak during forward+backward (MiB)",
        "step_ms": "median forward+backward (ms)",
        "step_cpu_ms": "median forward+backward, CPU time on one thread (ms)",
        "time_vs_plain": "time vs plain",
    },
    "zh": {
        "variant": "跑法",
        "saved_mib": "为反向传播保留（MiB）",
        "saved_vs_plain": "占不做处理时的比例",
        "offloaded_mib": "卸载到 CPU 内存（MiB）",
        "peak_mib": "前向+反向期间的峰值（MiB）",
        "step_ms": "一次前向+反向的时间中位数（ms）",
        "step_cpu_ms": "一次前向+反向的 CPU 时间中位数，单线程（ms）",
        "time_vs_plain": "时间是不做处理时的",
    },
}
NAMES = {"zh": {PLAIN: "不做处理", FULL: "激活重计算", SELECTIVE: "选择性激活重计算", OFFLOAD: "save_on_cpu"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", action="store_true", help="measure nothing; regenerate the page's Markdown")
    args = parser.parse_args()
    if not args.tables:
        device = os.environ.get("TORCH_DEVICE", "cpu")
        path = common.save_json(f"memory-{device}", measure(device))
        print(f"wrote {path}")
    for path in write_fragments():
        print(f"wrote {path}")


# ---- the model and the variants ---------------------------------------------------------------------


def build(device):
    import torch
    from torch import nn
    from torch.nn import functional as F

    class Block(nn.Module):
        def __init__(self, width, heads):
            super().__init__()
            self.heads = heads
            self.norm1, self.qkv, self.proj = nn.LayerNorm(width), nn.Linear(width, 3 * width), nn.Linear(width, width)
            self.norm2, self.up, self.down = (
                nn.LayerNorm(width),
                nn.Linear(width, 4 * width),
                nn.Linear(4 * width, width),
            )

        def forward(self, x):
            b, t, d = x.shape
            q, k, v = self.qkv(self.norm1(x)).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
            attention = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(attention.transpose(1, 2).reshape(b, t, d))
            return x + self.down(F.gelu(self.up(self.norm2(x))))

    torch.manual_seed(0)
    blocks = nn.ModuleList(Block(CONFIG["width"], CONFIG["heads"]) for _ in range(CONFIG["layers"])).to(device)
    x = torch.randn(CONFIG["batch"], CONFIG["tokens"], CONFIG["width"]).to(device)
    return blocks, x


def save_ops():
    """The operations whose outputs selective checkpointing keeps: matrix products and attention."""
    import torch

    aten = torch.ops.aten
    names = [
        "mm.default",
        "addmm.default",
        "bmm.default",
        "_scaled_dot_product_flash_attention_for_cpu.default",
        "_scaled_dot_product_flash_attention.default",
        "_scaled_dot_product_efficient_attention.default",
        "_scaled_dot_product_cudnn_attention.default",
    ]
    ops = []
    for name in names:
        packet, overload = name.split(".")
        if hasattr(aten, packet):
            ops.append(getattr(getattr(aten, packet), overload))
    return ops


def forward(variant, blocks, x, cache=None):
    """One forward pass of `variant`; `cache`, if given, collects the storages selective checkpointing keeps."""
    import torch
    from torch.utils.checkpoint import CheckpointPolicy, checkpoint, create_selective_checkpoint_contexts

    kept = save_ops()

    def policy(ctx, op, *args, **kwargs):
        if op in kept:
            if cache is not None:
                for out in ctx.op_output if isinstance(ctx.op_output, (tuple, list)) else [ctx.op_output]:
                    if isinstance(out, torch.Tensor):
                        storage = out.untyped_storage()
                        cache[(out.device.type, storage.data_ptr())] = storage.nbytes()
            return CheckpointPolicy.MUST_SAVE
        return CheckpointPolicy.PREFER_RECOMPUTE

    h = x
    for block in blocks:
        if variant == FULL:
            h = checkpoint(block, h, use_reentrant=False)
        elif variant == SELECTIVE:
            context = functools.partial(create_selective_checkpoint_contexts, policy)
            h = checkpoint(block, h, use_reentrant=False, context_fn=context)
        else:
            h = block(h)
    return h.pow(2).mean()


# ---- measuring --------------------------------------------------------------------------------------


class Counter:
    """saved_tensors_hooks that count the storages the graph holds, by device, while it holds them."""

    def __init__(self, skip, inner=None):
        self.skip, self.inner = skip, inner  # inner: hooks to run under ours (save_on_cpu's)
        self.uses, self.size = collections.Counter(), {}

    def hooks(self):
        import torch

        counter = self

        class Held:
            def __init__(self, tensor):
                self.packed = counter.inner.pack_hook(tensor) if counter.inner else tensor
                stored = self.packed[1] if counter.inner else self.packed  # save_on_cpu packs (device, tensor)
                storage = stored.untyped_storage()
                self.key = (stored.device.type, storage.data_ptr())
                counter.uses[self.key] += 1
                counter.size[self.key] = storage.nbytes()

            def __del__(self):
                counter.uses[self.key] -= 1

        def unpack(held):
            return counter.inner.unpack_hook(held.packed) if counter.inner else held.packed

        return torch.autograd.graph.saved_tensors_hooks(Held, unpack)

    def held(self, device_type, extra=None):
        """Bytes held on a device type; `extra` adds more storages (key -> bytes), each counted once."""
        sizes = {key: self.size[key] for key in +self.uses} | (extra or {})
        return sum(n for key, n in sizes.items() if key[0] == device_type and key[1] not in self.skip)


def sync(device):
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def measure(device: str) -> dict:
    import torch

    if device == "cpu":
        torch.set_num_threads(1)  # then the process's CPU time is the work of one forward+backward
    clock = time.process_time if device == "cpu" else time.perf_counter
    blocks, x = build(device)
    params = {p.untyped_storage().data_ptr() for p in blocks.parameters()}
    results = {}
    for variant in VARIANTS:
        offload = torch.autograd.graph.save_on_cpu() if variant == OFFLOAD else None
        # 1. What the graph holds between forward and backward.
        blocks.zero_grad(set_to_none=True)
        counter, cache = Counter(params, inner=offload), {}
        with counter.hooks():
            loss = forward(variant, blocks, x, cache)
        saved = counter.held(device, extra=cache)
        offloaded = counter.held("cpu") if device != "cpu" else 0
        loss.backward()
        grads = [p.grad.clone() for p in blocks.parameters()]
        left = counter.held(device) + counter.held("cpu")
        if left:
            raise SystemExit(f"{variant}: {left} bytes still held after backward")
        del loss
        # 2. Peak memory on a GPU.
        peak = None
        if device == "cuda":
            blocks.zero_grad(set_to_none=True)
            sync(device)
            torch.cuda.reset_peak_memory_stats()
            before = torch.cuda.memory_allocated()
            with offload or contextlib.nullcontext():
                loss = forward(variant, blocks, x)
            loss.backward()
            sync(device)
            peak = torch.cuda.max_memory_allocated() - before
            del loss
        results[variant] = dict(saved=saved, offloaded=offloaded, peak=peak, grads=grads)
    # 3. Time: the variants take turns, round after round, so that a change in the machine's load
    # (other processes) falls on all of them alike.
    times = collections.defaultdict(list)
    for i in range(WARMUP + SAMPLES):
        for variant in VARIANTS:
            offload = torch.autograd.graph.save_on_cpu() if variant == OFFLOAD else None
            blocks.zero_grad(set_to_none=True)
            sync(device)
            start = clock()
            with offload or contextlib.nullcontext():
                loss = forward(variant, blocks, x)
            loss.backward()
            sync(device)
            if i >= WARMUP:
                times[variant].append(clock() - start)
            del loss
    for variant, r in results.items():
        r["ms"] = statistics.median(times[variant]) * 1000
        peak = "-" if r["peak"] is None else f"{r['peak'] / MIB:.1f} MiB"
        print(
            f"{variant}: {r['saved'] / MIB:.1f} MiB held, {r['offloaded'] / MIB:.1f} MiB offloaded, peak {peak}, "
            f"{r['ms']:.1f} ms"
        )
    plain = results[PLAIN]
    for variant, r in results.items():  # a variant that changes the gradients is a bug, not a result
        if not all(torch.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(r["grads"], plain["grads"])):
            raise SystemExit(f"{variant}: the gradients differ from the plain run's")
    columns = {key: HEADERS["en"][key] for key in HEADERS["en"]}
    if device == "cpu":  # nothing is offloaded from the CPU, there is no allocator peak to read, and CPU time
        del columns["offloaded_mib"], columns["peak_mib"], columns["step_ms"]
    else:
        del columns["step_cpu_ms"]
    step = "step_cpu_ms" if device == "cpu" else "step_ms"
    rows = []
    for variant, r in results.items():
        row = {
            "variant": variant,
            "saved_mib": f"{r['saved'] / MIB:.1f}",
            "saved_vs_plain": f"{r['saved'] / plain['saved']:.0%}",
            step: f"{r['ms']:.0f}",
            "time_vs_plain": f"{r['ms'] / plain['ms']:.2f}×",
        }
        if "offloaded_mib" in columns:
            row["offloaded_mib"] = f"{r['offloaded'] / MIB:.1f}"
        if "peak_mib" in columns:
            row["peak_mib"] = f"{r['peak'] / MIB:.1f}"
        rows.append(row)
    return {"machine": common.machine(device), "config": CONFIG, "columns": columns, "rows": rows}


# ---- the fragments the page includes ----------------------------------------------------------------


def value(text: str) -> float:
    """A number as the tables print it: '1,257', '0.54×' or '12%'."""
    return float(text.replace(",", "").rstrip("×%"))


def check(claim: bool, what: str) -> None:
    common.check_claim(claim, what, "docs/deep/graph_memory.md", __file__)


def device_table(run: dict, lang: str) -> str:
    """A device's table, the model it measured, and the stamp of the machine."""
    rows = {r["variant"]: r for r in run["rows"]}
    saved = {v: value(rows[v]["saved_mib"]) for v in VARIANTS}
    step = "step_cpu_ms" if "step_cpu_ms" in run["columns"] else "step_ms"
    times = {v: value(rows[v][step]) for v in VARIANTS}
    # What the page says about every device's results.
    check(
        saved[FULL] < saved[SELECTIVE] < saved[PLAIN],
        "checkpointing holds less than selective, which holds less than plain",
    )
    check(
        times[PLAIN] < times[SELECTIVE] < times[FULL],
        "selective checkpointing takes longer than plain, full longer still",
    )
    columns = run["columns"]
    keys = [k for k in HEADERS["en"] if k in columns]
    names = NAMES.get(lang, {})
    text = common.markdown_table(
        [HEADERS[lang][k] for k in keys],
        [[names.get(r[k], r[k]) if k == "variant" else r[k] for k in keys] for r in run["rows"]],
    )
    c = run["config"]
    model = {
        "en": f"{c['layers']} blocks, {c['batch']} sequences × {c['tokens']} tokens × width {c['width']}, "
        f"{c['heads']} heads, float32",
        "zh": f"{c['layers']} 个块，每批 {c['batch']} 个序列 × {c['tokens']} 个词元 × 宽度 {c['width']}，"
        f"{c['heads']} 个注意力头，float32",
    }[lang]
    m = run["machine"]
    device = m["device"]
    if lang == "zh":
        device = re.sub(r"^(.*), (\d+) cores$", r"\1，\2 核", device)
    return text + f"\n*{model} · {device} · PyTorch {m['torch']} · Python {m['python']} · {m['date']}*\n"


def fragments() -> dict[Path, str]:
    """Every fragment the recorded results give: results/memory-<device>.<lang>.md -> its text."""
    found = {}
    for path in sorted(common.RESULTS.glob("memory-*.json")):
        run = json.loads(path.read_text(encoding="utf-8"))
        for lang in LANGS:
            found[path.with_suffix(f".{lang}.md")] = device_table(run, lang)
    if common.RESULTS / "memory-cpu.en.md" not in found:
        raise SystemExit(f"no recorded CPU results in {common.RESULTS}; the page needs them")
    return found


def write_fragments() -> list[Path]:
    return [common.write_generated(path, text, COMMAND) for path, text in fragments().items()]


if __name__ == "__main__":
    main()
