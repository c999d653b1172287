"""Exercises for the practice chapter: a broadcast loss, a loss curve of tensors, data that cannot pin down a rule."""

# --8<-- [start:setup]
import os
import warnings

import matplotlib

matplotlib.use("Agg")  # draw to a file; no window needed
import matplotlib.pyplot as plt
import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:predict-question]
pred = torch.tensor([[1.0], [2.0], [3.0], [4.0]], device=device)  # shape (4, 1): exactly right ...
target = torch.tensor([1.0, 2.0, 3.0, 4.0], device=device)  # ... for targets of shape (4,)
print(nn.MSELoss()(pred, target).item())
print(nn.MSELoss()(pred, target.unsqueeze(1)).item())
# --8<-- [end:predict-question]

# --8<-- [start:predict-check]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    loss = nn.MSELoss()(pred, target)
print(caught[0].category.__name__, "| broadcast to", tuple((pred - target).shape))
assert loss == ((pred - target) ** 2).mean()  # the mean over all 16 pairs (i, j) of (i - j)^2
# --8<-- [end:predict-check]

# --8<-- [start:fix-broken]
g = torch.Generator().manual_seed(0)
x = (6 * torch.rand(64, 2, generator=g)).to(device)
y = x[:, :1] + x[:, 1:] - 1  # the rule of the practice page
torch.manual_seed(0)
model = nn.Linear(2, 1).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
losses = []
for _ in range(5):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss)  # keep the loss for the plot
fig, ax = plt.subplots()
try:
    ax.plot(losses)
except (RuntimeError, TypeError) as err:  # which of the two depends on the device
    print("ax.plot failed; the message mentions numpy:", "numpy" in str(err))
# --8<-- [end:fix-broken]

# --8<-- [start:fix-solution]
print(losses[0].grad_fn.name(), losses[0].requires_grad)  # each stored tensor keeps its step's grad_fn
torch.manual_seed(0)  # train again from the same start, this time keeping numbers
model = nn.Linear(2, 1).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
losses = []
for _ in range(5):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())  # a Python float, whatever the device
(line,) = ax.plot(losses)
print(len(line.get_ydata()), "points:", [round(v, 2) for v in losses])
assert all(isinstance(v, float) for v in losses) and losses[-1] < losses[0]
plt.close(fig)
# --8<-- [end:fix-solution]

# --8<-- [start:derive-check]
A = torch.tensor([[1.0, 2.0, 1.0], [2.0, 3.0, 1.0], [3.0, 4.0, 1.0], [4.0, 5.0, 1.0]], device=device)  # x1, x2, 1
t = torch.tensor([2.0, 4.0, 6.0, 8.0], device=device)  # the article's targets
print("rank of the article's data:", torch.linalg.matrix_rank(A).item())
two_x1 = torch.tensor([2.0, 0.0, 0.0], device=device)  # y = 2 x1
direction = torch.tensor([-1.0, 1.0, -1.0], device=device)  # x2 - x1 - 1 = 0 on every row
assert torch.equal(A @ direction, torch.zeros(4, device=device))
for s in (0.0, 1.0, 2.0):  # (a, b, c) = (2 - s, s, -s): every one fits the four points exactly
    abc = two_x1 + s * direction
    assert torch.equal(A @ abc, t) and 5 * abc[0] + 6 * abc[1] + abc[2] == 10  # all agree at (5, 6)
    at_5_2 = 5 * abc[0] + 2 * abc[1] + abc[2]
    print(f"s = {s:.0f}: (a, b, c) = {abc.tolist()}, prediction at (5, 2): {at_5_2.item():.0f}")
x64 = torch.cat([x, torch.ones(64, 1, device=device)], dim=1)  # the 64 sampled points, same columns
print("rank of 64 sampled points:", torch.linalg.matrix_rank(x64).item())
solution = torch.linalg.lstsq(x64, y).solution.flatten()
assert torch.allclose(solution, torch.tensor([1.0, 1.0, -1.0], device=device), atol=1e-4)
# --8<-- [end:derive-check]
