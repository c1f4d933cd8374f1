"""Outcome enrichment from the measure text: abbreviation and assessors.

PROVISIONAL minimal version (foundation); issue 5 replaces it.
"""

from __future__ import annotations

from ..model import Outcome


def enrich_outcome(outcome: Outcome) -> None:
    """Fill ``abbreviation`` and ``assessors`` from the measure where it states them."""
    return None
