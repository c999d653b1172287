"""The parts of autograd's graph, when backward frees what it saved, and the graph drawn from live code."""

# --8<-- [start:setup]
import os

import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]


# --8<-- [start:anatomy]
def edges(node):
    """The nodes a node's edges lead to (None: an input that needs no gradient)."""
    return [type(n).__name__ if n is not None else None for n, _ in node.next_functions]


w = torch.tensor([1.0, 2.0], requires_grad=True, device=device)  # a leaf that needs a gradient
x = torch.tensor([3.0, 4.0], device=device)  # a leaf that needs none
y = (w * x).sum()
mul = y.grad_fn.next_functions[0][0]  # the node that made w * x
print("y.grad_fn:", type(y.grad_fn).__name__, "->", edges(y.grad_fn))
print("MulBackward0 ->", edges(mul))
print("AccumulateGrad writes into w:", mul.next_functions[0][0].variable is w)
print("saved by MulBackward0: self =", mul._saved_self, " other =", mul._saved_other)
print("is_leaf: w", w.is_leaf, " x", x.is_leaf, " x * 2", (x * 2).is_leaf, " y", y.is_leaf)
print("(x * 2).grad_fn:", (x * 2).grad_fn)  # no input needs a gradient: nothing recorded
try:
    mul.next_functions = ()
except AttributeError as e:
    print("AttributeError:", e)  # the record cannot be rewired
y.backward()
print("w.grad after one backward:", w.grad)
(w * x).sum().backward()  # a new graph, the same leaf
print("after a second graph:     ", w.grad)  # added to, not replaced
# --8<-- [end:anatomy]


# --8<-- [start:saved-tensors]
events = []  # collected, then printed: on a GPU, backward runs in another thread
tensor_names = {}  # id of a tensor -> its name below


class Saved:
    """What autograd keeps in place of a saved tensor; notes when autograd drops it."""

    def __init__(self, tensor):
        self.tensor = tensor

    def __del__(self):
        events.append(f"  released {tensor_names[id(self.tensor)]}")


def forward(x):
    """sin, log, square, sum: each backward node saves the input its derivative needs."""
    with torch.autograd.graph.saved_tensors_hooks(Saved, lambda saved: saved.tensor):
        h = x.sin()  # SinBackward0 saves x: d sin(x) = cos(x)
        y = h.log()  # LogBackward0 saves h: d log(h) = 1/h
        z = y**2  # PowBackward0 saves y: d y^2 = 2y
        loss = z.sum()  # SumBackward0 saves only a shape
    tensor_names.update({id(x): "x", id(h): "h", id(y): "y"})
    return h, y, z, loss


def note_start(node):
    name = type(node).__name__  # the hook keeps only the name, not the node
    node.register_prehook(lambda grad_outputs: events.append(f"{name} runs"))  # just before the node runs


x = torch.tensor([0.5, 1.0], requires_grad=True, device=device)
h, y, z, loss = forward(x)
for t in (loss, z, y, h):
    note_start(t.grad_fn)
loss.backward()
print("\n".join(events))
# --8<-- [end:saved-tensors]

# --8<-- [start:retain-graph]
events.clear()
h, y, z, loss = forward(x)
loss.backward(retain_graph=True)  # keep the saved tensors for another backward
print("released by backward(retain_graph=True):", len(events))
loss.backward()  # the same graph again; this pass frees them as it goes
print("released by the second backward():")
print("\n".join(events))
# --8<-- [end:retain-graph]


