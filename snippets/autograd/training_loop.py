"""The training loop: forward, loss, zero_grad, backward, step -- and what each one does."""

# --8<-- [start:setup]
import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
torch.manual_seed(0)  # the model's initial weights
# --8<-- [end:setup]

# --8<-- [start:data]
# Data that follows a rule, so there is something to learn:
# y = x @ true_w + 0.5, plus a little noise. Random numbers come from a seeded
# generator on the CPU, then move, so every device sees the same data.
g = torch.Generator().manual_seed(0)
true_w = torch.tensor([[1.0], [-2.0], [0.5], [3.0], [0.0]], device=device)
x_train = torch.randn(100, 5, generator=g).to(device)
noise = torch.randn(100, 1, generator=g).to(device)
y_train = x_train @ true_w + 0.5 + 0.1 * noise
print(x_train.shape, y_train.shape)
# --8<-- [end:data]

# --8<-- [start:model]
model = nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 1)).to(device)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
# --8<-- [end:model]

# --8<-- [start:backward-vs-step]
before = model[0].weight.detach().clone()
loss = criterion(model(x_train), y_train)  # forward: records the graph
loss.backward()  # fills .grad of every parameter; changes no parameter
print("after backward, weights changed:", not torch.equal(before, model[0].weight))
optimizer.step()  # uses .grad to update the parameters
print("after step, weights changed:", not torch.equal(before, model[0].weight))
try:
    loss.backward()  # the first backward freed the tensors the graph's nodes saved
except RuntimeError as err:
    print(str(err).split(" (")[0])
w = torch.ones(2, device=device, requires_grad=True)
total = (w + 1).sum()  # add and sum save no tensors for backward ...
total.backward()
total.backward()  # ... so a second backward through this graph works
print("w.grad after two backward():", w.grad)
# --8<-- [end:backward-vs-step]

# --8<-- [start:accumulate]
optimizer.zero_grad()
print("grad after zero_grad:", model[0].weight.grad)  # None: set_to_none=True by default
criterion(model(x_train), y_train).backward()
first = model[0].weight.grad.clone()
criterion(model(x_train), y_train).backward()  # no zero_grad in between ...
print("second backward adds:", torch.allclose(model[0].weight.grad, 2 * first))  # ... so .grad doubles
# --8<-- [end:accumulate]

# --8<-- [start:zero-grad-too-late]
criterion(model(x_train), y_train).backward()  # fills .grad for step() ...
optimizer.zero_grad()  # ... but this is the wrong place: after backward(), before step()
before = model[0].weight.detach().clone()
optimizer.step()  # finds no .grad, so it skips every parameter
print("step changed weights:", not torch.equal(before, model[0].weight))
# --8<-- [end:zero-grad-too-late]

# --8<-- [start:loop]
for epoch in range(100):
    optimizer.zero_grad()  # after the previous step(), before this backward()
    outputs = model(x_train)  # forward: builds a fresh graph
    loss = criterion(outputs, y_train)
    loss.backward()  # backward: walks the graph, then frees it
    optimizer.step()  # update
    if (epoch + 1) % 20 == 0:
        print(f"Epoch [{epoch + 1}/100], Loss: {loss.item():.4f}")
# --8<-- [end:loop]
