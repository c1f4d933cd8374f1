"""Frequencies and the short rules: "every 3 months", "twice daily", "a week", "baseline"."""

from __future__ import annotations

from .spans import Group, Point
from .vocabulary import AFTER_FREQUENCY, FREQUENCY_WORDS, REGIMEN_CONTEXT


class FrequencyRules:
    """Rules mixed into :class:`~.rules.Parser`, whose token state they read and mark."""

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
                        return self.add(Group([Point(1 / count, unit, "every")], i - 1, k + 2))
            return None
        if low in ("once", "twice") and self.low(i + 1) in ("a", "per", "each", "every"):
            unit = self.unit_at(i + 2, False)
            if unit and unit != "cycle":
                value = 1.0 if low == "once" else 0.5
                return self.add(Group([Point(value, unit, "every")], i, i + 3))
        start = i
        value_scale = 1.0
        if low in ("twice", "half", "semi", "bi") and self.tok(i + 1) is not None:
            nxt = self.low(i + 2) if self.low(i + 1) == "-" else self.low(i + 1)
            if nxt in FREQUENCY_WORDS:
                if low == "bi":  # "bi-weekly": twice a week or every two weeks?
                    end = i + 3 if self.low(i + 1) == "-" else i + 2
                    self.mark(i, end)
                    self.flagged = True
                    return end
                value_scale = 0.5
                i = i + 2 if self.low(i + 1) == "-" else i + 1
                low = nxt
        if low not in FREQUENCY_WORDS:
            return None
        prev = self.low(start - 1)
        after = self.tok(i + 1)
        if prev in REGIMEN_CONTEXT or prev == "-" and self.low(start - 2) in REGIMEN_CONTEXT:
            self.mark(start, i + 1)
            return i + 1
        if after is not None and after.kind == "word" and after.low not in AFTER_FREQUENCY and not after.used:
            self.mark(start, i + 1)  # "weekly infusions": a regimen, not a time point
            return i + 1
        every, unit = FREQUENCY_WORDS[low]
        return self.add(Group([Point(every * value_scale, unit, "every")], start, i + 1))

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
            return self.add(Group([Point(1, "cycle", "every")], i, end))
        value = 1.0
        if self.low(k) == "other":
            value = 2.0
            k += 1
        unit = self.unit_at(k, False)
        if unit is None or self.is_num(k + 1) or self.signed_number(k + 1, True):
            return None
        if self.toks[i].low in ("per", "all") and unit != "cycle":
            return None
        return self.add(Group([Point(value, unit, "every")], i, k + 1))

    # "a year", "an hour", "one cycle" (one is a number and goes through rule_quantity)
    def rule_article_unit(self, i: int) -> int | None:
        if self.toks[i].low not in ("a", "an"):
            return None
        unit = self.unit_at(i + 1, False)
        if unit is None or self.signed_number(i + 2, True):
            return None
        rel = self.modifier(i)
        group = Group([Point(1, unit, rel)], i, i + 2, quantity=True)
        self.add(group)
        self.anchor_after(group, label=False)
        return group.end

    # "baseline", "time zero"
    def rule_baseline(self, i: int) -> int | None:
        low = self.toks[i].low
        if low == "baseline":
            if self.low(i - 1) == "-" and self.low(i - 2) == "pre" and self.glued(i) and self.glued(i - 1):
                return None  # "pre-baseline"
            return self.add(Group([Point(0, "day", "baseline")], i, i + 1))
        if low == "time" and self.low(i + 1) in ("zero", "0"):
            return self.add(Group([Point(0, "day", "baseline")], i, i + 2))
        return None
