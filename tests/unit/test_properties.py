"""Property tests and a bounded fuzz: any text gives values or Problems, never a crash.

Requirement 20 (docs/security.md): whatever bytes an author saves, the loader and the
Markdown stage either return what they read or record ``Problem``s at positions;
any other exception is a bug. Rendered HTML never carries a script.

Profiles: ``ci`` (the default) is derandomised, so every run tries the same inputs
and a failure reproduces; ``HYPOTHESIS_PROFILE=dev`` draws new inputs each run, to
explore. The whole file runs in well under 30 s on two cores.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.errors import BuildFailed, Problem, Problems
from generator.load.narratives import load_narrative
from generator.load.parse import parse_yaml
from generator.load.project import load_site
from generator.load.validate import validate
from generator.markdown.render import render_narrative, render_narratives
from generator.model import (
    Conference,
    Entry,
    FrontMatter,
    Narrative,
    Positions,
    SiteConfig,
)

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

S24 = "hoi-nghi-tre-em-phia-nam-2024"
FUZZ_RUNS = 300
FUZZ_SEED = 20240725

# Any character but lone surrogates (which no file can hold): controls, NUL, BOM,
# zero-width and combining marks included.
ANY_CHAR = st.characters(exclude_categories=("Cs",))

YAML_PIECES = [
    "title: ", "short_title: ", "series: ", "summary: ", "organisers:\n  - ",
    "period:\n  label: L\n  start: ", "  end: ", "sources:\n  - id: s\n    title: ",
    "indicators:\n  - id: ", "    value: ", "    unit: ", "    kind: amount\n",
    "    change: ", "    previous: ", "    compared_to: x\n", "    source: s\n",
    "    quote: q\n", "    label: l\n", "figures:\n  - id: f\n    kind: bar\n",
    "    values: [", "]", "speakers: [", "dates: [", "order: ", "draft: ", "key: ",
    "- ", "  ", "\n", ": ", "? ", "{", "}", "[", "]", ",", "|", ">-", "'", '"',
    "#", "&a ", "*a", "<<: ", "!!python/object/apply:os.system [x] ", "!foo ",
    "!!str ", "!!binary ", "%YAML 1.1\n", "---\n", "...\n", "1e400", "1e999999999",
    "1e-999999999", ".nan", ".inf", "-0", "0107", "8:30", "2024-02-30",
    "2024-06-30", "1.317", "9.4", "1_000", "0x1F", "no", "on", "~", "null",
    "\t", "\r\n", "\r", "\x00", "\x07", "\x85", "\u2028", "\ufeff", "\u200b",
    "\u0301", "ạ", "Đà", "{{ 7*7 }}", "{% for %}", "9" * 400,
]  # fmt: skip
MARKDOWN_PIECES = [
    "*", "**", "_", "__", "~~", "[", "]", "(", ")", "![", "](", "<", ">", "`",
    "```", "~~~", "# ", "## ", "> ", "- ", "* ", "1. ", "3) ", "|", "|---|",
    "---", "===", "\n", "\n\n", "  ", "    ", "\\", "&", "&#106;", "&#x6A;",
    "&amp;", "&nbsp;", "&colon;", ":ind[", ":num[", ":prev[", ":change[", "::fig[",
    "vu-xam-hai-tre-em", "tre-em-tu-vong-duoi-nuoc", "xam-hai-qua-cac-ky",
    "javascript:", "JaVaScRiPt:", "vbscript:", "data:text/html,", "file:///",
    "java\tscript:", "https://example.org/", "mailto:a@b.vn", "//evil.example",
    "<script>", "</script>", '<img src=x onerror="alert(1)">', "<a href=\"",
    "\" onclick=\"x\"", "<svg onload=alert(1)>", "<style>", "<iframe>", "<!--",
    "-->", "<![CDATA[", "<?php", "<b>", "</b>", "<h1 id=muc-luc>", "{{ 7*7 }}",
    "{%", "%}", "anh.png", "../", "/etc/passwd", "%00", "%2e%2e/", "\x00", "\x07",
    "\u200b", "\ufeff", "\u2028", "ạ", "Đ", "\t", "\r", "[r]: ", "[r]",
]  # fmt: skip


def pieces(alphabet: list[str], max_size: int) -> st.SearchStrategy[str]:
    """Text made of syntax pieces and arbitrary characters, to reach deep paths."""
    return st.lists(
        st.one_of(st.sampled_from(alphabet), st.text(ANY_CHAR, max_size=6)),
        max_size=max_size,
    ).map("".join)


def yaml_texts() -> st.SearchStrategy[str]:
    return st.one_of(st.text(ANY_CHAR, max_size=300), pieces(YAML_PIECES, 60))


def markdown_texts() -> st.SearchStrategy[str]:
    return st.one_of(st.text(ANY_CHAR, max_size=300), pieces(MARKDOWN_PIECES, 60))


def checked(problems: Problems) -> list[Problem]:
    """Problems must be well formed: a position in a file, a message."""
    for problem in problems:
        assert problem.pos.line >= 1 and problem.pos.col >= 1, problem
        assert problem.message, problem
        assert problem.severity in ("error", "warning")
    return list(problems)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "iframe", "object", "embed", "svg", "math"):
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            url = "".join((value or "").split()).lower()
            if name.startswith("on") or url.startswith(
                ("javascript:", "vbscript:", "data:")
            ):
                self.bad.append(f"<{tag} {name}={value!r}>")


def assert_harmless(html: str) -> None:
    assert "<script" not in html.lower()
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    assert parser.bad == [], (parser.bad, html)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import copy_project

    return copy_project(tmp_path_factory.mktemp("props") / "site").resolve()


@pytest.fixture(scope="module")
def entry(root: Path) -> Entry:
    site = load_site(root, Problems())
    return next(e for e in site.entries if e.slug == S24)


# --- YAML and the schema ------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(text=yaml_texts())
@example(text="):")  # found by this test: a key with a bracket crashed validate()
@example(text="title: x\nghi chú (nếu có): y\n")
@example(text="indicators:\n  - {id: a, label: b, value: 1e999999999, unit: u}\n")
def test_any_yaml_text_gives_values_or_problems(text: str) -> None:
    for model in (Conference, FrontMatter, SiteConfig):
        problems = Problems()
        positions = Positions(Path("data/x.yaml"))
        data = parse_yaml(text, positions, problems)
        result = None
        if isinstance(data, dict):
            result = validate(model, data, positions, problems)
            if result is None:
                assert problems.errors, "a refused document must say why"
        checked(problems)
        if problems.errors:
            continue
        assert data is None or isinstance(data, (dict, list, str))


# --- narrative files -----------------------------------------------------------------


def narrative_files() -> st.SearchStrategy[bytes]:
    front = st.tuples(pieces(YAML_PIECES, 12), markdown_texts()).map(
        lambda p: f"---\ntitle: T\n{p[0]}\n---\n{p[1]}"
    )
    return st.one_of(
        st.binary(max_size=300),
        st.text(ANY_CHAR, max_size=300).map(str.encode),
        front.map(str.encode),
        front.map(lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode()),
    )


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=narrative_files())
def test_any_narrative_file_gives_a_narrative_or_problems(
    root: Path, raw: bytes
) -> None:
    rel = Path("content") / S24 / "zz-fuzz.md"
    (root / rel).write_bytes(raw)
    problems = Problems()
    try:
        found = load_narrative(root, rel, problems)
    finally:
        (root / rel).unlink()  # the other tests load this project
    checked(problems)
    if found is None:
        assert problems.errors, "a refused narrative must say why"
    else:
        assert "\r" not in found.body  # CRLF and CR were read as LF
        assert found.body_line >= 2


# --- Markdown ------------------------------------------------------------------------


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=markdown_texts(), allow_html=st.booleans())
def test_any_markdown_gives_pages_or_problems_and_never_a_script(
    root: Path, entry: Entry, body: str, allow_html: bool
) -> None:
    narrative = Narrative(
        "zz-fuzz", Path("content") / S24 / "zz-fuzz.md", FrontMatter(title="T"), body, 5
    )
    problems = Problems()
    rendered = render_narrative(
        entry, narrative, "vi", problems, root, allow_html=allow_html
    )
    checked(problems)
    assert_harmless("".join(p for p in rendered.parts if isinstance(p, str)))
    for target, source in rendered.assets:
        assert source.is_relative_to(root), (target, source)


# --- bounded fuzz of the real files ---------------------------------------------------

TOKENS = [t.encode() for t in (*YAML_PIECES, *MARKDOWN_PIECES)]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Change data a few times: flip, insert, delete, repeat or swap."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        op = rng.randrange(7)
        if op == 0 and out:  # flip one bit
            i = min(at, len(out) - 1)
            out[i] ^= 1 << rng.randrange(8)
        elif op in (1, 2):  # insert YAML or Markdown syntax
            out[at:at] = rng.choice(TOKENS)
        elif op == 3:  # delete a span
            del out[at : at + rng.randint(1, 40)]
        elif op == 4:  # repeat a line
            lines = bytes(out).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            out = bytearray(b"\n".join(lines))
        elif op == 5:  # swap two lines
            lines = bytes(out).split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            out = bytearray(b"\n".join(lines))
        else:  # random bytes
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(out)


def fuzz_targets(root: Path) -> Iterator[Path]:
    yield root / "site.yaml"
    yield from sorted((root / "data").glob("*.yaml"))
    yield from sorted((root / "content").glob("*/*.md"))


def test_mutated_real_files_give_only_problems(root: Path) -> None:
    rng = random.Random(FUZZ_SEED)
    targets = list(fuzz_targets(root))
    originals = {path: path.read_bytes() for path in targets}
    outcomes = {"loaded": 0, "refused": 0}
    try:
        for run in range(FUZZ_RUNS):
            path = rng.choice(targets)
            mutated = mutate(originals[path], rng)
            path.write_bytes(mutated)
            problems = Problems()
            try:
                site = load_site(root, problems)
            except BuildFailed as exc:
                assert [p for p in exc.problems if p.severity == "error"], run
                outcomes["refused"] += 1
            except Exception as exc:  # any other exception is the bug we look for
                raise AssertionError(
                    f"run {run}: {path.name} mutated to {mutated[:2000]!r}"
                ) from exc
            else:
                outcomes["loaded"] += 1
                for item in site.entries:
                    rendered = render_narratives(
                        item,
                        site.config.language,
                        problems,
                        site.root,
                        allow_html=bool(run % 2),
                    )
                    for one in rendered:
                        html = "".join(p for p in one.parts if isinstance(p, str))
                        assert_harmless(html)
            checked(problems)
            path.write_bytes(originals[path])
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    # Both paths were exercised: mutations that still load, and ones refused.
    assert outcomes["loaded"] > 20 and outcomes["refused"] > 20, outcomes
