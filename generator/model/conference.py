"""data/<slug>.yaml: the facts of one conference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, ClassVar, Literal

from pydantic import (
    Field,
    StringConstraints,
    model_validator,
)

from generator.i18n import N_, t
from generator.model.base import Id, Strict, Text
from generator.model.figures import FigureSpec
from generator.model.indicators import Check, Indicator
from generator.model.positions import Loc


class Period(Strict):
    """The reporting period a conference reviews."""

    label: Text  # as people say it: "6 tháng đầu năm 2024"
    start: dt.date
    end: dt.date
    translated: ClassVar[tuple[str, ...]] = ("label",)

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(t("period.end is before period.start"))
        return self


class Claim(Strict):
    """An entry the page states as fact: it names its source, or the editors wrote it.

    ``source`` (an id from ``sources``) with ``quote`` (the words of the source that
    state it), as indicators do; or ``editorial: true`` for what the editors wrote
    themselves (a summary, an agenda put together from the article's list of
    topics), shown with a visible mark. An entry with neither is a warning (an error
    under ``--strict``); docs/provenance.md.
    """

    source: Id | None = None
    quote: Text | None = None
    editorial: bool = False
    kept: ClassVar[tuple[str, ...]] = ("quote",)
    label_field: ClassVar[str] = "name"  # the field that names the entry

    @property
    def sourced(self) -> bool:
        """True when the entry names its source (and the words that state it)."""
        return self.source is not None

    @property
    def label(self) -> str:
        """What the entry states, in a few words: how a list of quotations names it."""
        return str(getattr(self, self.label_field))


class _Text(Claim):
    """An entry that may be written as plain text: ``- Bộ …`` or ``- name: Bộ …``."""

    label_field: ClassVar[str] = "text"

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        return {cls.label_field: data} if isinstance(data, str) else data


class Organiser(_Text):
    """Who organised the conference: ``- name: …`` with its source, or plain text."""

    label_field: ClassVar[str] = "name"
    name: Text
    translated: ClassVar[tuple[str, ...]] = ("name",)


class Topic(_Text):
    """Something the conference discussed: ``- text: …`` with its source."""

    text: Text
    translated: ClassVar[tuple[str, ...]] = ("text",)


class Summary(_Text):
    """The conference in a paragraph, usually written by the editors."""

    text: Text
    translated: ClassVar[tuple[str, ...]] = ("text",)


class Speaker(Claim):
    """Someone who spoke at the conference."""

    id: Id
    name: Text
    role: Text | None = None  # "Thứ trưởng"
    organisation: Text | None = None
    translated: ClassVar[tuple[str, ...]] = ("role", "organisation")


class Session(Claim):
    """One item of the agenda."""

    title: Text
    time: Text | None = None  # as printed on the agenda, e.g. "8:30"
    speakers: list[Id] = []  # ids from `speakers`
    presenter: Text | None = None  # an organisation presenting, e.g. "Cục Trẻ em"
    summary: Text | None = None
    translated: ClassVar[tuple[str, ...]] = ("title", "presenter", "summary")
    label_field: ClassVar[str] = "title"


class LegalDocument(Claim):
    """A legal or policy document the conference referred to."""

    kept: ClassVar[tuple[str, ...]] = ("number", "quote")

    kind: Text  # "Thông tư", "Quyết định", "Chỉ thị"
    number: Text | None = None  # "13/2021/TT-LĐTBXH"; a programme may have none
    issuer: Text | None = None
    title: Text | None = None  # its subject, as the source states it
    context: Text | None = None  # how the meeting used it
    translated: ClassVar[tuple[str, ...]] = ("kind", "issuer", "title", "context")

    @property
    def label(self) -> str:
        """The document's kind and number, else its title."""
        if self.number:
            return (
                self.number
                if self.number.startswith(self.kind)
                else (f"{self.kind} {self.number}")
            )
        return self.title or self.kind


class FollowUp(Claim):
    """A task the meeting set, which a later meeting of the series can report on."""

    id: Id
    task: Text
    owner: Text | None = None
    due: Text | None = None  # "6 tháng cuối năm 2023"
    translated: ClassVar[tuple[str, ...]] = ("task", "owner", "due")
    label_field: ClassVar[str] = "task"


class FollowUpReport(Claim):
    """What a meeting reported on a task set by an earlier one of its series."""

    conference: Id  # slug of the earlier conference
    task: Id  # id of the task in that conference's `follow_up`
    # Only when the source states one: a report may say what was done, no more.
    status: Literal["done", "in_progress", "not_done"] | None = None
    note: Text | None = None
    translated: ClassVar[tuple[str, ...]] = ("note",)

    @property
    def label(self) -> str:
        """What the report says, else the id of the task it is on."""
        return self.note or self.task


class Source(Strict):
    """A document the data was taken from."""

    kept: ClassVar[tuple[str, ...]] = ("title", "author", "publisher")

    id: Id
    title: Text
    author: Text | None = None
    publisher: Text | None = None
    published: dt.date | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    # The editors' archived copy (.txt, .html, .md), from the project root; the
    # quotes citing this source are checked against it. Never published.
    archive: Text | None = None


class Conference(Strict):
    """data/<slug>.yaml: the facts of one conference."""

    title: Text
    short_title: Text
    series: Text
    period: Period
    dates: list[dt.date] = []  # the days it was held; empty when not known
    # The day the editors published this summary (the Atom feed's date); else the
    # newest `published` of its sources. Never the end of the reporting period.
    published: dt.date | None = None
    venue: Text | None = None
    organisers: Annotated[list[Organiser], Field(min_length=1)]
    summary: Summary | None = None
    speakers: list[Speaker] = []
    sessions: list[Session] = []
    indicators: list[Indicator] = []
    legal_documents: list[LegalDocument] = []
    topics: list[Topic] = []
    follow_up: list[FollowUp] = []
    follow_up_reports: list[FollowUpReport] = []
    figures: list[FigureSpec] = []
    checks: list[Check] = []  # rules the numbers obey (docs/data-checks.md)
    sources: Annotated[list[Source], Field(min_length=1)]
    translated: ClassVar[tuple[str, ...]] = ("title", "short_title", "series", "venue")

    @property
    def publication_date(self) -> dt.date | None:
        """When these proceedings were published, or None when the data does not say.

        ``published``, else the newest ``published`` of the sources. Never the end
        of the reporting period: that is not a publication date.
        """
        days = [s.published for s in self.sources if s.published]
        return self.published or (max(days) if days else None)

    def claims(self) -> Iterator[tuple[Loc, str, Claim]]:
        """Yield each claim with where it stands in the file and what it is called.

        In the order the page shows them: the organisers and summary first, then
        speakers, sessions, topics, documents, tasks and reports on tasks.
        """
        for i, organiser in enumerate(self.organisers):
            yield ("organisers", i), N_("organiser"), organiser
        if self.summary is not None:
            yield ("summary",), N_("summary"), self.summary
        for field, what in CLAIM_LISTS:
            for i, item in enumerate(getattr(self, field)):
                yield (field, i), what, item


# The lists of claims after the organisers, as (field, what one entry is called).
CLAIM_LISTS = (
    ("speakers", N_("speaker")),
    ("sessions", N_("session")),
    ("topics", N_("topic")),
    ("legal_documents", N_("legal document")),
    ("follow_up", N_("task")),
    ("follow_up_reports", N_("report on a task")),
)
