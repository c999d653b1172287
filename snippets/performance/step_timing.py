"""What one training step costs: eager mode vs torch.compile, timed properly."""

import os
import statistics
import time

import torch
import torch._dynamo
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))
# The tests run a smoke setting (the article's MLP, a few repeats); `python -m tests.bench.steps`
# runs the full one and records the numbers the page shows.
FULL = os.environ.get("BENCH") == "full"


# --8<-- [start:problems]
def make_problem(features, hidden, layers, batch):
    """An MLP, its SGD optimizer and a batch; data made on the CPU, then moved."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, features, generator=g).to(device)
    y = torch.randn(batch, 1, generator=g).to(device)
    torch.manual_seed(0)
    widths = [features] + [hidden] * layers
    blocks = [m for a, b in zip(widths, widths[1:]) for m in (nn.Linear(a, b), nn.ReLU())]
    model = nn.Sequential(*blocks, nn.Linear(hidden, 1)).to(device)
    return model, torch.optim.SGD(model.parameters(), lr=0.01), x, y


PROBLEMS = {
    "article MLP": dict(features=5, hidden=10, layers=1, batch=100),
    "large MLP": dict(features=1024, hidden=4096, layers=3, batch=512),
}
if not FULL:  # the tests' smoke setting
    del PROBLEMS["large MLP"]
# --8<-- [end:problems]


# --8<-- [start:step]
def make_step(model, optimizer, x, y):
    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.detach()

    return step
# --8<-- [end:step]


# --8<-- [start:timer]
def sync():
    # GPU work is asynchronous: wait for it before reading the clock.
    if device.type == "cuda": torch.cuda.synchronize()  # noqa: E701


def median_us(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6
# --8<-- [end:timer]


# --8<-- [start:measure]
results = []
for name, size in PROBLEMS.items():
    for variant in ("eager", "torch.compile"):
        step = make_step(*make_problem(**size))
        start = time.perf_counter()
        if variant == "torch.compile":
            step = torch.compile(step)  # the whole step, optimizer included
        first_loss = step()  # the first call compiles
        sync()
        first_call_s = time.perf_counter() - start
        step_us = median_us(step, warmup=10, repeats=200 if FULL else 5)
        results.append(dict(problem=name, variant=variant, step_us=step_us, first_call_s=first_call_s,
                            first_loss=first_loss.item()))
        print(f"{name:12} {variant:14} first loss {first_loss.item():.4f}")
# --8<-- [end:measure]

# --8<-- [start:explain]
step = make_step(*make_problem(**PROBLEMS["article MLP"]))
explanation = torch._dynamo.explain(step)()
print("graphs:", explanation.graph_count, "graph breaks:", explanation.graph_break_count)
for reason in explanation.break_reasons:
    print(f"  break at `{reason.user_stack[-1].line}`: {reason.reason.splitlines()[0]}")
# --8<-- [end:explain]
