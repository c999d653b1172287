"""What the graph keeps alive, when it lets go, and three ways to keep less: checkpointing, selective, offload."""

# --8<-- [start:setup]
import collections
import functools
import os
import warnings
import weakref

import torch
from torch import nn
from torch.utils.checkpoint import CheckpointPolicy, checkpoint, create_selective_checkpoint_contexts

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
torch.manual_seed(0)
# --8<-- [end:setup]

# --8<-- [start:keep-alive]
x = torch.randn(8, 16, device=device)
w1 = torch.randn(16, 32, device=device, requires_grad=True)
w2 = torch.randn(32, 4, device=device, requires_grad=True)
h = (x @ w1).relu()  # ReluBackward0 saves h (its result), MmBackward0 saves h (to get w2's gradient)
loss = (h @ w2).sum()


def show_saved(root):
    """Walk the graph from root; print what each node saves (its _saved_* attributes, sizes and strides left out)."""
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        shown = []
        for name in dir(node):
            value = getattr(node, name) if name.startswith("_saved_") and "sym_" not in name else None
            if value is not None:  # None: not an attribute we show, or nothing was saved under it
                shown.append(f"{name[7:]} {tuple(value.shape)}" if torch.is_tensor(value) else name[7:])
        if shown:  # a saved tensor is shown with its shape, any other saved value by name
            print(f"  {node.name()}:", ", ".join(shown))
        todo += [next_node for next_node, _ in node.next_functions]


show_saved(loss.grad_fn)
alive = weakref.ref(h)  # a reference that does not keep h alive
del h  # no Python name refers to h any more ...
print("after del h:", alive() is not None, tuple(alive().shape))  # ... but the graph still holds it
loss.backward()  # backward frees each node's saved tensors once the node has run
print("after backward:", alive())
# --8<-- [end:keep-alive]

# --8<-- [start:counter]
uses = collections.Counter()  # storage address -> how many saved tensors in the graph use it
size = {}  # storage address -> its size in bytes


class Held:
    """Stands in for a saved tensor inside the graph, so that we see when the graph lets go of it."""

    def __init__(self, tensor):
        self.tensor = tensor
        self.key = tensor.untyped_storage().data_ptr()  # views of one tensor share a storage: count it once
        uses[self.key] += 1
        size[self.key] = tensor.untyped_storage().nbytes()

    def __del__(self):  # autograd dropped this saved tensor
        uses[self.key] -= 1


def held_bytes(skip):
    """Bytes of the storages the graph holds now, leaving out `skip` (the parameters: they live anyway)."""
    return sum(size[key] for key in +uses if key not in skip)  # +uses keeps the counts above zero


count_saved = functools.partial(torch.autograd.graph.saved_tensors_hooks, Held, lambda held: held.tensor)
# --8<-- [end:counter]


# --8<-- [start:block]
class Block(nn.Module):
    """The MLP half of a transformer block: norm, widen 4x, GELU, project back, add the input."""

    def __init__(self, d):
        super().__init__()
        self.norm, self.up, self.down = nn.LayerNorm(d), nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.runs = 0  # how many times forward ran

    def forward(self, x):
        self.runs += 1
        return x + self.down(nn.functional.gelu(self.up(self.norm(x))))


block = Block(16).to(device)
params = {p.untyped_storage().data_ptr() for p in block.parameters()}
x = torch.randn(32, 16, device=device, requires_grad=True)  # 32 tokens of 16 floats: 2048 bytes
with count_saved():
    loss = block(x).sum()
print("saved for backward:", held_bytes(params), "bytes, parameters left out")
print("one storage each:", sorted(size[key] for key in +uses if key not in params))
show_saved(loss.grad_fn)
# --8<-- [end:block]

# --8<-- [start:retain-graph]
loss.backward(retain_graph=True)  # keep every saved tensor for another backward
print("after backward(retain_graph=True):", held_bytes(params))
expected = x.grad.clone()
loss.backward()  # the second pass frees them; the gradients add up in .grad
print("after a second backward:", held_bytes(params), torch.allclose(x.grad, 2 * expected))
with count_saved():
    loss = block(x).sum()
loss.backward(retain_graph=True)
del loss  # nothing refers to the graph any more: it goes, and its saved tensors with it
print("retained graph, then del loss:", held_bytes(params))
# --8<-- [end:retain-graph]

# --8<-- [start:checkpoint]
x.grad, block.runs = None, 0
with count_saved():
    loss = checkpoint(block, x, use_reentrant=False).sum()  # saves the block's input, nothing inside it
print("checkpointed, saved:", held_bytes(params), "bytes; forward ran", block.runs, "time")
loss.backward()  # the block's forward runs again, now to rebuild what backward needs
print("after backward: forward ran", block.runs, "times; same gradient:", torch.allclose(x.grad, expected))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    checkpoint(block, x)  # use_reentrant left out: still only a warning in 2.13
print(str(caught[0].message).split(". ")[0])
# --8<-- [end:checkpoint]

# --8<-- [start:selective]
decisions, cached = {}, []


def policy(ctx, op, *args, **kwargs):
    """Called for every operation in the region: keep the matmuls' outputs, recompute the rest."""
    save = op in (torch.ops.aten.addmm.default, torch.ops.aten.mm.default)
    decisions[str(op)] = "save" if save else "recompute"
    if save:
        cached.append(ctx.op_output.untyped_storage().nbytes())  # kept by checkpoint, not by the graph's hooks
    return CheckpointPolicy.MUST_SAVE if save else CheckpointPolicy.PREFER_RECOMPUTE


x.grad, block.runs = None, 0
selective = functools.partial(create_selective_checkpoint_contexts, policy)
with count_saved():
    loss = checkpoint(block, x, use_reentrant=False, context_fn=selective).sum()
for op, decision in decisions.items():
    print(f"{op:32} {decision}")
print("saved by the graph:", held_bytes(params), "+ cached by the policy:", sum(cached), "bytes")
loss.backward()
print("forward ran", block.runs, "times; same gradient:", torch.allclose(x.grad, expected))
# --8<-- [end:selective]

# --8<-- [start:save-on-cpu]
with torch.autograd.graph.save_on_cpu():
    y = x.sin()  # SinBackward0 saves x: on a GPU, as a copy in CPU memory
saved = y.grad_fn._saved_self  # unpacking copies it back to x's device
print("unpacked on x's device:", saved.device == x.device)
same_memory = saved.data_ptr() == x.data_ptr()
assert same_memory == (device.type == "cpu")  # on the CPU, nothing was copied either way
# --8<-- [end:save-on-cpu]
