"""Shared, cached inputs of the registry-XML tests (read once a run, whichever module asks first)."""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from registry_tool.errors import Failure
from registry_tool.formats.ctgov_xml.reader import read
from registry_tool.model import Record
from tests.support import FIXTURES, SCHEMAS, corpus, read_normalized

FIXTURES = FIXTURES / "ctgov_xml"

# The --set values that complete a record parsed from flattened text.
COMPLETING_SET = {
    "nct_id": "NCT09912345",
    "brief_title": "CNCT19 Cell Injection in Relapsed or Refractory B-ALL",
    "lead_sponsor": "Example Cell Therapy Ltd.",
    "source": "Example Cell Therapy Ltd.",
    "overall_status": "Recruiting",
    "study_type": "Interventional",
    "gender": "All",
    "minimum_age": "18 Years",
    "maximum_age": "N/A",
    "intervention_type": "Biological",
}


def fold(text: str | None) -> str:
    return " ".join((text or "").split())


@lru_cache(maxsize=1)
def corpus_documents() -> tuple[tuple[str, bytes], ...]:
    """(path, bytes) of every shared-corpus XML record; () where the corpus is absent."""
    return tuple((str(p), p.read_bytes()) for p in corpus.corpus_files("ctgov-xml"))


@lru_cache(maxsize=1)
def imported_corpus() -> tuple[Record | Failure, ...]:
    """The importer's result for each corpus document, in the order of :func:`corpus_documents`."""
    out = []
    for path, data in corpus_documents():
        results = read_normalized(read, data, path)
        assert len(results) == 1, path
        out.append(results[0])
    return tuple(out)


@lru_cache(maxsize=2)
def xml_schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def partial_schema() -> etree.XMLSchema:
    return xml_schema(str(SCHEMAS / "clinical_study_partial.xsd"))


@lru_cache(maxsize=1)
def public_valid_flags(xsd: str) -> tuple[bool, ...]:
    """For each corpus document: is it valid against the registry's public schema as it is?"""
    schema = xml_schema(xsd)
    return tuple(schema.validate(etree.fromstring(data)) for _, data in corpus_documents())
