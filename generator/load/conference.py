"""One conference loaded: its data file parsed, derived, validated and checked.

``load_site`` (``load.project``) lists the data files and checks what depends on
several conferences; each conference is loaded here alone — from the memo
(``load.memo``) when nothing it was made from changed, else read and checked, in
worker processes when there are many (``load_all``): conferences do not depend on
each other while they load, so the result is the same in any order.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.core.cache import Cache
from generator.core.workers import pool_map
from generator.errors import Pos, Problem, Problems
from generator.formats import slugify
from generator.i18n import N_, current_language, t
from generator.load.archives import check_quotes
from generator.load.checks import check_conference
from generator.load.claims import check_claims
from generator.load.derive import derive_values
from generator.load.files import MAX_DATA_BYTES, read_text, recording
from generator.load.memo import Scope, entry_key, recall, remembered
from generator.load.narratives import load_narratives, load_translations
from generator.load.parse import parse_yaml
from generator.load.partial import check_partial, expect
from generator.load.placeholders import check_placeholders
from generator.load.translate import Languages, Texts, split_texts
from generator.load.validate import validate
from generator.model import Conference, Entry, Loc, Positions

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Run:
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


# A conference loaded: the entry (None if it has errors), its problems, the
# files it read, and the cache entries found damaged while loading it.
Loaded = tuple[Entry | None, list[Problem], set[Path], list[str]]


def load_all(run: Run, rels: list[Path]) -> dict[Path, Loaded]:
    """Load the data files rels: from the memo, else in worker processes if many.

    Loading is per conference (what depends on several is checked afterwards),
    so worker processes load the conferences not in the memo, each keeping what
    it loaded in the memo, and give back the entries, problems and reads in
    order: the result is the same as loading them one by one here.
    """
    done: dict[Path, Loaded] = {}
    todo = []
    for rel in rels:
        memo = _memo_key(run, rel)
        if memo is not None and run.cache is not None:
            found, read = Problems(), set[Path]()
            with recording(read):
                entry = recall(run.cache, memo[1], found)
            if entry is not None:
                done[rel] = (entry, found.items, read, [])
                run.progress(rel.stem)
                continue
        todo.append(rel)
    results: Iterable[Loaded]
    if len(todo) < PARALLEL_LOAD_FROM or run.replaced:
        results = (_captured(run, rel) for rel in todo)
    else:
        work = functools.partial(_load_in_worker, _Spec.of(run))
        results = pool_map(work, todo, parallel_from=PARALLEL_LOAD_FROM, chunksize=8)
    for rel, result in zip(todo, results, strict=True):
        done[rel] = result
        if run.cache is not None:
            run.cache.damaged.extend(result[3])
        run.progress(rel.stem)
    return done


PARALLEL_LOAD_FROM = 48  # conferences to load; fewer load faster than workers start


@dataclass(frozen=True, slots=True)
class _Spec:
    """What a worker process needs to load conferences as this run does."""

    root: Path
    drafts: bool
    cache: Path | None
    languages: Languages
    archives: tuple[Path, ...]
    feed: bool

    @classmethod
    def of(cls, run: Run) -> _Spec:
        folder = run.cache.folder if run.cache is not None else None
        return cls(run.root, run.drafts, folder, run.languages, run.archives, run.feed)


def _load_in_worker(spec: _Spec, rel: Path) -> Loaded:
    """Load one conference in a worker process (``load_all``)."""
    # Nothing kept alive here: the worker lives on, the parent reuses the entry.
    cache = Cache(spec.cache, keep_live=False) if spec.cache is not None else None
    run = Run(
        spec.root,
        Problems(),
        spec.drafts,
        cache,
        spec.languages,
        spec.archives,
        spec.feed,
        {},
        quiet,
    )
    entry, found, read, _ = _captured(run, rel)
    return entry, found, read, cache.damaged if cache is not None else []


def _captured(run: Run, rel: Path) -> Loaded:
    """Load one conference, its problems and reads kept apart from the run's."""
    found, read = Problems(), set[Path]()
    with recording(read):
        entry = _remembered_entry(dataclasses.replace(run, problems=found), rel)
    return entry, found.items, read, []


def _memo_key(run: Run, rel: Path) -> tuple[Scope, str, str] | None:
    """The memo's scope and key for rel, and its text; None if no memo is used."""
    cache = run.cache
    if cache is None or cache.folder is None or rel in run.replaced:
        return None
    text = read_text(run.root, rel, Problems(), MAX_DATA_BYTES)
    if text is None or not SLUG.match(rel.stem):
        return None
    languages = run.languages
    archives = [str(folder) for folder in run.archives]
    others = sorted(languages.others)
    settings = repr(  # the warnings it keeps are in the language of the messages
        (languages.primary, others, archives, run.feed, run.drafts, current_language())
    )
    scope = Scope(run.root, settings)
    return scope, entry_key(scope, rel, text), text


def _remembered_entry(run: Run, rel: Path) -> Entry | None:
    """Load one conference, or take it from the memo (``load.memo``) when unchanged."""
    memo = _memo_key(run, rel)
    if memo is None or run.cache is None:
        return _load_entry(run, rel)  # reports why, if it is a problem
    scope, key, text = memo
    return remembered(
        run.cache,
        scope,
        key,
        run.problems,
        lambda found: _load_entry(
            dataclasses.replace(run, problems=found, replaced={rel: text}), rel
        ),
    )


def _load_entry(run: Run, rel: Path) -> Entry | None:
    root, problems, languages = run.root, run.problems, run.languages
    slug = rel.stem
    if not SLUG.match(slug):
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
    drop_primary_texts(texts, languages.primary, positions, problems)
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


def drop_primary_texts(
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


def quiet(slug: str) -> None:
    """Say nothing of a conference loaded."""
