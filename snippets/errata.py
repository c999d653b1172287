"""Evidence for the errata page: what the article's code really does."""

import warnings

import torch
from torch import nn

torch.manual_seed(0)

# --8<-- [start:int-inputs]
model = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1))
x = torch.tensor([[1, 2], [2, 3], [3, 4], [4, 5]])  # the article's data: int64
print(x.dtype)
try:
    model(x)
except RuntimeError as err:
    print("RuntimeError:", err)
# --8<-- [end:int-inputs]

# --8<-- [start:target-shape]
outputs = model(x.float())  # shape (4, 1)
y = torch.tensor([2.0, 4.0, 6.0, 8.0])  # shape (4,), as in the article
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    broadcast_loss = nn.MSELoss()(outputs, y)  # (4, 1) vs (4,) broadcasts to (4, 4)
print(str(caught[0].message).split(". ")[0])
right_loss = nn.MSELoss()(outputs, y.unsqueeze(1))  # compare like with like
print(f"broadcast loss {broadcast_loss.item():.4f} vs correct loss {right_loss.item():.4f}")
# --8<-- [end:target-shape]

# --8<-- [start:fresh-tensor]
gradient = torch.tensor([[0.0] * 5], requires_grad=True)  # a new leaf, unrelated to any model
print(gradient.grad_fn)
print(gradient.grad)
# --8<-- [end:fresh-tensor]
