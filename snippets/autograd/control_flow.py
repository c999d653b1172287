"""Ordinary Python control flow decides which graph gets recorded."""

# --8<-- [start:setup]
import os

import torch

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]


# --8<-- [start:walk]
def ops(t):
    """Names of the backward nodes reachable from t, depth first."""
    seen, order, stack = set(), [], [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        order.append(fn.name().replace("torch::autograd::", ""))
        stack.extend(f for f, _ in reversed(fn.next_functions))
    return order
# --8<-- [end:walk]


# --8<-- [start:branch]
def f(x):
    if x.sum() > 0:  # a data-dependent branch, evaluated by Python
        return (x * 2).sum()
    return x.exp().mean()


pos = torch.tensor([1.0, 2.0], device=device, requires_grad=True)
neg = torch.tensor([-1.0, -2.0], device=device, requires_grad=True)
print(ops(f(pos)))
print(ops(f(neg)))
# --8<-- [end:branch]

# --8<-- [start:loop]
def power(x, n):
    out = x
    for _ in range(n - 1):  # the loop unrolls into n - 1 multiplications
        out = out * x
    return out


x = torch.tensor(2.0, device=device, requires_grad=True)
for n in (2, 4):
    y = power(x, n)
    (dy,) = torch.autograd.grad(y, x)
    names = ops(y)  # n - 1 multiplications, plus the AccumulateGrad of x; dy/dx = n * x**(n-1)
    muls = names.count("MulBackward0")
    print(f"n={n}: {len(names)} nodes, {muls} of them MulBackward0, y={y.item()}, dy/dx={dy.item()}")
# --8<-- [end:loop]

# --8<-- [start:recursion]
def depth_sum(x, depth):
    """Each level of recursion adds one tanh and one addition to the graph."""
    if depth == 0:
        return x
    return torch.tanh(depth_sum(x, depth - 1)) + x


x = torch.tensor(0.5, device=device, requires_grad=True)
print(ops(depth_sum(x, 1)))
deep = ops(depth_sum(x, 3))
print(deep.count("TanhBackward0"), deep.count("AddBackward0"))
# --8<-- [end:recursion]
