"""What the results readers share: registry numbers and group codes.

* :func:`number` reads a registry number as written (``"12.5"``, ``"<0.001"``,
  ``"NA"``) into a :class:`ResultNumber` that keeps the text.
* :func:`api_group_code` / :func:`legacy_group_id` turn a legacy XML
  ``group_id`` (``O1``, ``B2``, ``P3``, ``E1``) into the API v2 code of the
  same position (``OG000``, ``BG001``, ``FG002``, ``EG000``) and back.
"""

from __future__ import annotations

import re

from ..model import ResultNumber

_NUMBER = re.compile(r"\s*(<=|>=|≤|≥|<|>)?\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*")
_MODIFIERS = {"≤": "<=", "≥": ">="}


def number(text: str) -> ResultNumber:
    """The registry text and the number it gives: ``"<0.001"`` is modifier ``<`` and 0.001;
    ``"NA"`` or ``"see text"`` give no number (the text is kept)."""
    m = _NUMBER.fullmatch(text)
    if m is None:
        return ResultNumber(text)
    digits = m.group(2)
    value: int | float
    if any(c in digits for c in ".eE"):
        value = float(digits)
    else:
        value = int(digits)
    modifier = m.group(1)
    return ResultNumber(text, value, _MODIFIERS.get(modifier, modifier) if modifier else None)


def plain_number(value: ResultNumber | None) -> int | float | None:
    """The number of ``value`` where the text is a plain number (no modifier), else None."""
    if value is None or value.modifier is not None:
        return None
    return value.value


# legacy XML group_id letter -> API v2 code prefix, per results section
GROUP_PREFIXES = {"P": "FG", "B": "BG", "O": "OG", "E": "EG"}
_LEGACY_ID = re.compile(r"([PBOE])([1-9][0-9]{0,2})")
_API_CODE = re.compile(r"(FG|BG|OG|EG)([0-9]{3})")
_LEGACY_LETTER = {v: k for k, v in GROUP_PREFIXES.items()}


def api_group_code(group_id: str, letter: str) -> str:
    """The API v2 code of a legacy ``group_id`` of the section whose ids start with ``letter``
    (``O1`` -> ``OG000``); an id of another form is kept as it is."""
    m = _LEGACY_ID.fullmatch(group_id)
    if m is None or m.group(1) != letter:
        return group_id
    return f"{GROUP_PREFIXES[letter]}{int(m.group(2)) - 1:03d}"


def legacy_group_id(code: str) -> str:
    """The legacy XML ``group_id`` of an API v2 code (``OG000`` -> ``O1``); another form is kept."""
    m = _API_CODE.fullmatch(code)
    if m is None:
        return code
    return f"{_LEGACY_LETTER[m.group(1)]}{int(m.group(2)) + 1}"
