"""The words time frames are written with: units, numbers, frequencies, relations and events."""

from __future__ import annotations

import re

from ...vocabulary import DAYS_PER_UNIT  # noqa: F401 - the time frames' unit of account

# Unit words that may stand anywhere.
UNIT_WORDS = {
    "minute": "minute", "minutes": "minute", "mins": "minute",
    "hour": "hour", "hours": "hour", "hrs": "hour", "hr": "hour",
    "day": "day", "days": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week",
    "month": "month", "months": "month", "mths": "month", "mth": "month", "mos": "month",
    "year": "year", "years": "year", "yr": "year", "yrs": "year",
    "cycle": "cycle", "cycles": "cycle", "course": "cycle", "courses": "cycle",
}
# Abbreviations that are units only right after a number ("24 h", "30d", "3 mo").
UNIT_AFTER_NUMBER = {"min": "minute", "h": "hour", "d": "day", "mo": "month", "mon": "month", "y": "year"}
# Words that may label a number: "Day 28", "Week -2", "Cycle 3", "Year 2".
LABELS = {
    "day": "day", "days": "day", "week": "week", "weeks": "week", "wk": "week",
    "month": "month", "months": "month", "year": "year", "years": "year",
    "hour": "hour", "hours": "hour", "cycle": "cycle", "cycles": "cycle",
    "course": "cycle", "courses": "cycle",
}
FULL_UNIT_WORDS = frozenset(UNIT_WORDS) - {"mos", "hr", "hrs", "wk", "wks", "yr", "yrs", "mth", "mths", "mins"}

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
TENS = frozenset({"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"})
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}

# Frequency adverbs: every <value> <unit>.
FREQUENCY_WORDS = {
    "hourly": (1, "hour"), "daily": (1, "day"), "weekly": (1, "week"), "monthly": (1, "month"),
    "yearly": (1, "year"), "annually": (1, "year"), "annual": (1, "year"), "quarterly": (3, "month"),
    "fortnightly": (2, "week"),
}
# A frequency adverb followed by one of these is an adverb of time ("monthly for
# 6 months"); followed by any other word it describes a regimen ("weekly infusions").
AFTER_FREQUENCY = frozenset({
    "for", "until", "till", "during", "thereafter", "after", "in", "while", "from", "up", "upto",
    "through", "then", "and", "or", "on", "at", "to", "throughout", "beginning", "starting", "x",
    "intervals", "interval", "visits", "assessments", "basis",
})
REGIMEN_CONTEXT = frozenset({"versus", "vs", "once", "twice"})
# Twice a week, or every two weeks? Not understood, so not a point.
AMBIGUOUS_FREQUENCY = frozenset({"biweekly", "bimonthly", "biannually", "biannual"})

# Relations a word before an expression gives it.
UP_TO_WORDS = frozenset({"upto", "within", "maximum", "max"})
# Words that bound a duration ("for 2 years", "over 12 weeks"); before a label they mean "at" ("during Week 0").
SPAN_WORDS = frozenset({"for", "over", "during", "lasting", "throughout", "x"})
RANGE_END_WORDS = frozenset({"to", "until", "till", "through", "thru"})
ABOUT_WORDS = frozenset({
    "approximately", "approx", "approximate", "about", "around", "ca", "circa", "roughly", "nearly",
    "average", "mean", "median", "estimated", "expected", "~", "≈",
})
EVERY_WORDS = frozenset({"every", "each", "q"})
FROM_WORDS = frozenset({"from", "since", "least", "minimum", "beyond", "starting", "beginning"})
FROM_PAIRS = {("more", "than"), ("greater", "than"), ("longer", "than")}
UP_TO_PAIRS = {
    ("up", "to"), ("out", "to"), ("up", "through"), ("up", "till"), ("up", "until"), ("less", "than"),
    ("no", "more"), ("not", "exceeding"),
}
# Words that start a range, so a later "to" / "through" ends it.
START_WORDS = frozenset({
    "from", "since", "between", "baseline", "randomization", "randomisation", "randomized", "screening",
    "start", "beginning", "enrollment", "enrolment", "entry", "registration", "inclusion", "consent",
    "first", "initiation", "time", "date", "day", "week", "month",
})
# Words that end the look-back for a modifier.
CLAUSE_STOP = frozenset({",", ";", "(", ")", "[", "]"})

