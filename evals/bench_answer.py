"""Answer latency per backend on the corpus questions: first shown word, final answer, prefill and decode rates.

For each backend (extractive, and the embedded llama.cpp model when assembled; Ollama when it
answers) the answerable dev-set questions are asked once through the product's Assistant (`--limit`
of them for a model), then every answerable follow-up with the turns before it, and p50/p95 of the
time to the first shown (verified) word and to the final verified answer are printed, the follow-ups
also apart. For llama.cpp the model's own
counters give the prefill rate; the overhead figure compares the measured time to first token with
what the model itself needs to evaluate the prompt tokens it did not have cached
(time to first token / (evaluated prompt tokens / prefill rate)); target <= 1.2.

Sentence vectors are cached across questions, as in the running app (App.sentence_embedder);
`--cold` empties that cache before every question, so each prompt ranks its sentences from scratch.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from assistant.app import App
from assistant.core.settings import get_settings
from assistant.llm.base import LLMUnavailable
from evals.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) of values, 0 when there are none."""
    return percentile(values, q * 100) or 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one block per backend; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="extractive,llamacpp,ollama")
    parser.add_argument("--limit", type=int, default=12, help="questions per LLM backend (extractive asks all)")
    parser.add_argument("--cold", action="store_true", help="empty the sentence-vector cache before every question")
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "dev.jsonl")
    args = parser.parse_args(argv)


    items = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [(i["question"], []) for i in items if i["answerable"] and not i.get("history")]
    follow_ups = [(i["question"], i["history"]) for i in items if i["answerable"] and i.get("history")]
    with tempfile.TemporaryDirectory(prefix="bench-answer-") as tmp:
        settings = get_settings(data_dir=Path(tmp), corpus_dir=ROOT / "corpus")
        settings = settings.model_copy(update={"data_dir": Path(tmp)})
        models_dir = get_settings().models_dir()  # assembled models live in the real data dir
        settings = settings.model_copy(update={"llamacpp_model": str(models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")})
        app = App(settings)
        app.ingester().ingest([ROOT / "corpus"], progress=False)
        for name in args.backends.split(","):
            try:
                bot = app.assistant(name)
            except LLMUnavailable as exc:
                print(f"\n{name}: not available ({exc})")
                continue
            backend = bot.backend
            bot.ask(questions[0][0])  # warm-up: model load, language detector, caches
            asked = questions if name == "extractive" else questions[: args.limit]
            asked = asked + follow_ups  # a follow-up is asked with the turns before it, as in the chat
            first, total, prompt_tokens, evaluated, prefill, decode, own, model_first = [], [], [], [], [], [], [], []
            first_follow: list[float] = []
            for question, history in asked:
                if args.cold:
                    app.sentence_embedder.cache.clear()
                answer = bot.ask(question, history)
                if history:
                    first_follow.append(answer.timings.get("first_token", 0.0))
                first.append(answer.timings.get("first_token", 0.0))
                total.append(answer.timings["total"])
                timing = getattr(backend.chat, "last_timing", None) or {}
                if timing.get("prompt_eval_s"):
                    prompt_tokens.append(timing["prompt_tokens"])
                    evaluated.append(timing["prompt_eval_tokens"])
                    prefill.append(timing["prompt_eval_tokens"] / timing["prompt_eval_s"])
                    if timing.get("decode_s"):
                        decode.append(timing["decode_tokens"] / timing["decode_s"])
                    own.append(timing["prompt_eval_s"])
                    if timing.get("ttft_s"):
                        model_first.append(timing["ttft_s"])
            cache = "emptied before every question" if args.cold else "kept across questions, as in the app"
            print(f"\n{backend.name}: {len(asked)} questions ({len(follow_ups)} follow-ups), "
                  f"{settings.reader_sentences} evidence sentences, sentence vectors {cache}")
            print(f"  first shown word   : p50 {pct(first, .5):6.2f} s  p95 {pct(first, .95):6.2f} s  (all questions)")
            print(f"  first shown word   : p50 {pct(first_follow, .5):6.2f} s  p95 {pct(first_follow, .95):6.2f} s  "
                  "(follow-ups only)")
            print(f"  final verified     : p50 {pct(total, .5):6.2f} s  p95 {pct(total, .95):6.2f} s")
            if prefill:
                print(f"  prompt tokens      : mean {statistics.mean(prompt_tokens):6.0f}  "
                      f"(evaluated, not cached: {statistics.mean(evaluated):.0f})")
                print(f"  prefill            : {statistics.mean(prefill):6.1f} tokens/s   decode {statistics.mean(decode):5.1f} tokens/s")
                print(f"  the model's own    : prefill p50 {pct(own, .5):6.2f} s  p95 {pct(own, .95):6.2f} s; first token "
                      f"p50 {pct(model_first, .5):6.2f} s (a shown word waits for the cited ids and a whole verified sentence)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
