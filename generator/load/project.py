"""Read site.yaml, data/*.yaml and content/<slug>/*.md into a typed, checked Site.

Files are decoded as strict UTF-8 (a BOM is dropped, CRLF read as LF) and
NFC-normalised before parsing, so every later stage sees one spelling of each
Vietnamese letter. Every problem is reported with its position; nothing here raises
for bad content.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.core.cache import Cache
from generator.core.context import require_project
from generator.errors import Pos, Problems, did_you_mean
from generator.formats import slugify
from generator.i18n import N_, current_language, t
from generator.load.archives import allowed_roots, check_quotes
from generator.load.checks import check_conference, check_series
from generator.load.claims import check_claims
from generator.load.derive import derive_values
from generator.load.files import MAX_DATA_BYTES, read_text
from generator.load.memo import Scope, entry_key, remembered
from generator.load.narratives import load_narratives, load_translations
from generator.load.parse import parse_yaml
from generator.load.partial import check_partial, expect
from generator.load.placeholders import check_placeholders
from generator.load.suppress import resolve_suppression
from generator.load.themes import catalogue_languages, theme_dirs
from generator.load.translate import Languages, Texts, split_texts
from generator.load.validate import validate
from generator.model import (
    Conference,
    Entry,
    Loc,
    Positions,
    Site,
    SiteConfig,
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def load_site(
    root: Path,
    problems: Problems,
    *,
    drafts: bool = False,
    cache: Cache | None = None,
    replaced: Mapping[Path, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Site:
    """Load and check the whole project at root; raise BuildFailed listing every error.

    Warnings stay in problems for the caller. Drafts are left out unless drafts is
    true (the preview server shows them). With a cache, data files parsed before
    are not parsed again (incremental builds). replaced gives the text of data
    files (by path from root) as they would be: `proceedings import` checks a merge
    with it before writing anything. progress, if given, is called with each
    conference's slug once it is loaded (a build's reporter steps).
    """
    root = root.resolve()
    require_project(root)
    config_positions = Positions(Path("site.yaml"))
    settings = load_config(root, problems, config_positions)
    config, texts = settings.config, settings.texts
    feed = bool(config and config.base_url)
    run = _Run(
        root,
        problems,
        drafts,
        cache,
        settings.languages,
        settings.archives,
        feed,
        replaced or {},
        progress or _quiet,
    )
    entries = [e for e in _load_entries(run) if e is not None]
    data_dir = root / "data"
    all_slugs = (
        {p.stem for p in data_dir.glob("*.y*ml")} if data_dir.is_dir() else set()
    )
    _check_follow_up_reports(entries, all_slugs, problems)
    check_series(entries, problems)
    problems.check()
    entries.sort(key=lambda e: (e.data.period.end, e.slug), reverse=True)
    site = Site(root, config or SiteConfig(), tuple(entries), texts)
    # Small counts shown as "< N": thresholds resolved into the model, masks listed.
    site = resolve_suppression(site, config_positions, problems)
    problems.check()
    return site


def _quiet(slug: str) -> None:
    """Say nothing of a conference loaded."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What site.yaml says, read even when part of it is wrong."""

    config: SiteConfig | None  # None when site.yaml has errors
    texts: Texts  # site.yaml's texts in other languages
    languages: Languages  # the languages the data may give texts in
    archives: tuple[Path, ...]  # the folders sources' archives may be in


