"""Exercises for the introduction: leaves, accumulation, saved tensors, backward through a graph twice."""

# --8<-- [start:setup]
import os

import torch

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:predict-question]
w = torch.tensor([1.0, -2.0], requires_grad=True, device=device)
x = torch.tensor([3.0, 4.0], device=device)
print((x * 2).is_leaf, (w * 2).is_leaf, (w * x).grad_fn.name())
for step in range(3):
    y = (w * x).sum() if step < 2 else (w * w).sum()  # each pass records a new graph
    y.backward()
print(w.grad)
# --8<-- [end:predict-question]

# --8<-- [start:predict-check]
# Two graphs of w * x give x each; the third graph, w * w, gives 2w; .grad holds the sum.
assert torch.equal(w.grad, x + x + 2 * w.detach())
# --8<-- [end:predict-check]

# --8<-- [start:fix-broken]
w = torch.tensor([0.5, 1.0], requires_grad=True, device=device)
h = w.sin()  # a shared part
loss1 = h.sum()
loss2 = (h**2).sum()
loss1.backward()
try:
    loss2.backward()  # the second call
except RuntimeError as err:
    print(str(err).split(" (")[0])
# --8<-- [end:fix-broken]

# --8<-- [start:fix-solution]
w.grad = None
h = w.sin()  # record the graph again: the old one has lost its saved tensors
loss1 = h.sum()
loss2 = (h**2).sum()
(loss1 + loss2).backward()  # one backward pass through the shared part
print(w.grad)
expected = w.cos() * (1 + 2 * w.sin())  # d/dw [sin w + sin^2 w]
assert torch.allclose(w.grad, expected.detach())
# --8<-- [end:fix-solution]

# --8<-- [start:fix-retain]
summed, w.grad = w.grad, None
h = w.sin()
h.sum().backward(retain_graph=True)  # keeps the saved tensors for a second pass
(h**2).sum().backward()  # adds into w.grad
assert torch.allclose(w.grad, summed)
# --8<-- [end:fix-retain]

# --8<-- [start:derive-check]
a = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
b = torch.tensor([3.0, 4.0], device=device)  # needs no gradient
mul = (a * b).grad_fn
print("b needs no gradient: self =", mul._saved_self, " other =", mul._saved_other)
assert mul._saved_self is None and torch.equal(mul._saved_other, b)  # only b, for d(a*b)/da = b

b.requires_grad_()  # now both factors need a gradient
mul = (a * b).grad_fn
print("both need one:       self =", mul._saved_self, " other =", mul._saved_other)
assert torch.equal(mul._saved_self, a) and torch.equal(mul._saved_other, b)

(a * b).sum().backward()
assert torch.equal(a.grad, b.detach()) and torch.equal(b.grad, a.detach())  # d/da = b, d/db = a
# --8<-- [end:derive-check]
