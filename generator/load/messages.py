"""What a schema error means for an author: what is expected, with an example.

pydantic's own wording ("Input should be…", "Decimal input…", "String should match
pattern…") never reaches a reader: each error type our models can raise is said
here in the words of docs/content.md, with a one-line example from it. A type not
listed still gets a message of ours (``_FALLBACK``), never the library's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.errors import closest
from generator.formats import slugify
from generator.i18n import N_, t

# One line of YAML from docs/content.md for each field, by "Model.field" when
# models disagree on it, else by field name.
EXAMPLES: Mapping[str, str] = {
    "Conference.title": "title: Hội nghị đánh giá công tác trẻ em 6 tháng đầu năm 2024",
    "short_title": "short_title: Công tác trẻ em, 6 tháng đầu năm 2024",
    "series": "series: Hội nghị công tác trẻ em khu vực phía Nam",
    "period": "period: {label: 6 tháng đầu năm 2024, start: 2024-01-01, "
    "end: 2024-06-30}",
    "Period.label": "label: 6 tháng đầu năm 2024",
    "start": "start: 2024-01-01",
    "end": "end: 2024-06-30",
    "dates": "dates: [2024-07-25, 2024-07-26]",
    "published": "published: 2024-07-26",
    "venue": "venue: Thành phố Hồ Chí Minh",
    "organisers": "organisers: [{name: Cục Trẻ em, editorial: true}]",
    "Organiser.name": "- name: Cục Trẻ em",
    "summary": "summary: {text: Các đại biểu thảo luận …, editorial: true}",
    "speakers": "speakers: [{id: nguyen-thi-ha, name: Nguyễn Thị Hà, "
    "role: Thứ trưởng}]",
    "Session.speakers": "speakers: [nguyen-thi-ha]",
    "sessions": "sessions: [{title: Phát biểu của Thứ trưởng, "
    "speakers: [nguyen-thi-ha]}]",
    "indicators": "indicators: [{id: vu-xam-hai-tre-em, value: 1317, unit: vụ, …}]",
    "legal_documents": "legal_documents: [{kind: Thông tư, number: 13/2021/TT-LĐTBXH}]",
    "topics": "topics: [{text: Phối hợp liên ngành …, source: bai-viet-2024, "
    "quote: …}]",
    "follow_up": "follow_up: [{id: to-chuc-dien-dan, task: Tổ chức diễn đàn trẻ em "
    "cấp tỉnh}]",
    "follow_up_reports": "follow_up_reports: [{conference: vi-du-2025, "
    "task: to-chuc-dien-dan, status: done}]",
    "figures": "figures: [{id: so-vu, kind: bar, title: …, "
    "indicators: [vu-xam-hai-tre-em]}]",
    "checks": "checks: [{sum: vu-xam-hai-tre-em, parts: [vu-xam-hai-mien-dong, "
    "vu-xam-hai-mien-tay]}]",
    "sources": "sources: [{id: bai-viet-2024, title: Bài viết về hội nghị …}]",
    "Speaker.id": "id: nguyen-thi-ha",
    "Indicator.id": "id: vu-xam-hai-tre-em",
    "Source.id": "id: bai-viet-2024",
    "FollowUp.id": "id: to-chuc-dien-dan",
    "FigureSpec.id": "id: so-vu-xam-hai",
    "id": "id: vu-xam-hai-tre-em",
    "source": "source: bai-viet-2024",
    "conference": "conference: hoi-nghi-tre-em-phia-nam-2023",
    "FollowUpReport.task": "task: to-chuc-dien-dan",
    "value": "value: 1317",
    "change": "change: -31",
    "previous": "previous: 1348",
    "Indicator.kind": "kind: amount",
    "FigureSpec.kind": "kind: bar",
    "LegalDocument.kind": "kind: Thông tư",
    "approx": "approx: more_than",
    "status": "status: in_progress",
    "sort": "sort: descending",
    "key": "key: true",
    "editorial": "editorial: true",
    "discontinued": "discontinued: true",
    "derived": "derived: true",
    "compare": "compare: true",
    "mixed_units": "mixed_units: true",
    "draft": "draft: true",
    "pdf": "pdf: false",
    "allow_html": "allow_html: true",
    "compared_to": "compared_to: 6 tháng đầu năm 2023",
    "derivation": "derivation: tính bằng tổng số vụ trừ số vụ ở miền Tây",
    "derive": "derive: {difference: [vu-xam-hai-tre-em, vu-xam-hai-mien-tay]}",
    "difference": "derive: {difference: [vu-xam-hai-tre-em, vu-xam-hai-mien-tay]}",
    "Derive.sum": "derive: {sum: [vu-xam-hai-mien-dong, vu-xam-hai-mien-tay]}",
    "Check.sum": "- sum: vu-xam-hai-tre-em",
    "parts": "parts: [vu-xam-hai-mien-dong, vu-xam-hai-mien-tay]",
    "share": "- share: ty-le-xa-phuong-phu-hop",
    "same_unit": "- same_unit: vu-xam-hai-tre-em",
    "suppress_below": "suppress_below: 10",
    "decimals": "decimals: 1",
    "order": "order: 1",
    "unit": "unit: vụ",
    "url": "url: https://molisa.gov.vn/…",
    "base_url": "base_url: https://<the site's host>/ky-yeu/",
    "language": "language: vi",
    "languages": "languages: [vi, en]",
    "archives": "archives: [../shared/seeds]",
    "primary": 'primary: "#0b4f8a"',
    "accent": 'accent: "#b3261e"',
    "indicators_of_figure": "indicators: [vu-xam-hai-tre-em]",
    "FigureSpec.indicators": "indicators: [vu-xam-hai-tre-em]",
    "FigureSeries.indicators": "indicators: [vu-xam-hai-tre-em]",
    "labels": "labels: [Miền Đông, Miền Tây]",
    "values": "values: [120, 95]",
    "series_of_figure": "series: [{label: 2024, values: [120, 95]}]",
    "FigureSpec.series": "series: [{label: 2024, values: [120, 95]}]",
    "across": "across: vu-xam-hai-tre-em",
}


@dataclass(frozen=True, slots=True)
class Context:
    """What the data around an error tells about it."""

    speaker_ids: Mapping[str, str]  # a speaker's name -> the id it was given
    unit: str = ""  # the unit of the indicator the error is in, if any


def example(model: str, field: str) -> str:
    """The example line for a field of a model, or '' when there is none."""
    return EXAMPLES.get(f"{model}.{field}") or EXAMPLES.get(field, "")


def _with_example(hint: str, line: str) -> str:
    if not line:
        return hint or t("see docs/content.md for the fields and an example")
    if not hint:
        return t("for example: {example}", example=line)
    return t("{hint}; for example: {example}", hint=hint, example=line)


def _choices(err: Any) -> list[str]:
    """The values a literal field takes, from pydantic's "'a', 'b' or 'c'"."""
    expected = str((err.get("ctx") or {}).get("expected", ""))
    return re.findall(r"'([^']*)'", expected)


