"""Each way a pull request can break the docs, planted in a copy of the project, must fail with a clear message.

Every guard copies the project, plants defects, runs part of the real suite there, and checks that it fails
naming the file (and line where there is one) and saying how to fix it. The planted copies are independent,
so their suites run at the same time, as many as there are cores (tests/conftest.py starts the guard rails
first; they report only on a tree that the rest of the suite found sound).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tools import browser

pytestmark = pytest.mark.xdist_group("guard-rails")  # one worker plants them all and runs them at once
ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")  # a whole integer, not part of a name or a decimal
# The planted copy's suite is a run of its own, not a pytest-xdist worker of this one; it plants no copies itself.
IN_A_COPY = "GUARD_RAILS_COPY"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
ENV |= {"NO_MKDOCS_2_WARNING": "1", IN_A_COPY: "1", "PRINT_PAGES": "false"}  # no guard reads the print pages


def _skip(folder, names):
    """Leave out version control, caches and build outputs (top-level build/ and site/ only)."""
    skip = {".git", "__pycache__", ".pytest_cache"}
    if Path(folder) == ROOT:
        skip |= {"build", "site"}
    # .coverage.<host>.pid<n>.<random>: the workers of this run write and merge them while the copies are made
    return [n for n in names if n in skip or n.startswith(".coverage")]


@dataclass
class Planted:
    """A copy of the project with defects in it, the part of the suite to run there, and what to expect."""

    args: list[str]
    facts: dict = field(default_factory=dict)  # line numbers and texts the messages must name


PLANTERS = {}


def planter(function):
    """Register how a guard plants its defects; the guard tests that name it check the outcome."""
    PLANTERS[function.__name__.removeprefix("plant_")] = function
    return function


def users(name: str) -> set[str]:
    """The guard tests that read a planted copy (its own test, or those that share one build)."""
    return SHARED.get(name, {name})


NOT_OURS = ["-p", "no:hypothesispytest", "-p", "no:benchmark"]  # as in pyproject.toml's addopts


def run_suite(project: Path, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", *NOT_OURS, "-q", *args],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _skip_if_the_tree_fails(session):
    from tests.conftest import failures_elsewhere

    if session.testsfailed or failures_elsewhere():
        pytest.skip(
            "tests of the suite failed on the tree itself; the guard rails plant defects in a copy of a sound "
            "tree, so they report nothing until those failures are fixed"
        )


@pytest.fixture(scope="session")
def guard_runs(request, tmp_path_factory):
    """Plant every guard's defects in its own copy and start all their suites at once.

    They start first in the run (tests/conftest.py), without waiting for the site's own build: that build and
    the copies' suites then share the cores from the start. Each guard waits for that build, and for its own
    suite, before it reports: nothing, if the tree itself fails.
    """
    from tests.conftest import shared_folder

    if os.environ.get(IN_A_COPY):
        pytest.skip("this run is a guard rail's planted copy; the guard rails run in the project itself")
    _skip_if_the_tree_fails(request.session)
    selected = {getattr(item, "originalname", "").removeprefix("test_") for item in request.session.items}
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    runs = {}
    for name, plant in PLANTERS.items():
        if not users(name) & selected:
            continue
        project = tmp_path_factory.mktemp(name) / "project"
        shutil.copytree(ROOT, project, ignore=_skip)
        planted = plant(project)
        runs[name] = (project, planted, pool.submit(run_suite, project, planted.args), request.session)
    yield runs, shared_folder(request, tmp_path_factory)
    pool.shutdown(cancel_futures=True)


def outcome(guard_runs, name: str) -> tuple[Path, dict, str, int]:
    from tests.conftest import build_site

    runs, shared = guard_runs
    project, planted, future, session = runs[name]
    if build_site(shared)["proc"].returncode:  # a copy of a tree that does not build fails for its own reasons
        pytest.skip("the site itself does not build (see test_strict_build_passes); the guard rails wait for that")
    proc = future.result()
    _skip_if_the_tree_fails(session)
    return project, planted.facts, proc.stdout + proc.stderr, proc.returncode


def failed_log(guard_runs, name: str) -> tuple[dict, str]:
    _, facts, log, code = outcome(guard_runs, name)
    assert code != 0, f"the suite passed despite the planted defects:\n{log[-3000:]}"
    return facts, log


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


def drift(path: Path) -> tuple[int, str, str]:
    """Change the first recorded number in a .out file; return its line, the old line and the new one."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if not line.startswith(("#", "--8<--")) and NUMBER.search(line))
    old = lines[number].rstrip("\n")
    new = NUMBER.sub(lambda m: str(int(m.group()) + 1), old, count=1)
    lines[number] = new + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return number + 1, old, new


