"""Rendering: theme chain and overrides, strict templates, relative links, page data."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build.pipeline import build_site
from generator.core.context import CACHE_DIR, BuildOptions
from generator.errors import BuildFailed, Problems
from generator.load.project import load_site
from generator.load.themes import theme_dirs
from generator.site.pages import relative_url
from generator.site.views import (
    comparison_rows,
    follow_up_reports,
    indicator_groups,
    quotation_number,
    quotations,
)

D23 = "data/hoi-nghi-tre-em-phia-nam-2023.yaml"
D24 = "data/hoi-nghi-tre-em-phia-nam-2024.yaml"
SITE_TEMPLATES = Path("themes/site/templates")


def build(root: Path) -> dict[str, bytes]:
    build_site(root, BuildOptions(output=root / "output", pdf=False))
    return tree(root / "output")


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def build_problems(root: Path) -> list[tuple[str, int, str]]:
    with pytest.raises(BuildFailed) as caught:
        build_site(root, BuildOptions(output=root / "output", pdf=False))
    return [
        (p.pos.path.as_posix(), p.pos.line, p.message)
        for p in caught.value.problems
        if p.severity == "error"
    ]


def write(root: Path, rel: Path | str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A figure cache from one build of the real project, to keep each build quick."""
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("warm") / "site")
    build(root)
    return root / CACHE_DIR


@pytest.fixture
def project(project: Path, warm_cache: Path) -> Path:
    import shutil

    if warm_cache.is_dir():
        shutil.copytree(warm_cache, project / CACHE_DIR)
    return project


# --- theme chain -------------------------------------------------------------------


def test_site_theme_folder_overrides_only_the_page_it_ships(project: Path) -> None:
    before = build(project)
    write(
        project,
        SITE_TEMPLATES / "404.html",
        '{% extends "base.html" %}\n'
        "{% block content %}<h1>Trang riêng 404</h1>{% endblock %}\n",
    )
    after = build(project)
    assert before.keys() == after.keys()
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == ["404.html", "en/404.html"]  # the site is bilingual
    assert "<h1>Trang riêng 404</h1>" in after["404.html"].decode()


def test_extends_with_a_theme_prefix_wraps_the_original(project: Path) -> None:
    before = build(project)["404.html"].decode()
    write(
        project,
        SITE_TEMPLATES / "404.html",
        '{% extends "default:404.html" %}\n'
        '{% block content %}<p class="truoc">Trước</p>{{ super() }}{% endblock %}\n',
    )
    after = build(project)["404.html"].decode()
    assert '<p class="truoc">Trước</p>' in after
    # the original block is still there, after our addition
    original_h1 = before[before.index("<h1") : before.index("</h1>") + 5]
    assert original_h1 in after
    assert after.index('class="truoc"') < after.index(original_h1)


def test_extends_default_base_works_from_an_override(project: Path) -> None:
    write(
        project,
        SITE_TEMPLATES / "404.html",
        '{% extends "default:base.html" %}\n'
        "{% block content %}<h1>Không có</h1>{% endblock %}\n",
    )
    page = build(project)["404.html"].decode()
    assert "<h1>Không có</h1>" in page
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert 'lang="vi"' in page


def test_named_theme_extends_default_and_ships_only_what_it_changes(
    project: Path,
) -> None:
    before = build(project)
    write(project, "themes/xanh/theme.yaml", "name: xanh\nextends: default\n")
    write(project, "themes/xanh/static/css/site.css", "body { color: green; }\n")
    site_yaml = (
        (project / "site.yaml")
        .read_text("utf-8")
        .replace("theme: default", "theme: xanh")
    )
    (project / "site.yaml").write_text(site_yaml, "utf-8")
    assert [d.name for d in theme_dirs(project, "xanh")] == ["xanh", "default"]
    after = build(project)
    assert after["static/css/site.css"] == b"body { color: green; }\n"
    assert after["index.html"] == before["index.html"]
    assert after["static/css/print.css"] == before["static/css/print.css"]


def test_site_folder_comes_first_in_the_chain(project: Path) -> None:
    (project / SITE_TEMPLATES).mkdir(parents=True)
    dirs = theme_dirs(project, "default")
    assert [d.name for d in dirs] == ["site", "default"]


# --- strict, escaped templates -----------------------------------------------------


