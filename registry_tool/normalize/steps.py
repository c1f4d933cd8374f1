"""The steps of the normalise stack: each takes a record, derives what it can, and returns it.

A step derives values only where the record does not hold them yet (a raw
record from a reader holds none), so a value a curator corrected, or one a
registry-tool XML note carried back, is kept; running a step twice adds
nothing.
"""

from __future__ import annotations

from ..model import Record, Variant
from .criteria import criteria_from_block
from .outcomes import enrich_outcome
from .phases import phases_in_prose
from .timeframe import parse_time_frame
from .variants import (
    find_mentions,
    find_variants,
    genes_in,
    may_name_variants,
    variant_from_mark,
    variant_key,
)


def split_criteria_blocks(record: Record) -> Record:
    """Items from the criteria blocks as the source wrote them, where the record has no items yet."""
    eligibility = record.eligibility
    if eligibility.criteria or not eligibility.criteria_blocks:
        return record
    for block in eligibility.criteria_blocks:
        offset = len(eligibility.criteria)
        for criterion in criteria_from_block(block):
            if criterion.parent is not None:
                criterion.parent += offset
            eligibility.criteria.append(criterion)
    return record


def describe_marks(record: Record) -> Record:
    """What each ``--- X ---`` mark of flattened text names: kind, HGVS and gene
    (``T315I`` -> protein_change p.Thr315Ile), for marks not described yet, each checked
    against the variants its criterion writes:

    * the mark names one of them: nothing to say;
    * it is one character away from one (``T3151`` or ``T790N`` where the criterion writes
      ``T315I`` or ``T790M``): the variant is the criterion's spelling, with a
      ``mark-mismatch`` warning naming both;
    * the criterion writes variants and the mark names none of them: the mark is kept,
      with ``mark-not-in-criterion``;
    * the mark is no recognisable variant (kind ``other``): ``mark-unrecognised``.

    A criterion that writes no variant at all is not a disagreement: a mark may be the
    criterion's only mention of its variant (FORMAT rule 7).
    """
    warned = _Once(record)
    criteria = record.eligibility.criteria
    for i, variant in enumerate(record.variants):
        if not (variant.marked and variant.kind == "other" and variant.hgvs is None):
            continue
        described = variant_from_mark(variant.text, variant.criterion)
        written = (find_variants(criteria[variant.criterion].text)
                   if variant.criterion is not None and variant.criterion < len(criteria) else [])
        key = variant_key(described)
        where = f"eligibility.criteria[{variant.criterion}]"
        span = record.spans.get(f"variants[{i}]")
        line = span[2] if span else None  # the mark's line in a text entry
        if written and not any(variant_key(w) == key for w in written):
            near = next((w for w in written if one_character_apart(w.text, variant.text)), None)
            if near is not None:
                warned.warn("mark-mismatch", f"the mark {variant.text!r} differs by one character from "
                            f"{near.text!r} in {where}; taken as {near.text!r}, the criterion's spelling",
                            f"variants[{i}]", line)
                described = Variant(near.text, near.kind, near.hgvs, near.gene, True, variant.criterion)
            elif described.kind != "other":
                warned.warn("mark-not-in-criterion", f"the mark {variant.text!r} names none of the variants "
                            f"{where} writes ({', '.join(w.text for w in written)}); the mark kept",
                            f"variants[{i}]", line)
        if described.kind == "other":
            warned.warn("mark-unrecognised", f"the mark {variant.text!r} is not a variant we recognise "
                        "(a protein change, fusion, exon deletion or insertion, rs id or c. change); "
                        "kept as kind other", f"variants[{i}]", line)
        record.variants[i] = described
    return record


def one_character_apart(a: str, b: str) -> bool:
    """Whether two variant spellings differ by exactly one character (changed, added or dropped)."""
    a, b = a.upper(), b.upper()
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:k] + long[k + 1:] == short for k in range(len(long)))


def phases_from_summary(record: Record) -> Record:
    """Phases the summary states ("a Phase II, single-arm trial"), for an entry that has no phase field.

    Only flattened text lacks one; registry records state their phases (or
    that none applies) in a field of their own, so this step leaves them alone.
    """
    if record.phases or record.source.format != "text":
        return record
    phases, phrases = phases_in_prose(record.summary)
    if phases:
        record.phases = phases
        record.warn(
            "phases-from-summary",
            f"phases {', '.join(phases)} derived from the summary ({'; '.join(repr(p) for p in phrases)}); "
            "the entry has no phase field",
            "phases",
        )
    return record


def parse_time_frames(record: Record) -> Record:
    """Points, horizon and events of each outcome's time frame not parsed yet; a warning for each
    time frame not fully understood (``time-frame-unparsed``: no point at all; ``time-frame-partial``)."""
    warned = _Once(record)
    for i, outcome in enumerate(record.outcomes):
        tf = outcome.time_frame
        if tf is None:
            continue
        if not (tf.points or tf.events or tf.fully_parsed):
            parsed = parse_time_frame(tf.text)
            if parsed is None:  # blank: no time frame
                outcome.time_frame = None
                continue
            outcome.time_frame = tf = parsed
        if not tf.fully_parsed:
            warned.warn(
                "time-frame-unparsed" if not tf.points else "time-frame-partial",
                f"time frame {tf.text!r} was not fully understood; "
                + ("no time points were taken from it" if not tf.points else "some of it gave no time point"),
                f"outcomes[{i}].time_frame",
            )
    return record


