"""Ordinary Python control flow decides which graph gets recorded."""

import torch


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


pos = torch.tensor([1.0, 2.0], requires_grad=True)
neg = torch.tensor([-1.0, -2.0], requires_grad=True)
print(ops(f(pos)))
print(ops(f(neg)))
# --8<-- [end:branch]

# --8<-- [start:loop]
def power(x, n):
    out = x
    for _ in range(n - 1):  # the loop unrolls into n - 1 multiplications
        out = out * x
    return out


x = torch.tensor(2.0, requires_grad=True)
for n in (2, 4):
    y = power(x, n)
    (dy,) = torch.autograd.grad(y, x)
    print(f"n={n}: {len(ops(y))} nodes, y={y.item()}, dy/dx={dy.item()}")  # n * x**(n-1)
# --8<-- [end:loop]

# --8<-- [start:recursion]
def depth_sum(x, depth):
    """Recursion: the graph is as deep as the call stack was."""
    if depth == 0:
        return x
    return torch.tanh(depth_sum(x, depth - 1)) + x


x = torch.tensor(0.5, requires_grad=True)
print(ops(depth_sum(x, 1)))
print(ops(depth_sum(x, 3)).count("TanhBackward0"))
# --8<-- [end:recursion]
