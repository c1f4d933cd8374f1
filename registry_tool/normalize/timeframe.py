"""Time frames: the text as written, its time points in days, and the horizon.

A registry time frame is free text ("Baseline, week 12 and week 24", "Up to 2
years", "12 months after surgery", "from randomization until death, assessed
up to 60 months"). :func:`parse_time_frame` keeps the text (white space
folded) and derives:

``points``
    each time expression as ``TimePoint(value, unit, days, relation,
    anchor)``, in the order written. ``days = value * DAYS_PER_UNIT[unit]``;
    a cycle has days only when the text gives its length ("28-day cycles",
    "each cycle is 21 days"), else null. A compound duration is one point in
    its smaller unit ("2 years 6 months" = 30 month). ``relation``:

    * ``at``: a time point ("Day 28", "6 months", "after 8 weeks");
    * ``up_to``: an upper bound ("up to", "within", "until 2 years" without a
      start, "for 2 years", "over 24 hours", "during the 4-week run-in");
    * ``about``: "approximately", "about", "median", "an average of", "~";
    * ``from`` / ``to``: the ends of a range ("0-24 hours", "Days 1-14", "6
      months to 5 years", "from Day 1 to Day 90", "between 0 and 24 hours");
      "to" / "through" after a start ("Baseline to 12 months") is ``to``; a
      lower bound ("at least 6 months", "more than 30 days") is ``from``;
    * ``baseline``: "baseline", "time zero" (value 0, unit day);
    * ``every``: "every 3 months", "monthly", "twice daily" (0.5 day),
      "4 times a year" (0.25 year), "at 15-minute intervals".

    ``anchor`` is the event a point counts from: "12 months after surgery"
    -> "surgery", "24 hours post-dose" -> "dose", "6 weeks postoperatively"
    -> "surgery", "within 28 days of life" -> "birth". A point before its
    event is negative: "15 minutes before surgery" -> -15 minute. A day of a
    cycle counts from that cycle: "Cycle 2 Day 8" gives 2 cycle and 8 day
    anchored at "cycle 2"; "Day 1 of each cycle" is anchored at "each
    cycle". The anchor of the last quantity of a list holds for the list
    ("1, 3 and 5 years after surgery").
``max_days``
    the largest ``days`` of the points (null when none has days).
``events``
    what the text names that has no fixed length: study events in a normal
    form ("end of study", "end of treatment", "death", "disease
    progression", "randomization", "hospital discharge", "each visit",
    "follow-up", "pre-dose", ...), procedures by their word
    ("bronchoscopy", "infusion"), calendar dates and clock times as written
    ("16 March 2012", "22:00").
``fully_parsed``
    True when the text gave at least one point or event and every time
    expression in it (a unit word, a number with a unit, a frequency word,
    a date) became one. Nothing is guessed: a misspelt unit ("3 yeasrs"),
    "bi-weekly" (twice a week, or every two weeks?), "every 8" with no unit
    give no point, and the frame is not fully parsed;
    :func:`registry_tool.normalize.enrich_record` warns about it.

Parsing runs over tokens (numbers, words, punctuation) in one pass, in time
linear in the text; results are cached by text, and every call returns fresh
model objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import TimeFrame, TimePoint

DAYS_PER_UNIT = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}

# --- vocabulary ------------------------------------------------------------------------

# Unit words that may stand anywhere.
_UNIT_WORDS = {
    "minute": "minute", "minutes": "minute", "mins": "minute",
    "hour": "hour", "hours": "hour", "hrs": "hour", "hr": "hour",
    "day": "day", "days": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week",
    "month": "month", "months": "month", "mths": "month", "mth": "month", "mos": "month",
    "year": "year", "years": "year", "yr": "year", "yrs": "year",
    "cycle": "cycle", "cycles": "cycle", "course": "cycle", "courses": "cycle",
}
# Abbreviations that are units only right after a number ("24 h", "30d", "3 mo").
_UNIT_AFTER_NUMBER = {"min": "minute", "h": "hour", "d": "day", "mo": "month", "mon": "month", "y": "year"}
# Words that may label a number: "Day 28", "Week -2", "Cycle 3", "Year 2".
_LABELS = {
    "day": "day", "days": "day", "week": "week", "weeks": "week", "wk": "week",
    "month": "month", "months": "month", "year": "year", "years": "year",
    "hour": "hour", "hours": "hour", "cycle": "cycle", "cycles": "cycle",
    "course": "cycle", "courses": "cycle",
}
_FULL_UNIT_WORDS = frozenset(_UNIT_WORDS) - {"mos", "hr", "hrs", "wk", "wks", "yr", "yrs", "mth", "mths", "mins"}

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_TENS = frozenset({"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"})
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}

# Frequency adverbs: every <value> <unit>.
_FREQUENCY_WORDS = {
    "hourly": (1, "hour"), "daily": (1, "day"), "weekly": (1, "week"), "monthly": (1, "month"),
    "yearly": (1, "year"), "annually": (1, "year"), "annual": (1, "year"), "quarterly": (3, "month"),
    "fortnightly": (2, "week"),
}
# A frequency adverb followed by one of these is an adverb of time ("monthly for
# 6 months"); followed by any other word it describes a regimen ("weekly infusions").
_AFTER_FREQUENCY = frozenset({
    "for", "until", "till", "during", "thereafter", "after", "in", "while", "from", "up", "upto",
    "through", "then", "and", "or", "on", "at", "to", "throughout", "beginning", "starting", "x",
    "intervals", "interval", "visits", "assessments", "basis",
})
_REGIMEN_CONTEXT = frozenset({"versus", "vs", "once", "twice"})
# Twice a week, or every two weeks? Not understood, so not a point.
_AMBIGUOUS_FREQUENCY = frozenset({"biweekly", "bimonthly", "biannually", "biannual"})

# Relations a word before an expression gives it.
_UP_TO_WORDS = frozenset({"upto", "within", "maximum", "max"})
# Words that bound a duration ("for 2 years", "over 12 weeks"); before a label they mean "at" ("during Week 0").
_SPAN_WORDS = frozenset({"for", "over", "during", "lasting", "throughout", "x"})
_RANGE_END_WORDS = frozenset({"to", "until", "till", "through", "thru"})
_ABOUT_WORDS = frozenset({
    "approximately", "approx", "approximate", "about", "around", "ca", "circa", "roughly", "nearly",
    "average", "mean", "median", "estimated", "expected", "~", "≈",
})
_EVERY_WORDS = frozenset({"every", "each", "q"})
_FROM_WORDS = frozenset({"from", "since", "least", "minimum", "beyond", "starting", "beginning"})
_FROM_PAIRS = {("more", "than"), ("greater", "than"), ("longer", "than")}
_UP_TO_PAIRS = {
    ("up", "to"), ("out", "to"), ("up", "through"), ("up", "till"), ("up", "until"), ("less", "than"),
    ("no", "more"), ("not", "exceeding"),
}
# Words that start a range, so a later "to" / "through" ends it.
_START_WORDS = frozenset({
    "from", "since", "between", "baseline", "randomization", "randomisation", "randomized", "screening",
    "start", "beginning", "enrollment", "enrolment", "entry", "registration", "inclusion", "consent",
    "first", "initiation", "time", "date", "day", "week", "month",
})
# Words that end the look-back for a modifier.
_CLAUSE_STOP = frozenset({",", ";", "(", ")", "[", "]"})

# Fillers allowed between a number and its unit: "2 treatment cycles", "30 calendar days".
_FILLERS = frozenset({
    "treatment", "study", "calendar", "full", "additional", "complete", "consecutive", "more",
    "postoperative", "post-operative", "operative", "further", "subsequent", "menstrual",
})

_SEPARATORS = frozenset({",", "and", "or", "&", "/", "+"})

# Words after a quantity that name the event it counts from.
_BEFORE_WORDS = frozenset({"before", "prior", "preceding", "pre"})
# Glued forms: "post-surgery", "postoperatively", "preop".
_GLUED_AFTER = {
    "postoperative": "surgery", "postoperatively": "surgery", "postop": "surgery",
    "postsurgery": "surgery", "postdose": "dose", "postdosing": "dose", "postvaccination": "vaccination",
    "postinfusion": "infusion", "posttransplant": "transplant", "postpartum": "delivery",
    "posttreatment": "treatment", "postimplant": "implant", "postinjection": "injection",
}
_GLUED_BEFORE = {
    "preoperative": "surgery", "preoperatively": "surgery", "preop": "surgery", "presurgery": "surgery",
    "predose": "dose", "pretreatment": "treatment", "prevaccination": "vaccination",
}
_SURGERY_WORDS = frozenset({"operative", "operatively", "op", "operation", "surgery", "surgical"})
# Words that end an anchor phrase.
_ANCHOR_STOP = frozenset({
    "and", "or", "up", "upto", "until", "till", "through", "thru", "to", "then", "assessed", "whichever",
    "for", "with", "in", "at", "during", "including", "inclusive", "respectively", "which", "is", "was",
    "were", "are", "will", "as", "on", "every", "each", "by", "approximately", "plus", "minus", "vs",
    "versus", "followed", "if", "but", "where", "when", "while", "within", "over",
})
_ARTICLES = frozenset({"the", "a", "an"})
# Anchors named the same way whatever the wording.
_ANCHOR_NAMES = {"operation": "surgery", "the operation": "surgery", "operative": "surgery", "op": "surgery",
                 "partum": "delivery", "delivery": "delivery"}
_TRAILING_ANCHOR_WORDS = frozenset({"of", "the", "a", "an", "from", "to", "any", "all"})

# Events without a fixed length: (pattern, name). First match of a span wins.
_EVENT_TABLE: list[tuple[str, str]] = [
    (r"end[- ]of[- ](?:the\s+)?(?:study|trial)(?:\s+(?:period|visit))?|end\s+study|study\s+end|eos\b"
     r"|(?:completion|end)\s+of\s+(?:the\s+)?study|study\s+(?:completion|termination|closing\s+date|closure)"
     r"|final\s+(?:study\s+)?visit|last\s+(?:study\s+|clinic\s+)?visit|end\s+of\s+(?:the\s+)?trial"
     r"|discharge\s+from\s+(?:the\s+)?study", "end of study"),
    (r"end\s+of\s+(?:the\s+)?(?:study\s+)?(?:treatment|therapy)(?:\s+visit)?|eot\b"
     r"|(?:completion|end)\s+of\s+(?:all\s+)?(?:study\s+|protocol\s+|active\s+)?(?:treatment|therapy|chemotherapy|radiotherapy)"
     r"|treatment\s+(?:completion|discontinuation)|off[- ]treatment|off[- ]study"
     r"|(?:conclusion|end)\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:treatment|therapy)(?:\s+phase)?", "end of treatment"),
    (r"(?:last|final)\s+(?:study\s+)?(?:dose|administration|infusion|vaccination|exposure|treatment\s+dose)", "last dose"),
    (r"(?:first|initial)\s+(?:study\s+)?(?:dose|dosing|administration|infusion|vaccination|injection|treatment)"
     r"|start\s+of\s+(?:the\s+)?(?:study\s+|protocol\s+)?(?:treatment|therapy|medication|dosing|intervention)"
     r"|treatment\s+start|(?:initiation|beginning)\s+of\s+(?:study\s+)?(?:treatment|therapy)", "start of treatment"),
    (r"(?:hospital\s+)?discharge[ds]?(?:\s+from\s+(?:the\s+)?hospital)?|discharge\s+date", "hospital discharge"),
    (r"in[- ]hospital|hospitali[sz]ation|hospital\s+stay|icu[- ]stay|hospitali[sz]ed", "hospital stay"),
    (r"death|deaths|died|mortality", "death"),
    (r"(?:disease\s+)?progression|progressive\s+disease|\bpd\b|progressed", "disease progression"),
    (r"relapse|recurrence|recurrent", "relapse"),
    (r"(?:documented\s+|confirmed\s+|objective\s+|first\s+)*response|\bcr\b|\bpr\b", "response"),
    (r"randomi[sz]ation|randomi[sz]ed", "randomization"),
    (r"enrol(?:l)?ment|enrol(?:l)?ed|study\s+entry|entry|inclusion(?:\s+visit)?|registration|study\s+start"
     r"|(?:start|beginning)\s+of\s+(?:the\s+)?study|study\s+initiation", "enrollment"),
    (r"informed\s+consent|\bicf\b|consent", "informed consent"),
    (r"screening|screen|pre-?study", "screening"),
    (r"pre-?dose|pre-?dosing|pre-?infusion|prior\s+to\s+(?:first\s+)?(?:dosing|dose|infusion)", "pre-dose"),
    (r"post-?dose|post-?dosing|post-?infusion|(?:after|following)\s+(?:each\s+)?(?:dosing|dose|infusion)", "post-dose"),
    (r"pre[- ]?treatment|pre-?therapy|before\s+(?:starting\s+)?(?:the\s+)?(?:treatment|therapy|chemotherapy)"
     r"|prior\s+to\s+(?:first\s+)?treatment|pre-?intervention|before\s+(?:the\s+)?intervention", "pre-treatment"),
    (r"post-?treatment|post-?intervention|post[- ]therapy|after\s+(?:the\s+)?(?:treatment|intervention|therapy)"
     r"|post\s+treatment", "post-treatment"),
    (r"pre-?vaccination|prior\s+to\s+(?:booster\s+)?vaccination|before\s+vaccination", "pre-vaccination"),
    (r"pre-?operative(?:ly)?|pre-?op|before\s+(?:the\s+)?surgery|prior\s+to\s+surgery|pre-?surgery", "before surgery"),
    (r"intra-?operative(?:ly)?|intraoperativt|during\s+(?:the\s+)?(?:surgery|operation|surgical\s+procedure)"
     r"|duration\s+of\s+surgery|peri-?operative|periprocedural|during\s+(?:the\s+)?procedure", "during surgery"),
    (r"post-?operative(?:ly)?|post-?op|after\s+(?:the\s+)?surgery|post-?surgery|post[- ]procedure", "after surgery"),
    (r"surgery|operation|surgical", "surgery"),
    (r"(?:each|every|all)\s+(?:study\s+)?visits?|(?:at\s+)?(?:each|every)\s+(?:study\s+)?(?:day|session)"
     r"|study\s+visits?|single\s+(?:study\s+)?visit|(?:one|single)[- ]time\s+visit|two\s+study\s+visits", "each visit"),
    (r"throughout(?:\s+(?:the\s+)?(?:entire\s+|whole\s+)?(?:study|trial)(?:\s+period)?)?|through\s*out\s+study"
     r"|(?:study|trial)\s+(?:duration|period)|duration\s+of\s+(?:the\s+)?(?:study|trial)|length\s+of\s+(?:the\s+)?study"
     r"|(?:entire|whole)\s+study(?:\s+period)?|across\s+(?:the\s+)?study(?:\s+duration)?|along\s+the\s+study",
     "study duration"),
    (r"duration\s+of\s+(?:therapy|treatment)|treatment\s+(?:period|phase)", "treatment period"),
    (r"(?:long[- ]term\s+|prospective\s+)?follow[- ]?up(?:\s+(?:visit|period))?|last\s+(?:contact|known\s+alive)", "follow-up"),
    (r"data\s+cut[- ]?off(?:\s+date)?|cut[- ]?off\s+date|primary\s+(?:analysis|endpoint|completion)", "data cut-off"),
    (r"delivery|postpartum(?:\s+period)?|birth", "delivery"),
    (r"diagnosis", "diagnosis"),
    (r"immediate(?:ly)?(?:\s+(?:after|post-?op|upon))?", "immediate"),
    (r"ongoing|continuous(?:ly)?|continousouly", "ongoing"),
    (r"transplant(?:ation)?|hsct|engraftment", "transplant"),
    (r"vaccination|booster", "vaccination"),
    (r"publication", "publication"),
    (r"baseline", "baseline"),
    (r"bronchoscopy|bronchosocpy|endoscopy|colonoscopy|biopsy|leep|radiosurgery|radiotherapy|chemotherapy"
     r"|chemoradiation|implant(?:ation)?|inhalation|injection|infusion|an(?:a)?esthesia|induction|extubation"
     r"|intubation|recovery|session|scan|testing|sampling|admission|arrival|catheteri[sz]ation|transfusion"
     r"|stimulation|insertion|embryo\s+transfer|dos(?:e|es|ing)|visit|expired|procedure|instillations?|collection", ""),
]
# One pattern for all events: at each place the first entry of the table that matches wins.
_EVENTS = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<e{i}>{p})" for i, (p, _) in enumerate(_EVENT_TABLE)) + r")(?!\w)",
    re.IGNORECASE,
)
# The same pattern for ASCII text, matched against the text in lower case: every letter of
# the table is lower case, and without IGNORECASE the pattern runs about twice as fast.
_EVENTS_LOWER = re.compile(_EVENTS.pattern)
_EVENT_NAMES = {f"e{i}": name for i, (_, name) in enumerate(_EVENT_TABLE)}
# Words that name no event on their own.
_GLUE_WORDS = frozenset({
    "up", "to", "at", "and", "or", "of", "the", "a", "an", "in", "on", "for", "from", "by", "after", "until",
    "till", "through", "within", "approximately", "about", "approx", "every", "each", "s", "than", "least",
    "more", "over", "during", "then", "thereafter", "weeks", "months", "years", "days", "hours",
})
_PROCEDURE_NAMES = {"bronchosocpy": "bronchoscopy", "expired": "death", "doses": "dose", "dosing": "dose",
                    "implantation": "implant", "anaesthesia": "anesthesia", "instillations": "instillation"}

# --- spans recognised before tokenising --------------------------------------------------

_MONTH_NAMES = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
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
_MAY_HOLD_DATE = re.compile(r"[0-9]{4}|[0-9][/:.][0-9]")
_CLOCK = re.compile(
    r"\b(?:[01]?\d|2[0-3]):[0-5]\d(?:\s*(?:am|pm|a\.m\.|p\.m\.))?"
    r"|(?<=\b(?:at|to)\s)(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b"
    r"|(?<=\b(?:from|till)\s)(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b"
    r"|(?<=\b(?:until)\s)(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b"
    r"|(?<=\b(?:through)\s)(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b",
    re.IGNORECASE,
)
# A visit window: "±3 days", "(+/- 3 days)", "(+ 5 days)", "(plus or minus visit window)".
_WINDOW = re.compile(
    r"\(\s*(?:±|\+/-|\+-|\+|-|plus or minus)\s*\d+(?:\.\d+)?\s*[a-z]*\s*\)"
    r"|(?:±|\+/-|\+-|plus or minus)\s*\d+(?:\.\d+)?(?:\s*(?:minutes?|min|hours?|hrs?|h|days?|d|weeks?|wks?|months?))?"
    r"|\(\s*plus or minus visit window\s*\)",
    re.IGNORECASE,
)
# Cycle lengths: "28-day cycles", "each cycle is 21 days", "Cycle = 28 days",
# "with 28 days per cycle", "cycles of 21 days", "cycle length=28 days".
_WINDOW_NUMBER = re.compile(r"(?:±|\+/-|\+-|plus or minus)\s*\d+(?:\.\d+)?", re.IGNORECASE)
# A number with no label before it ("Every 15", ", 21"; not "day 5", "March 2008"), ending the text.
_BARE_NUMBER_BEFORE = re.compile(
    r"(?:(?<![\w.])(?!(?:day|days|week|weeks|month|months|year|years|cycle|hour|" + _MONTH_NAMES[3:-4] + r")\s)"
    r"[^\W\d]+\s+|[^\w\s]\s*|^)[0-9]+(?:\.[0-9]+)?\s*$",
    re.IGNORECASE,
)
# Cycle lengths: "28-day cycles", "each cycle is 21 days", "Cycle = 28 days",
# "with 28 days per cycle", "cycles of 21 days", "cycle length=28 days", "21 or 28 days" (ambiguous).
_CYCLE_LENGTH = re.compile(
    r"(?P<a>\d+)\s*-?\s*(?P<au>day|week)s?\s*-?\s*(?:treatment\s+)?(?:cycle|course)s?\b"
    r"|(?:each\s+|1\s+|one\s+)?(?:cycle|course)s?(?:\s+\d+)?(?:\s+length)?\s*(?:=|is|are|lasts?|of)\s*(?P<b>\d+)"
    r"(?:\s*(?:or|to|-)\s*(?P<b2>\d+))?\s*(?P<bu>day|week)s?(?:\s+each)?\b"
    r"|(?P<c>\d+)\s*(?P<cu>day|week)s?\s*(?:per|each|a|/)\s*(?:cycle|course)\b",
    re.IGNORECASE,
)

# "the following day": an event; "the day of discharge": the words after it name the event.
_FIXED_PHRASES = re.compile(
    r"(?P<next>\b(?:the\s+)?(?:following|next)\s+day\b)|(?P<dayof>\b(?:the\s+)?day\s+of\b(?=\s+[^\W\d]))"
    r"|(?P<course>\b(?:during\s+|over\s+)?the\s+course\s+of\b)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[^\W\d_]+|\S")


# --- tokens ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    text: str
    low: str
    start: int
    end: int
    kind: str  # num | word | punct
    value: float | None = None  # numbers, number words, ordinals
    ordinal: bool = False
    used: bool = False


@dataclass(slots=True)
class _Point:
    value: float
    unit: str
    relation: str
    anchor: str | None = None


@dataclass(slots=True)
class _Group:
    """Points made from one run of tokens; ``quantity`` for "N unit" groups."""

    points: list[_Point]
    start: int  # token index of the first token
    end: int  # token index after the last token
    quantity: bool = False
    anchored: bool = False


@dataclass(slots=True)
class _Parse:
    points: list[_Point] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    fully_parsed: bool = False


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        s = m.group(0)
        low = s.lower()
        if "0" <= s[0] <= "9":
            toks.append(_Tok(s, low, m.start(), m.end(), "num", float(s)))
        elif low in _NUMBER_WORDS:
            toks.append(_Tok(s, low, m.start(), m.end(), "num", float(_NUMBER_WORDS[low])))
        elif low in _ORDINAL_WORDS:
            toks.append(_Tok(s, low, m.start(), m.end(), "num", float(_ORDINAL_WORDS[low]), ordinal=True))
        elif s[0].isalnum():
            toks.append(_Tok(s, low, m.start(), m.end(), "word"))
        else:
            toks.append(_Tok(s, low, m.start(), m.end(), "punct"))
    merged: list[_Tok] = []
    for tok in toks:
        prev = merged[-1] if merged else None
        # "12th", "3 rd": an ordinal number
        if prev and prev.kind == "num" and tok.low in _ORDINAL_SUFFIXES and prev.text.isdigit():
            if tok.start == prev.end or (tok.start == prev.end + 1 and tok.low == "rd"):
                prev.ordinal = True
                prev.end = tok.end
                prev.text += tok.text
                continue
        # "twenty-four"
        if (
            prev and tok.kind == "num" and tok.value is not None and tok.value < 10 and not tok.text[0].isdigit()
            and len(merged) >= 2 and merged[-2].low in _TENS and prev.text == "-"
        ):
            tens = merged[-2]
            merged.pop()
            tens.value = (tens.value or 0) + tok.value
            tens.end = tok.end
            tens.text += "-" + tok.text
            continue
        # "15 ½ months", "1½ hours"
        if prev and prev.kind == "num" and not prev.ordinal and tok.text in _FRACTIONS and tok.start - prev.end <= 1:
            prev.value = (prev.value or 0) + _FRACTIONS[tok.text]
            prev.end = tok.end
            prev.text += tok.text
            continue
        merged.append(tok)
    return merged


def _covered(length: int, spans: list[tuple[int, int]]) -> bytearray:
    """A flag for each character: 1 where one of ``spans`` covers it."""
    flags = bytearray(length + 1)
    for s, e in spans:
        flags[s:e] = b"\x01" * (e - s)
    return flags


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the characters of ``spans`` blanked out."""
    flags = _covered(len(text), spans)
    return "".join(" " if flags[i] else c for i, c in enumerate(text)) if len(spans) > 3 else _blank(text, spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    return text


# --- the parser --------------------------------------------------------------------------


class _Parser:
    """One pass over the tokens of a time frame (see the module docstring)."""

    def __init__(self, text: str):
        self.text = text
        self.cycle_days: float | None = None
        self.recognised: list[tuple[int, int]] = []  # character spans of dates, windows, cycle lengths
        self.events_found: list[tuple[int, str]] = []  # (position, event) of dates and clock times
        self.anchor_spans: list[tuple[int, int]] = []
        self.cycle_spans: dict[int, int] = {}  # start -> end of each stated cycle length
        self.window_spans: list[tuple[int, int]] = []
        self._scan_spans()
        self.toks = _tokens(text)
        self.in_windows = _covered(len(text), self.window_spans) if self.window_spans else bytearray()
        # for each token: where its clause starts (after the last ";" or "."), and the last
        # word before it that starts a range ("from", "baseline"), -1 if none
        self.clause_start: list[int] = []
        self.start_word_at: list[int] = []
        clause, last_start = 0, -1
        for k, tok in enumerate(self.toks + [_Tok("", "", len(text), len(text), "punct")]):
            self.clause_start.append(clause)
            self.start_word_at.append(last_start)
            if tok.text in (";", "."):
                clause = k + 1
            if tok.low in _START_WORDS:
                last_start = k
        if self.recognised:
            inside = _covered(len(text), self.recognised)
            for tok in self.toks:
                if inside[tok.start] and inside[tok.end - 1]:
                    tok.used = True
        self.groups: list[_Group] = []
        self.flagged = False

    # -- spans --

    def _scan_spans(self) -> None:
        text = self.text
        low = text.lower()
        lengths: set[float] = set()
        ambiguous = False
        cycles = _CYCLE_LENGTH.finditer(text) if ("cycl" in low or "cours" in low) else ()
        for m in cycles:
            self.cycle_spans[m.start()] = m.end()
            if m.group("a"):
                lengths.add(float(m.group("a")) * DAYS_PER_UNIT[m.group("au").lower()])
            elif m.group("b"):
                if m.group("b2"):
                    ambiguous = True
                else:
                    lengths.add(float(m.group("b")) * DAYS_PER_UNIT[m.group("bu").lower()])
            else:
                lengths.add(float(m.group("c")) * DAYS_PER_UNIT[m.group("cu").lower()])
            self.recognised.append(m.span())
        # "Cycle 0 is 3 days ... Cycle 1 is 28 days": the length of a cycle is not one number
        if len(lengths) == 1 and not ambiguous:
            self.cycle_days = lengths.pop()
        windows = _WINDOW.finditer(text) if ("±" in text or "+" in text or "minus" in low) else ()
        for m in windows:
            start = m.start()
            span = m.span()
            # "21 ± 3 days", "15±5 minutes": the unit belongs to the bare number before the window
            # (not in "day 5 +/- 1 day" or "5 March 2008 +/-3 days")
            before = text[:start] if start <= 40 else text[start - 40:start].split(" ", 1)[-1]
            if _BARE_NUMBER_BEFORE.search(before):
                num = _WINDOW_NUMBER.match(text, start)
                if num:
                    span = num.span()
            self.recognised.append(span)
            self.window_spans.append(span)
        phrases = _FIXED_PHRASES.finditer(text) if ("day" in low or "course" in low) else ()
        for m in phrases:
            self.recognised.append(m.span())
            if m.lastgroup == "next":
                self.events_found.append((m.start(), "next day"))
        if not _MAY_HOLD_DATE.search(text):
            return
        taken = _covered(len(text), self.recognised)
        for rx in (_DATE, _CLOCK):
            for m in rx.finditer(text):
                if taken[m.start()]:
                    continue
                self.recognised.append(m.span())
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
                self.events_found.append((m.start(), " ".join(m.group(0).split())))

    # -- helpers --

    def tok(self, i: int) -> _Tok | None:
        return self.toks[i] if 0 <= i < len(self.toks) else None

    def low(self, i: int) -> str:
        t = self.tok(i)
        return t.low if t else ""

    def is_num(self, i: int) -> bool:
        t = self.tok(i)
        return t is not None and t.kind == "num" and not t.used

    def unit_at(self, i: int, after_number: bool) -> str | None:
        t = self.tok(i)
        if t is None or t.used or t.kind != "word":
            return None
        unit = _UNIT_WORDS.get(t.low)
        if unit is None and after_number:
            unit = _UNIT_AFTER_NUMBER.get(t.low)
        return unit

    def glued(self, i: int) -> bool:
        """No white space between token i-1 and token i."""
        a, b = self.tok(i - 1), self.tok(i)
        return a is not None and b is not None and a.end == b.start

    def signed_number(self, i: int, label: bool) -> tuple[float, int] | None:
        """A number at i, with a minus sign where it is one ("Day -1", "(-2 weeks)")."""
        t = self.tok(i)
        if t is None or t.used:
            return None
        if t.kind == "num" and not t.ordinal:
            return t.value, i + 1  # type: ignore[return-value]
        following = self.tok(i + 1)
        if (
            t.text in ("-", "−", "–")
            and following is not None
            and following.kind == "num"
            and not following.used
            and not following.ordinal
            and self.glued(i + 1)
        ):
            prev = self.tok(i - 1)
            spaced_before = prev is None or prev.end < t.start
            if spaced_before and (label or prev is None or prev.text in "([,;&" or prev.low in _SEPARATORS):
                return -(following.value or 0), i + 2
        return None

    def mark(self, start: int, end: int) -> None:
        for k in range(start, end):
            self.toks[k].used = True

    def modifier(self, start: int, label: bool = False) -> str:
        """The relation the words before token ``start`` give (``at`` when none)."""
        words: list[str] = []
        k = start - 1
        floor = self.groups[-1].end if self.groups else 0
        while k >= floor and len(words) < 7:
            t = self.toks[k]
            if t.text in _CLAUSE_STOP or (t.kind == "num" and t.used):
                break
            words.append(t.low)
            k -= 1
        words.reverse()
        found: list[str] = []
        for j, w in enumerate(words):
            pair = (words[j - 1], w) if j else ("", w)
            if pair in _UP_TO_PAIRS or w in _UP_TO_WORDS or (w == "before" and j == len(words) - 1):
                found.append("up_to!")  # a stated bound: "up to approximately 4 years" stays up_to
            elif w in _SPAN_WORDS:
                found.append("at" if label else "up_to")
            elif pair in _FROM_PAIRS or w in _FROM_WORDS or w == "between":
                found.append("from")
            elif w == "and" and ("between" in words[:j] or (words == ["and"] and self.between_open(start))):
                found.append("to")  # "between 0 hours and 216 hours", "between the first infusion and 30 days after"
            elif w in _RANGE_END_WORDS:
                if j and words[j - 1] in ("prior", "due", "equal", "compared", "according", "related"):
                    continue
                if j + 1 < len(words) and words[j + 1] in ("be", "have"):
                    continue  # "estimated to be 5 months"
                found.append("to" if self.has_start(start) else "up_to")
            elif w in _ABOUT_WORDS:
                found.append("about")
            elif w in _EVERY_WORDS:
                found.append("every")
            elif w in ("at", "after", "on", "by", "in"):
                found.append("at")
            elif w in ("-", "–") and j == len(words) - 1 and self.has_start(start) and not self.inner(start - 1):
                found.append("to")  # "Baseline - 24 months"
        if not found:
            return "at"
        last = found[-1]
        if last == "about" and len(found) > 1 and found[-2] == "up_to!":
            return "up_to"  # "up to approximately 4 years", "up to a maximum of approximately 4 years"
        if last == "at" and "every" in found:
            return "every"
        return last.rstrip("!")

    def between_open(self, start: int) -> bool:
        """Whether the group before token ``start`` followed "between"."""
        if not self.groups:
            return False
        g = self.groups[-1]
        return self.low(g.start - 1) == "between" and all(p.relation == "from" for p in g.points)

    def has_start(self, start: int) -> bool:
        """Whether the clause before token ``start`` says where a range begins
        ("from ...", "Baseline ...", "Randomization to ..."), so "to"/"through" end a range."""
        clause = self.clause_start[start]
        if self.start_word_at[start] >= clause:
            return True
        for g in reversed(self.groups):
            if g.start < clause:
                break
            if g.points and g.points[-1].relation in ("baseline", "from", "at"):
                return True
        return False

    # -- the pass --

    def run(self) -> _Parse:
        i = 0
        n = len(self.toks)
        while i < n:
            t = self.toks[i]
            if t.used:
                i += 1
                continue
            for rule in (
                self.rule_cycle_day_short,
                self.rule_label,
                self.rule_quantity,
                self.rule_frequency,
                self.rule_every_unit,
                self.rule_article_unit,
                self.rule_baseline,
            ):
                nxt = rule(i)
                if nxt is not None:
                    i = nxt
                    break
            else:
                i += 1
        self.attach_run_anchors()
        return self.finish()

    def add(self, group: _Group) -> int:
        self.mark(group.start, group.end)
        self.groups.append(group)
        return group.end

    # "C1D1", "C2D8": cycle 1 day 1
    def rule_cycle_day_short(self, i: int) -> int | None:
        if self.toks[i].text not in ("C", "c") or not self.is_num(i + 1):
            return None
        if self.tok(i + 2) is None or self.toks[i + 2].text not in ("D", "d") or not self.is_num(i + 3):
            return None
        if not (self.glued(i + 1) and self.glued(i + 2) and self.glued(i + 3)):
            return None
        cycle = self.toks[i + 1].value or 0
        day = self.toks[i + 3].value or 0
        rel = self.modifier(i)
        points = [_Point(cycle, "cycle", rel), _Point(day, "day", rel, f"cycle {_fmt(cycle)}")]
        return self.add(_Group(points, i, i + 4))

    # "Day 28", "Weeks 1, 4 and 12", "Days 1-14", "Day 1 through Day 10", "Cycle 1 Day 1"
    def rule_label(self, i: int) -> int | None:
        t = self.toks[i]
        unit = _LABELS.get(t.low)
        if unit is None:
            return None
        j = i + 1
        if self.low(j) == "s" and self.signed_number(j + 1, True):
            j += 1  # "Week s 1, 2, 4": a stray letter
        if self.low(j) == "-" and self.toks[j].start == t.end and self.is_num(j + 1) and self.glued(j + 1):
            j += 1  # "Month-3": a hyphen joining label and number
        first = self.signed_number(j, True)
        if first is None:
            return None
        rel = self.modifier(i, label=True)
        values: list[tuple[float, str | None]] = [(first[0], None)]
        j = first[1]
        while True:
            k = j
            # a range: "Days 1-14", "Day 1 through Day 10", "Week 17~24", "Day -28 to -1"
            if self.low(k) in ("-", "–", "~", "to", "through", "thru", "till", "until") and not self.toks[k].used:
                k2 = k + 1
                if _LABELS.get(self.low(k2)) == unit:
                    k2 += 1
                if self.low(k) in ("-", "–"):
                    nxt = self.number_at(k2)
                else:
                    nxt = self.signed_number(k2, True)
                if nxt is not None and not self.unit_at(nxt[1], True):
                    values[-1] = (values[-1][0], "from")
                    # "to weeks 16 and 24": numbers listed after a worded range end are range ends too
                    values.append((nxt[0], "to" if self.low(k) in ("-", "–", "~") else "to+"))
                    j = nxt[1]
                    continue
            # a list: "Weeks 1, 4, and 12", "Day 1 and Day 15", "Days -1 & 1", "Months -6 and -3"
            seps = 0
            while self.low(k) in _SEPARATORS and not self.toks[k].used and seps < 2:
                if self.low(k) == "/":
                    break
                k += 1
                seps += 1
            if seps:
                if _LABELS.get(self.low(k)) == unit:
                    k += 1
                nxt = self.signed_number(k, True)
                if nxt is not None and not self.unit_at(nxt[1], True):
                    values.append((nxt[0], None))
                    j = nxt[1]
                    continue
            break
        points: list[_Point] = []
        inherited = rel
        for v, r in values:
            if r == "to+":
                r = inherited = "to"
            points.append(_Point(v, unit, r or inherited))
        group = _Group(points, i, j)
        self.add(group)
        while self.in_window(group.end):
            group.end += 1
        if group.end > j and self.unit_at(group.end, True):
            group.end += 1  # the window's unit: "day 5 +/- 1 day"
            self.mark(j, group.end)
            j = group.end
        if unit == "cycle" and len(values) == 1:
            end = self.days_of_cycle(group, values[0][0])
            if end is not None:
                return end
        if unit == "day" and self.low(j) == "of":
            end = self.day_of_cycles(group)
            if end is not None:
                return end
        self.anchor_after(group, label=True)
        return group.end

    def days_of_cycle(self, group: _Group, cycle: float) -> int | None:
        """"Cycle 1 Day 1", "Cycle 2, Days 8 and 15": days counted from that cycle."""
        k = group.end + 1 if self.low(group.end) == "," else group.end
        if _LABELS.get(self.low(k)) != "day" or not self.signed_number(k + 1, True):
            return None
        before = len(self.groups)
        end = self.rule_label(k)
        if end is None or len(self.groups) == before:
            return None
        for p in self.groups[-1].points:
            p.anchor = p.anchor or f"cycle {_fmt(cycle)}"
        return end

    def day_of_cycles(self, group: _Group) -> int | None:
        """"Day 1 of each cycle", "Day 1 of Cycles 1 and 4", "Days 20 to 28 of Cycle 2"."""
        j = group.end
        k = j + 1
        if self.low(k) in ("each", "every", "all", "the"):
            m = k + 1
            while self.low(m) in ("subsequent", "treatment", "following"):
                m += 1
            defined = self.tok(m)
            if defined is not None and defined.start in self.cycle_spans:  # "of each 28-day cycle"
                end = m
                while end < len(self.toks) and self.toks[end].end <= self.cycle_spans[defined.start]:
                    end += 1
                for p in group.points:
                    p.anchor = "each cycle"
                self.mark(j, end)
                group.end = end
                return end
            if _LABELS.get(self.low(m)) == "cycle" and not self.signed_number(m + 1, True):
                for p in group.points:
                    p.anchor = "each cycle"
                self.mark(j, m + 1)
                group.end = m + 1
                return group.end
        if _LABELS.get(self.low(k)) == "cycle" and self.signed_number(k + 1, True):
            before = len(self.groups)
            label_end = self.rule_label(k)
            if label_end is not None and len(self.groups) > before:
                cycles = [p for p in self.groups[-1].points if p.unit == "cycle"]
                days = list(group.points)
                group.points = [
                    _Point(d.value, "day", d.relation, f"cycle {_fmt(c.value)}") for c in cycles for d in days
                ]
                self.mark(j, k)
                return label_end
        return None

    def number_at(self, k: int, ordinal: bool = False) -> tuple[float, int] | None:
        """An unsigned number at k (an ordinal only where asked for)."""
        t = self.tok(k)
        if t is None or t.used or t.kind != "num" or t.ordinal != ordinal:
            return None
        return t.value or 0.0, k + 1

    def in_window(self, k: int) -> bool:
        t = self.tok(k)
        return t is not None and bool(self.window_spans) and bool(self.in_windows[t.start])

    def skip_fillers(self, k: int) -> tuple[int, bool]:
        """Past words between a number and its unit ("2 treatment cycles", "15±5 minutes");
        True if one said post-operative."""
        postop = False
        while self.in_window(k):
            k += 1
        for _ in range(3):
            low = self.low(k)
            if low in ("post", "pre") and self.low(k + 1) == "-" and self.low(k + 2) in ("operative", "op"):
                postop = postop or low == "post"
                k += 3
            elif low in _FILLERS:
                postop = postop or low in ("postoperative",)
                k += 1
            else:
                break
        return k, postop

    # "3 months", "3, 6 and 12 months", "0-24 hours", "1-, 3- and 5-year", "6 months to 5 years",
    # "first day", "12th hour", "first and second day"
    def rule_quantity(self, i: int) -> int | None:
        ordinal = self.toks[i].ordinal
        first = self.number_at(i, True) if ordinal else self.signed_number(i, False)
        if first is None:
            return None
        items: list[list[float]] = [[first[0]]]  # chains of numbers joined by dashes
        j = first[1]
        while True:
            low = self.low(j)
            if low in ("-", "–") and not self.toks[j].used and not ordinal:
                nxt = self.number_at(j + 1)
                if nxt is not None:  # "0-24", "6 - 12 - 18"
                    items[-1].append(nxt[0])
                    j = nxt[1]
                    continue
                if self.low(j + 1) in _SEPARATORS or self.unit_at(j + 1, True):  # "1- and 3- month", "5-year"
                    j += 1
                    if self.unit_at(j, True):
                        break
                    continue
            if low in ("to", "through", "till", "until") and not ordinal:
                nxt = self.number_at(j + 1)
                if nxt is not None and self.unit_after_numbers(j + 1):
                    items[-1].append(nxt[0])
                    j = nxt[1]
                    continue
            k = j
            seps = 0
            while self.low(k) in _SEPARATORS and not self.toks[k].used and seps < 2:
                k += 1
                seps += 1
            nxt = self.number_at(k, ordinal) if seps else None
            if nxt is not None and (ordinal or self.unit_after_numbers(k)):
                items.append([nxt[0]])
                j = nxt[1]
                continue
            break
        k, postop = self.skip_fillers(j)
        unit = self.unit_at(k, True)
        if unit is None:
            return self.count_of_defined_cycles(i, j, items, ordinal)
        end = k + 1
        rel = self.modifier(i)
        if self.low(i - 1) == "first" and rel == "at" and not ordinal:
            rel = "up_to"  # "the first 5 days"
        if self.low(end) in ("intervals", "interval", "apart"):
            rel = "every"  # "at 15 minute intervals", "1-2 weeks apart"
            end += 1
        if self.low(i - 1) == "between" and len(items) == 2 and all(len(c) == 1 for c in items):
            items = [[items[0][0], items[1][0]]]  # "between 6 and 12 months": a range
        group = _Group(self.chain_points(items, unit, rel), i, end, quantity=True)
        if len(group.points) == 1:
            self.compound(group)
            self.range_with_units(group)
        self.add(group)
        before = self.postoperative_before(i)
        if postop or before is not None:
            for p in group.points:
                p.anchor = "surgery"
            group.anchored = True
            if before is not None:  # "postoperative 12th hour", "post-operative 2 years"
                self.mark(before, i)
                self.anchor_spans.append((self.toks[before].start, self.toks[i - 1].end))
        else:
            self.anchor_after(group, label=False)
        return group.end

    def postoperative_before(self, i: int) -> int | None:
        """Where "postoperative" / "post-operative" / "post operative" ends right before token i."""
        if self.low(i - 1) in ("postoperative", "postop"):
            return i - 1
        if self.low(i - 1) in ("operative", "op") and self.low(i - 2) == "post":
            return i - 2
        if self.low(i - 1) in ("operative", "op") and self.low(i - 2) == "-" and self.low(i - 3) == "post":
            return i - 3
        return None

    @staticmethod
    def chain_points(items: list[list[float]], unit: str, rel: str) -> list[_Point]:
        points: list[_Point] = []
        for chain in items:
            if len(chain) == 2:  # a range
                pair = ("every", "every") if rel == "every" else ("from", "to")
                points += [_Point(chain[0], unit, pair[0]), _Point(chain[1], unit, pair[1])]
            else:  # one number, or numbers joined by dashes as a list ("6 - 12 - 18 months")
                points += [_Point(v, unit, rel) for v in chain]
        return points

    def unit_after_numbers(self, k: int) -> bool:
        """Whether the numbers starting at k end in a unit ("3, 6 and 12 months")."""
        for _ in range(40):
            t = self.tok(k)
            if t is None or t.used:
                return False
            if t.kind == "num" and not t.ordinal:
                k += 1
            elif t.low in _SEPARATORS or t.low in ("-", "–", "to", "through", "till", "until"):
                k += 1
            else:
                return self.unit_at(self.skip_fillers(k)[0], True) is not None
        return False

    _COMPOUND = {  # (larger, smaller): (smaller units per larger, exact in the smaller unit)
        ("year", "month"): (12, True), ("week", "day"): (7, True), ("day", "hour"): (24, True),
        ("hour", "minute"): (60, True), ("month", "day"): (31, False), ("year", "week"): (52, False),
        ("month", "week"): (5, False), ("year", "day"): (366, False),
    }

    def compound(self, group: _Group) -> None:
        """"2 years 1 month", "4 years and 2 months", "2 years + 6 weeks": one duration."""
        p = group.points[0]
        if p.unit == "cycle":
            return
        k = group.end
        sep = self.low(k) if self.low(k) in (",", "and", "+") else None
        if sep:
            k += 1
        nxt = self.number_at(k)
        if nxt is None:
            return
        unit2 = self.unit_at(nxt[1], True)
        if unit2 is None or unit2 == "cycle" or self.low(nxt[1] + 1) in ("-", "–", "to") or self.is_num(nxt[1] + 1):
            return
        rule = self._COMPOUND.get((p.unit, unit2))
        if sep != "+" and (rule is None or not nxt[0] < rule[0]):
            return
        if p.unit == unit2:
            value, unit = p.value + nxt[0], unit2
        elif rule is not None and rule[1]:
            value, unit = p.value * rule[0] + nxt[0], unit2
        else:
            value, unit = p.value * DAYS_PER_UNIT[p.unit] + nxt[0] * DAYS_PER_UNIT[unit2], "day"
        group.points = [_Point(value, unit, p.relation)]
        group.end = nxt[1] + 1

    def range_with_units(self, group: _Group) -> None:
        """"6 months to 5 years", "One month to three years": a range with a unit at each end."""
        p = group.points[0]
        if p.relation not in ("at", "about") or self.low(group.end) not in ("to", "-", "–"):
            return
        nxt = self.number_at(group.end + 1)
        if nxt is None:
            return
        unit2 = self.unit_at(nxt[1], True)
        if unit2 is None or self.low(nxt[1] + 1) in ("-", "–"):
            return
        p.relation = "from"
        group.points.append(_Point(nxt[0], unit2, "to"))
        group.end = nxt[1] + 1

    def count_of_defined_cycles(self, i: int, j: int, items: list[list[float]], ordinal: bool) -> int | None:
        """"nine 21-day cycles" -> 9 cycle; "the first 28 day cycle" -> cycle 1."""
        t = self.tok(j)
        if t is None or not t.used or len(items) != 1 or t.start not in self.cycle_spans:
            return None
        rel = self.modifier(i)
        group = _Group(self.chain_points(items, "cycle", rel), i, j, quantity=True)
        return self.add(group)

    # "monthly", "annually", "twice daily", "4 times a year", "half annually"
    def rule_frequency(self, i: int) -> int | None:
        t = self.toks[i]
        low = t.low
        if low in ("times", "time") and i > 0 and self.toks[i - 1].kind == "num" and not self.toks[i - 1].used:
            k = i + 1
            if self.low(k) in ("a", "per", "each", "every", "an"):
                unit = self.unit_at(k + 1, False)
                if unit and unit != "cycle":
                    count = self.toks[i - 1].value or 0
                    if count > 0:
                        return self.add(_Group([_Point(1 / count, unit, "every")], i - 1, k + 2))
            return None
        if low in ("once", "twice") and self.low(i + 1) in ("a", "per", "each", "every"):
            unit = self.unit_at(i + 2, False)
            if unit and unit != "cycle":
                value = 1.0 if low == "once" else 0.5
                return self.add(_Group([_Point(value, unit, "every")], i, i + 3))
        start = i
        value_scale = 1.0
        if low in ("twice", "half", "semi", "bi") and self.tok(i + 1) is not None:
            nxt = self.low(i + 2) if self.low(i + 1) == "-" else self.low(i + 1)
            if nxt in _FREQUENCY_WORDS:
                if low == "bi":  # "bi-weekly": twice a week or every two weeks?
                    end = i + 3 if self.low(i + 1) == "-" else i + 2
                    self.mark(i, end)
                    self.flagged = True
                    return end
                value_scale = 0.5
                i = i + 2 if self.low(i + 1) == "-" else i + 1
                low = nxt
        if low not in _FREQUENCY_WORDS:
            return None
        prev = self.low(start - 1)
        after = self.tok(i + 1)
        if prev in _REGIMEN_CONTEXT or prev == "-" and self.low(start - 2) in _REGIMEN_CONTEXT:
            self.mark(start, i + 1)
            return i + 1
        if after is not None and after.kind == "word" and after.low not in _AFTER_FREQUENCY and not after.used:
            self.mark(start, i + 1)  # "weekly infusions": a regimen, not a time point
            return i + 1
        every, unit = _FREQUENCY_WORDS[low]
        return self.add(_Group([_Point(every * value_scale, unit, "every")], start, i + 1))

    # "each day", "every cycle", "q year", "every other week", "each 28 days course"
    def rule_every_unit(self, i: int) -> int | None:
        if self.toks[i].low not in ("each", "every", "q", "per", "all"):
            return None
        k = i + 1
        nxt = self.tok(k)
        if nxt is not None and nxt.start in self.cycle_spans and self.toks[i].low in ("each", "every"):
            end = k
            while end < len(self.toks) and self.toks[end].end <= self.cycle_spans[nxt.start]:
                end += 1
            return self.add(_Group([_Point(1, "cycle", "every")], i, end))
        value = 1.0
        if self.low(k) == "other":
            value = 2.0
            k += 1
        unit = self.unit_at(k, False)
        if unit is None or self.is_num(k + 1) or self.signed_number(k + 1, True):
            return None
        if self.toks[i].low in ("per", "all") and unit != "cycle":
            return None
        return self.add(_Group([_Point(value, unit, "every")], i, k + 1))

    # "a year", "an hour", "one cycle" (one is a number and goes through rule_quantity)
    def rule_article_unit(self, i: int) -> int | None:
        if self.toks[i].low not in ("a", "an"):
            return None
        unit = self.unit_at(i + 1, False)
        if unit is None or self.signed_number(i + 2, True):
            return None
        rel = self.modifier(i)
        group = _Group([_Point(1, unit, rel)], i, i + 2, quantity=True)
        self.add(group)
        self.anchor_after(group, label=False)
        return group.end

    # "baseline", "time zero"
    def rule_baseline(self, i: int) -> int | None:
        low = self.toks[i].low
        if low == "baseline":
            if self.low(i - 1) == "-" and self.low(i - 2) == "pre" and self.glued(i) and self.glued(i - 1):
                return None  # "pre-baseline"
            return self.add(_Group([_Point(0, "day", "baseline")], i, i + 1))
        if low == "time" and self.low(i + 1) in ("zero", "0"):
            return self.add(_Group([_Point(0, "day", "baseline")], i, i + 2))
        return None

    # -- anchors --

    def anchor_after(self, group: _Group, label: bool) -> None:
        """Attach "after surgery" / "before surgery" / "postoperatively" following a group."""
        k = group.end
        while self.in_window(k):
            k += 1  # a visit window "(± 4 days)"
        t = self.tok(k)
        if t is None:
            return
        low = t.low
        before = False
        phrase_start = None
        anchor = None
        if low in _GLUED_AFTER:
            anchor, end = _GLUED_AFTER[low], k + 1
        elif low in _GLUED_BEFORE and not label:
            anchor, end, before = _GLUED_BEFORE[low], k + 1, True
        elif low in ("post", "pre") and self.low(k + 1) == "-" and self.glued(k + 1) and self.glued(k + 2):
            before = low == "pre"
            if before and label:
                return
            word = self.low(k + 2)
            if word in _SURGERY_WORDS or word.startswith("operativ"):
                anchor, end = "surgery", k + 3
            else:
                phrase_start = k + 2
        elif low in ("post", "following", "after", "since", "postdose") or (
            low == "from" and not label
        ):
            if low == "post" and self.low(k + 1) in ("operative", "operatively", "op"):
                anchor, end = "surgery", k + 2
            else:
                phrase_start = k + 1
        elif low == "of" and self.low(k + 1) == "life":
            anchor, end = "birth", k + 2
        elif low == "of" and not label and self.low(group.start - 1) == "within":
            phrase_start = k + 1  # "within 65 days of transplant"
        elif low in _BEFORE_WORDS and not label:
            before = True
            phrase_start = k + 2 if low == "prior" and self.low(k + 1) == "to" else k + 1
            if low == "pre" and self.low(k + 1) == "-":
                phrase_start = k + 2
        if anchor is None and phrase_start is not None:
            phrase = self.anchor_phrase(phrase_start)
            if phrase is None:
                if before and not label:
                    self.flagged = True  # "6 months prior to 6 months after ...": which way is unclear
                return
            anchor, end = phrase
        if anchor is None:
            return
        for p in group.points:
            if p.anchor is None:
                p.anchor = anchor
                if before and p.value:
                    p.value = -p.value
                if before and p.relation == "up_to":
                    p.relation = "from"  # "within 6 months prior to first dose": from -6 months
        if before and len(group.points) == 2 and group.points[0].relation == "from":
            a, b = group.points
            a.value, b.value = b.value, a.value
        group.anchored = True
        self.anchor_spans.append((self.toks[k].start, self.toks[end - 1].end))
        self.mark(k, end)
        group.end = end

    def inner(self, m: int) -> bool:
        """Token m sits inside a word ("SB-773812", "LIV1A", "T-DXd")."""
        t = self.toks[m]
        if t.kind == "punct":
            return t.text in ("-", "/", "'", "’") and self.glued(m) and self.glued(m + 1)
        return self.glued(m)

    def anchor_phrase(self, m: int) -> tuple[str, int] | None:
        """The event named from token m ("the epidural anesthesia", "last dose of study drug",
        "human chorionic gonadotropin (hCG) injection") and the token after it."""
        taken: list[int] = []  # token indexes of the phrase
        count = 0
        depth = 0
        while m < len(self.toks) and count < 7:
            w = self.toks[m]
            inner = bool(taken) and self.inner(m)
            if w.used and not inner:
                break
            if w.text == "(" and taken:
                depth += 1
            elif w.text == ")" and depth:
                depth -= 1
            elif w.kind == "num" and not inner and not w.ordinal:
                # "Visit 1", "Part 2 randomization"; not "Cycle 1", nor a quantity
                prev = self.toks[taken[-1]].low if taken else ""
                if not taken or prev in _LABELS or prev in _UNIT_WORDS or self.unit_at(m + 1, True):
                    break
            elif w.kind == "punct" and not inner and not depth:
                break
            elif w.low in _ANCHOR_STOP and not depth and (taken or w.low not in ("each", "every")):
                break
            elif not taken and w.low in _LABELS and self.signed_number(m + 1, True):
                break  # "from Week 16": a time point, not an event
            taken.append(m)
            if w.kind != "punct":
                count += 1
            m += 1
        toks = self.toks
        if depth:  # an unclosed parenthesis: keep what came before it
            taken = taken[: max(k for k, i in enumerate(taken) if toks[i].text == "(")]
        while taken and (toks[taken[0]].low in _ARTICLES or toks[taken[0]].kind == "punct"):
            taken.pop(0)
        while taken:
            last = toks[taken[-1]]
            openings = [k for k, i in enumerate(taken) if toks[i].text == "("]
            if last.text == ")" and openings:  # a trailing "(M1)" is a label, not part of the event
                taken = taken[: openings[-1]]
            elif last.kind == "punct" or last.low in _TRAILING_ANCHOR_WORDS:
                taken.pop()
            else:
                break
        if not any(toks[i].kind == "word" for i in taken):
            return None
        anchor = self.text[toks[taken[0]].start:toks[taken[-1]].end]
        anchor = _ANCHOR_NAMES.get(anchor.lower(), anchor)
        return anchor, taken[-1] + 1

    def attach_run_anchors(self) -> None:
        """"6 weeks, 3 months, and 1 year postoperative": the anchor of the last
        quantity of a list holds for the whole list."""
        for idx in range(len(self.groups) - 1, 0, -1):
            g = self.groups[idx]
            if not (g.quantity and g.anchored):
                continue
            anchor = g.points[-1].anchor
            j = idx - 1
            while j >= 0:
                prev = self.groups[j]
                between = self.toks[prev.end:self.groups[j + 1].start]
                if not prev.quantity or prev.anchored or not all(t.low in _SEPARATORS for t in between):
                    break
                if len(between) == 0:
                    break
                for p in prev.points:
                    if p.anchor is None:
                        p.anchor = anchor
                        if g.points[-1].value < 0 < p.value:
                            p.value = -p.value
                prev.anchored = True
                j -= 1

    # -- result --

    def finish(self) -> _Parse:
        result = _Parse()
        points = [p for g in sorted(self.groups, key=lambda g: g.start) for p in g.points]
        result.points = points
        spans = self.anchor_spans + self.recognised
        found: list[tuple[int, str]] = list(self.events_found)
        if any(t.kind == "word" and not t.used and t.low not in _GLUE_WORDS for t in self.toks):
            masked = _mask(self.text, spans) if spans else self.text
            events: Iterable[re.Match[str]] = (
                _EVENTS_LOWER.finditer(masked.lower()) if masked.isascii() else _EVENTS.finditer(masked)
            )
        else:
            events = ()  # "Up to 12 months": every word became part of a point
        for m in events:
            name = _EVENT_NAMES[m.lastgroup]  # type: ignore[index]
            if name == "baseline":
                continue  # a point already
            if not name:  # a procedure: named by its word
                word = " ".join(masked[m.start():m.end()].split())  # as written, not lower-cased
                word = word if word.isupper() else word.lower()
                name = _PROCEDURE_NAMES.get(word, word)
            found.append((m.start(), name))
        found.sort()
        for _, name in found:
            if name not in result.events:
                result.events.append(name)
        result.fully_parsed = bool(points or result.events) and not self.unparsed_left()
        return result

    def unparsed_left(self) -> bool:
        """Whether a time expression is left that became no point."""
        if self.flagged:
            return True
        for k, t in enumerate(self.toks):
            if t.used:
                continue
            if t.kind == "word":
                if t.low in _FULL_UNIT_WORDS or t.low in _FREQUENCY_WORDS or t.low in _AMBIGUOUS_FREQUENCY:
                    return True
                if k and self.toks[k - 1].kind == "num" and not self.toks[k - 1].used and (
                    t.low in _UNIT_WORDS or t.low in _UNIT_AFTER_NUMBER or _looks_like_unit(t.low)
                ):
                    return True
            elif t.kind == "num" and not t.ordinal:
                # "every 8 also ...", "up to 4.": a number that wants a unit and has none
                prev, prev2 = self.low(k - 1), self.low(k - 2)
                after = self.tok(k + 1)
                wants_unit = prev in ("every", "q", "upto", "within", "approximately", "approx") or (
                    prev2, prev) == ("up", "to")
                if wants_unit and (after is None or after.kind == "punct" or after.low in _NO_UNIT_FOLLOWERS):
                    return True
        return False


_NO_UNIT_FOLLOWERS = frozenset({"also", "and", "or", "then", "until", "up", "to", "thereafter"})
_UNIT_STEMS = ("mon", "yea", "yer", "wee", "hou", "minu", "cycl", "dya")


def _looks_like_unit(word: str) -> bool:
    """A misspelt unit ("yeasrs", "monthes", "monhts") after a number."""
    return len(word) >= 3 and word.startswith(_UNIT_STEMS)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


# --- public API ---------------------------------------------------------------------------


def days_of(value: float, unit: str, cycle_days: float | None = None) -> float | None:
    """``value`` ``unit`` in days (CONTRACT factors); a cycle counts ``cycle_days`` (None if unknown)."""
    if unit == "cycle":
        return None if cycle_days is None else value * cycle_days
    factor = DAYS_PER_UNIT.get(unit)
    return None if factor is None else value * factor


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> tuple[tuple[tuple, ...], tuple[str, ...], bool]:
    parser = _Parser(text)
    parsed = parser.run()
    points = tuple(
        (
            _number(p.value),
            p.unit,
            days_of(p.value, p.unit, parser.cycle_days),
            p.relation,
            p.anchor,
        )
        for p in parsed.points
    )
    return points, tuple(parsed.events), parsed.fully_parsed


def parse_time_frame(text: str | None) -> TimeFrame | None:
    """Parse a registry time frame; None for a missing or blank one.

    The text is kept with its white space folded. See the module docstring
    for the points, events and ``fully_parsed``.
    """
    if text is None:
        return None
    folded = " ".join(text.split())
    if not folded:
        return None
    points, events, fully_parsed = _parse_cached(folded)
    tps = [TimePoint(v, u, d, r, a) for v, u, d, r, a in points]
    days = [p.days for p in tps if p.days is not None]
    return TimeFrame(folded, tps, max(days) if days else None, list(events), fully_parsed)
