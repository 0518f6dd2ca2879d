"""site.yaml: settings for the whole publication."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import (
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from generator.i18n import t
from generator.model.base import Id, Lang, Strict, Text, Threshold


class Theme(Strict):
    """Colours and logo a site can set without writing CSS."""

    primary: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] = "#0b4f8a"
    accent: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] = "#b3261e"
    logo: str | None = None  # path under the theme's or site's static/ folder


class SeriesSettings(Strict):
    """Settings of one series of conferences, under `series:` in site.yaml."""

    suppress_below: Threshold | None = None


class SiteConfig(Strict):
    """site.yaml: settings for the whole publication."""

    title: Text = "Kỷ yếu hội nghị"
    description: Text | None = None
    organisation: Text | None = None
    language: Lang = "vi"  # the language data and narratives are written in
    base_url: str = ""  # e.g. https://www.example.gov.vn/ky-yeu/ ; canonical URLs
    # Read-only folders, from the project root, that sources' `archive:` may point
    # into besides the project itself (docs/provenance.md). Never published.
    archives: list[Text] = []
    theme: Id = "default"
    colors: Theme = Theme()
    pdf: bool = True  # build PDF briefs (``--no-pdf`` turns them off for one build)
    # Keep raw HTML in narratives (sanitised with nh3: formatting tags only, no
    # scripts, styles, frames, on* attributes or script URLs). Off: it prints as text.
    allow_html: bool = False
    # Show counts below this as "< N" everywhere (docs/suppression.md); off when unset.
    suppress_below: Threshold | None = None
    # Settings per series, keyed by the series' slug or name (docs/suppression.md).
    series: dict[str, SeriesSettings] = {}
    # The languages to publish, primary first (docs/bilingual.md). [vi, en] adds
    # English pages under en/; unset means `language` alone. Each language needs a
    # message catalogue in the theme (messages/<lang>.yaml), checked at loading.
    languages: list[Lang] | None = None
    translated: ClassVar[tuple[str, ...]] = ("title", "description", "organisation")

    @field_validator("languages")
    @classmethod
    def _languages(
        cls, langs: list[str] | None, info: ValidationInfo
    ) -> list[str] | None:
        primary = info.data.get("language", "vi")
        if langs is not None and (not langs or langs[0] != primary):
            raise PydanticCustomError(
                "languages",
                t(
                    "languages must start with `language` ({primary}), the one the "
                    "data and narratives are written in"
                ),
                {"primary": primary},
            )
        if langs is not None and len(set(langs)) != len(langs):
            raise PydanticCustomError(
                "languages", t("each language may be named once in languages")
            )
        return langs

    @property
    def output_languages(self) -> tuple[str, ...]:
        """The languages pages are made in, primary first."""
        return tuple(self.languages or [self.language])
