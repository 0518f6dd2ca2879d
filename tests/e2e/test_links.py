"""Every internal link of the built site resolves, relatively, so it works from disk."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

URL_ATTRS = {"href", "src", "poster", "action", "data"}
EXTERNAL = ("http", "https", "mailto", "tel")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.urls: list[tuple[str, str, str]] = []  # tag, attribute, value
        self.bases: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.append(value)
            elif name in URL_ATTRS:
                self.urls.append((tag, name, value))
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.urls.append((tag, name, candidate.split()[0]))
        if tag == "base":
            self.bases.append(dict(attrs).get("href") or "")

    handle_startendtag = handle_starttag


def scan(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text("utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def site(built_html: Path) -> dict[str, _Links]:
    return {
        p.relative_to(built_html).as_posix(): scan(p)
        for p in sorted(built_html.rglob("*.html"))
    }


def internal_links(site: dict[str, _Links]) -> list[tuple[str, str, str]]:
    """(page, url, resolved output path) for every internal reference."""
    out = []
    for page, links in site.items():
        for _tag, _attr, url in links.urls:
            parts = urlsplit(url)
            if parts.scheme in EXTERNAL:
                continue
            path = unquote(parts.path)
            target = (
                posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
                if path
                else page
            )
            out.append((page, url, target))
    return out


def test_the_site_has_pages_and_links(site: dict[str, _Links]) -> None:
    assert len(site) >= 5
    assert len(internal_links(site)) > 20


def test_no_absolute_or_file_urls(site: dict[str, _Links]) -> None:
    bad = []
    for page, links in site.items():
        for tag, attr, url in links.urls:
            parts = urlsplit(url)
            if parts.scheme in EXTERNAL:
                assert parts.netloc, f"{page}: {url}"
                continue
            if (
                parts.scheme
                or url.startswith(("/", "\\"))
                or "\\" in url
                or parts.netloc
            ):
                bad.append(f"{page}: <{tag} {attr}={url!r}>")
        assert links.bases == [], f"{page} sets <base>"
    assert bad == []


def test_no_build_paths_leak_into_pages(built_html: Path) -> None:
    root = str(built_html.parent)
    for path in built_html.rglob("*"):
        if path.suffix in (".html", ".css", ".js", ".svg", ".json", ".csv", ".xml"):
            text = path.read_text("utf-8")
            assert root not in text, path
            assert not re.search(r"(?<![\w.])/(?:tmp|home|root|work|Users)/", text), (
                path
            )


def test_every_internal_link_resolves_to_a_file(
    site: dict[str, _Links], built_html: Path
) -> None:
    broken = []
    for page, url, target in internal_links(site):
        if target.startswith("../") or target == "..":
            broken.append(f"{page}: {url} leaves the output folder")
        elif not (built_html / target).is_file():
            broken.append(f"{page}: {url} -> {target} (no such file)")
    assert broken == []


def test_every_fragment_names_an_id_in_its_target(site: dict[str, _Links]) -> None:
    broken = []
    for page, url, target in internal_links(site):
        fragment = unquote(urlsplit(url).fragment)
        if not fragment or not target.endswith(".html") or target not in site:
            continue
        if fragment not in site[target].ids:
            broken.append(f"{page}: {url} -> no id {fragment!r} in {target}")
    assert broken == []


def test_ids_are_unique_on_each_page(site: dict[str, _Links]) -> None:
    for page, links in site.items():
        duplicates = [i for i, n in Counter(links.ids).items() if n > 1]
        assert duplicates == [], f"{page}: {duplicates}"


def test_css_urls_resolve(built_html: Path) -> None:
    broken = []
    for css in built_html.rglob("*.css"):
        for raw in re.findall(r"url\(\s*([^)]+?)\s*\)", css.read_text("utf-8")):
            url = raw.strip("'\"")
            if url.startswith(("data:", "#")) or urlsplit(url).scheme in EXTERNAL:
                continue
            assert not url.startswith("/"), f"{css}: {url}"
            target = (css.parent / unquote(urlsplit(url).path)).resolve()
            if not target.is_file() or not target.is_relative_to(built_html.resolve()):
                broken.append(f"{css.relative_to(built_html)}: {url}")
    assert broken == []


def test_links_to_pages_name_a_file_not_a_folder(
    site: dict[str, _Links], built_html: Path
) -> None:
    # From disk, "hoi-nghi/" opens a folder listing, not the page.
    folders = [
        f"{page}: {url}"
        for page, url, target in internal_links(site)
        if urlsplit(url).path and (built_html / target).is_dir()
    ]
    assert folders == []
