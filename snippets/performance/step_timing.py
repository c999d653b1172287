"""What one training step costs: eager mode, torch.compile and CUDA graphs, and how to time them.

The page shows every line. `python -m tools.bench.steps` imports these definitions and runs the full
measurement (both problems, every variant, many samples) whose recorded results the page's tables show.
"""

# --8<-- [start:setup]
import copy
import os
import statistics
import time

import torch
import torch._dynamo
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]


# --8<-- [start:problems]
def make_problem(features, hidden, layers, batch):
    """An MLP, its SGD optimizer and one batch; data made on the CPU with a fixed seed, then moved."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, features, generator=g).to(device)
    y = torch.randn(batch, 1, generator=g).to(device)
    torch.manual_seed(0)
    widths = [features] + [hidden] * layers
    model = nn.Sequential(  # made on the CPU, so the seed gives the same weights on every device
        *[m for a, b in zip(widths, widths[1:]) for m in (nn.Linear(a, b), nn.ReLU())], nn.Linear(hidden, 1)
    ).to(device)
    return model, torch.optim.SGD(model.parameters(), lr=0.01), x, y


PROBLEMS = {
    "article MLP": dict(features=5, hidden=10, layers=1, batch=100),
    "large MLP": dict(features=1024, hidden=4096, layers=3, batch=512),
}
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
        for _ in range(steps):  # TorchDynamo unrolls this loop: `steps` training steps in one graph
            grads, loss = torch.func.grad_and_value(loss_of)(params)
            with torch.no_grad():
                for name, p in params.items():
                    p.sub_(lr * grads[name])  # SGD's update rule without momentum: p <- p - lr * grad
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
    optimizer.zero_grad(set_to_none=True)  # so backward allocates .grad from the graph's own memory pool
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


def build(variant, size):
    """A fresh problem of the given size, and the variant's step function for it."""
    make, options, _ = VARIANTS[variant]
    torch._dynamo.reset()  # forget earlier compiles: each variant compiles from scratch
    step = make(*make_problem(**size))
    return step if options is None else torch.compile(step, **options)
# --8<-- [end:variants]


# --8<-- [start:timer]
def sync():
    if device.type == "cuda":
        torch.cuda.synchronize()  # GPU work is asynchronous: wait for it before reading the clock


def median_us(step, warmup, samples, block):
    """Median over `samples` of the mean time per call across `block` calls in a row, in µs."""
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


# --8<-- [start:check]
CHECK_STEPS = 10  # every variant must reach the same loss after this many training steps
ARTICLE = PROBLEMS["article MLP"]
# One variant of each kind, to stay quick; the benchmark runs all of them, on both problems.
QUICK = [v for v in ("eager", "torch.compile", "one graph, reduce-overhead", "CUDA graph by hand") if v in VARIANTS]
losses, times = {}, {}
for variant in QUICK:
    step, per_call = build(variant, ARTICLE), VARIANTS[variant][2]
    for _ in range(CHECK_STEPS // per_call):
        loss = step()
    losses[variant] = loss.item()  # read it now: a CUDA graph's next replay overwrites it
    # A few samples only, and not printed: times depend on the machine (print(times) shows yours).
    times[variant] = median_us(step, warmup=2, samples=5, block=2) / per_call
agree = all(abs(value - losses["eager"]) < 1e-4 for value in losses.values())
print(f"article MLP, loss after {CHECK_STEPS} steps: {losses['eager']:.4f} in eager mode; "
      f"every variant within 1e-4 of it: {agree}")
# --8<-- [end:check]

# --8<-- [start:explain]
# Operations that show which part of the training step a captured graph holds
PARTS = {"linear": "forward", "mse_loss": "loss", "_autograd_grad": "backward", "add_": "update", "sub_": "update",
         "detach": "detach"}
for make in (make_step, make_one_graph_step):
    explanation = torch._dynamo.explain(make(*make_problem(**ARTICLE)))()
    print(f"{make.__name__}: {explanation.graph_count} graph(s)")
    for number, graph in enumerate(explanation.graphs, 1):
        ops = [getattr(node.target, "__name__", node.target) for node in graph.graph.nodes]
        parts = dict.fromkeys(PARTS[op] for op in ops if op in PARTS)  # in order, without repeats
        print(f"  graph {number}: {' + '.join(parts)}")
    for reason in explanation.break_reasons:
        print(f"  break at `{reason.user_stack[-1].line}`: {reason.reason.splitlines()[0]}")
with torch._dynamo.config.patch(trace_autograd_ops=True):  # False by default
    explanation = torch._dynamo.explain(make_step(*make_problem(**ARTICLE)))()
print(f"make_step with trace_autograd_ops=True: {explanation.graph_count} graph(s)")
# --8<-- [end:explain]
