"""Compiling the backward pass: AOTAutograd's joint graph and partitioner, compiled autograd,
torch.cond's gradient, and the logs that show graph breaks and recompiles."""

# --8<-- [start:setup]
import logging
import os
import re

import torch
import torch._dynamo
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]


# --8<-- [start:logs]
class KeepLogs(logging.Handler):
    """Keeps every message torch's logging emits, so that the code below can read and count them."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


logs = KeepLogs()
for name in ("torch._dynamo", "torch._functorch._aot_autograd"):  # the loggers of the "dynamo" and "aot" groups
    logging.getLogger(name).addHandler(logs)
# Same as running with TORCH_LOGS="aot_joint_graph,aot_graphs": the graphs also go to stderr
torch._logging.set_logs(aot_joint_graph=True, aot_graphs=True)


def logged_graph(kind):
    """The code of the last graph of this kind ("Joint", "Forward", "Backward") in the log."""
    return next(m for m in reversed(logs.messages) if f"===== {kind} graph" in m)


def node_names(code):
    """The names of the operations in a logged graph: `name: "f32[...]" = torch.ops...`."""
    return re.findall(r'^\s+(\w+): "[^"]*" = torch\.ops\.', code, re.MULTILINE)
# --8<-- [end:logs]


# --8<-- [start:joint]
def silu_block(x, w1, w2):
    h = x @ w1
    a = h * torch.sigmoid(h)  # SiLU, written out
    return (a @ w2).pow(2).mean()


g = torch.Generator().manual_seed(0)  # data made on the CPU, then moved: the same numbers on every device
x = torch.randn(64, 32, generator=g).to(device)
w1 = torch.randn(32, 128, generator=g).to(device).requires_grad_()
w2 = torch.randn(128, 32, generator=g).to(device).requires_grad_()

torch.compiler.reset()  # compile from a clean state, whatever ran before in this process
# AOTAutograd with Inductor's decompositions and partitioner, and no code generation after them
inductor_block = torch.compile(silu_block, backend="aot_eager_decomp_partition")
inductor_block(x, w1, w2).backward()
joint, forward, backward = (node_names(logged_graph(kind)) for kind in ("Joint", "Forward", "Backward"))
print(f"joint graph: {len(joint)} operations -> forward {len(forward)} + backward {len(backward)}")
print("in both:", sorted(set(forward) & set(backward)))  # one joint graph, cut in two: same names
# --8<-- [end:joint]

# --8<-- [start:partitioner]
saved = []


def pack(t):  # called for every tensor a forward saves for backward, compiled or not
    saved.append(t)
    return t


default_block = torch.compile(silu_block, backend="aot_eager_default_partitioner")
for name, block in [("eager", silu_block), ("default partitioner", default_block),
                    ("min-cut partitioner", inductor_block)]:
    block(x, w1, w2)  # compile first, outside the hooks
    saved.clear()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = block(x, w1, w2)
    storages = {t.untyped_storage().data_ptr(): t.untyped_storage().nbytes() for t in saved}
    print(f"{name}: {len(saved)} tensors saved, {len(storages)} storages, {sum(storages.values()) // 1024} KiB")
    loss.backward()
torch._logging.set_logs()  # back to the default: warnings only
# --8<-- [end:partitioner]

# --8<-- [start:compiled-autograd]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)).to(device)
inputs = torch.randn(16, 4, generator=g).to(device)
targets = torch.randn(16, 1, generator=g).to(device)


def train_step(inputs, targets):
    loss = nn.functional.mse_loss(model(inputs), targets)
    loss.backward()  # TorchDynamo breaks the graph here
    return loss.detach()


graphs = []


def inspect_backend(gm, example_inputs):
    """Records the operations of each graph it gets; names an autograd node by its class."""
    graphs.append([getattr(n.target, "__name__", str(n.target)) for n in gm.graph.nodes if n.op.startswith("call")])
    return gm.forward  # run the graph as it is


train_step(inputs, targets)
expected = [p.grad.clone() for p in model.parameters()]  # eager gradients, to compare with
for enabled in (False, True):
    torch.compiler.reset()
    graphs.clear()
    model.zero_grad()
    # A flag of the private module torch._dynamo.config, read when torch.compile is called
    with torch._dynamo.config.patch(compiled_autograd=enabled):
        step = torch.compile(train_step, backend=inspect_backend)
    step(inputs, targets)
    assert all(torch.allclose(p.grad, e) for p, e in zip(model.parameters(), expected))
    print(f"compiled_autograd={enabled}: {len(graphs)} graphs of {[len(ops) for ops in graphs]} operations")
nodes = [op for op in graphs[1] if op not in ("getitem", "validate_outputs")]
print("graph 2:", {op: nodes.count(op) for op in sorted(set(nodes))})
# --8<-- [end:compiled-autograd]

# --8<-- [start:breaks-recompiles]
torch._logging.set_logs(graph_breaks=True, recompiles=True)  # same as TORCH_LOGS="graph_breaks,recompiles"
logs.messages.clear()
step(inputs[:8], targets[:8])  # the step compiled last above, with a new batch size: a guard fails
torch._logging.set_logs()
for message in logs.messages:
    lines = message.splitlines()
    if message.startswith("Recompiling"):
        print("recompile:", lines[-1].split(": ", 1)[1])  # the guard that failed
    elif message.startswith("Graph break"):
        print("graph break:", next(line.strip() for line in lines if line.startswith("Unsupported")))
# --8<-- [end:breaks-recompiles]


# --8<-- [start:cond]
class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))

    def forward(self, x):  # which branch runs depends on the data: torch.cond keeps both in the graph
        return torch.cond(x.sum() > 0, lambda x: (x * self.w).sin(), lambda x: (x * self.w).cos(), (x,))


gate = Gate().to(device)
torch._logging.set_logs(aot_graphs=True, graph_breaks=True)
logs.messages.clear()
torch.compiler.reset()
compiled = torch.compile(gate, backend="aot_eager", fullgraph=True)  # fullgraph: a graph break is an error
exported = torch.export.export(gate, (torch.ones(3, device=device),)).module()
for x in (torch.ones(3, device=device), -torch.ones(3, device=device)):  # one input for each branch
    grads = []
    for run in (gate, compiled, exported):
        gate.zero_grad()  # the exported module shares gate's parameters
        run(x).sum().backward()
        grads.append(gate.w.grad.clone())
    print(grads[0], all(torch.allclose(grads[0], other) for other in grads[1:]))
torch._logging.set_logs()
print("graph breaks:", sum(m.startswith("Graph break") for m in logs.messages))
print("cond in the backward graph:", "torch.ops.higher_order.cond" in logged_graph("Backward"))
# --8<-- [end:cond]
