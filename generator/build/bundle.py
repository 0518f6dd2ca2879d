"""The offline delegate bundle: the built site, PDFs and data in one reproducible zip.

``proceedings bundle`` builds the site into ``.proceedings-cache/bundle/site/`` (so
``output/`` is never touched, and the build's atomic publish applies there), adds
``README.txt`` and a ``MANIFEST.sha256`` that ``sha256sum -c`` verifies, and zips it
all under one top folder named after the site and its newest date. It holds the
project's lock (``core.lock``) from reading the inputs to writing the zip.

The same inputs give the same bytes: entries are sorted, every entry is dated by the
end of the newest reporting period (a date from the data, not the clock;
1980-01-01, the first date a zip can hold, when there is no conference), modes are
fixed (0644 files, 0755 folders, Unix "made by"), and every file is deflated at
level 9 by the zlib Python links (the same zlib version gives the same stream).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.build.pipeline import Summary, build_site
from generator.core.context import CACHE_DIR, BuildOptions, Reporter, SilentReporter
from generator.core.lock import project_lock
from generator.errors import Problems, UsageError
from generator.formats import format_date, slugify
from generator.i18n import t
from generator.load.project import load_site
from generator.model import Site
from generator.site.datasets import dataset_paths

BUNDLE_DIR = "bundle"  # default folder of the zip, in the project folder
README = "README.txt"
MANIFEST = "MANIFEST.sha256"
EARLIEST = dt.date(1980, 1, 1)  # a zip's clock starts in 1980 and ends in 2107
LATEST = dt.date(2107, 12, 31)
COMPRESSLEVEL = 9
FILE_MODE = stat.S_IFREG | 0o644
DIR_MODE = stat.S_IFDIR | 0o755
MSDOS_DIRECTORY = 0x10
UNIX = 3  # ZipInfo.create_system: the modes in external_attr are Unix modes


@dataclass(frozen=True, slots=True)
class BundleOptions:
    """What to bundle and where: output is a zip file, a folder for it, or None."""

    output: Path | None = None  # None: ROOT/bundle/<name>.zip
    pdf: bool = True
    strict: bool = False


@dataclass(frozen=True, slots=True)
class BundleSummary:
    """What a bundle holds, for the lines printed at its end."""

    path: Path
    top: str  # the folder every entry sits in
    files: int
    size: int
    sha256: str
    build: Summary

    def __str__(self) -> str:
        return t(
            "Wrote {path} ({files} files, {size:,} bytes)\n  sha256 {sha256}\n"
            "  unzip it and open {top}/index.html",
            path=self.path,
            files=self.files,
            size=self.size,
            sha256=self.sha256,
            top=self.top,
        )


def make_bundle(
    root: Path, options: BundleOptions, reporter: Reporter | None = None
) -> BundleSummary:
    """Build the site and write it, with a README and a manifest, as one zip."""
    reporter = reporter or SilentReporter()
    root = root.resolve()
    site_dir = root / CACHE_DIR / "bundle" / "site"
    with project_lock(root / CACHE_DIR):  # one run at a time, inputs read inside
        site = load_site(root, Problems())  # its problems: the build reports them
        day = bundle_date(site)
        top = bundle_name(site, day)
        target = _target(root, options.output, f"{top}.zip", site_dir)
        build = build_site(
            root,
            BuildOptions(output=site_dir, strict=options.strict, pdf=options.pdf),
            reporter,
        )
        reporter.stage("bundle")
        files: dict[str, bytes | Path] = {
            rel: site_dir / rel for rel in site_files(site_dir)
        }
        for extra in (README, MANIFEST):
            if extra in files:  # pages are index.html files and slugs: cannot happen
                raise ValueError(f"the built site already has {extra}")
        files[README] = readme_text(site, day, sorted(files)).encode("utf-8-sig")
        files[MANIFEST] = manifest_text(files).encode("utf-8")
        write_zip(target, top, files, day)
    with target.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return BundleSummary(target, top, len(files), target.stat().st_size, digest, build)


def bundle_date(site: Site) -> dt.date:
    """Return the end of the newest reporting period, within what a zip can date."""
    newest = max((e.data.period.end for e in site.entries), default=EARLIEST)
    return min(max(newest, EARLIEST), LATEST)


def bundle_name(site: Site, day: dt.date) -> str:
    """Name the bundle after the site's title and its date: <title-slug>-<date>."""
    return f"{slugify(site.config.title) or 'proceedings'}-{day.isoformat()}"


def site_files(folder: Path) -> list[str]:
    """List the files under folder as sorted POSIX paths; refuse anything else."""
    found: list[str] = []
    for current, dirs, names in os.walk(folder):  # does not follow links
        for name in dirs + names:
            path = Path(current) / name
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                continue
            if not stat.S_ISREG(mode):  # publish writes files only
                raise ValueError(f"not a regular file in the built site: {path}")
            found.append(path.relative_to(folder).as_posix())
    return sorted(found)


def manifest_text(files: Mapping[str, bytes | Path]) -> str:
    """Return the `sha256sum` lines ("<hex>  <path>") of files, sorted by path.

    A name holding a backslash, CR or LF is escaped and its line starts with a
    backslash, as coreutils does, so ``sha256sum -c`` reads every line back.
    """
    lines = []
    for rel in sorted(files):
        payload = files[rel]
        data = payload.read_bytes() if isinstance(payload, Path) else payload
        digest = hashlib.sha256(data).hexdigest()
        escaped = rel.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        lead = "\\" if escaped != rel else ""
        lines.append(f"{lead}{digest}  {escaped}\n")
    return "".join(lines)


