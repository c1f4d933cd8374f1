"""The free text of the shared corpus the normalisers read, for tests and benchmarks.

Read straight from the files (lxml for registry XML, json for API v2), not
through the importers, so the normalisers are measured on what the registry
wrote. Each function reads the corpus once a process.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from registry_tool.model import Eligibility, Outcome, Record, Source
from tests.support.corpus import corpus_files


def _xml_roots():
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for path in corpus_files("ctgov-xml"):
        yield path, etree.parse(str(path), parser).getroot()


def _json_studies():
    for path in corpus_files("ctgov-json"):
        yield path, json.loads(path.read_text("utf-8"))


def _json_values(value, key: str):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and isinstance(v, str):
                yield v
            else:
                yield from _json_values(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from _json_values(v, key)


@lru_cache(maxsize=1)
def _collect() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    """One pass over the corpus: time frames, criteria blocks, free texts."""
    frames: set[str] = set()
    blocks: list[tuple[str, str]] = []
    texts: list[str] = []
    for path, root in _xml_roots():
        for element in root.iter("time_frame"):
            if element.text and element.text.strip():
                frames.add(" ".join(element.text.split()))
        for element in root.iterfind("eligibility/criteria/textblock"):
            if element.text and element.text.strip():
                blocks.append((Path(path).name, element.text))
        for tag in ("brief_summary/textblock", ".//primary_outcome/measure", ".//secondary_outcome/measure",
                    ".//primary_outcome/description", ".//secondary_outcome/description"):
            texts += [" ".join(e.text.split()) for e in root.iterfind(tag) if e.text]
    for path, study in _json_studies():
        frames.update(" ".join(t.split()) for t in _json_values(study, "timeFrame") if t.strip())
        module = study.get("protocolSection", {}).get("eligibilityModule", {})
        text = module.get("eligibilityCriteria")
        if isinstance(text, str) and text.strip():
            blocks.append((Path(path).name, text))
        texts += [" ".join(t.split()) for key in ("briefSummary", "measure", "description")
                  for t in _json_values(study, key)]
    return tuple(sorted(frames)), tuple(blocks), tuple(t for t in texts if t)


def time_frames() -> tuple[str, ...]:
    """Every distinct time frame of the corpus (XML ``time_frame``, JSON ``timeFrame``), white space folded."""
    return _collect()[0]


def criteria_blocks() -> tuple[tuple[str, str], ...]:
    """(file name, block) of every criteria text block: XML text blocks and API v2 Markdown."""
    return _collect()[1]


def free_texts() -> tuple[str, ...]:
    """Summaries and outcome measures and descriptions: the text variants are looked for in."""
    return _collect()[2]


def corpus_records() -> list[Record]:
    """Records shaped like the registry XML corpus, before ``enrich_record``: outcomes with parsed
    time frames, split criteria and the summary (read here, not by the XML importer)."""
    from registry_tool.normalize.criteria import split_criteria
    from registry_tool.normalize.timeframe import parse_time_frame

    records = []
    for path, root in _xml_roots():
        outcomes = [
            Outcome(measure=o.findtext("measure") or "", type=tag.split("_")[0], description=o.findtext("description"),
                    time_frame=parse_time_frame(o.findtext("time_frame")))
            for tag in ("primary_outcome", "secondary_outcome", "other_outcome")
            for o in root.iterfind(tag)
        ]
        block = root.findtext("eligibility/criteria/textblock") or ""
        summary = " ".join((root.findtext("brief_summary/textblock") or "").split()) or None
        records.append(Record(record_id=Path(path).stem, source=Source("ctgov-xml", str(path)), summary=summary,
                              outcomes=outcomes, eligibility=Eligibility(split_criteria(block))))
    return records
