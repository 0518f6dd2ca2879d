"""The typed content model: what a site.yaml, a data file and a narrative may say.

Field names are the YAML keys. Models are frozen and forbid unknown keys, so a
misspelt key is an error with a "did you mean" hint. Every plain YAML scalar arrives
here as the text the author typed; these types decide what becomes a number or date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from generator.formats import slugify, unit_scale
from generator.yamlload import Positions

Id = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]
MAX_DIGITS = 15  # below 10^15, a million billion: more than any budget in đồng
MAX_PLACES = 6  # decimal places; charts show at most 6 too


def _plausible(number: Decimal) -> Decimal:
    """Refuse numbers no report states, which would take ages to print.

    Decimal takes any exponent: ``1e999999`` is 10^999999, and printing it with
    thousands separators takes minutes; ``1e-999999`` prints a million zeros.
    """
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return number  # nan and inf are refused before; zero is fine
    # Decided on the digits alone: arithmetic on 1e999999999 overflows the context.
    if len(digits) + exponent - 1 >= MAX_DIGITS:
        raise PydanticCustomError(
            "implausible_number",
            "the number is implausibly large (10^15 or more)",
        )
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if exponent + trailing < -MAX_PLACES:
        raise PydanticCustomError(
            "too_many_places",
            "the number has more than {places} decimal places",
            {"places": MAX_PLACES},
        )
    return number


Number = Annotated[Decimal, Field(allow_inf_nan=False), AfterValidator(_plausible)]
Kind = Literal["count", "amount", "percent", "ratio"]
Approx = Literal["exact", "more_than", "nearly", "about", "less_than"]


class Strict(BaseModel):
    """Base of every model: frozen, and an unknown key is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Theme(Strict):
    """Colours and logo a site can set without writing CSS."""

    primary: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] = "#0b4f8a"
    accent: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] = "#b3261e"
    logo: str | None = None  # path under the theme's or site's static/ folder


# Small-count protection (docs/suppression.md): counts below the threshold are shown
# as "< N". 0 turns it off; the most specific setting (indicator, series, site) wins.
Threshold = Annotated[int, Field(ge=0, le=1_000_000)]


class SeriesSettings(Strict):
    """Settings of one series of conferences, under `series:` in site.yaml."""

    suppress_below: Threshold | None = None


class SiteEn(Strict):
    """English texts of site.yaml, for the English pages (docs/bilingual.md)."""

    title: Text | None = None
    description: Text | None = None
    organisation: Text | None = None


class SiteConfig(Strict):
    """site.yaml: settings for the whole publication."""

    title: Text = "Kỷ yếu hội nghị"
    description: Text | None = None
    organisation: Text | None = None
    language: Literal["vi", "en"] = "vi"
    base_url: str = ""  # e.g. https://example.gov.vn/ky-yeu/ ; used for canonical URLs
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
    # English pages under en/; unset means `language` alone.
    languages: list[Literal["vi", "en"]] | None = None
    en: SiteEn | None = None  # English title, description, organisation

    @field_validator("languages")
    @classmethod
    def _languages(
        cls, langs: list[str] | None, info: ValidationInfo
    ) -> list[str] | None:
        primary = info.data.get("language", "vi")
        allowed = [[primary]] + ([["vi", "en"]] if primary == "vi" else [])
        if langs is not None and langs not in allowed:
            raise PydanticCustomError(
                "languages",
                "languages must be [{primary}]{more}: the first is `language`, the "
                "one the data and narratives are written in",
                {
                    "primary": primary,
                    "more": " or [vi, en]" if primary == "vi" else "",
                },
            )
        return langs

    @property
    def output_languages(self) -> tuple[str, ...]:
        """The languages pages are made in, primary first."""
        return tuple(self.languages or [self.language])


# English versions of the texts of the data: an optional `en:` block on each model
# that has words, holding the same keys (docs/bilingual.md). Vietnamese stays the
# primary text; a key left out falls back to it on English pages.


class PeriodEn(Strict):
    """English texts of a reporting period."""

    label: Text | None = None


class SpeakerEn(Strict):
    """English texts of a speaker (a name is not translated)."""

    role: Text | None = None
    organisation: Text | None = None


