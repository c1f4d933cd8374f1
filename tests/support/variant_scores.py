"""The variant finder's labelled sentences for the tests: the golden set and the hand-labelled
corpus criteria (``tests/fixtures/variants/corpus_labels.json``: file, criterion index, a digest
of the criterion's text and its variants; the text stays in the shared corpus). The scoring is
:mod:`registry_tool.normalize.variant_scores`."""

from __future__ import annotations

import json
from typing import Any

from registry_tool.normalize.variant_scores import Scores, labelled_criteria, score
from tests.support import FIXTURES, normalize_corpus

__all__ = ["LABELS", "Scores", "corpus_cases", "golden_cases", "score"]

LABELS = FIXTURES / "variants" / "corpus_labels.json"


def golden_cases() -> list[tuple[str, list[dict[str, Any]]]]:
    """(text, variants) of the golden sentences."""
    golden = json.loads((FIXTURES / "variants" / "golden.json").read_text("utf-8"))
    return [(c["text"], c["variants"]) for c in golden]


def corpus_cases() -> list[tuple[str, list[dict[str, Any]]]]:
    """(criterion text, labelled variants) of the hand-labelled corpus criteria ([] without the corpus)."""
    labels = json.loads(LABELS.read_text("utf-8"))["criteria"]
    return labelled_criteria(labels, normalize_corpus.criteria_blocks())
