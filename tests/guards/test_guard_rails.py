"""Each way a pull request can break the docs, planted in a copy of the project, must fail with a clear message.

Every test copies the project, plants defects, runs part of the real suite there, and checks that it
fails naming the file (and line where there is one) and saying how to fix it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import browser

ROOT = Path(__file__).resolve().parents[2]


def _skip(folder, names):
    """Leave out version control, caches and build outputs (top-level build/ and site/ only)."""
    skip = {".git", "__pycache__", ".pytest_cache", ".coverage"}
    if Path(folder) == ROOT:
        skip |= {"build", "site"}
    return [n for n in names if n in skip]


@pytest.fixture
def project(tmp_path, request):
    failed = request.session.testsfailed
    if failed:  # they ran first (tests/conftest.py orders the guard rails last)
        pytest.skip(
            f"{failed} test(s) of the suite already failed on the tree itself; the guard rails plant defects in "
            "a copy of a sound tree, so they wait until those failures are fixed"
        )
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=_skip)
    return copy


def run_suite(project: Path, *args: str) -> str:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "-q", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode != 0, f"the suite passed despite the planted defects:\n{proc.stdout[-3000:]}"
    return proc.stdout + proc.stderr


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; return the 1-based line where it happened."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: planting failed, {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def append(path: Path, text: str) -> int:
    """Append `text`; return the line number of its first line."""
    before = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def test_snippet_that_raises_and_drifted_output(project):
    line = edit(
        project / "snippets/autograd/basics.py", "y.backward()  #", "raise ValueError('planted')\ny.backward()  #"
    )
    out_line = edit(project / "snippets/autograd/control_flow.out", "n=4: 4 nodes", "n=4: 5 nodes")
    log = run_suite(project, "tests/snippets/test_snippets.py", "-k", "basics or control_flow")
    assert f"snippets/autograd/basics.py:{line}: snippet raised ValueError: planted" in log
    assert f"snippets/autograd/control_flow.out:{out_line}: output of snippets/autograd/control_flow.py drifted" in log
    assert "re-record with `pytest tests/snippets --update-outputs`" in log
    assert "-n=4: 5 nodes" in log and "+n=4: 4 nodes" in log  # a readable diff


def test_page_structure_defects(project):
    (project / "docs/summary.en.md").unlink()
    id_line = edit(project / "docs/faq.en.md", "{ #q-eval }", "{ #q-eval-mode }")
    fence_line = append(project / "docs/glossary.md", '```python\nprint("typed into the page")\n```\n')
    (project / "snippets/autograd/orphan.py").write_text("print('nobody shows me')\n", encoding="utf-8")
    log = run_suite(project, "tests/site/test_pages.py")
    assert "docs/summary.md:1: has no twin docs/summary.en.md" in log
    assert f"heading id 'q-eval' differs from docs/faq.en.md:{id_line}: 'q-eval-mode'" in log
    assert f"docs/glossary.md:{fence_line}: python code typed into the page; move it to snippets/" in log
    assert "snippets/autograd/orphan.py: no page includes this snippet" in log
    assert "docs/glossary.md changed but its twin docs/glossary.en.md did not" in log


def test_broken_link_anchor_and_image_are_the_first_and_only_failure(project):
    """One defect, one failure that names it: `pytest -x` stops at the strict build, which names file and line."""
    link = append(project / "docs/errata.md", "[坏链接](no-such-page.md)\n")
    anchor = append(project / "docs/faq.en.md", "[bad anchor](glossary.md#no-such-anchor)\n")
    image = append(project / "docs/glossary.md", "![缺失的图](figures/no-such.png)\n")
    log = run_suite(project, "-x", "tests")
    first = log[log.index("___") :]  # pytest's report of the first failure
    assert "test_strict_build_passes" in first.splitlines()[0], first[:400]
    assert f"docs/errata.md:{link}: link 'no-such-page.md': " in first
    assert f"docs/faq.en.md:{anchor}: link 'glossary.md#no-such-anchor': " in first
    assert f"docs/glossary.md:{image}: link 'figures/no-such.png': " in first
    assert "Fix: " in first
    assert "1 failed" in log and "stopping after 1 failures" in log


def test_outside_scripts_in_a_page_and_a_template(project):
    append(project / "docs/faq.en.md", '<script src="https://cdn.example.com/lib.js"></script>\n')
    edit(
        project / "overrides/main.html",
        "{% block scripts %}",
        '{% block scripts %}\n  <script src="https://cdn.example.com/x.js"></script>',
    )
    log = run_suite(project, "tests/site/test_build.py::test_no_asset_from_outside_the_site")
    assert "docs/faq.en.md (built page en/faq/index.html:" in log and "https://cdn.example.com/lib.js" in log
    assert "docs/index.md (built page index.html:" in log and "https://cdn.example.com/x.js" in log


def test_hidden_line_in_a_snippet(project):
    line = append(project / "snippets/autograd/basics.py", "print('the page never shows me')\n")
    log = run_suite(project, "tests/snippets/test_page_code.py::test_no_hidden_code")
    assert f"snippets/autograd/basics.py:{line}: runs but is hidden from docs/autograd/basics.md" in log
    assert "move it into a section the page shows" in log


@pytest.mark.browser
def test_mermaid_tex_and_cdn_errors_in_the_browser(project):
    if browser.find_chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no Chromium; under CI=true the browser guard rails must run")
        pytest.skip("no Chromium found")
    append(
        project / "docs/faq.md",
        "```mermaid\nflowchart LR\n  A -->\n```\n\n\\(\\frac{1}{\\undefinedmacro}\\)\n\n"
        '<script src="https://cdn.example.com/lib.js"></script>\n',
    )
    log = run_suite(project, "tests/site/test_browser.py", "-k", "test_page_in_browser and faq and not en/")
    assert "docs/faq.md (/faq/):" in log
    assert "diagram 1: Mermaid drew nothing" in log and "Parse error on line" in log
    assert 'TeX error "Undefined control sequence \\undefinedmacro" in \\frac{1}{\\undefinedmacro}' in log
    assert "request outside the site: https://cdn.example.com/lib.js" in log


def test_scaffolded_page_passes(project):
    subprocess.run(
        [sys.executable, "-m", "tools.scaffold", "autograd/checkpointing", "梯度检查点", "Gradient checkpointing"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/site/test_pages.py",
            "tests/site/test_build.py::test_strict_build_passes",
            "tests/snippets/test_snippets.py::test_snippet[cpu-autograd/checkpointing.py]",
            "tests/snippets/test_page_code.py::test_no_hidden_code[autograd/checkpointing.md]",
            "tests/snippets/test_page_code.py::test_page_code_runs[cpu-autograd/checkpointing.md]",
            "tests/snippets/test_devices.py::test_snippet_uses_the_device_under_test[autograd/checkpointing.py]",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert (project / "docs/autograd/checkpointing.en.md").exists()
