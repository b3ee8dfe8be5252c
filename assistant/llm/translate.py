"""Bokmål <-> nynorsk machine translation with Apertium, so a model that writes good bokmål can answer in nynorsk.

The small embedded models read and write bokmål far better than nynorsk: asked in nynorsk they often
refuse, or answer in bokmål anyway. Apertium's nob-nno pair (Debian package `apertium-nno-nob`, a
rule-based translator, fully local) closes that gap: the question goes to the model in bokmål, and
each finished sentence of the answer is translated to nynorsk before it is shown. Citation markers
such as `[2]` pass through unchanged.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

log = logging.getLogger(__name__)

TO_NYNORSK = "nob-nno"
TO_BOKMAL = "nno-nob"
INSTALL_HINT = "install Apertium's bokmål-nynorsk pair: `apt-get install apertium-nno-nob`"
# Apertium marks words it could not generate with '#'; the word itself is the best we have
_GENERATION_MARK = re.compile(r"(?<![\w#])#(?=\w)")
# Apertium upper-cases a whole compound after an acronym ("FN-senteret" -> "FN-SENTRET")
_SHOUTED_COMPOUND = re.compile(r"\b([A-ZÆØÅ0-9]{2,})-([A-ZÆØÅ]{2,}[a-zæøå]*)\b")


def _restore_case(source: str, out: str) -> str:
    """Return out with compounds Apertium upper-cased after an acronym written in lower case, as the source had them."""
    def fix(match: re.Match[str]) -> str:
        head, tail = match.groups()
        if re.search(rf"\b{re.escape(head)}-[a-zæøå]", source) and not re.search(rf"\b{re.escape(match[0])}\b", source):
            return f"{head}-{tail.lower()}"
        return match[0]

    return _SHOUTED_COMPOUND.sub(fix, out)


class TranslationError(RuntimeError):
    """The translator failed or is not installed."""


class Translator(Protocol):
    """Translates lines of text between two written standards."""

    name: str

    def translate(self, lines: Sequence[str], pair: str) -> list[str]:
        """Return each line translated with the language pair (e.g. "nob-nno"), in the same order."""
        ...


class ApertiumTranslator:
    """Apertium's command-line translator: one process per call, lines in, the same number of lines out."""

    name = "apertium"

    def __init__(self, command: str = "apertium", timeout: float = 30.0) -> None:
        self.command = command
        self.timeout = timeout

    def translate(self, lines: Sequence[str], pair: str) -> list[str]:
        """Return each line translated with `pair`; raises TranslationError when Apertium fails."""
        flat = [" ".join(line.split()) for line in lines]  # one line in, one line out
        if not any(flat):
            return list(flat)
        try:
            done = subprocess.run(
                [self.command, "-u", pair], input="\n".join(flat) + "\n", capture_output=True, text=True,
                timeout=self.timeout, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TranslationError(f"Apertium ({pair}) failed: {exc}; {INSTALL_HINT}") from exc
        out = done.stdout.rstrip("\n").split("\n") if done.stdout.strip() else []
        if done.returncode != 0 or len(out) != len(flat):
            detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"{len(out)} of {len(flat)} lines"
            raise TranslationError(f"Apertium ({pair}) failed: {detail}; {INSTALL_HINT}")
        return [_restore_case(f, _GENERATION_MARK.sub("", o).strip()) if f else "" for f, o in zip(flat, out, strict=True)]


@lru_cache(maxsize=4)
def find_translator(kind: str = "apertium", command: str = "apertium") -> Translator | None:
    """Return a working bokmål<->nynorsk translator, or None when it is switched off or not installed."""
    if kind == "off":
        return None
    if shutil.which(command) is None:
        log.info("Apertium is not installed: nynorsk answers come straight from the model (%s)", INSTALL_HINT)
        return None
    try:
        pairs = subprocess.run([command, "-l"], capture_output=True, text=True, timeout=30, check=False).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    if TO_NYNORSK not in pairs or TO_BOKMAL not in pairs:
        log.info("Apertium has no bokmål-nynorsk pair: %s", INSTALL_HINT)
        return None
    return ApertiumTranslator(command)


def translate_text(text: str, translator: Translator, pair: str) -> str:
    """Return the text translated line by line, keeping its line breaks and outer whitespace."""
    lines = text.split("\n")
    done = translator.translate([line.strip() for line in lines], pair)
    out = []
    for line, new in zip(lines, done, strict=True):
        lead = line[: len(line) - len(line.lstrip())]
        tail = line[len(line.rstrip()) :]
        out.append(f"{lead}{new}{tail}" if line.strip() else line)
    return "\n".join(out)
