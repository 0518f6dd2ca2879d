"""Files for search engines and feed readers: sitemap.xml, robots.txt and feed.xml.

Sitemaps and Atom feeds need absolute URLs, so both are written only when site.yaml
sets ``base_url``; robots.txt is always written and names the sitemap when there is
one (or says how to get one). The feed has one entry per conference that has a
published date (its own ``published``, else its sources'), dated by it — never by
the end of its reporting period, never by the clock: the same data gives the same
bytes.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from generator import __version__
from generator.model import Entry, Site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NOT_IN_SITEMAP = frozenset({"404.html"})  # by file name, in every language


def seo_files(site: Site, html_paths: Iterable[str]) -> dict[str, bytes]:
    """Return robots.txt, and with a base_url also sitemap.xml and feed.xml."""
    base = site.config.base_url
    files = {"robots.txt": robots_txt(base)}
    if base:
        langs = site.config.output_languages
        files["sitemap.xml"] = sitemap_xml(base, html_paths, langs)
        files["feed.xml"] = feed_xml(site)
    return files


def page_url(base_url: str, path: str) -> str:
    """Return the public URL of an output path: index.html files by their folder."""
    return base_url.rstrip("/") + "/" + path.removesuffix("index.html")


def robots_txt(base_url: str) -> bytes:
    """Allow every crawler everywhere, and point at the sitemap when there is one."""
    lines = ["User-agent: *", "Disallow:"]
    if base_url:
        lines += ["", f"Sitemap: {page_url(base_url, 'sitemap.xml')}"]
    else:  # where a reader of the site's files looks for them
        lines += [
            "",
            "# No sitemap.xml or feed.xml: they need the site's public address.",
            "# Set base_url in site.yaml to publish them (docs/site.md).",
        ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_xml(
    base_url: str, html_paths: Iterable[str], languages: Sequence[str] = ("vi",)
) -> bytes:
    """List every public page (not the 404 pages) by its absolute URL, sorted.

    On a site in several languages (docs/bilingual.md) each page also names its
    versions, as `xhtml:link` alternates: vi at the root, the others under en/ ….
    """
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    if len(languages) > 1:
        urlset.set("xmlns:xhtml", XHTML_NS)
    prefixes = [f"{lang}/" for lang in languages[1:]]
    for path in sorted(set(html_paths)):
        if posixpath.basename(path) in NOT_IN_SITEMAP:
            continue
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = page_url(base_url, path)
        if len(languages) > 1:
            base = next(
                (path.removeprefix(p) for p in prefixes if path.startswith(p)), path
            )
            for lang, prefix in zip(languages, ["", *prefixes], strict=True):
                link = ET.SubElement(url, "xhtml:link", rel="alternate")
                link.set("hreflang", lang)
                link.set("href", page_url(base_url, prefix + base))
    return _xml_bytes(urlset)


def feed_xml(site: Site) -> bytes:
    """Return an Atom feed with one entry per conference, newest first."""
    config = site.config
    base = config.base_url
    feed = ET.Element("feed", xmlns=ATOM_NS)
    feed.set("xml:lang", config.language)
    ET.SubElement(feed, "title").text = config.title
    if config.description:
        ET.SubElement(feed, "subtitle").text = config.description
    ET.SubElement(feed, "id").text = page_url(base, "")
    ET.SubElement(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=page_url(base, "feed.xml"),
    )
    ET.SubElement(
        feed, "link", rel="alternate", type="text/html", href=page_url(base, "")
    )
    dated = sorted(
        (
            (day, entry)
            for entry in site.entries
            if (day := entry.data.publication_date)
        ),
        key=lambda pair: (pair[0], pair[1].slug),
        reverse=True,
    )
    # With no dated conference (`check` warns of each), the feed is as new as the
    # newest period reviewed: from the data still, and it lists no entry.
    newest = dated[0][0] if dated else max(e.data.period.end for e in site.entries)
    ET.SubElement(feed, "updated").text = _timestamp(newest)
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = config.organisation or config.title
    ET.SubElement(feed, "generator", version=__version__).text = "proceedings"
    for day, entry in dated:
        _feed_entry(feed, entry, base, day)
    return _xml_bytes(feed)


def _feed_entry(feed: ET.Element, entry: Entry, base: str, day: dt.date) -> None:
    conf = entry.data
    url = page_url(base, f"{entry.slug}/index.html")
    item = ET.SubElement(feed, "entry")
    ET.SubElement(item, "title").text = conf.title
    ET.SubElement(item, "id").text = url
    ET.SubElement(item, "link", rel="alternate", type="text/html", href=url)
    ET.SubElement(item, "published").text = _timestamp(day)
    ET.SubElement(item, "updated").text = _timestamp(day)
    ET.SubElement(item, "category", term=entry.series_slug, label=conf.series)
    summary = conf.summary.text if conf.summary else conf.title
    ET.SubElement(item, "summary").text = summary


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()