_READ = {
    "vi": [
        "Bộ tài liệu ngoại tuyến cho đại biểu; kỳ báo cáo mới nhất kết thúc ngày "
        "{day}.",
        "",
        "CÁCH XEM",
        "Giải nén toàn bộ tệp zip, rồi mở tệp index.html trong thư mục này bằng",
        "trình duyệt (Chrome, Edge, Firefox, Safari). Không cần Internet; ô tìm",
        'kiếm cũng hoạt động, gõ không dấu cũng được ("tre em" tìm thấy "trẻ em").',
        "Các bản PDF và số liệu (CSV mở bằng Excel, JSON cho phần mềm) được liệt kê",
        "ở cuối tệp này.",
    ],
    "en": [
        "An offline bundle for delegates; the newest reporting period ends {day}.",
        "",
        "HOW TO READ IT",
        "Unzip the whole file, then open index.html in this folder in a browser",
        "(Chrome, Edge, Firefox, Safari). No Internet is needed; search works",
        'too, with or without accents ("tre em" finds "trẻ em"). The PDF briefs',
        "and the data (CSV opens in Excel, JSON is for programs) are listed at the",
        "end of this file.",
    ],
}
_TRANSLATED = {"en": "The pages in English start at {index}."}
_CHECK = {
    "vi": [
        "KIỂM TRA TỆP",
        "{manifest} ghi mã SHA-256 của từng tệp. Trong thư mục này, chạy:",
        "  sha256sum -c {manifest}            (Linux)",
        "  shasum -a 256 -c {manifest}        (macOS)",
        "  Get-FileHash TỆP -Algorithm SHA256   (Windows PowerShell, từng tệp)",
    ],
    "en": [
        "CHECKING THE FILES",
        "{manifest} holds the SHA-256 of every file. In this folder, run:",
        "  sha256sum -c {manifest}            (Linux)",
        "  shasum -a 256 -c {manifest}        (macOS)",
        "  Get-FileHash FILE -Algorithm SHA256   (Windows PowerShell, one file)",
    ],
}
_FILES = {"vi": "TỆP", "en": "FILES"}


def readme_text(site: Site, day: dt.date, paths: Sequence[str]) -> str:
    """Tell a delegate how to open and verify the bundle, and list its PDFs and data.

    Written in the site's language, then in English for a Vietnamese site; CRLF
    line ends (the caller adds a byte-order mark) so Windows' Notepad shows it.
    """
    langs = ["vi", "en"] if site.config.language == "vi" else ["en"]
    title = site.config.title
    lines = [title, "=" * len(title)]
    for lang in langs:
        block = [*_READ[lang]]
        index = f"{lang}/index.html"
        if lang != site.config.language and index in paths:  # docs/bilingual.md
            block.append(_TRANSLATED[lang].format(index=index))
        block += ["", *_CHECK[lang]]
        lines += [
            "",
            *(
                line.format(day=format_date(day, lang), manifest=MANIFEST)
                for line in block
            ),
        ]
    lines += ["", " / ".join(_FILES[lang] for lang in langs)]
    for heading, group in _downloads(site, paths):
        lines += ["", heading, *(f"  {path}" for path in group)]
    return "\r\n".join(lines) + "\r\n"


def _downloads(site: Site, paths: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Group the PDFs and data files by conference (newest first), then by series."""
    present = set(paths)
    groups: list[tuple[str, list[str]]] = []
    listed: set[str] = set()
    for entry in site.entries:
        own = [f"{entry.slug}/{entry.slug}.pdf", *dataset_paths(entry.slug)]
        groups.append((entry.data.title, [p for p in own if p in present]))
    for slug, entries in sorted(site.series().items()):
        own = [f"series/{slug}/{slug}.pdf"]
        groups.append((entries[-1].data.series, [p for p in own if p in present]))
    for _, group in groups:
        listed.update(group)
    others = [p for p in paths if p.endswith(".pdf") and p not in listed]
    groups.append(("…", others))
    return [(heading, group) for heading, group in groups if group]


def write_zip(
    target: Path, top: str, files: Mapping[str, bytes | Path], day: dt.date
) -> None:
    """Write files under the folder top into the zip target, atomically.

    Entries are sorted, a folder's entry comes before its files, and every field
    that could vary (date, modes, system, compression) is fixed.
    """
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    folders = {top}
    for rel in files:
        parts = rel.split("/")
        folders.update(f"{top}/{'/'.join(parts[:i])}" for i in range(1, len(parts)))
    names = sorted([f"{folder}/" for folder in folders] + [f"{top}/{r}" for r in files])
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    os.close(fd)
    try:
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.create_system = UNIX
                if name.endswith("/"):
                    info.external_attr = DIR_MODE << 16 | MSDOS_DIRECTORY
                    archive.writestr(info, b"", zipfile.ZIP_STORED)
                    continue
                payload = files[name[len(top) + 1 :]]
                data = payload.read_bytes() if isinstance(payload, Path) else payload
                info.external_attr = FILE_MODE << 16
                archive.writestr(info, data, zipfile.ZIP_DEFLATED, COMPRESSLEVEL)
        Path(part).chmod(0o644)
        Path(part).replace(target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def _target(root: Path, output: Path | None, name: str, site_dir: Path) -> Path:
    """Where the zip goes: output, or a file in it if it is a folder, or the default."""
    if output is None:
        target = root / BUNDLE_DIR / name
    else:
        target = output / name if output.is_dir() else output
    target = target.absolute()
    if target.resolve().is_relative_to(site_dir.resolve()):
        raise UsageError(
            t(
                "{target} is inside the folder the bundle zips ({site_dir}); choose "
                "another --output",
                target=target,
                site_dir=site_dir,
            )
        )
    return target
