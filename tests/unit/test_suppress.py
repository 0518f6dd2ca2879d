"""Small-count protection: thresholds resolved site < series < indicator, and masks."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from generator.errors import BuildFailed, Pos, Problems
from generator.figures.resolve import resolve_figure
from generator.figures.text import describe, format_point, tabulate
from generator.load.project import load_site
from generator.load.suppress import revealing_sum, sum_reveal_problem
from generator.markdown.parser import cite_text
from generator.model import (
    Entry,
    Indicator,
    Site,
    change_text,
    derivation_note,
    number_text,
    previous_text,
    quantity_text,
)
from generator.site.datasets import dataset_csv, dataset_json

NBSP = "\u00a0"
SLUG_2023 = "hoi-nghi-tre-em-phia-nam-2023"
SLUG_2024 = "hoi-nghi-tre-em-phia-nam-2024"
SERIES = "hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam"
DROWNED = "tre-em-tu-vong-duoi-nuoc"  # 232 children, 39 fewer than 271 a year before
ABUSE = "vu-xam-hai-tre-em"  # 1.317 cases, 31 fewer than 1.348


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def _load(root: Path) -> tuple[Site, Problems]:
    problems = Problems()
    return load_site(root, problems), problems


def _entry(site: Site, slug: str) -> Entry:
    return next(e for e in site.entries if e.slug == slug)


def _ind(site: Site, slug: str, ident: str) -> Indicator:
    found = _entry(site, slug).indicator(ident)
    assert found is not None
    return found


def _data(root: Path, slug: str = SLUG_2024) -> Path:
    return root / "data" / f"{slug}.yaml"


# ------------------------------------------------------------------ precedence


def test_off_by_default_nothing_is_masked_or_listed(project: Path) -> None:
    site, problems = _load(project)
    assert not problems.notes
    for entry in site.entries:
        for ind in entry.data.indicators:
            assert ind.suppress_below is None
            assert not ind.masked and not ind.previous_masked


def test_site_threshold_applies_to_every_count(project: Path) -> None:
    _append(project / "site.yaml", "suppress_below: 300\n")
    site, _ = _load(project)
    drowned = _ind(site, SLUG_2024, DROWNED)
    assert drowned.suppress_below == 300
    assert drowned.masked and drowned.previous_masked  # 232 and 271
    abuse = _ind(site, SLUG_2024, ABUSE)
    assert not abuse.masked and not abuse.previous_masked  # 1.317 and 1.348
    assert _ind(site, SLUG_2023, "cong-trinh-cho-tre-em").masked  # 272 works


def test_series_setting_overrides_the_site(project: Path) -> None:
    _append(
        project / "site.yaml",
        f"suppress_below: 300\nseries:\n  {SERIES}:\n    suppress_below: 250\n",
    )
    site, _ = _load(project)
    drowned = _ind(site, SLUG_2024, DROWNED)
    assert drowned.suppress_below == 250
    assert drowned.masked and not drowned.previous_masked  # 232 < 250 <= 271


def test_series_can_be_named_by_its_title_and_can_opt_out(project: Path) -> None:
    _append(
        project / "site.yaml",
        "suppress_below: 300\nseries:\n"
        "  Hội nghị công tác trẻ em khu vực phía Nam:\n    suppress_below: 0\n",
    )
    site, problems = _load(project)
    assert not problems.items
    assert not _ind(site, SLUG_2024, DROWNED).masked


def test_indicator_setting_wins_over_series_and_site(project: Path) -> None:
    _append(
        project / "site.yaml",
        f"suppress_below: 10\nseries:\n  {SERIES}:\n    suppress_below: 20\n",
    )
    _replace(
        _data(project), "    value: 232\n", "    value: 232\n    suppress_below: 240\n"
    )
    _replace(
        _data(project, SLUG_2023),
        "    value: 272\n",
        "    value: 272\n    suppress_below: 0\n",
    )
    site, _ = _load(project)
    drowned = _ind(site, SLUG_2024, DROWNED)
    assert (drowned.suppress_below, drowned.masked) == (240, True)
    assert not drowned.previous_masked  # 271 >= 240
    works = _ind(site, SLUG_2023, "cong-trinh-cho-tre-em")
    assert (works.suppress_below, works.masked) == (0, False)
    records = _ind(site, SLUG_2023, "ban-ghi-chua-lam-sach")  # 6 triệu: not small
    assert records.suppress_below == 20 and not records.masked


def test_only_counts_are_masked(project: Path) -> None:
    _append(project / "site.yaml", "suppress_below: 1000000\n")
    site, _ = _load(project)
    assert not _ind(site, SLUG_2023, "gia-tri-hoc-bong").masked  # 9,4 tỷ đồng
    assert _ind(site, SLUG_2023, "tre-em-nhan-hoc-bong").masked  # 14.000 trẻ em
    # 6 triệu bản ghi is six million records, not six.
    assert not _ind(site, SLUG_2023, "ban-ghi-chua-lam-sach").masked


def test_unknown_series_is_an_error_at_its_key(project: Path) -> None:
    _append(
        project / "site.yaml", "series:\n  hoi-nghi-tre-em:\n    suppress_below: 5\n"
    )
    lines = (project / "site.yaml").read_text("utf-8").splitlines()
    with pytest.raises(BuildFailed) as failed:
        _load(project)
    (problem,) = failed.value.problems
    assert problem.pos == Pos(
        Path("site.yaml"), lines.index("  hoi-nghi-tre-em:") + 1, 3
    )
    assert "is not the series of any conference" in problem.message
    assert SERIES in problem.hint


def test_threshold_on_a_percentage_is_an_error(project: Path) -> None:
    _replace(
        _data(project, SLUG_2023),
        "    value: 9.4\n",
        "    value: 9.4\n    suppress_below: 5\n",
    )
    with pytest.raises(BuildFailed) as failed:
        _load(project)
    (problem,) = failed.value.problems
    assert problem.pos.path == Path(f"data/{SLUG_2023}.yaml")
    assert "kind 'amount'" in problem.message


@pytest.mark.parametrize("bad", ["-1", "five", "2.5", "true"])
def test_threshold_must_be_a_whole_number(project: Path, bad: str) -> None:
    _append(project / "site.yaml", f"suppress_below: {bad}\n")
    with pytest.raises(BuildFailed) as failed:
        _load(project)
    assert failed.value.problems[0].pos.path == Path("site.yaml")


# ------------------------------------------------------------ how it reads


@pytest.fixture
def masked_site(project: Path) -> Site:
    _append(project / "site.yaml", "suppress_below: 300\n")
    return _load(project)[0]


def test_texts_of_a_masked_count(masked_site: Site) -> None:
    drowned = _ind(masked_site, SLUG_2024, DROWNED)
    assert number_text(drowned, "vi") == f"<{NBSP}300"
    assert quantity_text(drowned, "vi") == f"<{NBSP}300{NBSP}trẻ em"
    assert previous_text(drowned, "vi") == f"<{NBSP}300{NBSP}trẻ em"
    assert change_text(drowned, "vi") == "giảm"
    assert change_text(drowned, "en") == "down"
    assert derivation_note(drowned, "vi") == "tính từ mức giảm"
    assert drowned.quote_withheld
    abuse = _ind(masked_site, SLUG_2024, ABUSE)  # shown as before
    assert quantity_text(abuse, "vi") == f"1.317{NBSP}vụ"
    assert change_text(abuse, "vi") == f"giảm 31{NBSP}vụ"
    assert derivation_note(abuse, "vi") == f"tính từ mức giảm 31{NBSP}vụ"
    assert not abuse.quote_withheld


def test_narrative_roles_never_show_the_count(masked_site: Site) -> None:
    drowned = _ind(masked_site, SLUG_2024, DROWNED)
    shown = {kind: cite_text(drowned, kind, "vi") for kind in ("ind", "num", "prev")}
    shown["change"] = cite_text(drowned, "change", "vi")
    assert shown["num"][0] == f"<{NBSP}300"
    assert shown["ind"][0] == f"<{NBSP}300{NBSP}trẻ em"
    assert shown["prev"] == (f"<{NBSP}300{NBSP}trẻ em", "tính từ mức giảm")
    assert shown["change"][0] == "giảm"
    for text, note in shown.values():
        for secret in ("232", "271", "39"):
            assert secret not in text + note


def test_change_that_would_give_a_masked_side_away_is_hidden() -> None:
    # 320 is shown, 271 is masked: "tăng 49" would give 271 away.
    rose = Indicator(
        id="x",
        label="x",
        value=Decimal(320),
        change=Decimal(49),
        compared_to="2023",
        unit="trẻ em",
        source="s",
        quote="320 trẻ em, tăng 49",
        suppress_below=300,
    )
    assert not rose.masked and rose.previous_masked and rose.quote_withheld
    assert quantity_text(rose, "vi") == f"320{NBSP}trẻ em"
    assert previous_text(rose, "vi") == f"<{NBSP}300{NBSP}trẻ em"
    assert change_text(rose, "vi") == "tăng"
    assert derivation_note(rose, "vi") == "tính từ mức tăng"
    same = rose.model_copy(update={"value": Decimal(271), "change": Decimal(0)})
    assert change_text(same, "en") == "unchanged"


# ------------------------------------------------------------------ the list


def test_every_masked_number_is_listed_as_a_note(project: Path) -> None:
    _append(project / "site.yaml", "suppress_below: 300\n")
    _, problems = _load(project)
    lines = _data(project).read_text("utf-8").splitlines()
    notes = [str(n) for n in problems.notes if n.pos.path.name == f"{SLUG_2024}.yaml"]
    value_line = lines.index("    value: 232") + 1
    change_line = lines.index("    change: -39") + 1
    assert notes[0] == (
        f"data/{SLUG_2024}.yaml:{value_line}:12: note: value 232 of '{DROWNED}' "
        'shown as "< 300" (suppress_below 300, site.yaml)'
    )
    assert any(
        n.startswith(
            f"data/{SLUG_2024}.yaml:{change_line}:13: note: compared value 271"
        )
        for n in notes
    )
    assert any("change -39" in n and 'only as "giảm"' in n for n in notes)
    assert any("quote" in n and "withheld" in n for n in notes)
    assert all(n.severity == "note" for n in problems.notes)
    problems.check(strict=True)  # notes never fail a build, not even --strict


def test_notes_say_where_the_threshold_comes_from(project: Path) -> None:
    _append(project / "site.yaml", f"series:\n  {SERIES}:\n    suppress_below: 300\n")
    _, problems = _load(project)
    shown = [n.message for n in problems.notes if "shown as" in n.message]
    assert len(shown) == 3  # 232 and 271 in 2024, 272 works in 2023
    assert all(
        m.endswith(f"(suppress_below 300, site.yaml, series '{SERIES}')") for m in shown
    )


# ---------------------------------------------------------- revealing numbers


def _count(ident: str, value: int, threshold: int = 5) -> Indicator:
    return Indicator(
        id=ident,
        label=ident,
        value=Decimal(value),
        unit="trẻ em",
        source="s",
        quote="q",
        suppress_below=threshold,
    )


def test_a_total_with_one_masked_part_gives_it_away() -> None:
    total, boys, girls, other = (
        _count("tong", 12),
        _count("nam", 3),
        _count("nu", 9),
        _count("khac", 2),
    )
    assert revealing_sum(total, [boys, girls]) is boys
    assert revealing_sum(total, [boys, other]) is None  # two masked: only their sum
    assert revealing_sum(_count("tong", 4), [_count("a", 3), _count("b", 1)]) is None
    masked_total = _count("tong", 4)
    assert revealing_sum(masked_total, [_count("a", 2, 0), _count("b", 2, 0)]) is (
        masked_total
    )
    problem = sum_reveal_problem(Pos(Path("data/x.yaml"), 7, 5), total, [boys, girls])
    assert problem is not None and problem.severity == "warning"
    assert str(problem).startswith("data/x.yaml:7:5: warning: 'tong' is the sum of")
    assert "'nam'" in problem.message and "suppress_below" in problem.hint


def test_a_shown_total_of_a_masked_count_is_found_and_warned(project: Path) -> None:
    # 2023: 23 = 17 + 6 triệu bản ghi. Written as plain records, 6 is small.
    # ban-ghi-chua-lam-sach is derived as tong-ban-ghi minus ban-ghi-da-lam-sach.
    path = _data(project, SLUG_2023)
    text = path.read_text("utf-8").replace("unit: triệu bản ghi", "unit: bản ghi")
    rule = "      difference: [tong-ban-ghi, ban-ghi-da-lam-sach]\n"
    path.write_text(text.replace(rule, rule + "    suppress_below: 10\n"), "utf-8")
    _, problems = _load(project)
    (warning,) = problems.warnings
    assert warning.pos.path == Path(f"data/{SLUG_2023}.yaml")
    lines = path.read_text("utf-8").splitlines()
    assert warning.pos.line == lines.index("    derive:") + 1
    assert warning.message.startswith("'tong-ban-ghi' is the sum of")
    assert "masked count 'ban-ghi-chua-lam-sach'" in warning.message
    with pytest.raises(BuildFailed):
        problems.check(strict=True)


def test_an_undeclared_total_is_found_too(project: Path) -> None:
    path = _data(project, SLUG_2023)
    text = path.read_text("utf-8").replace("unit: triệu bản ghi", "unit: bản ghi")
    text = text.replace(
        "    derive:\n      difference: [tong-ban-ghi, ban-ghi-da-lam-sach]\n",
        "    value: 6\n    unit: bản ghi\n    derived: true\n"
        "    derivation: 23 trừ 17\n    suppress_below: 10\n",
    )
    path.write_text(text, "utf-8")
    _, problems = _load(project)
    (warning,) = problems.warnings
    assert warning.pos.line == text.splitlines().index("    value: 23") + 1
    assert "masked count 'ban-ghi-chua-lam-sach'" in warning.message


def test_a_count_masked_in_one_meeting_but_shown_in_another_is_warned(
    project: Path,
) -> None:
    # The 2024 meeting compares with 2023: give 2023 the abuse count, shown there.
    _append(project / "site.yaml", "suppress_below: 300\n")
    _replace(
        _data(project, SLUG_2023),
        "\nindicators:\n",
        "\nindicators:\n"
        f"  - id: {DROWNED}\n    label: Trẻ em tử vong do đuối nước\n"
        "    value: 271\n    unit: trẻ em\n    suppress_below: 0\n"
        "    source: kiem-thu\n    quote: 271 trẻ em\n",
    )
    # A test source with no archived copy: its quote is not checked.
    _append(
        _data(project, SLUG_2023), "  - id: kiem-thu\n    title: Số liệu kiểm thử\n"
    )
    _, problems = _load(project)
    (warning,) = [w for w in problems.warnings if DROWNED in w.message]
    assert warning.pos.path == Path(f"data/{SLUG_2024}.yaml")
    assert f"data/{SLUG_2023}.yaml" in warning.message


def test_a_claim_quoting_a_masked_count_keeps_its_source_but_not_its_words(
    project: Path,
) -> None:
    _append(project / "site.yaml", "suppress_below: 300\n")
    _replace(
        _data(project),
        "\ntopics:\n",
        "\ntopics:\n  - text: Trẻ em tử vong do đuối nước\n"
        "    source: bai-viet-2024\n"
        "    quote: 232 trẻ em tử vong do tai nạn đuối nước\n",
    )
    site, problems = _load(project)
    topics = _entry(site, SLUG_2024).data.topics
    assert (topics[0].source, topics[0].quote) == ("bai-viet-2024", None)
    assert topics[1].quote  # a quote without a masked count is kept
    (note,) = [n for n in problems.notes if "this topic" in n.message]
    assert (
        note.message == "the quote of this topic is withheld: it states a masked count"
    )
    assert note.pos.line == 184  # at its `quote:`


# ---------------------------------------------------------------- downloads


def test_datasets_carry_the_threshold_not_the_count(masked_site: Site) -> None:
    entry = _entry(masked_site, SLUG_2024)
    record = next(
        r for r in json.loads(dataset_json(entry))["indicators"] if r["id"] == DROWNED
    )
    assert record["value"] is None and record["previous"] is None
    assert record["change"] is None and record["quote"] is None
    assert record["suppressed_below"] == 300
    rows = list(csv.DictReader(io.StringIO(dataset_csv(entry).decode("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == DROWNED)
    assert (row["value"], row["previous"], row["change"], row["quote"]) == (
        "< 300",
        "< 300",
        "",
        "",
    )
    abuse = next(r for r in rows if r["id"] == ABUSE)
    assert (abuse["value"], abuse["change"]) == ("1317", "-31")


def test_figures_draw_the_threshold_and_write_less_than(masked_site: Site) -> None:
    entry = _entry(masked_site, SLUG_2024)
    series = masked_site.series()[SERIES]
    index = next(i for i, f in enumerate(entry.data.figures) if f.compare)
    problems = Problems()
    chart = resolve_figure(series, entry, index, problems)
    assert chart is not None and not problems.items
    masked = [p for p in chart.points if p.suppressed]
    assert [p.value for p in masked] == [Decimal(300), Decimal(300)]
    assert format_point(masked[0], "vi", None) == f"<{NBSP}300 trẻ em (tính toán)"
    text = describe(chart, "vi") + repr(tabulate(chart, "vi"))
    assert "232" not in text and "271" not in text
    assert f"<{NBSP}300" in text
