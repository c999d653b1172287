"""What one training step costs: eager mode, torch.compile and CUDA graphs, timed properly."""

import copy
import os
import statistics
import time

import torch
import torch._dynamo
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))
# The tests run a smoke setting (the article's MLP, a few repeats); `python -m tools.bench.steps`
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


# --8<-- [start:one-graph]
def make_one_graph_step(model, optimizer, x, y, steps=1):
    """The same step as a function of the weights: no .backward(), no optimizer object,
    so TorchDynamo can trace forward, backward and update into a single graph."""
    params = dict(model.named_parameters())
    lr = optimizer.param_groups[0]["lr"]

    def loss_of(params):
        return nn.functional.mse_loss(torch.func.functional_call(model, params, (x,)), y)

    def step():
        for _ in range(steps):  # Dynamo unrolls this: `steps` training steps in one graph
            grads, loss = torch.func.grad_and_value(loss_of)(params)
            with torch.no_grad():
                for name, p in params.items():
                    p.sub_(lr * grads[name])  # what SGD's step() does without momentum
        return loss.detach()  # the weights require grad, so the loss does too, as in make_step

    return step
# --8<-- [end:one-graph]


# --8<-- [start:cuda-graph]
def capture_cuda_graph(model, optimizer, x, y):
    """Record one whole eager step as a CUDA graph; each call then replays it with one launch."""
    step = make_step(model, optimizer, x, y)
    weights = copy.deepcopy(model.state_dict())
    side = torch.cuda.Stream()  # warm up off the default stream, as capture requires
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            step()
    torch.cuda.current_stream().wait_stream(side)
    model.load_state_dict(weights)  # undo the warm-up steps, in place: the graph keeps these addresses
    graph = torch.cuda.CUDAGraph()
    optimizer.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        loss = step()  # recorded, not run; x, y, weights and grads stay at fixed addresses

    def replay():
        graph.replay()
        return loss

    return replay
# --8<-- [end:cuda-graph]


# --8<-- [start:variants]
# name: (how to build it, torch.compile options or None for no compiling, training steps per call)
VARIANTS = {
    "eager": (make_step, None, 1),
    "torch.compile": (make_step, dict(), 1),
    "torch.compile reduce-overhead": (make_step, dict(mode="reduce-overhead"), 1),
    "one graph, reduce-overhead": (make_one_graph_step, dict(mode="reduce-overhead", fullgraph=True), 1),
    "one graph, reduce-overhead, 2 steps per call": (
        lambda *problem: make_one_graph_step(*problem, steps=2), dict(mode="reduce-overhead", fullgraph=True), 2),
}
if device.type == "cuda":
    VARIANTS["CUDA graph by hand"] = (capture_cuda_graph, None, 1)
# --8<-- [end:variants]


# --8<-- [start:timer]
def sync():
    # GPU work is asynchronous: wait for it before reading the clock.
    if device.type == "cuda": torch.cuda.synchronize()  # noqa: E701


def median_us(step, warmup, samples, block):
    """Median over `samples` of the mean time per step across `block` steps in a row."""
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(block):
            step()
        sync()
        times.append((time.perf_counter() - start) / block)
    return statistics.median(times) * 1e6
# --8<-- [end:timer]


# --8<-- [start:measure]
CHECK_STEPS = 10  # every variant must reach the same loss after this many steps
# Small steps are timed in blocks, so reading the clock and sync() are spread over many steps.
TIMING = {"article MLP": dict(warmup=10, samples=50, block=20), "large MLP": dict(warmup=3, samples=10, block=1)}
if not FULL:
    TIMING = {"article MLP": dict(warmup=2, samples=3, block=2)}
results = []
for name, size in PROBLEMS.items():
    losses = {}
    for variant, (build, options, per_call) in VARIANTS.items():
        torch._dynamo.reset()  # an empty compile cache, so the first call includes the whole compile
        start = time.perf_counter()
        step = build(*make_problem(**size))
        if options is not None:
            step = torch.compile(step, **options)
        loss = step()  # the first call compiles
        sync()
        first_call_s = time.perf_counter() - start
        for _ in range(CHECK_STEPS // per_call - 1):
            loss = step()
        losses[variant] = loss.item()  # read it now: a CUDA graph's next replay overwrites it
        step_us = median_us(step, **TIMING[name]) / per_call
        results.append(dict(problem=name, variant=variant, step_us=step_us, first_call_s=first_call_s,
                            loss=losses[variant]))
    agree = all(abs(value - losses["eager"]) < 1e-4 for value in losses.values())
    print(f"{name}: loss at step {CHECK_STEPS} is {losses['eager']:.4f}; every variant agrees: {agree}")
# --8<-- [end:measure]

# --8<-- [start:explain]
for build in (make_step, make_one_graph_step):
    explanation = torch._dynamo.explain(build(*make_problem(**PROBLEMS["article MLP"])))()
    print(f"{build.__name__}: {explanation.graph_count} graph(s), {explanation.graph_break_count} break(s)")
    for reason in explanation.break_reasons:
        print(f"  break at `{reason.user_stack[-1].line}`: {reason.reason.splitlines()[0]}")
# --8<-- [end:explain]
