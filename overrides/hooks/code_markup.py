"""Drop the syntax-highlighting spans that change nothing on screen.

Pygments wraps every name in <span class="n"> and runs of whitespace in <span class="w">.
Material colours names with --md-code-hl-name-color, which it defines as the code block's own
colour (--md-code-fg-color), and gives whitespace no style, so both spans show exactly as their
bare text. Names are the commonest token, so this is about a quarter of a code block's markup.
tests/site/test_build.py checks that Material still defines the name colour that way.
"""

import re

INVISIBLE = re.compile(r'<span class="[nw]">([^<]*)</span>')


def on_post_page(output, page, config, **kwargs):
    return INVISIBLE.sub(r"\1", output)
