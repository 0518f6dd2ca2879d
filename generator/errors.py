"""Problems found in a user's files, and how a failed stage reports them.

Hierarchy::

    Pos            where: a project-relative path, 1-based line and column, or a
                   spreadsheet cell ("chi-so.xlsx:Chỉ số!C7") for an imported sheet
    Problem        what is wrong at a Pos, with a hint and a severity (error,
                   warning, or note: information that never fails a build)
    Problems       the collector a stage fills; never raises by itself
    BuildFailed    raised at the end of a stage that found errors; carries them all

A traceback means a bug in our code, never a bad input: every problem in content is
a ``Problem``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from generator.i18n import N_, t

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, slots=True, order=True)
class Pos:
    """A place in a project file, as an editor shows it, or a cell of a spreadsheet.

    A cell keeps its row and column in line and col, so problems still sort in
    reading order, and prints as a spreadsheet names it: ``chi-so.xlsx:Chỉ số!C7``
    (``chi-so.csv:C7`` for a CSV file, which has no sheets).
    """

    path: Path  # relative to the project root (an imported sheet: as the user named it)
    line: int = 1  # 1-based; a cell's row
    col: int = 1  # 1-based; a cell's column (A is 1)
    cell: str = ""  # "Chỉ số!C7" or "C7": shown instead of line and col

    def __str__(self) -> str:
        if self.cell:
            return f"{self.path.as_posix()}:{self.cell}"
        return f"{self.path.as_posix()}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the user's files."""

    pos: Pos
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        head = f"{self.pos}: {self.severity}: {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order problems by file, line and column, as compilers do."""
        return (self.pos.path.as_posix(), self.pos.line, self.pos.col, self.message)


