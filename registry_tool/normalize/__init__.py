"""Normalisers shared by every importer: time frames, codes, criteria, variants, outcomes.

Importers fill the raw fields and call :func:`enrich_record` last, so a record
from text, registry XML or API v2 JSON is normalised the same way.
"""

from __future__ import annotations

from ..model import Record, Variant
from .outcomes import enrich_outcome
from .variants import find_mentions, genes_in, may_name_variants, variant_key

__all__ = ["enrich_record"]


def enrich_record(record: Record) -> Record:
    """Derive what every record gets whatever its input, in place; returns the record.

    * each outcome's ``abbreviation`` and ``assessors`` (from its measure);
    * a warning for each time frame not fully parsed: ``time-frame-unparsed``
      (no point at all) or ``time-frame-partial`` (some of it gave none),
      field ``outcomes[i].time_frame``;
    * the variants the criteria, the summary and the outcome measures and
      descriptions name, each with ``found_in`` (``eligibility.criteria[3].text``,
      ``summary``, ``outcomes[2].measure``) and, for criteria, ``criterion``.
      A variant a criterion's ``--- X ---`` mark already names is that one
      mention (the marked variant gets the gene the criterion names), not a
      second; a typo candidate ("T3151" beside "T315I") is added with
      ``candidate=True`` and a ``variant-candidate`` warning.

    Running it again adds nothing new (no variant or warning twice).
    """
    for i, outcome in enumerate(record.outcomes):
        enrich_outcome(outcome)
        tf = outcome.time_frame
        if tf is not None and not tf.fully_parsed:
            _warn_once(
                record,
                "time-frame-unparsed" if not tf.points else "time-frame-partial",
                f"time frame {tf.text!r} was not fully understood; "
                + ("no time points were taken from it" if not tf.points else "some of it gave no time point"),
                f"outcomes[{i}].time_frame",
            )
    _add_found_variants(record)
    return record


def _warn_once(record: Record, code: str, message: str, field: str | None) -> None:
    if not any(w.code == code and w.message == message and w.field == field for w in record.warnings):
        record.warn(code, message, field)


def _texts(record: Record) -> list[tuple[str, str | None, int | None]]:
    """(JSON path, text, criterion index) of every text variants are looked for in."""
    texts: list[tuple[str, str | None, int | None]] = [
        (f"eligibility.criteria[{i}].text", c.text, i) for i, c in enumerate(record.eligibility.criteria)
    ]
    texts.append(("summary", record.summary, None))
    for i, outcome in enumerate(record.outcomes):
        texts.append((f"outcomes[{i}].measure", outcome.measure, None))
        texts.append((f"outcomes[{i}].description", outcome.description, None))
    return texts


def _add_found_variants(record: Record) -> None:
    texts = _texts(record)
    context = list(record.variants)
    if not context and not may_name_variants("\n".join(text for _, text, _ in texts if text)):
        return  # most records name no variant: one quick look at all their text
    present = {(v.found_in, variant_key(v)) for v in record.variants if not v.marked}
    for path, text, criterion in texts:
        if not text:
            continue
        marks = [v for v in record.variants if v.marked and criterion is not None and v.criterion == criterion]
        mentions = find_mentions(text, context)
        for mention in mentions:
            found = mention.variant
            key = variant_key(found)
            mark = next((v for v in marks if variant_key(v) == key), None)
            if mark is not None:  # "T315I mutation" beside "--- T315I ---": the marked mention
                mark.gene = mark.gene or found.gene
                continue
            if found.kind == "fusion" and any(v.gene == found.text for v in marks):
                continue  # "BCR-ABL1 T315I": the fusion names the gene of the marked change
            if (path, key) in present:
                continue
            present.add((path, key))
            record.variants.append(
                Variant(
                    text=found.text,
                    kind=found.kind,
                    hgvs=found.hgvs,
                    gene=found.gene,
                    marked=False,
                    criterion=criterion,
                    found_in=path,
                    candidate=found.candidate,
                )
            )
            if found.candidate:
                _warn_once(
                    record,
                    "variant-candidate",
                    f"{found.text!r} in {path} looks like a typo of {found.hgvs}; reported as a candidate",
                    path,
                )
        for mark in marks:
            if mark.gene is None:
                genes = {m.variant.gene for m in mentions if m.variant.gene} | {g for _, _, g in genes_in(text)}
                if len(genes) == 1:  # the criterion names one gene: the mark's
                    mark.gene = genes.pop()

