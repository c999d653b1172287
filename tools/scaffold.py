"""Start a new page pair from a passing state.

    python -m tools.scaffold autograd/checkpointing "梯度检查点" "Gradient checkpointing"

creates snippets/autograd/checkpointing.py (a setup section and one example, recorded),
docs/autograd/checkpointing.md and .en.md (titles as their H1s, same heading ids, same includes, the
"last verified" note), adds the page to mkdocs.yml's nav after the chapter's last page (before its exercises
page, which ends the chapter), and marks the pair as reviewed. Edit from there; `pytest` stays green.
"""

from __future__ import annotations

import argparse
import sys

from tools import config, pages, recording, translations

SNIPPET = '''"""{en_title}."""

# --8<-- [start:setup]
import os

import torch

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))  # TORCH_DEVICE=cuda: run on a GPU
# --8<-- [end:setup]

# --8<-- [start:example]
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
y = (x**2).sum()
y.backward()
print(x.grad)  # dy/dx = 2x
# --8<-- [end:example]
'''

PAGE = """# {title} {{ #{slug} }}

{lead}

{setup}

```python title="snippets/{name}.py"
--8<-- "snippets/{name}.py:setup"
```

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
                 recorded=f"`snippets/{name}.py` 的输出录制环境：",
                 setup="本页的代码按顺序组成一个完整的程序。先导入并选择设备"
                       "（设置环境变量 `TORCH_DEVICE=cuda` 即在 GPU 上运行）："),
        en: dict(title=en_title, lead="(Write the page's introduction here.)", example="Example", output="Output",
                 verified="Last verified", recorded=f"Output of `snippets/{name}.py` recorded with",
                 setup="The code on this page, in order, is one complete program. First the imports and the device "
                       "(set the environment variable `TORCH_DEVICE=cuda` to run on a GPU):"),
    }  # fmt: skip
    for path, text in words.items():
        path.write_text(PAGE.format(slug=slug, name=name, **text), encoding="utf-8")
    add_to_nav(chapter, f"{chapter}/{page}.md", zh_title, en_title)
    translations.mark_reviewed([pages.rel(zh)])
    return [pages.rel(p) for p in (snippet, recording.output_path(snippet), zh, en)] + ["mkdocs.yml"]


def add_to_nav(chapter: str, target: str, zh_title: str, en_title: str) -> None:
    """Put the page after the chapter's last page in nav; a new chapter gets a tab, its title translated.

    Where the chapter sits comes from the loaded config; the one line is written into mkdocs.yml as
    text, so its comments and layout stay as they are. The page's own title is its H1.
    """
    path = config.CONFIG_FILE
    text = path.read_text(encoding="utf-8")
    in_chapter = [entry for _, _, entry in config.nav_entries() if entry.startswith(f"{chapter}/")]
    exercises = f"{chapter}/exercises.md"  # a chapter ends with its exercises (tests/site/test_exercises.py)
    if in_chapter and in_chapter[-1] == exercises and target != exercises:
        anchor = next(line for line in text.splitlines() if line.strip().endswith(f" {exercises}"))
        indent = anchor[: len(anchor) - len(anchor.lstrip())]
        text = text.replace(anchor + "\n", f"{indent}- {target}\n{anchor}\n", 1)
    elif in_chapter:
        anchor = next(line for line in text.splitlines() if line.strip().endswith(f" {in_chapter[-1]}"))
        indent = anchor[: len(anchor) - len(anchor.lstrip())]
        text = text.replace(anchor + "\n", f"{anchor}\n{indent}- {target}\n", 1)
    else:
        text = text.rstrip("\n") + f"\n  - {zh_title}:\n      - {target}\n"
        where = text.index("nav_translations:\n") + len("nav_translations:\n")
        indent = " " * (len(text[:where].splitlines()[-1]) - len(text[:where].splitlines()[-1].lstrip()) + 2)
        text = text[:where] + f"{indent}{zh_title}: {en_title}\n" + text[where:]
    path.write_text(text, encoding="utf-8")
    config.load.cache_clear()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="<chapter>/<page>, e.g. autograd/checkpointing")
    parser.add_argument("zh_title")
    parser.add_argument("en_title")
    args = parser.parse_args()
    created = scaffold(args.name, args.zh_title, args.en_title)
    print("created or changed:\n  " + "\n  ".join(created), file=sys.stderr)
