"""Custom autograd functions, the current way: setup_context, ctx flags, double backward, custom ops."""

# --8<-- [start:setup]
import os

import numpy as np
import torch
from functorch.compile import make_boxed_func
from torch._dynamo.backends.common import aot_autograd
from torch.autograd.function import once_differentiable

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]


# --8<-- [start:setup-context]
class MulAdd(torch.autograd.Function):
    """out = a * b + c, with a backward that computes only the gradients someone asked for."""

    @staticmethod
    def forward(a, b, c):  # no ctx: forward is plain tensor code
        return a * b + c

    @staticmethod
    def setup_context(ctx, inputs, output):  # runs after forward, sees its inputs and output
        a, b, _ = inputs
        ctx.save_for_backward(a, b)

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved_tensors
        computed.append(ctx.needs_input_grad)  # one flag per input of forward
        grad_a = grad_out * b if ctx.needs_input_grad[0] else None  # skip work nobody needs
        grad_b = grad_out * a if ctx.needs_input_grad[1] else None
        grad_c = grad_out if ctx.needs_input_grad[2] else None
        return grad_a, grad_b, grad_c


computed = []
a = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
b = torch.tensor([3.0, 4.0], device=device)  # a constant: no gradient wanted
c = torch.tensor([0.5, 0.5], requires_grad=True, device=device)
MulAdd.apply(a, b, c).sum().backward()
print(computed, a.grad, b.grad, c.grad)
# forward without ctx is what torch.func transforms need: grad accepts this Function
# (vmap also needs generate_vmap_rule=True or a vmap staticmethod)
print(torch.func.grad(lambda a: MulAdd.apply(a, b, c).sum())(a.detach()))
# --8<-- [end:setup-context]


# --8<-- [start:old-style]
class MulAddOld(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, c):  # the older form: ctx is forward's first argument
        ctx.save_for_backward(a, b)
        return a * b + c

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved_tensors
        return grad_out * b, grad_out * a, grad_out


MulAddOld.apply(a, b, c).sum().backward()  # plain autograd accepts both forms ...
try:
    torch.func.grad(lambda a: MulAddOld.apply(a, b, c).sum())(a.detach())  # ... torch.func does not
except RuntimeError as err:
    print(str(err).split(". ")[0])
# --8<-- [end:old-style]


# --8<-- [start:mark-dirty]
class Double_(torch.autograd.Function):
    """Doubles its input in place, like a kernel that writes into its argument."""

    @staticmethod
    def forward(x):
        return x.mul_(2)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.mark_dirty(inputs[0])  # the input now holds the output: give it this node as history

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * 2


class Double_Unmarked(Double_):
    @staticmethod
    def setup_context(ctx, inputs, output):
        pass  # the same in-place write, not declared


for fn in (Double_, Double_Unmarked):
    x = torch.tensor([1.0, 2.0], requires_grad=True, device=device)
    h = x + 0  # not a leaf: mark_dirty refuses a leaf that requires grad
    out = fn.apply(h)
    h.sum().backward()  # h now holds 2 * x, so the right gradient is 2
    print(f"{fn.__name__:16} out is h: {out is h!s:5}  h.grad_fn: {h.grad_fn.name():16} x.grad: {x.grad}")
# --8<-- [end:mark-dirty]


# --8<-- [start:non-differentiable]
class SortWithIndices(torch.autograd.Function):
    @staticmethod
    def forward(x):
        values, indices = torch.sort(x)
        return values, indices, indices.to(x.dtype)  # the positions once more, as floats (say, for float math)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, indices, positions = output
        ctx.mark_non_differentiable(indices, positions)  # positions in a sort: no gradient flows through them
        ctx.save_for_backward(indices)

    @staticmethod
    def backward(ctx, grad_values, grad_indices, grad_positions):  # still one gradient argument per output
        print("gradients for indices, positions:", grad_indices, grad_positions)  # zeros: grads are materialized
        (indices,) = ctx.saved_tensors
        return torch.zeros_like(grad_values).scatter(0, indices, grad_values)  # send each back home


class SortUnmarked(SortWithIndices):
    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output[1])  # the same outputs, nothing marked


x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True, device=device)
for fn in (SortWithIndices, SortUnmarked):  # requires_grad of values, indices, positions
    print(f"{fn.__name__:15}", [out.requires_grad for out in fn.apply(x)])
