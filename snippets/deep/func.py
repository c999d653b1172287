"""torch.func and forward-mode AD: grad, vjp, jvp, Jacobians, Hessians, vmap, per-sample gradients, dual numbers.

`python -m tools.bench.jacobians` imports make_mlp and SHAPES from here and times jacrev against jacfwd.
"""

# --8<-- [start:setup]
import os

import torch
import torch.autograd.forward_ad as fwAD
from torch import nn
from torch.func import functional_call, grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp, vmap

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]


# --8<-- [start:grad]
def f(x):
    return (x * x.sin()).sum()  # R^3 -> R, a plain Python function of a tensor


x = torch.tensor([0.5, 1.0, 2.0], device=device)  # no requires_grad needed
df = grad(f)  # a function in, a function out
print(df(x))
assert torch.allclose(df(x), x * x.cos() + x.sin())  # d/dx (x sin x) = x cos x + sin x
print(x.requires_grad, x.grad)  # the gradient was returned, not stored in x.grad
g, value = grad_and_value(f)(x)  # the gradient and f(x), from one forward pass
print(value)
assert torch.equal(g, df(x)) and torch.equal(value, f(x))
try:
    grad(lambda t: f(t).reshape(1))(x)  # one element, but one dimension
except RuntimeError as err:
    print(str(err).split(". ")[0])
# --8<-- [end:grad]

# --8<-- [start:vjp-jvp]
A = torch.tensor([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0]], device=device)


def h(x):
    return torch.tanh(A @ x)  # R^3 -> R^2


J = (1 - h(x) ** 2)[:, None] * A  # its Jacobian, by hand: diag(1 - tanh^2) A, shape (2, 3)
out, vjp_fn = vjp(h, x)  # runs h once and keeps what reverse mode needs
v = torch.tensor([1.0, -2.0], device=device)  # one value per output
(vJ,) = vjp_fn(v)  # a tuple: one result per input of h
print(vJ.shape, vjp_fn(2 * v)[0].shape)  # the same vjp_fn can be called again
assert torch.allclose(vJ, v @ J)
u = torch.tensor([1.0, 0.0, 0.0], device=device)  # one value per input
out, Ju = jvp(h, (x,), (u,))  # runs h once, carrying u forward alongside x
print(Ju.shape)
assert torch.allclose(Ju, J @ u)  # with u = e_0: the first column of J
# --8<-- [end:vjp-jvp]


# --8<-- [start:jacobians]
def make_mlp(inputs, outputs, hidden=128):
    """A small MLP as a function R^inputs -> R^outputs; weights made on the CPU with a seed, then moved."""
    g = torch.Generator().manual_seed(0)
    W1 = (torch.randn(hidden, inputs, generator=g) / inputs**0.5).to(device)
    W2 = (torch.randn(outputs, hidden, generator=g) / hidden**0.5).to(device)
    return lambda x: W2 @ torch.tanh(W1 @ x)


SHAPES = {"wide": dict(inputs=1024, outputs=4), "tall": dict(inputs=4, outputs=1024)}
for name, shape in SHAPES.items():
    mlp = make_mlp(**shape)
    x0 = torch.randn(shape["inputs"], generator=torch.Generator().manual_seed(1)).to(device)
    J_rev = jacrev(mlp)(x0)  # one vjp per output (row of J), batched by vmap
    J_fwd = jacfwd(mlp)(x0)  # one jvp per input (column of J), batched by vmap
    print(name, tuple(J_rev.shape), tuple(J_fwd.shape))
    assert torch.allclose(J_rev, J_fwd, atol=1e-6)
# --8<-- [end:jacobians]

# --8<-- [start:hessian]
H = hessian(f)(x)  # jacfwd(jacrev(f)): forward mode over reverse mode
print(H)
assert torch.allclose(H, torch.diag(2 * x.cos() - x * x.sin()))  # (x sin x)'' = 2 cos x - x sin x
assert torch.allclose(H, jacrev(jacrev(f))(x))  # other compositions give the same matrix
# --8<-- [end:hessian]

