"""Text clean-up shared by every reader: white space and Markdown escapes."""

from __future__ import annotations

import re

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: any ASCII punctuation may be escaped


def fold_ws(text: str) -> str:
    """Runs of white space to one space, ends stripped."""
    # Most text is folded already. A printable string's only white space is " "
    # (every other white-space character is unprintable), so then it is folded
    # exactly when no space doubles or ends it.
    if text.isprintable() and "  " not in text and not text.startswith(" ") and not text.endswith(" "):
        return text
    return " ".join(text.split())


def clean(text: str | None) -> str | None:
    """Folded text, or None where nothing is left."""
    if text is None:
        return None
    folded = fold_ws(text)
    return folded or None


def unescape_markdown(text: str) -> str:
    """Drop Markdown backslash escapes (API v2 text): ``\\<`` -> ``<``."""
    return _MD_ESCAPE.sub(r"\1", text) if "\\" in text else text
