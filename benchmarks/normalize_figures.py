"""Normalisation figures: coverage, golden-set scores and throughput.

Prints, for the shared corpus and the golden sets in tests/fixtures:

* time frames: distinct corpus strings fully parsed (target >= 97%), golden
  set right (target 100%), strings per second (each parsed afresh, and
  through the cache as importers meet them);
* criteria: corpus blocks that keep every word, blocks and items per second;
* variants: golden precision and recall (target >= 97% each), the same with HGVS, gene
  and fusion partners on the golden set and on the hand-labelled corpus criteria,
  texts per second, and microseconds per rendered corpus entry of the variant step;
* outcomes: golden abbreviations and assessors right;
* enrich_record: corpus-shaped records (XML outcomes, criteria, summary) per second.

    python benchmarks/normalize_figures.py [--repeat N]
"""

from __future__ import annotations

import copy
import json
import sys
import time

from common import REPO, best_of, start

from registry_tool.normalize import normalize as enrich_record
from registry_tool.normalize import timeframe
from registry_tool.normalize.criteria import split_criteria
from registry_tool.normalize.outcomes import abbreviation_of, assessors_of
from registry_tool.normalize.variants import find_variants
from tests.support import normalize_corpus, variant_scores
from tests.normalize.test_criteria import lost_words
from tests.normalize.test_timeframe import _differences

FIXTURES = REPO / "tests" / "fixtures"


def time_frame_figures(repeat: int) -> None:
    frames = normalize_corpus.time_frames()
    parsed = [timeframe.parse_time_frame(t) for t in frames]
    full = sum(tf.fully_parsed for tf in parsed)
    golden = json.loads((FIXTURES / "timeframes" / "golden.json").read_text("utf-8"))
    right = sum(not _differences(g) for g in golden)

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
    print(f"  golden set:      {right} of {len(golden)} right = {right / len(golden):.2%}")
    print(f"  throughput:      {len(frames) / t_fresh:,.0f} strings/s parsed afresh, "
          f"{len(frames) / t_cached:,.0f} strings/s through the cache")


def criteria_figures(repeat: int) -> None:
    blocks = [b for _, b in normalize_corpus.criteria_blocks()]
    kept = sum(not lost_words(b) for b in blocks)
    items = sum(len(split_criteria(b)) for b in blocks)
    elapsed = best_of(repeat, lambda: [split_criteria(b) for b in blocks])
    print("criteria")
    print(f"  no word lost:    {kept} of {len(blocks)} corpus blocks (XML and API v2), {items} items")
    print(f"  throughput:      {len(blocks) / elapsed:,.0f} blocks/s, {items / elapsed:,.0f} items/s")


def variant_figures(repeat: int) -> None:
    golden = json.loads((FIXTURES / "variants" / "golden.json").read_text("utf-8"))
    fields = ("text", "kind", "hgvs", "gene", "candidate", "genes", "name", "mention")
    tp = fp = fn = 0
    for case in golden:
        got = {tuple(_hashable(getattr(v, f)) for f in fields) for v in find_variants(case["text"])}
        want = {tuple(_hashable(v.get(f)) for f in fields) for v in case["variants"]}
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    texts = list(normalize_corpus.free_texts()) + [c.text for _, b in normalize_corpus.criteria_blocks()
                                                  for c in split_criteria(b)]
    elapsed = best_of(repeat, lambda: [find_variants(t) for t in texts])
    print("variants")
    print(f"  golden set:      {len(golden)} sentences, every field exact: precision {tp / (tp + fp):.2%}, "
          f"recall {tp / (tp + fn):.2%} ({tp} right, {fp} extra, {fn} missed)")
    for line in variant_scores.score(variant_scores.golden_cases(), find_variants).lines():
        print(f"                   {line}")
    print("  corpus criteria labelled by hand (targets: precision and recall >= 97%, HGVS >= 97%, gene >= 95%, "
          "fusion partners >= 95%):")
    for line in variant_scores.score(variant_scores.corpus_cases(), find_variants).lines():
        print(f"                   {line}")
    print(f"  throughput:      {len(texts) / elapsed:,.0f} texts/s (corpus criteria, summaries, measures)")
    per_entry = _variant_step_per_entry(repeat)
    if per_entry is not None:
        print(f"  variant search:  {per_entry:.1f} µs CPU per rendered corpus entry (the add_found_variants step; "
              "target < 40)")


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _variant_step_per_entry(repeat: int) -> float | None:
    """CPU microseconds the variant step of the stack costs per entry of the corpus rendered as flattened
    text (the best of ``repeat`` runs)."""
    from parse_throughput import rendered_entries

    from registry_tool.formats.text.reader import read_entry
    from registry_tool.normalize import STACK, normalize
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


def outcome_figures() -> None:
    golden = json.loads((FIXTURES / "outcomes" / "golden.json").read_text("utf-8"))
    right = sum(abbreviation_of(c["measure"]) == c["abbreviation"] and assessors_of(c["measure"]) == c["assessors"]
                for c in golden)
    print("outcomes")
    print(f"  golden set:      {right} of {len(golden)} measures right (abbreviation and assessors)")


def enrich_figures(repeat: int) -> None:
    records = normalize_corpus.corpus_records()
    batches = [copy.deepcopy(records) for _ in range(repeat)]
    times = []
    for batch in batches:
        started = time.perf_counter()
        for record in batch:
            enrich_record(record)
        times.append(time.perf_counter() - started)
    elapsed = min(times)
    print("enrich_record")
    print(f"  throughput:      {len(records) / elapsed:,.0f} records/s ({len(records)} XML-corpus-shaped records, "
          f"{sum(len(r.variants) for r in batches[0])} variants found)")


def main() -> int:
    args = start(__doc__.splitlines()[0])
    if args is None:
        return 2
    time_frame_figures(args.repeat)
    criteria_figures(args.repeat)
    variant_figures(args.repeat)
    outcome_figures()
    enrich_figures(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
