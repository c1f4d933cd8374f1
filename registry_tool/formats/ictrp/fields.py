"""Reading the free text of one WHO ICTRP field: markup remnants, lists, dates, ages, sizes, phases.

Each function takes the text of one field as the export gives it (after
:func:`decode_markup`) and returns what it holds, plus the problems a reader
must warn about; none of them guesses without saying so. The registry-specific
shapes they know:

* lists run together with ``;`` (conditions, countries, secondary ids), and
  outcomes with ``;`` or line breaks (``<br>``);
* ChiCTR ``Target_size``: ``experimental group:10;control group:10;``;
* dates ``30/01/2020`` (day first, as ICTRP writes them), ``2020-02-15``,
  ``20200215``, ``January 28, 2020``, ``March 2020``;
* ages ``18 Years``, ``6 Months``, a bare ``16`` (years), ``>= 18age old``,
  ``60(Year)``; ``N/A``, ``-``, ``None``, ``Not applicable``, ``no limit``:
  no age;
* phases ``Phase 2/Phase 3``, ``Phase1/Phase2``, ``Phase I/II``, ``4``,
  ``1-2``, ``N/A``, ``Retrospective study``, and EU CTR's
  ``Therapeutic exploratory (Phase II): yes`` flags.
"""

from __future__ import annotations

import html
import re
from datetime import date

from ... import vocabulary
from ...textclean import fold_ws

# --- markup remnants --------------------------------------------------------------------------

# An entity escaped twice (&amp;nbsp; -> &nbsp;): undone once before decoding.
_DOUBLE_ESCAPED = re.compile(r"&amp;(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]{2,8});")
# A line break: <br>, <br/>, <br />, a paragraph tag, or a line end; a line end right before a tag is one
# break. (Three passes, each with a literal or one-character start, scan several times faster than one
# pattern opening with an optional group.)
_NL_BEFORE_TAG = re.compile(r"(?:\r\n|\r|\n)(?=<(?:br\s*/?|/?p)>)", re.IGNORECASE)
_TAG = re.compile(r"<(?:br\s*/?|/?p)>", re.IGNORECASE)


def decode_markup(text: str) -> str:
    """The field's text with HTML remnants made characters: entities decoded (``&#32;``, ``&lt;br&gt;``,
    ``&amp;nbsp;``), then ``<br>``, ``<p>`` and line ends each one line break (``\\r<br>`` is one)."""
    if "&" in text:
        text = html.unescape(_DOUBLE_ESCAPED.sub(r"&\1;", text))
    if "<" in text:
        text = _TAG.sub("\n", _NL_BEFORE_TAG.sub("", text))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\xa0", " ") if "\xa0" in text else text


_OPEN, _CLOSE = "([{", ")]}"


def split_outside_brackets(text: str, separator: str = ";") -> list[str]:
    """``text`` split at each ``separator`` that stands outside brackets: ``A (x; y);B`` is two parts."""
    if separator not in text:
        return [text]
    if "(" not in text and "[" not in text and "{" not in text:
        return text.split(separator)
    parts: list[str] = []
    depth = start = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def split_list(text: str, separator: str = ";") -> list[str]:
    """The items of a ``;`` list (a ``;`` inside brackets does not split), folded; empty items
    (``;Mental disorders``) dropped."""
    return [item for item in (fold_ws(part) for part in split_outside_brackets(text, separator)) if item]


_NON_WORD = re.compile(r"[\W_]+")


def label_key(label: str) -> str:
    """A group label compared across its spellings: case and everything but letters and digits (of any
    script) aside (``Control group :`` meets ``control group``)."""
    return _NON_WORD.sub("", label.casefold())


def unique(items: list[str]) -> list[str]:
    """Each item once, in the order it first appears."""
    return list(dict.fromkeys(items))


# --- dates ------------------------------------------------------------------------------------

# Month names, and their first three letters (export dates write "Jan 28, 2020" too).
_MONTHS = {**vocabulary.MONTH_NUMBERS, **{name[:3]: i for name, i in vocabulary.MONTH_NUMBERS.items()}}
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_MONTH_YEAR = re.compile(r"([A-Za-z]+)\.?,?\s+(\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_TIME_OF_DAY = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AP]M)?$", re.IGNORECASE)


