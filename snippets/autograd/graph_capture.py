"""Capturing a static graph from dynamic code: torch.fx, torch.compile (TorchDynamo), torch.export."""

# --8<-- [start:setup]
import inspect
import os

import torch
import torch._dynamo
from torch import fx, nn
from torch._dynamo.utils import counters  # Dynamo's own statistics (a private API)

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:fx]
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)).to(device)
traced = fx.symbolic_trace(model)  # runs forward() on proxies and records each call
for node in traced.graph.nodes:
    print(node.op, node.target)  # nn layers are recorded as calls, not traced into
# --8<-- [end:fx]

# --8<-- [start:fx-limit]
seen = []


def flip_negative(x):
    seen.append(type(x).__name__)  # what the function is run on
    if x.sum() > 0:  # needs a real value: a proxy has none
        return x
    return -x


t = torch.tensor([3.0], device=device)
print(flip_negative(t), flip_negative(-t))  # eager: both branches work
try:
    fx.symbolic_trace(flip_negative)
except fx.proxy.TraceError as err:
    print(type(err).__name__, "-", str(err).splitlines()[0])
print(seen)
# --8<-- [end:fx-limit]

# --8<-- [start:dynamo]
graphs = []


def inspect_backend(gm, example_inputs):
    """A torch.compile backend that only records the operations of each FX graph it gets."""
    graphs.append([getattr(n.target, "__name__", n.target) for n in gm.graph.nodes if n.op.startswith("call")])
    return gm.forward  # run the captured graph as it is, compiling nothing


@torch.compile(backend=inspect_backend)
def step(x):
    y = torch.sin(x) * 2
    if y.sum() > 0:  # a branch on a tensor's value: Dynamo breaks the graph here
        return y + 1
    return y - 1


for x in (torch.ones(3, device=device), -torch.ones(3, device=device)):
    print(step(x), torch.equal(step(x), step.__wrapped__(x)))  # same answer as eager
print(graphs)  # one graph up to the branch, then one for each branch taken
# --8<-- [end:dynamo]

# --8<-- [start:explain]
explanation = torch._dynamo.explain(step.__wrapped__)(torch.ones(3, device=device))
print("graphs:", explanation.graph_count, "breaks:", explanation.graph_break_count)
print("break at:", explanation.break_reasons[0].user_stack[-1].line)
# --8<-- [end:explain]

# --8<-- [start:recompile]
torch._dynamo.reset()  # forget earlier compilations
calls = []


def counting_backend(gm, example_inputs):
    symbolic = any(isinstance(a, torch.SymInt) for a in example_inputs)
    calls.append("dynamic" if symbolic else "static")
    return gm.forward


@torch.compile(backend=counting_backend)
def scale(x):
    return x * 2 + 1


for n in (2, 2, 3, 4, 5, 1):
    scale(torch.ones(n, device=device))
print(calls)  # n=3 fails the size guard; size 1 still gets a graph of its own
scale(torch.ones(3, dtype=torch.float64, device=device))  # a new dtype fails a guard too
print(len(calls), "compilations")
calls.clear()
scale_any = torch.compile(scale.__wrapped__, backend=counting_backend, dynamic=True)
for n in (2, 3, 4):
    scale_any(torch.ones(n, device=device))
print(calls)  # dynamic=True: symbolic sizes from the first call
# --8<-- [end:recompile]

# --8<-- [start:export]
print("strict by default:", inspect.signature(torch.export.export).parameters["strict"].default)
example = (torch.randn(2, 4, device=device),)
for strict in (False, True):
    counters.clear()  # Dynamo counts the graphs it captures
    exported = torch.export.export(model, example, strict=strict)
    ops = [str(n.target) for n in exported.graph.nodes if n.op == "call_function"]
    print(f"strict={strict}: graphs traced by Dynamo: {counters['stats']['unique_graphs']}; {ops}")
print([spec.kind.name for spec in exported.graph_signature.input_specs])  # parameters become inputs
# --8<-- [end:export]


# --8<-- [start:export-limit]
class Branchy(nn.Module):
    def forward(self, x):
        seen.append(type(x).__name__)  # what forward is run on
        if x.sum() > 0:
            return x + 1
        return x - 1


for strict in (False, True):
    seen.clear()
    try:
        torch.export.export(Branchy(), (torch.ones(3, device=device),), strict=strict)
    except Exception:  # the two modes raise different exception types
        print(f"strict={strict}: export failed; forward ran on {seen}")
# --8<-- [end:export-limit]


# --8<-- [start:export-cond]
class BranchyCond(nn.Module):
    def forward(self, x):
        return torch.cond(x.sum() > 0, lambda x: x + 1, lambda x: x - 1, (x,))  # both branches go into the graph


exported = torch.export.export(BranchyCond(), (torch.ones(3, device=device),))
print([node.name for node in exported.graph.nodes if node.op == "call_function"])
print(exported.module()(-torch.ones(3, device=device)))  # the other branch, chosen at run time
# --8<-- [end:export-cond]
