"""Safe YAML: plain values with positions; refused tags and anchors; schema errors."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import pytest

from generator.errors import Pos, Problem, Problems
from generator.load.parse import MAX_NODES, REFUSED, parse_yaml
from generator.load.validate import validate
from generator.model import (
    Conference,
    FrontMatter,
    Indicator,
    Period,
    Positions,
    Session,
)

ALIAS_MESSAGE = "anchors and aliases (&name, *name) are not supported"
PATH = Path("data/x.yaml")

INDICATOR = """\
id: vu-xam-hai
label: Vụ xâm hại trẻ em
value: {value}
unit: vụ
source: bai-viet
quote: toàn quốc xảy ra 1.317 vụ xâm hại trẻ em
"""


def parse(text: str, *, line_offset: int = 0) -> tuple[Any, list[Problem], Positions]:
    problems = Problems()
    positions = Positions(PATH, line_offset=line_offset)
    data = parse_yaml(text, positions, problems)
    return data, list(problems), positions


def check(model: type, text: str, *, line_offset: int = 0) -> tuple[Any, list[Problem]]:
    problems = Problems()
    positions = Positions(PATH, line_offset=line_offset)
    data = parse_yaml(text, positions, problems)
    result = None
    if data is not None:
        result = validate(model, data, positions, problems)
    return result, list(problems)


def where(problem: Problem) -> tuple[int, int]:
    return problem.pos.line, problem.pos.col


# --- plain scalars stay text ------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "no",
        "on",
        "NO",
        "off",
        "yes",
        "Yes",
        "true",
        "8:30",
        "0107",
        "2025-06-30",
        "1.317",
        "1e3",
        "0x1F",
        "0o17",
        ".inf",
        "+12",
        "1_000",
    ],
)
def test_plain_scalar_in_a_text_field_is_the_text_as_typed(typed: str) -> None:
    session, problems = check(Session, f"title: {typed}\ntime: {typed}\n")
    assert problems == []
    assert session is not None
    assert session.title == typed
    assert session.time == typed


def test_parse_keeps_every_plain_scalar_as_a_string() -> None:
    data, problems, _ = parse(
        "a: no\nb: on\nc: NO\nd: 8:30\ne: 0107\nf: 2025-06-30\ng: 12\n"
    )
    assert problems == []
    assert data == {
        "a": "no",
        "b": "on",
        "c": "NO",
        "d": "8:30",
        "e": "0107",
        "f": "2025-06-30",
        "g": "12",
    }


def test_null_spellings_are_none_but_quoted_null_is_text() -> None:
    data, problems, _ = parse("a: ~\nb:\nc: null\nd: 'null'\ne: \"~\"\nf: Null\n")
    assert problems == []
    assert data == {"a": None, "b": None, "c": None, "d": "null", "e": "~", "f": None}


def test_an_empty_optional_field_is_absent_not_empty_text() -> None:
    session, problems = check(Session, "title: Khai mạc\ntime:\nsummary: ~\n")
    assert problems == []
    assert session is not None
    assert session.time is None
    assert session.summary is None


def test_harmless_standard_tag_is_accepted() -> None:
    data, problems, _ = parse("a: !!str 123\nb: !!str no\n")
    assert problems == []
    assert data == {"a": "123", "b": "no"}


# --- tags: nothing runs ------------------------------------------------------------


def test_python_tag_is_an_error_at_the_tag_and_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    calls: list[Any] = []

    def record(*args: Any) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(os, "system", record)
    text = f'title: x\nsummary: !!python/object/apply:os.system ["touch {marker}"]\n'
    data, problems, _ = parse(text)
    assert not marker.exists()
    assert calls == []
    assert len(problems) == 1
    assert where(problems[0]) == (2, 10)
    assert problems[0].pos.path == PATH
    assert problems[0].message == (
        "YAML tag !!python/object/apply:os.system is not allowed"
    )
    assert data == {"title": "x", "summary": REFUSED}


def test_python_tag_echo_hi_is_refused() -> None:
    _, problems, _ = parse('a: !!python/object/apply:os.system ["echo hi"]\n')
    assert [(where(p), p.message) for p in problems] == [
        ((1, 4), "YAML tag !!python/object/apply:os.system is not allowed")
    ]


@pytest.mark.parametrize(
    ("text", "pos", "tag"),
    [
        ("x: 1\na: !custom foo\n", (2, 4), "!custom"),
        ("a:\n  b: !!python/object:os.Foo {x: 1}\n", (2, 6), "!!python/object:os.Foo"),
        ("a: !!python/name:os.system\n", (1, 4), "!!python/name:os.system"),
        ("- !!binary aGk=\n", (1, 3), "!!binary"),
        ("a: !!set {x, y}\n", (1, 4), "!!set"),
    ],
)
def test_any_other_tag_is_an_error_at_its_position(
    text: str, pos: tuple[int, int], tag: str
) -> None:
    _, problems, _ = parse(text)
    assert [(where(p), p.message) for p in problems] == [
        (pos, f"YAML tag {tag} is not allowed")
    ]
    assert "remove the tag" in problems[0].hint


# --- duplicate keys ----------------------------------------------------------------


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    data, problems, _ = parse("a: 1\nb: 2\na: 3\n")
    assert [(where(p), p.message) for p in problems] == [((3, 1), "duplicate key 'a'")]
    assert data == {"a": "1", "b": "2"}


def test_nested_duplicate_key_is_an_error_at_the_second_key() -> None:
    text = "period:\n  label: x\n  start: 2024-01-01\n  label: y\n"
    _, problems, _ = parse(text)
    assert [(where(p), p.message) for p in problems] == [
        ((4, 3), "duplicate key 'label'")
    ]


def test_duplicate_key_next_to_a_merge_key_is_still_reported() -> None:
    _, problems, _ = parse("a: 1\n<<: {b: 2}\na: 3\n")
    assert ((3, 1), "duplicate key 'a'") in [(where(p), p.message) for p in problems]


# --- anchors and aliases -----------------------------------------------------------


def test_alias_is_refused_at_the_alias() -> None:
    data, problems, _ = parse("a: &x 1\nb: *x\n")
    assert problems, "an alias must be refused"
    assert all(p.message == ALIAS_MESSAGE for p in problems)
    assert (2, 4) in [where(p) for p in problems], "report where '*x' is written"
    assert data == {"a": "1", "b": REFUSED}  # the rest of the file is still read


def test_anchor_is_refused_at_the_anchor() -> None:
    _, problems, _ = parse("title: &t Hội nghị\n")
    assert [(where(p), p.message) for p in problems] == [((1, 8), ALIAS_MESSAGE)]


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for prev, name in itertools.pairwise(names[: levels + 1]):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_without_expanding() -> None:
    text = billion_laughs(9)
    data, problems, positions = parse(text)
    assert problems
    assert {p.message for p in problems} == {ALIAS_MESSAGE}
    # Nothing was expanded: the result holds at most the nine literal strings per level.
    assert len(positions.values) < 200
    assert (
        data is None or sum(len(v) for v in data.values() if isinstance(v, list)) < 100
    )


def test_too_many_values_is_an_error_stating_the_limit() -> None:
    text = "a: [" + ",".join(["1"] * (MAX_NODES + 10)) + "]\n"
    data, problems, _ = parse(text)
    assert data is None
    assert [p.message for p in problems] == [
        f"the file has more than {MAX_NODES} values"
    ]


# --- tabs and syntax ---------------------------------------------------------------


def test_tab_indentation_is_reported_and_the_rest_of_the_file_is_checked() -> None:
    text = "title: x\nperiod:\n  label: y\n\tstart: 2024-01-01\nb: 1\nb: 2\n"
    data, problems, _ = parse(text)
    assert [(where(p), p.message) for p in problems] == [
        ((4, 1), "a tab character is used for indentation"),
        ((6, 1), "duplicate key 'b'"),
    ]
    assert "spaces" in problems[0].hint
    assert data["period"] == {"label": "y", "start": "2024-01-01"}


def test_two_tab_indented_lines_are_both_reported() -> None:
    text = "period:\n\tlabel: y\n\tstart: 2024-01-01\n"
    _, problems, _ = parse(text)
    assert [(where(p), p.message) for p in problems] == [
        ((2, 1), "a tab character is used for indentation"),
        ((3, 1), "a tab character is used for indentation"),
    ]


def test_tab_inside_a_value_is_not_indentation() -> None:
    data, problems, _ = parse("title: a\tb\n")
    assert problems == []
    assert data == {"title": "a\tb"}


def test_syntax_error_after_a_tab_is_still_reported() -> None:
    _, problems, _ = parse("a:\n  b: 1\n\tc: 2\nd: [\n")  # tab read as spaces
    assert [(where(p), p.message) for p in problems] == [
        ((3, 1), "a tab character is used for indentation"),
        ((4, 5), "invalid YAML: a value is missing here"),  # not line 5
    ]


def test_an_unclosed_quote_is_reported_where_it_opens() -> None:
    _, problems, _ = parse('title: "unclosed\nb: 1\n')
    assert [(where(p), p.message) for p in problems] == [
        ((1, 8), "the quoted text that starts at 1:8 is never closed")
    ]
    assert problems[0].pos.path == PATH
    assert "quote mark" in problems[0].hint


@pytest.mark.parametrize(
    ("text", "pos", "message"),
    [
        (
            "a: 1\nb: 'open\n",
            (2, 4),
            "the quoted text that starts at 2:4 is never closed",
        ),
        (
            "a: {x: 1\n",
            (1, 4),
            "the mapping that starts with '{' at 1:4 is never closed",
        ),
        ("a: x\nno colon here\nc: d\n", (2, 1), "the key at 2:1 has no ':' after it"),
        (
            "a: [1, 2\nb: 3\n",
            (1, 4),
            "the list that starts with '[' at 1:4 is not closed where expected",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            (3, 2),
            "invalid YAML: the line does not read as 'key: value'",
        ),
    ],
)
def test_a_syntax_error_points_where_its_construct_opens_never_past_the_end(
    text: str, pos: tuple[int, int], message: str
) -> None:
    _, problems, _ = parse(text)
    assert [(where(p), p.message) for p in problems] == [(pos, message)]
    lines = text.count("\n")
    assert all(p.pos.line <= lines for p in problems)


def test_a_control_character_is_reported_and_the_rest_of_the_file_still_read() -> None:
    data, problems, _ = parse("a: x\x07y\nb: &k 1\nc: *k\nd: !foo 3\ne: 5\n")
    assert [(where(p), p.message) for p in problems] == [
        ((1, 5), "the invisible control character U+0007 is not allowed"),
        ((2, 4), ALIAS_MESSAGE),
        ((3, 4), ALIAS_MESSAGE),
        ((4, 4), "YAML tag !foo is not allowed"),
    ]
    assert data == {"a": "xy", "b": "1", "c": REFUSED, "d": REFUSED, "e": "5"}


def test_non_text_mapping_key_is_an_error() -> None:
    _, problems, _ = parse("? [a, b]\n: 1\nc: 2\n")
    assert [(where(p), p.message) for p in problems] == [
        ((1, 3), "a mapping key must be plain text")
    ]


# --- schema errors: unknown, missing -----------------------------------------------


def test_unknown_field_says_did_you_mean_and_hides_the_implied_missing_one() -> None:
    text = "title: x\ntiem: 8:30\n"
    _, problems = check(Session, "titel: x\ntime: 8:30\n")  # title is not "missing"
    assert [(where(p), p.message, p.hint) for p in problems] == [
        ((1, 1), "unknown field 'titel'", "did you mean 'title'?")
    ]
    _, problems = check(Session, text)
    assert [(where(p), p.message, p.hint) for p in problems] == [
        ((2, 1), "unknown field 'tiem'", "did you mean 'time'?")
    ]


def test_unknown_nested_field_is_reported_at_its_key() -> None:
    text = "label: 6 tháng\nstart: 2024-01-01\nedn: 2024-06-30\n"
    _, problems = check(Period, text)
    assert [(where(p), p.message, p.hint) for p in problems] == [
        ((3, 1), "unknown field 'edn'", "did you mean 'end'?")
    ]


def test_unknown_field_without_a_close_match_lists_the_allowed_fields() -> None:
    _, problems = check(FrontMatter, "title: x\nzzzzzz: 1\n")
    assert len(problems) == 1
    assert problems[0].message == "unknown field 'zzzzzz'"
    assert all(
        name in problems[0].hint for name in ("draft", "order", "summary", "title")
    )


def test_missing_field_is_reported_at_the_parent_mapping() -> None:
    text = (
        "title: T\nshort_title: S\nseries: X\n"
        "period:\n  label: 6 tháng\n  start: 2024-01-01\n"
        "organisers: [A]\n"
        "indicators:\n"
        "  - id: a\n    label: A\n    value: 1\n    source: s\n    quote: q\n"
        "sources:\n  - id: s\n    title: Bài\n"
    )
    _, problems = check(Conference, text)
    got = [(where(p), p.message) for p in problems]
    assert got == [
        ((5, 3), "missing required field 'end'"),
        ((9, 5), "missing required field 'unit'"),
    ]


def test_missing_top_level_field_is_reported_at_the_document_start() -> None:
    _, problems = check(Session, "# comment\n\ntime: 8:30\n")
    assert [(where(p), p.message) for p in problems] == [
        ((3, 1), "missing required field 'title'")
    ]


# --- numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [".inf", "-.inf", ".Inf", ".nan", ".NaN", "inf", "nan", "Infinity"]
)
def test_infinite_or_nan_number_is_an_error_at_the_value(value: str) -> None:
    indicator, problems = check(Indicator, INDICATOR.format(value=value))
    assert indicator is None
    assert [where(p) for p in problems] == [(3, 8)]
    assert problems[0].message.startswith("value: expected a")
    assert "number" in problems[0].message


def test_thousands_separator_in_a_count_is_an_error_with_a_hint() -> None:
    indicator, problems = check(Indicator, INDICATOR.format(value="1.317"))
    assert indicator is None
    assert [(where(p), p.message) for p in problems] == [
        ((3, 8), "value: 1.317 is not a whole number, but kind is 'count'")
    ]
    assert "without the separator (1317)" in problems[0].hint


def test_fractional_amount_is_fine_whatever_the_key_order() -> None:
    text = INDICATOR.format(value="9.4").replace(
        "unit: vụ", "unit: tỷ đồng\nkind: amount"
    )
    indicator, problems = check(Indicator, text)
    assert problems == []
    assert indicator is not None
    assert str(indicator.value) == "9.4"


def test_fractional_change_of_a_count_is_an_error() -> None:
    text = INDICATOR.format(value="1317") + "change: -31.5\ncompared_to: 2023\n"
    _, problems = check(Indicator, text)
    assert [(where(p), p.message) for p in problems] == [
        ((7, 9), "change: -31.5 is not a whole number, but kind is 'count'")
    ]


@pytest.mark.parametrize("value", ["1317 vụ", "1.317 vụ", "17,800", "hơn 20", "20 tỷ"])
def test_number_written_with_words_or_units_is_an_error(value: str) -> None:
    _, problems = check(Indicator, INDICATOR.format(value=value))
    assert [(where(p), p.message) for p in problems] == [
        ((3, 8), f"value: expected a number, got '{value}'")
    ]
    assert "no unit" in problems[0].hint


def test_whole_number_is_read_exactly() -> None:
    indicator, problems = check(Indicator, INDICATOR.format(value="600000"))
    assert problems == []
    assert indicator is not None
    assert indicator.value == 600000


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2024-02-30", "2024-13-01", "30/06/2024", "2024-6-31"])
def test_invalid_date_is_an_error_at_its_position(day: str) -> None:
    text = f"label: 6 tháng\nstart: 2024-01-01\nend: {day}\n"
    period, problems = check(Period, text)
    assert period is None
    assert [(where(p), p.message) for p in problems] == [
        ((3, 6), f"end: expected a date written YYYY-MM-DD, got '{day}'")
    ]
    assert problems[0].hint == "for example: end: 2024-06-30"


def test_date_in_a_list_is_reported_at_the_item() -> None:
    text = (
        "title: T\nshort_title: S\nseries: X\n"
        "period: {label: L, start: 2024-01-01, end: 2024-06-30}\n"
        "dates:\n  - 2024-07-25\n  - 2024-07-32\n"
        "organisers: [A]\nsources: [{id: s, title: B}]\n"
    )
    _, problems = check(Conference, text)
    assert [(where(p), p.message) for p in problems] == [
        ((7, 5), "dates[1]: expected a date written YYYY-MM-DD, got '2024-07-32'")
    ]


def test_period_ending_before_it_starts_is_an_error() -> None:
    _, problems = check(Period, "label: L\nstart: 2024-06-30\nend: 2024-01-01\n")
    assert [(where(p), p.message) for p in problems] == [
        ((1, 1), "period.end is before period.start")
    ]


# --- positions and front matter ----------------------------------------------------


def test_line_offset_shifts_every_position() -> None:
    # Front matter: the YAML starts on line 2 of the file, after '---'.
    _, problems = check(
        FrontMatter, "title: x\ntitle: y\norder: first\n", line_offset=1
    )
    assert [(where(p), p.message) for p in problems] == [
        ((3, 1), "duplicate key 'title'"),
        ((4, 8), "order: expected a whole number, got 'first'"),
    ]


def test_positions_fall_back_to_the_deepest_existing_ancestor() -> None:
    _, _, positions = parse("a:\n  b:\n    - x\n    - y\n")
    assert positions.at(("a", "b", 1)) == Pos(PATH, 4, 7)
    assert positions.at(("a", "b", 7, "zz")) == Pos(PATH, 3, 5)
    assert positions.at(("a", "b"), key=True) == Pos(PATH, 2, 3)
    assert positions.at(("nope",)) == Pos(PATH, 1, 1)


def test_columns_count_characters_not_bytes() -> None:
    _, problems = check(Session, "title: Phát biểu\nsummary: Ý kiến\ntime: [8:30]\n")
    assert [where(p) for p in problems] == [(3, 7)]
    _, problems = check(Session, "title: Đại biểu\nspeakers: [nguyễn-thị-hà]\n")
    assert [where(p) for p in problems] == [(2, 12)]


def test_a_node_reached_twice_is_built_once_behind_the_event_check() -> None:
    """The builder's own guard, should an alias ever get past _refuse_anchors."""
    import yaml

    from generator.load.parse import _Builder

    node = yaml.compose("a: &x [1, 2]\nb: *x\nc: *x\n", Loader=yaml.SafeLoader)
    problems = Problems()
    value = _Builder(Positions(PATH), problems).build(node, ())
    assert value == {"a": ["1", "2"], "b": REFUSED, "c": REFUSED}
    assert [p.message for p in problems] == [ALIAS_MESSAGE] * 2
