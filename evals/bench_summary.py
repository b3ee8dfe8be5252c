"""The residents' summary of every corpus kommune, with each backend: repeats, sources, plainness and time.

`python -m evals.bench_summary [--backends extractive,llamacpp] [--shortlists 24,12,8,6,4]`

For every kommune the ingested store is about (run `assistant ingest` first; ASSISTANT_DATA_DIR), the
summary is made as Kommunestatus makes it (`App.resident_summary`), and one line is printed per
kommune and backend: plain sentences and quotes, repeated sentences (after case, spacing and citation
marks), sentences without a source, the LIX of the plain part, its longest sentence in words, and the
seconds it took. Then per backend: the median LIX beside the aim (≤ 35), the longest sentence beside
the aim (≤ 15 words), the total of repeats and of unsourced sentences (aim 0), and p95 of the time:
to make a summary (facts and quotes, models already loaded: the first visitor after a store change)
and to get it again (every later visitor: the app keeps it per kommune, backend and store generation).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from assistant.app import App
from assistant.core.settings import get_settings
from assistant.services.resident_summary import pick_quotes
from evals.bench_lix import available
from evals.metrics import percentile

WARM_UP = "Hva gjør kommunen for klimaet?"


def main(argv: list[str] | None = None) -> int:
    """Print the figures per kommune and backend; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_summary", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="extractive,llamacpp", help="comma-separated answer backends")
    parser.add_argument("--shortlists", default="", help="calibrate ASSISTANT_SUMMARY_SHORTLIST instead: comma-"
                        "separated sizes, the first the reference (e.g. 24,12,8,6,4); prints, per size, whether "
                        "every kommune's quotes equal the reference's, and the seconds for all kommuner")
    args = parser.parse_args(argv)
    app = App(get_settings())
    kommuner = app.catalog().kommuner
    if not kommuner:
        print("the store holds no documents about any kommune: run `assistant ingest` first", file=sys.stderr)
        return 2
    if args.shortlists:
        return calibrate(app, kommuner, [int(n) for n in args.shortlists.split(",")])
    for name, _ in available(args.backends, app.backend):
        app.assistant(name).ask(WARM_UP)  # models loaded outside the timing; no summary made yet
        forget(app)  # each backend pays for its own facts: nothing an earlier backend's summaries scored is kept
        rows = []
        print(f"\n{name}: kommune, plain sentences, quotes (rewritten plainer), repeats, without source, "
              "LIX plain, longest sentence, seconds to make it (first ask after a store change), seconds again")
        for kommune in kommuner:
            s = app.resident_summary(kommune, name)
            started = time.perf_counter()
            app.resident_summary(kommune, name)  # what every later visitor waits
            again = time.perf_counter() - started
            unsourced = sum(1 for f in s.facts if not f.source) + sum(1 for q in s.quotes if not q.source)
            rows.append((s.lix, s.longest, s.repeats(), unsourced, s.seconds, again))
            print(f"  {kommune:<14} {len(s.facts):2d} {len(s.quotes):2d} ({sum(bool(q.plain) for q in s.quotes)})  "
                  f"{s.repeats():2d} {unsourced:2d}  {s.lix:5.1f} {s.longest:3d}  {s.seconds:6.2f} s {again:6.3f} s")
        print(f"  median LIX of the plain part {statistics.median(r[0] for r in rows):.1f} (aim <= 35); longest "
              f"sentence {max(r[1] for r in rows)} words (aim <= 15); repeats {sum(r[2] for r in rows)}, without "
              f"source {sum(r[3] for r in rows)} (aim 0); seconds p95: made {percentile([r[4] for r in rows], 95):.2f}, "
              f"again {percentile([r[5] for r in rows], 95):.3f}")
    return 0


def forget(app: App) -> None:
    """Empty the trained scorer's and the sentence embedder's caches, so what follows is timed cold."""
    app.sentence_scorer.clear()  # type: ignore[union-attr] - the trained scorer, the default
    app.sentence_embedder.cache.clear()


def calibrate(app: App, kommuner: list[str], sizes: list[int]) -> int:
    """Print, per shortlist size, whether the quotes of every kommune equal those of the first size, and the time."""
    quoting = app.quoting()
    quoting.ask(WARM_UP)
    reference: dict[str, list[tuple[str, str]]] = {}
    for n in sizes:
        forget(app)  # every size pays for its own pairs and vectors
        started = time.perf_counter()
        picks = {k: [(topic, e.text) for topic, e in pick_quotes(k, quoting, shortlist=n)] for k in kommuner}
        seconds = time.perf_counter() - started
        reference = reference or picks
        same = sum(picks[k] == reference[k] for k in kommuner)
        print(f"shortlist {n:3d}: quotes as with {sizes[0]} for {same}/{len(kommuner)} kommuner, "
              f"{sum(len(p) for p in picks.values())} quotes, {seconds:.2f} s for all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
