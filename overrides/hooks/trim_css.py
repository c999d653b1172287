"""Drop the rules of Material's stylesheets that no page of this site can use.

Material ships one stylesheet for every feature it has (blog, versions, cookie consent,
keyboard keys, ...), about 135 KB, and one with every colour palette: together the largest
part of a plain page. After each build, this keeps a selector only if it can match:

- every class it requires appears in the built pages or in the site's scripts, which add
  classes at run time (Material's bundle builds a few as `prefix--${name}`, so a word
  ending in "-" counts as a prefix);
- every exact attribute match ([data-md-color-primary=red]) is an attribute of some page,
  or its value appears in the scripts, which may set it.

What sits inside :not(), :is(), :where() and :has() is not required, so those selectors
are kept. The approach is PurgeCSS's, over Material's two stylesheets.
"""

import re
from pathlib import Path
from typing import NamedTuple

import tinycss2

WORD = re.compile(r"[A-Za-z_][\w-]*")
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
HTML_ATTRIBUTE = re.compile(r'([\w-]+)="([\w-]+)"')
OPTIONAL = re.compile(r":(?:not|is|where|has)\((?:[^()]|\([^()]*\))*\)")
ATTRIBUTE = re.compile(r"\[[^\]]*\]")  # [href$=".pdf"] names no class
EXACT = re.compile(r"""\[([\w-]+)=["']?([\w-]+)["']?\]""")


class Used(NamedTuple):
    words: set  # in pages and scripts
    prefixes: tuple  # words ending in "-"
    attributes: set  # "name=value" of the pages' attributes
    script_words: set


def used_in(site_dir: Path) -> Used:
    pages, scripts = set(), set()
    attributes = set()
    for path in [*site_dir.rglob("*.html"), *site_dir.rglob("*.js")]:
        if "vendor" in path.relative_to(site_dir).parts:
            continue  # Mermaid and MathJax draw in their own markup, with their own styles
        text = path.read_text(encoding="utf-8", errors="ignore")
        (pages if path.suffix == ".html" else scripts).update(WORD.findall(text))
        if path.suffix == ".html":
            attributes.update(f"{name}={value}" for name, value in HTML_ATTRIBUTE.findall(text))
    words = pages | scripts
    return Used(words, tuple(w for w in words if w.endswith("-")), attributes, scripts)


def _selectors(prelude):
    """A selector list split at its top-level commas (commas inside :is(...) stay put)."""
    parts, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append(current)
            current = []
        else:
            current.append(token)
    return [*parts, current]


def _can_match(selector: str, used: Used) -> bool:
    selector = OPTIONAL.sub("", selector)
    classes = CLASS.findall(ATTRIBUTE.sub("", selector))
    return all(c in used.words or c.startswith(used.prefixes) for c in classes) and all(
        f"{name}={value}" in used.attributes or value in used.script_words for name, value in EXACT.findall(selector)
    )


def _trim(rules, used):
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [tinycss2.serialize(s).strip() for s in _selectors(rule.prelude)]
            kept = [s for s in selectors if _can_match(s, used)]
            if kept:
                out.append(",".join(kept) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports"):
            inner = _trim(tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True), used)
            if inner:
                out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
        else:
            out.append(tinycss2.serialize([rule]))
    return out


def trim(css: str, used) -> str:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "".join(_trim(rules, used))


def on_post_build(config, **kwargs):
    site_dir = Path(config["site_dir"])
    used = used_in(site_dir)
    for path in (site_dir / "assets" / "stylesheets").glob("*.min.css"):
        path.write_text(trim(path.read_text(encoding="utf-8"), used), encoding="utf-8")