def iso_date(text: str) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM`` for a month) of a date as ICTRP writes it; None where it is no date.

    A date with ``/`` is day first (``30/01/2020``), as ICTRP writes dates of every register.
    """
    text = _TIME_OF_DAY.sub("", text.strip())
    m = _ISO.fullmatch(text) or _COMPACT.fullmatch(text)
    if m:
        return _checked(int(m[1]), int(m[2]), int(m[3]))
    m = _DAY_FIRST.fullmatch(text)
    if m:
        return _checked(int(m[3]), int(m[2]), int(m[1]))
    m = _MONTH_DAY_YEAR.fullmatch(text)
    if m and m[1].lower() in _MONTHS:
        return _checked(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    m = _DAY_MONTH_YEAR.fullmatch(text)
    if m and m[2].lower() in _MONTHS:
        return _checked(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    m = _MONTH_YEAR.fullmatch(text)
    if m and m[1].lower() in _MONTHS:
        return f"{int(m[2]):04d}-{_MONTHS[m[1].lower()]:02d}"
    m = _YEAR_MONTH.fullmatch(text)
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    return None


def _checked(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# --- ages -------------------------------------------------------------------------------------

# Spellings of "no age given" (keyed by vocabulary.key).
NO_AGE = frozenset({"", "na", "none", "notapplicable", "nolimit", "nomaximumage", "nominimumage", "nomax", "nomin",
                    "notstated", "nd", "notspecified", "noagelimit", "nolowerlimit", "noupperlimit"})
# Spellings of "not given" for the sex (keyed by vocabulary.key): no code, and nothing to warn about.
NOT_GIVEN = NO_AGE | frozenset({"notspecified"})
_AGE = re.compile(
    r"(?:[<>]=?|≥|≤)?\s*(\d+(?:\.\d+)?)\s*(?:\(\s*)?"
    r"(years?|yrs?|y|months?|mo|m|weeks?|wks?|w|days?|d|hours?|minutes?|age old|years?[- ]old|)"
    r"(?:\(s\))?\s*\)?(?:\s*old)?",
    re.IGNORECASE,
)
_YEARS_PER = {"year": 1.0, "yr": 1.0, "y": 1.0, "month": 1 / 12, "mo": 1 / 12, "m": 1 / 12, "week": 7 / 365.25,
              "wk": 7 / 365.25, "w": 7 / 365.25, "day": 1 / 365.25, "d": 1 / 365.25, "hour": 1 / (365.25 * 24), "minute": 1 / (365.25 * 24 * 60)}


def age_years(text: str) -> tuple[int | float | None, bool]:
    """(the age in years, understood): ``18 Years`` -> (18, True), ``6 Months`` -> (0.5, True), a bare
    ``16`` -> (16, True) (years), ``N/A`` or ``-`` -> (None, True) (no age given), ``??`` -> (None, False)."""
    if not text.strip(" -"):
        return None, True
    if vocabulary.key(text) in NO_AGE:
        return (None, True) if vocabulary.key(text) else (None, False)  # "??" is no spelling of "no age"
    m = _AGE.fullmatch(text.strip())
    if not m:
        return None, False
    number = float(m[1])
    unit = m[2].lower().replace("-", " ")
    unit = "year" if not unit or unit.startswith(("age", "year")) else unit.rstrip("s")
    years = number * _YEARS_PER[unit]
    if years == int(years):
        return int(years), True
    return round(years, 6), True


# --- target size ------------------------------------------------------------------------------

_GROUP = re.compile(r"(.*?)\s*[:：]\s*(\d[\d,]*)\s*", re.DOTALL)
_WHOLE = re.compile(r"\d[\d,]*")
_CTRI_TOTAL = re.compile(r"Total Sample Size\s*=\s*\"?\s*(\d[\d,]*)", re.IGNORECASE)


def target_size_says_more(text: str) -> bool:
    """Whether a ``Target_size`` holds more than its count (CTRI's sizes for India and the final
    enrolment), so its text is kept as well."""
    return bool(_CTRI_TOTAL.search(text))


def target_size(text: str) -> tuple[int | None, list[tuple[str, int | None]], str | None]:
    """(count, groups, problem) of a ``Target_size``: ``500`` -> (500, [], None);
    ``experimental group:10;control group:10;`` -> (20, [(experimental group, 10), (control group, 10)], None).

    Where the groups do not add up (a part without a count, a group named twice) the count is None and
    the problem says why; the groups read are kept.
    """
    text = fold_ws(text)
    if _WHOLE.fullmatch(text):
        return int(text.replace(",", "")), [], None
    total = _CTRI_TOTAL.search(text)
    if total:  # CTRI: Total Sample Size="60" Sample Size from India="60" Final Enrollment numbers ...
        return int(total[1].replace(",", "")), [], None
    parts = [fold_ws(p) for p in text.split(";") if fold_ws(p)]
    groups: list[tuple[str, int | None]] = []
    problem = None
    for part in parts:
        m = _GROUP.fullmatch(part)
        if m:
            groups.append((m[1], int(m[2].replace(",", ""))))
        else:
            groups.append((part, None))
            problem = problem or f"{part!r} gives no count"
    labels = [label_key(label) for label, _ in groups]
    if problem is None and len(set(labels)) < len(labels):
        problem = "a group is named twice"
    if problem is None and groups:
        return sum(count or 0 for _, count in groups), groups, None
    return None, groups, problem or "no count"


# --- phases -----------------------------------------------------------------------------------

_EU_PHASE_FLAG = re.compile(r"\(Phase\s+(I|II|III|IV)\)\s*:\s*(yes|no)\b", re.IGNORECASE)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_PHASE_SPLIT = re.compile(r"\s*(?:/|-|,|\band\b|&)\s*", re.IGNORECASE)
_PHASE_WORD = re.compile(r"^phase\s*", re.IGNORECASE)


def phase_codes(text: str) -> tuple[list[str], str | None]:
    """(codes, problem) of a ``Phase`` value; problem is ``"ambiguous"``, ``"unknown"`` or None.

    ``Phase 2/Phase 3``, ``Phase I/II``, ``1-2`` give both phases; ``Retrospective study`` and ``N/A``
    give ``NA``; EU CTR flags give the phases flagged yes. A ChiCTR ``0`` is ambiguous.
    """
    flags = _EU_PHASE_FLAG.findall(text)
    if flags:
        codes = [f"PHASE{_ROMAN[roman.lower()]}" for roman, answer in flags if answer.lower() == "yes"]
        return unique(codes), None
    text = fold_ws(text)
    k = vocabulary.key(text)
    if not k:
        return [], None
    if k in vocabulary.AMBIGUOUS["phase"]:
        return [], "ambiguous"
    if k in vocabulary.ICTRP_PHASE_NA:
        return ["NA"], None
    whole = vocabulary.PHASE.code(text)
    if whole is not None:
        return [whole], None
    codes: list[str] = []
    for part in _PHASE_SPLIT.split(text):
        token = _PHASE_WORD.sub("", part.strip()).lower()
        token = _ROMAN.get(token, token)
        if token in ("1", "2", "3", "4"):
            codes.append(f"PHASE{token}")
        elif token == "0" or not token:
            return [], "ambiguous" if token == "0" else "unknown"
        else:
            code = vocabulary.PHASE.code(part)
            if code is None:
                return [], "unknown"
            codes.append(code)
    return unique(codes), None


_PHASE_TOKENS = frozenset({"phase", "early", "i", "ii", "iii", "iv", "0", "1", "2", "3", "4", "n", "a", "and"})


def phase_wording_kept(text: str) -> bool:
    """Whether a ``Phase`` value says more than its codes: words beyond phase numbers and ``N/A``
    (``Retrospective study``, ``Not applicable``, EU CTR's yes/no flags), so its text is kept."""
    return any(t not in _PHASE_TOKENS for t in re.findall(r"[a-z]+|\d+", text.lower().replace("phase", " phase ")))


# --- sex --------------------------------------------------------------------------------------

_EU_SEX_FLAG = re.compile(r"\b(Female|Male)\s*:\s*(yes|no)\b", re.IGNORECASE)


def gender_code(text: str) -> str | None:
    """The sex code of ``Inclusion_gender``: ``Both`` -> ALL; EU CTR ``Female: yes Male: yes`` -> ALL."""
    flags = {sex.lower(): answer.lower() == "yes" for sex, answer in _EU_SEX_FLAG.findall(text)}
    if flags:
        female, male = flags.get("female", False), flags.get("male", False)
        return "ALL" if female and male else "FEMALE" if female else "MALE" if male else None
    return vocabulary.GENDER.code(fold_ws(text))