# --8<-- [start:vmap]
seen = []


def score(w, x):
    seen.append(tuple(x.shape))  # record the shape that the function body sees
    return torch.tanh(w @ x)  # written for one sample: w and x are vectors


w = torch.tensor([0.5, -1.0, 2.0], device=device)
batch = torch.randn(5, 3, generator=torch.Generator().manual_seed(2)).to(device)
scores = vmap(score, in_dims=(None, 0))(w, batch)  # w shared, batch split along dim 0
print(scores.shape, seen)  # the body ran once, and saw the shape of one sample
assert torch.allclose(scores, torch.stack([score(w, xi) for xi in batch]))  # same as a loop
# --8<-- [end:vmap]

# --8<-- [start:per-sample]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)).to(device)
params = {name: p.detach() for name, p in model.named_parameters()}
gen = torch.Generator().manual_seed(3)
xs, ys = torch.randn(6, 3, generator=gen).to(device), torch.randn(6, 1, generator=gen).to(device)


def sample_loss(params, x, y):
    pred = functional_call(model, params, (x[None],))  # the module run with these weights, on one sample
    return nn.functional.mse_loss(pred, y[None])


per_sample = vmap(grad(sample_loss), in_dims=(None, 0, 0))(params, xs, ys)
print({name: tuple(gr.shape) for name, gr in per_sample.items()})
for i in range(len(xs)):  # the same, one sample at a time: a forward and a backward each
    model.zero_grad()
    nn.functional.mse_loss(model(xs[i : i + 1]), ys[i : i + 1]).backward()
    for name, p in model.named_parameters():
        assert torch.allclose(per_sample[name][i], p.grad, atol=1e-6)
model.zero_grad()
nn.functional.mse_loss(model(xs), ys).backward()  # the batch gradient is their mean
print(all(torch.allclose(per_sample[n].mean(0), p.grad, atol=1e-6) for n, p in model.named_parameters()))
# --8<-- [end:per-sample]

# --8<-- [start:dual]
with fwAD.dual_level():
    a = fwAD.make_dual(torch.tensor(3.0, device=device), torch.tensor(1.0, device=device))  # 3 + 1ε
    print(fwAD.unpack_dual(a * a))  # (3 + ε)^2 = 9 + 6ε: ε^2 = 0 drops the rest
    dual = fwAD.make_dual(x, u)  # x with tangent u
    y = dual * dual.sin()  # ordinary operations carry the tangent along
    primal, tangent = fwAD.unpack_dual(y)
    print(tangent)  # u = e_0: only the first element moves, at rate x0 cos x0 + sin x0
print(y.grad_fn, fwAD.unpack_dual(y).tangent)  # no graph was recorded; leaving the level dropped the tangent
assert torch.allclose(tangent, jvp(lambda t: t * t.sin(), (x,), (u,))[1])  # what torch.func.jvp computes
# --8<-- [end:dual]

# --8<-- [start:autograd-functional]
old = torch.autograd.functional  # the older API: functions of tensors, built on autograd.grad
tall = make_mlp(**SHAPES["tall"])
x_tall = torch.randn(4, generator=torch.Generator().manual_seed(1)).to(device)
J_loop = old.jacobian(tall, x_tall)  # default: one autograd.grad call per row of J, in a Python loop
assert torch.allclose(J_loop, jacrev(tall)(x_tall), atol=1e-6)
J_vec = old.jacobian(tall, x_tall, vectorize=True, strategy="forward-mode")  # batched jvps, like jacfwd
assert torch.allclose(J_vec, jacfwd(tall)(x_tall), atol=1e-6)
_, Ju_old = old.jvp(h, x, u)  # the same J u as jvp above, but from two backward passes
assert torch.allclose(Ju_old, Ju)
assert torch.allclose(old.hessian(f, x), H)
print(J_loop.shape, Ju_old)
# --8<-- [end:autograd-functional]
