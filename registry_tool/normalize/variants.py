"""Gene variants: kinds, HGVS protein form, mentions in text.

PROVISIONAL minimal version (foundation); issue 5 replaces it.
"""

from __future__ import annotations

import re

from ..model import Variant

THREE_LETTER = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter", "X": "Ter",
}
_PROTEIN = re.compile(r"^(?:p\.)?([ARNDCQEGHILKMFPSTWYV])(\d+)([ARNDCQEGHILKMFPSTWYV*X])$")


def protein_hgvs(text: str) -> str | None:
    """``T315I`` -> ``p.Thr315Ile``; None if ``text`` is not a one-letter protein change."""
    m = _PROTEIN.match(text.strip())
    if not m:
        return None
    return f"p.{THREE_LETTER[m.group(1)]}{m.group(2)}{THREE_LETTER[m.group(3)]}"


def variant_from_mark(text: str, criterion: int | None = None) -> Variant:
    """The variant a ``--- X ---`` mark names."""
    hgvs = protein_hgvs(text)
    kind = "protein_change" if hgvs else "other"
    return Variant(text=text, kind=kind, hgvs=hgvs, marked=True, criterion=criterion)