# Fillers allowed between a number and its unit: "2 treatment cycles", "30 calendar days".
FILLERS = frozenset({
    "treatment", "study", "calendar", "full", "additional", "complete", "consecutive", "more",
    "postoperative", "post-operative", "operative", "further", "subsequent", "menstrual",
})

SEPARATORS = frozenset({",", "and", "or", "&", "/", "+"})

# Words after a quantity that name the event it counts from.
BEFORE_WORDS = frozenset({"before", "prior", "preceding", "pre"})
# Glued forms: "post-surgery", "postoperatively", "preop".
GLUED_AFTER = {
    "postoperative": "surgery", "postoperatively": "surgery", "postop": "surgery",
    "postsurgery": "surgery", "postdose": "dose", "postdosing": "dose", "postvaccination": "vaccination",
    "postinfusion": "infusion", "posttransplant": "transplant", "postpartum": "delivery",
    "posttreatment": "treatment", "postimplant": "implant", "postinjection": "injection",
}
GLUED_BEFORE = {
    "preoperative": "surgery", "preoperatively": "surgery", "preop": "surgery", "presurgery": "surgery",
    "predose": "dose", "pretreatment": "treatment", "prevaccination": "vaccination",
}
SURGERY_WORDS = frozenset({"operative", "operatively", "op", "operation", "surgery", "surgical"})
# Words that end an anchor phrase.
ANCHOR_STOP = frozenset({
    "and", "or", "up", "upto", "until", "till", "through", "thru", "to", "then", "assessed", "whichever",
    "for", "with", "in", "at", "during", "including", "inclusive", "respectively", "which", "is", "was",
    "were", "are", "will", "as", "on", "every", "each", "by", "approximately", "plus", "minus", "vs",
    "versus", "followed", "if", "but", "where", "when", "while", "within", "over",
})
ARTICLES = frozenset({"the", "a", "an"})
# Anchors named the same way whatever the wording.
ANCHOR_NAMES = {"operation": "surgery", "the operation": "surgery", "operative": "surgery", "op": "surgery",
                 "partum": "delivery", "delivery": "delivery"}
TRAILING_ANCHOR_WORDS = frozenset({"of", "the", "a", "an", "from", "to", "any", "all"})

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
EVENTS = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<e{i}>{p})" for i, (p, _) in enumerate(_EVENT_TABLE)) + r")(?!\w)",
    re.IGNORECASE,
)
# The same pattern for ASCII text, matched against the text in lower case: every letter of
# the table is lower case, and without IGNORECASE the pattern runs about twice as fast.
EVENTS_LOWER = re.compile(EVENTS.pattern)
EVENT_NAMES = {f"e{i}": name for i, (_, name) in enumerate(_EVENT_TABLE)}
# Words that name no event on their own.
GLUE_WORDS = frozenset({
    "up", "to", "at", "and", "or", "of", "the", "a", "an", "in", "on", "for", "from", "by", "after", "until",
    "till", "through", "within", "approximately", "about", "approx", "every", "each", "s", "than", "least",
    "more", "over", "during", "then", "thereafter", "weeks", "months", "years", "days", "hours",
})
PROCEDURE_NAMES = {"bronchosocpy": "bronchoscopy", "expired": "death", "doses": "dose", "dosing": "dose",
                    "implantation": "implant", "anaesthesia": "anesthesia", "instillations": "instillation"}

NO_UNIT_FOLLOWERS = frozenset({"also", "and", "or", "then", "until", "up", "to", "thereafter"})
_UNIT_STEMS = ("mon", "yea", "yer", "wee", "hou", "minu", "cycl", "dya")


def looks_like_unit(word: str) -> bool:
    """A misspelt unit ("yeasrs", "monthes", "monhts") after a number."""
    return len(word) >= 3 and word.startswith(_UNIT_STEMS)
