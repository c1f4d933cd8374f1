"""Spans recognised before tokenising (dates, clock times, visit windows, cycle lengths) and the tokens."""

from __future__ import annotations

import re
from msgspec import Struct, field

from .vocabulary import (  # noqa: F401
    FRACTIONS,
    NUMBER_WORDS,
    ORDINAL_SUFFIXES,
    ORDINAL_WORDS,
    TENS,
)

_MONTH_NAMES = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DATE = re.compile(
    r"(?<![\w/.])(?:"
    r"\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH_NAMES + r",?\s+(?:of\s+)?(?:19|20)\d\d"
    r"|" + _MONTH_NAMES + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    r"|" + _MONTH_NAMES + r",?\s+(?:of\s+)?(?:19|20)\d\d"
    r"|\d{1,2}/\d{1,2}/(?:\d\d){1,2}|\d{1,2}\.\d{1,2}\.(?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d"
    r"|(?:19[5-9]\d|20[0-4]\d)(?!\s*-?\s*(?:h|hrs?|hours?|min|minutes?|days?|weeks?|months?|years?|mg|ml|patients)\b)"
    r")(?![\w/])",
    re.IGNORECASE,
)
# Every date and clock time has four digits in a row, a slash or a colon between digits, or d.m.y.
MAY_HOLD_DATE = re.compile(r"[0-9]{4}|[0-9][/:.][0-9]")
CLOCK = re.compile(
    r"\b(?:[01]?\d|2[0-3]):[0-5]\d(?:\s*(?:am|pm|a\.m\.|p\.m\.))?"
    r"|(?<=\b(?:at|to)\s)(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b"
    r"|(?<=\b(?:from|till)\s)(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b"
    r"|(?<=\b(?:until)\s)(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b"
    r"|(?<=\b(?:through)\s)(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b",
    re.IGNORECASE,
)
# A visit window: "±3 days", "(+/- 3 days)", "(+ 5 days)", "(plus or minus visit window)".
WINDOW = re.compile(
    r"\(\s*(?:±|\+/-|\+-|\+|-|plus or minus)\s*\d+(?:\.\d+)?\s*[a-z]*\s*\)"
    r"|(?:±|\+/-|\+-|plus or minus)\s*\d+(?:\.\d+)?(?:\s*(?:minutes?|min|hours?|hrs?|h|days?|d|weeks?|wks?|months?))?"
    r"|\(\s*plus or minus visit window\s*\)",
    re.IGNORECASE,
)
# Cycle lengths: "28-day cycles", "each cycle is 21 days", "Cycle = 28 days",
# "with 28 days per cycle", "cycles of 21 days", "cycle length=28 days".
WINDOW_NUMBER = re.compile(r"(?:±|\+/-|\+-|plus or minus)\s*\d+(?:\.\d+)?", re.IGNORECASE)
# A number with no label before it ("Every 15", ", 21"; not "day 5", "March 2008"), ending the text.
BARE_NUMBER_BEFORE = re.compile(
    r"(?:(?<![\w.])(?!(?:day|days|week|weeks|month|months|year|years|cycle|hour|" + _MONTH_NAMES[3:-4] + r")\s)"
    r"[^\W\d]+\s+|[^\w\s]\s*|^)[0-9]+(?:\.[0-9]+)?\s*$",
    re.IGNORECASE,
)
# Cycle lengths: "28-day cycles", "each cycle is 21 days", "Cycle = 28 days",
# "with 28 days per cycle", "cycles of 21 days", "cycle length=28 days", "21 or 28 days" (ambiguous).
CYCLE_LENGTH = re.compile(
    r"(?P<a>\d+)\s*-?\s*(?P<au>day|week)s?\s*-?\s*(?:treatment\s+)?(?:cycle|course)s?\b"
    r"|(?:each\s+|1\s+|one\s+)?(?:cycle|course)s?(?:\s+\d+)?(?:\s+length)?\s*(?:=|is|are|lasts?|of)\s*(?P<b>\d+)"
    r"(?:\s*(?:or|to|-)\s*(?P<b2>\d+))?\s*(?P<bu>day|week)s?(?:\s+each)?\b"
    r"|(?P<c>\d+)\s*(?P<cu>day|week)s?\s*(?:per|each|a|/)\s*(?:cycle|course)\b",
    re.IGNORECASE,
)

