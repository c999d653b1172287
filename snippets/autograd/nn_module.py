"""nn.Module: layers own their parameters, forward() is plain Python."""

# --8<-- [start:setup]
import os
import warnings

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]


# --8<-- [start:model]
class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 10)  # input (5 features) -> hidden (10 units)
        self.fc2 = nn.Linear(10, 1)  # hidden -> output (1 value)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        return self.fc2(x)


model = NeuralNetwork().to(device)
print(model)
# --8<-- [end:model]

# --8<-- [start:parameters]
for name, p in model.named_parameters():  # registered by assigning layers in __init__
    print(f"{name:10} {str(tuple(p.shape)):8} leaf={p.is_leaf} requires_grad={p.requires_grad}")
print("total:", sum(p.numel() for p in model.parameters()))  # 5*10+10 + 10*1+1

x = torch.randn(8, 5, device=device)  # a batch of 8 samples
fc1 = model.fc1
assert torch.allclose(fc1(x), x @ fc1.weight.T + fc1.bias, atol=1e-6)  # y = x W^T + b
bound = 1 / fc1.in_features**0.5  # default init: uniform in [-bound, bound]
print("initialised within bound:", all(p.abs().max() <= bound for p in fc1.parameters()))
# --8<-- [end:parameters]

# --8<-- [start:loss-optimizer]
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
held = optimizer.param_groups[0]["params"]
print("optimizer holds the model's parameters:", all(a is b for a, b in zip(held, model.parameters(), strict=True)))
target = torch.randn(8, 1, device=device)  # same shape as the output
output = model(x)
loss = criterion(output, target)
print(output.shape, target.shape, "->", loss.grad_fn.name(), loss.shape)
# --8<-- [end:loss-optimizer]

# --8<-- [start:shape-mismatch]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wrong = criterion(output, target.flatten())  # (8, 1) against (8,)
print(caught[0].category.__name__, "| same loss:", torch.isclose(wrong, loss).item())
diff = output - target.flatten()  # broadcasting pairs every output with every target
print("broadcast to:", tuple(diff.shape), "| loss is their mean:", torch.isclose(wrong, (diff**2).mean()).item())
# --8<-- [end:shape-mismatch]
