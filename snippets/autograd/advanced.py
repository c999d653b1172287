"""Beyond backward(): higher-order gradients, hooks, saved tensors, in-place ops, custom functions."""

# --8<-- [start:setup]
import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:higher-order]
x = torch.tensor(2.0, requires_grad=True, device=device)
y = x**3
(dy,) = torch.autograd.grad(y, x, create_graph=True)  # record the backward pass too
(d2y,) = torch.autograd.grad(dy, x)
print(dy.item(), d2y.item())  # 3x^2 = 12, 6x = 12
print(dy.grad_fn.name())  # the first derivative is itself part of a graph
(plain,) = torch.autograd.grad(x**3, x)  # without create_graph ...
print(plain.requires_grad, plain.grad_fn)  # ... the gradient is a constant: no graph to go further
# --8<-- [end:higher-order]

# --8<-- [start:tensor-hook]
x = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
h = x * 2
h.register_hook(lambda grad: print("first hook gets:", grad))
h.register_hook(lambda grad: grad.clamp(max=1.0))  # returning a tensor replaces the gradient
h.register_hook(lambda grad: print("third hook gets:", grad))  # hooks run in registration order
(h * h).sum().backward()
print("x.grad:", x.grad)  # 2 * clamp(2h, max=1)
# --8<-- [end:tensor-hook]

# --8<-- [start:module-hook]
layer = nn.Linear(3, 2).to(device)
shapes = []
handle = layer.register_forward_hook(lambda mod, inp, out: shapes.append(tuple(out.shape)))
layer.register_full_backward_hook(lambda mod, gin, gout: shapes.append(("grad_input", tuple(gin[0].shape))))
# The input requires grad, so grad_input holds the gradient for it
# (with no input requiring grad, grad_input is (None,) and PyTorch warns).
x = torch.ones(4, 3, device=device, requires_grad=True)
layer(x).sum().backward()  # calling the module runs its hooks ...
layer.forward(x)  # ... calling forward() directly does not
print(shapes)
handle.remove()  # a hook stays until its handle removes it
layer(torch.ones(5, 3, device=device))
print(shapes)  # unchanged: the forward hook no longer runs
# --8<-- [end:module-hook]

# --8<-- [start:saved-tensors]
a = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
b = a.exp()
print(b.grad_fn.name(), torch.equal(b.grad_fn._saved_result, b))  # exp saves its output


def pack(t):
    print("saving", tuple(t.shape))
    return t


def unpack(t):
    print("using", tuple(t.shape))
    return t


with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    c = (a * a).sum()  # mul saves both of its inputs for backward
print("backward starts")
c.backward()
# --8<-- [end:saved-tensors]

# --8<-- [start:in-place]
a = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
b = a.sigmoid()  # sigmoid's backward uses its output b
print("version before:", b._version)
b.mul_(2)  # in-place: bumps b's version counter
print("version after:", b._version)
try:
    b.sum().backward()
except RuntimeError as err:
    print(str(err).split(":")[0])  # the wording after the colon varies across PyTorch versions
# --8<-- [end:in-place]

# --8<-- [start:in-place-fix]
a = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
b = a.sigmoid()
doubled = b * 2  # fix 1: out of place, b itself is untouched
copied = b.clone().mul_(2)  # fix 2: modify a copy, not the saved b
(doubled + copied).sum().backward()
print("version of b:", b._version, "a.grad:", a.grad)
# --8<-- [end:in-place-fix]

# --8<-- [start:in-place-data]
a = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
b = a.sigmoid()
b.data.mul_(2)  # .data bypasses autograd: the version counter does not move
print("version of b:", b._version)
b.sum().backward()  # no error, and a wrong gradient: backward used the changed b
s = torch.sigmoid(a.detach())
print("a.grad:", a.grad, "correct:", s * (1 - s))
# --8<-- [end:in-place-data]


# --8<-- [start:custom-function]
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * 3 * x**2


g = torch.Generator().manual_seed(0)
x = torch.randn(4, dtype=torch.float64, generator=g).to(device).requires_grad_()
print(torch.autograd.gradcheck(Cube.apply, (x,)))  # compares with finite differences
print(type(Cube.apply(x).grad_fn).__name__)  # the node autograd made for Cube
# --8<-- [end:custom-function]


# --8<-- [start:gradcheck-catches]
class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * 3 * x  # bug: should be 3 * x**2


print(torch.autograd.gradcheck(WrongCube.apply, (x,), raise_exception=False))
# --8<-- [end:gradcheck-catches]
