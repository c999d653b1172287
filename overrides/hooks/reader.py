"""What a reader finds around each page: the chapter notebook on Colab and as a zip, a way to report a problem.

- Under the title of every chapter page and notebook page: "Open in Colab", a link to
  colab.research.google.com/github/<owner>/<repo>/blob/<branch>/docs/notebooks/<chapter>[.en].ipynb, the
  repository and branch taken from `repo_url` and `edit_uri` in mkdocs.yml.
- One zip per language with every chapter notebook, written with the site
  (<prefix>notebooks/<repo>-notebooks-<locale>.zip); the home page and every notebook page link to it and say
  how to run the notebooks locally in two commands (readers in mainland China cannot reach Colab).
- At the end of every page: "Report a problem with this page", a link to the repository's issue form
  .github/ISSUE_TEMPLATE/wrong-content.yml with the page's title and URL filled in (query parameters of
  GitHub's issue forms).
- On notebook pages, "edit this page" and "view source" open the chapter's snippets/<chapter>/ folder, which
  the notebook is generated from (tools/notebooks.py), not the generated file.
- A page without a `description` in its front matter gets its first paragraph as one, for the
  description and social preview tags (overrides/main.html).

All of these are plain links: nothing is requested from outside the site. They are added to the finished
HTML (on_post_page), so they stay out of the search index.
"""

import html as htmllib
import posixpath
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from mkdocs.plugins import event_priority

ISSUE_FORM = "wrong-content.yml"  # its field `page` takes the page's URL
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed, so that the same notebooks make the same zip

TEXT = {
    "zh": {
        "colab": "在 Colab 中打开本章笔记本",
        "zip": "下载全部章节笔记本（{name}）",
        "local": "。在本地运行：解压后执行 <code>{install}</code>，再执行 <code>jupyter notebook</code>，"
        "在打开的浏览器页面中选择笔记本。",
        "report": "报告本页问题",
        "report_note": "（在 GitHub 上提交问题，已填好本页的标题和地址）",
    },
    "en": {
        "colab": "Open this chapter's notebook in Colab",
        "zip": "Download every chapter's notebook ({name})",
        "local": ". Run them locally: unzip, run <code>{install}</code>, then <code>jupyter notebook</code>, "
        "and pick a notebook in the browser page it opens.",
        "report": "Report a problem with this page",
        "report_note": " (an issue on GitHub, with this page's title and address filled in)",
    },
}


def _tools(config):
    root = str(Path(config.config_file_path).parent)
    if root not in sys.path:  # `mkdocs serve` does not put the project on the path
        sys.path.insert(0, root)
    from tools import notebooks

    return notebooks


def _repo(config):
    """(owner/name, branch, docs folder in the repository), from repo_url, edit_uri and docs_dir."""
    slug = urlsplit(config.repo_url).path.strip("/")
    branch = config.edit_uri.strip("/").split("/")[1]  # edit/main/docs/
    root = Path(config.config_file_path).parent
    return slug, branch, Path(config.docs_dir).relative_to(root).as_posix()


def _lang(config):
    return config.theme["language"]


def _suffix(config):
    default = next(lang.locale for lang in config.plugins["i18n"].config.languages if lang.default)
    return "" if _lang(config) == default else f".{_lang(config)}"


def _chapter(page):
    """The chapter a page belongs to: 'autograd' for autograd/basics.md and notebooks/autograd.en.ipynb."""
    src = page.file.src_uri
    if src.startswith("notebooks/") and src.endswith(".ipynb"):
        return src.split("/")[1].split(".")[0]
    return src.split("/")[0] if "/" in src else None


def _notebook(page, config):
    """The chapter's notebook in this language, as a path in the repository; None for other pages."""
    chapter = _chapter(page)
    if chapter is None:
        return None
    _, _, docs = _repo(config)
    name = f"notebooks/{chapter}{_suffix(config)}.ipynb"
    return f"{docs}/{name}" if (Path(config.docs_dir) / name).exists() else None


