"""Loader: decoding, normalisation, file naming, references, and all errors at once."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from generator.build.pipeline import build_site
from generator.core.context import BuildOptions
from generator.errors import BuildFailed, Pos, Problem, Problems, UsageError
from generator.load.files import MAX_DATA_BYTES
from generator.load.narratives import load_narrative
from generator.load.project import load_site
from generator.model import Entry, Site

D23 = "data/hoi-nghi-tre-em-phia-nam-2023.yaml"
D24 = "data/hoi-nghi-tre-em-phia-nam-2024.yaml"
C24 = "content/hoi-nghi-tre-em-phia-nam-2024"
TITLE_2024 = "Hội nghị đánh giá công tác trẻ em 6 tháng đầu năm 2024"


def load(root: Path, *, drafts: bool = False) -> tuple[Site, list[Problem]]:
    problems = Problems()
    site = load_site(root, problems, drafts=drafts)
    return site, list(problems)


def failures(root: Path) -> list[Problem]:
    with pytest.raises(BuildFailed) as caught:
        load_site(root, Problems())
    return caught.value.problems


def errors(root: Path) -> list[tuple[str, int, int, str]]:
    return [
        (p.pos.path.as_posix(), p.pos.line, p.pos.col, p.message)
        for p in failures(root)
        if p.severity == "error"
    ]


def edit(root: Path, rel: str, old: str, new: str) -> str:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    return text


def line_of(text: str, needle: str, nth: int = 1) -> int:
    start = -1
    for _ in range(nth):
        start = text.index(needle, start + 1)
    return text.count("\n", 0, start) + 1


def entry(site: Site, year: int) -> Entry:
    return next(e for e in site.entries if e.slug.endswith(str(year)))


def write_narrative(root: Path, name: str, text: str) -> Path:
    path = root / C24 / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


# --- the real project --------------------------------------------------------------


def test_real_project_loads_newest_first(project: Path) -> None:
    site, problems = load(project)
    assert [p for p in problems if p.severity == "error"] == []
    assert [e.slug for e in site.entries] == [
        "hoi-nghi-tre-em-phia-nam-2024",
        "hoi-nghi-tre-em-phia-nam-2023",
    ]
    assert site.root == project.resolve()
    assert site.config.language == "vi"


def test_missing_site_yaml_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no site\.yaml"):
        load_site(tmp_path, Problems())


# --- decoding and normalisation ----------------------------------------------------


def test_bom_is_accepted_and_stripped(project: Path) -> None:
    baseline, _ = load(project)
    for rel in (D24, "site.yaml"):
        path = project / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    site, _ = load(project)
    assert entry(site, 2024).data == entry(baseline, 2024).data
    assert site.config == baseline.config


def test_crlf_gives_the_same_site_as_lf(project: Path) -> None:
    baseline, _ = load(project)
    for path in [
        project / D24,
        project / D23,
        *sorted((project / "content").rglob("*.md")),
    ]:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    site, _ = load(project)
    assert site.entries == baseline.entries  # data, narratives, body lines, positions


def test_crlf_build_output_is_identical_to_lf(tmp_path: Path) -> None:
    from conftest import copy_project

    lf = copy_project(tmp_path / "lf")
    crlf = copy_project(tmp_path / "crlf")
    for path in [
        *crlf.glob("data/*.yaml"),
        *crlf.glob("content/*/*.md"),
        crlf / "site.yaml",
    ]:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    build_site(lf, BuildOptions(output=lf / "output", pdf=False))
    build_site(crlf, BuildOptions(output=crlf / "output", pdf=False))
    lf_files = {
        p.relative_to(lf / "output"): p.read_bytes()
        for p in (lf / "output").rglob("*")
        if p.is_file()
    }
    crlf_files = {
        p.relative_to(crlf / "output"): p.read_bytes()
        for p in (crlf / "output").rglob("*")
        if p.is_file()
    }
    assert lf_files.keys() == crlf_files.keys()
    assert [k for k in lf_files if lf_files[k] != crlf_files[k]] == []


def test_error_positions_are_the_same_with_crlf(project: Path) -> None:
    edit(project, D24, "short_title:", "shorttitle:")
    lf_errors = errors(project)
    path = project / D24
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert errors(project) == lf_errors


def test_nfd_text_is_normalised_to_nfc(project: Path) -> None:
    path = project / D24
    path.write_text(unicodedata.normalize("NFD", path.read_text("utf-8")), "utf-8")
    narrative = next((project / C24).glob("*.md"))
    narrative.write_text(
        unicodedata.normalize("NFD", narrative.read_text("utf-8")), "utf-8"
    )
    site, _ = load(project)
    conf = entry(site, 2024)
    assert conf.data.title == TITLE_2024
    assert unicodedata.is_normalized("NFC", conf.data.title)
    assert conf.data.speakers[0].name == "Nguyễn Thị Hà"
    for n in conf.narratives:
        assert unicodedata.is_normalized("NFC", n.body)
        assert unicodedata.is_normalized("NFC", n.front.title)


def test_non_utf8_file_names_file_line_offset_and_windows_1258(project: Path) -> None:
    path = project / D24
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    index = next(i for i, ln in enumerate(lines) if ln.startswith(b"series:"))
    lines[index] = b"series: " + "Đà".encode("cp1258")
    path.write_bytes(b"\n".join(lines))
    offset = len(b"\n".join(lines[:index])) + 1 + len(b"series: ")
    problems = failures(project)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.pos == Pos(Path(D24), index + 1, len("series: ") + 1)
    assert f"offset {offset}" in problem.message
    assert "0xd0" in problem.message
    assert "Windows-1258" in problem.hint
    assert "UTF-8" in problem.hint


def test_single_ff_byte_is_reported(project: Path) -> None:
    (project / D24).write_bytes(b"title: x\n\xff\n")
    (problem,) = failures(project)
    assert (problem.pos.path.as_posix(), problem.pos.line, problem.pos.col) == (
        D24,
        2,
        1,
    )
    assert "offset 9" in problem.message
    assert "Windows-1258" in problem.hint


def test_non_utf8_narrative_is_reported(project: Path) -> None:
    write_narrative(project, "cu.md", "")
    (project / C24 / "cu.md").write_bytes(
        b"---\ntitle: " + "Đà".encode("cp1258") + b"\n---\nx\n"
    )
    problems = failures(project)
    assert [(p.pos.path.as_posix(), p.pos.line) for p in problems] == [
        (f"{C24}/cu.md", 2)
    ]
    assert "Windows-1258" in problems[0].hint


def test_oversized_data_file_states_the_limit(project: Path) -> None:
    path = project / D24
    path.write_text(path.read_text("utf-8") + "#" * (MAX_DATA_BYTES + 1), "utf-8")
    (problem,) = failures(project)
    assert problem.pos.path.as_posix() == D24
    assert f"{MAX_DATA_BYTES:,}" in problem.message


# --- empty files -------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_data_file_is_an_error_named_as_such(
    project: Path, content: bytes
) -> None:
    (project / D24).write_bytes(content)
    assert errors(project) == [(D24, 1, 1, "file is empty")]


def test_data_file_with_only_comments_is_an_error(project: Path) -> None:
    (project / D24).write_text("# nothing here yet\n", "utf-8")
    assert errors(project) == [(D24, 1, 1, "data file holds no fields")]


def test_data_file_with_only_comments_is_reported_beside_other_errors(
    project: Path,
) -> None:
    text = edit(project, D23, "short_title:", "shorttitle:")
    (project / D24).write_text("# nothing here yet\n", "utf-8")
    got = errors(project)
    assert (D24, 1, 1, "data file holds no fields") in got
    assert (D23, line_of(text, "shorttitle:"), 1, "unknown field 'shorttitle'") in got


def test_data_file_that_is_a_list_is_an_error(project: Path) -> None:
    (project / D24).write_text("- a\n- b\n", "utf-8")
    assert errors(project) == [(D24, 1, 1, "a data file must be a mapping of fields")]


def test_empty_narrative_is_an_error(project: Path) -> None:
    write_narrative(project, "trong.md", "")
    assert errors(project) == [(f"{C24}/trong.md", 1, 1, "file is empty")]


def test_narrative_without_text_is_a_warning(project: Path) -> None:
    write_narrative(project, "chi-tieu-de.md", "---\ntitle: Chỉ tiêu đề\n---\n\n")
    _, problems = load(project)
    warnings = [p for p in problems if p.pos.path.name == "chi-tieu-de.md"]
    assert [(p.severity, p.message) for p in warnings] == [
        ("warning", "narrative has no text after its front matter")
    ]
    with pytest.raises(BuildFailed):
        Problems(problems).check(strict=True)


def test_narrative_without_front_matter_is_an_error(project: Path) -> None:
    write_narrative(project, "khong-dau.md", "Chỉ có nội dung.\n")
    assert errors(project) == [
        (f"{C24}/khong-dau.md", 1, 1, "narrative has no front matter")
    ]


def test_empty_front_matter_is_reported_beside_other_errors(project: Path) -> None:
    edit(project, D23, "short_title:", "shorttitle:")
    write_narrative(project, "rong.md", "---\n# chưa có\n---\nNội dung.\n")
    paths = {p[0] for p in errors(project)}
    assert f"{C24}/rong.md" in paths, "the narrative is dropped without a word"


def test_front_matter_errors_are_at_their_file_lines(project: Path) -> None:
    write_narrative(
        project, "sai.md", "---\ntitle: Tiêu đề\ntitel: x\norder: đầu\n---\nNội dung.\n"
    )
    assert [(p[1], p[2], p[3]) for p in errors(project)] == [
        (3, 1, "unknown field 'titel'"),
        (4, 8, "order: expected a whole number, got 'đầu'"),
    ]


def test_narrative_body_line_counts_front_matter(project: Path) -> None:
    write_narrative(project, "dong.md", "---\ntitle: T\norder: 5\n---\nDòng năm.\n")
    narrative = load_narrative(project.resolve(), Path(C24) / "dong.md", Problems())
    assert narrative is not None
    assert narrative.body_line == 5
    assert narrative.body.split("\n")[0] == "Dòng năm."


# --- file names and slugs ----------------------------------------------------------


def test_yaml_and_yml_for_one_conference_is_an_error_naming_both(project: Path) -> None:
    yml = D24.replace(".yaml", ".yml")
    shutil.copy(project / D24, project / yml)
    got = errors(project)
    assert [(p, line, col) for p, line, col, _ in got] == [(D24, 1, 1), (yml, 1, 1)]
    for *_, message in got:
        assert D24 in message and yml in message


def test_case_only_difference_in_data_file_names_is_an_error_naming_both(
    project: Path,
) -> None:
    other = "data/Hoi-nghi-tre-em-phia-nam-2024.yaml"
    shutil.copy(project / D24, project / other)
    got = errors(project)
    assert {p for p, *_ in got} == {D24, other}
    for *_, message in got:
        assert D24 in message and other in message


def test_content_folder_without_data_file_is_an_error(project: Path) -> None:
    (project / "content" / "hoi-nghi-2025").mkdir()
    assert errors(project) == [
        (
            "content/hoi-nghi-2025",
            1,
            1,
            "content folder 'hoi-nghi-2025' has no data file",
        )
    ]


def test_invalid_data_file_name_is_an_error_with_a_slug_hint(project: Path) -> None:
    (project / D24).rename(project / "data" / "Hội nghị 2024.yaml")
    shutil.rmtree(project / C24)
    problems = [p for p in failures(project) if p.severity == "error"]
    assert [(p.pos.path.as_posix(), p.message) for p in problems] == [
        (
            "data/Hội nghị 2024.yaml",
            "file name 'Hội nghị 2024.yaml' is not a valid slug",
        )
    ]
    assert "hoi-nghi-2024.yaml" in problems[0].hint


def test_invalid_narrative_file_name_is_an_error(project: Path) -> None:
    write_narrative(project, "Tổng Quan.md", "---\ntitle: x\n---\nx\n")
    problems = failures(project)
    assert [(p.pos.path.name, p.message) for p in problems] == [
        ("Tổng Quan.md", "file name 'Tổng Quan.md' is not a valid slug")
    ]
    assert "tong-quan.md" in problems[0].hint


# --- references and ids ------------------------------------------------------------


def test_unknown_speaker_is_reported_at_the_reference_with_did_you_mean(
    project: Path,
) -> None:
    text = edit(project, D24, "speakers: [nguyen-thi-ha]", "speakers: [nguyen-thi-hb]")
    (problem,) = failures(project)
    line = line_of(text, "speakers: [nguyen-thi-hb]")
    assert (problem.pos.line, problem.pos.col) == (line, 16)
    assert problem.message == "unknown speaker 'nguyen-thi-hb'"
    assert problem.hint == "did you mean 'nguyen-thi-ha'?"


def test_unknown_source_is_reported_at_each_reference(project: Path) -> None:
    text = (project / D24).read_text("utf-8")
    text = text.replace("source: bai-viet-2024", "source: bai-viet-2042")
    (project / D24).write_text(text, "utf-8")
    problems = failures(project)
    expected_lines = [
        i + 1 for i, ln in enumerate(text.split("\n")) if "source: bai-viet-2042" in ln
    ]
    assert len(expected_lines) > 3  # indicators, claims, and the source list
    assert [(p.pos.line, p.pos.col, p.message, p.hint) for p in problems] == [
        (line, 13, "unknown source 'bai-viet-2042'", "did you mean 'bai-viet-2024'?")
        for line in expected_lines
    ]


def test_unknown_indicator_in_a_figure_is_reported_at_the_item(project: Path) -> None:
    old = "indicators: [vu-xam-hai-tre-em, tre-em-tu-vong-duoi-nuoc]"
    text = edit(
        project, D24, old, "indicators: [vu-xam-hai-tre-em, tre-em-tu-vong-duoi-nuc]"
    )
    (problem,) = failures(project)
    assert (problem.pos.line, problem.pos.col) == (
        line_of(text, "tre-em-tu-vong-duoi-nuc"),
        37,
    )
    assert problem.message == "unknown indicator 'tre-em-tu-vong-duoi-nuc'"
    assert problem.hint == "did you mean 'tre-em-tu-vong-duoi-nuoc'?"


def test_duplicate_id_is_reported_at_the_second_occurrence(project: Path) -> None:
    text = edit(
        project, D24, "  - id: tre-em-tu-vong-duoi-nuoc", "  - id: vu-xam-hai-tre-em"
    )
    got = [e for e in errors(project) if "more than once" in e[3]]
    second = line_of(text, "  - id: vu-xam-hai-tre-em", nth=2)
    assert got == [
        (D24, second, 9, "indicators: id 'vu-xam-hai-tre-em' is used more than once"),
    ]


def with_follow_up(project: Path) -> None:
    """Give 2023 a task and 2024 a report on it (the real articles hold none)."""
    edit(
        project,
        D23,
        "\nfigures:",
        "\nfollow_up:\n  - id: dien-dan-tre-em\n    task: Tổ chức diễn đàn trẻ em\n"
        "    editorial: true\n\nfigures:",
    )
    edit(
        project,
        D24,
        "\nfigures:",
        "\nfollow_up_reports:\n  - conference: hoi-nghi-tre-em-phia-nam-2023\n"
        "    task: dien-dan-tre-em\n    editorial: true\n\nfigures:",
    )


def test_follow_up_report_naming_an_unknown_task_is_an_error(project: Path) -> None:
    with_follow_up(project)
    text = edit(project, D24, "task: dien-dan-tre-em", "task: dien-dan")
    (problem,) = failures(project)
    assert (
        problem.message
        == "conference 'hoi-nghi-tre-em-phia-nam-2023' sets no task 'dien-dan'"
    )
    # at the `task:` value, like every other reference
    assert (problem.pos.line, problem.pos.col) == (line_of(text, "task: dien-dan"), 11)
    assert "dien-dan-tre-em" in problem.hint


def test_follow_up_report_naming_an_unknown_conference_is_an_error(
    project: Path,
) -> None:
    with_follow_up(project)
    text = edit(
        project,
        D24,
        "- conference: hoi-nghi-tre-em-phia-nam-2023",
        "- conference: hoi-nghi-2022",
    )
    (problem,) = failures(project)
    assert problem.message == "unknown conference 'hoi-nghi-2022'"
    assert (problem.pos.line, problem.pos.col) == (
        line_of(text, "- conference: hoi-nghi-2022"),
        17,
    )


def test_an_invalid_earlier_conference_does_not_cause_a_follow_up_error(
    project: Path,
) -> None:
    text = edit(project, D23, "short_title:", "shorttitle:")
    assert errors(project) == [
        (D23, line_of(text, "shorttitle:"), 1, "unknown field 'shorttitle'")
    ]


# --- all at once, sorted -----------------------------------------------------------


def test_all_errors_of_a_run_are_reported_together_and_sorted(project: Path) -> None:
    t24 = edit(project, D24, "    value: 232\n", "    value: 232 trẻ em\n")
    t24 = edit(project, D24, "short_title:", "shorttitle:")
    site_text = edit(project, "site.yaml", "language: vi", "languge: vi")
    c23 = "content/hoi-nghi-tre-em-phia-nam-2023"
    (project / c23 / "sai.md").write_text(
        "---\ntitle: x\norder: một\n---\nx\n", "utf-8"
    )
    got = errors(project)
    assert got == [
        (f"{c23}/sai.md", 3, 8, "order: expected a whole number, got 'một'"),
        (D24, line_of(t24, "shorttitle:"), 1, "unknown field 'shorttitle'"),
        (
            D24,
            line_of(t24, "value: 232 trẻ em"),
            12,
            "indicators[1].value: expected a number, got '232 trẻ em'",
        ),
        ("site.yaml", line_of(site_text, "languge:"), 1, "unknown field 'languge'"),
    ]


def test_problems_are_sorted_by_line_then_column_not_as_text(project: Path) -> None:
    text = (project / D24).read_text("utf-8")
    lines = text.split("\n")
    # errors on a one-digit and a three-digit line: "9" must come before "104"
    lines[8] = "\tstart: 2024-01-01"
    text = "\n".join(lines).replace("source: bai-viet-2024", "source: bai-viet-2042")
    (project / D24).write_text(text, "utf-8")
    got = [p[1] for p in errors(project)]
    assert got == sorted(got)
    assert got[0] == 9


# --- drafts and order --------------------------------------------------------------


def test_drafts_are_left_out_unless_asked_for(project: Path) -> None:
    write_narrative(
        project, "nhap.md", "---\ntitle: Nháp\ndraft: true\n---\nNội dung.\n"
    )
    site, _ = load(project)
    assert "nhap" not in [n.slug for n in entry(site, 2024).narratives]
    site, _ = load(project, drafts=True)
    assert "nhap" in [n.slug for n in entry(site, 2024).narratives]


def test_narratives_are_ordered_by_order_then_slug(project: Path) -> None:
    write_narrative(project, "b-sau.md", "---\ntitle: B\norder: -1\n---\nx\n")
    write_narrative(project, "a-truoc.md", "---\ntitle: A\norder: -1\n---\nx\n")
    site, _ = load(project)
    slugs = [n.slug for n in entry(site, 2024).narratives]
    assert slugs[:2] == ["a-truoc", "b-sau"]
    orders = [n.front.order for n in entry(site, 2024).narratives]
    assert orders == sorted(orders)


# --- files outside the project -----------------------------------------------------


def test_narrative_linking_outside_the_project_is_an_error(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: Bên ngoài\n---\nx\n", "utf-8")
    (project / C24 / "ngoai.md").symlink_to(outside)
    problems = failures(project)
    assert [(p.pos.path.as_posix(), p.severity) for p in problems] == [
        (f"{C24}/ngoai.md", "error")
    ]


def test_content_symlink_loop_does_not_hang(project: Path) -> None:
    (project / C24 / "vong").symlink_to(project / C24)
    site, _ = load(project)
    assert entry(site, 2024).narratives


# --- publishing settings (issue 15) ---------------------------------------------------


def test_a_placeholder_base_url_is_warned_at_its_line_and_never_used(
    project: Path,
) -> None:
    config = project / "site.yaml"
    config.write_text(
        config.read_text("utf-8") + "base_url: https://example.gov.vn/ky-yeu/\n"
    )
    problems = Problems()
    site = load_site(project, problems)
    (warning,) = [w for w in problems.warnings if "base_url" in w.message]
    line = (
        config.read_text("utf-8")
        .splitlines()
        .index("base_url: https://example.gov.vn/ky-yeu/")
    )
    assert (str(warning.pos.path), warning.pos.line) == ("site.yaml", line + 1)
    assert warning.message == (
        "base_url https://example.gov.vn/ky-yeu/ is a placeholder address"
    )
    assert site.config.base_url == ""  # so no page, sitemap, feed or PDF prints it


def test_with_a_base_url_each_undated_conference_is_warned(project: Path) -> None:
    config = project / "site.yaml"
    config.write_text(config.read_text("utf-8") + "base_url: https://ky-yeu.vn/\n")
    edit(project, D24, "\norganisers:", "\npublished: 2024-07-20\norganisers:")
    problems = Problems()
    load_site(project, problems)
    undated = [w for w in problems.warnings if "no published date" in w.message]
    assert [(str(w.pos.path), w.pos.line) for w in undated] == [(D23, 7)]
    assert "`published: YYYY-MM-DD`" in undated[0].hint


def test_quotes_of_a_source_without_an_archive_are_not_verified(
    project: Path,
) -> None:
    text = edit(
        project,
        D24,
        "    archive: ../shared/seeds/002_3c94268f3dbdb08d.txt\n",
        "",
    )
    problems = Problems()
    load_site(project, problems)
    (warning,) = [w for w in problems.warnings if "not verified" in w.message]
    assert warning.message == (
        "quotes of source 'bai-viet-2024' not verified: it names no archived copy"
    )
    assert warning.pos.line == line_of(text, "  - id: bai-viet-2024")


def test_the_closest_passage_stops_where_its_sentence_does() -> None:
    from generator.load.archives import closest_passage

    text = "Năm nay tỷ lệ giảm 78,6%. Các địa phương tiếp tục. Tổng kinh phí tăng."
    assert closest_passage("tỷ lệ giảm 78,5% so với", text) == "tỷ lệ giảm 78,6%."
    # A quote that spans two sentences gets a passage that does too.
    assert closest_passage("78,6%. Các địa", text) == "78,6%. Các địa"


def test_a_broken_data_file_hides_none_of_its_narratives_problems(
    project: Path,
) -> None:
    from generator.build.pipeline import check_site

    data = project / D24
    data.write_text(
        data.read_text("utf-8").replace("\nshort_title:", "\nshorttitle:", 1), "utf-8"
    )
    (project / C24 / "zz-dau.md").write_text(
        "---\ntitle: Đầu\ntittle: sai\n---\n\nVăn bản.\n", "utf-8"
    )
    (project / C24 / "zz-cuoi.md").write_text(
        "---\ntitle: Cuối\n---\n\n"
        "Biết :ind[vu-xam-hai-tre-em], lạ :ind[khong-co], [x](javascript:alert(1)).\n",
        "utf-8",
    )
    with pytest.raises(BuildFailed) as failed:
        check_site(project)
    found = [(str(p.pos), p.message) for p in failed.value.problems]
    assert found == [
        (f"{C24}/zz-cuoi.md:5:34", "unknown indicator 'khong-co'"),
        (
            f"{C24}/zz-cuoi.md:5:54",
            "link 'javascript:alert(1)' uses 'javascript:', which a published page "
            "may not link to",
        ),
        (f"{C24}/zz-dau.md:3:1", "unknown field 'tittle'"),
        (
            f"{D24}:{line_of((project / D24).read_text('utf-8'), 'shorttitle:')}:1",
            "unknown field 'shorttitle'",
        ),
    ]
    unknown = failed.value.problems[0]
    assert unknown.hint.startswith(f"{D24} has errors, so its ids may be wrong too")


def _loaded(root: Path, cache: Path | None) -> tuple[Site, list[Problem], set[Path]]:
    from generator.core.cache import Cache
    from generator.load.files import recording

    problems, reads = Problems(), set[Path]()
    with recording(reads):
        site = load_site(
            root, problems, cache=Cache(cache) if cache is not None else None
        )
    return site, problems.items, reads


FEED_WARNING = (
    "this conference has no published date, nor do its sources: the feed leaves it out"
)


def test_many_conferences_load_in_workers_as_they_load_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Conferences not in the memo are loaded by worker processes when there are
    many: the entries, their problems (warnings and their order) and the files
    read are those of loading one by one here, with and without a cache."""
    import generator.load.conference as project
    from bench.corpus import make_corpus, write_corpus

    root = tmp_path / "corpus"
    write_corpus(make_corpus(24, figures=False), root)
    for data in sorted((root / "data").glob("*.yaml"))[::8]:  # a warning each
        lines = data.read_text("utf-8").splitlines(keepends=True)
        undated = [line for line in lines if not line.lstrip().startswith("published:")]
        data.write_text("".join(undated), "utf-8")
    monkeypatch.setattr(project, "PARALLEL_LOAD_FROM", 10**9)
    alone = _loaded(root, None)
    assert len(alone[0].entries) == 24
    assert [p.message for p in alone[1]] == [FEED_WARNING] * 3
    monkeypatch.setattr(project, "PARALLEL_LOAD_FROM", 4)
    assert _loaded(root, None) == alone
    assert _loaded(root, tmp_path / "cache") == alone  # loaded by the workers
    monkeypatch.setattr(project, "PARALLEL_LOAD_FROM", 10**9)
    kept = _loaded(root, tmp_path / "cache")  # what the workers kept, reused
    assert kept[:2] == alone[:2]  # (the memo notes the reads outside data/, content/)


def test_two_data_files_of_one_slug_are_each_reported_once(project: Path) -> None:
    data = project / "data" / "hoi-nghi-tre-em-phia-nam-2024.yaml"
    shutil.copy(data, data.with_suffix(".yml"))
    with pytest.raises(BuildFailed) as failed:
        load_site(project, Problems())
    found = [p for p in failed.value.problems if "two data files" in p.message]
    assert sorted(str(p.pos.path) for p in found) == [
        "data/hoi-nghi-tre-em-phia-nam-2024.yaml",
        "data/hoi-nghi-tre-em-phia-nam-2024.yml",
    ]
