"""A naive Python pipeline over a proceedings corpus: the floor for pure-Python tooling.

One process, no validation, no positions, no caching: ``yaml.safe_load`` each data
file, split each narrative's front matter, substitute ``:ind[]``/``:change[]`` with a
plain number, render with markdown-it (CommonMark + tables) and one Jinja template,
write one page per narrative, one per conference and a home page. What proceedings
costs beyond this is what its checks, positions, theme and data pages cost.

Usage: ``python bench/naive.py CORPUS_ROOT OUTPUT_DIR``
"""

# ruff: noqa: RUF001 -- Vietnamese text needs the en dash, result tables the times sign

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markdown_it import MarkdownIt

PAGE = jinja2.Template(
    """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>{{ title }} – {{ site.title }}</title></head><body>
<header><a href="{{ home }}">{{ site.title }}</a></header>
<main><p>{{ conference.short_title }}</p><h1>{{ title }}</h1>
{{ body | safe }}</main></body></html>
""",
    autoescape=True,
)
LIST = jinja2.Template(
    """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1><ul>{% for href, text in links %}
<li><a href="{{ href }}">{{ text }}</a></li>{% endfor %}</ul></body></html>
""",
    autoescape=True,
)
_FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
_CITE = re.compile(r":(ind|num|prev|change)\[([^\]\n]+)\]")


def _cite(indicators: dict[str, Any]) -> Any:
    def sub(match: re.Match[str]) -> str:
        ind = indicators[match.group(2)]
        value = ind.get("change", 0) if match.group(1) == "change" else ind["value"]
        return f"{value} {ind['unit']}"

    return sub


def build(root: Path, out: Path) -> int:
    """Build root into out; return the number of pages written."""
    site = yaml.safe_load((root / "site.yaml").read_text("utf-8"))
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    pages = 0
    home_links = []
    for data_file in sorted((root / "data").glob("*.yaml")):
        slug = data_file.stem
        conference = yaml.safe_load(data_file.read_text("utf-8"))
        indicators = {i["id"]: i for i in conference.get("indicators", [])}
        links = []
        (out / slug).mkdir()
        for path in sorted((root / "content" / slug).glob("*.md")):
            text = path.read_text("utf-8")
            match = _FRONT.match(text)
            front = yaml.safe_load(match.group(1)) if match else {}
            body = text[match.end() :] if match else text
            html = md.render(_CITE.sub(_cite(indicators), body))
            page = PAGE.render(
                site=site,
                conference=conference,
                title=front["title"],
                body=html,
                home="../index.html",
            )
            (out / slug / f"{path.stem}.html").write_text(page, "utf-8")
            links.append((f"{path.stem}.html", front["title"]))
            pages += 1
        (out / slug / "index.html").write_text(
            LIST.render(title=conference["title"], links=links), "utf-8"
        )
        home_links.append((f"{slug}/index.html", conference["title"]))
        pages += 1
    (out / "index.html").write_text(
        LIST.render(title=site["title"], links=home_links), "utf-8"
    )
    return pages + 1


if __name__ == "__main__":
    count = build(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"naive: {count} pages")