def colab_url(page, config):
    notebook = _notebook(page, config)
    if notebook is None:
        return None
    slug, branch, _ = _repo(config)
    return f"https://colab.research.google.com/github/{slug}/blob/{branch}/{notebook}"


def zip_path(config) -> str:
    """Where this language's zip of notebooks lives in the site, e.g. en/notebooks/<repo>-notebooks-en.zip."""
    repo = _repo(config)[0].split("/")[-1]
    prefix = _suffix(config).lstrip(".") + "/" if _suffix(config) else ""
    return f"{prefix}notebooks/{repo}-notebooks-{_lang(config)}.zip"


def _notebook_files(config):
    suffix = _suffix(config)
    ending = f"{suffix}.ipynb"  # autograd.ipynb in the default language, autograd.en.ipynb in English
    return sorted(
        p
        for p in (Path(config.docs_dir) / "notebooks").glob("*.ipynb")
        if p.name.endswith(ending) and "." not in p.name.removesuffix(ending)
    )


def _relative(target: str, page) -> str:
    return posixpath.relpath(target, page.url.rstrip("/") or ".") if page.url else target


def _notebooks_note(page, config) -> str:
    text = TEXT[_lang(config)]
    target = zip_path(config)
    install = f"pip install torch=={_tools(config).recorded_version().split('+')[0]} matplotlib notebook"
    return (
        f'<p class="reader-notebooks"><a href="{_relative(target, page)}" download>'
        f"{text['zip'].format(name=posixpath.basename(target))}</a>" + text["local"].format(install=install) + "</p>"
    )


def _is_home(page) -> bool:
    return page.file.src_uri.split(".")[0] == "index"  # index.md, index.en.md (is_homepage: only the first)


def report_url(page, config) -> str:
    title = config.site_name if _is_home(page) else page.title  # as og:title (overrides/main.html)
    query = urlencode({"template": ISSUE_FORM, "title": f"[{title}] ", "page": page.canonical_url})
    return f"{config.repo_url}/issues/new?{query}"


@event_priority(-100)  # after MkDocs and the i18n plugin have set the page's edit URL
def on_page_context(context, page, config, nav, **kwargs):
    if page.file.src_uri.endswith(".ipynb"):
        branch = _repo(config)[1]
        page.edit_url = f"{config.repo_url.rstrip('/')}/tree/{branch}/snippets/{_chapter(page)}/"
    return context


FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
NOT_TEXT = re.compile(r"<sup\b.*?</sup>|<[^>]+>", re.S)  # footnote marks, then every tag


def on_page_content(html, page, config, files, **kwargs):
    """The page's first plain paragraph, as its description, unless its front matter has one."""
    if not page.meta.get("description"):
        found = FIRST_PARAGRAPH.search(html)
        if found:
            text = " ".join(htmllib.unescape(NOT_TEXT.sub("", found.group(1))).split())
            page.meta["description"] = text if len(text) <= 150 else text[:149].rstrip() + "…"
    return html


TITLE_END = re.compile(r"</h1>")
ARTICLE_END = "</article>"


def on_post_page(output, page, config, **kwargs):
    text = TEXT[_lang(config)]
    under_title = []
    url = colab_url(page, config)
    if url:
        under_title.append(f'<p class="reader-colab"><a href="{url}">{text["colab"]}</a></p>')
    if _is_home(page) or page.file.src_uri.endswith(".ipynb"):
        under_title.append(_notebooks_note(page, config))
    if under_title:
        start = output.find('class="md-content"')
        end = TITLE_END.search(output, start).end()
        output = output[:end] + "".join(under_title) + output[end:]
    report = (
        f'<p class="reader-report"><a href="{htmllib.escape(report_url(page, config))}">{text["report"]}</a>'
        f"{text['report_note']}</p>"
    )
    at = output.rfind(ARTICLE_END)
    return output[:at] + report + output[at:]


def on_post_build(config, **kwargs):
    """This language's notebooks in one zip, in a folder of the zip's own name."""
    target = Path(config.site_dir) / zip_path(config)
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = target.stem
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for notebook in _notebook_files(config):
            info = zipfile.ZipInfo(f"{folder}/{notebook.name}", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, notebook.read_bytes())
