"""A record rendered in the flattened-text layout (``../shared/FORMAT.md``), as curators receive entries.

:func:`render_entry` writes the fields the layout holds, in its order: the
summary, a ``Name:`` line per intervention, each outcome as ``Description:``
then ``Measure: m. Time: t`` with the next label glued to the time frame
(rule 2), ``Allocation:``, the intervention-model line, the variant-count
line, and the criteria (the source's own block where the record has one,
its lines' indentation kept, else one line per item with its number). The
benchmarks render the registry corpus with it; reading an entry it wrote
gives back every field it wrote (but a value that itself starts like a
label, which the layout cannot tell from one).
"""

from __future__ import annotations

import textwrap

from ...model import Record
from .layout import line_kind

_COUNT_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def render_entry(record: Record) -> str:
    """The flattened entry of ``record`` (LF line ends, no final newline)."""
    lines: list[str] = _value_lines(record.summary)
    names = [i.name for i in record.interventions if i.name]
    lines += [f"Name: {name}" for name in names]
    glued = ""  # the line ending in a time frame, to which the next label is glued (rule 2)
    for outcome in record.outcomes:
        if outcome.description:
            first, *more = _value_lines(outcome.description) or [""]
            lines.append(f"{glued}Description: {first}")
            lines.extend(more)
            glued = ""
        time = outcome.time_frame.text if outcome.time_frame else ""
        glued += f"Measure: {outcome.measure}. Time: {time}"
    allocation = record.design.allocation
    lines.append(f"{glued}Allocation: {allocation.text}" if allocation else glued)
    if record.design.intervention_model:
        lines.append(record.design.intervention_model.text)
    count = record.declared_variant_count or 0
    lines.append(f"There is {_COUNT_WORDS[count]} SNP" if count <= 1 else
                 f"There are {_COUNT_WORDS.get(count, str(count))} SNPs")
    lines.extend(_criteria_lines(record))
    return "\n".join(line for line in lines if line)


def _value_lines(text: str | None) -> list[str]:
    """A value as its line (canonical text is one line). A value that itself starts like a
    field of the layout ("Name: ...") is read back as that field: the layout cannot say otherwise."""
    return [text] if text else []


def _criteria_lines(record: Record) -> list[str]:
    blocks = [b for b in record.eligibility.criteria_blocks if b.markup == "plain"]
    if blocks:
        out: list[str] = []
        for block in blocks:
            raw = textwrap.dedent(block.text.replace("\r\n", "\n").replace("\r", "\n"))
            for line in raw.splitlines():
                line = line.rstrip()
                if not line.strip():
                    continue
                kind = line_kind(line)
                if out and kind is not None and kind.lastgroup != "heading":
                    out[-1] += " " + line.strip()  # it would start another field: it continues the line above
                else:
                    out.append(line)
        return out
    return [f"{c.number}. {c.text}" if c.number else c.text for c in record.eligibility.criteria]
