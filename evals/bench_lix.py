"""Readability of what residents read on Kommunestatus: LIX of the cited summary and answers, per kommune and backend.

For every kommune the ingested corpus is about, the script makes the plain-language summary and
answers the suggested questions exactly as the Kommunestatus page does (only cited, backed
sentences kept), and prints each text's LIX beside the target (≤ 40) and its words per sentence, with
how many sentences were dropped for lack of support; then per backend the median LIX, the words per
sentence (aim ≤ 15), the share of long words and the sentences over 20 words. Uses the store in ASSISTANT_DATA_DIR (run `assistant ingest` first).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

from assistant.app import App
from assistant.core.readability import CITIZEN_TARGET, LONG_SENTENCE, LONG_WORD, lix, plainness
from assistant.core.settings import get_settings
from assistant.llm.base import LLMUnavailable
from assistant.services.kommunestatus import (
    PLAIN_STYLE,
    suggested_questions,
    summarize,
    supported_text,
)


T = TypeVar("T")


def available(backends: str, make: Callable[[str], T]) -> Iterator[tuple[str, T]]:
    """Yield (name, what `make` builds) for each comma-separated backend; one that is unavailable is said skipped."""
    for name in backends.split(","):
        try:
            made = make(name)
        except LLMUnavailable as exc:
            print(f"{name}: skipped ({exc})")
            continue
        yield name, made


def main(argv: list[str] | None = None) -> int:
    """Print LIX per kommune and backend; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="extractive,llamacpp", help="comma-separated answer backends")
    args = parser.parse_args(argv)


    app = App(get_settings())
    kommuner = app.catalog().kommuner
    if not kommuner:
        print("the store holds no documents about any kommune: run `assistant ingest` first", file=sys.stderr)
        return 2
    for _, bot in available(args.backends, app.assistant):
        backend = bot.backend
        scores: list[float] = []
        shown: list[str] = []
        print(f"\n{backend.name}")
        for kommune in kommuner:
            summary = summarize(kommune, bot)
            texts = [("oppsummering", summary.text, len(summary.dropped))]
            for question in suggested_questions(kommune, app.quoting()):
                text, dropped = supported_text(bot.ask(question, filters={"kommune": kommune}, style=PLAIN_STYLE))
                texts.append((question, text, len(dropped)))
            for label, text, dropped in texts:
                if not text:
                    print(f"  {kommune:<13} {label[:58]:<58}  (nothing cited to show)")
                    continue
                score, plain = lix(text), plainness(text)
                scores.append(score)
                shown.append(text)
                print(f"  {kommune:<13} {label[:58]:<58}  LIX {score:5.1f}  words/sentence "
                      f"{plain.words_per_sentence:4.1f}  dropped {dropped}")
        if scores:
            within = sum(s <= CITIZEN_TARGET for s in scores)
            print(f"  median LIX {statistics.median(scores):.1f}; {within}/{len(scores)} texts at or under {CITIZEN_TARGET}")
            every = plainness(" ".join(shown))
            print(f"  words per sentence {every.words_per_sentence:.1f} (aim <= 15); words over {LONG_WORD} letters "
                  f"{every.long_words:.0%}; sentences over {LONG_SENTENCE} words {every.long_sentences}/{every.sentences}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
