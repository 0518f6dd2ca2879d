"""Read site.yaml, data/*.yaml and content/<slug>/*.md into a typed, checked Site.

Files are decoded as strict UTF-8 (a BOM is dropped, CRLF read as LF) and
NFC-normalised before parsing, so every later stage sees one spelling of each
Vietnamese letter. Every problem is reported with its position; nothing here raises
for bad content.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.checks import check_conference, check_series, derive_values
from generator.errors import Pos, Problems, UsageError, did_you_mean
from generator.formats import slugify
from generator.memo import Memo
from generator.model import (
    Conference,
    Entry,
    FrontMatter,
    FrontMatterEn,
    Narrative,
    Site,
    SiteConfig,
)
from generator.suppress import resolve_suppression
from generator.yamlload import Loc, Positions, parse_yaml, validate

MAX_DATA_BYTES = 1_000_000
MAX_NARRATIVE_BYTES = 2_000_000
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def load_site(
    root: Path, problems: Problems, *, drafts: bool = False, memo: Memo | None = None
) -> Site:
    """Load and check the whole project at root; raise BuildFailed listing every error.

    Warnings stay in problems for the caller. Drafts are left out unless drafts is
    true (the preview server shows them). With a memo, data files parsed before
    are not parsed again (incremental builds).
    """
    root = root.resolve()
    if not (root / "site.yaml").is_file():
        raise UsageError(
            f"no site.yaml in {root}: run proceedings in a project folder "
            "(one with site.yaml, data/ and content/), or pass --root"
        )
    config_positions = Positions(Path("site.yaml"))
    config = load_config(root, problems, config_positions)
    entries = [e for e in _load_entries(root, problems, drafts, memo) if e is not None]
    data_dir = root / "data"
    all_slugs = (
        {p.stem for p in data_dir.glob("*.y*ml")} if data_dir.is_dir() else set()
    )
    _check_follow_up_reports(entries, all_slugs, problems)
    check_series(entries, problems)
    problems.check()
    entries.sort(key=lambda e: (e.data.period.end, e.slug), reverse=True)
    site = Site(root, config or SiteConfig(), tuple(entries))
    # Small counts shown as "< N": thresholds resolved into the model, masks listed.
    site = resolve_suppression(site, config_positions, problems)
    problems.check()
    return site


def load_config(
    root: Path, problems: Problems, positions: Positions | None = None
) -> SiteConfig | None:
    """Read site.yaml; every field has a default. positions, if given, are filled."""
    rel = Path("site.yaml")
    text = read_text(root, rel, problems, MAX_DATA_BYTES)
    if text is None:
        return None
    positions = positions if positions is not None else Positions(rel)
    data = parse_yaml(text, positions, problems)
    return validate(SiteConfig, data if data is not None else {}, positions, problems)


@functools.lru_cache(maxsize=8)
def _real_root(root: Path) -> Path:
    """The project folder with links resolved; once per folder, not once per file."""
    return root.resolve()


def read_text(root: Path, rel: Path, problems: Problems, limit: int) -> str | None:
    """Read a project file as NFC text with LF line ends, reporting what is wrong."""
    path = root / rel
    try:
        real = path.resolve()
        if not real.is_relative_to(_real_root(root)):
            problems.add(
                Pos(rel),
                "file is a link to a place outside the project",
                "copy the file into the project instead of linking to it",
            )
            return None
        if not real.is_file():  # a folder, a FIFO or a device would block or fail
            problems.add(
                Pos(rel),
                "file is not an ordinary file",
                "replace it with an ordinary text file, or remove it",
            )
            return None
        with real.open("rb") as handle:  # never more than the limit in memory
            raw = handle.read(limit + 1)
            size = max(len(raw), os.fstat(handle.fileno()).st_size)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        reason = (
            "it is a link that leads back to itself"
            if isinstance(exc, RuntimeError)
            else (exc.strerror or type(exc).__name__).lower()
        )
        problems.add(
            Pos(rel),
            f"file cannot be read: {reason}",
            "replace it with an ordinary file, or remove it",
        )
        return None
    if size > limit:
        problems.add(
            Pos(rel),
            f"file is {size:,} bytes, over the limit of {limit:,}",
            "split it into smaller files",
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        problems.add(
            Pos(rel, line, col),
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8; if it came from an old Windows program, convert "
            "it from Windows-1258 or Latin-1, e.g. "
            f"iconv -f WINDOWS-1258 -t UTF-8 {rel.name}",
        )
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problems.add(Pos(rel), "file is empty", "see docs/content.md for an example")
        return None
    return unicodedata.normalize("NFC", text)


def _load_entries(
    root: Path, problems: Problems, drafts: bool, memo: Memo | None
) -> list[Entry | None]:
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
                    f"two data files give the slug '{slug}': {names}",
                    "keep one file per conference",
                )
            continue
        entries.append(_load_entry(root, paths[0], problems, drafts, memo))
    _check_orphan_content(root, set(by_slug), problems)
    return entries


def _load_entry(
    root: Path, rel: Path, problems: Problems, drafts: bool, memo: Memo | None
) -> Entry | None:
    slug = rel.stem
    if not _SLUG.match(slug):
        problems.add(
            Pos(rel),
            f"file name '{rel.name}' is not a valid slug",
            f"use lowercase ASCII letters, digits and '-', e.g. '{slugify(slug)}.yaml'",
        )
        return None
    text = read_text(root, rel, problems, MAX_DATA_BYTES)
    if text is None:
        return None
    positions = Positions(rel)
    before = len(problems.errors)
    raw = parse_yaml(text, positions, problems, memo)
    if raw is None:
        if len(problems.errors) == before:
            problems.add(Pos(rel), "data file holds no fields")
        return None
    if not isinstance(raw, dict):
        problems.add(Pos(rel), "a data file must be a mapping of fields")
        return None
    derived_ok = derive_values(raw, positions, problems)
    conference = validate(Conference, raw, positions, problems)
    if conference is None:
        return None
    _check_references(conference, positions, problems)
    check_conference(conference, positions, problems, values=derived_ok)
    _check_english_lists(conference, positions, problems)
    narratives = _load_narratives(root, slug, problems, drafts)
    translations = _load_translations(root, slug, narratives, problems, drafts)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Entry(
        slug,
        rel,
        conference,
        tuple(narratives),
        positions,
        tuple(translations),
        digest=digest,
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
                    f"{list_name}: id '{item.id}' is used more than once",
                    "ids must be unique within a list",
                )
            seen.add(item.id)
    sources = {s.id for s in conf.sources}
    speakers = {s.id for s in conf.speakers}
    indicators = {i.id for i in conf.indicators}
    refs: list[tuple[Loc, str, set[str], str]] = []  # where, which id, known ids, kind
    for i, ind in enumerate(conf.indicators):
        refs.append((("indicators", i, "source"), ind.source, sources, "source"))
    for i, session in enumerate(conf.sessions):
        for j, speaker in enumerate(session.speakers):
            refs.append((("sessions", i, "speakers", j), speaker, speakers, "speaker"))
    for i, report in enumerate(conf.follow_up_reports):
        if report.source is not None:
            loc: Loc = ("follow_up_reports", i, "source")
            refs.append((loc, report.source, sources, "source"))
    for i, fig in enumerate(conf.figures):
        for j, ident in enumerate(fig.indicators):
            refs.append(
                (("figures", i, "indicators", j), ident, indicators, "indicator")
            )
        for k, series in enumerate(fig.series):
            for j, ident in enumerate(series.indicators):
                loc = ("figures", i, "series", k, "indicators", j)
                refs.append((loc, ident, indicators, "indicator"))
    for loc, ident, known, what in refs:
        _expect(ident, known, what, positions.at(loc), problems)


def _check_english_lists(
    conf: Conference, positions: Positions, problems: Problems
) -> None:
    """Report `en:` lists whose length differs from the Vietnamese list they render."""
    pairs: list[tuple[Loc, Sequence[str], Sequence[str] | None]] = []
    if conf.en is not None:
        pairs.append((("organisers",), conf.organisers, conf.en.organisers))
        pairs.append((("topics",), conf.topics, conf.en.topics))
    for i, fig in enumerate(conf.figures):
        if fig.en is not None:
            pairs.append((("figures", i, "labels"), fig.labels, fig.en.labels))
    for loc, original, english in pairs:
        if english is not None and len(english) != len(original):
            en_loc = (*loc[:-1], "en", loc[-1])
            problems.add(
                positions.at(en_loc),
                f"en.{loc[-1]} has {len(english)} entries but {loc[-1]} has "
                f"{len(original)}",
                f"give one English entry for each entry of {loc[-1]}, in the same "
                "order",
            )


def _expect(
    ident: str, known: set[str], what: str, pos: Pos, problems: Problems
) -> None:
    if ident not in known:
        problems.add(
            pos, f"unknown {what} '{ident}'", did_you_mean(ident, known, f"{what} id")
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
                        f"unknown conference '{report.conference}'",
                        did_you_mean(report.conference, by_slug, "conference slug"),
                    )
            elif report.task not in {t.id for t in earlier.data.follow_up}:
                problems.add(
                    entry.positions.at((*loc, "task")),
                    f"conference '{report.conference}' sets no task '{report.task}'",
                    did_you_mean(
                        report.task, {t.id for t in earlier.data.follow_up}, "task id"
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
                f"content folder '{folder.name}' has no data file",
                f"create data/{folder.name}.yaml or rename the folder to a conference "
                "slug",
            )


def _load_narratives(
    root: Path, slug: str, problems: Problems, drafts: bool
) -> list[Narrative]:
    folder = root / "content" / slug
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.md")):
        narrative = load_narrative(root, path.relative_to(root), problems)
        if narrative is not None and (drafts or not narrative.front.draft):
            out.append(narrative)
    out.sort(key=lambda n: (n.front.order, n.slug))
    return out


def _load_translations(
    root: Path,
    slug: str,
    originals: Sequence[Narrative],
    problems: Problems,
    drafts: bool,
) -> list[Narrative]:
    """Read content/<slug>/en/*.md, each the English version of a same-named file.

    A translation takes its place (`order`) from its original; one whose original is
    a draft left out of this build is left out too, as is an English draft (unless
    drafts is true).
    """
    folder = root / "content" / slug / "en"
    if not folder.is_dir() or folder.is_symlink():
        return []
    names = {p.stem for p in folder.parent.glob("*.md")}
    order = {n.slug: n.front.order for n in originals}
    out = []
    for path in sorted(folder.glob("*.md")):
        rel = path.relative_to(root)
        if path.stem not in names:
            problems.add(
                Pos(rel),
                f"English narrative '{path.name}' has no Vietnamese original "
                f"content/{slug}/{path.name}",
                "an English version keeps the file name of the narrative it "
                "translates; " + did_you_mean(path.stem, names, "narrative"),
            )
            continue
        narrative = load_narrative(root, rel, problems, lang="en")
        if narrative is None or path.stem not in order:
            continue
        if drafts or not narrative.front.draft:
            front = narrative.front.model_copy(update={"order": order[path.stem]})
            out.append(dataclasses.replace(narrative, front=front))
    out.sort(key=lambda n: (n.front.order, n.slug))
    return out


def load_narrative(
    root: Path, rel: Path, problems: Problems, *, lang: str = "vi"
) -> Narrative | None:
    """Read one narrative: a front-matter block between '---' lines, then Markdown.

    An English one (lang "en") may give only title, summary and draft.
    """
    if not _SLUG.match(rel.stem):
        problems.add(
            Pos(rel),
            f"file name '{rel.name}' is not a valid slug",
            f"use lowercase ASCII letters, digits and '-', "
            f"e.g. '{slugify(rel.stem)}.md'",
        )
        return None
    text = read_text(root, rel, problems, MAX_NARRATIVE_BYTES)
    if text is None:
        return None
    match = _FRONT.match(text)
    if match is None:
        problems.add(
            Pos(rel),
            "narrative has no front matter",
            "start the file with '---', a line 'title: …', and '---'",
        )
        return None
    positions = Positions(rel, line_offset=1)
    before = len(problems.errors)
    front_raw: Any = parse_yaml(match.group(1) or "", positions, problems)
    if not isinstance(front_raw, dict):
        if len(problems.errors) == before:
            problems.add(
                Pos(rel, 2), "front matter must be a mapping such as 'title: …'"
            )
        return None
    if lang == "vi":
        front = validate(FrontMatter, front_raw, positions, problems)
    else:
        english = validate(FrontMatterEn, front_raw, positions, problems)
        front = None if english is None else FrontMatter(**english.model_dump())
    if front is None:
        return None
    body = text[match.end() :]
    if not body.strip():
        problems.warn(Pos(rel), "narrative has no text after its front matter")
    body_line = text[: match.end()].count("\n") + 1
    return Narrative(rel.stem, rel, front, body, body_line, lang)
