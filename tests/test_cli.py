"""The `proceedings` command: help, exit codes, output, the issue's acceptance test."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from generator import __version__
from generator.commands.common import EXIT_INTERNAL
from generator.commands.main import cli
from generator.core.context import CACHE_DIR

BIN = Path(sys.executable).parent
D24 = "data/hoi-nghi-tre-em-phia-nam-2024.yaml"
C24 = "content/hoi-nghi-tre-em-phia-nam-2024"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


# --- help and version --------------------------------------------------------------


def test_group_help_lists_every_command_and_option() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    for name in cli.commands:
        assert name in result.stdout
    for option in ("--root", "--quiet", "--verbose", "--debug", "--version"):
        assert option in result.stdout


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_naming_its_options(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0, result.output
    assert f" {name} [OPTIONS]" in result.stdout
    command = cli.commands[name]
    assert command.help, f"{name} needs a docstring"
    for param in command.params:
        if not isinstance(param, click.Option):
            assert param.human_readable_name.upper() in result.stdout
            continue
        for opt in param.opts:
            assert opt in result.stdout, f"{name} --help does not mention {opt}"


def test_short_help_option() -> None:
    assert run("build", "-h").exit_code == 0


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"proceedings, version {__version__}"


# --- build, check, clean -----------------------------------------------------------


def test_build_prints_a_summary_and_exits_0(project: Path) -> None:
    result = run("--root", str(project), "build", "--no-pdf")
    assert result.exit_code == 0, result.output
    match = re.match(r"Built (\d+) pages", result.stdout)
    assert match, result.stdout
    out = project / "output"
    assert int(match.group(1)) == len(html_pages(out))
    assert str(out) in result.stdout
    assert result.stdout.count("\n") == 1


def test_build_to_another_output_folder(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    result = run("-C", str(project), "build", "--no-pdf", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert not (project / "output").exists()


def test_check_reports_no_errors(project: Path) -> None:
    result = run("--root", str(project), "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No errors")
    assert not (project / "output").exists()


def test_content_error_exits_1(project: Path) -> None:
    path = project / D24
    path.write_text(
        path.read_text("utf-8").replace("\nshort_title:", "\nshorttitle:"), "utf-8"
    )
    for command in (["check"], ["build", "--no-pdf"]):
        result = run("--root", str(project), *command)
        assert result.exit_code == 1
        assert "unknown field 'shorttitle'" in result.stderr
        assert result.stderr.rstrip().endswith("1 error(s)")
        assert "Traceback" not in result.output


def test_no_site_yaml_exits_2(tmp_path: Path) -> None:
    for command in (["check"], ["build", "--no-pdf"], ["clean"], ["bundle"]):
        result = run("--root", str(tmp_path), *command)
        assert result.exit_code == 2, result.output
        assert "no site.yaml" in result.stderr
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_no_site_yaml_in_the_current_folder_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "proceedings"), "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "no site.yaml" in result.stderr


def test_bad_option_exits_2() -> None:
    result = run("build", "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_clean_removes_output_and_cache(project: Path) -> None:
    assert run("--root", str(project), "build", "--no-pdf").exit_code == 0
    (project / CACHE_DIR).mkdir(exist_ok=True)
    (project / CACHE_DIR / "x").write_text("cached")
    result = run("--root", str(project), "clean")
    assert result.exit_code == 0
    assert not (project / "output").exists()
    # the lock file stays: removing it while a run waits on it would let two in
    assert [p.name for p in (project / CACHE_DIR).iterdir()] == ["lock"]
    assert "output" in result.stdout and CACHE_DIR in result.stdout
    assert (project / "site.yaml").is_file() and (project / D24).is_file()
    again = run("--root", str(project), "clean")
    assert again.exit_code == 0
    assert again.stdout.strip() == "Nothing to remove."


def test_quiet_prints_nothing_on_success_but_still_prints_errors(project: Path) -> None:
    result = run("--quiet", "--root", str(project), "build", "--no-pdf")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert run("-q", "--root", str(project), "check").stdout == ""
    path = project / D24
    path.write_text(
        path.read_text("utf-8").replace("\nshort_title:", "\nshorttitle:"), "utf-8"
    )
    result = run("--quiet", "--root", str(project), "check")
    assert result.exit_code == 1
    assert "unknown field 'shorttitle'" in result.stderr


def test_strict_turns_warnings_into_errors(project: Path) -> None:
    (project / C24 / "chua-viet.md").write_text("---\ntitle: Chưa viết\n---\n", "utf-8")
    result = run("--root", str(project), "check")
    assert result.exit_code == 0, result.output
    assert "warning: narrative has no text after its front matter" in result.stderr
    strict = run("--root", str(project), "check", "--strict")
    assert strict.exit_code == 1
    assert "narrative has no text after its front matter" in strict.stderr


# --- internal errors ---------------------------------------------------------------


def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_internal_error_is_one_line_without_debug(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("generator.build.pipeline.build_site", _explode)
    result = run("--root", str(project), "build", "--no-pdf")
    assert result.exit_code == EXIT_INTERNAL == 70
    assert result.stderr.startswith("internal error: RuntimeError: boom\n")
    assert "--debug" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_debug_lets_the_traceback_through(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("generator.build.pipeline.build_site", _explode)
    result = run("--debug", "--root", str(project), "build", "--no-pdf")
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "boom"
    assert result.exc_info is not None
    assert "internal error" not in result.output


SCRIPT = """
import sys
import generator.build.pipeline
def explode(*args, **kwargs):
    raise RuntimeError("boom")
