"""Chinese pages use the glossary's terms: no rejected variant (docs/glossary.md, column 不要写作) in prose.

Prose is every line outside code fences and blockquotes, without inline code, URLs and footnote labels. A
variant inside an accepted term is that term (the eager in "eager 模式", the Dynamo in "TorchDynamo").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tools import pages

GLOSSARY = pages.DOCS / "glossary.md"
GLOSSARY_EN = pages.DOCS / "glossary.en.md"
REJECTED_ZH = "不要写作"
REJECTED_EN = "Rejected variants (zh)"

# What is not prose: inline code, link and image targets, footnote labels ([^name]), attribute lists such as
# { #id }, bare URLs.
NOT_PROSE = re.compile(r"(`+).*?\1|\]\([^)]*\)|\[\^[^\]]*\]|\{[^}]*\}|https?://\S+")


@dataclass(frozen=True)
class Term:
    line: int
    accepted: tuple[str, ...]  # the glossary's first column, split at " / " and the full-width brackets
    rejected: tuple[str, ...]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in cell.replace("（", " / ").replace("）", "").split(" / ") if t.strip())


def glossary_terms(page=GLOSSARY, column=REJECTED_ZH) -> list[Term]:
    """Every row of every table in the glossary: accepted renderings and rejected variants."""
    terms, rejected_at = [], None
    for number, line, fence in pages.scan(page):
        if fence or not line.startswith("|"):
            if fence or not line.strip():
                rejected_at = None  # a blank line or a code fence ends the table
            continue
        cells = _cells(line)
        if cells[0] == "中文":  # a table's header row says where the rejected variants are
            rejected_at = cells.index(column) if column in cells else None
            continue
        if set(cells[0]) <= set("-: "):
            continue
        assert rejected_at is not None, f"{pages.rel(page)}:{number}: table has no column '{column}'"
        rejected = tuple(v.strip() for v in cells[rejected_at].split(" / ") if v.strip())
        terms.append(Term(number, _split(cells[0]), rejected))
    return terms


def _blank_columns(text: str, line: str, columns: list[int]) -> str:
    """Blank the given table columns (0 = first) of `text`, a copy of `line` with the same length."""
    bars = [i for i, c in enumerate(line) if c == "|"]
    for column in columns:
        if column + 1 < len(bars):
            start, end = bars[column] + 1, bars[column + 1]
            text = text[:start] + " " * (end - start) + text[end:]
    return text


def _prose(page):
    """(line number, text) for every line of Chinese prose, with what is not prose blanked out.

    Skipped: code fences and blockquotes (on this site a blockquote quotes the original article, errata
    page, in its own words). Blanked (keeping columns): inline code, URLs, attribute lists; in the glossary,
    its English column and its rejected column (they list English terms and the variants on purpose).
    """
    skip_columns = []
    for number, line, fence in pages.scan(page):
        if fence is not None or line.lstrip().startswith(">"):
            continue
        text = NOT_PROSE.sub(lambda m: " " * len(m.group()), line)
        if page == GLOSSARY and line.startswith("|"):
            cells = _cells(line)
            if cells[0] == "中文":
                skip_columns = [i for i, c in enumerate(cells) if c in ("English", REJECTED_ZH)]
            text = _blank_columns(text, line, skip_columns)
        yield number, text


def _spans(text: str, word: str):
    """Where `word` occurs in `text`; a word that starts or ends with a Latin letter must not continue one."""
    for m in re.finditer(re.escape(word), text):
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if (word[0].isascii() and word[0].isalpha() and before.isascii() and before.isalnum()) or (
            word[-1].isascii() and word[-1].isalpha() and after.isascii() and after.isalnum()
        ):
            continue
        yield m.start(), m.end()


def violations(page, terms) -> list[str]:
    accepted = {a for t in terms for a in t.accepted}
    found = []
    for number, text in _prose(page):
        allowed = [s for a in accepted for s in _spans(text, a)]
        hits = []
        for term in terms:
            for variant in term.rejected:
                for start, end in _spans(text, variant):
                    # Inside an accepted term it is that term (the eager in "eager 模式"), not the variant.
                    if not any(a <= start and end <= b for a, b in allowed):
                        hits.append((start, end, variant, term))
        # Report the longest of overlapping variants once (符号化追踪, not also 追踪's variant inside it).
        for start, end, variant, term in hits:
            if any(s <= start and end <= e and (s, e) != (start, end) for s, e, _, _ in hits):
                continue
            found.append(
                f"{pages.rel(page)}:{number}:{start + 1}: '{variant}' is a rejected variant; write "
                f"'{' / '.join(term.accepted)}' (docs/glossary.md:{term.line})"
            )
    return found


def test_glossary_lists_rejected_variants():
    terms = glossary_terms()
    assert len(terms) >= 60, f"docs/glossary.md lists only {len(terms)} terms"
    accepted = {a: t for t in terms for a in t.accepted}
    problems = []
    for term in terms:
        for variant in term.rejected:
            if variant in accepted:
                problems.append(
                    f"docs/glossary.md:{term.line}: '{variant}' is rejected here but accepted at "
                    f"docs/glossary.md:{accepted[variant].line}"
                )
    assert not problems, "\n".join(problems)


def test_english_glossary_lists_the_same_terms():
    zh = [(t.accepted, t.rejected) for t in glossary_terms()]
    en = [(t.accepted, t.rejected) for t in glossary_terms(GLOSSARY_EN, REJECTED_EN)]
    assert en == zh, (
        "docs/glossary.en.md must list the same Chinese terms and rejected variants as docs/glossary.md, "
        f"in the same order; first difference: {next((z, e) for z, e in zip(zh + [None], en + [None]) if z != e)}"
    )


@pytest.mark.parametrize("page", pages.zh_pages(), ids=pages.rel)
def test_chinese_pages_use_glossary_terms(page):
    found = violations(page, glossary_terms())
    assert not found, "\n".join(found)
