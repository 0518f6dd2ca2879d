"""Errors that teach: no library wording ever, a hint with each, synonyms of fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import SYNONYMS, closest, did_you_mean, fold
from generator.load.parse import parse_yaml
from generator.load.validate import validate
from generator.model import Conference, Positions, SiteConfig

LIBRARY_WORDS = (
    "should match pattern",
    "Input should",
    "Decimal input",
    "pydantic",
    "Value error",
    "String should",
    "List should",
    "valid dictionary",
    "[a-z0-9]",
    "^[",
)

INDICATOR = (
    "  - id: vu-xam-hai\n    label: Vụ xâm hại\n    value: 1317\n    unit: vụ\n"
    "    source: bai-viet\n    quote: 1.317 vụ\n"
)
BASE = {
    "title": "Hội nghị",
    "short_title": "Hội nghị",
    "series": "Chuỗi",
    "period": "\n  label: 6 tháng\n  start: 2024-01-01\n  end: 2024-06-30",
    "organisers": "\n  - name: Cục Trẻ em\n    editorial: true",
    "speakers": (
        "\n  - id: tran-minh-khoa\n    name: Trần Minh Khoa\n    editorial: true"
    ),
    "indicators": "\n" + INDICATOR.rstrip("\n"),
    "sources": "\n  - id: bai-viet\n    title: Bài viết",
}


def conference(**changes: str | None) -> str:
    fields = {**BASE, **changes}
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)


def indicator(**changes: str) -> str:
    lines = {"id": "vu-xam-hai", "label": "Vụ", "value": "1317", "unit": "vụ"}
    lines |= {"source": "bai-viet", "quote": "1.317 vụ", **changes}
    body = "\n    ".join(f"{k}: {v}" for k, v in lines.items())
    return "\n  - " + body


# One wrong input for every error type the models can raise: types, patterns,
# numbers, dates, literals, lengths, missing and extra fields, our own checks.
WRONG = {
    "decimal-text": {"indicators": indicator(value="1317 vụ")},
    "decimal-list": {"indicators": indicator(value="[1, 2]")},
    "decimal-mapping": {"indicators": indicator(value="{a: 1}")},
    "inf": {"indicators": indicator(value=".inf")},
    "huge": {"indicators": indicator(value="1e400")},
    "places": {"indicators": indicator(value="1.1234567", kind="amount")},
    "fraction": {"indicators": indicator(value="9.4")},
    "fraction-percent": {"indicators": indicator(value="9.4", unit="'%'")},
    "kind": {"indicators": indicator(kind="percentage")},
    "bool": {"indicators": indicator(key="có")},
    "int": {"indicators": indicator(suppress_below="mười")},
    "negative": {"indicators": indicator(suppress_below="-1")},
    "change-alone": {"indicators": indicator(change="-31")},
    "derived-alone": {"indicators": indicator(derived="true")},
    "derive-two": {"indicators": indicator(derive="{sum: [a, b], difference: [a, b]}")},
    "derive-one": {"indicators": indicator(derive="{sum: [a]}")},
    "id-upper": {"indicators": indicator(id="Vu-Xam-Hai")},
    "id-long": {"indicators": indicator(id="a" * 90)},
    "speaker-by-name": {
        "sessions": "\n  - title: Phát biểu\n    speakers: [Trần Minh Khoa]"
    },
    "period-text": {"period": "6 tháng đầu năm 2024"},
    "period-list": {"period": "[2024-01-01, 2024-06-30]"},
    "period-reversed": {
        "period": "\n  label: x\n  start: 2024-06-30\n  end: 2024-01-01"
    },
    "date": {"dates": "[2024-13-01]"},
    "date-vn": {"dates": "[25/07/2024]"},
    "date-time": {"published": "2024-07-25 10:00"},
    "title-empty": {"title": "''"},
    "title-list": {"title": "[a, b]"},
    "title-long": {"title": "x" * 4001},
    "missing": {"series": None},
    "no-sources": {"sources": "[]"},
    "organisers-text": {"organisers": "Cục Trẻ em"},
    "list-mapping": {"speakers": "{id: a}"},
    "extra": {"shorttitle": "x"},
    "extra-synonym": {"nhiem_vu": "[]"},
    "flow-comma": {"organisers": "[{name: Cục Trẻ em, Bộ Lao động, editorial: true}]"},
    "url": {"sources": "\n  - id: bai-viet\n    title: B\n    url: www.molisa.vn"},
    "status": {
        "follow_up_reports": "\n  - conference: a\n    task: b\n    status: xong"
    },
    "figure-kind": {
        "figures": "\n  - id: f\n    kind: pie\n    title: T\n    decimals: một"
    },
    "check": {"checks": "\n  - sum: a\n    share: b"},
    "check-parts": {"checks": "\n  - parts: [a, b]"},
}


def problems_of(text: str, model: type = Conference) -> list[tuple[str, str]]:
    from generator.errors import Problems

    problems = Problems()
    positions = Positions(Path("data/x.yaml"))
    data = parse_yaml(text, positions, problems)
    validate(model, data, positions, problems)
    return [(p.message, p.hint) for p in problems]


@pytest.mark.parametrize("name", sorted(WRONG))
def test_every_schema_error_is_ours_and_has_a_hint(name: str) -> None:
    found = problems_of(conference(**WRONG[name]))
    assert found, name
    for message, hint in found:
        for words in LIBRARY_WORDS:
            assert words not in message and words not in hint, (message, hint)
        assert hint, message


@pytest.mark.parametrize(
    "setting",
    [
        "language: Tiếng Việt\n",
        "languages: [vi, vi]\n",
        "languages: [en, vi]\n",
        "colors: {primary: blue}\n",
        "pdf: có\n",
        "suppress_below: -5\n",
    ],
)
def test_every_site_yaml_error_is_ours_and_has_a_hint(setting: str) -> None:
    found = problems_of(setting, SiteConfig)
    assert found
    for message, hint in found:
        assert not any(w in message or w in hint for w in LIBRARY_WORDS), message
        assert hint, message


def test_the_known_leaks_now_say_what_is_expected() -> None:
    [(message, hint)] = problems_of(conference(**WRONG["decimal-list"]))
    assert message == "indicators[0].value: expected a number"
    assert "value: 1317" in hint
    [(message, hint)] = problems_of(conference(**WRONG["speaker-by-name"]))
    assert message == (
        "sessions[0].speakers[0]: expected a speaker's id, as given in `speakers`, "
        "got 'Trần Minh Khoa'"
    )
    assert "'tran-minh-khoa'" in hint
    [(message, hint)] = problems_of(conference(**WRONG["period-text"]))
    assert message == "period: expected a mapping of fields"
    assert "period: {label: 6 tháng đầu năm 2024, start: 2024-01-01" in hint
    [(message, hint)] = problems_of(conference(**WRONG["flow-comma"]))
    assert "'Bộ Lao động' is read as a field name" in message
    assert "quotes" in hint


def test_a_percentage_that_is_not_a_count_is_told_kind_percent() -> None:
    [(_, hint)] = problems_of(conference(**WRONG["fraction-percent"]))
    assert "kind: percent" in hint
    assert "kind: amount" not in hint
    [(_, hint)] = problems_of(conference(**WRONG["fraction"]))
    assert "kind: amount" in hint


def test_a_change_without_compared_to_gets_a_hint() -> None:
    [(message, hint)] = problems_of(conference(**WRONG["change-alone"]))
    assert "compared_to" in message
    assert "compared_to: 6 tháng đầu năm 2023" in hint


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("follow_up_tasks", "follow_up"),
        ("tasks", "follow_up"),
        ("nhiem_vu", "follow_up"),
        ("Nhiệm vụ", "follow_up"),
        ("discussion_topics", "topics"),
        ("speaker", "speakers"),
        ("dien_gia", "speakers"),
        ("chu_de", "topics"),
        ("chi_so", "indicators"),
        ("nguon", "sources"),
        ("dia_diem", "venue"),
        ("phien", "sessions"),
        ("nguoi_trinh_bay", "speakers"),
        ("shorttitle", "short_title"),
    ],
)
def test_synonyms_and_typos_of_conference_fields(typed: str, meant: str) -> None:
    assert closest(typed, Conference.model_fields) == meant


@pytest.mark.parametrize(
    ("typed", "fields", "meant"),
    [
        ("don_vi", ["id", "label", "value", "unit"], "unit"),
        ("don_vi", ["id", "name", "organisation"], "organisation"),
        ("thoi_gian", ["title", "time", "speakers"], "time"),
        ("thoi_gian", ["id", "task", "owner", "due"], "due"),
        ("ten", ["id", "name", "role"], "name"),
        ("nguon", ["id", "value", "source", "quote"], "source"),
        ("chi_so", ["id", "kind", "indicators"], "indicators"),
    ],
)
def test_a_synonym_means_the_field_the_mapping_has(
    typed: str, fields: list[str], meant: str
) -> None:
    assert closest(typed, fields) == meant


def test_the_synonym_table_names_only_fields_of_the_schema() -> None:
    from generator.load.validate import model_in
    from generator.model import FrontMatter

    names: set[str] = set()
    todo: list[type] = [Conference, SiteConfig, FrontMatter]
    while todo:
        model = todo.pop()
        for name, info in model.model_fields.items():
            names.add(name)
            inner = model_in(info.annotation)
            if inner is not None and inner not in todo:
                todo.append(inner)
    assert set(SYNONYMS) <= names, set(SYNONYMS) - names
    assert set(Conference.model_fields) <= set(SYNONYMS)
    assert all(fold(word) == word for words in SYNONYMS.values() for word in words)


def test_no_suggestion_lists_every_known_name() -> None:
    known = [f"field_{i:02}" for i in range(30)]
    hint = did_you_mean("zzz", known, "field")
    assert hint.startswith("known fields: ")
    assert all(name in hint for name in known)
    assert "…" not in hint
