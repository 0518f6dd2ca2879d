"""Messages in Vietnamese or English: the catalogue is complete, and every message
goes through ``t`` (docs/architecture.md, "Translating messages").
"""

from __future__ import annotations

import ast
import io
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from generator import i18n

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "generator"
MESSAGES = PACKAGE / "locale" / "vi" / "LC_MESSAGES"


def _catalogue():  # type: ignore[no-untyped-def]
    with (MESSAGES / "proceedings.po").open("rb") as po:
        return read_po(po, locale="vi")


def _fields(text: str) -> set[tuple[str, str, str]]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:  # a lone brace: fine in a message t() never formats
        return {("<not a format string>", "", "")}
    return {(name, spec or "", conv or "") for _, name, spec, conv in parsed if name}


def test_every_message_has_a_vietnamese_translation_with_the_same_fields() -> None:
    found = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(PACKAGE), [("**.py", "python")], keywords={"t": None, "N_": None}
        )
    }
    assert len(found) > 300
    catalogue = _catalogue()
    missing = sorted(
        m for m in found if not (e := catalogue.get(m)) or not e.string or e.fuzzy
    )
    assert missing == [], "run `make messages` and translate these in the .po"
    wrong = {
        m: catalogue.get(m).string
        for m in found
        if _fields(m) != _fields(catalogue.get(m).string)
    }
    assert wrong == {}


def _bare(node: ast.expr) -> bool:
    """A message written out instead of passed through t()."""
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value
    )


def _messages(call: ast.Call) -> list[ast.expr]:
    """The arguments of call that are messages to the person running the tool."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    said = [k.value for k in call.keywords if k.arg == "help"]
    if isinstance(func, ast.Attribute) and name in ("add", "warn", "note", "error"):
        receiver = ast.unparse(func.value)
        if receiver.endswith("problems") or receiver == "check":
            said += call.args[1:3]
            said += [k.value for k in call.keywords if k.arg in ("message", "hint")]
    if name == "UsageError":
        said += call.args[:1]
    return said


# Modules that translate messages kept in tables (marked with N_ where written),
# or a kind of entry a caller passes in (also N_): checked by the next test.
FROM_TABLES = {
    "generator/errors.py",
    "generator/load/claims.py",
    "generator/load/messages.py",
    "generator/load/narratives.py",
    "generator/load/partial.py",
    "generator/load/suppress.py",
    "generator/load/syntax.py",
    "generator/load/translate.py",
}


def test_the_messages_kept_in_tables_are_in_the_catalogue() -> None:
    from generator.load import messages, partial, syntax, translate
    from generator.model.conference import CLAIM_LISTS

    said = [messages._FALLBACK, syntax._FLOW]
    said += [m for pair in messages._SIMPLE.values() for m in pair]
    said += [m for e in messages._VALUE_ERRORS.values() for m in e[:2]]
    said += [m for e in messages._CUSTOM.values() for r in e for m in r[:2]]
    said += [*syntax._OPENED.values(), *syntax._HINTS.values()]
    said += [m for e in syntax._PROBLEMS.values() for m in e[:2]]
    said += [*translate.LANGUAGE_NAMES.values(), *partial._ID_OF.values()]
    said += [what for _, what in CLAIM_LISTS]
    catalogue = _catalogue()
    untranslated = sorted(
        m for m in set(said) if m and not (catalogue.get(m) and catalogue.get(m).string)
    )
    assert len(said) > 80
    assert untranslated == []


def test_every_message_help_and_usage_error_goes_through_t() -> None:
    bare, dynamic = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            if getattr(node.func, "id", "") == "t":
                first = node.args[0] if node.args else None
                literal = isinstance(first, ast.Constant) and first.value
                if not literal and rel not in FROM_TABLES:  # extraction can't see it
                    dynamic.append(f"{rel}:{node.lineno}")
                continue
            bare += [f"{rel}:{a.lineno}" for a in _messages(node) if _bare(a)]
    assert bare == []
    assert dynamic == []


def test_the_catalogue_compiles_without_errors() -> None:
    # What `pybabel compile` refuses, e.g. a msgid read as a %-format by mistake.
    assert [
        (m.id, [str(e) for e in errors]) for m, errors in _catalogue().check()
    ] == []


def test_the_committed_mo_is_the_compiled_po() -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue())
    assert (MESSAGES / "proceedings.mo").read_bytes() == compiled.getvalue()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LC_ALL": "vi_VN.UTF-8", "LANG": "C"}, "vi"),
        ({"LC_ALL": "C.UTF-8", "LANG": "vi_VN.UTF-8"}, "en"),
        ({"LANG": "vi_VN.UTF-8", "PROCEEDINGS_LANG": "en"}, "en"),
        ({"LANG": "C", "PROCEEDINGS_LANG": "vi"}, "vi"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_proceedings_lang_then_the_locale(
    environ: dict[str, str], expected: str
) -> None:
    assert i18n.language(environ) == expected


def test_vietnamese_from_the_catalogue_and_english_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROCEEDINGS_LANG", "vi")
    i18n.reset()
    try:
        assert i18n.t("unknown figure '{id}'", id="h-1") == "biểu đồ không rõ 'h-1'"
        monkeypatch.setattr(i18n, "catalogue_path", lambda lang: "locale/none.mo")
        i18n.reset()
        assert i18n.t("unknown figure '{id}'", id="h-1") == "unknown figure 'h-1'"
    finally:
        monkeypatch.undo()
        i18n.reset()


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the command from this checkout with the locale of env only."""
    base = {k: v for k, v in os.environ.items() if k not in _LOCALE}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


_LOCALE = ("PROCEEDINGS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def test_check_and_help_speak_vietnamese_under_a_vietnamese_locale(
    tmp_path: Path,
) -> None:
    site, slug = tmp_path / "site", "hoi-nghi-thu"
    assert _cli("init", str(site)).returncode == 0
    assert _cli("--root", str(site), "new", slug).returncode == 0
    narrative = site / "content" / slug / "gioi-thieu.md"
    narrative.write_text(narrative.read_text("utf-8") + "\n::fig[khong-co]\n", "utf-8")
    vi = _cli("--root", str(site), "check", "--no-pdf", LANG="vi_VN.UTF-8")
    assert vi.returncode == 1
    assert "biểu đồ không rõ 'khong-co'" in vi.stderr
    assert re.search(r"\n1 lỗi, \d+ cảnh báo\n$", vi.stderr)  # placeholders warn
    en = _cli("--root", str(site), "check", "--no-pdf", LANG="C.UTF-8")
    assert "unknown figure 'khong-co'" in en.stderr
    assert re.search(r"\n1 error\(s\), \d+ warning\(s\)\n$", en.stderr)
    # A field the schema lacks: its name stays as typed, the count is Vietnamese.
    narrative.write_text(narrative.read_text("utf-8").replace("::fig[khong-co]", ""))
    data = site / "data" / f"{slug}.yaml"
    data.write_text(data.read_text("utf-8") + "follow_up_tasks: []\n", "utf-8")
    vi = _cli("--root", str(site), "check", LANG="vi_VN.UTF-8")
    assert "follow_up_tasks" in vi.stderr
    assert re.search(r"\n1 lỗi(, \d+ cảnh báo)?\n$", vi.stderr)
    helped = _cli("check", "--help", PROCEEDINGS_LANG="vi", LANG="C.UTF-8")
    assert "Kiểm tra site.yaml, data/ và content/ mà không ghi gì." in helped.stdout
    assert "Coi cảnh báo là lỗi." in helped.stdout
