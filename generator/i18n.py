"""Messages in the reader's language.

Every message, hint and help text goes through ``t``: its first argument is the
English text (the gettext msgid, with ``{name}`` fields), the keywords fill the
fields. Field names, ids and paths are passed as fields, so they stay as typed.
"""

from __future__ import annotations


def t(message: str, /, **fields: object) -> str:
    """The message in the reader's language, its fields filled in."""
    return message.format(**fields) if fields else message
