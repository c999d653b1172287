"""Backpropagation of a two-layer MLP with MSE loss, by hand, checked against autograd."""

import torch

# --8<-- [start:setup]
N, d, h, k = 8, 5, 10, 1  # batch, inputs, hidden units, outputs
g = torch.Generator().manual_seed(0)
X = torch.randn(N, d, dtype=torch.float64, generator=g)
T = torch.randn(N, k, dtype=torch.float64, generator=g)
W1 = torch.randn(d, h, dtype=torch.float64, generator=g, requires_grad=True)
b1 = torch.randn(h, dtype=torch.float64, generator=g, requires_grad=True)
W2 = torch.randn(h, k, dtype=torch.float64, generator=g, requires_grad=True)
b2 = torch.randn(k, dtype=torch.float64, generator=g, requires_grad=True)
# --8<-- [end:setup]

# --8<-- [start:forward]
Z1 = X @ W1 + b1  # (N, h); b1 is broadcast over the batch
H = torch.relu(Z1)  # (N, h)
Y = H @ W2 + b2  # (N, k); no activation: a regression output
L = ((Y - T) ** 2).mean()  # mean over all N*k entries, like nn.MSELoss()
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
# --8<-- [end:backward]

# --8<-- [start:check]
for name, mine, auto in [("W1", dW1, W1.grad), ("b1", db1, b1.grad), ("W2", dW2, W2.grad), ("b2", db2, b2.grad)]:
    assert mine.shape == auto.shape, name
    print(f"dL/d{name} {str(tuple(mine.shape)):8} allclose={torch.allclose(mine, auto)}")
    assert torch.allclose(mine, auto), f"formula for dL/d{name} disagrees with autograd"
# --8<-- [end:check]