class SessionEn(Strict):
    """English texts of an agenda item."""

    title: Text | None = None
    presenter: Text | None = None
    summary: Text | None = None


class IndicatorEn(Strict):
    """English texts of an indicator; its numbers and quote are never translated."""

    label: Text | None = None
    unit: Text | None = None
    period: Text | None = None
    group: Text | None = None
    compared_to: Text | None = None
    derivation: Text | None = None
    note: Text | None = None


class LegalDocumentEn(Strict):
    """English texts of a legal document (its number is not translated)."""

    kind: Text | None = None
    issuer: Text | None = None
    title: Text | None = None
    context: Text | None = None


class FollowUpEn(Strict):
    """English texts of a task."""

    task: Text | None = None
    owner: Text | None = None
    due: Text | None = None


class FollowUpReportEn(Strict):
    """English text of a report on a task."""

    note: Text | None = None


class FigureSeriesEn(Strict):
    """English label of a figure series."""

    label: Text | None = None


class FigureSpecEn(Strict):
    """English texts of a figure; `labels` has one entry per category."""

    title: Text | None = None
    caption: Text | None = None
    alt: Text | None = None
    unit: Text | None = None
    labels: list[Text] | None = None
    source_note: Text | None = None


class ConferenceEn(Strict):
    """English texts of a conference; lists have one entry per Vietnamese entry."""

    title: Text | None = None
    short_title: Text | None = None
    series: Text | None = None
    venue: Text | None = None
    organisers: list[Text] | None = None
    summary: Text | None = None
    topics: list[Text] | None = None


class Period(Strict):
    """The reporting period a conference reviews."""

    label: Text  # as people say it: "6 tháng đầu năm 2024"
    start: dt.date
    end: dt.date
    en: PeriodEn | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period.end is before period.start")
        return self


class Speaker(Strict):
    """Someone who spoke at the conference."""

    id: Id
    name: Text
    role: Text | None = None  # "Thứ trưởng"
    organisation: Text | None = None
    en: SpeakerEn | None = None


class Session(Strict):
    """One item of the agenda."""

    title: Text
    time: Text | None = None  # as printed on the agenda, e.g. "8:30"
    speakers: list[Id] = []  # ids from `speakers`
    presenter: Text | None = None  # an organisation presenting, e.g. "Cục Trẻ em"
    summary: Text | None = None
    en: SessionEn | None = None


class Derive(Strict):
    """How the tool computes an indicator's value from others (docs/data-checks.md).

    A fixed set of operations over indicator ids, never an expression to evaluate.
    """

    sum: Annotated[list[Id], Field(min_length=2)] | None = None  # a + b + …
    difference: Annotated[list[Id], Field(min_length=2, max_length=2)] | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> Derive:
        given = [name for name in ("sum", "difference") if getattr(self, name)]
        if len(given) != 1:
            raise PydanticCustomError(
                "derive_operation",
                "`derive` needs exactly one operation: `sum` or `difference`",
            )
        return self

    @property
    def operation(self) -> Literal["sum", "difference"]:
        """The declared operation."""
        return "sum" if self.sum else "difference"

    @property
    def operands(self) -> list[str]:
        """The indicator ids the value is computed from, in order."""
        return list(self.sum or self.difference or [])


class Check(Strict):
    """A rule the numbers of a conference must obey (docs/data-checks.md).

    Each item names one kind: `sum` (with `parts`), `share` or `same_unit`.
    """

    sum: Id | None = None  # this indicator's value equals the sum of `parts`
    parts: list[Id] = []
    share: Id | None = None  # this indicator is a share: 0 to 100 %
    same_unit: Id | None = None  # keeps its unit in every conference of the series
    note: Text | None = None  # why the rule holds, for the next author

    @model_validator(mode="after")
    def _one_kind(self) -> Check:
        given = [k for k in ("sum", "share", "same_unit") if getattr(self, k)]
        if len(given) != 1:
            raise PydanticCustomError(
                "check_kind",
                "a check names exactly one of `sum`, `share` or `same_unit`",
            )
        if self.sum and len(self.parts) < 2:
            raise PydanticCustomError(
                "check_parts", "a `sum` check needs `parts`: at least two indicator ids"
            )
        if self.parts and not self.sum:
            raise PydanticCustomError(
                "check_parts", "`parts` belong to a `sum` check: add `sum: <total id>`"
            )
        return self


