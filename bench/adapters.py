"""Write the corpus's narratives as projects for peer generators: Pelican, MkDocs, Hugo.

Every peer gets the same ~3 narratives per conference (one page each), with the
``:ind[]``/``:change[]`` citations replaced by the text proceedings prints for them,
since the peers know nothing of indicators. Each writer returns the ``Peer``: where
its project is, the command that builds it, and what to delete for a cold build.
The peers render only the narratives: proceedings additionally renders each
conference's data (indicator tables, agenda, speakers, series comparisons).
"""

# ruff: noqa: RUF001 -- Vietnamese text needs the en dash, result tables the times sign

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from corpus import ConferenceDoc, Corpus, NarrativeDoc, format_vi

_CITE = re.compile(r":(ind|change)\[([^\]\n]+)\]")


@dataclass(frozen=True, slots=True)
class Peer:
    """A peer's project: how to build it cold, and where its output goes."""

    key: str
    name: str
    root: Path
    command: list[str]
    output: Path
    clean: tuple[Path, ...] = field(default=())  # caches removed before a cold build


def plain_body(conf: ConferenceDoc, narrative: NarrativeDoc) -> str:
    """Return the narrative's Markdown with citations replaced by their text."""

    def cite(match: re.Match[str]) -> str:
        kind, ident = match.groups()
        if kind == "ind":
            return conf.indicator_text(ident)
        ind = next(i for i in conf.data["indicators"] if i["id"] == ident)
        change = int(ind["change"])
        if change == 0:
            return "không đổi"
        verb = "giảm" if change < 0 else "tăng"
        return f"{verb} {format_vi(abs(change))} {ind['unit']}"

    return _CITE.sub(cite, narrative.body)


def _yaml_str(text: str) -> str:
    """Quote text as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fresh(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)


# --- Pelican -----------------------------------------------------------------------

PELICANCONF = """\
# Pelican's quickstart settings for a local build (feeds off, pagination 10).
AUTHOR = "Bộ Lao động – Thương binh và Xã hội"
SITENAME = {title!r}
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = 10
RELATIVE_URLS = True
"""


def write_pelican(corpus: Corpus, root: Path, bin_dir: Path) -> Peer:
    """Write content/<slug>/<name>.md with Pelican metadata, and pelicanconf.py."""
    _fresh(root)
    (root / "pelicanconf.py").write_text(
        PELICANCONF.format(title=corpus.site["title"]), "utf-8"
    )
    for conf in corpus.conferences:
        folder = root / "content" / conf.slug
        folder.mkdir(parents=True)
        for nar in conf.narratives:
            head = (
                f"Title: {nar.title} – {conf.data['short_title']}\n"
                f"Date: {conf.date.isoformat()} 0{nar.order}:00\n"
                f"Category: {conf.series}\n"
                f"Slug: {conf.slug}-{nar.name}\n"
                f"Lang: vi\n\n"
            )
            (folder / f"{nar.name}.md").write_text(
                head + plain_body(conf, nar), "utf-8"
            )
    return Peer(
        "pelican",
        "Pelican",
        root,
        [
            str(bin_dir / "pelican"),
            "content",
            "-s",
            "pelicanconf.py",
            "-o",
            "output",
            "-q",
        ],
        root / "output",
        (root / "cache", root / "__pycache__"),
    )


# --- MkDocs ------------------------------------------------------------------------


def _mkdocs_nav(corpus: Corpus) -> str:
    lines = ["nav:", "  - Trang chủ: index.md"]
    series: dict[str, list[ConferenceDoc]] = {}
    for conf in corpus.conferences:
        series.setdefault(conf.series, []).append(conf)
    for name, confs in series.items():
        lines.append(f"  - {_yaml_str(name)}:")
        for conf in confs:
            lines.append(f"      - {_yaml_str(conf.data['period']['label'])}:")
            for nar in conf.narratives:
                lines.append(
                    f"          - {_yaml_str(nar.title)}: {conf.slug}/{nar.name}.md"
                )
    return "\n".join(lines) + "\n"


def write_mkdocs(corpus: Corpus, root: Path, bin_dir: Path) -> tuple[Peer, Peer]:
    """Write docs/ and configs for the mkdocs and material themes.

    The nav lists every page, grouped series -> conference -> narrative, as a
    hand-kept MkDocs site would.
    """
    _fresh(root)
    docs = root / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        f"# {corpus.site['title']}\n\n{corpus.site['description']}\n", "utf-8"
    )
    for conf in corpus.conferences:
        folder = docs / conf.slug
        folder.mkdir()
        for nar in conf.narratives:
            front = f"---\ntitle: {_yaml_str(nar.title)}\n---\n\n"
            (folder / f"{nar.name}.md").write_text(
                front + f"# {nar.title}\n\n" + plain_body(conf, nar), "utf-8"
            )
    nav = _mkdocs_nav(corpus)
    base = (
        f"site_name: {_yaml_str(corpus.site['title'])}\n"
        f"site_url: {corpus.site['base_url']}\n"
        "docs_dir: docs\n"
    )
    (root / "mkdocs.yml").write_text(
        base + "site_dir: site-mkdocs\ntheme:\n  name: mkdocs\n" + nav, "utf-8"
    )
    (root / "mkdocs-material.yml").write_text(
        base
        + "site_dir: site-material\ntheme:\n  name: material\n  language: vi\n"
        + nav,
        "utf-8",
    )
    mkdocs = str(bin_dir / "mkdocs")
    return (
        Peer(
            "mkdocs",
            "MkDocs",
            root,
            [mkdocs, "build", "-q", "-f", "mkdocs.yml"],
            root / "site-mkdocs",
        ),
        Peer(
            "material",
            "MkDocs Material",
            root,
            [mkdocs, "build", "-q", "-f", "mkdocs-material.yml"],
            root / "site-material",
        ),
    )


# --- Hugo --------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "{base_url}"
languageCode = "vi"
title = "{title}"
relativeURLs = true
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """{{ define "main" }}
<article>
<p>{{ .Parent.Title }}</p>
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article>
{{ end }}
""",
    "_default/list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}
</ul>
{{ end }}
""",
}


def write_hugo(corpus: Corpus, root: Path, hugo: str) -> Peer:
    """Write hugo.toml, minimal layouts, and content/<slug>/{_index,<name>}.md."""
    _fresh(root)
    (root / "hugo.toml").write_text(
        HUGO_CONFIG.format(
            base_url=corpus.site["base_url"], title=corpus.site["title"]
        ),
        "utf-8",
    )
    for rel, text in HUGO_LAYOUTS.items():
        (root / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / rel).write_text(text, "utf-8")
    for conf in corpus.conferences:
        folder = root / "content" / conf.slug
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(
            f"---\ntitle: {_yaml_str(conf.title)}\n"
            f"date: {conf.date.isoformat()}\n---\n",
            "utf-8",
        )
        for nar in conf.narratives:
            front = (
                f"---\ntitle: {_yaml_str(nar.title)}\n"
                f"date: {conf.date.isoformat()}\nweight: {nar.order}\n---\n\n"
            )
            (folder / f"{nar.name}.md").write_text(
                front + plain_body(conf, nar), "utf-8"
            )
    return Peer(
        "hugo",
        "Hugo",
        root,
        [hugo, "--quiet", "--destination", "public"],
        root / "public",
        (root / "resources", root / ".hugo_build.lock"),
    )
