"""The time-frame parser: one pass over the tokens, rule by rule (see the package docstring).

The parser is one class because every rule reads and marks the same token
state; the anchors and the result are its second half, in anchors.py.
That shared state is also why the module runs a little over 600 lines.
"""

from __future__ import annotations

from .anchors import AnchorRules
from .frequencies import FrequencyRules
from .spans import (
    BARE_NUMBER_BEFORE,
    CLOCK,
    CYCLE_LENGTH,
    DATE,
    FIXED_PHRASES,
    MAY_HOLD_DATE,
    WINDOW,
    WINDOW_NUMBER,
    Group,
    Parse,
    Point,
    Tok,
    covered,
    fmt,
    tokens,
)
from .vocabulary import (
    ABOUT_WORDS,
    CLAUSE_STOP,
    DAYS_PER_UNIT,
    EVERY_WORDS,
    FILLERS,
    FROM_PAIRS,
    FROM_WORDS,
    LABELS,
    RANGE_END_WORDS,
    SEPARATORS,
    SPAN_WORDS,
    START_WORDS,
    UNIT_AFTER_NUMBER,
    UNIT_WORDS,
    UP_TO_PAIRS,
    UP_TO_WORDS,
)


class Parser(FrequencyRules, AnchorRules):
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
        self.toks = tokens(text)
        self.in_windows = covered(len(text), self.window_spans) if self.window_spans else bytearray()
        # for each token: where its clause starts (after the last ";" or "."), and the last
        # word before it that starts a range ("from", "baseline"), -1 if none
        self.clause_start: list[int] = []
        self.start_word_at: list[int] = []
        clause, last_start = 0, -1
        for k, tok in enumerate(self.toks + [Tok("", "", len(text), len(text), "punct")]):
            self.clause_start.append(clause)
            self.start_word_at.append(last_start)
            if tok.text in (";", "."):
                clause = k + 1
            if tok.low in START_WORDS:
                last_start = k
        if self.recognised:
            inside = covered(len(text), self.recognised)
            for tok in self.toks:
                if inside[tok.start] and inside[tok.end - 1]:
                    tok.used = True
        self.groups: list[Group] = []
        self.flagged = False

    # -- spans --

    def _scan_spans(self) -> None:
        text = self.text
        low = text.lower()
        lengths: set[float] = set()
        ambiguous = False
        cycles = CYCLE_LENGTH.finditer(text) if ("cycl" in low or "cours" in low) else ()
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
        # (and "0-day cycles" give no length: a cycle of no days counts nothing)
        if len(lengths) == 1 and not ambiguous and (length := lengths.pop()) > 0:
            self.cycle_days = length
        windows = WINDOW.finditer(text) if ("±" in text or "+" in text or "minus" in low) else ()
        for m in windows:
            start = m.start()
            span = m.span()
            # "21 ± 3 days", "15±5 minutes": the unit belongs to the bare number before the window
            # (not in "day 5 +/- 1 day" or "5 March 2008 +/-3 days")
            before = text[:start] if start <= 40 else text[start - 40:start].split(" ", 1)[-1]
            if BARE_NUMBER_BEFORE.search(before):
                num = WINDOW_NUMBER.match(text, start)
                if num:
                    span = num.span()
            self.recognised.append(span)
            self.window_spans.append(span)
        phrases = FIXED_PHRASES.finditer(text) if ("day" in low or "course" in low) else ()
        for m in phrases:
            self.recognised.append(m.span())
            if m.lastgroup == "next":
                self.events_found.append((m.start(), "next day"))
        if not MAY_HOLD_DATE.search(text):
            return
        taken = covered(len(text), self.recognised)
        for rx in (DATE, CLOCK):
            for m in rx.finditer(text):
                if taken[m.start()]:
                    continue
                self.recognised.append(m.span())
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
                self.events_found.append((m.start(), " ".join(m.group(0).split())))

    # -- helpers --

    def tok(self, i: int) -> Tok | None:
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
        unit = UNIT_WORDS.get(t.low)
        if unit is None and after_number:
            unit = UNIT_AFTER_NUMBER.get(t.low)
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
            if spaced_before and (label or prev is None or prev.text in "([,;&" or prev.low in SEPARATORS):
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
            if t.text in CLAUSE_STOP or (t.kind == "num" and t.used):
                break
            words.append(t.low)
            k -= 1
        words.reverse()
        found: list[str] = []
        for j, w in enumerate(words):
            pair = (words[j - 1], w) if j else ("", w)
            if pair in UP_TO_PAIRS or w in UP_TO_WORDS or (w == "before" and j == len(words) - 1):
                found.append("up_to!")  # a stated bound: "up to approximately 4 years" stays up_to
            elif w in SPAN_WORDS:
                found.append("at" if label else "up_to")
            elif pair in FROM_PAIRS or w in FROM_WORDS or w == "between":
                found.append("from")
            elif w == "and" and ("between" in words[:j] or (words == ["and"] and self.between_open(start))):
                found.append("to")  # "between 0 hours and 216 hours", "between the first infusion and 30 days after"
            elif w in RANGE_END_WORDS:
                if j and words[j - 1] in ("prior", "due", "equal", "compared", "according", "related"):
                    continue
                if j + 1 < len(words) and words[j + 1] in ("be", "have"):
                    continue  # "estimated to be 5 months"
                found.append("to" if self.has_start(start) else "up_to")
            elif w in ABOUT_WORDS:
                found.append("about")
            elif w in EVERY_WORDS:
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

    def run(self) -> Parse:
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

    def add(self, group: Group) -> int:
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
        points = [Point(cycle, "cycle", rel), Point(day, "day", rel, f"cycle {fmt(cycle)}")]
        return self.add(Group(points, i, i + 4))

    # "Day 28", "Weeks 1, 4 and 12", "Days 1-14", "Day 1 through Day 10", "Cycle 1 Day 1"
    def rule_label(self, i: int) -> int | None:
        t = self.toks[i]
        unit = LABELS.get(t.low)
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
                if LABELS.get(self.low(k2)) == unit:
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
            while self.low(k) in SEPARATORS and not self.toks[k].used and seps < 2:
                if self.low(k) == "/":
                    break
                k += 1
                seps += 1
            if seps:
                if LABELS.get(self.low(k)) == unit:
                    k += 1
                nxt = self.signed_number(k, True)
                if nxt is not None and not self.unit_at(nxt[1], True):
                    values.append((nxt[0], None))
                    j = nxt[1]
                    continue
            break
        points: list[Point] = []
        inherited = rel
        for v, r in values:
            if r == "to+":
                r = inherited = "to"
            points.append(Point(v, unit, r or inherited))
        group = Group(points, i, j)
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

    def days_of_cycle(self, group: Group, cycle: float) -> int | None:
        """"Cycle 1 Day 1", "Cycle 2, Days 8 and 15": days counted from that cycle."""
        k = group.end + 1 if self.low(group.end) == "," else group.end
        if LABELS.get(self.low(k)) != "day" or not self.signed_number(k + 1, True):
            return None
        before = len(self.groups)
        end = self.rule_label(k)
        if end is None or len(self.groups) == before:
            return None
        for p in self.groups[-1].points:
            p.anchor = p.anchor or f"cycle {fmt(cycle)}"
        return end

    def day_of_cycles(self, group: Group) -> int | None:
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
            if LABELS.get(self.low(m)) == "cycle" and not self.signed_number(m + 1, True):
                for p in group.points:
                    p.anchor = "each cycle"
                self.mark(j, m + 1)
                group.end = m + 1
                return group.end
        if LABELS.get(self.low(k)) == "cycle" and self.signed_number(k + 1, True):
            before = len(self.groups)
            label_end = self.rule_label(k)
            if label_end is not None and len(self.groups) > before:
                cycles = [p for p in self.groups[-1].points if p.unit == "cycle"]
                days = list(group.points)
                group.points = [
                    Point(d.value, "day", d.relation, f"cycle {fmt(c.value)}") for c in cycles for d in days
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
            elif low in FILLERS:
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
                if self.low(j + 1) in SEPARATORS or self.unit_at(j + 1, True):  # "1- and 3- month", "5-year"
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
            while self.low(k) in SEPARATORS and not self.toks[k].used and seps < 2:
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
        group = Group(self.chain_points(items, unit, rel), i, end, quantity=True)
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
    def chain_points(items: list[list[float]], unit: str, rel: str) -> list[Point]:
        points: list[Point] = []
        for chain in items:
            if len(chain) == 2:  # a range
                pair = ("every", "every") if rel == "every" else ("from", "to")
                points += [Point(chain[0], unit, pair[0]), Point(chain[1], unit, pair[1])]
            else:  # one number, or numbers joined by dashes as a list ("6 - 12 - 18 months")
                points += [Point(v, unit, rel) for v in chain]
        return points

    def unit_after_numbers(self, k: int) -> bool:
        """Whether the numbers starting at k end in a unit ("3, 6 and 12 months")."""
        for _ in range(40):
            t = self.tok(k)
            if t is None or t.used:
                return False
            if t.kind == "num" and not t.ordinal:
                k += 1
            elif t.low in SEPARATORS or t.low in ("-", "–", "to", "through", "till", "until"):
                k += 1
            else:
                return self.unit_at(self.skip_fillers(k)[0], True) is not None
        return False

    _COMPOUND = {  # (larger, smaller): (smaller units per larger, exact in the smaller unit)
        ("year", "month"): (12, True), ("week", "day"): (7, True), ("day", "hour"): (24, True),
        ("hour", "minute"): (60, True), ("month", "day"): (31, False), ("year", "week"): (52, False),
        ("month", "week"): (5, False), ("year", "day"): (366, False),
    }

    def compound(self, group: Group) -> None:
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
        group.points = [Point(value, unit, p.relation)]
        group.end = nxt[1] + 1

    def range_with_units(self, group: Group) -> None:
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
        group.points.append(Point(nxt[0], unit2, "to"))
        group.end = nxt[1] + 1

    def count_of_defined_cycles(self, i: int, j: int, items: list[list[float]], ordinal: bool) -> int | None:
        """"nine 21-day cycles" -> 9 cycle; "the first 28 day cycle" -> cycle 1."""
        t = self.tok(j)
        if t is None or not t.used or len(items) != 1 or t.start not in self.cycle_spans:
            return None
        rel = self.modifier(i)
        group = Group(self.chain_points(items, "cycle", rel), i, j, quantity=True)
        return self.add(group)

    # "monthly", "annually", "twice daily", "4 times a year", "half annually"
