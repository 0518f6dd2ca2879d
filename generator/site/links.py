"""Relative links in narratives: each must lead to a page (and anchor) of the site."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from generator.errors import Problems
from generator.i18n import t
from generator.markdown.pieces import RenderedNarrative


def check_links(
    narratives: Mapping[str, list[RenderedNarrative]],
    pages: Mapping[str, bytes | Path | None],
    problems: Problems,
) -> None:
    """Warn about relative links in narratives that lead to no page or no anchor.

    pages holds each HTML page: rendered now (bytes), reused from the last
    build (a path, read only if a link names an anchor in it), or None when the
    pages are only planned (`check`): then anchors are not checked.
    """
    for slug, items in narratives.items():
        here = f"{slug}/index.html"
        for item in items:
            for href, pos in item.links:
                path, _, fragment = href.partition("#")
                target = (
                    posixpath.normpath(posixpath.join(slug, unquote(path)))
                    if path
                    else here
                )
                if target in pages or f"{target}/index.html" in pages:
                    page = pages.get(target) or pages.get(f"{target}/index.html")
                    html = page.read_bytes() if isinstance(page, Path) else page
                    if (
                        fragment
                        and html is not None
                        and f'id="{fragment}"'.encode() not in html
                    ):
                        problems.warn(
                            pos,
                            t(
                                "link '{href}' names an anchor the page lacks",
                                href=href,
                            ),
                            t("check the part after '#'"),
                        )
                elif not any(f"{slug}/{rel}" == target for rel, _ in item.assets):
                    problems.warn(
                        pos,
                        t("link '{href}' leads to no page of the site", href=href),
                        t("link to another conference as ../<slug>/index.html"),
                    )