def _pattern_message(
    model: str, field: str, got: str, ids: Mapping[str, str]
) -> tuple[str, str]:
    """What a field with a pattern wants: an id, a web address, a colour, a code."""
    if field == "url":
        return (
            t("expected a web address starting with http:// or https://"),
            "",
        )
    if field in ("primary", "accent"):
        return t("expected a colour written #RRGGBB"), t(
            "quote it: YAML reads # as a comment"
        )
    if field in ("language", "languages"):
        return t("expected a language code such as vi or en"), ""
    slug = ids.get(got) or slugify(got)
    if model == "Session" and field == "speakers":
        known = ids.get(got) or (slug if slug in ids.values() else None)
        what = t("expected a speaker's id, as given in `speakers`")
        if known:
            return what, t("write '{id}', the id given in `speakers`", id=known)
        return what, t(
            "give the speaker an id in `speakers`, such as '{id}', and write that "
            "id here",
            id=slug or "tran-minh-khoa",
        )
    hint = t("write '{id}'", id=slug) if slug and slug != got else ""
    return t("expected an id: lowercase ASCII letters, digits and '-'"), hint


def explain(
    kind: str, err: Any, model: str, field: str, context: Context
) -> tuple[str, str]:
    """Return the message and the hint for a pydantic error of type kind.

    model and field name where it occurred (the innermost model, the last key).
    """
    ids = context.speaker_ids
    ctx = err.get("ctx") or {}
    line = example(model, field)
    got = err.get("input")
    if kind == "string_pattern_mismatch":
        message, hint = _pattern_message(model, field, str(got), ids)
        return message, _with_example(hint, line)
    if kind in ("literal_error", "enum"):
        choices = _choices(err)
        close = closest(str(got), choices) if isinstance(got, str) else None
        hint = t("did you mean '{name}'?", name=close) if close else ""
        listed = ", ".join(choices)
        return t("expected one of: {choices}", choices=listed), _with_example(
            hint, line
        )
    if kind in _SIMPLE:
        message, hint = _SIMPLE[kind]
        return t(message, **ctx), _with_example(t(hint, **ctx) if hint else "", line)
    if kind == "value_error":
        said = str(err.get("msg", "")).removeprefix("Value error, ")
        message, hint, field = _VALUE_ERRORS.get(said, (_FALLBACK, "", field))
        return t(message), _with_example(t(hint) if hint else "", example("", field))
    if kind == "fractional_count" and "%" in context.unit:
        return t(_CUSTOM[kind][0][0], **ctx), _with_example(
            t("a percentage (such as 9,4 %) is not a count: set kind: percent"),
            "kind: percent",
        )
    for message, hint, line in _CUSTOM.get(kind, ()):
        if message.format_map(defaultdict(str, ctx)) == err.get("msg"):
            return t(message, **ctx), _with_example(
                t(hint, **ctx) if hint else "", line
            )
    return t(_FALLBACK), _with_example("", line)


