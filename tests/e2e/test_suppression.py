"""Small-count protection on the real project: a masked count appears in no output.

The real site with ``suppress_below: 300`` masks the 232 children who drowned in the
first half of 2024 and the 271 of a year before (derived from the stated fall of 39).
The build's every text output (HTML, SVG text, CSV, JSON, the search index, feeds,
the text of the PDFs) is searched for them; each masked number must be listed by the
build. A count of facilities (272 công trình) opts out on the indicator and stays.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result

from generator.commands.main import cli

SLUG_2023 = "hoi-nghi-tre-em-phia-nam-2023"
SLUG_2024 = "hoi-nghi-tre-em-phia-nam-2024"
DROWNED = "tre-em-tu-vong-duoi-nuoc"
# The masked counts, and the stated change that would give them away.
SECRET = re.compile(r"(?<![\d.,])(?:232|271)(?![\d]|[.,]\d)|giảm 39|39 trường hợp")
SHOWN = "< 300"
READABLE_ATTRIBUTES = {"title", "alt", "aria-label", "content", "value", "label"}


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ")


class _Text(HTMLParser):
    """What a reader or a program reads in a page: text and readable attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name in READABLE_ATTRIBUTES or name.startswith("data-")):
                self.parts.append(f"\n{value}\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text("utf-8"))
    return "".join(parser.parts)


def _svg_text(path: Path) -> str:
    """The words of a figure: its text, title and description (not its geometry)."""
    root = ET.fromstring(path.read_bytes())
    words = [
        "".join(element.itertext())
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] in ("text", "title", "desc", "tspan")
    ]
    return "\n".join(words)


def _pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    meta = [str(v) for v in (reader.metadata or {}).values()]
    return "\n".join([*meta, *(page.extract_text() for page in reader.pages)])


def _texts(output: Path) -> Iterator[tuple[str, str]]:
    """Yield (path, text) for every output file a number could be read from."""
    from conftest import search_text

    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        suffix = path.suffix
        if path.name == "search" and path.is_dir():
            yield f"{rel}/", search_text(path.parent)  # words, not coded postings
        elif "search/" in rel:
            continue
        elif suffix == ".html":
            yield rel, _html_text(path)
        elif suffix == ".svg":
            yield rel, _svg_text(path)
        elif suffix == ".pdf":
            yield rel, _pdf_text(path)
        elif suffix in (".csv", ".json", ".js", ".xml", ".txt") and not rel.startswith(
            "static/"  # our scripts, not content
        ):
            yield rel, path.read_text("utf-8-sig")


@pytest.fixture(scope="module")
def masked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """The real project built (with PDFs) with suppress_below: 300; root, output."""
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("suppression") / "site")
    site_yaml = root / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8") + "suppress_below: 300\n")
    data_2023 = root / "data" / f"{SLUG_2023}.yaml"
    text = data_2023.read_text("utf-8")
    assert text.count("    value: 272\n") == 1
    # Facilities are not people: this count opts out (docs/suppression.md).
    data_2023.write_text(
        text.replace("    value: 272\n", "    value: 272\n    suppress_below: 0\n"),
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["--root", str(root), "build"])
    assert result.exit_code == 0, result.output
    return root, root / "output", result


def test_no_output_shows_a_masked_count(masked: tuple[Path, Path, Result]) -> None:
    _, output, _ = masked
    texts = dict(_texts(output))
    kinds = {Path(rel).suffix for rel in texts}
    assert {".html", ".svg", ".csv", ".json", ".pdf"} <= kinds
    assert {"search/", "en/search/"} <= texts.keys()  # the search index, read back
    leaks = {
        rel: sorted(set(SECRET.findall(_normal(text))))
        for rel, text in texts.items()
        if SECRET.search(_normal(text))
    }
    assert leaks == {}


def test_the_masked_counts_read_less_than_the_threshold(
    masked: tuple[Path, Path, Result],
) -> None:
    _, output, _ = masked
    texts = {rel: _normal(text) for rel, text in _texts(output)}
    page = f"{SLUG_2024}/index.html"
    for rel in (
        page,
        f"en/{page}",
        f"{SLUG_2024}/figures/xam-hai-duoi-nuoc-so-cung-ky.svg",
        f"{SLUG_2024}/figures/xam-hai-duoi-nuoc-so-cung-ky.csv",
        f"{SLUG_2024}/{SLUG_2024}.csv",
        f"{SLUG_2024}/{SLUG_2024}.pdf",
        "search/",
        "en/search/",
    ):
        assert SHOWN in texts[rel], rel
    assert (
        f"{SHOWN} trẻ em tử vong do tai nạn đuối nước, giảm so với cùng kỳ"
        in texts[page]
    )
    assert "1.317 vụ" in texts[page]  # large counts are shown as before
    figure = texts[f"{SLUG_2024}/figures/xam-hai-duoi-nuoc-so-cung-ky.svg"]
    assert "Số nhỏ không công bố, vẽ tại ngưỡng" in figure  # the legend says so
    record = next(
        r
        for r in json.loads(texts[f"{SLUG_2024}/{SLUG_2024}.json"])["indicators"]
        if r["id"] == DROWNED
    )
    assert (record["value"], record["previous"], record["suppressed_below"]) == (
        None,
        None,
        300,
    )


def test_an_indicator_can_opt_out(masked: tuple[Path, Path, Result]) -> None:
    _, output, _ = masked
    assert "272 công trình" in _normal(_html_text(output / SLUG_2023 / "index.html"))


def test_the_build_lists_every_masked_number(masked: tuple[Path, Path, Result]) -> None:
    root, _, result = masked
    lines = (root / "data" / f"{SLUG_2024}.yaml").read_text("utf-8").splitlines()
    value = lines.index("    value: 232") + 1
    change = lines.index("    change: -39") + 1
    quote = next(
        i for i, line in enumerate(lines, 1) if line.startswith("    quote: 232")
    )
    path = f"data/{SLUG_2024}.yaml"
    notes = [line for line in result.stderr.splitlines() if ": note: " in line]
    assert notes == [
        f"{path}:{value}:12: note: value 232 of '{DROWNED}' shown as \"< 300\" "
        "(suppress_below 300, site.yaml)",
        f"{path}:{change}:13: note: change -39 of '{DROWNED}' shown only as "
        '"giảm", so it does not give a masked count away',
        f"{path}:{change}:13: note: compared value 271 (derived from its change) of "
        f"'{DROWNED}' shown as \"< 300\" (suppress_below 300, site.yaml)",
        f"{path}:{quote}:12: note: the quote of '{DROWNED}' is withheld: it states "
        "a masked count",
    ]
    assert "warning" not in result.stderr
    assert result.stdout.rstrip().endswith("s") and "4 notes" in result.stdout


def test_strict_build_is_not_failed_by_notes(
    masked: tuple[Path, Path, Result], tmp_path: Path
) -> None:
    root, _, _ = masked
    result = CliRunner().invoke(
        cli,
        [
            "--root",
            str(root),
            "build",
            "--strict",
            "--no-pdf",
            "-o",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert ": note: value 232" in result.stderr
