"""Registry identifiers and JSON paths, written once for every module that names them."""

from __future__ import annotations

import re
from collections.abc import Iterable

NCT_ID = re.compile(r"NCT\d{8}")
"""A ClinicalTrials.gov id: NCT and eight digits (``fullmatch`` it; upper-case the text first to accept ``nct...``)."""


def json_path(parts: Iterable[str | int]) -> str:
    """``$.protocolSection.outcomesModule.primaryOutcomes[0]`` from its keys and indexes."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def nct_id_of(study: object) -> str | None:
    """An API v2 study's ``protocolSection.identificationModule.nctId`` where it is a string, else None."""
    try:
        value = study["protocolSection"]["identificationModule"]["nctId"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return None
    return value if isinstance(value, str) else None
