"""`proceedings bundle` on the real project: one reproducible zip that works offline.

The zip is unpacked with zipfile and checked with the real `sha256sum`; PDFs are read
back with pypdf, CSV and JSON parsed; a second copy of the project, with other paths,
other file times and no cache, must give the very same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import threading
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from generator.build.bundle import MANIFEST, README, manifest_text
from generator.commands.main import cli
from generator.core.context import CACHE_DIR
from generator.core.lock import project_lock
from tests.conftest import PROJECT_PARTS, copy_project, search_index

TOP = "ky-yeu-hoi-nghi-cong-tac-tre-em-2024-06-30"
ZIP_NAME = f"{TOP}.zip"
CONFS = ("hoi-nghi-tre-em-phia-nam-2023", "hoi-nghi-tre-em-phia-nam-2024")
SERIES = "hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam"
C24 = "content/hoi-nghi-tre-em-phia-nam-2024"


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), *args])


@dataclass(frozen=True)
class Bundled:
    root: Path
    zip_path: Path
    result: Result


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Bundled:
    """The real project bundled once, from a fresh copy without a cache."""
    root = copy_project(tmp_path_factory.mktemp("bundle") / "site")
    result = run(root, "bundle")
    assert result.exit_code == 0, result.output
    return Bundled(root, root / "bundle" / ZIP_NAME, result)


@pytest.fixture(scope="module")
def unpacked(bundled: Bundled, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle unzipped; returns its top folder."""
    dest = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(bundled.zip_path) as archive:
        archive.extractall(dest)
    assert sorted(p.name for p in dest.iterdir()) == [TOP]
    return dest / TOP


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


# --- what is written where ---------------------------------------------------------


def test_bundle_is_written_under_bundle_and_output_is_left_alone(
    bundled: Bundled,
) -> None:
    assert bundled.zip_path.is_file()
    assert str(bundled.zip_path) in bundled.result.stdout
    assert f"open {TOP}/index.html" in bundled.result.stdout
    digest = hashlib.sha256(bundled.zip_path.read_bytes()).hexdigest()
    assert f"sha256 {digest}" in bundled.result.stdout
    assert not (bundled.root / "output").exists()
    # no temporary file is left beside the zip
    assert [p.name for p in bundled.zip_path.parent.iterdir()] == [ZIP_NAME]
    assert bundled.zip_path.stat().st_mode & 0o777 == 0o644


def test_entries_are_sorted_dated_from_the_data_and_have_fixed_modes(
    bundled: Bundled,
) -> None:
    with zipfile.ZipFile(bundled.zip_path) as archive:
        assert archive.testzip() is None  # every CRC checks out
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert len(names) == len(set(names))
    assert names[0] == f"{TOP}/"
    for info in infos:
        assert info.date_time == (2024, 6, 30, 0, 0, 0), info.filename  # period end
        assert info.create_system == 3, info.filename
        mode = info.external_attr >> 16
        if info.is_dir():
            assert mode == 0o40755, info.filename
            assert info.compress_type == zipfile.ZIP_STORED
        else:
            assert mode == 0o100644, info.filename
            assert info.compress_type == zipfile.ZIP_DEFLATED
        assert not info.extra, info.filename  # no extended timestamps or owners


def test_names_stay_inside_one_top_folder(bundled: Bundled) -> None:
    with zipfile.ZipFile(bundled.zip_path) as archive:
        names = archive.namelist()
    for name in names:
        assert name.startswith(f"{TOP}/"), name
        assert not name.startswith("/") and ":" not in name, name
        assert "\\" not in name, name
        assert ".." not in name.split("/"), name
        assert posixpath.normpath(name).startswith(TOP), name
    # every folder holding a file has its own entry before the file
    folders = {n for n in names if n.endswith("/")}
    for name in names:
        parent = name.rstrip("/").rpartition("/")[0]
        if parent:
            assert f"{parent}/" in folders, name
            assert names.index(f"{parent}/") < names.index(name)


def test_top_folder_opens_with_index_html_and_a_readme(unpacked: Path) -> None:
    assert (unpacked / "index.html").is_file()
    readme = (unpacked / README).read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Notepad shows the accents
    text = readme.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert text.startswith("Kỷ yếu hội nghị công tác trẻ em\r\n")
    assert "mở tệp index.html" in text
    assert "open index.html" in text
    assert f"sha256sum -c {MANIFEST}" in text
    assert "30/6/2024" in text and "30 June 2024" in text
    for slug in CONFS:
        assert f"  {slug}/{slug}.pdf\r\n" in text
        assert f"  {slug}/{slug}.csv\r\n" in text
        assert f"  {slug}/{slug}.json\r\n" in text
    assert f"  series/{SERIES}/{SERIES}.pdf\r\n" in text


