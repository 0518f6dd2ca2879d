"""Read site.yaml, data/*.yaml and content/<slug>/*.md into a typed, checked Site.

Files are decoded as strict UTF-8 (a BOM is dropped, CRLF read as LF) and
NFC-normalised before parsing, so every later stage sees one spelling of each
Vietnamese letter. Every problem is reported with its position; nothing here raises
for bad content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.core.cache import Cache
from generator.core.context import require_project
from generator.errors import Pos, Problems, did_you_mean
from generator.i18n import N_, t
from generator.load.archives import allowed_roots
from generator.load.checks import check_series
from generator.load.conference import SLUG, Run, drop_primary_texts, load_all, quiet
from generator.load.files import MAX_DATA_BYTES, note_read, read_text
from generator.load.narratives import load_narratives, load_translations
from generator.load.parse import parse_yaml
from generator.load.suppress import resolve_suppression
from generator.load.themes import catalogue_languages, theme_dirs
from generator.load.translate import Languages, Texts, split_texts
from generator.load.validate import validate
from generator.model import (
    Entry,
    Loc,
    Positions,
    Site,
    SiteConfig,
)


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
    run = Run(
        root,
        problems,
        drafts,
        cache,
        settings.languages,
        settings.archives,
        feed,
        replaced or {},
        progress or quiet,
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
    drop_primary_texts(texts, primary, positions, problems)
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


def _load_entries(run: Run) -> list[Entry | None]:
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
    singles = [paths[0] for _, paths in sorted(by_slug.items()) if len(paths) == 1]
    loaded = load_all(run, singles)
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
        entry, found, reads, _ = loaded[paths[0]]
        problems.extend(found)
        for path in sorted(reads):
            note_read(path)
        if entry is None and SLUG.match(slug):  # its narratives' problems too
            _load_narratives_alone(
                run.root, slug, run.problems, run.drafts, run.languages
            )
        entries.append(entry)
    _check_orphan_content(root, set(by_slug), problems)
    return entries


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
