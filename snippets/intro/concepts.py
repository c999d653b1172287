"""Draw the graph that autograd actually recorded, as a Mermaid flowchart."""

import torch
from torch import nn


# --8<-- [start:to-mermaid]
def to_mermaid(root, leaves):
    """Mermaid flowchart of the backward graph that ends in ``root``.

    ``leaves`` maps names to leaf tensors so their AccumulateGrad nodes get a
    label. Leaves are rounded, saved tensors slanted, operations square.
    """
    names = {id(t): name for name, t in leaves.items()}
    order, stack = [], [root.grad_fn]
    while stack:  # collect every node once, depth first
        fn = stack.pop()
        if fn is not None and fn not in order:
            order.append(fn)
            stack.extend(child for child, _ in reversed(fn.next_functions))
    ids = {fn: f"n{i}" for i, fn in enumerate(order)}
    lines = ["flowchart BT"]
    for fn in order:
        me = ids[fn]
        if hasattr(fn, "variable"):  # AccumulateGrad writes the gradient into a leaf's .grad
            leaf = fn.variable
            lines.append(f'  {me}(["{names.get(id(leaf), "leaf")} {tuple(leaf.shape)}"]):::leaf')
        else:
            lines.append(f'  {me}["{fn.name()}"]:::op')
        for attr in sorted(a for a in dir(fn) if a.startswith("_saved_")):
            value = getattr(fn, attr)
            if isinstance(value, torch.Tensor):  # kept alive until backward runs
                lines.append(f'  {me}{attr}[/"{attr[len("_saved_"):]} {tuple(value.shape)}"/]:::saved -.- {me}')
        for child, _ in fn.next_functions:
            if child is not None:
                lines.append(f"  {ids[child]} --> {me}")
    lines += [
        "  classDef leaf fill:#c8e6c9,stroke:#2e7d32,color:#1b5e20",
        "  classDef op fill:#ffe0b2,stroke:#e65100,color:#3e2723",
        "  classDef saved fill:#e1f5fe,stroke:#0277bd,color:#01579b",
    ]
    return "\n".join(lines)
# --8<-- [end:to-mermaid]


# --8<-- [start:mlp-graph]
torch.manual_seed(0)
fc1, fc2 = nn.Linear(5, 10), nn.Linear(10, 1)
x, target = torch.randn(4, 5), torch.randn(4, 1)
loss = nn.functional.mse_loss(fc2(torch.relu(fc1(x))), target)
leaves = {**dict(fc1.named_parameters("fc1")), **dict(fc2.named_parameters("fc2"))}
print(to_mermaid(loss, leaves))
# --8<-- [end:mlp-graph]


# --8<-- [start:branch-graphs]
def f(x):
    if x.sum() > 0:  # Python decides; autograd records only the branch taken
        return (x * 2).sum()
    return x.exp().mean()


pos = torch.tensor([1.0, 2.0], requires_grad=True)
print(to_mermaid(f(pos), {"x": pos}))
# --8<-- [end:branch-graphs]

# --8<-- [start:branch-graphs-negative]
neg = torch.tensor([-1.0, -2.0], requires_grad=True)
print(to_mermaid(f(neg), {"x": neg}))
# --8<-- [end:branch-graphs-negative]
