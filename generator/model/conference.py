"""data/<slug>.yaml: the facts of one conference."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import (
    Field,
    StringConstraints,
    model_validator,
)

from generator.model.base import Id, Strict, Text
from generator.model.figures import FigureSpec
from generator.model.indicators import Check, Indicator


class Period(Strict):
    """The reporting period a conference reviews."""

    label: Text  # as people say it: "6 tháng đầu năm 2024"
    start: dt.date
    end: dt.date
    translated: ClassVar[tuple[str, ...]] = ("label",)

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
    translated: ClassVar[tuple[str, ...]] = ("role", "organisation")


class Session(Strict):
    """One item of the agenda."""

    title: Text
    time: Text | None = None  # as printed on the agenda, e.g. "8:30"
    speakers: list[Id] = []  # ids from `speakers`
    presenter: Text | None = None  # an organisation presenting, e.g. "Cục Trẻ em"
    summary: Text | None = None
    translated: ClassVar[tuple[str, ...]] = ("title", "presenter", "summary")


class LegalDocument(Strict):
    """A legal or policy document the conference referred to."""

    kept: ClassVar[tuple[str, ...]] = ("number",)

    kind: Text  # "Thông tư", "Quyết định", "Chỉ thị"
    number: Text  # "13/2021/TT-LĐTBXH"
    issuer: Text | None = None
    title: Text | None = None  # its subject, as the source states it
    context: Text | None = None  # how the meeting used it
    translated: ClassVar[tuple[str, ...]] = ("kind", "issuer", "title", "context")


class FollowUp(Strict):
    """A task the meeting set, which a later meeting of the series can report on."""

    id: Id
    task: Text
    owner: Text | None = None
    due: Text | None = None  # "6 tháng cuối năm 2023"
    translated: ClassVar[tuple[str, ...]] = ("task", "owner", "due")


class FollowUpReport(Strict):
    """What a meeting reported on a task set by an earlier one of its series."""

    conference: Id  # slug of the earlier conference
    task: Id  # id of the task in that conference's `follow_up`
    status: Literal["done", "in_progress", "not_done"]
    note: Text | None = None
    source: Id | None = None
    translated: ClassVar[tuple[str, ...]] = ("note",)


class Source(Strict):
    """A document the data was taken from."""

    kept: ClassVar[tuple[str, ...]] = ("title", "author", "publisher")

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
    translated: ClassVar[tuple[str, ...]] = (
        "title",
        "short_title",
        "series",
        "venue",
        "organisers",
        "summary",
        "topics",
    )