_FALLBACK = N_("this value is not valid here")

# type -> (message, hint before the example); {fields} come from pydantic's ctx.
_SIMPLE: Mapping[str, tuple[str, str]] = {
    "decimal_parsing": (
        N_("expected a number"),
        N_("write digits only, with '.' as the decimal point and no unit"),
    ),
    "decimal_type": (
        N_("expected a number"),
        N_("write digits only, with '.' as the decimal point and no unit"),
    ),
    "float_parsing": (
        N_("expected a number"),
        N_("write digits only, with '.' as the decimal point"),
    ),
    "float_type": (
        N_("expected a number"),
        N_("write digits only, with '.' as the decimal point"),
    ),
    "finite_number": (
        N_("expected a finite number"),
        N_(".inf and .nan are not numbers a report can show"),
    ),
    "int_parsing": (
        N_("expected a whole number"),
        N_("write digits only, without separators or units"),
    ),
    "int_type": (
        N_("expected a whole number"),
        N_("write digits only, without separators or units"),
    ),
    "int_from_float": (N_("expected a whole number"), N_("leave out the decimal part")),
    "bool_parsing": (N_("expected true or false"), ""),
    "bool_type": (N_("expected true or false"), ""),
    "date_parsing": (N_("expected a date written YYYY-MM-DD"), ""),
    "date_type": (N_("expected a date written YYYY-MM-DD"), ""),
    "date_from_datetime_parsing": (N_("expected a date written YYYY-MM-DD"), ""),
    "date_from_datetime_inexact": (
        N_("expected a date written YYYY-MM-DD, without a time"),
        "",
    ),
    "string_type": (
        N_("expected text, not a list or a mapping"),
        N_("write the text after the ':'"),
    ),
    "string_too_short": (
        N_("expected text, found nothing"),
        N_("write the text after the ':', or remove the line if the field is optional"),
    ),
    "string_too_long": (
        N_("the text is longer than {max_length} characters"),
        N_("shorten it: a longer text belongs in a narrative (content/<slug>/*.md)"),
    ),
    "list_type": (N_("expected a list (lines starting with '- ')"), ""),
    "model_type": (
        N_("expected a mapping of fields"),
        N_("write its fields indented below it"),
    ),
    "model_attributes_type": (
        N_("expected a mapping of fields"),
        N_("write its fields indented below it"),
    ),
    "dict_type": (
        N_("expected a mapping of fields"),
        N_("write its fields indented below it"),
    ),
    "too_short": (N_("expected at least {min_length} item(s)"), ""),
    "too_long": (N_("expected at most {max_length} item(s)"), ""),
    "greater_than_equal": (N_("expected a number of at least {ge}"), ""),
    "greater_than": (N_("expected a number greater than {gt}"), ""),
    "less_than_equal": (N_("expected a number of at most {le}"), ""),
    "less_than": (N_("expected a number less than {lt}"), ""),
}

