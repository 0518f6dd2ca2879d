"""Jinja rendering: the theme chain, filters, and one HTML page per output path.

Theme lookup, first match wins (templates and static files alike)::

    themes/site/  ->  themes/<site.yaml theme>/  ->  its `extends` parents  ->  default

``{% extends "default:conference.html" %}`` names one theme's copy explicitly, so an
override can wrap the original instead of copying it. Templates are autoescaped and
strict: an undefined name is a Problem at the template's line, never empty text.
Content is passed to templates as data and never compiled as a template.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from generator import __version__
from generator.errors import Pos, Problems
from generator.formats import (
    format_bytes,
    format_date,
    format_dates,
    format_long_date,
    format_number,
)
from generator.markdown import FigureRef, RenderedNarrative, derivation_note, section_id
from generator.model import Entry, Indicator, Site, Untranslated
from generator.suppress import change_text, number_text, previous_text, quantity_text
from generator.yamlload import Positions, parse_yaml

PACKAGE_THEMES = Path(__file__).resolve().parent.parent / "themes"
PRIMARY_LANGUAGE = "vi"  # the language data and narratives are written in


@dataclass(frozen=True, slots=True)
class FigureOut:
    """A drawn figure as pages use it: files, text alternatives and data table."""

    id: str
    slug: str  # conference it belongs to
    title: str
    caption: str
    alt: str
    svg: str  # output-relative path of the SVG
    png: str  # output-relative path of the PNG (social sharing), or ""
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source_note: str = ""
    series: bool = False  # drawn across the conferences of a series
    csv: str = ""  # output-relative path of the figure's data as CSV, or ""
    width: int = 720  # intrinsic size, so the page reserves the right space
    height: int = 405


@dataclass(frozen=True, slots=True)
class PdfOut:
    """A PDF brief as pages link to it."""

    path: str  # output-relative
    size: int  # bytes


@dataclass(slots=True)
class Extras:
    """What later stages add to pages: figures, PDF links, preview-only markup."""

    figures: Mapping[tuple[str, str], FigureOut] = field(default_factory=dict)
    pdfs: Mapping[str, PdfOut] = field(default_factory=dict)  # slug or series slug
    preview: bool = False  # show drafts' badges and the live-reload script


def theme_dirs(root: Path, theme: str) -> list[Path]:
    """Return the theme folders to search, most specific first."""
    chain: list[Path] = []
    site_dir = root / "themes" / "site"
    if site_dir.is_dir():
        chain.append(site_dir)
    name: str | None = theme
    while name is not None and len(chain) < 10:
        folder = _find_theme(root, name)
        if folder is None or folder in chain:
            break
        chain.append(folder)
        name = _theme_parent(folder)
    default = _find_theme(root, "default")
    if default is not None and default not in chain:
        chain.append(default)
    return chain


def _find_theme(root: Path, name: str) -> Path | None:
    for base in (root / "themes", PACKAGE_THEMES):
        if (base / name).is_dir():
            return base / name
    return None


def _theme_parent(folder: Path) -> str | None:
    meta = folder / "theme.yaml"
    if not meta.is_file():
        return None
    data = parse_yaml(meta.read_text("utf-8"), Positions(meta), Problems())
    parent = data.get("extends") if isinstance(data, dict) else None
    return parent if isinstance(parent, str) else None


def make_environment(root: Path, theme: str, lang: str) -> jinja2.Environment:
    """Build the Jinja environment for a theme chain, with our filters."""
    dirs = theme_dirs(root, theme)
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader([d / "templates" for d in dirs]),
            jinja2.PrefixLoader(
                {d.name: jinja2.FileSystemLoader(d / "templates") for d in dirs},
                delimiter=":",
            ),
        ]
    )
    cache_dir = root / ".proceedings-cache" / "jinja"
    cache_dir.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=loader,
        # Compiled templates are kept by source hash: a rebuild skips recompiling.
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    messages = load_messages(dirs, lang)
    env.globals.update(
        t=lambda key, **kw: _translate(messages, key, kw),
        lang=lang,
        generator_version=__version__,
    )
    env.filters.update(
        # An indicator's numbers go through suppress.py: a small count reads "< N".
        num=lambda v, decimals=None: (
            number_text(v, lang)
            if isinstance(v, Indicator)
            else format_number(v, lang, decimals)
        ),
        qty=lambda i: quantity_text(i, lang),
        prev_qty=lambda i: previous_text(i, lang),
        change=lambda i: change_text(i, lang),
        derivation=lambda i: derivation_note(i, lang),
        date=lambda d: format_date(d, lang),
        long_date=lambda d: format_long_date(d, lang),
        dates=lambda ds: format_dates(list(ds), lang),
        filesize=lambda n: format_bytes(n, lang),
        lang_attr=lambda text: lang_attribute(text, lang),
        lang_text=lambda text: lang_text(text, lang),
    )
    return env


def load_messages(dirs: Sequence[Path], lang: str) -> dict[str, str]:
    """Merge the UI message catalogues of a theme chain, most specific winning."""
    merged: dict[str, str] = {}
    for folder in reversed(dirs):
        path = folder / "messages" / f"{lang}.yaml"
        if path.is_file():
            data = parse_yaml(path.read_text("utf-8"), Positions(path), Problems())
            if isinstance(data, dict):
                merged.update(
                    {str(k): str(v) for k, v in data.items() if v is not None}
                )
    return merged


def lang_attribute(value: object, page_lang: str) -> Markup:
    """Return ' lang="vi"' for an untranslated text on a page in another language."""
    if isinstance(value, Untranslated) and page_lang != PRIMARY_LANGUAGE:
        return Markup(f' lang="{PRIMARY_LANGUAGE}"')
    return Markup("")


def lang_text(value: object, page_lang: str) -> Markup:
    """Return value as HTML, in a span lang="vi" if it is untranslated on the page."""
    text = escape(value)
    if isinstance(value, Untranslated) and page_lang != PRIMARY_LANGUAGE:
        return Markup(f'<span lang="{PRIMARY_LANGUAGE}">{text}</span>')
    return text


def page_prefix(lang: str, primary: str) -> str:
    """Return where lang's pages go in output/: '' for the primary, else 'en/'."""
    return "" if lang == primary else f"{lang}/"