# Defects that need no build share one copy and one run of the suite: each guard below reads its own
# messages in that run's log. (A copy and a run of pytest cost seconds of CPU each.)
WITHOUT_A_BUILD = "snippet_page_and_code_defects"


@planter
def plant_snippet_page_and_code_defects(project):
    parts = [plant_snippet_that_raises_and_drifted_output(project), plant_page_structure_defects(project)]
    parts.append(plant_hidden_line_in_a_snippet(project))  # after the line planted above it in the same file
    return Planted(
        [arg for part in parts for arg in part.args], {k: v for part in parts for k, v in part.facts.items()}
    )


def plant_snippet_that_raises_and_drifted_output(project):
    line = 1 + edit(
        project / "snippets/autograd/basics.py",
        "# --8<-- [start:leaf]\n",
        "# --8<-- [start:leaf]\nraise ValueError('planted')\n",
    )
    out_line, old, new = drift(project / "snippets/autograd/control_flow.out")
    args = [
        f"tests/snippets/test_snippets.py::test_snippet[cpu-autograd/{name}.py]" for name in ("basics", "control_flow")
    ]
    return Planted(args, dict(line=line, out_line=out_line, old=old, new=new))


def test_snippet_that_raises_and_drifted_output(guard_runs):
    facts, log = failed_log(guard_runs, WITHOUT_A_BUILD)
    assert f"snippets/autograd/basics.py:{facts['line']}: snippet raised ValueError: planted" in log
    assert (
        f"snippets/autograd/control_flow.out:{facts['out_line']}: output of snippets/autograd/control_flow.py drifted"
        in log
    )
    assert "re-record with `pytest tests/snippets --update-outputs`" in log
    assert f"-{facts['new']}" in log and f"+{facts['old']}" in log  # a readable diff


def plant_page_structure_defects(project):
    (project / "docs/summary.en.md").unlink()
    id_line = edit(project / "docs/faq.en.md", "{ #q-eval }", "{ #q-eval-mode }")
    fence_line = append(project / "docs/glossary.md", '```python\nprint("typed into the page")\n```\n')
    (project / "snippets/autograd/orphan.py").write_text("print('nobody shows me')\n", encoding="utf-8")
    return Planted(["tests/site/test_pages.py"], dict(id_line=id_line, fence_line=fence_line))


def test_page_structure_defects(guard_runs):
    facts, log = failed_log(guard_runs, WITHOUT_A_BUILD)
    assert "docs/summary.md:1: has no twin docs/summary.en.md" in log
    assert f"heading id 'q-eval' differs from docs/faq.en.md:{facts['id_line']}: 'q-eval-mode'" in log
    assert f"docs/glossary.md:{facts['fence_line']}: python code typed into the page; move it to snippets/" in log
    assert "snippets/autograd/orphan.py: no page includes this snippet" in log
    assert "docs/glossary.md changed but its twin docs/glossary.en.md did not" in log


@planter
def plant_broken_link_anchor_and_image_are_the_first_and_only_failure(project):
    link = append(project / "docs/errata.md", "[坏链接](no-such-page.md)\n")
    anchor = append(project / "docs/faq.en.md", "[bad anchor](glossary.md#no-such-anchor)\n")
    image = append(project / "docs/glossary.md", "![缺失的图](figures/no-such.png)\n")
    return Planted(["-x", "tests"], dict(link=link, anchor=anchor, image=image))


def test_broken_link_anchor_and_image_are_the_first_and_only_failure(guard_runs):
    """One defect, one failure that names it: `pytest -x` stops at the strict build, which names file and line."""
    facts, log = failed_log(guard_runs, "broken_link_anchor_and_image_are_the_first_and_only_failure")
    first = log[log.index("___") :]  # pytest's report of the first failure
    assert "test_strict_build_passes" in first.splitlines()[0], first[:400]
    assert f"docs/errata.md:{facts['link']}: link 'no-such-page.md': " in first
    assert f"docs/faq.en.md:{facts['anchor']}: link 'glossary.md#no-such-anchor': " in first
    assert f"docs/glossary.md:{facts['image']}: link 'figures/no-such.png': " in first
    assert "Fix: " in first
    assert "1 failed" in log and "stopping after 1 failures" in log


