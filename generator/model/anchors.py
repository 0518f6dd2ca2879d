"""The ids of a conference page's sections and rows: a contract with the theme.

Templates receive ``anchors`` and write these ids with it; the search index links
to the sections, and the Markdown stage links a citation to its indicator's row
(``#chi-so-<id>``). A theme that renames a section breaks those links, so the
names live here, once (docs/themes.md lists them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Anchors:
    """Section ids of a conference page, and the prefixes of its rows' ids."""

    overview: str = "tong-quan"
    key_figures: str = "so-lieu"
    figures: str = "bieu-do"
    agenda: str = "chuong-trinh"
    topics: str = "thao-luan"
    follow_up: str = "nhiem-vu"
    legal_documents: str = "van-ban"
    sources: str = "nguon"
    indicator: str = "chi-so-"  # + an indicator's id: its row in the key figures
    figure: str = "hinh-"  # + a figure's id
    source: str = "nguon-"  # + a source's id: its entry in the list of sources
    quotation: str = "trich-"  # + a quotation's number: the source's words for a claim

    def section(self, key: str) -> str:
        """The id of the section named key (a field name of this class)."""
        value = getattr(self, key)
        assert isinstance(value, str) and not value.endswith("-"), key
        return value


ANCHORS = Anchors()
