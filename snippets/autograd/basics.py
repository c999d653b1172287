"""Autograd basics: leaves, .grad, grad_fn, and the graph's short life."""

# --8<-- [start:setup]
import os

import torch

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:sum]
x = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
y = x.sum()
print(y)
y.backward()  # dy/dx_i = 1 for every i
print(x.grad)
# --8<-- [end:sum]

# --8<-- [start:leaf]
w = torch.tensor([2.0, -1.0], device=device, requires_grad=True)  # made by the user: a leaf
v = torch.tensor([0.5, 4.0], device=device)  # requires no gradient: a leaf
h = w * v  # made by an operation, from a tensor that requires a gradient: not a leaf
loss = (h**2).sum()
print("w:", w.is_leaf, w.grad_fn)
print("v:", v.is_leaf, (v * 2).is_leaf)  # without requires_grad, even a result is a leaf
print("h:", h.is_leaf, h.grad_fn.name())
print("loss:", loss.is_leaf, loss.grad_fn.name())
# --8<-- [end:leaf]

# --8<-- [start:retain-grad]
h.retain_grad()  # ask autograd to keep the gradient of a non-leaf
loss.backward()
print("dloss/dw =", w.grad)  # 2 * w * v**2
print("dloss/dh =", h.grad)  # 2 * h
print("v.grad   =", v.grad)  # v never required a gradient
print("kept for h:", h.retains_grad, "for loss:", loss.retains_grad)
# --8<-- [end:retain-grad]

# --8<-- [start:graph]
a = torch.tensor(3.0, device=device, requires_grad=True)
b = torch.tensor(4.0, device=device, requires_grad=True)
c = a * b
d = c + a.exp()
# Each node knows the nodes that produced its inputs: walk them by hand.
print(type(d.grad_fn).__name__)
for fn, _ in d.grad_fn.next_functions:
    print("  ", type(fn).__name__, [type(f).__name__ if f else None for f, _ in fn.next_functions])
# AccumulateGrad nodes write into the .grad of a leaf:
acc = c.grad_fn.next_functions[0][0]
print(acc.variable is a, acc.name())  # its name() adds a C++ namespace to the class name
# --8<-- [end:graph]

# --8<-- [start:freed]
mul = c.grad_fn  # a and b both require a gradient, so MulBackward0 saved both factors
print("saved by MulBackward0:", mul._saved_self.item(), mul._saved_other.item())
d.backward()
print("dd/da =", a.grad.item(), "dd/db =", b.grad.item())  # b + exp(a), a
print("nodes after backward:", [type(fn).__name__ for fn, _ in d.grad_fn.next_functions])
try:
    print(mul._saved_self)  # the nodes are still there, what they saved is not
except RuntimeError as err:
    print("saved tensor:", str(err).split(".")[0])
try:
    d.backward()  # MulBackward0 and ExpBackward0 need their saved tensors: the same error
except RuntimeError as err:
    print("second backward:", str(err).split(".")[0])
q = torch.tensor(1.0, device=device, requires_grad=True)
s = q + 1  # adding a constant saves no tensor for backward ...
s.backward()
s.backward()  # ... so a second pass through it works
print("q + 1, backward twice: q.grad =", q.grad.item())
# --8<-- [end:freed]

# --8<-- [start:retain-graph]
a.grad = None
b.grad = None
d = a * b + a.exp()
d.backward(retain_graph=True)  # keep the saved tensors for another pass
first = a.grad.clone()
d.backward()  # allowed now; gradients add up in .grad
print(first.item(), a.grad.item(), torch.allclose(a.grad, 2 * first))
# --8<-- [end:retain-graph]

# --8<-- [start:accumulate]
p = torch.tensor(1.0, device=device, requires_grad=True)
for step in range(3):
    (p * 5).backward()  # each call adds d(5p)/dp = 5
    print(f"after backward {step + 1}: p.grad = {p.grad.item()}")
p.grad = None
batch = torch.tensor([1.0, 2.0, 3.0, 4.0], device=device)
for half in batch.split(2):  # one batch in two halves, one backward each
    (p * half).sum().backward()
(whole,) = torch.autograd.grad((p * batch).sum(), p)  # the whole batch at once
print("sum:  two halves", p.grad.item(), " whole batch", whole.item())
p.grad = None
for half in batch.split(2):  # a mean over the batch: weight each half by its share
    ((p * half).mean() * len(half) / len(batch)).backward()
(whole,) = torch.autograd.grad((p * batch).mean(), p)
print("mean: two halves", p.grad.item(), " whole batch", whole.item())
# --8<-- [end:accumulate]

# --8<-- [start:zero-grad]
opt = torch.optim.SGD([p], lr=0.1)
opt.zero_grad()  # set_to_none=True by default: .grad becomes None
print("after zero_grad():", p.grad)
(p * 5).backward()
opt.zero_grad(set_to_none=False)  # fill .grad with zeros instead
print("after zero_grad(set_to_none=False):", p.grad.item())
# --8<-- [end:zero-grad]

# --8<-- [start:non-scalar]
x = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
y = x**2  # three outputs: backward() needs to know which combination of y we want
try:
    y.backward()
except RuntimeError as err:
    print(err)
u = torch.tensor([1.0, 0.1, 0.01], device=device)
y.backward(gradient=u)  # vector-Jacobian product: u^T (dy/dx) = u * 2x
print(x.grad)
one = torch.tensor([2.0], device=device, requires_grad=True)
(one**2).backward()  # shape (1,): one element is enough, v = 1 is implied
print(one.grad)
# --8<-- [end:non-scalar]

# --8<-- [start:autograd-grad]
x = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
y = x**2
(vjp,) = torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y))
print(vjp, x.grad)  # returned, not accumulated into x.grad
J = torch.autograd.functional.jacobian(lambda t: t**2, x.detach())
print(J)
# --8<-- [end:autograd-grad]