# --- contents ----------------------------------------------------------------------


def test_bundle_holds_the_pdf_briefs(unpacked: Path) -> None:
    pdfs = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*.pdf")}
    assert {
        *(f"{slug}/{slug}.pdf" for slug in CONFS),
        f"series/{SERIES}/{SERIES}.pdf",
    } <= pdfs
    for pdf in sorted(pdfs):
        assert len(PdfReader(unpacked / pdf).pages) >= 1, pdf
    reader = PdfReader(unpacked / CONFS[1] / f"{CONFS[1]}.pdf")
    assert len(reader.pages) >= 2
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert "1.317" in text  # the abuse cases of the first half of 2024


def test_bundle_holds_the_data_as_csv_and_json(unpacked: Path) -> None:
    for slug in CONFS:
        raw = (unpacked / slug / f"{slug}.csv").read_bytes()
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        assert rows and {"id", "value", "unit", "source"} <= set(rows[0])
        data = json.loads((unpacked / slug / f"{slug}.json").read_text("utf-8"))
        assert {row["id"] for row in rows} == {i["id"] for i in data["indicators"]}
    rows_2024 = (unpacked / CONFS[1] / f"{CONFS[1]}.csv").read_text("utf-8-sig")
    assert "vu-xam-hai-tre-em" in rows_2024


def test_bundle_holds_exactly_what_build_writes(
    bundled: Bundled, unpacked: Path
) -> None:
    result = run(bundled.root, "build")
    assert result.exit_code == 0, result.output
    out = bundled.root / "output"
    site = files_under(unpacked) - {README, MANIFEST}
    assert site == files_under(out)
    for rel in sorted(site):
        assert (unpacked / rel).read_bytes() == (out / rel).read_bytes(), rel
    shutil.rmtree(out)


# --- manifest ----------------------------------------------------------------------


