"""Time frames: the text as written, its points in days, and the horizon.

PROVISIONAL minimal version (foundation); issue 5 replaces it.
"""

from __future__ import annotations

import re

from ..model import TimeFrame, TimePoint

DAYS_PER_UNIT = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}

_UNIT = {
    "minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour",
    "day": "day", "days": "day", "d": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week",
    "month": "month", "months": "month", "mo": "month", "mos": "month",
    "year": "year", "years": "year", "yr": "year", "yrs": "year",
}
_SIMPLE = re.compile(r"^(?:(up to)\s+)?(\d+(?:\.\d+)?)\s*([a-z]+)$", re.IGNORECASE)


def days_of(value: float, unit: str) -> float | None:
    """``value`` ``unit`` in days (CONTRACT factors); None for a cycle."""
    factor = DAYS_PER_UNIT.get(unit)
    return None if factor is None else value * factor


def parse_time_frame(text: str | None) -> TimeFrame | None:
    """Parse a time frame; None for a missing or blank one."""
    if text is None or not text.strip():
        return None
    text = " ".join(text.split())
    m = _SIMPLE.match(text)
    if not m or m.group(3).lower() not in _UNIT:
        return TimeFrame(text)
    value = float(m.group(2))
    value = int(value) if value.is_integer() else value
    unit = _UNIT[m.group(3).lower()]
    point = TimePoint(value, unit, days_of(value, unit), "up_to" if m.group(1) else "at")
    return TimeFrame(text, [point], point.days, [], True)