# Our own checks in the models (ValueError): message -> (message, hint, the field
# whose example shows the fix).
_VALUE_ERRORS: Mapping[str, tuple[str, str, str]] = {
    "period.end is before period.start": (
        N_("period.end is before period.start"),
        N_("swap the two dates, or check the year"),
        "period",
    ),
    "derived: true needs a `derivation` saying how": (
        N_("derived: true needs a `derivation` saying how"),
        N_("say how the value was computed, so a reader can do it again"),
        "derivation",
    ),
    "`change` and `previous` need `compared_to` (the period)": (
        N_("`change` and `previous` need `compared_to` (the period)"),
        N_("name the period the value is compared with, as the source says it"),
        "compared_to",
    ),
}

# Our own custom error types (PydanticCustomError): type -> the messages the
# models raise with it, each with its hint; {fields} come from the error's ctx.
_CUSTOM: Mapping[str, Sequence[tuple[str, str, str]]] = {
    "implausible_number": [
        (
            N_("the number is implausibly large (10^15 or more)"),
            N_(
                "check for a typing slip: YAML reads 1e400 as 1 with 400 zeros; the "
                "numbers of a report stay below a million billion (10^15)"
            ),
            "",
        )
    ],
    "too_many_places": [
        (
            N_("the number has more than {places} decimal places"),
            N_("round it to at most {places} decimal places"),
            "",
        )
    ],
    "derive_operation": [
        (
            N_("`derive` needs exactly one operation: `sum` or `difference`"),
            N_("see docs/data-checks.md"),
            EXAMPLES["derive"],
        )
    ],
    "check_kind": [
        (
            N_("a check names exactly one of `sum`, `share` or `same_unit`"),
            N_(
                "for example '- sum: total-id' with 'parts: [a, b]', '- share: id' or "
                "'- same_unit: id'; see docs/data-checks.md"
            ),
            "",
        )
    ],
    "check_parts": [
        (
            N_("a `sum` check needs `parts`: at least two indicator ids"),
            N_("see docs/data-checks.md"),
            "- sum: vu-xam-hai-tre-em, parts: [vu-xam-hai-mien-dong, "
            "vu-xam-hai-mien-tay]",
        ),
        (
            N_("`parts` belong to a `sum` check: add `sum: <total id>`"),
            N_("see docs/data-checks.md"),
            "- sum: vu-xam-hai-tre-em, parts: [vu-xam-hai-mien-dong, "
            "vu-xam-hai-mien-tay]",
        ),
    ],
    "fractional_count": [
        (
            N_("{number} is not a whole number, but kind is 'count'"),
            N_(
                "if you meant a number in thousands such as 1.317, write it without "
                "the separator (1317): YAML reads '.' as a decimal point; for an "
                "amount such as 9,4 tỷ đồng write 9.4 and set kind: amount"
            ),
            "",
        )
    ],
    "languages": [
        (
            N_(
                "languages must start with `language` ({primary}), the one the data "
                "and narratives are written in"
            ),
            "",
            EXAMPLES["languages"],
        ),
        (
            N_("each language may be named once in languages"),
            "",
            EXAMPLES["languages"],
        ),
    ],
}
