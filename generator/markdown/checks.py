"""Check what a narrative refers to: indicators, figures, links, images."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markdown_it.token import Token

from generator.errors import Pos, Problems, did_you_mean
from generator.i18n import N_, t
from generator.load.validate import visible
from generator.markdown.pieces import FigureRef
from generator.model import (
    Indicator,
    Narrative,
)

MAX_IMAGE_BYTES = 10_000_000
IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
IMAGE_SCHEMES = frozenset({"http", "https"})  # remote: linked, never fetched
_SEARCH = 10_000  # characters searched for a position on one line, see _pos


@dataclass(frozen=True, slots=True)
class Unloaded:
    """A conference whose data file has errors: the ids it names, as written.

    Its narratives are still checked; a citation is only unknown if the data
    file does not name the id at all, and the hint says the file has errors.
    """

    data: Path  # the data file, relative to the project
    indicators: frozenset[str]
    figures: frozenset[str]
    readable: bool = True  # False: no id could be read, none is checked

    def names(self, ident: str, known: frozenset[str]) -> bool:
        """Tell whether the data file names ident (up to case: one error is enough)."""
        return (
            not self.readable
            or ident in known
            or ident.casefold() in {k.casefold() for k in known}
        )

    def hint(self, close: str) -> str:
        """The hint of an unknown id: the data file's errors first."""
        data = self.data.as_posix()
        return t(
            "{data} has errors, so its ids may be wrong too: fix it first; {close}",
            data=data,
            close=close,
        )


def _check_references(
    tokens: list[Token],
    narrative: Narrative,
    lines: list[str],
    indicators: Mapping[str, Indicator],
    figures: set[str],
    problems: Problems,
    unloaded: Unloaded | None = None,
) -> dict[str, FigureRef]:
    refs: dict[str, FigureRef] = {}
    columns: dict[int, int] = {}  # where the last citation found on a line ended
    for token in tokens:
        if token.type == "figure_ref" and token.map:
            ident = token.meta["id"]
            pos = _pos(narrative, lines, token.map[0], token.content)
            refs[ident] = FigureRef(ident, pos)
            if unloaded is not None:
                if not unloaded.names(ident, unloaded.figures):
                    close = did_you_mean(ident, unloaded.figures, N_("figure id"))
                    problems.add(
                        pos,
                        t("unknown figure '{id}'", id=visible(ident)),
                        unloaded.hint(close),
                    )
            elif ident not in figures:
                problems.add(
                    pos,
                    t("unknown figure '{id}'", id=visible(ident)),
                    did_you_mean(ident, figures, N_("figure id")),
                )
        for line, child in inline_children(token):
            if child.type == "indicator_ref":
                ident, kind = child.meta["id"], child.meta["kind"]
                pos = _pos(narrative, lines, line, child.content, columns)
                indicator = indicators.get(ident)
                if unloaded is not None:
                    if not unloaded.names(ident, unloaded.indicators):
                        close = did_you_mean(
                            ident, unloaded.indicators, N_("indicator id")
                        )
                        problems.add(
                            pos,
                            t("unknown indicator '{id}'", id=visible(ident)),
                            unloaded.hint(close),
                        )
                elif indicator is None:
                    problems.add(
                        pos,
                        t("unknown indicator '{id}'", id=visible(ident)),
                        did_you_mean(ident, indicators, N_("indicator id")),
                    )
                elif kind in ("prev", "change") and indicator.previous_value is None:
                    problems.add(
                        pos,
                        t(
                            "indicator '{ident}' has no compared value for :{kind}[]",
                            ident=ident,
                            kind=kind,
                        ),
                        t(
                            "give the indicator `change` or `previous` with "
                            "`compared_to`"
                        ),
                    )
    return refs


def _scheme(url: str) -> str | None:
    """Return a URL's scheme in lowercase, or None for a relative URL."""
    match = _SCHEME.match(url)
    return match.group(0)[:-1].lower() if match else None


def _check_urls(
    tokens: list[Token], narrative: Narrative, lines: list[str], problems: Problems
) -> None:
    """Report links and images whose scheme we don't publish, and unmake them.

    A refused link keeps its text without the link; a refused image becomes its alt
    text. Entity-encoded and mixed-case schemes arrive here decoded by markdown-it.
    """
    for token in tokens:
        if not token.children:
            continue
        line = token.map[0] if token.map else 0
        kept: list[Token] = []
        unmade = False
        columns: dict[int, int] = {}
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                scheme = _scheme(href)
                if scheme is not None and scheme not in LINK_SCHEMES:
                    problems.add(
                        _pos_of_url(narrative, lines, line, href, columns),
                        t(
                            "link '{visible}' uses '{scheme}:', which a published "
                            "page may not link to",
                            visible=visible(href[:80]),
                            scheme=scheme,
                        ),
                        t(
                            "links may use http(s), mailto or tel, or a path to a "
                            "page of the site such as ../<slug>/index.html"
                        ),
                    )
                    unmade = True
                    continue
            elif child.type == "link_close" and unmade:
                unmade = False  # links do not nest: this closes the refused one
                continue
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                scheme = _scheme(src)
                if scheme is not None and scheme not in IMAGE_SCHEMES:
                    problems.add(
                        _pos_of_url(narrative, lines, line, src, columns),
                        t(
                            "image '{visible}' uses '{scheme}:', which the build "
                            "does not read",
                            visible=visible(src[:80]),
                            scheme=scheme,
                        ),
                        t(
                            "put the image in the conference's content folder and "
                            "write its name, e.g. ![Toàn cảnh](anh.png)"
                        ),
                    )
                    text = Token("text", "", 0)
                    text.content = child.content
                    child = text
            kept.append(child)
        token.children = kept


