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
    the normalise step `parse_time_frames` warns about it.

Parsing runs over tokens (numbers, words, punctuation) in one pass, in time
linear in the text; results are cached by text, and every call returns fresh
model objects.
"""

from __future__ import annotations

from functools import lru_cache

from ...model import TimeFrame, TimePoint
from .rules import Parser
from .spans import number
from .vocabulary import DAYS_PER_UNIT

__all__ = ["DAYS_PER_UNIT", "days_of", "parse_time_frame"]

def days_of(value: float, unit: str, cycle_days: float | None = None) -> float | None:
    """``value`` ``unit`` in days (CONTRACT factors); a cycle counts ``cycle_days`` (None if unknown)."""
    if unit == "cycle":
        return None if cycle_days is None else value * cycle_days
    factor = DAYS_PER_UNIT.get(unit)
    return None if factor is None else value * factor


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> tuple[tuple[tuple, ...], tuple[str, ...], bool]:
    parser = Parser(text)
    parsed = parser.run()
    points = tuple(
        (
            number(p.value),
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