class Indicator(Strict):
    """A number the conference reported, with its unit, period and source."""

    id: Id
    label: Text
    kind: Kind = "count"  # before `value`, so the value check can see it
    value: Number
    unit: Text
    approx: Approx = "exact"  # "hơn 20 tỷ đồng" is more_than; "gần 600.000" nearly
    period: Text | None = None  # defaults to the conference's period label
    group: Text | None = None  # heading under which the key-figures table lists it
    key: bool = False  # one of the few numbers shown on the home page
    change: Number | None = None  # value minus the compared value, as the source says
    previous: Number | None = None  # the compared value, where the source gives it
    compared_to: Text | None = None  # "cùng kỳ năm 2023"
    derived: bool = False  # we computed `value`; say how in `derivation`
    derivation: Text | None = None
    derive: Derive | None = None  # computes `value` from other indicators
    source: Id  # id from `sources`
    quote: Text  # the words of the source that state the number
    note: Text | None = None
    # Counts below this show as "< N"; 0 opts out. After loading it holds the
    # threshold in force: this one, else its series', else the site's (suppress.py).
    suppress_below: Threshold | None = None
    en: IndicatorEn | None = None

    @field_validator("value", "change", "previous")
    @classmethod
    def _whole_if_count(
        cls, number: Decimal | None, info: ValidationInfo
    ) -> Decimal | None:
        if (
            number is not None
            and info.data.get("kind", "count") == "count"
            and number != number.to_integral_value()
        ):
            raise PydanticCustomError(
                "fractional_count",
                "{number} is not a whole number, but kind is 'count'",
                {"number": str(number)},
            )
        return number

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.derived and not self.derivation:
            raise ValueError("derived: true needs a `derivation` saying how")
        if (
            self.change is not None or self.previous is not None
        ) and not self.compared_to:
            raise ValueError("`change` and `previous` need `compared_to` (the period)")
        # value - previous = change is a data check (generator/checks.py), reported
        # at the `change` key with both numbers.
        return self

    @property
    def previous_value(self) -> Decimal | None:
        """The compared value: as given, or derived from the stated change."""
        if self.previous is not None:
            return self.previous
        if self.change is not None:
            return self.value - self.change
        return None

    @property
    def previous_derived(self) -> bool:
        """True when the compared value is computed from `change`, not stated."""
        return self.previous is None and self.change is not None

    def below_threshold(self, number: Decimal) -> bool:
        """True when number, a count of this indicator, must show as "< N"."""
        threshold = self.suppress_below or 0
        if self.kind != "count" or threshold <= 0:
            return False
        return number * unit_scale(self.unit) < threshold

    @property
    def masked(self) -> bool:
        """True when the value is a small count shown as "< N" (docs/suppression.md)."""
        return self.below_threshold(self.value)

    @property
    def previous_masked(self) -> bool:
        """True when the compared value is a small count shown as "< N"."""
        previous = self.previous_value
        return previous is not None and self.below_threshold(previous)

    @property
    def change_masked(self) -> bool:
        """True when the exact change must not show: it would give away a masked side.

        The source's quote states the numbers, so it is withheld too.
        """
        return self.masked or self.previous_masked

    @property
    def quote_withheld(self) -> bool:
        """True when the source's quote must not show: it states a masked number."""
        return self.change_masked


class LegalDocument(Strict):
    """A legal or policy document the conference referred to."""

    kind: Text  # "Thông tư", "Quyết định", "Chỉ thị"
    number: Text  # "13/2021/TT-LĐTBXH"
    issuer: Text | None = None
    title: Text | None = None  # its subject, as the source states it
    context: Text | None = None  # how the meeting used it
    en: LegalDocumentEn | None = None


class FollowUp(Strict):
    """A task the meeting set, which a later meeting of the series can report on."""

    id: Id
    task: Text
    owner: Text | None = None
    due: Text | None = None  # "6 tháng cuối năm 2023"
    en: FollowUpEn | None = None


class FollowUpReport(Strict):
    """What a meeting reported on a task set by an earlier one of its series."""

    conference: Id  # slug of the earlier conference
    task: Id  # id of the task in that conference's `follow_up`
    status: Literal["done", "in_progress", "not_done"]
    note: Text | None = None
    source: Id | None = None
    en: FollowUpReportEn | None = None