values, indices, positions = SortWithIndices.apply(x)
(values * torch.tensor([1.0, 10.0, 100.0], device=device)).sum().backward()
print(x.grad)  # weight of the place each element was sorted to
# --8<-- [end:non-differentiable]


# --8<-- [start:double-backward]
class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return x * torch.sigmoid(x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])  # an input: recomputing from it keeps backward differentiable

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)  # torch ops: with create_graph=True autograd records them too
        return grad_out * (s + x * s * (1 - s))


class SiLUOnce(SiLU):
    @staticmethod
    @once_differentiable  # runs backward under no_grad and forbids differentiating it again
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * (s + x * s * (1 - s))


g = torch.Generator().manual_seed(0)
x = torch.randn(3, dtype=torch.float64, generator=g).to(device).requires_grad_()
for fn in (SiLU, SiLUOnce):
    print(fn.__name__, "gradcheck:", torch.autograd.gradcheck(fn.apply, (x,)))
    y = fn.apply(x)
    # y's incoming gradient 2y depends on x, so the first derivative is differentiated through backward
    (dx,) = torch.autograd.grad((y**2).sum(), x, create_graph=True)
    print("  first derivative's node:", dx.grad_fn.name())
    try:  # differentiate the first derivative with respect to x ...
        print("  autograd.grad:", torch.autograd.grad(dx.sum(), x, retain_graph=True)[0])
    except RuntimeError as err:
        print("  autograd.grad raised:", err)
    try:  # ... and with backward(), which runs every node on a path to any leaf
        dx.sum().backward()
        print("  backward ran")
    except RuntimeError as err:
        print("  backward raised:", err)
    try:
        print("  gradgradcheck:", torch.autograd.gradgradcheck(fn.apply, (x,)))
    except RuntimeError as err:
        print("  gradgradcheck raised:", str(err).splitlines()[0])
# --8<-- [end:double-backward]


# --8<-- [start:custom-op]
@torch.library.custom_op("guide::numpy_sin", mutates_args=())  # "namespace::name"; mutates no input
def numpy_sin(x: torch.Tensor) -> torch.Tensor:  # type hints are required: they become the op's schema
    # NumPy stands for any kernel autograd and torch.compile cannot see into
    return torch.from_numpy(np.sin(x.numpy(force=True))).to(x.device)


@torch.library.custom_op("guide::numpy_cos", mutates_args=())  # the derivative, opaque too: a second op
def numpy_cos(x: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(np.cos(x.numpy(force=True))).to(x.device)


@numpy_sin.register_fake
@numpy_cos.register_fake
def _(x):  # shape, dtype and device of the output, computed without real data
    return torch.empty_like(x)


def setup_context(ctx, inputs, output):
    ctx.save_for_backward(inputs[0])


def backward(ctx, grad_out):  # must be traceable: calls to ops only
    (x,) = ctx.saved_tensors
    return grad_out * numpy_cos(x)


numpy_sin.register_autograd(backward, setup_context=setup_context)
x = torch.tensor([0.0, 0.5, 1.0], device=device, requires_grad=True)
print(torch.ops.guide.numpy_sin(x))  # the same operator, found by its name
print(torch.library.opcheck(numpy_sin, (x,)))  # schema, fake, autograd, AOT tracing
# --8<-- [end:custom-op]

# --8<-- [start:custom-op-compile]
ops_seen = {}


def recorder(kind):
    def compile_graph(gm, example_inputs):  # gets AOTAutograd's forward or backward graph
        ops_seen[kind] = [str(n.target) for n in gm.graph.nodes if n.op == "call_function"]
        return make_boxed_func(gm.forward)  # run it as traced: this check needs no code generation

    return compile_graph


def f(x):
    return numpy_sin(x * 2).sum()


torch.compiler.reset()  # compile from scratch, whatever this process compiled before
backend = aot_autograd(fw_compiler=recorder("forward"), bw_compiler=recorder("backward"))
compiled = torch.compile(f, fullgraph=True, backend=backend)  # fullgraph: a graph break is an error
x = torch.linspace(0.0, 1.0, 5, device=device, requires_grad=True)
(grad_eager,) = torch.autograd.grad(f(x), x)
y = compiled(x)
(grad_compiled,) = torch.autograd.grad(y, x)
assert torch.allclose(y, f(x)) and torch.allclose(grad_compiled, grad_eager)
for kind, ops in ops_seen.items():
    print(kind, ops)
print(grad_compiled)
# --8<-- [end:custom-op-compile]
