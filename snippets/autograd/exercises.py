"""Exercises for the autograd chapter: retain_grad, a manual update, vector-Jacobian products."""

# --8<-- [start:setup]
import os
import warnings

import torch

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:predict-question]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
y = x**2
y.retain_grad()
(y * torch.tensor([1.0, 0.0, -1.0], device=device)).sum().backward()
print(y.grad)
print(x.grad)
with torch.no_grad():
    x -= 0.5 * x.grad
print(x, x.is_leaf)
# --8<-- [end:predict-question]

# --8<-- [start:predict-check]
mask = torch.tensor([1.0, 0.0, -1.0], device=device)
assert torch.equal(y.grad, mask)  # d(sum(y * mask))/dy = mask
assert torch.equal(x.grad, 2 * torch.tensor([1.0, 2.0, 3.0], device=device) * mask)  # chain rule: mask * 2x
# --8<-- [end:predict-check]

# --8<-- [start:fix-broken]
g = torch.Generator().manual_seed(0)
X = torch.randn(16, 2, generator=g).to(device)  # data from a known rule: Y = X @ [2, -1]
true_w = torch.tensor([2.0, -1.0], device=device)
Y = X @ true_w
w = torch.zeros(2, requires_grad=True, device=device)
try:
    for _ in range(50):
        loss = ((X @ w - Y) ** 2).mean()
        loss.backward()
        w -= 0.3 * w.grad  # gradient descent by hand
except RuntimeError as err:
    print(err)
# --8<-- [end:fix-broken]

# --8<-- [start:fix-solution]
w = torch.zeros(2, requires_grad=True, device=device)
for _ in range(50):
    loss = ((X @ w - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.3 * w.grad  # not recorded: allowed, and w stays a leaf
    w.grad = None  # otherwise the next backward() adds to this gradient
print(w, w.is_leaf)
assert w.is_leaf and torch.allclose(w, true_w, atol=1e-4)
# --8<-- [end:fix-solution]

# --8<-- [start:fix-pitfall]
w = torch.zeros(2, requires_grad=True, device=device)
((X @ w - Y) ** 2).mean().backward()
w = w - 0.3 * w.grad  # out of place, but recorded: a new tensor with a grad_fn
print(w.is_leaf, w.grad_fn.name())
((X @ w - Y) ** 2).mean().backward()  # the next iteration's backward()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # reading .grad of a non-leaf warns; here we want to see it
    print(w.grad)
# --8<-- [end:fix-pitfall]

# --8<-- [start:derive-check]
x = torch.tensor([2.0, 3.0], requires_grad=True, device=device)
y = torch.stack([x[0] * x[1], x[0] + x[1] ** 2])  # f(x) = (x1 x2, x1 + x2^2)
try:
    y.backward()  # y has two elements: which v?
except RuntimeError as err:
    print(err)
v = torch.tensor([1.0, -1.0], device=device)
y.backward(gradient=v)
J = torch.tensor([[3.0, 2.0], [1.0, 6.0]], device=device)  # [[x2, x1], [1, 2 x2]] at x = (2, 3), by hand
print(x.grad, v @ J)
assert torch.equal(x.grad, v @ J)
assert torch.equal(torch.autograd.functional.jacobian(lambda t: torch.stack([t[0] * t[1], t[0] + t[1] ** 2]), x), J)
# --8<-- [end:derive-check]
