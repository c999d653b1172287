"""Hooks in depth and double backward in practice."""

# --8<-- [start:setup]
import copy
import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:post-accumulate]
w = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
# A tensor hook sees the gradient arriving; a post-accumulate-grad hook runs once .grad holds the sum.
w.register_hook(lambda grad: print("tensor hook:     incoming", grad, "w.grad", w.grad))
w.register_post_accumulate_grad_hook(lambda param: print("post-accumulate: w.grad  ", param.grad))
(w * w).sum().backward()
(3 * w).sum().backward()  # a second backward accumulates into .grad
try:
    (w * 2).register_post_accumulate_grad_hook(print)  # only leaves accumulate a .grad
except RuntimeError as err:
    print(err)
# --8<-- [end:post-accumulate]

# --8<-- [start:optimizer-in-backward]
torch.manual_seed(0)  # fixes the initial weights and the data
ordinary = nn.Sequential(
    nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)
).to(device)
fused = copy.deepcopy(ordinary)  # the same weights, trained the other way
x, y = torch.randn(32, 16).to(device), torch.randn(32, 1).to(device)


def grad_bytes(model):  # bytes held by the .grad tensors that exist right now
    return sum(p.grad.nbytes for p in model.parameters() if p.grad is not None)


optimizer = torch.optim.Adam(ordinary.parameters(), lr=0.01)
alive_ordinary = []
for _ in range(3):
    nn.functional.mse_loss(ordinary(x), y).backward()
    alive_ordinary.append(grad_bytes(ordinary))  # every gradient exists until zero_grad()
    optimizer.step()
    optimizer.zero_grad()  # set_to_none=True: frees the gradients

optimizers = {p: torch.optim.Adam([p], lr=0.01) for p in fused.parameters()}  # one per parameter
alive_fused = []


def step_in_backward(param):
    alive_fused.append(grad_bytes(fused))
    optimizers[param].step()  # update this parameter as soon as its gradient is complete ...
    optimizers[param].zero_grad()  # ... and free that gradient before the next one is computed


for p in fused.parameters():
    p.register_post_accumulate_grad_hook(step_in_backward)
for _ in range(3):
    nn.functional.mse_loss(fused(x), y).backward()  # no step(), no zero_grad(): the hooks did both
same = all(torch.allclose(a, b, atol=1e-6) for a, b in zip(ordinary.parameters(), fused.parameters()))
print("same weights after 3 steps:", same)
print("parameter bytes:           ", sum(p.nbytes for p in ordinary.parameters()))
print("peak .grad bytes, ordinary:", max(alive_ordinary))
print("peak .grad bytes, in hooks:", max(alive_fused))
# --8<-- [end:optimizer-in-backward]

# --8<-- [start:node-hooks]
x = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
y = x.exp()
node = y.grad_fn  # ExpBackward0: its input gradient is grad_output * exp(x)


def pre(grad_outputs):  # before the node runs: the gradients flowing into it
    print("prehook sees grad_outputs:", grad_outputs)
    return (grad_outputs[0] * 10,)  # returning a tuple replaces them


def post(grad_inputs, grad_outputs):  # after it ran: what it computed, and what it got
    print("hook sees grad_inputs:    ", grad_inputs, "grad_outputs:", grad_outputs)


node.register_prehook(pre)
node.register_hook(post)
y.sum().backward()
print("x.grad:", x.grad)  # 10 * exp(x)
# --8<-- [end:node-hooks]

# --8<-- [start:module-pre-hook]
torch.manual_seed(0)
layer = nn.Linear(2, 1).to(device)
inp = torch.ones(1, 2, device=device, requires_grad=True)
layer(inp).sum().backward()
before = (layer.weight.grad.clone(), inp.grad.clone())
layer.weight.grad, inp.grad = None, None
# Runs before the module's gradients are computed; a returned tuple replaces grad_output.
handle = layer.register_full_backward_pre_hook(lambda module, grad_output: tuple(-g for g in grad_output))
layer(inp).sum().backward()
print("weight grad:", before[0], "->", layer.weight.grad)
print("input grad: ", before[1], "->", inp.grad)
handle.remove()
# --8<-- [end:module-pre-hook]

# --8<-- [start:hvp]
g = torch.Generator().manual_seed(0)
A = torch.randn(3, 3, generator=g).to(device)
w = torch.randn(3, generator=g).to(device).requires_grad_()
v = torch.randn(3, generator=g).to(device)


def f(w):
    return torch.tanh(A @ w).pow(2).sum()


(grad,) = torch.autograd.grad(f(w), w, create_graph=True)  # first backward, recorded as a graph
(hvp,) = torch.autograd.grad(grad @ v, w)  # second backward: d(grad . v)/dw = v^T H = H v (H is symmetric)
_, vhp = torch.autograd.functional.vhp(f, w.detach(), v)  # v^T H: the same two backward passes
_, reference = torch.autograd.functional.hvp(f, w.detach(), v)  # H v, by a third backward pass
hessian = torch.autograd.functional.hessian(f, w.detach())  # 3 x 3, fine for 3 parameters
assert torch.allclose(hvp, vhp) and torch.allclose(hvp, reference) and torch.allclose(hvp, hessian @ v)
print(hvp)
# --8<-- [end:hvp]


# --8<-- [start:graph-size]
def graph_nodes(t):  # every node reachable from t.grad_fn
    seen, todo = set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None and node not in seen:
            seen.add(node)
            todo.extend(next_node for next_node, _ in node.next_functions)
    return len(seen)


saved = []


def pack(t):  # called once for every tensor saved for backward
    saved.append(t.nbytes)
    return t


with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
    out = f(w)
    print("forward:        ", graph_nodes(out), "nodes,", len(saved), "saved tensors")
    saved.clear()
    (grad,) = torch.autograd.grad(out, w, create_graph=True)
    print("recorded grad:  ", graph_nodes(grad @ v), "nodes,", len(saved), "more saved tensors")
# --8<-- [end:graph-size]

# --8<-- [start:gradient-penalty]
torch.manual_seed(0)
critic = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1)).to(device)
real = torch.randn(8, 2).to(device)
fake = torch.randn(8, 2).to(device) + 2.0
eps = torch.rand(8, 1).to(device)
mixed = (eps * real + (1 - eps) * fake).requires_grad_()  # points between real and fake samples
# Each output depends only on its own row, so the gradient of the sum gives every sample's input gradient.
(grad_mixed,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
penalty = ((grad_mixed.norm(dim=1) - 1) ** 2).mean()
(from_penalty,) = torch.autograd.grad(penalty, critic[0].weight, retain_graph=True)
print(
    "penalty:", round(penalty.item(), 4), " its gradient reaches the first layer:", bool(from_penalty.abs().sum() > 0)
)
critic_loss = critic(fake).mean() - critic(real).mean()
loss = critic_loss + 10 * penalty
print("graph nodes without the penalty:", graph_nodes(critic_loss), " with it:", graph_nodes(loss))
loss.backward()  # one backward through both: the critic's graph and the recorded gradient graph
# --8<-- [end:gradient-penalty]
