"""README.md and CONTRIBUTING.md: one convention for shell blocks, so nobody has to guess which ones run.

pytest-codeblocks runs every ```sh block of these files (testpaths in pyproject.toml); a block that cannot
run inside the suite says why in a visible `<!--pytest.mark.skip(reason=...)-->` line above it.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^\s*```+\s*(shell|bash|console|zsh|shell-session)\s*$")


@pytest.mark.parametrize("name", ["README.md", "CONTRIBUTING.md"])
def test_shell_blocks_are_sh(name):
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    bad = [(n, m.group(1)) for n, line in enumerate(lines, 1) for m in [FENCE.match(line)] if m]
    assert not bad, "\n".join(
        f"{name}:{n}: ```{info} blocks are never run; write ```sh (run by the tests), with a "
        '<!--pytest.mark.skip(reason="...")--> line above it if it cannot run inside the suite'
        for n, info in bad
    )
