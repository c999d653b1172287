"""Drop the syntax-highlighting spans that change nothing on screen, and on notebook pages a few more.

Pygments wraps every name in <span class="n"> and runs of whitespace in <span class="w">.
Material colours names with --md-code-hl-name-color, which it defines as the code block's own
colour (--md-code-fg-color), and gives whitespace no style, so both spans show exactly as their
bare text. Names are the commonest token, so this is about a quarter of a code block's markup.
tests/site/test_build.py checks that Material still defines the name colour that way.

Notebook pages also lose the spans of punctuation and operators (class p and o), which Material
shows in a lighter grey: there they keep the code's own colour. A chapter notebook holds a whole
chapter's code, and these spans alone would take the largest one past 300 KB.
"""

import re

INVISIBLE = re.compile(r'<span class="[nw]">([^<]*)</span>')
INVISIBLE_IN_NOTEBOOKS = re.compile(r'<span class="[nwop]">([^<]*)</span>')


def on_post_page(output, page, config, **kwargs):
    spans = INVISIBLE_IN_NOTEBOOKS if page.file.src_uri.endswith(".ipynb") else INVISIBLE
    return spans.sub(r"\1", output)
