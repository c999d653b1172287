"""The article's regression example, working: a rule, float data, matching shapes, a loss curve."""

# --8<-- [start:setup]
import os

import matplotlib

matplotlib.use("Agg")  # draw to a file; no window needed
import matplotlib.pyplot as plt
import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
torch.manual_seed(0)  # the model's initial weights
# --8<-- [end:setup]


# --8<-- [start:article]
def rule(x):
    """The rule the data follows: y = x1 + x2 - 1."""
    return x[:, :1] + x[:, 1:] - 1


article = torch.tensor([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]], device=device)  # the article's inputs
print("x1 + x2 - 1:", rule(article).flatten().tolist())  # the article's targets: 2, 4, 6, 8
print("2 * x1:     ", (2 * article[:, 0]).tolist())  # another rule that fits them just as well
# --8<-- [end:article]

# --8<-- [start:data]
g = torch.Generator().manual_seed(0)
x = 6 * torch.rand(64, 2, generator=g)  # float32 inputs in [0, 6)^2
y = rule(x)  # shape (64, 1), the same as the model's output
x, y = x.to(device), y.to(device)
print(x.dtype, x.shape, y.shape)
# --8<-- [end:data]


# --8<-- [start:model]
class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 10)
        self.fc2 = nn.Linear(10, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


model = SimpleNN().to(device)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
# --8<-- [end:model]

# --8<-- [start:train]
losses = []
for epoch in range(500):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if (epoch + 1) % 100 == 0:
        print(f"Epoch [{epoch + 1}/500], Loss: {loss.item():.4f}")
# --8<-- [end:train]

# --8<-- [start:predict]
model.eval()
x_new = torch.tensor([[5.0, 6.0], [5.0, 2.0]], device=device)  # (5, 2) is off the line x2 = x1 + 1
with torch.no_grad():
    predicted = model(x_new).flatten().tolist()
for (x1, x2), p in zip(x_new.tolist(), predicted):
    print(f"({x1:.0f}, {x2:.0f}): predicted {p:.2f}; x1 + x2 - 1 = {x1 + x2 - 1:.0f}; 2 * x1 = {2 * x1:.0f}")
# --8<-- [end:predict]

# --8<-- [start:plot]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, len(losses) + 1), losses)
ax.set(xlabel="epoch", ylabel="MSE loss", yscale="log", title="Training loss")
ax.grid(True, alpha=0.3)
fig.tight_layout()
fig.savefig("loss_curve.png", dpi=120, metadata={"Software": None})
# --8<-- [end:plot]
