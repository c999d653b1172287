"""Beyond backward(): higher-order gradients, hooks, saved tensors, in-place ops, custom functions."""

import torch
from torch import nn

# --8<-- [start:higher-order]
x = torch.tensor(2.0, requires_grad=True)
y = x**3
(dy,) = torch.autograd.grad(y, x, create_graph=True)  # record the backward pass too
(d2y,) = torch.autograd.grad(dy, x)
print(dy.item(), d2y.item())  # 3x^2 = 12, 6x = 12
print(dy.grad_fn.name())  # the first derivative is itself part of a graph
# --8<-- [end:higher-order]

# --8<-- [start:tensor-hook]
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 2
h.register_hook(lambda grad: print("grad reaching h:", grad))
h.register_hook(lambda grad: grad.clamp(max=1.0))  # a hook may replace the gradient
(h * h).sum().backward()
print("x.grad:", x.grad)  # 2 * clamp(2h, max=1)
# --8<-- [end:tensor-hook]

# --8<-- [start:module-hook]
torch.manual_seed(0)
layer = nn.Linear(3, 2)
shapes = []
handle = layer.register_forward_hook(lambda mod, inp, out: shapes.append(tuple(out.shape)))
layer.register_full_backward_hook(lambda mod, gin, gout: shapes.append(("grad", tuple(gout[0].shape))))
layer(torch.ones(4, 3, requires_grad=True)).sum().backward()
handle.remove()  # hooks stay until removed
print(shapes)
# --8<-- [end:module-hook]

# --8<-- [start:saved-tensors]
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a.exp()
print(b.grad_fn.name(), torch.equal(b.grad_fn._saved_result, b))  # exp saves its output


def pack(t):
    print("saving", tuple(t.shape))
    return t


def unpack(t):
    print("using", tuple(t.shape))
    return t


with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    c = (a * a).sum()  # mul saves both inputs for backward
c.backward()
# --8<-- [end:saved-tensors]

# --8<-- [start:in-place]
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a.sigmoid()  # sigmoid's backward uses its output b
print("version before:", b._version)
b.mul_(2)  # in-place: bumps b's version counter
print("version after:", b._version)
try:
    b.sum().backward()
except RuntimeError as err:
    print(str(err).split(":")[0])  # the wording after the colon varies across PyTorch versions
# --8<-- [end:in-place]


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


x = torch.randn(4, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
print(torch.autograd.gradcheck(Cube.apply, (x,)))  # compares with finite differences
y = Cube.apply(x)
print(y.grad_fn.name())
# --8<-- [end:custom-function]
