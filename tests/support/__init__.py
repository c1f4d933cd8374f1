"""Helpers the tests share (no tests here): paths, the corpus, renderers, fake servers."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
SCHEMAS = REPO / "schemas"


def read_normalized(read, data: bytes, path: str | None = None) -> list:
    """What reader ``read`` gives for ``data``, each raw record through the normalise stack:
    the records a user gets from that input."""
    from registry_tool.formats.base import Canonical
    from registry_tool.model import Record
    from registry_tool.normalize import normalize
    from registry_tool.sources import Document

    out = []
    for result in read(Document(path, data)):
        out.append(normalize(result) if isinstance(result, Record) else
                   result.record if isinstance(result, Canonical) else result)
    return out
