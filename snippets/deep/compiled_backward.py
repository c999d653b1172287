"""Compiling the backward pass."""

# --8<-- [start:setup]
import os

import torch

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:example]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
y = (x**2).sum()
y.backward()
print(x.grad)  # dy/dx = 2x
# --8<-- [end:example]
