"""Every chapter ends with an exercises page: three kinds of exercise, and every solution is code the suite runs.

An exercise is an h2 whose id starts with its kind (``## 预测输出：… { #predict-… }``), the same id in both
languages: ``predict-`` (predict the output), ``fix-`` (fix the bug), ``derive-`` or ``explain-``
(derive or explain). Its solution is a collapsed block, ``??? success "答案"`` (``"Solution"`` in English),
whose indented body includes a section of the chapter's ``snippets/<chapter>/exercises.py``. That
snippet runs in the suite like every other, so a wrong solution fails it; that the broken code of a
"fix the bug" exercise fails as the page says is its recorded output, compared by the same tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tools import config, pages

KINDS = {"predict": "predict", "fix": "fix", "derive": "derive", "explain": "derive"}  # id prefix -> kind
SOLUTION_TITLE = {"zh": "答案", "en": "Solution"}
SOLUTION = re.compile(r'^\?\?\?\+?\s+success\s+"([^"]*)"\s*$')
H2 = re.compile(r"^##\s+(.*?)\s*\{\s*#([\w-]+)\s*\}\s*$")


def chapters() -> dict[str, list[str]]:
    """Chapter folder -> its pages in nav order (the chapter notebooks left out)."""
    found: dict[str, list[str]] = {}
    for _, _, path in config.nav_entries():
        folder, _, name = path.partition("/")
        if name and path.endswith(".md"):
            found.setdefault(folder, []).append(path)
    return found


CHAPTERS = chapters()


@dataclass
class Exercise:
    line: int
    id: str
    kind: str
    solutions: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (line, title, includes)


def exercises(page: Path) -> list[Exercise]:
    """The page's exercises, each with its solution blocks and the includes inside them."""
    found: list[Exercise] = []
    block = None  # (line, title, includes) of the solution block being read
    for number, line, fence in pages.scan(page):
        if block is not None and line.strip() and not line.startswith((" ", "\t")) and fence is None:
            block = None  # an unindented line ends the block
        if fence is None and (m := H2.match(line)):
            prefix = m.group(2).split("-")[0]
            found.append(Exercise(number, m.group(2), KINDS.get(prefix, "")))
            continue
        if fence is None and (m := SOLUTION.match(line)):
            block = (number, m.group(1), [])
            if found:
                found[-1].solutions.append(block)
            continue
        if block is not None and (m := pages.INCLUDE.search(line)):
            block[2].append(m.group(1))
    return found


def _lang(page: Path) -> str:
    return "en" if page.name.endswith(".en.md") else "zh"


EXERCISE_PAGES = [
    pages.DOCS / f"{chapter}/exercises{suffix}.md"
    for chapter in CHAPTERS
    for suffix in ("", ".en")
    if (pages.DOCS / f"{chapter}/exercises.md").exists()
]


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_every_chapter_ends_with_exercises(chapter):
    last = CHAPTERS[chapter][-1]
    assert last == f"{chapter}/exercises.md", (
        f"mkdocs.yml: the chapter '{chapter}' ends with {last}; every chapter ends with its exercises page, "
        f'{chapter}/exercises.md (start it with `python -m tools.scaffold {chapter}/exercises "练习" "Exercises"`)'
    )


@pytest.mark.parametrize("page", EXERCISE_PAGES, ids=pages.rel)
def test_exercises_of_every_kind(page):
    found = exercises(page)
    unknown = [e for e in found if not e.kind]
    assert not unknown, "\n".join(
        f"{pages.rel(page)}:{e.line}: '#{e.id}' is not an exercise id; start it with its kind: "
        f"{', '.join(p + '-' for p in KINDS)}"
        for e in unknown
    )
    assert len(found) >= 3, f"{pages.rel(page)}: {len(found)} exercises; a chapter has at least three"
    missing = sorted(set(KINDS.values()) - {e.kind for e in found})
    assert not missing, f"{pages.rel(page)}: no exercise of the kind(s) {missing}; each page has one of every kind"


@pytest.mark.parametrize("page", EXERCISE_PAGES, ids=pages.rel)
def test_every_solution_is_tested_code(page):
    chapter = page.parent.name
    snippet = f"snippets/{chapter}/exercises.py:"
    title = SOLUTION_TITLE[_lang(page)]
    problems = []
    for e in exercises(page):
        if not e.solutions:
            problems.append(f'{pages.rel(page)}:{e.line}: exercise #{e.id} has no `??? success "{title}"` block')
        for line, found_title, includes in e.solutions:
            if found_title != title:
                problems.append(
                    f'{pages.rel(page)}:{line}: the solution block is titled "{found_title}", not "{title}"'
                )
            if not any(i.startswith(snippet) for i in includes):
                problems.append(
                    f"{pages.rel(page)}:{line}: the solution of #{e.id} includes no section of {snippet[:-1]}; "
                    "every solution is a snippet section that the suite runs (indent the include inside the block)"
                )
    assert not problems, "\n".join(problems)


def test_the_parser_sees_solution_blocks(tmp_path):
    """A block ends at the first unindented line: an include after it is not part of the solution."""
    page = tmp_path / "exercises.md"
    page.write_text(
        "# T { #t }\n\n## A { #predict-a }\n\n"
        '??? success "答案"\n\n    ```python\n    --8<-- "snippets/x/exercises.py:a"\n    ```\n\n'
        'After.\n\n```text\n--8<-- "snippets/x/exercises.out:b"\n```\n',
        encoding="utf-8",
    )
    (exercise,) = exercises(page)
    assert exercise.kind == "predict"
    assert exercise.solutions == [(5, "答案", ["snippets/x/exercises.py:a"])]