def enrich_outcomes(record: Record) -> Record:
    """Each outcome's ``abbreviation`` and ``assessors``, from its measure."""
    for outcome in record.outcomes:
        enrich_outcome(outcome)
    return record


def add_found_variants(record: Record) -> Record:
    """The variants the criteria, the summary and the outcome measures and descriptions name.

    Each gets ``found_in`` (``eligibility.criteria[3].text``, ``summary``,
    ``outcomes[2].measure``) and, for criteria, ``criterion``. A variant a
    criterion's ``--- X ---`` mark already names is that one mention (the
    marked variant gets the gene the criterion names), not a second; a typo
    candidate ("T3151" beside "T315I") is added with ``candidate=True`` and a
    ``variant-candidate`` warning. A mention the record already holds is not
    added again.
    """
    texts = _variant_texts(record)
    # the variants already named (the marks, mostly), each once: what a typo is checked against
    context = list({variant_key(v): v for v in record.variants}.values())
    if not context and not may_name_variants("\n".join(text for _, text, _ in texts if text)):
        return record  # most records name no variant: one quick look at all their text
    present = {(v.found_in, variant_key(v)) for v in record.variants if not v.marked}
    marks_of: dict[int, list[Variant]] = {}
    for v in record.variants:
        if v.marked and v.criterion is not None:
            marks_of.setdefault(v.criterion, []).append(v)
    warned = _Once(record)
    for path, text, criterion in texts:
        if not text:
            continue
        marks = marks_of.get(criterion, []) if criterion is not None else []
        mentions = find_mentions(text, context)
        for mention in mentions:
            found = mention.variant
            key = variant_key(found)
            mark = next((v for v in marks if variant_key(v) == key), None)
            if mark is not None:  # "T315I mutation" beside "--- T315I ---": the marked mention
                mark.gene = mark.gene or found.gene
                continue
            if found.kind == "fusion" and any(v.kind != "fusion" and found.text in v.text for v in marks):
                continue  # "BCR-ABL1 T315I": the fusion names the gene of the marked change
            if (path, key) in present:
                continue
            present.add((path, key))
            record.variants.append(
                Variant(found.text, found.kind, found.hgvs, found.gene, False, criterion, path, found.candidate,
                        found.genes, found.name, found.mention)
            )
            if found.candidate:
                warned.warn(
                    "variant-candidate",
                    f"{found.text!r} in {path} looks like a typo of {found.hgvs}; reported as a candidate",
                    path,
                )
        for mark in marks:
            if mark.gene is None:
                genes = {m.variant.gene for m in mentions if m.variant.gene} | {g for _, _, g in genes_in(text)}
                if len(genes) == 1:  # the criterion names one gene: the mark's
                    mark.gene = genes.pop()
    return record


def check_variant_count(record: Record) -> Record:
    """A warning where the entry's declared variant count ("There is one SNP") differs from its marks."""
    declared = record.declared_variant_count
    if declared is None:
        return record
    marked = sum(1 for v in record.variants if v.marked)
    if declared != marked:
        _Once(record).warn(
            "variant-count-mismatch",
            f"the entry declares {declared} variant(s) but {marked} marked variant(s) were found",
            "declared_variant_count",
        )
    return record


class _Once:
    """A record's warnings given once each: a step run again adds none it gave before."""

    def __init__(self, record: Record):
        self.record = record
        self.given = {(w.code, w.message, w.field) for w in record.warnings}

    def warn(self, code: str, message: str, field: str | None, line: int | None = None) -> None:
        if (code, message, field) not in self.given:
            self.given.add((code, message, field))
            self.record.warn(code, message, field, line)


def _variant_texts(record: Record) -> list[tuple[str, str | None, int | None]]:
    """(JSON path, text, criterion index) of every text variants are looked for in."""
    texts: list[tuple[str, str | None, int | None]] = [
        (f"eligibility.criteria[{i}].text", c.text, i) for i, c in enumerate(record.eligibility.criteria)
    ]
    texts.append(("summary", record.summary, None))
    for i, outcome in enumerate(record.outcomes):
        texts.append((f"outcomes[{i}].measure", outcome.measure, None))
        texts.append((f"outcomes[{i}].description", outcome.description, None))
    return texts


def place_warnings(record: Record) -> Record:
    """The input line of each warning that names a field but no line, from the field's source span
    (flattened text keeps one per field): ``outcomes[0].time_frame`` is on the line its time frame
    was read from. A field with no span of its own takes its nearest enclosing one
    (``outcomes[0].time_frame.points`` -> ``outcomes[0].time_frame``)."""
    spans = record.spans
    if not spans:
        return record
    for warning in record.warnings:
        if warning.line is not None or not warning.field:
            continue
        field = warning.field
        while field:
            span = spans.get(field)
            if span is not None:
                warning.line = span[2]
                break
            cut = max(field.rfind("."), field.rfind("["))
            field = field[:cut] if cut > 0 else ""
    return record
