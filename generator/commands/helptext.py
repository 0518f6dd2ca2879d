"""`--help` in the language of the messages, click's own words included.

click writes the headings, the usage prefix, the help option's text and the
``[default: …]`` notes in English; ``HelpContext`` hands each command a formatter
that puts them in the reader's language too (the commands' texts are t() already).
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from generator.i18n import t

# click's English words, as it writes them, and ours for them.
_WORDS = {
    "Options": t("Options"),
    "Commands": t("Commands"),
    "Positional arguments": t("Positional arguments"),
    "Show this message and exit.": t("Show this message and exit."),
    "Show the version and exit.": t("Show the version and exit."),
}
_DEFAULT = ("[default: ", t("[default: "))


class HelpFormatter(click.HelpFormatter):
    """click's formatter, saying click's words in the language of the messages."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """The usage line, its prefix translated."""
        super().write_usage(prog, args, t("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        """A section heading (Options, Commands)."""
        super().write_heading(_WORDS.get(heading, heading))

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        """The options or commands with their help, click's texts translated."""
        super().write_dl(list(_translated(rows)), col_max, col_spacing)


def _translated(rows: Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    for term, text in rows:
        text = _WORDS.get(text, text)
        yield term, text.replace(*_DEFAULT) if "[default: " in text else text


class HelpContext(click.Context):
    """A click context whose help is written by ``HelpFormatter``."""

    formatter_class = HelpFormatter
