"""Every snippet puts its tensors and modules on the device under test, so `--device=cuda` means what it says.

A snippet reads the device once, in its setup section (``device = torch.device(os.environ.get(
"TORCH_DEVICE", "cpu"))``), and creates every tensor with ``device=device`` or moves it with
``.to(device)``. This checks the source, so it holds on a machine without a GPU; the GPU job
(.github/workflows/gpu.yml) then runs every snippet with TORCH_DEVICE=cuda.
"""

import ast
import inspect
from pathlib import Path

import pytest
from torch import nn

from tools import pages, recording

DEVICE_LINE = 'device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))'
# Snippets that are CPU-only by nature, and why. Keep this list short and explained.
CPU_ONLY: dict[str, str] = {}
FACTORIES = {"tensor", "randn", "rand", "randint", "ones", "zeros", "arange", "linspace", "full", "empty", "eye"}


def _is_to_device(node) -> bool:
    """``<something>.to(device)`` (or ``.to(device=device)``)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "to"
        and any(isinstance(a, ast.Name) and a.id == "device" for a in [*node.args, *(k.value for k in node.keywords)])
    )


def _has_keyword(call: ast.Call, name: str) -> bool:
    return any(k.arg == name for k in call.keywords)


def _has_weights(layer: str) -> bool:
    """Layers with parameters or buffers take a device= argument (nn.Linear does; nn.ReLU, nn.MSELoss do not)."""
    cls = getattr(nn, layer, None)
    return inspect.isclass(cls) and "device" in inspect.signature(cls.__init__).parameters


def _created_off_device(tree: ast.AST) -> list[tuple[int, str]]:
    """Tensor factories and nn layers that are neither given device= nor inside an expression moved .to(device)."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def moved(node) -> bool:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.ClassDef):  # layers built in __init__ move with their module
                return True
            if isinstance(node, ast.Attribute) and node.attr == "to" and _is_to_device(parents.get(node)):
                return True
        return False

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        # Seeded data is made on the CPU with a generator and moved afterwards, so CPU and GPU see the same numbers.
        is_factory = name == "torch" and node.func.attr in FACTORIES and not _has_keyword(node, "generator")
        is_layer = name == "nn" and _has_weights(node.func.attr)
        if (is_factory or is_layer) and not _has_keyword(node, "device") and not moved(node):
            found.append((node.lineno, ast.unparse(node)[:60]))
    return found


SNIPPETS = [p for p in recording.snippet_files() if pages.rel(p) not in CPU_ONLY]


@pytest.mark.parametrize("path", SNIPPETS, ids=[str(p.relative_to(recording.SNIPPETS)) for p in SNIPPETS])
def test_snippet_uses_the_device_under_test(path):
    source = path.read_text(encoding="utf-8")
    assert DEVICE_LINE in source, (
        f"{pages.rel(path)}: does not read the device under test; put `{DEVICE_LINE}` in its setup section "
        f"(or, if it is CPU-only by nature, add it to CPU_ONLY in {pages.rel(Path(__file__))} "
        "with the reason)"
    )
    problems = _created_off_device(ast.parse(source))
    assert not problems, "\n".join(
        f"{pages.rel(path)}:{line}: `{code}` is created on the CPU whatever the device under test; "
        "pass device=device or move it with .to(device)"
        for line, code in problems
    )


def test_cpu_only_snippets_exist():
    missing = [name for name in CPU_ONLY if not (pages.ROOT / name).exists()]
    assert not missing, f"CPU_ONLY lists snippets that do not exist: {missing}"
