"""Tensors: creating them, multiplying matrices, and where they live."""

import os

import torch

# --8<-- [start:create]
torch.manual_seed(0)  # fixed seed: the page shows exactly these numbers
x = torch.randn(3, 3)
print(x)
print(x.shape, x.dtype, x.device)
# --8<-- [end:create]

# --8<-- [start:matmul]
y = torch.matmul(x, x.T)  # same as x @ x.T; the result is symmetric
print(y)
print(torch.equal(y, y.T))
# --8<-- [end:matmul]

# --8<-- [start:dtype]
ints = torch.tensor([[1, 2], [3, 4]])
floats = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(ints.dtype, floats.dtype)
print(ints.float().dtype)  # layers and losses expect floating point
# --8<-- [end:dtype]

# --8<-- [start:device]
device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))
# Make data on the CPU with a seeded generator, then move it: every device
# starts from the same numbers.
g = torch.Generator().manual_seed(0)
z = torch.randn(2, 2, generator=g).to(device)
print(z)
print(z.device)
# --8<-- [end:device]

# --8<-- [start:requires-grad]
w = torch.ones(2, requires_grad=True)  # a tensor we want gradients for
a = torch.tensor([3.0, 4.0])  # plain data
b = w * a
c = a * 2
print(w.requires_grad, a.requires_grad, b.requires_grad, c.requires_grad)
print(b.grad_fn.name(), c.grad_fn)  # c was never tracked
# --8<-- [end:requires-grad]
