"""Tensors: creating them, multiplying matrices, dtypes, devices, and how requires_grad spreads."""

# --8<-- [start:setup]
import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:create]
g = torch.Generator().manual_seed(0)  # a seeded generator on the CPU
x = torch.randn(3, 3, generator=g).to(device)
print(x)
print(x.shape, x.dtype, x.device)
g.manual_seed(0)  # the same seed again gives the same numbers again
print(torch.equal(x, torch.randn(3, 3, generator=g).to(device)))
# --8<-- [end:create]

# --8<-- [start:matmul]
y = torch.matmul(x, x.T)  # x times its transpose: a symmetric matrix
print(y)
print(torch.equal(y, x @ x.T), torch.allclose(y, y.T))  # @ calls the same matmul
# --8<-- [end:matmul]

# --8<-- [start:dtype]
ints = torch.tensor([[1, 2], [3, 4]], device=device)  # Python ints
floats = torch.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)  # Python floats
print(ints.dtype, floats.dtype, torch.get_default_dtype())
layer = nn.Linear(2, 1).to(device)  # float32 weights, as the error below says
try:
    layer(ints)
except RuntimeError as err:
    print(err)
print(layer(ints.float()).dtype)  # convert the data first
# --8<-- [end:dtype]

# --8<-- [start:device]
cpu_data = torch.randn(2, 2, generator=g.manual_seed(0))  # made on the CPU ...
z = cpu_data.to(device)  # ... then moved to the device
print(z)
print(z.device, z.to(device) is z)  # to() returns the tensor itself when it is already there
print(torch.equal(z.cpu(), cpu_data))  # on a GPU z is a copy: exactly the same numbers (on the CPU, trivially)
# --8<-- [end:device]

# --8<-- [start:requires-grad]
w = torch.ones(2, device=device, requires_grad=True)  # a tensor we want gradients for
a = torch.tensor([3.0, 4.0], device=device)  # plain data
b = w * a  # one input requires a gradient: recorded
c = a * 2  # no input requires one: not recorded
print(w.requires_grad, a.requires_grad, b.requires_grad, c.requires_grad)
print(b.grad_fn.name(), c.grad_fn)
# Not recorded either: results that cannot carry a gradient (bool, integer) and
# results that do not depend on w's values (detach, shape-only factories)
for name, r in [("w > 0", w > 0), ("w.argmax()", w.argmax()), ("w.detach()", w.detach()),
                ("torch.zeros_like(w)", torch.zeros_like(w)), ("w.new_ones(2)", w.new_ones(2))]:
    print(f"{name:20} {str(r.dtype):14} requires_grad={r.requires_grad}  grad_fn={r.grad_fn}")
# --8<-- [end:requires-grad]
