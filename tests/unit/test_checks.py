"""Data checks and derived values (generator/checks.py), through the real loader.

Each test writes a small project (site.yaml and data files) and loads it with
``load_site``, so positions, messages and hints are what an author sees.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from generator.errors import BuildFailed, Problem, Problems
from generator.load.project import load_site
from generator.model import Indicator, Site, explain_change, explain_previous

REPO = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"

HEAD = """\
title: Hội nghị thử {year}
short_title: Thử {year}
series: {series}
period:
  label: 6 tháng đầu năm {year}
  start: {year}-01-01
  end: {year}-06-30
organisers: [Cục Trẻ em]
sources:
  - id: nguon
    title: Bài viết thử
"""


def indicator(
    ident: str, value: str | None, unit: str | None = "vụ", **more: str
) -> str:
    lines = [f"  - id: {ident}", f"    label: Chỉ số {ident}"]
    if value is not None:
        lines.append(f"    value: {value}")
    if unit is not None:
        lines.append(f"    unit: {unit}")
    lines += [f"    {key}: {text}" for key, text in more.items()]
    lines += ["    source: nguon", "    quote: số liệu thử"]
    return "\n".join(lines) + "\n"


def conference(
    *indicators: str, checks: str = "", year: int = 2024, series: str = "Chuỗi thử"
) -> str:
    text = HEAD.format(year=year, series=series) + "indicators:\n" + "".join(indicators)
    if checks:
        text += "checks:\n" + textwrap.indent(textwrap.dedent(checks), "  ")
    return text


def write(root: Path, files: dict[str, str]) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text("title: Thử\n", "utf-8")
    for name, text in files.items():
        (root / "data" / name).write_text(text, "utf-8")
    return root


def load_ok(tmp_path: Path, **files: str) -> Site:
    problems = Problems()
    site = load_site(write(tmp_path, files), problems)
    assert not problems.errors, [str(p) for p in problems]
    return site


def failures(tmp_path: Path, **files: str) -> list[Problem]:
    with pytest.raises(BuildFailed) as caught:
        load_site(write(tmp_path, files), Problems())
    return [p for p in caught.value.problems if p.severity == "error"]


def where(problem: Problem) -> tuple[str, int, int]:
    return (problem.pos.path.as_posix(), problem.pos.line, problem.pos.col)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def col_of(text: str, needle: str) -> int:
    start = text.index(needle)
    return start - text.rfind("\n", 0, start)


def value(site: Site, ident: str) -> Indicator:
    found = [i for e in site.entries for i in e.data.indicators if i.id == ident]
    assert len(found) == 1, ident
    return found[0]


def english(site: Site, ident: str) -> dict[str, str]:
    """The English texts of indicator ident (its `en:` block, as loaded)."""
    for entry in site.entries:
        for i, ind in enumerate(entry.data.indicators):
            if ind.id == ident:
                return dict(entry.texts.get("en", {}).get(("indicators", i), {}))
    raise AssertionError(ident)


# --- derived values ------------------------------------------------------------------


def test_difference_computes_the_value_marks_it_and_explains_it(tmp_path: Path) -> None:
    site = load_ok(
        tmp_path,
        **{
            "a.yaml": conference(
                indicator("tong", "23", "triệu bản ghi"),
                indicator("da-lam", "17", "triệu bản ghi"),
                indicator("con-lai", None, None, derive="{difference: [tong, da-lam]}"),
            )
        },
    )
    rest = value(site, "con-lai")
    assert rest.value == Decimal(6)
    assert rest.unit == "triệu bản ghi" and rest.kind == "count"
    assert rest.derived is True
    assert rest.derivation == (
        f"tính bằng 23{NBSP}triệu bản ghi (Chỉ số tong) trừ "
        f"17{NBSP}triệu bản ghi (Chỉ số da-lam)"
    )
    assert english(site, "con-lai")["derivation"] == (
        f"computed as 23{NBSP}triệu bản ghi (Chỉ số tong) minus "
        f"17{NBSP}triệu bản ghi (Chỉ số da-lam)"
    )
    assert rest.derive is not None and rest.derive.operands == ["tong", "da-lam"]


def test_sum_of_three_chains_through_another_derived_value(tmp_path: Path) -> None:
    site = load_ok(
        tmp_path,
        **{
            "a.yaml": conference(
                indicator("tong", None, None, derive="{sum: [a, b, c]}"),
                indicator("a", "1200"),
                indicator("b", "117"),
                indicator("c", None, None, derive="{difference: [d, b]}"),
                indicator("d", "150"),
            )
        },
    )
    assert value(site, "c").value == Decimal(33)
    total = value(site, "tong")
    assert total.value == Decimal(1350)
    assert total.derivation == (
        f"tính bằng tổng 1.200{NBSP}vụ (Chỉ số a), 117{NBSP}vụ (Chỉ số b) "
        f"và 33{NBSP}vụ (Chỉ số c)"
    )


def test_a_written_derivation_and_english_labels_are_kept(tmp_path: Path) -> None:
    site = load_ok(
        tmp_path,
        **{
            "a.yaml": conference(
                indicator("a", "9.4", "tỷ đồng", kind="amount", en="{label: Grants}"),
                indicator("b", "7.7", "tỷ đồng", kind="amount"),
                indicator(
                    "c",
                    None,
                    None,
                    derive="{sum: [a, b]}",
                    derivation="cộng hai khoản kinh phí",
                ),
                indicator("d", None, None, derive="{sum: [a, b]}"),
            )
        },
    )
    assert value(site, "c").value == Decimal("17.1")
    assert value(site, "c").derivation == "cộng hai khoản kinh phí"
    # the author's words, not ours, in English too
    assert "derivation" not in english(site, "c")
    derivation = english(site, "d")["derivation"]
    assert derivation.startswith("computed as the sum of 9.4")
    assert "(Grants)" in derivation


def test_unknown_operand_is_reported_where_it_is_typed(tmp_path: Path) -> None:
    text = conference(
        indicator("tong", "23"),
        indicator("da-lam", "17"),
        indicator("con-lai", None, None, derive="{difference: [tong, da-lma]}"),
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert where(problem) == (
        "data/a.yaml",
        line_of(text, "da-lma"),
        col_of(text, "da-lma"),
    )
    assert problem.message == "indicators[2].derive: unknown indicator 'da-lma'"
    assert problem.hint == "did you mean 'da-lam'?"


def test_a_value_typed_and_derived_is_an_error_at_the_value(tmp_path: Path) -> None:
    text = conference(
        indicator("tong", "23"),
        indicator("da-lam", "17"),
        indicator("con-lai", "6", None, derive="{difference: [tong, da-lam]}"),
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert where(problem)[1] == line_of(text, "value: 6")
    assert "typed, but `derive` computes it" in problem.message
    assert "remove `value`" in problem.hint


def test_a_loop_of_rules_is_one_error_naming_the_loop(tmp_path: Path) -> None:
    text = conference(
        indicator("a", None, None, derive="{sum: [b, c]}"),
        indicator("b", None, None, derive="{difference: [a, c]}"),
        indicator("c", "5"),
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert (
        problem.message == "indicators[0].derive: the rule depends on itself: a → b → a"
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [indicator("a", "20", "tỷ đồng", approx="more_than", kind="amount")],
            "indicators[2].derive: 'a' is approximate (hơn 20 tỷ đồng), so no exact "
            "value can be computed from it",
        ),
        (
            [indicator("a", "20", "trẻ em")],
            "indicators[2].derive: the indicators are not in one unit and kind: "
            "'a' in 'trẻ em', 'b' in 'vụ'",
        ),
    ],
    ids=["approximate", "units"],
)
def test_operands_must_be_exact_and_alike(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    text = conference(
        *rows, indicator("b", "5"), indicator("c", None, None, derive="{sum: [a, b]}")
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert problem.message == message


def test_a_negative_derived_count_is_refused(tmp_path: Path) -> None:
    text = conference(
        indicator("tong", "17"),
        indicator("da-lam", "23"),
        indicator("con-lai", None, None, derive="{difference: [tong, da-lam]}"),
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert problem.message == (
        "indicators[2].derive: the computed count is \u22126 vụ, below zero"
    )


def test_a_typed_unit_must_match_the_operands(tmp_path: Path) -> None:
    text = conference(
        indicator("a", "5"),
        indicator("b", "7"),
        indicator("c", None, "trẻ em", derive="{sum: [a, b]}"),
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert where(problem)[1] == line_of(text, "unit: trẻ em")
    assert "'trẻ em', but the indicators it is computed from are in 'vụ'" in (
        problem.message
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{product: [a, b]}", "unknown field 'product'"),
        ("{sum: [a]}", "derive.sum: expected at least 2 item(s)"),
        ("{difference: [a, b, a]}", "derive.difference: expected at most 2 item(s)"),
        ("{sum: [a, b], difference: [a, b]}", "exactly one operation"),
        ('{sum: "a + b"}', "expected a list"),
        ("{sum: [\"__import__('os')\", b]}", "expected an id: lowercase"),
    ],
    ids=["unknown-op", "one-operand", "three-operands", "two-ops", "expr", "code"],
)
def test_a_malformed_rule_is_one_schema_error_and_nothing_runs(
    tmp_path: Path, rule: str, message: str
) -> None:
    text = conference(
        indicator("a", "5"),
        indicator("b", "7"),
        indicator("c", None, None, derive=rule),
    )
    problems = failures(tmp_path, **{"a.yaml": text})
    assert len(problems) == 1, [str(p) for p in problems]
    assert message in problems[0].message
    assert "missing required field 'value'" not in problems[0].message


# --- change = value - previous ------------------------------------------------


def test_a_change_that_does_not_add_up_names_every_number(tmp_path: Path) -> None:
    text = conference(
        indicator("vu", "1317", change="-31", previous="1300", compared_to="năm trước")
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert where(problem) == (
        "data/a.yaml",
        line_of(text, "change:"),
        col_of(text, "-31"),
    )
    assert problem.message == (
        "indicators[0].change: \u221231 does not equal value 1.317 minus "
        "previous 1.300 (= 17)"
    )
    assert "give `change` or `previous`, not both" in problem.hint


def test_previous_is_derived_from_change_and_explained(tmp_path: Path) -> None:
    text = conference(indicator("vu", "1317", change="-31", compared_to="năm trước"))
    ind = value(load_ok(tmp_path, **{"a.yaml": text}), "vu")
    assert (ind.previous_value, ind.previous_derived) == (Decimal(1348), True)
    assert explain_previous(ind) == f"tính từ mức giảm 31{NBSP}vụ"
    assert explain_previous(ind, "en") == f"from the stated change, down 31{NBSP}vụ"
    assert explain_change(Decimal(5), "vụ") == f"tính từ mức tăng 5{NBSP}vụ"


# --- declared checks ----------------------------------------------------------


def test_a_sum_that_holds_passes(tmp_path: Path) -> None:
    text = conference(
        indicator("tong", "1317"),
        indicator("dong", "717"),
        indicator("tay", "600"),
        checks="- sum: tong\n  parts: [dong, tay]\n  note: hai miền cộng lại\n",
    )
    site = load_ok(tmp_path, **{"a.yaml": text})
    (check,) = site.entries[0].data.checks
    assert (check.sum, check.parts) == ("tong", ["dong", "tay"])


def test_a_sum_that_fails_names_the_total_and_the_parts(tmp_path: Path) -> None:
    text = conference(
        indicator("tong", "1317"),
        indicator("dong", "700"),
        indicator("tay", "600"),
        checks="- sum: tong\n  parts: [dong, tay]\n",
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert where(problem) == (
        "data/a.yaml",
        line_of(text, "- sum: tong"),
        col_of(text, "tong\n    parts"),
    )
    assert problem.message == (
        "checks[0]: total 'tong' is 1.317 vụ but its parts add up to 1.300 vụ "
        "(700 + 600)"
    )
    assert problem.hint


def test_a_sum_of_different_units_is_refused(tmp_path: Path) -> None:
    text = conference(
        indicator("tong", "10"),
        indicator("dong", "4", "trẻ em"),
        indicator("tay", "6"),
        checks="- sum: tong\n  parts: [dong, tay]\n",
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert problem.message == (
        "checks[0]: the total and its parts are in different units: 'vụ', 'trẻ em'"
    )


@pytest.mark.parametrize("number", ["0", "100", "47.5"])
def test_a_share_within_0_to_100_passes(tmp_path: Path, number: str) -> None:
    text = conference(
        indicator("ty-le", number, '"%"', kind="percent"), checks="- share: ty-le\n"
    )
    load_ok(tmp_path, **{"a.yaml": text})


@pytest.mark.parametrize(
    ("number", "shown"), [("104.5", "104,5%"), ("-0.5", "\u22120,5%")]
)
def test_a_share_outside_0_to_100_is_an_error_at_the_value(
    tmp_path: Path, number: str, shown: str
) -> None:
    text = conference(
        indicator("ty-le", number, '"%"', kind="percent"), checks="- share: ty-le\n"
    )
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert where(problem) == ("data/a.yaml", line_of(text, f"value: {number}"), 12)
    assert problem.message == (
        f"indicators[0].value: share 'ty-le' is {shown}, outside 0 to 100 % (checks[0])"
    )
    assert "105% kế hoạch" in problem.hint


def test_a_percentage_above_100_without_a_share_check_is_fine(tmp_path: Path) -> None:
    # "đạt 105% kế hoạch": a percentage, not a share. Only a declared share is bound.
    text = conference(indicator("ke-hoach", "105", '"%"', kind="percent"))
    load_ok(tmp_path, **{"a.yaml": text})


def test_a_share_check_on_a_count_is_refused(tmp_path: Path) -> None:
    text = conference(indicator("vu", "40"), checks="- share: vu\n")
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert problem.message == "checks[0]: 'vu' is in 'vụ', not a share in %"


def test_checks_naming_unknown_ids_suggest_the_nearest(tmp_path: Path) -> None:
    text = conference(
        indicator("vu-xam-hai", "10"),
        indicator("vu-duoi-nuoc", "4"),
        checks=(
            "- same_unit: vu-xam-ha\n"
            "- sum: vu-xam-hai\n  parts: [vu-duoi-nuoc, vu-khac]\n"
            "- share: ty-le\n"
        ),
    )
    problems = failures(tmp_path, **{"a.yaml": text})
    assert [(where(p)[1], p.message, p.hint) for p in problems] == [
        (
            line_of(text, "same_unit"),
            "checks[0]: unknown indicator 'vu-xam-ha'",
            "did you mean 'vu-xam-hai'?",
        ),
        (
            line_of(text, "parts"),
            "checks[1]: unknown indicator 'vu-khac'",
            "known indicator ids: vu-duoi-nuoc, vu-xam-hai",
        ),
        (
            line_of(text, "share"),
            "checks[2]: unknown indicator 'ty-le'",
            "known indicator ids: vu-duoi-nuoc, vu-xam-hai",
        ),
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "- share: a\n  same_unit: a\n",
            "exactly one of `sum`, `share` or `same_unit`",
        ),
        ("- note: nothing\n", "exactly one of `sum`, `share` or `same_unit`"),
        ("- sum: a\n", "a `sum` check needs `parts`"),
        ("- share: a\n  parts: [a, a]\n", "`parts` belong to a `sum` check"),
        ("- summ: a\n", "unknown field 'summ'"),
    ],
)
def test_a_malformed_check_is_a_schema_error_with_a_hint(
    tmp_path: Path, item: str, message: str
) -> None:
    text = conference(indicator("a", "5"), checks=item)
    (problem,) = failures(tmp_path, **{"a.yaml": text})
    assert message in problem.message
    assert problem.hint


def test_every_failing_check_of_a_run_is_reported_together(tmp_path: Path) -> None:
    first = conference(
        indicator("vu", "1317", change="-31", previous="1300", compared_to="trước"),
        indicator("dong", "700"),
        indicator("tay", "600"),
        indicator("ty-le", "101", '"%"', kind="percent"),
        checks="- sum: vu\n  parts: [dong, tay]\n- share: ty-le\n- same_unit: vu-x\n",
        year=2023,
    )
    second = conference(indicator("vu", "1200", "trường hợp"), year=2024)
    problems = failures(tmp_path, **{"a.yaml": first, "b.yaml": second})
    assert [(where(p)[0], p.message.split(":")[0]) for p in problems] == [
        ("data/a.yaml", "indicators[0].change"),
        ("data/a.yaml", "indicators[3].value"),
        ("data/a.yaml", "checks[0]"),
        ("data/a.yaml", "checks[2]"),
        ("data/b.yaml", "indicators[0].unit"),
    ]


# --- units across a series ----------------------------------------------------


def test_a_unit_that_changes_across_a_series_names_both_files(tmp_path: Path) -> None:
    older = conference(indicator("vu", "1348"), year=2023)
    newer = conference(indicator("vu", "1317", "trường hợp"), year=2024)
    # File names sort the other way round: the later meeting is the one reported.
    (problem,) = failures(tmp_path, **{"b.yaml": older, "a.yaml": newer})
    assert where(problem) == ("data/a.yaml", line_of(newer, "unit: trường hợp"), 11)
    assert problem.message == (
        "indicators[0].unit: 'vu' is in 'trường hợp' here but in 'vụ' in "
        "data/b.yaml (6 tháng đầu năm 2023)"
    )
    assert "write the number in 'vụ'" in problem.hint


def test_units_are_compared_only_within_a_series(tmp_path: Path) -> None:
    load_ok(
        tmp_path,
        **{
            "a.yaml": conference(indicator("vu", "1348"), year=2023),
            "b.yaml": conference(indicator("vu", "13", "trường hợp"), series="Khác"),
            "c.yaml": conference(
                indicator("vu", "1317"), checks="- same_unit: vu\n", year=2024
            ),
        },
    )


# --- the real content ---------------------------------------------------------


def test_real_content_derives_and_declares_its_checks() -> None:
    problems = Problems()
    site = load_site(REPO, problems)
    assert not problems.errors
    rest = value(site, "ban-ghi-chua-lam-sach")
    assert (rest.value, rest.derived) == (Decimal(6), True)
    assert rest.derive is not None and rest.derive.operands == [
        "tong-ban-ghi",
        "ban-ghi-da-lam-sach",
    ]
    text = (REPO / "data/hoi-nghi-tre-em-phia-nam-2023.yaml").read_text("utf-8")
    block = text.split("id: ban-ghi-chua-lam-sach")[1].split("\n  - id:")[0]
    assert "value:" not in block and "derivation:" not in block.split("en:")[0]
    abuse = value(site, "vu-xam-hai-tre-em")
    assert (abuse.previous_value, abuse.previous_derived) == (Decimal(1348), True)
    entry = next(e for e in site.entries if e.slug.endswith("2024"))
    assert {c.same_unit for c in entry.data.checks} == {
        "vu-xam-hai-tre-em",
        "tre-em-tu-vong-duoi-nuoc",
    }
