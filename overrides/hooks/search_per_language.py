"""Give each language its own search index, without code blocks.

mkdocs-static-i18n merges every language into one search/search_index.json, so a
search on an English page lists the Chinese pages first. After the build, split it:
the root index keeps the default language, each other language's pages go to
<locale>/search/search_index.json (their locations made relative to /<locale>/), the
languages as the i18n plugin's config lists them. overrides/main.html points those
pages' search at their own index.

Code blocks and recorded outputs are dropped from the index: Material fetches the
index on every cold page view, and they would double its size. Prose, headings and
inline code (where the text names `grad_fn` and friends) stay searchable.
"""

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

CODE_BLOCK = re.compile(r"<pre>.*?</pre>", re.S)


@event_priority(-100)  # after the i18n plugin has built every language and merged the index
def on_post_build(config, **kwargs):
    index_file = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index_file.exists():
        return
    index = json.loads(index_file.read_text(encoding="utf-8"))
    locales = [lang.locale for lang in config.plugins["i18n"].config.languages if not lang.default]
    if not any(d["location"].startswith(f"{locale}/") for d in index["docs"] for locale in locales):
        return  # already split, or the other languages have not been built yet
    for doc in index["docs"]:
        doc["text"] = CODE_BLOCK.sub("", doc["text"])
    for locale in locales:
        prefix = f"{locale}/"
        own = [
            {**d, "location": d["location"][len(prefix) :]} for d in index["docs"] if d["location"].startswith(prefix)
        ]
        target = Path(config["site_dir"]) / prefix / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(
                {**index, "config": {**index["config"], "lang": [locale]}, "docs": own},
                ensure_ascii=False,
                separators=(",", ":"),
            ),
            encoding="utf-8",
        )
    default = [d for d in index["docs"] if not d["location"].startswith(tuple(f"{loc}/" for loc in locales))]
    index_file.write_text(
        json.dumps({**index, "docs": default}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
