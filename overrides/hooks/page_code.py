"""Offer each page's code as one .py file: every block the page shows, in page order.

tools/pagecode.py assembles the program (the tests run exactly that program and compare what it
prints with the page); this hook writes it next to the page (/autograd/basics/basics.py) and puts a
download link under the page's title. A raw <a> because MkDocs would check a Markdown link against
the documentation files, and the .py file is not one of them.
"""

import sys
from pathlib import Path

LINK = {
    "zh": '<p class="page-code"><a href="{name}" download>下载本页全部代码（{name}）</a>：'
    "本页所有代码块按页面顺序组成的完整程序，用 <code>python {name}</code> 运行。</p>",
    "en": '<p class="page-code"><a href="{name}" download>Download all the code on this page ({name})</a>: '
    "every code block of the page, in page order, as one program; run it with <code>python {name}</code>.</p>",
}


def _pagecode(config):
    root = str(Path(config.config_file_path).parent)
    if root not in sys.path:  # `mkdocs serve` does not put the project on the path
        sys.path.insert(0, root)
    from tools import pagecode

    return pagecode


def on_page_markdown(markdown, page, config, **kwargs):
    if not page.file.src_uri.endswith(".md"):
        return markdown
    pagecode = _pagecode(config)
    source = Path(page.file.abs_src_path)
    if not pagecode.program(source):
        return markdown
    lines = markdown.split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    link = LINK[config.theme["language"]].format(name=pagecode.program_name(source))
    lines[title + 1 : title + 1] = ["", link]
    return "\n".join(lines)


def on_post_page(output, page, config, **kwargs):
    if page.file.src_uri.endswith(".md"):
        pagecode = _pagecode(config)
        source = Path(page.file.abs_src_path)
        program = pagecode.program(source)
        if program:
            target = Path(config.site_dir) / page.url / pagecode.program_name(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(program, encoding="utf-8")
    return output