class Source(Strict):
    """A document the data was taken from."""

    id: Id
    title: Text
    author: Text | None = None
    publisher: Text | None = None
    published: dt.date | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    archive: Text | None = None  # where the archived copy is kept


class FigureSeries(Strict):
    """One series of a figure: values from indicators or typed inline."""

    label: Text
    indicators: list[Id] = []
    values: list[Number] = []
    en: FigureSeriesEn | None = None


class FigureSpec(Strict):
    """A chart declared next to the numbers it draws."""

    id: Id
    kind: Literal["bar", "barh", "grouped", "line", "stacked"]
    title: Text
    caption: Text | None = None
    alt: Text | None = None  # written by the author; generated from data otherwise
    unit: Text | None = None
    indicators: list[Id] = []  # one bar per indicator, labelled with its label
    labels: list[Text] = []  # categories for inline `series`
    series: list[FigureSeries] = []
    compare: bool = False  # grouped: compared value against value, per indicator
    across: Id | None = None  # one indicator id, one point per conference of the series
    sort: Literal["none", "ascending", "descending"] = "none"
    decimals: int | None = None
    source_note: Text | None = None
    en: FigureSpecEn | None = None


class Conference(Strict):
    """data/<slug>.yaml: the facts of one conference."""

    title: Text
    short_title: Text
    series: Text
    period: Period
    dates: list[dt.date] = []  # the days it was held; empty when not known
    venue: Text | None = None
    organisers: Annotated[list[Text], Field(min_length=1)]
    summary: Text | None = None
    speakers: list[Speaker] = []
    sessions: list[Session] = []
    indicators: list[Indicator] = []
    legal_documents: list[LegalDocument] = []
    topics: list[Text] = []
    follow_up: list[FollowUp] = []
    follow_up_reports: list[FollowUpReport] = []
    figures: list[FigureSpec] = []
    checks: list[Check] = []  # rules the numbers obey (docs/data-checks.md)
    sources: Annotated[list[Source], Field(min_length=1)]
    en: ConferenceEn | None = None  # English texts (docs/bilingual.md)


class FrontMatter(Strict):
    """The YAML block at the top of a narrative."""

    title: Text
    order: int = 100
    summary: Text | None = None
    draft: bool = False


class FrontMatterEn(Strict):
    """The front matter of an English narrative; its place comes from the original."""

    title: Text
    summary: Text | None = None
    draft: bool = False


class Untranslated(str):
    """A Vietnamese text shown on an English page for want of a translation.

    Templates mark it with lang="vi" (docs/bilingual.md).
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Narrative:
    """content/<conference>/<slug>.md: front matter and a Markdown body."""

    slug: str
    path: Path  # relative to the project root
    front: FrontMatter
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    lang: str = "vi"  # "en" for content/<conference>/en/<slug>.md


@dataclass(frozen=True, slots=True)
class Entry:
    """One conference as loaded: its data, narratives and where each value stands."""

    slug: str
    path: Path  # data file, relative to the project root
    data: Conference
    narratives: tuple[Narrative, ...]
    positions: Positions
    # English versions of narratives (content/<slug>/en/), matched by file name.
    translations: tuple[Narrative, ...] = ()
    series_key: str = ""  # an English copy keeps its series' Vietnamese slug
    digest: str = ""  # SHA-256 of the data file's text as loaded (incremental builds)

    @property
    def series_slug(self) -> str:
        """The ASCII slug of the series this conference belongs to."""
        return self.series_key or slugify(self.data.series)

    def indicator(self, ident: str) -> Indicator | None:
        """Return the indicator with id ident, if any."""
        return next((i for i in self.data.indicators if i.id == ident), None)


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the loader read: settings and conferences, newest first."""

    root: Path
    config: SiteConfig
    entries: tuple[Entry, ...]

    def series(self) -> dict[str, list[Entry]]:
        """Group conferences by series slug, oldest first within a series."""
        groups: dict[str, list[Entry]] = {}
        for entry in sorted(self.entries, key=lambda e: e.data.period.end):
            groups.setdefault(entry.series_slug, []).append(entry)
        return groups
