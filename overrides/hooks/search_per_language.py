"""Give each language its own search index, without code blocks.

mkdocs-static-i18n merges every language into one search/search_index.json, so a
search on an English page lists the Chinese pages first. After the build, split it:
the root index keeps the default language, en/search/search_index.json gets the
English pages (their locations made relative to /en/). overrides/main.html points
English pages' search at that index.

Code blocks and recorded outputs are dropped from the index: Material fetches the
index on every cold page view, and they would double its size. Prose, headings and
inline code (where the text names `grad_fn` and friends) stay searchable.
"""

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

PREFIX = "en/"
CODE_BLOCK = re.compile(r"<pre>.*?</pre>", re.S)


@event_priority(-100)  # after the i18n plugin has built every language and merged the index
def on_post_build(config, **kwargs):
    index_file = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index_file.exists():
        return
    index = json.loads(index_file.read_text(encoding="utf-8"))
    english = [d for d in index["docs"] if d["location"].startswith(PREFIX)]
    if not english:
        return  # already split, or the English build has not run yet
    for doc in index["docs"]:
        doc["text"] = CODE_BLOCK.sub("", doc["text"])
    chinese = [d for d in index["docs"] if not d["location"].startswith(PREFIX)]
    for doc in english:
        doc["location"] = doc["location"][len(PREFIX) :]
    en_file = Path(config["site_dir"]) / PREFIX / "search" / "search_index.json"
    en_file.parent.mkdir(parents=True, exist_ok=True)
    en_file.write_text(
        json.dumps(
            {**index, "config": {**index["config"], "lang": ["en"]}, "docs": english},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    index_file.write_text(
        json.dumps({**index, "docs": chinese}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
