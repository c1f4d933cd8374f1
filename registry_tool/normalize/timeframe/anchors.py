"""The parser's second half: the events a point counts from ("12 months after surgery") and the result."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .spans import (  # noqa: F401
    Group,
    Parse,
    mask,
    number,
)
from .vocabulary import (  # noqa: F401
    AMBIGUOUS_FREQUENCY,
    ANCHOR_NAMES,
    ANCHOR_STOP,
    ARTICLES,
    BEFORE_WORDS,
    EVENT_NAMES,
    EVENTS,
    EVENTS_LOWER,
    FREQUENCY_WORDS,
    FULL_UNIT_WORDS,
    GLUE_WORDS,
    GLUED_AFTER,
    GLUED_BEFORE,
    LABELS,
    NO_UNIT_FOLLOWERS,
    PROCEDURE_NAMES,
    SEPARATORS,
    SURGERY_WORDS,
    TRAILING_ANCHOR_WORDS,
    UNIT_AFTER_NUMBER,
    UNIT_WORDS,
    looks_like_unit,
)


class AnchorRules:
    """Anchors, events and the finished parse; mixed into :class:`~.rules.Parser`, whose state they read."""

    def anchor_after(self, group: Group, label: bool) -> None:
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
        if low in GLUED_AFTER:
            anchor, end = GLUED_AFTER[low], k + 1
        elif low in GLUED_BEFORE and not label:
            anchor, end, before = GLUED_BEFORE[low], k + 1, True
        elif low in ("post", "pre") and self.low(k + 1) == "-" and self.glued(k + 1) and self.glued(k + 2):
            before = low == "pre"
            if before and label:
                return
            word = self.low(k + 2)
            if word in SURGERY_WORDS or word.startswith("operativ"):
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
        elif low in BEFORE_WORDS and not label:
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
                if not taken or prev in LABELS or prev in UNIT_WORDS or self.unit_at(m + 1, True):
                    break
            elif w.kind == "punct" and not inner and not depth:
                break
            elif w.low in ANCHOR_STOP and not depth and (taken or w.low not in ("each", "every")):
                break
            elif not taken and w.low in LABELS and self.signed_number(m + 1, True):
                break  # "from Week 16": a time point, not an event
            taken.append(m)
            if w.kind != "punct":
                count += 1
            m += 1
        toks = self.toks
        if depth:  # an unclosed parenthesis: keep what came before it
            taken = taken[: max(k for k, i in enumerate(taken) if toks[i].text == "(")]
        while taken and (toks[taken[0]].low in ARTICLES or toks[taken[0]].kind == "punct"):
            taken.pop(0)
        while taken:
            last = toks[taken[-1]]
            openings = [k for k, i in enumerate(taken) if toks[i].text == "("]
            if last.text == ")" and openings:  # a trailing "(M1)" is a label, not part of the event
                taken = taken[: openings[-1]]
            elif last.kind == "punct" or last.low in TRAILING_ANCHOR_WORDS:
                taken.pop()
            else:
                break
        if not any(toks[i].kind == "word" for i in taken):
            return None
        anchor = self.text[toks[taken[0]].start:toks[taken[-1]].end]
        anchor = ANCHOR_NAMES.get(anchor.lower(), anchor)
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
                if not prev.quantity or prev.anchored or not all(t.low in SEPARATORS for t in between):
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

    def finish(self) -> Parse:
        result = Parse()
        points = [p for g in sorted(self.groups, key=lambda g: g.start) for p in g.points]
        result.points = points
        spans = self.anchor_spans + self.recognised
        found: list[tuple[int, str]] = list(self.events_found)
        if any(t.kind == "word" and not t.used and t.low not in GLUE_WORDS for t in self.toks):
            masked = mask(self.text, spans) if spans else self.text
            events: Iterable[re.Match[str]] = (
                EVENTS_LOWER.finditer(masked.lower()) if masked.isascii() else EVENTS.finditer(masked)
            )
        else:
            events = ()  # "Up to 12 months": every word became part of a point
        for m in events:
            name = EVENT_NAMES[m.lastgroup]  # type: ignore[index]
            if name == "baseline":
                continue  # a point already
            if not name:  # a procedure: named by its word
                word = " ".join(masked[m.start():m.end()].split())  # as written, not lower-cased
                word = word if word.isupper() else word.lower()
                name = PROCEDURE_NAMES.get(word, word)
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
                if t.low in FULL_UNIT_WORDS or t.low in FREQUENCY_WORDS or t.low in AMBIGUOUS_FREQUENCY:
                    return True
                if k and self.toks[k - 1].kind == "num" and not self.toks[k - 1].used and (
                    t.low in UNIT_WORDS or t.low in UNIT_AFTER_NUMBER or looks_like_unit(t.low)
                ):
                    return True
            elif t.kind == "num" and not t.ordinal:
                # "every 8 also ...", "up to 4.": a number that wants a unit and has none
                prev, prev2 = self.low(k - 1), self.low(k - 2)
                after = self.tok(k + 1)
                wants_unit = prev in ("every", "q", "upto", "within", "approximately", "approx") or (
                    prev2, prev) == ("up", "to")
                if wants_unit and (after is None or after.kind == "punct" or after.low in NO_UNIT_FOLLOWERS):
                    return True
        return False
