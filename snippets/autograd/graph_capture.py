"""Capturing a static graph from dynamic code: torch.fx, torch.compile (TorchDynamo), torch.export."""

import torch
import torch._dynamo
from torch import fx, nn

# --8<-- [start:fx]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
traced = fx.symbolic_trace(model)  # runs forward() on proxies and records each call
print(traced.graph)
# --8<-- [end:fx]


# --8<-- [start:fx-limit]
def flip_negative(x):
    if x.sum() > 0:  # needs a real value: a proxy cannot answer
        return x
    return -x


print(flip_negative(torch.tensor([3.0])), flip_negative(torch.tensor([-3.0])))  # eager: both branches work
try:
    fx.symbolic_trace(flip_negative)
except fx.proxy.TraceError as err:
    print(type(err).__name__, "-", str(err).splitlines()[0])
# --8<-- [end:fx-limit]

# --8<-- [start:dynamo]
graphs = []


def inspect_backend(gm, example_inputs):
    """A torch.compile backend that only records the FX graph it is given."""
    graphs.append([n.op for n in gm.graph.nodes])
    return gm.forward  # run the captured graph as is


@torch.compile(backend=inspect_backend)
def step(x):
    y = torch.sin(x) * 2
    if y.sum() > 0:  # Dynamo cannot trace a data-dependent branch: graph break
        return y + 1
    return y - 1


for x in (torch.ones(3), -torch.ones(3)):
    print(step(x), torch.equal(step(x), step.__wrapped__(x)))  # same answer as eager
print(len(graphs), "graphs captured")
# --8<-- [end:dynamo]

# --8<-- [start:explain]
explanation = torch._dynamo.explain(step.__wrapped__)(torch.ones(3))
print("graphs:", explanation.graph_count, "breaks:", explanation.graph_break_count)
where = explanation.break_reasons[0].user_stack[-1]
print(f"break at line {where.lineno}: {where.line}")
# --8<-- [end:explain]

# --8<-- [start:recompile]
torch._dynamo.reset()
calls = []


def counting_backend(gm, example_inputs):
    symbolic = any(isinstance(a, torch.SymInt) for a in example_inputs)
    calls.append("dynamic" if symbolic else "static")
    return gm.forward


@torch.compile(backend=counting_backend)
def scale(x):
    return x * 2 + 1


for n in (2, 2, 3, 4, 5):  # the guard on the input's shape fails for n=3
    assert torch.equal(scale(torch.ones(n)), scale.__wrapped__(torch.ones(n)))
print(calls)  # after one recompile, Dynamo marks the size dynamic
calls.clear()
scale_any = torch.compile(scale.__wrapped__, backend=counting_backend, dynamic=True)
for n in (2, 3, 4):
    scale_any(torch.ones(n))
print(calls)  # dynamic=True: one graph for every size from the start
# --8<-- [end:recompile]

# --8<-- [start:export]
exported = torch.export.export(model, (torch.randn(2, 4),))
print(exported.graph_module.code.strip())
# --8<-- [end:export]
