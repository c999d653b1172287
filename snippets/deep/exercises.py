"""Exercises for Autograd in depth: where() and NaN, an optimizer in a hook, custom Functions, checkpointing, jvp."""

# --8<-- [start:setup]
import os

import torch
from torch.utils.checkpoint import checkpoint

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:predict-where-question]
x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True, device=device)
y = torch.where(x > 0, x.sqrt(), torch.zeros_like(x))  # sqrt only where x > 0 ... or is it?
y.sum().backward()
print(y)
print(x.grad)
# --8<-- [end:predict-where-question]

# --8<-- [start:predict-where-check]
s = x.detach().sqrt()  # what sqrt computed for every element: nan, 0, 2
print(0 / (2 * s))  # SqrtBackward0: grad / (2 sqrt(x)), with the zero gradient where() sends it
x.grad = None
safe = torch.where(x > 0, x, torch.ones_like(x))  # sqrt never sees x <= 0
y = torch.where(x > 0, safe.sqrt(), torch.zeros_like(x))
y.sum().backward()
print(x.grad)
assert not x.grad.isnan().any()
# --8<-- [end:predict-where-check]

# --8<-- [start:predict-hook-question]
w = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
x = torch.tensor([3.0, 4.0], device=device)
seen = []


def sgd_in_backward(p):  # a post-accumulate-grad hook receives the leaf itself
    seen.append(p.grad.clone())
    p.sub_(0.1 * p.grad)  # hooks run in no-grad mode: an in-place update of the leaf is allowed
    p.grad = None  # the gradient has been used: free it now


w.register_post_accumulate_grad_hook(sgd_in_backward)
loss = (w * x).sum() + (w**2).sum()  # w is used twice
loss.backward()
print(len(seen), seen[0])
print(w, w.grad)
# --8<-- [end:predict-hook-question]

# --8<-- [start:predict-hook-check]
w0 = torch.tensor([1.0, 2.0], device=device)
assert len(seen) == 1 and torch.equal(seen[0], x + 2 * w0)  # both uses summed before the hook ran
assert torch.allclose(w.detach(), w0 - 0.1 * (x + 2 * w0))
# --8<-- [end:predict-hook-check]


# --8<-- [start:fix-broken]
class ScaledExp(torch.autograd.Function):
    """y = scale * exp(x), with scale a Python number."""

    @staticmethod
    def forward(ctx, x, scale):
        y = scale * x.exp()
        ctx.save_for_backward(y)  # dy/dx = y: the output is all backward needs
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y


x = torch.tensor([0.0, 1.0], requires_grad=True, device=device)
try:
    ScaledExp.apply(x, 2.0).sum().backward()
except RuntimeError as err:
    print(err)
# --8<-- [end:fix-broken]


# --8<-- [start:fix-solution]
class ScaledExp(torch.autograd.Function):
    """y = scale * exp(x), with scale a Python number."""

    @staticmethod
    def forward(ctx, x, scale):
        y = scale * x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y, None  # one value per input of forward: None for scale, a number


x = torch.tensor([0.0, 1.0], requires_grad=True, device=device)
ScaledExp.apply(x, 2.0).sum().backward()
print(x.grad)
x64 = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True, device=device)
assert torch.autograd.gradcheck(lambda t: ScaledExp.apply(t, 2.0), (x64,))  # float64: gradcheck's tolerances
# --8<-- [end:fix-solution]

# --8<-- [start:explain-checkpoint-question]
calls = 0


def block(t):
    global calls
    calls += 1  # count every run of the block's forward
    return t.sin().exp()


x = torch.tensor([0.5, 1.0], requires_grad=True, device=device)
loss = checkpoint(block, x, use_reentrant=False).sum()
# --8<-- [end:explain-checkpoint-question]

# --8<-- [start:explain-checkpoint]
print("after the forward pass: forward ran", calls, "time")
loss.backward()
print("after the backward pass: forward ran", calls, "times; x.grad =", x.grad)
with_checkpoint, x.grad, calls = x.grad, None, 0
block(x).sum().backward()
print("without checkpointing: forward ran", calls, "time; x.grad =", x.grad)
assert torch.equal(x.grad, with_checkpoint)  # the same gradient, recomputed instead of stored
# --8<-- [end:explain-checkpoint]

# --8<-- [start:derive-jvp]
x = torch.tensor([0.5, 1.0, 2.0], device=device)
v = torch.tensor([1.0, 0.0, -1.0], device=device)


def f(t):
    return t.sin() * t


value, tangent = torch.func.jvp(f, (x,), (v,))
by_hand = (x.cos() * x + x.sin()) * v  # f'(x) * v, element by element
print(tangent)
assert torch.allclose(tangent, by_hand)
basis = torch.eye(3, device=device)  # one tangent per column of the Jacobian
columns = torch.func.vmap(lambda e: torch.func.jvp(f, (x,), (e,))[1])(basis)
assert torch.allclose(columns.T, torch.func.jacfwd(f)(x))
print(columns.T)  # diagonal: f acts element by element
# --8<-- [end:derive-jvp]