def _translate(messages: Mapping[str, str], key: str, values: Mapping[str, Any]) -> str:
    text = messages.get(key, key)
    return text.format(**values) if values else text


def static_files(root: Path, theme: str) -> dict[str, Path]:
    """Map output paths under static/ to source files; the most specific theme wins."""
    files: dict[str, Path] = {}
    for folder in reversed(theme_dirs(root, theme)):
        static = folder / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files["static/" + path.relative_to(static).as_posix()] = path
    return files


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render: where it goes, its template, and what it shows.

    ``uses`` names the inputs the page depends on besides the theme and settings,
    as ``data:<slug>`` (a conference's data file) and ``text:<slug>`` (its
    narratives); ``salt`` holds anything else that shapes it (PDF sizes). An
    incremental build re-renders a page only when one of these changed.
    """

    out: str
    template: str
    context: Mapping[str, Any]
    uses: tuple[str, ...] = ()
    salt: str = ""
    lang: str = ""  # the page's language when not the site's primary one


def plan_pages(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    *,
    lang: str = "",
) -> list[Page]:
    """List every HTML page of the site with its context and what it depends on.

    With lang (a secondary language, e.g. "en"), site is that language's copy
    (languages.english_site) and the pages go under its prefix (en/index.html, …).
    """
    primary = site.config.output_languages[0]
    prefix = page_prefix(lang, primary) if lang else ""
    series = site.series()
    figures_of: dict[str, list[FigureOut]] = {}  # grouped once, not per page
    for (owner, _), figure in sorted(extras.figures.items()):
        figures_of.setdefault(owner, []).append(figure)
    every = tuple(f"data:{e.slug}" for e in site.entries)
    pages = [
        Page(
            "index.html",
            "index.html",
            {"conferences": site.entries, "series": series, "pdfs": extras.pdfs},
            every,
            repr(sorted(extras.pdfs.items())),
        ),
        Page("404.html", "404.html", {}),
        Page("search.html", "search.html", {}),
    ]
    for entry in site.entries:
        in_series = series[entry.series_slug]
        pdf = extras.pdfs.get(entry.slug)
        pages.append(
            Page(
                f"{entry.slug}/index.html",
                "conference.html",
                {
                    "entry": entry,
                    "conf": entry.data,
                    "narratives": [
                        _narrative_view(n, entry.slug, extras)
                        for n in narratives.get(entry.slug, ())
                    ],
                    "figures": figures_of.get(entry.slug, []),
                    "pdf": pdf,
                    "series_entries": in_series,
                    "reports": follow_up_reports(entry, in_series),
                    "groups": indicator_groups(entry.data.indicators),
                },
                (f"text:{entry.slug}", *(f"data:{e.slug}" for e in in_series)),
                repr(pdf),
            )
        )
    for slug, entries in series.items():
        pdf = extras.pdfs.get(f"series/{slug}")
        pages.append(
            Page(
                f"series/{slug}/index.html",
                "series.html",
                {
                    "series_slug": slug,
                    "series_title": entries[0].data.series,
                    "entries": entries,
                    "rows": comparison_rows(entries),
                    "figures": [
                        f
                        for e in entries
                        for f in figures_of.get(e.slug, [])
                        if f.series
                    ],
                    "pdf": pdf,
                },
                tuple(f"data:{e.slug}" for e in entries),
                repr(pdf),
            )
        )
    if prefix:
        pages = [dataclasses.replace(p, out=prefix + p.out, lang=lang) for p in pages]
    return pages


def render_site(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    problems: Problems,
    env: jinja2.Environment | None = None,
) -> dict[str, str]:
    """Render every HTML page of the site: {output path: html}."""
    env = env or make_environment(site.root, site.config.theme, site.config.language)
    pages: dict[str, str] = {}
    for page in plan_pages(site, narratives, extras):
        html = render_page(env, site, page, extras.preview, problems)
        if html is not None:
            pages[page.out] = html
    return pages


def render_page(
    env: jinja2.Environment,
    site: Site,
    page: Page,
    preview: bool,
    problems: Problems,
) -> str | None:
    """Render one page; a template error is a Problem and gives None."""
    out = page.out
    root = "../" * out.count("/")
    langs = site.config.output_languages
    prefix = page_prefix(page.lang, langs[0]) if page.lang else ""
    base = out.removeprefix(prefix)
    alternates = [
        Alternate(
            lang,
            relative_url(out, page_prefix(lang, langs[0]) + base),
            _public_url(site.config.base_url, page_prefix(lang, langs[0]) + base),
        )
        for lang in langs
    ]
    try:
        return env.get_template(page.template).render(
            site=site.config,
            page_path=base,
            root=root,
            home="../" * base.count("/"),  # the home folder of the page's language
            primary_lang=langs[0],
            alternates=alternates if len(langs) > 1 else [],
            url=lambda target: relative_url(out, target),
            canonical=site.config.base_url.rstrip("/")
            + "/"
            + out.removesuffix("index.html")
            if site.config.base_url
            else "",
            preview=preview,
            **page.context,
        )
    except jinja2.TemplateSyntaxError as exc:
        pos = Pos(
            _project_path(exc.filename or page.template, site.root), exc.lineno or 1
        )
        problems.add(pos, f"template error: {exc.message}")
    except jinja2.TemplateError as exc:
        problems.add(
            template_pos(exc, page.template, site.root),
            f"template error: {exc.message}",
            "check the name in the template; see docs/themes.md for what pages receive",
        )
    return None


def template_pos(exc: BaseException, template: str, root: Path) -> Pos:
    """Find the template file and line a Jinja runtime error came from."""
    tb = exc.__traceback__
    found = Pos(Path(template))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".css")):
            found = Pos(_project_path(filename, root), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _project_path(filename: str, root: Path) -> Path:
    """Show a template path relative to the project (or to the shipped themes)."""
    path = Path(filename)
    for base in (root.resolve(), PACKAGE_THEMES.parent):
        if path.is_absolute() and path.is_relative_to(base):
            return path.relative_to(base)
    return path


@dataclass(frozen=True, slots=True)
class Alternate:
    """The same page in one of the site's languages (switcher and hreflang links)."""

    lang: str
    href: str  # relative to the current page
    absolute: str  # with base_url, for hreflang; "" without one