def _pos_of_url(
    narrative: Narrative, lines: list[str], line: int, url: str, after: dict[int, int]
) -> Pos:
    """Place a URL on its line, as written (it may be %-encoded or an entity)."""
    start = after.get(line, 0)
    text = (lines[line] if line < len(lines) else "")[start : start + _SEARCH].lower()
    for needle in (url, unquote(url), url.split(":", 1)[0] + ":"):
        found = text.find(needle.lower())
        if found >= 0:
            after[line] = start + found + len(needle)
            return Pos(narrative.path, narrative.body_line + line, start + found + 1)
    return _pos(narrative, lines, line, "](", after)


def _collect_media(
    tokens: list[Token],
    narrative: Narrative,
    lines: list[str],
    root: Path | None,
    problems: Problems,
) -> tuple[list[tuple[str, Path]], list[tuple[str, Pos]]]:
    """Check local images and links; point images at copies beside the page."""
    assets: dict[str, Path] = {}
    links: list[tuple[str, Pos]] = []
    columns: dict[int, int] = {}
    for token in tokens:
        line = token.map[0] if token.map else 0
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if not _SCHEME.match(href):
                    links.append((href, _pos(narrative, lines, line, href, columns)))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                pos = _pos(narrative, lines, line, src, columns)
                if not child.content.strip():  # at the file, like other image problems
                    problems.warn(
                        pos,
                        t(
                            "image '{visible}' has no alt text, which screen readers "
                            "and the tagged PDF need",
                            visible=visible(src[:80]),
                        ),
                        t("describe what it shows: ![Toàn cảnh hội nghị](anh.png)"),
                    )
                if root is None or _SCHEME.match(src):
                    continue  # remote: linked from HTML, never fetched by the build
                source = _local_file(root, narrative, src, pos, problems)
                if source is not None:
                    # Named after its place in the project, never after where the
                    # project is: the same project anywhere gives the same site.
                    rel = source.relative_to(root.resolve()).as_posix()
                    digest = hashlib.sha256(rel.encode()).hexdigest()[:8]
                    target = f"media/{digest}-{source.name}"
                    assets[target] = source
                    child.attrSet("src", target)
    return sorted(assets.items()), links


def _local_file(
    root: Path, narrative: Narrative, src: str, pos: Pos, problems: Problems
) -> Path | None:
    """Resolve an image path inside the project, or report why it can't be used."""
    rel = unquote(src.split("#")[0].split("?")[0])
    if not rel or rel.startswith("/") or "\\" in rel:
        problems.add(
            pos,
            t("image path '{src}' must be relative to the narrative", src=src),
            t("put the image in the conference's content folder and write its name"),
        )
        return None
    try:
        path = (root / narrative.path.parent / rel).resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop; a NUL from %00
        problems.add(
            pos,
            t("image '{src}' cannot be read: it is a link that leads nowhere", src=src),
            t("copy the image into the conference's content folder"),
        )
        return None
    if not path.is_relative_to(root.resolve()):
        problems.add(
            pos,
            t("image '{src}' is outside the project", src=src),
            t("copy the image into the conference's content folder"),
        )
        return None
    if not path.is_file():
        problems.add(
            pos,
            t("image '{src}' does not exist", src=src),
            t(
                "looked for {path}",
                path=path.relative_to(root.resolve()).as_posix(),
            ),
        )
        return None
    if path.suffix.lower() not in IMAGE_TYPES:
        problems.add(
            pos,
            t("image '{src}' is not a picture format we publish", src=src),
            t("use one of: {types}", types=", ".join(sorted(IMAGE_TYPES))),
        )
        return None
    if path.stat().st_size > MAX_IMAGE_BYTES:
        problems.add(
            pos,
            t(
                "image '{src}' is larger than {mb} MB",
                src=src,
                mb=MAX_IMAGE_BYTES // 1_000_000,
            ),
            t("resize or compress it"),
        )
        return None
    return path


def _pos(
    narrative: Narrative,
    lines: list[str],
    line: int,
    needle: str,
    after: dict[int, int] | None = None,
) -> Pos:
    """Find needle on a body line; with `after`, repeats get their own columns.

    The search looks at _SEARCH characters from where the last one ended: a 2 MB
    line with 20 000 links must not cost 20 000 scans of the line.
    """
    text = lines[line] if line < len(lines) else ""
    start = after.get(line, 0) if after is not None else 0
    found = text.find(needle, start, start + _SEARCH + len(needle))
    if found < 0 and start:
        found = text.find(needle, 0, _SEARCH + len(needle))
    if after is not None and found >= 0:
        after[line] = found + len(needle)
    return Pos(
        narrative.path, narrative.body_line + line, found + 1 if found >= 0 else 1
    )


def inline_children(token: Token) -> Iterator[tuple[int, Token]]:
    """The children of an inline token, each with its line in the body (0-based)."""
    if token.children is None or token.map is None:
        return
    line = token.map[0]
    for child in token.children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        else:
            yield line, child