def test_undefined_variable_is_a_problem_naming_template_and_line(
    project: Path,
) -> None:
    write(
        project,
        SITE_TEMPLATES / "404.html",
        '{% extends "base.html" %}\n{% block content %}\n<h1>x</h1>\n'
        "<p>{{ khong_co_bien }}</p>\n{% endblock %}\n",
    )
    assert build_problems(project) == [
        (
            "themes/site/templates/404.html",
            4,
            "template error: 'khong_co_bien' is undefined",
        )
    ]


def test_undefined_attribute_is_a_problem_not_empty_text(project: Path) -> None:
    write(
        project,
        SITE_TEMPLATES / "404.html",
        '{% extends "base.html" %}\n{% block content %}\n<h1>{{ site.tieu_de }}</h1>\n'
        "{% endblock %}\n",
    )
    got = build_problems(project)
    assert [(path, line) for path, line, _ in got] == [
        ("themes/site/templates/404.html", 3)
    ]
    assert "tieu_de" in got[0][2]


def test_template_syntax_error_is_a_problem_naming_template_and_line(
    project: Path,
) -> None:
    write(
        project,
        SITE_TEMPLATES / "404.html",
        '{% extends "base.html" %}\n{% block content %}\n<h1>{{ site.title </h1>\n'
        "{% endblock %}\n",
    )
    got = build_problems(project)
    assert [(path, line) for path, line, _ in got] == [
        ("themes/site/templates/404.html", 3)
    ]
    assert got[0][2].startswith("template error: ")


def test_template_error_leaves_output_unchanged(project: Path) -> None:
    before = build(project)
    write(project, SITE_TEMPLATES / "404.html", "{{ khong_co }}\n")
    build_problems(project)
    assert tree(project / "output") == before


def test_data_text_is_escaped_in_pages(project: Path) -> None:
    path = project / D24
    text = path.read_text("utf-8")
    text = text.replace(
        "short_title: Công tác trẻ em, 6 tháng đầu năm 2024",
        'short_title: "<script>alert(1)</script> & {{ 7*7 }}"',
    )
    path.write_text(text, "utf-8")
    pages = build(project)
    html = pages["hoi-nghi-tre-em-phia-nam-2024/index.html"].decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ 7*7 }}" in html


# --- relative links ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "link"),
    [
        ("index.html", "hoi-nghi/index.html", "hoi-nghi/index.html"),
        ("index.html", "static/css/site.css", "static/css/site.css"),
        ("hoi-nghi/index.html", "index.html", "../index.html"),
        ("hoi-nghi/index.html", "hoi-nghi/ban-tom-tat.pdf", "ban-tom-tat.pdf"),
        ("hoi-nghi/index.html", "khac/index.html", "../khac/index.html"),
        ("series/chuoi/index.html", "static/css/site.css", "../../static/css/site.css"),
        ("series/chuoi/index.html", "series/chuoi/index.html", "index.html"),
        ("404.html", "index.html", "index.html"),
    ],
)
def test_relative_url(current: str, target: str, link: str) -> None:
    assert relative_url(current, target) == link


# --- page data ---------------------------------------------------------------------


def test_comparison_rows_match_indicators_by_id(project: Path) -> None:
    # Give the 2023 conference the 2024 indicator id, with another label (and the
    # same unit: a unit that changes across a series is an error, docs/data-checks.md).
    path = project / D23
    text = (
        path.read_text("utf-8")
        .replace("  - id: cong-trinh-cho-tre-em", "  - id: vu-xam-hai-tre-em", 1)
        .replace("    unit: công trình\n", "    unit: vụ\n", 1)
    )
    path.write_text(text, "utf-8")
    site = load_site(project, Problems())
    entries = next(iter(site.series().values()))
    assert [e.slug for e in entries] == [
        "hoi-nghi-tre-em-phia-nam-2023",
        "hoi-nghi-tre-em-phia-nam-2024",
    ]
    rows = {r.id: r for r in comparison_rows(entries)}
    row = rows["vu-xam-hai-tre-em"]
    # Each meeting's own value; the 2024 compared value is still shown, since the
    # 2023 column holds the 2023 meeting's own number.
    assert [c.indicator.value if c else None for c in row.cells] == [272, 1317]
    assert [c.restated if c else None for c in row.cells] == [False, False]
    assert row.cells[1] is not None and row.cells[1].show_compared
    assert len(rows) == len({i.id for e in entries for i in e.data.indicators})
    assert not any(r.discontinued for r in rows.values())  # no source says so