# "the following day": an event; "the day of discharge": the words after it name the event.
FIXED_PHRASES = re.compile(
    r"(?P<next>\b(?:the\s+)?(?:following|next)\s+day\b)|(?P<dayof>\b(?:the\s+)?day\s+of\b(?=\s+[^\W\d]))"
    r"|(?P<course>\b(?:during\s+|over\s+)?the\s+course\s+of\b)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[^\W\d_]+|\S")


# --- tokens ------------------------------------------------------------------------------


class Tok(Struct, gc=False):
    text: str
    low: str
    start: int
    end: int
    kind: str  # num | word | punct
    value: float | None = None  # numbers, number words, ordinals
    ordinal: bool = False
    used: bool = False


class Point(Struct, gc=False):
    value: float
    unit: str
    relation: str
    anchor: str | None = None


class Group(Struct):
    """Points made from one run of tokens; ``quantity`` for "N unit" groups."""

    points: list[Point]
    start: int  # token index of the first token
    end: int  # token index after the last token
    quantity: bool = False
    anchored: bool = False


class Parse(Struct):
    points: list[Point] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    fully_parsed: bool = False


def tokens(text: str) -> list[Tok]:
    toks: list[Tok] = []
    for m in _TOKEN.finditer(text):
        s = m.group(0)
        low = s.lower()
        if "0" <= s[0] <= "9":
            toks.append(Tok(s, low, m.start(), m.end(), "num", float(s)))
        elif low in NUMBER_WORDS:
            toks.append(Tok(s, low, m.start(), m.end(), "num", float(NUMBER_WORDS[low])))
        elif low in ORDINAL_WORDS:
            toks.append(Tok(s, low, m.start(), m.end(), "num", float(ORDINAL_WORDS[low]), ordinal=True))
        elif s[0].isalnum():
            toks.append(Tok(s, low, m.start(), m.end(), "word"))
        else:
            toks.append(Tok(s, low, m.start(), m.end(), "punct"))
    merged: list[Tok] = []
    for tok in toks:
        prev = merged[-1] if merged else None
        # "12th", "3 rd": an ordinal number
        if prev and prev.kind == "num" and tok.low in ORDINAL_SUFFIXES and prev.text.isdigit():
            if tok.start == prev.end or (tok.start == prev.end + 1 and tok.low == "rd"):
                prev.ordinal = True
                prev.end = tok.end
                prev.text += tok.text
                continue
        # "twenty-four"
        if (
            prev and tok.kind == "num" and tok.value is not None and tok.value < 10 and not tok.text[0].isdigit()
            and len(merged) >= 2 and merged[-2].low in TENS and prev.text == "-"
        ):
            tens = merged[-2]
            merged.pop()
            tens.value = (tens.value or 0) + tok.value
            tens.end = tok.end
            tens.text += "-" + tok.text
            continue
        # "15 ½ months", "1½ hours"
        if prev and prev.kind == "num" and not prev.ordinal and tok.text in FRACTIONS and tok.start - prev.end <= 1:
            prev.value = (prev.value or 0) + FRACTIONS[tok.text]
            prev.end = tok.end
            prev.text += tok.text
            continue
        merged.append(tok)
    return merged


def covered(length: int, spans: list[tuple[int, int]]) -> bytearray:
    """A flag for each character: 1 where one of ``spans`` covers it."""
    flags = bytearray(length + 1)
    for s, e in spans:
        flags[s:e] = b"\x01" * (e - s)
    return flags


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the characters of ``spans`` blanked out."""
    flags = covered(len(text), spans)
    return "".join(" " if flags[i] else c for i, c in enumerate(text)) if len(spans) > 3 else _blank(text, spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    return text



def fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value
