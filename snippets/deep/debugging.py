"""Debugging gradients: kinks and ties, the torch.where NaN trap, anomaly mode, gradcheck, and a .grad that is None."""

# --8<-- [start:setup]
import os
import warnings

import torch
from torch.autograd import gradcheck, gradgradcheck

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:kinks]
zero = torch.zeros(1, requires_grad=True, device=device)
for name, f in [
    ("relu", torch.relu),
    ("clamp(min=0)", lambda t: t.clamp(min=0)),  # the same values as relu ...
    ("relu(x) - relu(-x)", lambda t: torch.relu(t) - torch.relu(-t)),  # ... and this is just x
    ("abs", torch.abs),
    ("sqrt", torch.sqrt),
]:
    (grad,) = torch.autograd.grad(f(zero).sum(), zero)
    print(f"d/dx {name:<18} at 0: {grad.item()}")
v = torch.zeros(3, requires_grad=True, device=device)
print("d/dv norm(v) at v = 0:", torch.autograd.grad(torch.linalg.vector_norm(v), v)[0])
# --8<-- [end:kinks]

# --8<-- [start:ties]
v = torch.tensor([1.0, 3.0, 3.0], requires_grad=True, device=device)  # the maximum, 3, is there twice
print("max():      ", torch.autograd.grad(v.max(), v)[0])  # split evenly between the tied elements
print("amax():     ", torch.autograd.grad(v.amax(), v)[0])
print("max(dim=0): ", torch.autograd.grad(v.max(dim=0).values, v)[0])  # all of it to the index it returns
a = torch.tensor(2.0, requires_grad=True, device=device)
b = torch.tensor(2.0, requires_grad=True, device=device)
print("maximum(a, b) with a == b:", torch.autograd.grad(torch.maximum(a, b), (a, b)))
# --8<-- [end:ties]

# --8<-- [start:where-fix]
x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True, device=device)
print("sqrt(x):", x.sqrt().detach())  # what the unselected branch computed: NaN and 0
inside = x > 0
safe_x = torch.where(inside, x, 1.0)  # mask the input: sqrt only ever sees values where it is smooth
y = torch.where(inside, safe_x.sqrt(), 0.0)
y.sum().backward()
print("y:", y.detach(), " x.grad:", x.grad)
# --8<-- [end:where-fix]

# --8<-- [start:anomaly]
x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True, device=device)
with warnings.catch_warnings(record=True) as caught:  # anomaly mode reports the forward stack as a warning
    warnings.simplefilter("always")
    with torch.autograd.detect_anomaly(check_nan=True):
        # anomaly mode records each operation together with the Python stack that ran it
        y = torch.where(x > 0, x.sqrt(), 0.0)
        try:
            y.sum().backward()
        except RuntimeError as err:
            print("RuntimeError:", err)
report = str(caught[-1].message).splitlines()
print(report[0])  # the failing backward node ...
print("   ", [line for line in report if line.startswith("    ")][-1].strip())  # ... and the forward line behind it
# --8<-- [end:anomaly]


# --8<-- [start:gradcheck]
class Cube(torch.autograd.Function):
    """x ** 3 with a hand-written backward."""

    @staticmethod
    def forward(x):
        return x**3

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x.detach() ** 2  # the right value, but detach() hides x from a second backward


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x**2  # a slip: the derivative of x^3 is 3x^2


x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True, device=device)  # float64: see below
try:
    gradcheck(WrongCube.apply, (x,))
except RuntimeError as err:  # GradcheckError: both Jacobians, one after the other
    print(str(err).strip())
print("gradcheck(Cube):", gradcheck(Cube.apply, (x,)))
kink = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True, device=device)
print("gradcheck(relu) at 0:", gradcheck(torch.relu, (kink,), raise_exception=False))
# --8<-- [end:gradcheck]

# --8<-- [start:gradgradcheck]
try:
    gradgradcheck(Cube.apply, (x,))  # differentiates Cube's backward once more
except RuntimeError as err:
    print(str(err).splitlines()[0])  # the numbers below it depend on random grad_outputs
# --8<-- [end:gradgradcheck]

# --8<-- [start:none-non-leaf]
w = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
h = w * 2  # made by an operation: not a leaf
(h**2).sum().backward()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("h.is_leaf:", h.is_leaf, " h.grad:", h.grad)
print(str(caught[0].message).split(". ")[0])
h = w * 2
h.retain_grad()  # ask autograd to keep this intermediate gradient too
(h**2).sum().backward()
print("with retain_grad():", h.grad)
# --8<-- [end:none-non-leaf]

# --8<-- [start:none-to]
p = torch.ones(2, requires_grad=True, device=device).to(torch.float64)  # p is the copy, not the leaf
(p * 3).sum().backward()
print("p.is_leaf:", p.is_leaf, " p.grad_fn:", p.grad_fn.name())
print("the gradient went to the leaf behind it:", p.grad_fn.next_functions[0][0].variable.grad)
p = torch.ones(2, dtype=torch.float64, device=device, requires_grad=True)  # create it as it will be used
print("created with its dtype and device, p.is_leaf:", p.is_leaf)
t = torch.ones(2, device=device)
print("t.to(t.device) is t:", t.to(t.device) is t, " t.to(torch.float64) is t:", t.to(torch.float64) is t)
# --8<-- [end:none-to]

# --8<-- [start:none-no-grad]
with torch.no_grad():
    loss = (w * 3).sum()  # not recorded
print("loss.requires_grad:", loss.requires_grad)
try:
    loss.backward()
except RuntimeError as err:
    print("RuntimeError:", err)
# --8<-- [end:none-no-grad]

# --8<-- [start:none-detach]
a = torch.ones(2, requires_grad=True, device=device)
b = torch.ones(2, requires_grad=True, device=device)
(a.detach() * b + a.data * b).sum().backward()  # both are new tensors outside the graph
print("a.grad:", a.grad, " b.grad:", b.grad)
print("a.data shares a's storage:", a.data.data_ptr() == a.data_ptr(), " a.data.requires_grad:", a.data.requires_grad)
# --8<-- [end:none-detach]

# --8<-- [start:none-int]
try:
    torch.tensor([1, 2], requires_grad=True, device=device)
except RuntimeError as err:
    print("RuntimeError:", err)
steps = (w * 10).round().long()  # an integer result cannot carry a gradient
print("steps:", steps, " requires_grad:", steps.requires_grad)
# --8<-- [end:none-int]

# --8<-- [start:none-unused]
unused = torch.ones(2, requires_grad=True, device=device)
loss = (w * 2).sum()  # unused plays no part in it
try:
    torch.autograd.grad(loss, (w, unused), retain_graph=True)
except RuntimeError as err:
    print("RuntimeError:", err)
print(torch.autograd.grad(loss, (w, unused), allow_unused=True, retain_graph=True))
print(torch.autograd.grad(loss, (w, unused), materialize_grads=True, retain_graph=True))  # zeros, not None
loss.backward()
print("unused.grad after backward():", unused.grad)
# --8<-- [end:none-unused]
