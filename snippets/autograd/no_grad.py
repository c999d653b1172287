"""Turning gradient tracking off: detach, no_grad, inference_mode -- and why eval() is different."""

# --8<-- [start:setup]
import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:detach]
w = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
y = w * 3
z = y.detach()  # same storage, cut out of the graph
print(z.requires_grad, z.grad_fn)
z[0] = 100.0  # shares memory with y ...
print(y)  # ... so y sees the change: clone() first if you need a copy
e = w.exp()  # ExpBackward0 saves its result e for backward
e.detach()[0] = 0.0  # an in-place write through detach() changes the saved e too ...
try:
    e.sum().backward()  # ... and backward notices
except RuntimeError as err:
    print(str(err).split(":")[0])
# --8<-- [end:detach]

# --8<-- [start:no-grad]
with torch.no_grad():
    y = w * 3  # nothing is recorded inside the block
print(y.requires_grad, y.grad_fn)
try:
    w -= 0.1 * torch.ones(2, device=device)  # an in-place update of a leaf, recorded: refused
except RuntimeError as err:
    print(err)
with torch.no_grad():
    w -= 0.1 * torch.ones(2, device=device)  # not recorded: allowed, and w stays a leaf
print(w, w.is_leaf)
# --8<-- [end:no-grad]

# --8<-- [start:inference-mode]
with torch.inference_mode():
    t = w * 3  # an inference tensor: no grad_fn, no version counter
print(t.is_inference(), t.requires_grad)
(t + w).sum().backward()  # t may feed a recorded operation that does not save it ...
print(w.grad)
for name, use in [("t * w", lambda: t * w), ("t.add_(1)", lambda: t.add_(1))]:
    try:
        use()  # ... but it cannot be saved for backward, nor changed in place outside the mode
    except RuntimeError as err:
        print(name, "->", str(err).split(".")[0])
# --8<-- [end:inference-mode]

# --8<-- [start:eval]
torch.manual_seed(0)  # fixes the layer's initial weights and the dropout masks
model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(p=0.5)).to(device)
x = torch.ones(1, 4, device=device)
model.eval()  # changes what layers do (dropout off), not whether autograd records
out = model(x)
print(out.requires_grad, out.grad_fn.name())
print(torch.equal(model(x), model(x)))  # eval mode: dropout is off, same output every time
with torch.no_grad():  # for inference you want both: eval() and no_grad()
    print(model(x).requires_grad)
model.train()
print(torch.equal(model(x), model(x)))  # training mode: each call draws a new dropout mask
# --8<-- [end:eval]
