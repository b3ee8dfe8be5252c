"""Stand-ins for unit tests of the logic around a component (never instead of its integration test)."""

from __future__ import annotations


class ScriptedBackend:
    """A stand-in LLM that always says the same thing: for the logic around a model's reply."""

    name = "scripted"
    generative = True  # it stands in for a language model
    chat = None
    embedder = None

    def __init__(self, reply: str) -> None:
        self.reply = reply

    def generate(self, question, passages, language):
        yield self.reply

    def rewrite(self, question, history):
        return None