def load_config(
    root: Path, problems: Problems, positions: Positions | None = None
) -> Settings:
    """Read site.yaml; every field has a default. positions, if given, are filled.

    The data may give texts in the languages the site publishes and in those the
    theme has a message catalogue for (so ``check --translations`` works before
    publishing). Archives may be in the project and in the folders site.yaml's
    ``archives`` names, read from the YAML even when another setting is wrong.
    """
    rel = Path("site.yaml")
    positions = positions if positions is not None else Positions(rel)
    text = read_text(root, rel, problems, MAX_DATA_BYTES)
    data = parse_yaml(text, positions, problems) if text is not None else None
    raw = data if isinstance(data, dict) else {}
    theme = raw.get("theme") if isinstance(raw.get("theme"), str) else "default"
    catalogues = catalogue_languages(theme_dirs(root, str(theme)))
    named = [str(n) for n in _list(raw.get("languages"))]
    primary = str(raw.get("language", "vi"))
    known = catalogues | set(named)
    texts = split_texts(raw, SiteConfig, sorted(known), positions, problems)
    folders = [str(f) for f in _list(raw.get("archives")) if isinstance(f, str)]
    config = validate(SiteConfig, raw, positions, problems) if text else None
    _drop_primary_texts(texts, primary, positions, problems)
    if config is not None:
        _check_settings(config, catalogues, positions, problems)
        if placeholder(config.base_url):  # warned: never printed anywhere
            config = config.model_copy(update={"base_url": ""})
    languages = Languages(primary, frozenset(known - {primary}))
    return Settings(config, texts, languages, allowed_roots(root, folders))


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _check_settings(
    config: SiteConfig,
    catalogues: frozenset[str],
    positions: Positions,
    problems: Problems,
) -> None:
    """Report a placeholder address and a language the theme cannot speak."""
    if placeholder(config.base_url):
        problems.warn(
            positions.at(("base_url",)),
            t("base_url {base_url} is a placeholder address", base_url=config.base_url),
            t(
                "give the address the site will really have; until then the build "
                "leaves it out: no page, sitemap, feed or PDF prints it"
            ),
        )
    for i, lang in enumerate(config.output_languages):
        if lang not in catalogues:
            where: Loc = ("languages", i) if config.languages else ("language",)
            problems.add(
                positions.at(where),
                t("no message catalogue for '{lang}' in the theme", lang=lang),
                t(
                    "add messages/{lang}.yaml to themes/site/ (copy "
                    "themes/default/messages/en.yaml and translate it); "
                    "docs/bilingual.md",
                    lang=lang,
                ),
            )


@dataclass(frozen=True, slots=True)
class _Run:
    """What loading the data files of one project needs."""

    root: Path
    problems: Problems
    drafts: bool
    cache: Cache | None
    languages: Languages
    archives: tuple[Path, ...]  # the folders sources' archives may be in
    feed: bool  # the site has a base_url, so an Atom feed lists dated conferences
    replaced: Mapping[Path, str]  # data files' texts to use instead of the files'
    progress: Callable[[str], None]  # told each conference loaded


def _load_entries(run: _Run) -> list[Entry | None]:
    root, problems = run.root, run.problems
    data_dir = root / "data"
    files = sorted(
        p
        for p in (data_dir.iterdir() if data_dir.is_dir() else ())
        if p.suffix in (".yaml", ".yml") and not p.is_dir()
    )
    by_slug: dict[str, list[Path]] = {}
    for path in files:
        by_slug.setdefault(path.stem.lower(), []).append(path.relative_to(root))
    entries: list[Entry | None] = []
    for slug, paths in sorted(by_slug.items()):
        if len(paths) > 1:
            names = ", ".join(p.as_posix() for p in paths)
            for path in paths:
                problems.add(
                    Pos(path),
                    t(
                        "two data files give the slug '{slug}': {names}",
                        slug=slug,
                        names=names,
                    ),
                    t("keep one file per conference"),
                )
            continue
        entry = _remembered_entry(run, paths[0])
        if entry is None and _SLUG.match(slug):  # its narratives' problems too
            _load_narratives_alone(
                run.root, slug, run.problems, run.drafts, run.languages
            )
        entries.append(entry)
        run.progress(slug)
    _check_orphan_content(root, set(by_slug), problems)
    return entries


