"""data/<slug>.yaml: the facts of one conference."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    Field,
    StringConstraints,
    model_validator,
)

from generator.model.base import Id, Strict, Text
from generator.model.figures import FigureSpec
from generator.model.indicators import Check, Indicator


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
