"""Normalisation figures: what each step of the normalise stack costs, and how much it reads.

The shared corpus (registry XML and API v2 JSON) is read once through the
package's readers, which give raw records (nothing derived). Then, in this
process:

* each step of the normalise stack, timed over every raw record (its share of
  the whole stack), and the stack as a whole in records per second;
* time frames: distinct corpus strings fully parsed, strings per second parsed
  afresh and through the cache;
* criteria: blocks and items per second;
* variants: the golden set's precision and recall (tests/fixtures/variants), the
  same with HGVS, gene and fusion partners on the golden set and on the hand-labelled
  corpus criteria (tests/support/variant_scores.py), texts per second, and CPU
  microseconds per rendered corpus entry of the variant step.

The golden sets' full checks (every time frame, every criterion word kept) are
tests, not figures: ``pytest tests/normalize``.

    python benchmarks/normalize_figures.py [--repeat N]
"""

from __future__ import annotations

import copy
import json
import sys
import time

from common import REPO, best_of, corpus_files, start

from registry_tool.model import Record
from registry_tool.normalize import STACK, timeframe
from registry_tool.normalize.criteria import split_criteria
from registry_tool.normalize.variants import find_variants
from registry_tool.processing import read_document
from registry_tool.sources import Document
from registry_tool.normalize import variant_scores


def raw_records() -> list[Record]:
    """Every corpus record as its reader gives it, before the normalise stack."""
    records = []
    for kind in ("ctgov-xml", "ctgov-json"):
        for path in corpus_files(kind):
            records += [r for r in read_document(Document(str(path), path.read_bytes())) if isinstance(r, Record)]
    return records


def stack_figures(records: list[Record], repeat: int) -> None:
    """Time of each step over all records (fresh copies each round, caches cleared)."""
    shares = {step.__name__: float("inf") for step in STACK}
    whole = float("inf")
    for _ in range(repeat):
        timeframe._parse_cached.cache_clear()
        batch = copy.deepcopy(records)
        spent = dict.fromkeys(shares, 0.0)
        for record in batch:
            for step in STACK:
                started = time.perf_counter()
                record = step(record)
                spent[step.__name__] += time.perf_counter() - started
        whole = min(whole, sum(spent.values()))
        shares = {name: min(shares[name], spent[name]) for name in shares}
    print(f"normalise stack ({len(records)} corpus records)")
    print(f"  throughput:      {len(records) / whole:,.0f} records/s")
    for name, seconds in shares.items():
        print(f"  {name:<22} {seconds / len(records) * 1e6:8.1f} us/record  {seconds / whole:6.1%}")


def time_frame_figures(records: list[Record], repeat: int) -> None:
    frames = sorted({o.time_frame.text for r in records for o in r.outcomes if o.time_frame})
    parsed = [timeframe.parse_time_frame(t) for t in frames]
    full = sum(tf.fully_parsed for tf in parsed)

    def fresh():
        timeframe._parse_cached.cache_clear()
        for text in frames:
            timeframe.parse_time_frame(text)

    def cached():
        for text in frames:
            timeframe.parse_time_frame(text)

    t_fresh = best_of(repeat, fresh)
    cached()
    t_cached = best_of(repeat, cached)
    print("time frames")
    print(f"  corpus coverage: {full} of {len(frames)} distinct strings fully parsed = {full / len(frames):.2%}")
    print(f"  throughput:      {len(frames) / t_fresh:,.0f} strings/s parsed afresh, "
          f"{len(frames) / t_cached:,.0f} strings/s through the cache")


def criteria_figures(records: list[Record], repeat: int) -> list[str]:
    blocks = [b.text for r in records for b in r.eligibility.criteria_blocks]
    items = [c.text for b in blocks for c in split_criteria(b)]
    elapsed = best_of(repeat, lambda: [split_criteria(b) for b in blocks])
    print("criteria")
    print(f"  throughput:      {len(blocks) / elapsed:,.0f} blocks/s, {len(items) / elapsed:,.0f} items/s "
          f"({len(blocks)} blocks, {len(items)} items)")
    return items


