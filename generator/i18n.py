"""Messages in the reader's language: Vietnamese or English.

Every message, hint and help text goes through ``t``: its first argument is the
English text (the gettext msgid, with ``{name}`` fields), the keywords fill the
fields. Field names, ids and paths are passed as fields, so they stay as typed.

The language is decided once per process: ``PROCEEDINGS_LANG`` (``vi`` or ``en``)
if set, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set)
when it names Vietnamese, else English. The Vietnamese catalogue is compiled into
the package (``generator/locale/vi/LC_MESSAGES/proceedings.mo``, made from the
``.po`` beside it by ``make messages``); read by the standard library's gettext.
A missing or unreadable catalogue means English, never a crash.
"""

from __future__ import annotations

import functools
import gettext
import os
import struct
from importlib import resources

DOMAIN = "proceedings"
LANGUAGES = ("vi", "en")  # en is the msgids themselves: it has no catalogue


def language(environ: dict[str, str] | None = None) -> str:
    """The language messages are in: ``vi`` or ``en``, from the environment."""
    env = os.environ if environ is None else environ
    chosen = env.get("PROCEEDINGS_LANG", "").strip().lower()
    if not chosen:
        chosen = next(
            (env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), ""
        ).lower()
    return "vi" if chosen.startswith("vi") else "en"


def catalogue_path(lang: str) -> str:
    """Where the compiled catalogue of lang lives inside the package."""
    return f"locale/{lang}/LC_MESSAGES/{DOMAIN}.mo"


@functools.cache
def current_language() -> str:
    """The language of this process's messages, decided at its first message."""
    return language()


@functools.cache
def _translations() -> gettext.NullTranslations:
    lang = current_language()
    if lang == "en":
        return gettext.NullTranslations()
    try:
        mo = resources.files("generator").joinpath(catalogue_path(lang))
        with mo.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    except (OSError, ValueError, struct.error):  # missing, truncated, bad
        return gettext.NullTranslations()


def reset() -> None:
    """Decide the language again from the environment (for tests)."""
    current_language.cache_clear()
    _translations.cache_clear()


def t(message: str, /, **fields: object) -> str:
    """The message in the reader's language, its fields filled in."""
    text = _translations().gettext(message)
    if not fields:
        return text
    try:
        return text.format(**fields)
    except (KeyError, IndexError, ValueError):  # a translation's fields gone wrong
        return message.format(**fields)


def N_(message: str, /) -> str:
    """Mark a message where it is written (a table); ``t`` translates it where used.

    ``make messages`` extracts both, so a table's messages are in the catalogue.
    """
    return message
