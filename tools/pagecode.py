"""The code a page shows, as one program: what a reader gets by copying every block in page order.

    python -m tools.pagecode docs/autograd/basics.md          # print the page's program
    python -m tools.pagecode docs/autograd/basics.md --check  # run it and compare with the page's outputs

A page shows named sections of snippets (``--8<-- "snippets/x.py:name"``) and, below them, the
sections of the recorded output (``--8<-- "snippets/x.out:name"``). The page's program is the
shown code sections, in page order, dedented as the page shows them; the site offers it as a
download on the page, and the tests run it in a fresh interpreter and compare what it prints with
the shown outputs, in page order. Lines of a snippet that no page shows would make the page's
code look proven when it is not, so they are reported (``hidden_lines``).
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from tools import pages, recording

HEADER = (
    "# The code of {url}, every block in page order.\n"
    "# Generated from {sources} (python -m tools.pagecode); run it with: python {name}\n"
)


@dataclass(frozen=True)
class Shown:
    line: int  # where the page includes it
    path: Path  # snippets/....py or .out
    section: str

    @property
    def label(self) -> str:
        return f"{pages.rel(self.path)}:{self.section}"


def shown(page: Path) -> tuple[list[Shown], list[Shown]]:
    """The code sections and the output sections a page includes, in page order."""
    code, output = [], []
    for found in pages.includes(page):
        target, _, section = found.value.partition(":")
        if not target.startswith("snippets/") or section == "verified":
            continue
        item = Shown(found.line, pages.ROOT / target, section)
        if target.endswith(".py"):
            if not section:
                raise ValueError(f"{pages.rel(page)}:{found.line}: include a named section, not the whole file")
            code.append(item)
        elif target.endswith(".out"):
            output.append(item)
    return code, output


def section_text(path: Path, section: str) -> str:
    """A section's lines, dedented as pymdownx.snippets shows them (dedent_subsections)."""
    lines, inside, found = [], False, False
    for line in path.read_text(encoding="utf-8").splitlines():
        m = recording.MARKER.search(line)
        if m and m.group(2) == section:
            inside, found = m.group(1) == "start", True
        elif inside:
            lines.append(line)
    if not found:
        raise ValueError(f"{pages.rel(path)}: no section '{section}'")
    return textwrap.dedent("\n".join(lines)).strip("\n")


def url_of(page: Path) -> str:
    rel = page.relative_to(pages.DOCS).as_posix().removesuffix(".en.md").removesuffix(".md")
    return "the page " + ("/" if rel == "index" else f"/{rel}/")


def program_name(page: Path) -> str:
    return page.name.removesuffix(".en.md").removesuffix(".md") + ".py"


def program(page: Path) -> str:
    """The page's code as one file: a two-line header, then every shown block, in page order."""
    code, _ = shown(page)
    if not code:
        return ""
    sources = ", ".join(dict.fromkeys(pages.rel(c.path) for c in code))
    head = HEADER.format(url=url_of(page), sources=sources, name=program_name(page))
    return head + "\n" + "\n\n".join(section_text(c.path, c.section) for c in code) + "\n"


# What a program can read about how it was started: a snippet run as a module and the same lines run as a
# page's script differ in these, so a snippet that reads them is never taken for the page's program.
HOW_IT_WAS_STARTED = {"__file__", "__name__", "__spec__", "__package__", "__loader__"}


def snippet_itself(page: Path) -> Path | None:
    """The snippet whose code the page's program is, line for line; None when the page shows anything else.

    A page that shows every section of one snippet, in the snippet's order, each as it stands (not indented),
    with nothing hidden, runs exactly the code that ``tests/snippets/test_snippets.py`` runs (in its own
    module namespace) and compares with the recording the page shows: running it a second time would repeat
    that test's work. A snippet that imports from ``snippets`` or reads how it was started counts only as
    itself, never as a page's program.
    """
    code, _ = shown(page)
    if len({c.path for c in code}) != 1:
        return None
    path = code[0].path
    sections = list(dict.fromkeys(recording.sections_of(path).values()))
    if [c.section for c in code] != sections or hidden_lines(page):
        return None
    text = path.read_text(encoding="utf-8")
    if any(section_text(path, s) != _raw_section(text, s) for s in sections):
        return None
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name) and node.id in HOW_IT_WAS_STARTED:
            return None
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] == "snippets"):
            return None
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "snippets" for a in node.names):
            return None
    return path


def _raw_section(text: str, section: str) -> str:
    start, end = f"--8<-- [start:{section}]", f"--8<-- [end:{section}]"
    body = text[text.index(start) :].split("\n", 1)[1]
    return body[: body.index(end)].rsplit("\n", 1)[0].strip("\n")


def expected_output(page: Path) -> list[tuple[Shown, str]]:
    _, output = shown(page)
    return [(o, section_text(o.path, o.section)) for o in output]


def own_snippet(page: Path) -> Path:
    """The snippet a page is built on: docs/<chapter>/<page>.md (or .en.md) -> snippets/<chapter>/<page>.py."""
    rel = page.relative_to(pages.DOCS)
    return pages.ROOT / "snippets" / rel.parent / program_name(page)


