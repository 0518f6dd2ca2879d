"""Bilingual content: `en:` blocks, English narratives, the English copy, the gaps."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup

from generator.errors import BuildFailed, Problem, Problems
from generator.load.project import load_site
from generator.load.translate import (
    missing_texts,
    shared_units,
    translated_model,
    translated_site,
)
from generator.markdown.render import render_narrative
from generator.model import Entry, Indicator, Site, SiteConfig, Untranslated
from generator.site.pages import page_prefix
from generator.site.theme import lang_attribute, lang_text

S23 = "hoi-nghi-tre-em-phia-nam-2023"
S24 = "hoi-nghi-tre-em-phia-nam-2024"
D24 = f"data/{S24}.yaml"
C24 = f"content/{S24}"
NBSP = "\u00a0"


def load(root: Path) -> Site:
    return load_site(root, Problems())


def errors(root: Path) -> list[tuple[str, int, int, str, str]]:
    with pytest.raises(BuildFailed) as caught:
        load_site(root, Problems())
    return [
        (p.pos.path.as_posix(), p.pos.line, p.pos.col, p.message, p.hint)
        for p in caught.value.problems
        if p.severity == "error"
    ]


def edit(root: Path, rel: str, old: str, new: str) -> str:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    return text


def line_of(text: str, needle: str) -> int:
    return text.count("\n", 0, text.index(needle)) + 1


def entry(site: Site, slug: str) -> Entry:
    return next(e for e in site.entries if e.slug == slug)


def indicator(e: Entry, ident: str) -> Indicator:
    found = e.indicator(ident)
    assert found is not None
    return found


# --- site.yaml ------------------------------------------------------------------------


def test_english_output_is_off_unless_the_site_asks() -> None:
    assert SiteConfig().output_languages == ("vi",)
    assert SiteConfig(language="en").output_languages == ("en",)
    assert SiteConfig(languages=["vi", "en"]).output_languages == ("vi", "en")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("languages: [en, vi]\n", "languages must start with `language` (vi)"),
        ("languages: [vi, vi]\n", "each language may be named once"),
        ("language: en\nlanguages: [vi, en]\n", "must start with `language` (en)"),
        ("languages: [vi, fr]\n", "no message catalogue for 'fr' in the theme"),
    ],
)
def test_languages_other_than_vi_then_en_are_errors_at_their_line(
    project: Path, settings: str, message: str
) -> None:
    config = project / "site.yaml"
    text = "\n".join(
        line
        for line in config.read_text("utf-8").splitlines()
        if not line.startswith(("language:", "languages:"))
    )
    config.write_text(text + "\n" + settings, "utf-8")
    found = errors(project)
    assert len(found) == 1
    path, line, _, text_, _ = found[0]
    assert path == "site.yaml"
    assert message in text_
    lines = config.read_text("utf-8").splitlines()
    assert lines[line - 1].startswith("languages:")


# --- loading English narratives -----------------------------------------------------


def test_english_narratives_are_found_and_take_the_originals_place(
    project: Path,
) -> None:
    site = load(project)
    e24 = entry(site, S24)
    assert [n.slug for n in e24.translations] == [
        "chi-dao-cua-thu-truong",
        "tinh-hinh-tre-em",
    ]
    originals = {n.slug: n for n in e24.narratives}
    for translated in e24.translations:
        assert translated.lang == "en"
        assert translated.path.as_posix() == f"{C24}/en/{translated.slug}.md"
        assert translated.front.order == originals[translated.slug].front.order
        assert translated.front.title != originals[translated.slug].front.title
    assert all(n.lang == "vi" for n in e24.narratives)
    assert [n.slug for n in entry(site, S23).translations] == ["ket-qua-6-thang"]


def test_an_english_narrative_needs_a_vietnamese_original(project: Path) -> None:
    (project / C24 / "en" / "tinh-hinh-tre-emm.md").write_text(
        "---\ntitle: Typo\n---\n\nText.\n", "utf-8"
    )
    (path, line, col, message, hint) = errors(project)[0]
    assert (path, line, col) == (f"{C24}/en/tinh-hinh-tre-emm.md", 1, 1)
    assert message == (
        "English narrative 'tinh-hinh-tre-emm.md' has no Vietnamese original "
        f"{C24}/tinh-hinh-tre-emm.md"
    )
    assert "did you mean 'tinh-hinh-tre-em'?" in hint


def test_an_english_narrative_may_not_set_its_order(project: Path) -> None:
    text = edit(
        project,
        f"{C24}/en/tinh-hinh-tre-em.md",
        "---\ntitle:",
        "---\norder: 1\ntitle:",
    )
    (path, line, _, message, _) = errors(project)[0]
    assert path == f"{C24}/en/tinh-hinh-tre-em.md"
    assert line == line_of(text, "order: 1")
    assert "unknown field 'order'" in message


def test_an_english_draft_is_left_out_unless_drafts_are_shown(project: Path) -> None:
    edit(
        project,
        f"{C24}/en/tinh-hinh-tre-em.md",
        "---\ntitle:",
        "---\ndraft: true\ntitle:",
    )
    assert [n.slug for n in entry(load(project), S24).translations] == [
        "chi-dao-cua-thu-truong"
    ]
    drafts = load_site(project, Problems(), drafts=True)
    assert "tinh-hinh-tre-em" in [n.slug for n in entry(drafts, S24).translations]


# --- en: blocks in the data -----------------------------------------------------------


def test_a_misspelt_key_in_an_en_block_is_an_error_with_a_hint(project: Path) -> None:
    text = edit(
        project, D24, "      label: Child abuse cases", "      lable: Child abuse cases"
    )
    assert errors(project) == [
        (
            D24,
            line_of(text, "lable:"),
            7,
            "unknown field 'lable'",
            "did you mean 'label'?",
        )
    ]


def test_an_en_list_needs_one_entry_per_vietnamese_entry(project: Path) -> None:
    figure = (
        "\n  - id: theo-quy\n    kind: bar\n    title: Số vụ theo quý\n"
        "    labels: [Quý I, Quý II]\n    series:\n      - label: Số vụ\n"
        "        values: [10, 12]\n    source_note: Số liệu thử nghiệm\n"
        "    en:\n      labels: [First quarter]\n\n# Data checks"
    )
    text = edit(project, D24, "\n# Data checks", figure)
    [(path, line, col, message, hint)] = errors(project)
    assert (path, line, col) == (D24, line_of(text, "labels: [First quarter]"), 15)
    assert message == "en.labels has 1 entries but labels has 2"
    assert "same order" in hint


def test_an_empty_english_text_is_an_error(project: Path) -> None:
    text = edit(project, D24, "      unit: cases\n", "      unit: ''\n")
    [(path, line, _, message, _)] = errors(project)
    assert (path, line) == (D24, line_of(text, "unit: ''"))
    assert message == "unit: expected text, found nothing"


# --- the English copy ---------------------------------------------------------------


def test_english_copy_uses_en_texts_and_keeps_numbers(project: Path) -> None:
    site = load(project)
    english = translated_site(site, "en")
    assert english.config.language == "en"
    assert english.config.title == "Proceedings of the conferences on child affairs"
    vi, en = entry(site, S24), entry(english, S24)
    assert en.data.title.startswith("Conference reviewing child affairs")
    assert en.data.period.label == "First half of 2024"
    ind_vi, ind_en = (
        indicator(vi, "vu-xam-hai-tre-em"),
        indicator(en, "vu-xam-hai-tre-em"),
    )
    assert (ind_en.label, ind_en.unit) == ("Child abuse cases nationwide", "cases")
    assert not isinstance(ind_en.label, Untranslated)
    assert (ind_en.value, ind_en.change, ind_en.previous_value) == (
        ind_vi.value,
        ind_vi.change,
        ind_vi.previous_value,
    )
    # The source's words are never translated, and are marked as Vietnamese.
    assert ind_en.quote == ind_vi.quote and isinstance(ind_en.quote, Untranslated)
    # The series keeps one address in both languages.
    assert (
        en.series_slug == vi.series_slug == "hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam"
    )
    assert en.data.series == "Southern region conference on child affairs"
    # The Vietnamese site itself is untouched.
    assert ind_vi.label == "Vụ xâm hại trẻ em trên toàn quốc"


def test_a_label_without_english_falls_back_to_vietnamese_marked(project: Path) -> None:
    edit(project, D24, "      label: Child abuse cases nationwide\n", "")
    en = entry(translated_site(load(project), "en"), S24)
    label = indicator(en, "vu-xam-hai-tre-em").label
    assert label == "Vụ xâm hại trẻ em trên toàn quốc"
    assert isinstance(label, Untranslated)
    assert indicator(en, "vu-xam-hai-tre-em").unit == "cases"  # the rest of en: holds


def test_english_texts_of_a_model_without_en_block_are_all_fallbacks() -> None:
    ind = Indicator(id="a", label="Số vụ", value=5, unit="vụ", source="s", quote="5 vụ")
    copy = translated_model(ind)
    assert (copy.label, copy.unit) == ("Số vụ", "vụ")
    assert all(isinstance(t, Untranslated) for t in (copy.label, copy.unit, copy.quote))
    assert copy.period is None  # nothing to fall back to


def test_a_unit_translated_once_serves_every_indicator_with_it(project: Path) -> None:
    # 2023 gains an indicator in 'vụ' without an English unit: 2024 translates 'vụ'.
    edit(
        project,
        f"data/{S23}.yaml",
        "\nlegal_documents:",
        "  - id: vu-viec\n    label: Vụ việc\n    value: 272\n    unit: vụ\n"
        "    key: true\n    source: bai-viet-2023\n"
        "    quote: 272 công trình phục vụ cho trẻ em\n\nlegal_documents:",
    )
    site = load(project)
    assert shared_units(site, "en")["vụ"] == "cases"
    en = entry(translated_site(site, "en"), S23)
    assert indicator(en, "vu-viec").unit == "cases"
    assert isinstance(indicator(en, "vu-viec").label, Untranslated)
    last = f"indicators[{len(entry(site, S23).data.indicators) - 1}]"
    gaps = [p.message for p in missing_texts(site, "en")]
    assert f"{last}.label has no English version: “Vụ việc”" in gaps
    assert not any(f"{last}.unit" in m for m in gaps)


def test_a_unit_translated_two_ways_is_not_shared(project: Path) -> None:
    edit(project, D24, "      unit: children\n", "      unit: kids\n")
    units = shared_units(load(project), "en")
    assert "trẻ em" not in units  # 2023 says children, 2024 kids
    assert units["vụ"] == "cases"


def test_english_narrative_replaces_the_original_and_cites_in_english(
    project: Path,
) -> None:
    english = translated_site(load(project), "en")
    e24 = entry(english, S24)
    by_slug = {n.slug: n for n in e24.narratives}
    assert by_slug["tinh-hinh-tre-em"].lang == "en"
    assert by_slug["noi-dung-thao-luan"].lang == "vi"  # the fallback
    problems = Problems()
    rendered = render_narrative(e24, by_slug["tinh-hinh-tre-em"], "en", problems)
    html = "".join(p for p in rendered.parts if isinstance(p, str))
    assert problems.items == []
    assert f">1,317{NBSP}cases</a> of child abuse" in html
    assert f">down 31{NBSP}cases</a>" in html
    assert f">1,348{NBSP}cases<sup" in html  # derived: a short mark follows
    assert '<span class="visually-hidden"> (derived)</span></a>' in html
    assert "1.317" not in html


# --- missing translations ---------------------------------------------------------


def test_the_real_project_lacks_only_three_narratives(project: Path) -> None:
    gaps = missing_texts(load(project), "en")
    assert [(p.pos.path.as_posix(), p.severity) for p in gaps] == [
        (f"content/{S23}/chuong-trinh-hoi-nghi.md", "warning"),
        (f"content/{S23}/khai-mac.md", "warning"),
        (f"content/{S24}/noi-dung-thao-luan.md", "warning"),
    ]


def test_each_missing_text_is_reported_at_the_vietnamese_text(project: Path) -> None:
    edit(project, D24, "      label: Child abuse cases nationwide\n", "")
    text = edit(project, D24, "  en:\n    label: First half of 2024\n", "")
    gaps: list[Problem] = [
        p for p in missing_texts(load(project), "en") if p.pos.path.as_posix() == D24
    ]
    assert [(p.pos.line, p.pos.col, p.message) for p in gaps] == [
        (
            line_of(text, "label: 6 tháng đầu năm 2024"),
            10,
            "period.label has no English version: “6 tháng đầu năm 2024”",
        ),
        (
            line_of(text, "label: Vụ xâm hại"),
            12,
            "indicators[0].label has no English version: "
            "“Vụ xâm hại trẻ em trên toàn quốc”",
        ),
    ]
    assert all("en:" in p.hint for p in gaps)


# --- template helpers ---------------------------------------------------------------


def test_fallback_texts_are_marked_only_on_pages_in_another_language() -> None:
    vi_text, en_text = Untranslated("Trẻ em <b>"), "Children"
    assert lang_attribute(vi_text, "en", "vi") == Markup(' lang="vi"')
    assert lang_attribute(vi_text, "vi", "vi") == Markup("")
    assert lang_attribute(en_text, "en", "vi") == Markup("")
    assert lang_text(vi_text, "en", "vi") == Markup(
        '<span lang="vi">Trẻ em &lt;b&gt;</span>'
    )
    assert lang_text(vi_text, "vi", "vi") == Markup("Trẻ em &lt;b&gt;")
    assert page_prefix("en", "vi") == "en/" and page_prefix("vi", "vi") == ""
