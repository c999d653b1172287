"""Autograd basics: leaves, .grad, grad_fn, and the graph's short life."""

import torch

# --8<-- [start:sum]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x.sum()
print(y)
y.backward()  # dy/dx_i = 1 for every i
print(x.grad)
# --8<-- [end:sum]

# --8<-- [start:leaf]
w = torch.tensor([2.0, -1.0], requires_grad=True)  # created by the user: a leaf
v = torch.tensor([0.5, 4.0])
h = w * v  # produced by an operation: not a leaf
loss = (h**2).sum()
print("w:", w.is_leaf, w.grad_fn)
print("h:", h.is_leaf, h.grad_fn.name())
print("loss:", loss.is_leaf, loss.grad_fn.name())
# --8<-- [end:leaf]

# --8<-- [start:retain-grad]
h.retain_grad()  # ask autograd to keep the gradient of a non-leaf
loss.backward()
print("dloss/dw =", w.grad)  # 2 * w * v**2
print("dloss/dh =", h.grad)  # 2 * h
print("v.grad   =", v.grad)  # v never required a gradient
# --8<-- [end:retain-grad]

# --8<-- [start:graph]
a = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(4.0, requires_grad=True)
c = a * b
d = c + a.exp()
# Each node knows the nodes that produced its inputs: walk them by hand.
print(d.grad_fn.name())
for fn, _ in d.grad_fn.next_functions:
    print("  ", fn.name(), [f.name() if f else None for f, _ in fn.next_functions])
# AccumulateGrad nodes write into the .grad of a leaf:
acc = c.grad_fn.next_functions[0][0]
print(acc.variable is a)
# --8<-- [end:graph]

# --8<-- [start:freed]
d.backward()
print("dd/da =", a.grad.item(), "dd/db =", b.grad.item())  # b + exp(a), a
try:
    d.backward()  # the saved tensors were freed by the first backward
except RuntimeError as err:
    print("second backward:", str(err).split(".")[0])
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
p = torch.tensor(1.0, requires_grad=True)
for step in range(3):
    (p * 5).backward()
    print(f"after backward {step + 1}: p.grad = {p.grad.item()}")
p.grad.zero_()  # what optimizer.zero_grad() does for every parameter
print("after zero_():", p.grad.item())
# --8<-- [end:accumulate]

# --8<-- [start:non-scalar]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x**2  # a vector: backward() needs to know which combination of y we want
try:
    y.backward()
except RuntimeError as err:
    print(err)
u = torch.tensor([1.0, 0.1, 0.01])
y.backward(gradient=u)  # vector-Jacobian product: u^T (dy/dx) = u * 2x
print(x.grad)
# --8<-- [end:non-scalar]

# --8<-- [start:autograd-grad]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x**2
(vjp,) = torch.autograd.grad(y, x, grad_outputs=torch.ones(3))
print(vjp, x.grad)  # returned, not accumulated into x.grad
J = torch.autograd.functional.jacobian(lambda t: t**2, x.detach())
print(J)
# --8<-- [end:autograd-grad]