def own_page(snippet: Path) -> Path:
    """The Chinese page a snippet belongs to (the inverse of own_snippet)."""
    return pages.DOCS / snippet.relative_to(pages.ROOT / "snippets").with_suffix(".md")


def hidden_lines(page: Path) -> list[str]:
    """Problems that hide code from the reader: executed lines outside the sections this page shows.

    A page may also show a section of another page's snippet (a helper defined there, such as the
    graph drawing of intro/concepts.md); the rest of that snippet is checked on its own page.
    """
    code, _ = shown(page)
    problems = []
    for path in dict.fromkeys(c.path for c in code):
        if path != own_snippet(page) and own_page(path).exists():
            continue  # a section borrowed from another page's snippet (a helper it defines): checked on that page
        wanted = {c.section for c in code if c.path == path}
        owner = recording.sections_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = tree.body[1:] if tree.body and isinstance(tree.body[0], ast.Expr) else tree.body  # docstring
        for statement in body:
            first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
            for number in range(first, statement.end_lineno + 1):
                section = owner.get(number)
                if section in wanted:
                    continue
                why = "outside every section" if section is None else f"in section '{section}', which the page omits"
                problems.append(
                    f"{pages.rel(path)}:{number}: runs but is hidden from {pages.rel(page)} ({why}); "
                    f"move it into a section the page shows (the setup section for imports and set-up), "
                    f"or include that section on the page"
                )
                break  # one message per statement
    return problems


def unshown_outputs(page: Path) -> list[str]:
    """Recorded output sections of the page's snippets that the page does not show."""
    code, output = shown(page)
    shown_out = {(o.path, o.section) for o in output}
    problems = []
    for c in code:
        out = recording.output_path(c.path)
        if out.exists() and f"[start:{c.section}]" in out.read_text(encoding="utf-8"):
            if (out, c.section) not in shown_out:
                problems.append(
                    f"{pages.rel(page)}:{c.line}: the block {c.label} prints, but the page does not show "
                    f'its output; add --8<-- "{pages.rel(out)}:{c.section}" below it'
                )
    return problems


def run(page: Path, device: str = "cpu", timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the page's program in a fresh interpreter, in a scratch folder (it may write figures)."""
    with tempfile.TemporaryDirectory(prefix="page-") as scratch:
        script = Path(scratch) / program_name(page)
        script.write_text(program(page), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "COV_"))}
        env["TORCH_DEVICE"] = device
        return subprocess.run(
            [sys.executable, script.name], cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout
        )


def check(page: Path, device: str = "cpu", proc: subprocess.CompletedProcess | None = None) -> None:
    """Raise with the first difference between what the page's program prints and what the page shows.

    ``proc`` is a finished ``run(page, device)``, for callers that run several pages at once.
    """
    proc = proc or run(page, device)
    if proc.returncode:
        raise recording.SnippetError(
            f"{pages.rel(page)}: the page's code, run in page order in a fresh Python "
            f"(`python -m tools.pagecode {pages.rel(page)}`), failed:\n{proc.stderr[-4000:]}"
        )
    got = recording.normalise(proc.stdout).splitlines()
    position = 0
    for item, text in expected_output(page):
        want = recording.normalise(text).splitlines()
        piece = got[position : position + len(want)]
        for offset, (expected, actual) in enumerate(zip(want, piece)):
            if not recording.same_line(expected, actual):
                raise recording.SnippetError(
                    f"{pages.rel(page)}:{item.line}: the page shows {item.label} line {offset + 1} as\n"
                    f"    {expected}\nbut the page's code, run in page order, printed\n    {actual}\n"
                    f"(numbers compared within {recording.TOLERANCE}). Run `python -m tools.pagecode "
                    f"{pages.rel(page)} --check`; if the new output is right, re-record with "
                    f"`{recording.UPDATE_COMMAND}`."
                )
        if len(piece) < len(want):
            raise recording.SnippetError(
                f"{pages.rel(page)}:{item.line}: the page shows {len(want)} lines of {item.label}, "
                f"but the page's code printed only {len(piece)} there"
            )
        position += len(want)
    if position < len(got):
        extra = "\n    ".join(got[position : position + 5])
        raise recording.SnippetError(
            f"{pages.rel(page)}: the page's code prints lines the page does not show:\n    {extra}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page", type=Path, help="docs/<chapter>/<page>.md")
    parser.add_argument("--check", action="store_true", help="run it and compare with the outputs the page shows")
    parser.add_argument("--device", default=os.environ.get("TORCH_DEVICE", "cpu"))
    args = parser.parse_args()
    page = args.page.resolve()
    if not args.check:
        print(program(page), end="")
        return
    problems = hidden_lines(page) + unshown_outputs(page)
    if problems:
        raise SystemExit("\n".join(problems))
    check(page, args.device)
    print(f"{pages.rel(page)}: the page's code runs in page order and prints what the page shows")


if __name__ == "__main__":
    main()