# --8<-- [start:to-mermaid]
def to_mermaid(root, leaves, backward=False):
    """Mermaid flowchart of the backward graph that ends in ``root``.

    ``leaves`` maps names to leaf tensors so their AccumulateGrad nodes get a
    label. Leaves are rounded, saved tensors slanted, operations square.
    With ``backward=True`` it also runs ``root.backward()``: each operation then
    shows the gradient that reached it, each leaf its ``.grad``, and a gradient
    with a NaN or an infinity in it turns its node red.
    """

    def text(t):  # shape, and the values when there are at most 4
        values = ", ".join(f"{v:.3g}" for v in t.flatten().tolist())
        return f"{tuple(t.shape)} [{values}]" if t.numel() <= 4 else str(tuple(t.shape))

    names = {id(t): name for name, t in leaves.items()}
    order, stack = [], [root.grad_fn]
    while stack:  # collect every node once, depth first
        fn = stack.pop()
        if fn is not None and fn not in order:
            order.append(fn)
            stack.extend(child for child, _ in reversed(fn.next_functions))
    ids = {fn: f"n{i}" for i, fn in enumerate(order)}
    grads = {}  # node -> the gradient that reached it
    if backward:
        for fn in order:  # a pre-hook sees the gradients a node receives, just before it runs
            fn.register_prehook(lambda grad_outputs, fn=fn: grads.update({fn: grad_outputs[0]}))
        root.backward(retain_graph=True)  # keep the saved tensors: the drawing reads them
    lines = ["flowchart BT"]
    for fn in order:
        me, is_leaf = ids[fn], hasattr(fn, "variable")  # AccumulateGrad writes into a leaf's .grad
        if is_leaf:
            leaf = fn.variable
            label, grad, style = f"{names.get(id(leaf), 'leaf')} {tuple(leaf.shape)}", leaf.grad, "leaf"
        else:
            label, grad, style = fn.name(), grads.get(fn), "op"
        if backward and grad is not None:  # a Markdown string (in backticks) may break the line
            label = f"`{label}\n{'.grad' if is_leaf else 'grad'} {text(grad)}`"
            if not grad.isfinite().all():
                style = "bad"
        left, right = ("([", "])") if is_leaf else ("[", "]")  # leaves rounded, operations square
        lines.append(f'  {me}{left}"{label}"{right}:::{style}')
        for attr in sorted(a for a in dir(fn) if a.startswith("_saved_")):
            value = getattr(fn, attr)
            if isinstance(value, torch.Tensor):  # held until backward has run this node
                lines.append(f'  {me}{attr}[/"{attr[len("_saved_"):]} {tuple(value.shape)}"/]:::saved -.- {me}')
        for child, _ in fn.next_functions:
            if child is not None:
                lines.append(f"  {ids[child]} --> {me}")
    lines += [
        # translucent fills, no text colour: the theme's text stays readable on light and dark pages
        "  classDef leaf fill:#4caf504f,stroke:#2e7d32",
        "  classDef op fill:#ff98004d,stroke:#e65100",
        "  classDef saved fill:#03a9f41f,stroke:#0277bd",
        "  classDef bad fill:#f4433640,stroke:#c62828",
    ]
    return "\n".join(lines)
# --8<-- [end:to-mermaid]


# --8<-- [start:mlp-graph]
fc1, fc2 = nn.Linear(5, 10).to(device), nn.Linear(10, 1).to(device)
x, target = torch.randn(4, 5, device=device), torch.randn(4, 1, device=device)  # only shapes show below
loss = nn.functional.mse_loss(fc2(torch.relu(fc1(x))), target)
leaves = {**dict(fc1.named_parameters("fc1")), **dict(fc2.named_parameters("fc2"))}
print(to_mermaid(loss, leaves))
# --8<-- [end:mlp-graph]


# --8<-- [start:branch-graphs]
def f(x):
    if x.sum() > 0:  # Python decides; autograd records only the branch taken
        return (x * 2).sum()
    return x.exp().mean()


pos = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
print(to_mermaid(f(pos), {"x": pos}))
# --8<-- [end:branch-graphs]

# --8<-- [start:branch-graphs-negative]
neg = torch.tensor([-1.0, -2.0], requires_grad=True, device=device)
print(to_mermaid(f(neg), {"x": neg}))
# --8<-- [end:branch-graphs-negative]

# --8<-- [start:grad-graph]
x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True, device=device)
y = torch.where(x > 0, x.sqrt(), 0.0)  # meant as a safe square root: 0 wherever x <= 0
print(to_mermaid(y.sum(), {"x": x}, backward=True))
# --8<-- [end:grad-graph]
