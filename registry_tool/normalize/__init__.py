"""Normalisers shared by every importer: time frames, codes, criteria, variants.

Importers fill the raw fields and call :func:`enrich_record` last, so a record
from text, registry XML or API v2 JSON is normalised the same way.
"""

from __future__ import annotations

from ..model import Record
from .outcomes import enrich_outcome


def enrich_record(record: Record) -> Record:
    """Derive what every record gets whatever its input: outcome enrichment,
    warnings for time frames that did not fully parse, variants found in text."""
    for i, outcome in enumerate(record.outcomes):
        enrich_outcome(outcome)
        tf = outcome.time_frame
        if tf is not None and not tf.fully_parsed:
            record.warn(
                "time-frame-unparsed" if not tf.points else "time-frame-partial",
                f"time frame {tf.text!r} was not fully understood; "
                + ("no time points were taken from it" if not tf.points else "some of it gave no time point"),
                f"outcomes[{i}].time_frame",
            )
    return record
