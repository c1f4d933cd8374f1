"""Normalisation figures: what each step of the normalise stack costs, and how much it reads.

The shared corpus (registry XML and API v2 JSON) is read once through the
package's readers, which give raw records (nothing derived). Then, in this
process:

* each step of the normalise stack, timed over every raw record (its share of
  the whole stack), and the stack as a whole in records per second;
* time frames: distinct corpus strings fully parsed, strings per second parsed
  afresh and through the cache;
* criteria: blocks and items per second;
* variants: the golden set's precision and recall (tests/fixtures/variants),
  and texts per second.

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
    tp = fp = fn = 0
    for case in golden:
        got = {(v.text, v.kind, v.hgvs, v.gene, v.candidate) for v in find_variants(case["text"])}
        want = {(v["text"], v["kind"], v["hgvs"], v["gene"], v["candidate"]) for v in case["variants"]}
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    texts = items + [r.summary for r in records if r.summary] + [o.measure for r in records for o in r.outcomes]
    elapsed = best_of(repeat, lambda: [find_variants(t) for t in texts])
    print("variants")
    print(f"  golden set:      {len(golden)} sentences, precision {tp / (tp + fp):.2%}, recall {tp / (tp + fn):.2%}"
          f" ({tp} right, {fp} extra, {fn} missed)")
    print(f"  throughput:      {len(texts) / elapsed:,.0f} texts/s (corpus criteria, summaries, measures)")


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