def test_manifest_covers_every_file_and_sha256sum_verifies_it(
    unpacked: Path, tmp_path: Path
) -> None:
    lines = (unpacked / MANIFEST).read_text("utf-8").splitlines()
    listed = [line.split("  ", 1)[1] for line in lines]
    assert listed == sorted(files_under(unpacked) - {MANIFEST})
    assert all(len(line.split("  ", 1)[0]) == 64 for line in lines)
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", MANIFEST],
        cwd=unpacked,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK\n") == len(lines)

    copy = tmp_path / TOP
    shutil.copytree(unpacked, copy)
    tampered = copy / CONFS[1] / f"{CONFS[1]}.csv"
    tampered.write_bytes(tampered.read_bytes().replace(b"1317", b"1318"))
    check = subprocess.run(
        ["sha256sum", "--check", "--quiet", MANIFEST],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 1
    assert f"{CONFS[1]}/{CONFS[1]}.csv: FAILED" in check.stdout


def test_manifest_escapes_names_as_sha256sum_does(tmp_path: Path) -> None:
    names = ["plain.txt", "trẻ em.txt", "back\\slash", "new\nline", "cr\rname"]
    files: dict[str, bytes | Path] = {}
    for number, name in enumerate(names):
        (tmp_path / name).write_bytes(f"{number}".encode())
        files[name] = tmp_path / name
    ours = manifest_text(files)
    theirs = subprocess.run(
        ["sha256sum", "--", *sorted(names)],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    assert ours == theirs
    (tmp_path / MANIFEST).write_text(ours, "utf-8")
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", MANIFEST],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


# --- the site works from disk ------------------------------------------------------


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and name in {"href", "src", "action", "poster"}:
                self.urls.append(value)


def test_every_local_link_names_a_file_so_it_opens_from_disk(unpacked: Path) -> None:
    pages = sorted(unpacked.rglob("*.html"))
    assert len(pages) >= 6
    checked = 0
    for page in pages:
        parser = _Urls()
        parser.feed(page.read_text("utf-8"))
        here = page.parent.relative_to(unpacked).as_posix()
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # another site, or an anchor on this page
            rel = posixpath.normpath(posixpath.join(here, unquote(parts.path)))
            where = f"{page.relative_to(unpacked)}: {url}"
            assert not rel.startswith("../"), f"{where} leaves the bundle"
            # file:// shows a folder as a listing, not its index.html
            assert (unpacked / rel).is_file(), f"{where} is not a file of the bundle"
            checked += 1
    assert checked > 50


def test_search_index_is_scripts_the_search_page_loads(unpacked: Path) -> None:
    page = (unpacked / "search.html").read_text("utf-8")
    assert '<script src="search/manifest.js"' in page
    manifest = (unpacked / "search/manifest.js").read_text("utf-8")
    assert manifest.startswith("window.PROCEEDINGS_SEARCH_MANIFEST = ")
    keys = search_index(unpacked).manifest["shards"]
    assert {p.name for p in (unpacked / "search").glob("t-*.js")} == {
        f"t-{key}.js" for key in keys
    }


# --- reproducible ------------------------------------------------------------------


def test_same_inputs_give_a_byte_identical_zip(
    bundled: Bundled, tmp_path: Path
) -> None:
    first = bundled.zip_path.read_bytes()

    # Again in the same project, every input touched: nothing changes.
    for path in bundled.root.rglob("*"):
        if path.is_file() and CACHE_DIR not in path.parts:
            path.touch()
    again = run(bundled.root, "bundle")
    assert again.exit_code == 0, again.output
    assert bundled.zip_path.read_bytes() == first

    # Another copy in another folder, with other file times and no cache at all.
    other = tmp_path / "elsewhere" / "project"
    for part in PROJECT_PARTS:  # from the first copy: the very same inputs
        source = bundled.root / part
        if source.is_dir():
            shutil.copytree(source, other / part)
        else:
            other.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, other / part)
    for path in other.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    target = tmp_path / "other.zip"
    result = run(other, "bundle", "--output", str(target))
    assert result.exit_code == 0, result.output
    made = re.search(r"(\d+) PDFs \((\d+) made\)", result.stdout)
    assert made and made[1] == made[2] != "0"  # really built anew, not from a cache
    assert target.read_bytes() == first

    # A changed narrative changes the zip: its page and its brief, nothing else.
    narrative = next(iter(sorted((other / C24).glob("*.md"))))
    narrative.write_text(
        narrative.read_text("utf-8") + "\nMột câu mới.\n", encoding="utf-8"
    )
    result = run(other, "bundle", "-o", str(target))
    assert result.exit_code == 0, result.output
    changed = target.read_bytes()
    assert changed != first
    with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(target) as b:
        assert a.namelist() == b.namelist()
        differ = {n for n in a.namelist() if a.read(n) != b.read(n)}
    conf = f"{TOP}/hoi-nghi-tre-em-phia-nam-2024"
    assert f"{conf}/index.html" in differ
    assert f"{TOP}/{MANIFEST}" in differ
    assert f"{TOP}/hoi-nghi-tre-em-phia-nam-2023/index.html" not in differ
    assert f"{TOP}/static/css/site.css" not in differ


# --- options and failures ----------------------------------------------------------


def test_output_may_name_a_folder_and_no_pdf_leaves_the_briefs_out(
    bundled: Bundled, tmp_path: Path
) -> None:
    result = run(bundled.root, "bundle", "--no-pdf", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / ZIP_NAME) as archive:
        names = archive.namelist()
        readme = archive.read(f"{TOP}/{README}").decode("utf-8-sig")
    assert not [n for n in names if n.endswith(".pdf")]
    assert f"{TOP}/{CONFS[1]}/{CONFS[1]}.csv" in names
    assert ".pdf" not in readme


def test_zip_inside_the_folder_it_zips_is_refused(bundled: Bundled) -> None:
    inside = bundled.root / CACHE_DIR / "bundle" / "site" / "x.zip"
    result = run(bundled.root, "bundle", "-o", str(inside))
    assert result.exit_code == 2
    assert "inside the folder the bundle zips" in result.output
    assert "Traceback" not in result.output
    assert not inside.exists()


def test_a_second_bundle_at_once_is_refused_with_no_wait(bundled: Bundled) -> None:
    before = bundled.zip_path.read_bytes()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # another run of this process: the preview's, say
        with project_lock(bundled.root / CACHE_DIR):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(30)
    try:
        result = run(bundled.root, "bundle", "--no-wait")
    finally:
        release.set()
        holder.join(30)
    assert result.exit_code == 2
    assert "in use by another proceedings run" in result.output
    assert bundled.zip_path.read_bytes() == before


def test_bad_content_is_reported_and_leaves_the_old_zip(
    project: Path, tmp_path: Path
) -> None:
    data = project / "data" / "hoi-nghi-tre-em-phia-nam-2024.yaml"
    data.write_text(
        data.read_text("utf-8").replace("title:", "tittle:", 1), encoding="utf-8"
    )
    (tmp_path / "zips").mkdir()
    target = tmp_path / "zips" / "delegates.zip"
    target.write_bytes(b"the previous bundle")
    result = run(project, "bundle", "-o", str(target))
    assert result.exit_code == 1
    assert "data/hoi-nghi-tre-em-phia-nam-2024.yaml:" in result.output
    assert "tittle" in result.output
    assert "Traceback" not in result.output
    assert target.read_bytes() == b"the previous bundle"
    assert list(target.parent.iterdir()) == [target]
