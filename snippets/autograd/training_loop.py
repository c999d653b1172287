"""The training loop: forward, loss, zero_grad, backward, step -- and what each one does."""

import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))

# --8<-- [start:data]
# Data that follows a rule, so there is something to learn:
# y = x @ true_w + 0.5, plus a little noise. Made on the CPU, then moved.
g = torch.Generator().manual_seed(0)
true_w = torch.tensor([[1.0], [-2.0], [0.5], [3.0], [0.0]])
x_train = torch.randn(100, 5, generator=g)
y_train = x_train @ true_w + 0.5 + 0.1 * torch.randn(100, 1, generator=g)
x_train, y_train = x_train.to(device), y_train.to(device)
print(x_train.shape, y_train.shape)
# --8<-- [end:data]

# --8<-- [start:setup]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
# --8<-- [end:setup]

# --8<-- [start:backward-vs-step]
before = model[0].weight.detach().clone()
loss = criterion(model(x_train), y_train)
loss.backward()  # fills .grad of every parameter; changes no parameter
print("after backward, weights changed:", not torch.equal(before, model[0].weight))
optimizer.step()  # uses .grad to update the parameters
print("after step, weights changed:", not torch.equal(before, model[0].weight))
optimizer.zero_grad()  # clear .grad, or the next backward adds to it
print("grad after zero_grad:", model[0].weight.grad)  # None: set_to_none=True by default
# --8<-- [end:backward-vs-step]

# --8<-- [start:loop]
for epoch in range(100):
    optimizer.zero_grad()
    outputs = model(x_train)  # forward: builds a fresh graph
    loss = criterion(outputs, y_train)
    loss.backward()  # backward: walks the graph, then frees it
    optimizer.step()  # update
    if (epoch + 1) % 20 == 0:
        print(f"Epoch [{epoch + 1}/100], Loss: {loss.item():.4f}")
# --8<-- [end:loop]
