"""The normalise stack: one ordered list of steps every record passes through once.

Readers give raw records (the source's values, nothing derived);
:func:`normalize` runs the steps over each, so a record from flattened text,
registry XML or API v2 JSON is normalised the same way, in one place::

    record = normalize(raw)                                   # the default stack
    record = normalize(raw, [*STACK, my_step])                # a caller's own stack

Each step is a function ``Record -> Record`` (:mod:`registry_tool.normalize.steps`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..model import Record
from .steps import (
    add_found_variants,
    check_variant_count,
    describe_marks,
    enrich_outcomes,
    parse_time_frames,
    phases_from_summary,
    place_warnings,
    split_criteria_blocks,
)

Step = Callable[[Record], Record]

STACK: tuple[Step, ...] = (
    split_criteria_blocks,  # criteria items from the blocks as written
    describe_marks,  # what each --- X --- mark of flattened text names
    phases_from_summary,  # "a Phase II trial" in an entry with no phase field
    parse_time_frames,  # time points, horizon and events
    enrich_outcomes,  # abbreviation and assessors of each measure
    add_found_variants,  # gene variants named in criteria, summary and outcomes
    check_variant_count,  # the declared variant count against the marks
    place_warnings,  # the input line of each warning, from its field's source span
)
"""The default stack, in order: each step may use what the ones before it derived."""

__all__ = ["STACK", "Step", "normalize"]


def normalize(record: Record, steps: Sequence[Step] | None = None) -> Record:
    """Run ``steps`` (the default :data:`STACK`) over ``record``, in order; returns the record."""
    for step in STACK if steps is None else steps:
        record = step(record)
    return record
