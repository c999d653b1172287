"""Backpropagation of a two-layer MLP with MSE loss, by hand, checked against autograd."""

# --8<-- [start:setup]
import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:data]
N, d, h, k = 8, 5, 10, 1  # batch, inputs, hidden units, outputs
g = torch.Generator().manual_seed(0)  # made on the CPU, then moved: the same numbers on every device


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64, generator=g).to(device)


X, T = randn(N, d), randn(N, k)
W1, b1, W2, b2 = randn(d, h), randn(h), randn(h, k), randn(k)
for t in (X, W1, b1, W2, b2):  # X too, to check the gradient with respect to the input
    t.requires_grad_()
print("nn.Linear(d, h).weight:", tuple(nn.Linear(d, h, device=device).weight.shape))  # stores W1.T: (out, in)
# --8<-- [end:data]

# --8<-- [start:forward]
Z1 = X @ W1 + b1  # (N, h); b1 is broadcast over the batch
H = torch.relu(Z1)  # (N, h)
Y = H @ W2 + b2  # (N, k); no activation: a regression output
L = ((Y - T) ** 2).mean()  # mean over all N*k entries
print("L == nn.MSELoss()(Y, T):", torch.allclose(L, nn.MSELoss()(Y, T)))  # the default: mean over all entries
L.backward()  # autograd's answer, for comparison
# --8<-- [end:forward]

# --8<-- [start:backward]
with torch.no_grad():
    G_Y = 2 * (Y - T) / (N * k)  # dL/dY
    dW2 = H.T @ G_Y  # (h, k)
    db2 = G_Y.sum(dim=0)  # (k,)
    G_H = G_Y @ W2.T  # (N, h)
    G_Z1 = G_H * (Z1 > 0)  # ReLU'(z) = 1 if z > 0 else 0
    dW1 = X.T @ G_Z1  # (d, h)
    db1 = G_Z1.sum(dim=0)  # (h,)
    G_X = G_Z1 @ W1.T  # (N, d)
# --8<-- [end:backward]

# --8<-- [start:check]
pairs = [("W1", dW1, W1), ("b1", db1, b1), ("W2", dW2, W2), ("b2", db2, b2), ("X", G_X, X)]
for name, mine, t in pairs:
    assert mine.shape == t.shape == t.grad.shape, name  # every gradient has its quantity's shape
    print(f"dL/d{name:2} {str(tuple(mine.shape)):8} allclose={torch.allclose(mine, t.grad)}")
    assert torch.allclose(mine, t.grad), f"formula for dL/d{name} disagrees with autograd"
# --8<-- [end:check]

# --8<-- [start:relu-at-zero]
z = torch.zeros(1, requires_grad=True, device=device)
torch.relu(z).backward()
print("ReLU'(0) =", z.grad.item())  # PyTorch takes 0 at 0, as (Z1 > 0) does above
# --8<-- [end:relu-at-zero]