def variant_figures(records: list[Record], items: list[str], repeat: int) -> None:
    golden = json.loads((REPO / "tests" / "fixtures" / "variants" / "golden.json").read_text("utf-8"))
    fields = ("text", "kind", "hgvs", "gene", "candidate", "genes", "name", "mention")
    tp = fp = fn = 0
    for case in golden:
        got = {tuple(_hashable(getattr(v, f)) for f in fields) for v in find_variants(case["text"])}
        want = {tuple(_hashable(v.get(f)) for f in fields) for v in case["variants"]}
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    texts = items + [r.summary for r in records if r.summary] + [o.measure for r in records for o in r.outcomes]
    elapsed = best_of(repeat, lambda: [find_variants(t) for t in texts])
    print("variants")
    print(f"  golden set:      {len(golden)} sentences, every field exact: precision {tp / (tp + fp):.2%}, "
          f"recall {tp / (tp + fn):.2%} ({tp} right, {fp} extra, {fn} missed)")
    for line in variant_scores.score([(c["text"], c["variants"]) for c in golden], find_variants).lines():
        print(f"                   {line}")
    print("  corpus criteria labelled by hand (targets: precision and recall >= 97%, HGVS >= 97%, gene >= 95%, "
          "fusion partners >= 95%):")
    labels = json.loads((REPO / "tests" / "fixtures" / "variants" / "corpus_labels.json").read_text("utf-8"))
    cases = variant_scores.labelled_criteria(labels["criteria"], _criteria_blocks())
    for line in variant_scores.score(cases, find_variants).lines():
        print(f"                   {line}")
    print(f"  throughput:      {len(texts) / elapsed:,.0f} texts/s (corpus criteria, summaries, measures)")
    per_entry = _variant_step_per_entry(repeat)
    if per_entry is not None:
        print(f"  variant search:  {per_entry:.1f} µs CPU per rendered corpus entry (the add_found_variants step; "
              "target < 40)")


def _criteria_blocks() -> list[tuple[str, str]]:
    """(file name, criteria block as the registry wrote it) of the corpus: the labels index their criteria."""
    from lxml import etree

    blocks = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for path in corpus_files("ctgov-xml"):
        text = etree.parse(str(path), parser).getroot().findtext("eligibility/criteria/textblock")
        if text and text.strip():
            blocks.append((path.name, text))
    for path in corpus_files("ctgov-json"):
        study = json.loads(path.read_text("utf-8"))
        text = study.get("protocolSection", {}).get("eligibilityModule", {}).get("eligibilityCriteria")
        if isinstance(text, str) and text.strip():
            blocks.append((path.name, text))
    return blocks


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _variant_step_per_entry(repeat: int) -> float | None:
    """CPU microseconds the variant step of the stack costs per entry of the corpus rendered as flattened
    text (the best of ``repeat`` runs)."""
    from parse_throughput import rendered_entries

    from registry_tool.formats.text.reader import read_entry
    from registry_tool.normalize import normalize
    from registry_tool.normalize.steps import add_found_variants

    entries = [text for _, text in rendered_entries()]
    if not entries:
        return None
    before = STACK[: STACK.index(add_found_variants)]
    prepared = [normalize(read_entry(e), before) for e in entries]
    times = []
    for _ in range(repeat):
        records = copy.deepcopy(prepared)
        started = time.process_time()  # CPU time of this process: other work on the machine does not count
        for record in records:
            add_found_variants(record)
        times.append(time.process_time() - started)
    return min(times) / len(entries) * 1e6


def main() -> int:
    args = start(__doc__.splitlines()[0])
    if args is None:
        return 2
    records = raw_records()
    stack_figures(records, args.repeat)
    time_frame_figures(records, args.repeat)
    items = criteria_figures(records, args.repeat)
    variant_figures(records, items, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
