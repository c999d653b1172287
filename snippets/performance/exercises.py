"""Exercises for the performance chapter: what a step records, comparing variants fairly, FLOPs per step."""

# --8<-- [start:setup]
import os
from collections import Counter

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]


# --8<-- [start:predict-question]
def backward_nodes(loss):
    """Every node of the backward graph that ends in `loss`."""
    found, stack = [], [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in found:
            found.append(node)
            stack.extend(child for child, _ in node.next_functions)
    return found


model = nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)  # the article's MLP
for batch in (100, 10_000):
    x, y = torch.zeros(batch, 5, device=device), torch.zeros(batch, 1, device=device)
    loss = nn.functional.mse_loss(model(x), y)
    print(f"batch {batch}: {len(backward_nodes(loss))} nodes")
# --8<-- [end:predict-question]

# --8<-- [start:predict-check]
print(dict(Counter(type(node).__name__ for node in backward_nodes(loss))))
# --8<-- [end:predict-check]


# --8<-- [start:fix-broken]
def make_problem():
    """The article's MLP and one batch, from fixed seeds (as make_problem on the performance page)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(100, 5, generator=g).to(device)
    y = torch.randn(100, 1, generator=g).to(device)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)
    return model, x, y


def eager_loss(model, x, y, steps=10):
    """The loss of the last of `steps` training steps: backward() and optimizer.step()."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()


def functional_loss(model, x, y, steps=10):
    """The same steps written as the one-graph step: grad_and_value and the update by hand."""
    params = dict(model.named_parameters())

    def loss_of(params):
        return nn.functional.mse_loss(torch.func.functional_call(model, params, (x,)), y)

    for _ in range(steps):
        grads, loss = torch.func.grad_and_value(loss_of)(params)
        with torch.no_grad():
            for name, p in params.items():
                p.sub_(0.01 * grads[name])
    return loss.item()


def check(losses):
    """A faster variant that computes something else is a bug: every variant must reach the same loss."""
    report = ", ".join(f"{name} {value:.4f}" for name, value in losses.items())
    assert all(abs(value - losses["eager"]) < 1e-4 for value in losses.values()), f"variants disagree: {report}"
    return report


model, x, y = make_problem()
losses = {"eager": eager_loss(model, x, y), "functional": functional_loss(model, x, y)}
try:
    check(losses)
except AssertionError as err:
    print(err)
# --8<-- [end:fix-broken]

# --8<-- [start:fix-solution]
losses = {"eager": eager_loss(*make_problem()), "functional": functional_loss(*make_problem())}  # a fresh problem each
print(check(losses))
# --8<-- [end:fix-solution]


# --8<-- [start:derive-check]
def step_flops(widths, batch):
    """FLOPs of the matrix products in one forward + backward pass of an MLP, by the derived formula."""
    products = [a * b for a, b in zip(widths, widths[1:])]
    return 6 * batch * sum(products) - 2 * batch * products[0]  # the input x needs no gradient


def counted_flops(widths, batch):
    """The same, counted by PyTorch's FlopCounterMode on a real step."""
    layers = [m for a, b in zip(widths, widths[1:]) for m in (nn.Linear(a, b, device=device), nn.ReLU())][:-1]
    model = nn.Sequential(*layers)
    x, y = torch.zeros(batch, widths[0], device=device), torch.zeros(batch, widths[-1], device=device)
    with FlopCounterMode(display=False) as counter:
        nn.functional.mse_loss(model(x), y).backward()
    return counter.get_total_flops()


for widths, batch in (([5, 10, 1], 100), ([16, 32, 32, 32, 1], 8)):
    assert counted_flops(widths, batch) == step_flops(widths, batch)
    print(f"widths {widths}, batch {batch}: {step_flops(widths, batch):,} FLOPs, counted: the same")
small, large = step_flops([5, 10, 1], 100), step_flops([1024, 4096, 4096, 4096, 1], 512)
print(f"large MLP: {large:.3e} FLOPs per step, {large / small:.2e} times the article MLP's")
# --8<-- [end:derive-check]
