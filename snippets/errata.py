"""Evidence for the errata page: what the article's code and claims really do."""

# --8<-- [start:setup]
import os
import warnings

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
torch.manual_seed(0)  # fixed initial weights: the page shows exactly these numbers
# --8<-- [end:setup]

# --8<-- [start:input-gradient]
model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)
point = torch.tensor([[1.0, 2.0]], device=device, requires_grad=True)  # an input, not a parameter
score = model(point).sum()
(saliency,) = torch.autograd.grad(score, point)  # d(score)/d(input): no training involved
print(saliency)
print(all(p.grad is None for p in model.parameters()))  # no parameter was touched
with torch.inference_mode():
    score = model(point).sum()  # nothing is recorded here ...
try:
    torch.autograd.grad(score, point)  # ... so there is nothing to differentiate
except RuntimeError as err:
    print("RuntimeError:", str(err).split(" and ")[0])
# --8<-- [end:input-gradient]

# --8<-- [start:no-tpu]
try:
    torch.device("tpu")  # this build knows no "tpu" device type; TorchTPU adds one through PrivateUse1
except RuntimeError as err:
    message = str(err)
    print("RuntimeError: ...", message[message.index("privateuseone") :])
# --8<-- [end:no-tpu]

# --8<-- [start:saved-tensors]
a = torch.tensor([1.0, 2.0], device=device, requires_grad=True)
b = torch.tensor([3.0, 4.0], device=device, requires_grad=True)
saved = []  # the pack hook sees every tensor autograd saves for the backward pass
with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
    ((a + b) * 3).sum()  # the gradients of +, of *3 and of sum need no tensor
    print(len(saved), "tensors saved")
    (a * b).exp().sum()  # mul needs both inputs, exp needs its own result
    print(len(saved), "tensors saved")
# --8<-- [end:saved-tensors]

# --8<-- [start:linear-init]
fc1 = nn.Linear(5, 10).to(device)  # the article's first layer, right after construction
bound = 1 / 5**0.5  # the constructor draws weights from U(-1/sqrt(in_features), 1/sqrt(in_features))
w = fc1.weight.detach()
print(f"weights in [{w.min().item():.3f}, {w.max().item():.3f}], bound {bound:.3f}")
assert w.abs().max() <= bound and w.std() > 0  # already initialised: random, within the bound
# --8<-- [end:linear-init]

# --8<-- [start:fresh-tensor]
gradient = torch.tensor([[0.0] * 5], requires_grad=True, device=device)  # a new leaf, unrelated to any model
print(gradient.grad_fn)
print(gradient.grad)
# --8<-- [end:fresh-tensor]

# --8<-- [start:default-device]
print(torch.get_default_device())  # where tensors and layers go when the code names no device
# --8<-- [end:default-device]

# --8<-- [start:int-inputs]
model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)
x = torch.tensor([[1, 2], [2, 3], [3, 4], [4, 5]], device=device)  # the article's data: int64
print(x.dtype, model[0].weight.dtype)
try:
    model(x)
except RuntimeError as err:  # the wording may differ between devices; it always names the dtypes
    print("RuntimeError, dtype mismatch:", "dtype" in str(err))
# --8<-- [end:int-inputs]

# --8<-- [start:target-shape]
x = x.float()  # get past the dtype error to reach the next bug
y = torch.tensor([2.0, 4.0, 6.0, 8.0], device=device)  # shape (4,), as in the article
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    nn.MSELoss()(model(x), y)  # output (4, 1) against target (4,)
print(str(caught[0].message).split(". ")[0])
# --8<-- [end:target-shape]


# --8<-- [start:broadcast-training]
def train(target, epochs=1000):
    """The article's model, loss and optimizer; returns the final loss and predictions."""
    torch.manual_seed(0)  # both runs start from the same weights
    net = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(net(x), target)
        loss.backward()
        optimizer.step()
    return loss.item(), net(x).detach().flatten()


with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the warning above, once per step
    wrong_loss, wrong = train(y)  # (4, 1) vs (4,): every output is compared with every target
right_loss, right = train(y.unsqueeze(1))  # (4, 1) vs (4, 1)
print("targets       ", y.tolist(), "mean", y.mean().item(), "variance", y.var(correction=0).item())
print("target (4,)   ", [round(v, 3) for v in wrong.tolist()], f"loss {wrong_loss:.4f}")
print("target (4, 1) ", [round(v, 3) for v in right.tolist()], f"loss {right_loss:.4f}")
assert torch.allclose(wrong, y.mean().expand(4), atol=1e-3)  # collapsed to the mean of the targets
# --8<-- [end:broadcast-training]

# --8<-- [start:no-graph]
g = torch.Generator().manual_seed(0)
a = torch.randn(5, 5, generator=g).to(device)  # the article's 3.2.1 example: plain data
b = torch.matmul(a, a.t())
print(a.requires_grad, b.grad_fn)  # nothing was recorded
w = a.clone().requires_grad_()  # ask for gradients, and the same product is recorded
print(torch.matmul(w, w.t()).grad_fn.name())
# --8<-- [end:no-graph]
