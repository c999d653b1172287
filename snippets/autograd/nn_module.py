"""nn.Module: layers own their parameters, forward() is plain Python."""

import torch
from torch import nn


# --8<-- [start:model]
class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 10)  # input (5 features) -> hidden (10 units)
        self.fc2 = nn.Linear(10, 1)  # hidden -> output (1 value)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        return self.fc2(x)


torch.manual_seed(0)
model = NeuralNetwork()
print(model)
# --8<-- [end:model]

# --8<-- [start:parameters]
for name, p in model.named_parameters():
    print(f"{name:10} {str(tuple(p.shape)):8} requires_grad={p.requires_grad}")
print("total:", sum(p.numel() for p in model.parameters()))  # 5*10+10 + 10*1+1
# --8<-- [end:parameters]

# --8<-- [start:loss-optimizer]
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(8, 5)  # a batch of 8 samples
target = torch.randn(8, 1)  # same shape as the output: (8, 1)
loss = criterion(model(x), target)
print(loss.grad_fn.name(), loss.shape)
# --8<-- [end:loss-optimizer]