def _remembered_entry(run: _Run, rel: Path) -> Entry | None:
    """Load one conference, or take it from the memo (``load.memo``) when unchanged."""
    cache = run.cache
    if cache is None or cache.folder is None or rel in run.replaced:
        return _load_entry(run, rel)
    text = read_text(run.root, rel, Problems(), MAX_DATA_BYTES)
    if text is None or not _SLUG.match(rel.stem):
        return _load_entry(run, rel)  # reports why
    languages = run.languages
    archives = [str(folder) for folder in run.archives]
    others = sorted(languages.others)
    settings = repr(  # the warnings it keeps are in the language of the messages
        (languages.primary, others, archives, run.feed, run.drafts, current_language())
    )
    scope = Scope(run.root, settings)
    return remembered(
        cache,
        scope,
        entry_key(scope, rel, text),
        run.problems,
        lambda found: _load_entry(
            dataclasses.replace(run, problems=found, replaced={rel: text}), rel
        ),
    )


def _load_entry(run: _Run, rel: Path) -> Entry | None:
    root, problems, languages = run.root, run.problems, run.languages
    slug = rel.stem
    if not _SLUG.match(slug):
        problems.add(
            Pos(rel),
            t("file name '{name}' is not a valid slug", name=rel.name),
            t(
                "use lowercase ASCII letters, digits and '-', e.g. '{slug}.yaml'",
                slug=slugify(slug),
            ),
        )
        return None
    text = (
        run.replaced[rel]
        if rel in run.replaced
        else read_text(root, rel, problems, MAX_DATA_BYTES)
    )
    if text is None:
        return None
    positions = Positions(rel)
    before = len(problems.errors)
    raw = parse_yaml(text, positions, problems, run.cache)
    if raw is None:
        if len(problems.errors) == before:
            problems.add(Pos(rel), t("data file holds no fields"))
        return None
    if not isinstance(raw, dict):
        problems.add(Pos(rel), t("a data file must be a mapping of fields"))
        return None
    derived_ok = derive_values(
        raw, positions, problems, languages.others, languages.primary
    )
    every = sorted(languages.others | {languages.primary})
    texts = split_texts(raw, Conference, every, positions, problems)
    _drop_primary_texts(texts, languages.primary, positions, problems)
    conference = validate(Conference, raw, positions, problems)
    if conference is None:
        check_partial(raw, positions, problems, values=derived_ok)
        return None
    _check_references(conference, positions, problems)
    check_claims(conference, positions, problems)
    check_quotes(conference, root, run.archives, positions, problems)
    if run.feed and conference.publication_date is None:
        problems.warn(
            positions.at(()),
            t(
                "this conference has no published date, nor do its sources: the feed "
                "leaves it out"
            ),
            t(
                "add `published: YYYY-MM-DD`, the day the proceedings were published "
                "(docs/site.md)"
            ),
        )
    check_conference(conference, positions, problems, values=derived_ok)
    drafts = run.drafts
    narratives = load_narratives(root, slug, problems, drafts, languages.primary)
    translations = [
        narrative
        for lang in sorted(languages.others)
        for narrative in load_translations(
            root, slug, (lang, languages.primary), narratives, problems, drafts
        )
    ]
    check_placeholders(conference, narratives, positions, problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Entry(
        slug,
        rel,
        conference,
        tuple(narratives),
        positions,
        tuple(translations),
        texts,
        digest=digest,
    )


# Hosts reserved for examples and tests (RFC 2606, RFC 6761), and example.<tld>.
_PLACEHOLDER = re.compile(
    r"^(?:[a-z0-9-]+\.)*(?:example(?:\.[a-z.]+)?|[a-z0-9-]+\.(?:example|invalid|test|"
    r"localhost)|localhost)$"
)


def placeholder(url: str) -> bool:
    """True when url's host is an example or test address, not a real one."""
    host = urlsplit(url).hostname or ""
    return bool(url) and bool(_PLACEHOLDER.match(host.lower()))


def _load_narratives_alone(
    root: Path, slug: str, problems: Problems, drafts: bool, languages: Languages
) -> None:
    """Read a conference's narratives when its data file failed, for their problems.

    So a broken data file hides nothing else; their Markdown is checked by the
    build (``build.stages.load``) against the ids the data file names.
    """
    narratives = load_narratives(root, slug, problems, drafts, languages.primary)
    for lang in sorted(languages.others):
        load_translations(
            root, slug, (lang, languages.primary), narratives, problems, drafts
        )


def _drop_primary_texts(
    texts: Texts, primary: str, positions: Positions, problems: Problems
) -> None:
    """Warn once about blocks named after the primary language: they are not used.

    They are what a data file holds when a site changes its primary language.
    """
    blocks = texts.pop(primary, {})
    if blocks:
        first = min(blocks, key=positions.at)
        problems.warn(
            positions.at((*first, primary), key=True),
            t(
                "{count} `{primary}:` block(s) give texts in the site's primary "
                "language; they are not used",
                count=len(blocks),
                primary=primary,
            ),
            t(
                "write the texts in the fields themselves; a block named after a "
                "language gives texts in another one (docs/bilingual.md)"
            ),
        )


def _check_references(
    conf: Conference, positions: Positions, problems: Problems
) -> None:
    """Report duplicate ids and references to ids that do not exist."""
    for list_name in ("speakers", "indicators", "sources", "figures", "follow_up"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(conf, list_name)):
            if item.id in seen:  # report the later copies, not the first
                problems.add(
                    positions.at((list_name, i, "id")),
                    t(
                        "{list_name}: id '{id}' is used more than once",
                        list_name=list_name,
                        id=item.id,
                    ),
                    t("ids must be unique within a list"),
                )
            seen.add(item.id)
    sources = {s.id for s in conf.sources}
    speakers = {s.id for s in conf.speakers}
    indicators = {i.id for i in conf.indicators}
    refs: list[tuple[Loc, str, set[str], str]] = []  # where, which id, known ids, kind
    for i, ind in enumerate(conf.indicators):
        refs.append((("indicators", i, "source"), ind.source, sources, N_("source")))
    for i, session in enumerate(conf.sessions):
        for j, speaker in enumerate(session.speakers):
            refs.append(
                (("sessions", i, "speakers", j), speaker, speakers, N_("speaker"))
            )
    for i, fig in enumerate(conf.figures):
        for j, ident in enumerate(fig.indicators):
            refs.append(
                (("figures", i, "indicators", j), ident, indicators, N_("indicator"))
            )
        for k, series in enumerate(fig.series):
            for j, ident in enumerate(series.indicators):
                loc: Loc = ("figures", i, "series", k, "indicators", j)
                refs.append((loc, ident, indicators, N_("indicator")))
    for loc, ident, known, what in refs:
        expect(ident, known, what, positions.at(loc), problems)


def _check_follow_up_reports(
    entries: list[Entry], all_slugs: set[str], problems: Problems
) -> None:
    """Check reports on earlier tasks; a conference that failed to load is not named."""
    by_slug = {e.slug: e for e in entries}
    for entry in entries:
        for i, report in enumerate(entry.data.follow_up_reports):
            loc = ("follow_up_reports", i)
            earlier = by_slug.get(report.conference)
            if earlier is None:
                if report.conference not in all_slugs:
                    problems.add(
                        entry.positions.at((*loc, "conference")),
                        t(
                            "unknown conference '{conference}'",
                            conference=report.conference,
                        ),
                        did_you_mean(report.conference, by_slug, N_("conference slug")),
                    )
            elif report.task not in {t.id for t in earlier.data.follow_up}:
                problems.add(
                    entry.positions.at((*loc, "task")),
                    t(
                        "conference '{conference}' sets no task '{task}'",
                        conference=report.conference,
                        task=report.task,
                    ),
                    did_you_mean(
                        report.task,
                        {t.id for t in earlier.data.follow_up},
                        N_("task id"),
                    ),
                )


def _check_orphan_content(root: Path, slugs: set[str], problems: Problems) -> None:
    content = root / "content"
    if not content.is_dir():
        return
    for folder in sorted(content.iterdir()):
        if (
            folder.is_dir()
            and folder.name not in slugs
            and not folder.name.startswith(".")
        ):
            problems.add(
                Pos(folder.relative_to(root)),
                t("content folder '{name}' has no data file", name=folder.name),
                t(
                    "create data/{name}.yaml or rename the folder to a conference slug",
                    name=folder.name,
                ),
            )