def _public_url(base_url: str, path: str) -> str:
    if not base_url:
        return ""
    return base_url.rstrip("/") + "/" + path.removesuffix("index.html")


def relative_url(current: str, target: str) -> str:
    """Return a link from page current to output path target that works from disk."""
    base = posixpath.dirname(current) or "."
    return posixpath.relpath(target, base)


def _narrative_view(
    rendered: RenderedNarrative, slug: str, extras: Extras
) -> dict[str, Any]:
    pieces: list[Any] = []
    for part in rendered.parts:
        if isinstance(part, FigureRef):
            pieces.append(extras.figures.get((slug, part.id)))
        else:
            pieces.append(Markup(part))  # produced by our Markdown stage, html=False
    return {
        "narrative": rendered.narrative,
        "front": rendered.narrative.front,
        "pieces": pieces,
        "headings": rendered.headings,
        "id": section_id(rendered.narrative),
        "lang": rendered.narrative.lang,  # differs from the page's: a fallback
    }


def indicator_groups(
    indicators: Sequence[Indicator],
) -> list[tuple[str, list[Indicator]]]:
    """Group indicators for the key-figures table, keeping their order."""
    groups: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.group or "", []).append(indicator)
    return list(groups.items())


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One indicator across the conferences of a series."""

    id: str
    label: str
    unit: str
    cells: tuple[Indicator | None, ...]  # one per conference, oldest first
    status: str  # "both", "new", "dropped", "once"


def comparison_rows(entries: Sequence[Entry]) -> list[ComparisonRow]:
    """Match indicators by id across a series, saying where one is missing."""
    order: list[str] = []
    found: dict[str, list[Indicator | None]] = {}
    for i, entry in enumerate(entries):
        for indicator in entry.data.indicators:
            if indicator.id not in found:
                order.append(indicator.id)
                found[indicator.id] = [None] * len(entries)
            found[indicator.id][i] = indicator
    rows = []
    for ident in order:
        cells = found[ident]
        present = [c is not None for c in cells]
        first = next(c for c in cells if c is not None)
        if all(present):
            status = "both"
        elif len(entries) > 1 and present[-1] and not any(present[:-1]):
            status = "new"
        elif len(entries) > 1 and not present[-1]:
            status = "dropped"
        else:
            status = "once"
        rows.append(ComparisonRow(ident, first.label, first.unit, tuple(cells), status))
    return rows


@dataclass(frozen=True, slots=True)
class FollowUpStatus:
    """A task set by an earlier meeting, and what this one reported on it."""

    origin: Entry
    task: Any  # model.FollowUp
    report: Any  # model.FollowUpReport | None


def follow_up_reports(entry: Entry, series: Sequence[Entry]) -> list[FollowUpStatus]:
    """List the tasks of the previous meeting in the series with this one's reports."""
    earlier = [e for e in series if e.data.period.end < entry.data.period.end]
    if not earlier:
        return []
    previous = earlier[-1]
    reports = {(r.conference, r.task): r for r in entry.data.follow_up_reports}
    return [
        FollowUpStatus(previous, task, reports.get((previous.slug, task.id)))
        for task in previous.data.follow_up
    ]
