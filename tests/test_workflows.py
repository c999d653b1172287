"""The GitHub workflows pass actionlint, pin third-party actions and declare least privilege."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)", re.MULTILINE)


def test_actionlint():
    exe = shutil.which("actionlint")
    assert exe, "actionlint is not installed (pip install -r requirements.txt)"
    proc = subprocess.run([exe, "-no-color", *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actions_pinned_by_sha(workflow):
    text = workflow.read_text(encoding="utf-8")
    for match in USES.finditer(text):
        ref = match.group(1)
        line = text[: match.start()].count("\n") + 1
        assert re.search(r"@[0-9a-f]{40}$", ref), f"{workflow.name}:{line}: {ref} is not pinned to a commit SHA"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_declared(workflow):
    text = workflow.read_text(encoding="utf-8")
    assert re.search(r"^permissions:", text, re.MULTILINE), f"{workflow.name}: no top-level `permissions:` block"
    assert "write-all" not in text, f"{workflow.name}: grants write-all"