def plant_hidden_line_in_a_snippet(project):
    line = append(project / "snippets/autograd/basics.py", "print('the page never shows me')\n")
    return Planted(["tests/snippets/test_page_code.py::test_no_hidden_code"], dict(hidden_line=line))


def test_hidden_line_in_a_snippet(guard_runs):
    facts, log = failed_log(guard_runs, WITHOUT_A_BUILD)
    hidden = f"snippets/autograd/basics.py:{facts['hidden_line']}: runs but is hidden from docs/autograd/basics.md"
    assert hidden in log
    assert "move it into a section the page shows" in log


# A scaffolded page and outside scripts, Mermaid and TeX errors in other pages share one copy and one build:
# the scaffolded page's tests must pass while exactly the two planted checks fail.
SCAFFOLD_AND_ASSETS = "scaffold_and_outside_assets"
SHARED = {
    SCAFFOLD_AND_ASSETS: {"scaffolded_page_passes", "outside_scripts_mermaid_and_tex_errors"},
    WITHOUT_A_BUILD: {"snippet_that_raises_and_drifted_output", "page_structure_defects", "hidden_line_in_a_snippet"},
}
PLANTED_FAILURES = [
    "tests/site/test_build.py::test_no_asset_from_outside_the_site",
    "tests/site/test_browser.py::test_page_in_browser[faq/]",
    "tests/site/test_pages.py::test_translations_reviewed_together",  # the planted lines changed the faq pair
]


@planter
def plant_scaffold_and_outside_assets(project):
    subprocess.run(
        [sys.executable, "-m", "tools.scaffold", "autograd/checkpointing", "梯度检查点", "Gradient checkpointing"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    )
    append(
        project / "docs/faq.md",
        "```mermaid\nflowchart LR\n  A -->\n```\n\n\\(\\frac{1}{\\undefinedmacro}\\)\n\n"
        '<script src="https://cdn.example.com/lib.js"></script>\n',
    )
    append(project / "docs/faq.en.md", '<script src="https://cdn.example.com/en.js"></script>\n')
    edit(
        project / "overrides/main.html",
        "{% block scripts %}",
        '{% block scripts %}\n  <script src="https://cdn.example.com/x.js"></script>',
    )
    return Planted(
        [
            "-rA",  # every outcome in the summary, so each guard can read its own
            "tests/site/test_pages.py",
            "tests/site/test_build.py::test_strict_build_passes",
            "tests/snippets/test_snippets.py::test_snippet[cpu-autograd/checkpointing.py]",
            "tests/snippets/test_page_code.py::test_no_hidden_code[autograd/checkpointing.md]",
            "tests/snippets/test_page_code.py::test_page_code_runs[cpu-autograd/checkpointing.md]",
            "tests/snippets/test_devices.py::test_snippet_uses_the_device_under_test[autograd/checkpointing.py]",
            *PLANTED_FAILURES,
        ]
    )


@pytest.mark.browser
def test_outside_scripts_mermaid_and_tex_errors(guard_runs):
    """Scripts from outside in a page and in a template, a Mermaid and a TeX error: each named where it is."""
    if browser.find_chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no Chromium; under CI=true the browser guard rails must run")
        pytest.skip("no Chromium found")
    _, log = failed_log(guard_runs, SCAFFOLD_AND_ASSETS)
    assert "docs/faq.en.md (built page en/faq/index.html:" in log and "https://cdn.example.com/en.js" in log
    assert "docs/index.md (built page index.html:" in log and "https://cdn.example.com/x.js" in log
    assert "docs/faq.md (/faq/):" in log
    assert "diagram 1: Mermaid drew nothing" in log and "Parse error on line" in log
    assert 'TeX error "Undefined control sequence \\undefinedmacro" in \\frac{1}{\\undefinedmacro}' in log
    assert "request outside the site: https://cdn.example.com/lib.js" in log


def test_scaffolded_page_passes(guard_runs):
    """The scaffold's page pair passes every check it meets; only the two planted defects elsewhere fail."""
    project, _, log, _ = outcome(guard_runs, SCAFFOLD_AND_ASSETS)
    failed = sorted(line.split()[1] for line in log.splitlines() if line.startswith(("FAILED ", "ERROR ")))
    assert failed == sorted(PLANTED_FAILURES), log[-4000:]
    assert "PASSED tests/site/test_build.py::test_strict_build_passes" in log, log[-4000:]
    assert "PASSED tests/snippets/test_page_code.py::test_page_code_runs[cpu-autograd/checkpointing.md]" in log
    assert (project / "docs/autograd/checkpointing.en.md").exists()
