"""Precision and recall of a variant finder on labelled sentences (the tests' golden set and the
hand-labelled corpus criteria of ``tests/fixtures/variants/``; the benchmark prints them).

A variant found matches a labelled one of the same sentence when both have the same kind
and the same words as written, up to case, spaces and punctuation ("(ALK) fusion" is
"ALK fusion"), or one holds the other's. Over the matched pairs it counts the HGVS of the
protein changes, the gene, and the partners (``genes`` and ``name``) of two-partner fusions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass
class Scores:
    """Counts over a set of labelled sentences."""

    sentences: int = 0
    found: int = 0
    labelled: int = 0
    matched: int = 0
    protein_changes: int = 0
    hgvs_right: int = 0
    with_gene: int = 0
    gene_right: int = 0
    fusions: int = 0
    fusion_genes_right: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [labelled, matched]

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0

    def lines(self) -> list[str]:
        """The figures, one line each."""
        kinds = ", ".join(f"{k} {m}/{n}" for k, (n, m) in sorted(self.by_kind.items()))
        return [
            f"{self.sentences} sentences, {self.labelled} labelled variants, {self.found} found: "
            f"precision {self.precision:.2%}, recall {self.recall:.2%}",
            f"HGVS right {self.hgvs_right}/{self.protein_changes} protein changes, gene right "
            f"{self.gene_right}/{self.with_gene}, fusion partners right {self.fusion_genes_right}/{self.fusions}",
            f"found by kind (matched/labelled): {kinds}",
        ]


def _words(text: str) -> str:
    return _NOT_WORD.sub("", text).lower()


def _same_mention(found: Any, label: dict[str, Any]) -> bool:
    if found.kind != label["kind"]:
        return False
    a, b = _words(found.text), _words(label["text"])
    return bool(a and b) and (a in b or b in a)


def score(cases: Iterable[tuple[str, list[dict[str, Any]]]], finder: Callable[[str], list[Any]]) -> Scores:
    """Scores of ``finder`` (text -> variants) over (text, labelled variants) pairs."""
    s = Scores()
    for text, labels in cases:
        s.sentences += 1
        found = list(finder(text))
        s.found += len(found)
        s.labelled += len(labels)
        free = list(found)
        for label in labels:
            tally = s.by_kind.setdefault(label["kind"], [0, 0])
            tally[0] += 1
            match = next((f for f in free if _same_mention(f, label)), None)
            if match is None:
                continue
            free.remove(match)
            s.matched += 1
            tally[1] += 1
            if label["kind"] == "protein_change" and label.get("hgvs"):
                s.protein_changes += 1
                s.hgvs_right += match.hgvs == label["hgvs"]
            if label.get("genes"):
                s.fusions += 1
                s.fusion_genes_right += (getattr(match, "genes", None) == label["genes"]
                                         and getattr(match, "name", None) == label.get("name"))
            elif label["kind"] != "rsid" or label.get("gene"):
                s.with_gene += 1
                s.gene_right += match.gene == label.get("gene")
    return s


def labelled_criteria(labels: list[dict[str, Any]], blocks: Iterable[tuple[str, str]]) -> list[tuple[str, list]]:
    """(criterion text, labelled variants) of the labelled criteria among ``blocks`` ((file name,
    criteria block as the source wrote it) pairs), each criterion split as the normalise stack splits it.
    A labelled criterion whose text no longer has its digest raises ``ValueError``."""
    from .criteria import split_criteria

    wanted = {(c["file"], c["criterion"]): c for c in labels}
    out = []
    for name, block in blocks:
        for i, criterion in enumerate(split_criteria(block)):
            label = wanted.get((name, i))
            if label is None:
                continue
            if hashlib.sha1(criterion.text.encode("utf-8")).hexdigest()[:12] != label["digest"]:
                raise ValueError(f"{name} criterion {i}: its text changed since it was labelled")
            out.append((criterion.text, label["variants"]))
    return out
