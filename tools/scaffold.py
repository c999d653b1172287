"""Start a new page pair from a passing state.

    python -m tools.scaffold autograd/checkpointing "梯度检查点" "Gradient checkpointing"

creates snippets/autograd/checkpointing.py (one section, recorded), docs/autograd/checkpointing.md and
.en.md (same heading ids, same includes, the "last verified" note), adds the page to mkdocs.yml's nav
with its English title, and marks the pair as reviewed. Edit from there; `pytest` stays green.
"""

from __future__ import annotations

import argparse
import re
import sys

from tools import pages, translations
from tools import recording

SNIPPET = '''"""{en_title}."""

import torch

# --8<-- [start:example]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x**2).sum()
y.backward()
print(x.grad)  # dy/dx = 2x
# --8<-- [end:example]
'''

PAGE = """# {title} {{ #{slug} }}

{lead}

## {example} {{ #example }}

```python title="snippets/{name}.py"
--8<-- "snippets/{name}.py:example"
```

```text title="{output}"
--8<-- "snippets/{name}.out:example"
```

!!! info "{verified}"
    {recorded}
    --8<-- "snippets/{name}.out:verified"
"""


def scaffold(name: str, zh_title: str, en_title: str) -> list[str]:
    chapter, _, page = name.partition("/")
    if not (chapter.isidentifier() and page.isidentifier()):
        raise SystemExit(f"{name!r}: use <chapter>/<page>, both Python identifiers (e.g. autograd/checkpointing)")
    snippet = recording.SNIPPETS / chapter / f"{page}.py"
    zh, en = pages.DOCS / chapter / f"{page}.md", pages.DOCS / chapter / f"{page}.en.md"
    for path in (snippet, zh, en):
        if path.exists():
            raise SystemExit(f"{pages.rel(path)} already exists")

    snippet.parent.mkdir(parents=True, exist_ok=True)
    (snippet.parent / "__init__.py").touch()
    snippet.write_text(SNIPPET.format(en_title=en_title), encoding="utf-8")
    recording.update(snippet, recording.run(snippet))

    zh.parent.mkdir(parents=True, exist_ok=True)
    slug = page.replace("_", "-")
    words = {
        zh: dict(title=zh_title, lead="（在这里写本页的导语。）", example="示例", output="输出", verified="最后验证",
                 recorded=f"`snippets/{name}.py` 的输出录制环境："),
        en: dict(title=en_title, lead="(Write the page's introduction here.)", example="Example", output="Output",
                 verified="Last verified", recorded=f"Output of `snippets/{name}.py` recorded with"),
    }  # fmt: skip
    for path, text in words.items():
        path.write_text(PAGE.format(slug=slug, name=name, **text), encoding="utf-8")
    add_to_nav(chapter, f"{chapter}/{page}.md", zh_title, en_title)
    translations.mark_reviewed([pages.rel(zh)])
    return [pages.rel(p) for p in (snippet, recording.output_path(snippet), zh, en)] + ["mkdocs.yml"]


def add_to_nav(chapter: str, target: str, zh_title: str, en_title: str) -> None:
    """Insert the page after the chapter's last page in nav (or as a new tab), and its English title."""
    config = pages.ROOT / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    nav = lines.index("nav:")
    in_chapter = [i for i in range(nav, len(lines)) if re.search(rf":\s+{re.escape(chapter)}/\S+\.md\s*$", lines[i])]
    if in_chapter:
        last = in_chapter[-1]
        indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
        lines.insert(last + 1, f"{indent}- {zh_title}: {target}")
    else:
        lines[nav + 1 :] = lines[nav + 1 :] + [f"  - {zh_title}:", f"      - {zh_title}: {target}"]
    where = next(i for i, line in enumerate(lines) if line.strip() == "nav_translations:")
    indent = " " * (len(lines[where]) - len(lines[where].lstrip()) + 2)
    lines.insert(where + 1, f"{indent}{zh_title}: {en_title}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="<chapter>/<page>, e.g. autograd/checkpointing")
    parser.add_argument("zh_title")
    parser.add_argument("en_title")
    args = parser.parse_args()
    created = scaffold(args.name, args.zh_title, args.en_title)
    print("created or changed:\n  " + "\n  ".join(created), file=sys.stderr)