def test_a_later_meeting_fills_the_earlier_column_it_states(project: Path) -> None:
    site = load_site(project, Problems())
    entries = next(iter(site.series().values()))
    rows = {r.id: r for r in comparison_rows(entries)}
    early, late = rows["vu-xam-hai-tre-em"].cells
    assert early is not None and early.restated
    assert early.indicator.previous_value == 1348 and early.indicator.previous_derived
    assert early.by == "6 tháng đầu năm 2024"
    assert late is not None and late.indicator.value == 1317
    assert not late.show_compared  # the earlier column shows it already
    # A 2023 figure the 2024 article does not restate: that column is empty, and
    # the 2024 one too (its article does not cover it), without a "dropped" tag.
    assert rows["tre-em-duoc-quy-ho-tro"].cells[1] is None
    assert not rows["tre-em-duoc-quy-ho-tro"].discontinued


def test_an_indicator_said_discontinued_is_tagged(project: Path) -> None:
    edit = (
        (project / D23)
        .read_text("utf-8")
        .replace(
            "  - id: tre-em-duoc-quy-ho-tro\n",
            "  - id: tre-em-duoc-quy-ho-tro\n    discontinued: true\n",
            1,
        )
    )
    (project / D23).write_text(edit, "utf-8")
    site = load_site(project, Problems())
    rows = {r.id: r for r in comparison_rows(next(iter(site.series().values())))}
    assert rows["tre-em-duoc-quy-ho-tro"].discontinued


def test_follow_up_reports_list_the_previous_meetings_tasks(project: Path) -> None:
    # The articles report no task; give 2023 two and 2024 a report on the first.
    tasks = (
        "\nfollow_up:\n  - id: dien-dan\n    task: Diễn đàn trẻ em\n"
        "    editorial: true\n  - id: du-lieu\n    task: Làm sạch dữ liệu\n"
        "    editorial: true\n\nfigures:"
    )
    report = (
        "\nfollow_up_reports:\n  - conference: hoi-nghi-tre-em-phia-nam-2023\n"
        "    task: dien-dan\n    status: in_progress\n    editorial: true\n\nfigures:"
    )
    for rel, insert in ((D23, tasks), (D24, report)):
        text = (project / rel).read_text("utf-8").replace("\nfigures:", insert, 1)
        (project / rel).write_text(text, "utf-8")
    site = load_site(project, Problems())
    entries = next(iter(site.series().values()))
    old, new = entries
    assert follow_up_reports(old, entries) == []
    reports = follow_up_reports(new, entries)
    assert [r.task.id for r in reports] == ["dien-dan", "du-lieu"]
    assert [r.report.status if r.report else None for r in reports] == [
        "in_progress",
        None,
    ]
    assert all(r.origin is old for r in reports)


def test_indicator_groups_keep_first_seen_order(project: Path) -> None:
    site = load_site(project, Problems())
    conf = next(e for e in site.entries if e.slug.endswith("2023")).data
    groups = indicator_groups(conf.indicators)
    assert [g for g, _ in groups] == [
        "Cơ sở dữ liệu về trẻ em",
        "Tháng hành động vì trẻ em năm 2023",
    ]
    assert [i.id for _, items in groups for i in items] == [
        i.id for i in conf.indicators
    ]


def test_a_missing_template_names_itself_and_the_folders_searched(
    project: Path,
) -> None:
    write(project, "themes/site/templates/index.html", '{% extends "khong-co.html" %}')
    [(path, _, message)] = build_problems(project)
    assert (path, message) == ("themes", "template not found: khong-co.html")
    with pytest.raises(BuildFailed) as caught:
        build(project)
    [problem] = caught.value.problems
    assert problem.hint.startswith(
        "looked in themes/site/templates, themes/default/templates; "
    )


def test_quotations_number_each_sourced_claim_once_in_page_order() -> None:
    site = load_site(Path(__file__).resolve().parents[2], Problems())
    for entry in site.entries:
        conf = entry.data
        quotes = quotations(conf)
        claims = [c for _, _, c in conf.claims()]
        sourced = [c for c in claims if c.source]
        assert [q.no for q in quotes] == list(range(1, len(sourced) + 1))
        assert [q.claim for q in quotes] == sourced  # page order, each once
        assert all(q.quote == q.claim.quote and q.quote for q in quotes)
        for claim in claims:
            expected = next((q.no for q in quotes if q.claim is claim), None)
            assert quotation_number(conf, claim) == expected
            assert (expected is None) == claim.editorial
