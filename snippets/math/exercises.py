"""Exercises for the mathematics chapter: bias gradients, a transposed weight, softmax cross-entropy by hand."""

# --8<-- [start:setup]
import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:predict-question]
X = torch.ones(4, 3, device=device)  # a batch of 4 samples, 3 features
b = torch.zeros(3, requires_grad=True, device=device)  # broadcast over the batch
(X + b).sum().backward()
print(b.grad)
b.grad = None
((X + b) ** 2).mean().backward()
print(b.grad)
z = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True, device=device)
torch.relu(z).sum().backward()
print(z.grad)
# --8<-- [end:predict-question]

# --8<-- [start:predict-check]
G = 2 * (X + b.detach()) / X.numel()  # dL/d(X + b) for the mean of squares: 2 (X + b) / (N d)
assert torch.allclose(b.grad, G.sum(dim=0))  # the bias was copied to every sample, so its gradient sums them
# --8<-- [end:predict-check]

# --8<-- [start:fix-broken]
g = torch.Generator().manual_seed(0)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64, generator=g).to(device)


X, T = randn(8, 3), randn(8, 2)  # N = 8 samples, d = 3 inputs, k = 2 outputs
W, b = randn(3, 2).requires_grad_(), randn(2).requires_grad_()
((X @ W + b - T) ** 2).mean().backward()  # autograd's answer, for comparison


def grads(X, W, b, T):
    """dL/dW and dL/db of L = mean((X W + b - T)^2), by hand."""
    with torch.no_grad():
        G = 2 * (X @ W + b - T) / T.numel()  # dL/dY, shape (N, k)
        return X @ G, G.sum(dim=0)


try:
    dW, db = grads(X, W, b, T)
except RuntimeError as err:
    print(err)
# --8<-- [end:fix-broken]


# --8<-- [start:fix-solution]
def grads(X, W, b, T):
    """dL/dW and dL/db of L = mean((X W + b - T)^2), by hand."""
    with torch.no_grad():
        G = 2 * (X @ W + b - T) / T.numel()  # dL/dY, shape (N, k)
        return X.T @ G, G.sum(dim=0)  # (d, N) @ (N, k) = (d, k): the shape of W


dW, db = grads(X, W, b, T)
assert dW.shape == W.shape and db.shape == b.shape
assert torch.allclose(dW, W.grad) and torch.allclose(db, b.grad)
with torch.no_grad():
    G = 2 * (X @ W + b - T) / T.numel()
print("mean instead of sum: shape", tuple(G.mean(dim=0).shape), "allclose", torch.allclose(G.mean(dim=0), b.grad))
# --8<-- [end:fix-solution]

# --8<-- [start:derive-check]
Z = randn(5, 4).requires_grad_()  # logits: N = 5 samples, C = 4 classes
labels = torch.tensor([0, 3, 1, 1, 2], device=device)
L = nn.functional.cross_entropy(Z, labels)  # mean over the batch by default
L.backward()
with torch.no_grad():
    P = Z.softmax(dim=1)
    assert torch.allclose(L, -P[torch.arange(5, device=device), labels].log().mean())  # the L of the question
    Y = nn.functional.one_hot(labels, num_classes=4).to(P.dtype)
    G_Z = (P - Y) / Z.shape[0]  # the derived formula
print("by hand == autograd:", torch.allclose(G_Z, Z.grad))
print("every row sums to 0:", (Z.grad.sum(dim=1).abs() < 1e-12).all().item())
assert torch.allclose(G_Z, Z.grad)
# --8<-- [end:derive-check]