generator.build.pipeline.build_site = explode
from generator.commands.main import main
sys.argv = ["proceedings", *sys.argv[1:]]
main()
"""


def test_debug_prints_a_traceback_in_a_real_process(project: Path) -> None:
    normal = subprocess.run(
        [sys.executable, "-c", SCRIPT, "--root", str(project), "build", "--no-pdf"],
        capture_output=True,
        text=True,
    )
    assert normal.returncode == 70
    assert "Traceback" not in normal.stderr
    assert "internal error: RuntimeError: boom" in normal.stderr
    debug = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            "--debug",
            "--root",
            str(project),
            "build",
            "--no-pdf",
        ],
        capture_output=True,
        text=True,
    )
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert "RuntimeError: boom" in debug.stderr


# --- the acceptance test ---------------------------------------------------


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def three_errors(project: Path) -> tuple[Path, str]:
    """A data file with a misspelt field, a wrong type and a tab-indented line."""
    path = project / D24
    text = path.read_text("utf-8")
    for old, new in [
        ("\nshort_title:", "\nshorttitle:"),  # the top-level one, not en.short_title
        ("    value: 232\n", "    value: 232 trẻ em\n"),
        ("  start: 2024-01-01\n", "\tstart: 2024-01-01\n"),
    ]:
        assert text.count(old) == 1
        text = text.replace(old, new)
    path.write_text(text, "utf-8")
    misspelt = _line(text, "shorttitle:")
    tab = _line(text, "\tstart:")
    wrong = _line(text, "value: 232 trẻ em")
    expected = (
        f"{D24}:{misspelt}:1: error: unknown field 'shorttitle'\n"
        "  hint: did you mean 'short_title'?\n"
        f"{D24}:{tab}:1: error: a tab character is used for indentation\n"
        "  hint: YAML indents with spaces only; replace the tab with spaces\n"
        f"{D24}:{wrong}:12: error: indicators[1].value: "
        "expected a number, got '232 trẻ em'\n"
        "  hint: write digits only, with '.' as the decimal point and no unit; "
        "for example: value: 1317\n"
        "3 error(s)\n"
    )
    assert misspelt < tab < wrong
    return project, expected


def _assert_three_errors(stderr: str, stdout: str, code: int, expected: str) -> None:
    assert code == 1
    assert "Traceback" not in stderr + stdout
    assert stdout == ""
    assert stderr == expected
    located = [
        ln
        for ln in stderr.splitlines()
        if re.match(r"data/[a-z0-9-]+\.yaml:\d+:\d+: ", ln)
    ]
    assert len(located) == 3


@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "proceedings")],
        [sys.executable, "-m", "generator"],
    ],
    ids=["console-script", "python-m"],
)
def test_acceptance_check_prints_exactly_three_errors_subprocess(
    three_errors: tuple[Path, str], command: list[str]
) -> None:
    root, expected = three_errors
    assert Path(command[0]).exists(), f"{command[0]} is missing: pip install -e ."
    result = subprocess.run(
        [*command, "--root", str(root), "check"],
        capture_output=True,
        text=True,
        cwd=root.parent,
    )
    _assert_three_errors(result.stderr, result.stdout, result.returncode, expected)


def test_acceptance_check_prints_exactly_three_errors_clirunner(
    three_errors: tuple[Path, str],
) -> None:
    root, expected = three_errors
    result = run("--root", str(root), "check")
    _assert_three_errors(result.stderr, result.stdout, result.exit_code, expected)


def test_interrupt_exits_130_and_says_output_is_unchanged(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.build.pipeline.build_site", interrupt)
    result = run("--root", str(project), "build", "--no-pdf")
    assert result.exit_code == 130
    assert "interrupted; output/ is unchanged" in result.stderr
    assert "Traceback" not in result.output


def test_progress_bar_on_a_terminal_and_silence_elsewhere(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from generator.commands.console import ConsoleReporter

    reporter = ConsoleReporter(verbosity=1)
    reporter.tty = True  # as if stderr were a terminal
    reporter.stage("figures", 4)
    for i in range(4):
        reporter.step(f"fig-{i}")
    reporter.stage("publish")
    err = capsys.readouterr().err
    assert "figures" in err and "4/4" in err and "[" + "#" * 24 + "]" in err
    # The bar is erased when the next stage starts (click drops the "clear line"
    # escape when stderr is not really a terminal, as here).
    assert err.endswith(("\r\033[K", "\r"))

    quiet = ConsoleReporter(verbosity=1)
    quiet.tty = False  # a CI log or a pipe
    quiet.stage("figures", 4)
    for i in range(4):
        quiet.step(f"fig-{i}")
    assert capsys.readouterr().err == ""


NO_OP_SCRIPT = """
import sys
from generator.commands.main import main
try:
    main()
finally:
    names = ("generator.build.pipeline", "jinja2", "pydantic")
    heavy = sorted(m for m in names if m in sys.modules)
    print("imported:", ",".join(heavy) or "-", file=sys.stderr)
"""


def test_a_no_op_build_answers_without_importing_the_pipeline(project: Path) -> None:
    command = [sys.executable, "-c", NO_OP_SCRIPT, "--root", str(project)]
    first = subprocess.run(
        [*command, "build", "--no-pdf"], capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert "imported: generator.build.pipeline,jinja2,pydantic" in first.stderr
    again = subprocess.run(
        [*command, "build", "--no-pdf"], capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert "is up to date" in again.stdout
    assert "imported: -" in again.stderr  # answered from the stamp alone