@dataclass(slots=True)
class Problems:
    """Collects every problem a stage finds, so one run reports them all."""

    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        pos: Pos,
        message: str,
        hint: str = "",
        severity: Severity = "error",
    ) -> None:
        """Record a problem at pos."""
        self.items.append(Problem(pos, message, hint, severity))

    def warn(self, pos: Pos, message: str, hint: str = "") -> None:
        """Record a warning (an error under ``--strict``)."""
        self.add(pos, message, hint, "warning")

    def note(self, pos: Pos, message: str, hint: str = "") -> None:
        """Record a note: information that never fails a build, not even --strict."""
        self.add(pos, message, hint, "note")

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems found elsewhere."""
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a build."""
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that only stop a ``--strict`` build."""
        return [p for p in self.items if p.severity == "warning"]

    @property
    def notes(self) -> list[Problem]:
        """The notes (e.g. each value masked by suppress_below), in file order."""
        return sorted(
            (p for p in self.items if p.severity == "note"), key=Problem.sort_key
        )

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(self.items, key=Problem.sort_key))

    def __len__(self) -> int:
        return len(self.items)

    def check(self, *, strict: bool = False) -> None:
        """End a stage: raise BuildFailed on errors (or on warnings, if strict)."""
        failing = self.errors + self.warnings if strict else self.errors
        if failing:
            # One template mistake fails every page alike: report it once.
            unique = dict.fromkeys(self.items)
            raise BuildFailed(sorted(unique, key=Problem.sort_key))


# What authors write for a field of our schema, by the field they mean: names other
# tools use, English near-synonyms, and Vietnamese everyday words typed without
# diacritics (``nhiem_vu``; ``nhiệm vụ`` is folded to it). A word may mean several
# fields (``ten``: a speaker's name, a conference's title): the first one the mapping
# at hand has is suggested. Edit distance still catches plain typos (``shorttitle``).
SYNONYMS: dict[str, tuple[str, ...]] = {
    # conference
    "title": ("ten", "tieu_de", "ten_hoi_nghi", "heading", "name"),
    "short_title": ("short_name", "ten_ngan", "ten_rut_gon", "tieu_de_ngan", "abbr"),
    "series": ("chuoi", "loat", "chuoi_hoi_nghi", "loai_hoi_nghi", "event_series"),
    "period": ("ky", "ky_bao_cao", "giai_doan", "reporting_period", "thoi_ky"),
    "dates": ("date", "ngay", "ngay_to_chuc", "held_on", "days", "thoi_gian"),
    "published": ("publish_date", "date_published", "ngay_dang", "ngay_xuat_ban"),
    "venue": ("location", "place", "dia_diem", "noi_to_chuc", "address", "dia_chi"),
    "organisers": (
        "organizers",
        "organizer",
        "organiser",
        "don_vi_to_chuc",
        "to_chuc",
        "co_quan_to_chuc",
        "host",
        "hosts",
        "don_vi",
    ),
    "summary": ("tom_tat", "abstract", "description", "overview", "noi_dung"),
    "speakers": (
        "speaker",
        "dien_gia",
        "nguoi_phat_bieu",
        "dai_bieu",
        "presenters",
        "nguoi_trinh_bay",
        "participants",
    ),
    "sessions": (
        "agenda",
        "programme",
        "program",
        "phien",
        "chuong_trinh",
        "phien_hop",
        "nghi_trinh",
        "items",
    ),
    "indicators": (
        "figures_data",
        "numbers",
        "chi_so",
        "chi_tieu",
        "so_lieu",
        "metrics",
        "stats",
        "statistics",
        "data",
        "kpis",
    ),
    "legal_documents": (
        "documents",
        "legal_docs",
        "van_ban",
        "van_ban_phap_luat",
        "laws",
        "regulations",
        "policies",
    ),
    "topics": (
        "discussion_topics",
        "topic",
        "chu_de",
        "van_de",
        "themes",
        "subjects",
        "noi_dung_thao_luan",
    ),
    "follow_up": (
        "follow_up_tasks",
        "followup",
        "tasks",
        "nhiem_vu",
        "actions",
        "action_items",
        "todo",
        "viec_can_lam",
        "next_steps",
    ),
    "follow_up_reports": (
        "follow_up_report",
        "reports",
        "bao_cao",
        "ket_qua_thuc_hien",
        "task_reports",
        "progress",
    ),
    "figures": ("charts", "graphs", "bieu_do", "hinh", "plots"),
    "checks": ("kiem_tra", "rules", "validations", "constraints"),
    "sources": (
        "source",
        "references",
        "nguon",
        "nguon_tin",
        "tai_lieu",
        "citations",
        "refs",
    ),
    # period, sources, entries
    "label": ("ten", "nhan", "name", "title", "text"),
    "start": ("from", "begin", "start_date", "tu_ngay", "bat_dau"),
    "end": ("to", "until", "end_date", "den_ngay", "ket_thuc"),
    "name": ("ten", "ho_ten", "full_name", "title"),
    "role": ("chuc_vu", "chuc_danh", "position", "job", "vai_tro"),
    "organisation": (
        "organization",
        "org",
        "co_quan",
        "don_vi",
        "agency",
        "affiliation",
        "to_chuc",
    ),
    "time": ("gio", "thoi_gian", "hour", "at"),
    "presenter": ("nguoi_trinh_bay", "trinh_bay", "presented_by"),
    "text": ("noi_dung", "content", "body", "van_ban"),
    "task": ("nhiem_vu", "cong_viec", "description", "action"),
    "owner": ("responsible", "assignee", "don_vi_thuc_hien", "chu_tri", "phu_trach"),
    "due": ("deadline", "due_date", "han", "thoi_han", "han_chot", "thoi_gian"),
    "status": ("tinh_trang", "trang_thai", "state", "ket_qua"),
    "conference": ("hoi_nghi", "meeting", "event"),
    "number": ("so", "so_hieu", "ky_hieu", "ref", "reference"),
    "issuer": ("issued_by", "co_quan_ban_hanh", "ban_hanh", "authority"),
    "context": ("ngu_canh", "boi_canh", "usage", "why"),
    "quote": ("trich_dan", "citation", "excerpt", "nguyen_van", "cite"),
    "source": ("nguon", "nguon_tin", "reference", "ref", "from_source"),
    "editorial": ("ban_bien_tap", "bien_tap", "editors"),
    "author": ("tac_gia", "by", "writer"),
    "publisher": ("nha_xuat_ban", "co_quan_chu_quan", "bao", "outlet"),
    "url": ("link", "lien_ket", "href", "address", "duong_dan"),
    "archive": ("luu_tru", "ban_luu", "archived", "copy", "file"),
    # indicators
    "value": ("gia_tri", "so", "so_lieu", "amount", "number", "val", "count"),
    "unit": ("don_vi", "don_vi_tinh", "dvt", "units", "measure"),
    "kind": ("loai", "type", "kieu"),
    "approx": ("approximate", "xap_xi", "khoang", "qualifier", "about"),
    "group": ("nhom", "category", "section", "muc"),
    "key": ("chinh", "quan_trong", "highlight", "featured", "main"),
    "change": ("thay_doi", "bien_dong", "delta", "diff", "tang_giam", "chenh_lech"),
    "previous": ("truoc", "ky_truoc", "prev", "before", "last", "old_value"),
    "compared_to": (
        "so_voi",
        "so_sanh",
        "compared_with",
        "comparison",
        "vs",
        "baseline",
    ),
    "discontinued": ("ngung", "dung_bao_cao", "stopped", "retired"),
    "derived": ("tinh_toan", "computed", "calculated"),
    "derivation": ("cach_tinh", "cong_thuc", "how", "formula", "method"),
    "derive": ("compute", "tinh", "calculate"),
    "note": ("ghi_chu", "notes", "comment", "remark", "chu_thich"),
    "suppress_below": ("an_duoi", "nguong", "threshold", "min_count", "hide_below"),
    # figures
    "caption": ("chu_thich", "legend", "mo_ta"),
    "alt": ("alt_text", "mo_ta_thay_the", "description"),
    "labels": ("nhan", "categories", "x_labels"),
    "values": ("gia_tri", "data", "numbers"),
    "sort": ("sap_xep", "order", "ordering"),
    "decimals": ("so_thap_phan", "precision", "digits"),
    "source_note": ("ghi_chu_nguon", "credit", "source_text"),
    "across": ("qua_cac_ky", "over_time", "timeline"),
    "compare": ("so_sanh", "comparison"),
    # checks, derive
    "parts": ("thanh_phan", "components", "items", "addends"),
    "share": ("ty_le", "ti_le", "percent", "percentage", "proportion"),
    "same_unit": ("cung_don_vi", "unit_check"),
    "difference": ("hieu", "tru", "minus", "subtract"),
    "sum": ("tong", "cong", "total", "add"),
    # site.yaml, front matter
    "description": ("mo_ta", "gioi_thieu", "about", "tagline"),
    "language": ("ngon_ngu", "lang", "locale"),
    "languages": ("cac_ngon_ngu", "langs", "locales"),
    "base_url": ("url", "site_url", "domain", "dia_chi_web", "ten_mien"),
    "theme": ("giao_dien", "template", "skin"),
    "order": ("thu_tu", "position", "weight", "sort"),
    "draft": ("nhap", "ban_nhap", "unpublished", "hidden"),
}
_MEANS: dict[str, tuple[str, ...]] = {}
for _field, _words in SYNONYMS.items():
    for _word in _words:
        _MEANS[_word] = (*_MEANS.get(_word, ()), _field)


def fold(name: str) -> str:
    """A name as the synonym table spells it: lowercase ASCII, words joined by '_'.

    ``Nhiệm vụ``, ``nhiem-vu`` and ``NhiemVu``'s lowercase all fold to ``nhiem_vu``.
    """
    text = unicodedata.normalize(
        "NFD", name.strip().replace("đ", "d").replace("Đ", "D")
    )
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name a typo or a synonym most likely meant, or None if none is close.

    A word of the synonym table means its field (``tasks`` is ``follow_up``); else,
    among difflib's close matches, the fewest edits wins, a swap of two
    neighbouring letters counting as one ("edn" is "end", not "en"); then a
    name of the same length.
    """
    names = sorted(known)
    folded = fold(name)
    if folded != name and folded in names:
        return folded
    for meant in _MEANS.get(folded, ()):
        if meant in names and meant != name:
            return meant
    close = difflib.get_close_matches(name, names, n=4, cutoff=0.6)
    if not close:
        return None
    return min(close, key=lambda c: (_edits(name, c), abs(len(c) - len(name))))


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insert, delete, replace, swap neighbours."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(row[j - 1] + 1, rows[-1][j] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def did_you_mean(name: str, known: Iterable[str], what: str = N_("id")) -> str:
    """Return a hint naming the closest known name, or listing every known one.

    what names the kind of name in English ("field", "speaker id"); it is a msgid
    of its own, so the hint reads in the reader's language.
    """
    names = sorted(known)
    close = closest(name, names)
    if close:
        return t("did you mean '{name}'?", name=close)
    if not names:
        return t("none is declared; declare the {what} first", what=t(what))
    return t("known {what}s: {names}", what=t(what), names=", ".join(names))


class BuildFailed(Exception):
    """A stage found problems in the user's files; later stages must not run."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        errors = sum(p.severity == "error" for p in self.problems)
        # Without errors, the build failed on warnings: it ran under --strict.
        failed = (
            t("{count} error(s) in content", count=errors)
            if errors
            else t("warnings under --strict in content")
        )
        super().__init__(failed)


class UsageError(Exception):
    """The command was called wrongly (exit code 2), e.g. a missing site.yaml."""


def internal_error(exc: BaseException) -> str:
    """What a command says of a bug in our code (the traceback comes with --debug)."""
    return t(
        "internal error: {kind}: {exc}\n  this is a bug in proceedings; run "
        "again with --debug for the traceback",
        kind=type(exc).__name__,
        exc=exc,
    )
