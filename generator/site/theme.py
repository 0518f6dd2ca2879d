"""Jinja rendering: the theme chain, filters, and one HTML page per output path.

Theme lookup, first match wins (templates and static files alike)::

    themes/site/  ->  themes/<site.yaml theme>/  ->  its `extends` parents  ->  default

``{% extends "default:conference.html" %}`` names one theme's copy explicitly, so an
override can wrap the original instead of copying it. Templates are autoescaped and
strict: an undefined name is a Problem at the template's line, never empty text.
Content is passed to templates as data and never compiled as a template.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from generator import __version__
from generator.core.cache import Cache
from generator.core.context import PACKAGE_THEMES
from generator.errors import Pos, Problems
from generator.formats import (
    format_bytes,
    format_date,
    format_dates,
    format_long_date,
    format_number,
    format_text_date,
)
from generator.i18n import t
from generator.load.themes import load_messages, theme_dirs
from generator.model import (
    Conference,
    Indicator,
    Site,
    Untranslated,
    change_text,
    derivation_note,
    number_text,
    previous_text,
    quantity_text,
)
from generator.model.anchors import ANCHORS
from generator.site.views import quotation_number, quotations


def make_environment(
    site: Site, lang: str, cache: Cache | None = None
) -> jinja2.Environment:
    """Build the Jinja environment of site's theme chain for pages in lang.

    With a cache, compiled templates are kept there (verified on read), so a
    rebuild skips recompiling them.
    """
    dirs = theme_dirs(site.root, site.config.theme)
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader([d / "templates" for d in dirs]),
            jinja2.PrefixLoader(
                {d.name: jinja2.FileSystemLoader(d / "templates") for d in dirs},
                delimiter=":",
            ),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        bytecode_cache=_Bytecode(cache) if cache is not None else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    messages = load_messages(dirs, lang)
    primary = site.config.output_languages[0]
    env.globals.update(
        t=lambda key, **kw: _translate(messages, key, kw),
        lang=lang,
        generator_version=__version__,
        theme_folders=tuple(dirs),
        source_no=source_number,
        quotations=quotations,  # a conference's quoted claims (site.views.Quotation)
        quotation_no=quotation_number,
        anchors=ANCHORS,  # the section ids the Python relies on (model.anchors)
    )
    env.filters.update(
        # An indicator's numbers read one way everywhere: a small count is "< N".
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
        text_date=lambda text: format_text_date(text, lang) if text else text,
        long_date=lambda d: format_long_date(d, lang),
        dates=lambda ds: format_dates(list(ds), lang),
        filesize=lambda n: format_bytes(n, lang),
        lang_attr=lambda text: lang_attribute(text, lang, primary),
        lang_text=lambda text: lang_text(text, lang, primary),
    )
    return env


class _Bytecode(jinja2.BytecodeCache):
    """Jinja's compiled templates in our cache, verified when read back.

    Worth it: loading the default theme's templates from bytecode takes 5 ms of
    CPU against 146 ms compiling them, per environment (bench/jinja_bytecode.py).
    """

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Key a template by its name and theme folder, not where the project is.

        Jinja checks the source's checksum in the entry, so two themes' files of
        one name can share a key without mixing them up.
        """
        where = "/".join(Path(filename).parts[-3:]) if filename else ""
        return hashlib.sha1(f"{name}|{where}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.blob("jinja", f"{bucket.key}.code")
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put_blob("jinja", f"{bucket.key}.code", bucket.bytecode_to_string())


def render_template(
    env: jinja2.Environment,
    name: str,
    render: Callable[[jinja2.Template], str],
    problems: Problems,
    root: Path,
    docs: str = "docs/themes.md",
) -> str | None:
    """Render the template name with render(template); None after a problem.

    Every template error becomes a Problem at the template file and line it
    comes from (a shipped theme's path is shown from the package's themes/).
    """
    try:
        return render(env.get_template(name))
    except jinja2.TemplateSyntaxError as exc:
        pos = Pos(project_path(exc.filename or name, root), exc.lineno or 1)
        problems.add(pos, t("template error: {message}", message=exc.message))
    except jinja2.TemplateNotFound as exc:
        folders = env.globals.get("theme_folders", ())
        searched = ", ".join(
            project_path(Path(d) / "templates", root).as_posix()
            for d in (folders if isinstance(folders, tuple) else ())
        )
        problems.add(
            Pos(Path("themes")),
            t("template not found: {name}", name=exc.name),
            t(
                "looked in {searched}; a theme must provide {name} or extend one that "
                "does (docs/themes.md)",
                searched=searched or t("no theme folder"),
                name=exc.name,
            ),
        )
    except jinja2.TemplateError as exc:
        problems.add(
            template_pos(exc, name, root),
            t("template error: {message}", message=exc.message),
            t(
                "check the name in the template; see {docs} for what it receives",
                docs=docs,
            ),
        )
    return None


def source_number(conf: Conference, ident: str) -> int:
    """The number of source ident in conf's list of sources, as readers cite it."""
    return next(i for i, s in enumerate(conf.sources, 1) if s.id == ident)


def lang_attribute(value: object, page_lang: str, primary: str) -> Markup:
    """Return ' lang="vi"' for an untranslated text on a page in another language."""
    if isinstance(value, Untranslated) and page_lang != primary:
        return Markup(f' lang="{primary}"')
    return Markup("")


def lang_text(value: object, page_lang: str, primary: str) -> Markup:
    """Return value as HTML, in a span lang="vi" if it is untranslated on the page."""
    text = escape(value)
    if isinstance(value, Untranslated) and page_lang != primary:
        return Markup(f'<span lang="{primary}">{text}</span>')
    return text


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


def template_pos(exc: BaseException, template: str, root: Path) -> Pos:
    """Find the template file and line a Jinja runtime error came from."""
    tb = exc.__traceback__
    found = Pos(Path(template))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".css")):
            found = Pos(project_path(filename, root), tb.tb_lineno)
        tb = tb.tb_next
    return found


def project_path(filename: str | Path, root: Path) -> Path:
    """Show a theme file's path from the project (or from the shipped themes)."""
    path = Path(filename)
    for base in (root.resolve(), PACKAGE_THEMES.parent):
        if path.is_absolute() and path.is_relative_to(base):
            return path.relative_to(base)
    return path
