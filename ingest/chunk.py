"""Chunking: sentence-aware pieces with overlap, sized in embedder tokens, never crossing a page."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from functools import lru_cache

from assistant.core.models import Chunk, Document

# Paragraphs first, then lines, then sentence ends, then clauses, then words.
SEPARATORS = ["\n\n", "\n", ". ", "! ", "? ", "… ", "; ", ": ", ", ", " ", ""]
# Tokens kept free for the title/heading context and e5's "passage: " prefix.
CONTEXT_RESERVE = 48


def chunk_id(source: str, page: int | None, start: int, text: str) -> str:
    """Return a stable id derived from the chunk's file, page, position and content."""
    key = f"{source}\x00{page or 0}\x00{start}\x00{text}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


def embedding_text(chunk: Chunk) -> str:
    """Return what is embedded for a chunk: its document title and heading as context, then its text."""
    context = chunk.title
    if chunk.heading and not chunk.text.startswith(chunk.heading):
        context = f"{context} – {chunk.heading}" if context else chunk.heading
    return f"{context}\n{chunk.text}" if context else chunk.text


def _heading_at(headings: list[tuple[int, str]], offset: int, fallback: str) -> str:
    """Return the last heading at or before the offset, else the fallback (binary search: headings ascend)."""
    i = bisect.bisect_right(headings, offset, key=lambda h: h[0])
    return headings[i - 1][1] if i else fallback


def chunk_document(
    doc: Document,
    count_tokens: Callable[[str], int],
    chunk_tokens: int = 320,
    overlap_tokens: int = 48,
    max_tokens: int = 512,
) -> list[Chunk]:
    """Return the document's chunks in reading order, each with page, heading, span and metadata."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    size = max(16, min(chunk_tokens, max_tokens - CONTEXT_RESERVE))
    # The splitter measures every piece twice (when splitting and when merging); the tokenizer is the cost.
    count_tokens = lru_cache(maxsize=65536)(count_tokens)
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator="end",
        chunk_size=size,
        chunk_overlap=min(overlap_tokens, size // 2),
        length_function=count_tokens,
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    last_heading = ""
    for page in doc.pages:
        cursor = 0
        for piece in splitter.split_text(page.text):
            start = page.text.find(piece, cursor)
            if start < 0:  # cannot happen with strip_whitespace, but never lose a span
                start = max(page.text.find(piece), 0)
            end = start + len(piece)
            cursor = start + 1
            heading = _heading_at(page.headings, start, last_heading)
            chunks.append(
                Chunk(
                    id=chunk_id(doc.source, page.number, start, piece),
                    text=piece,
                    source=doc.source,
                    title=doc.title,
                    page=page.number,
                    heading=heading,
                    start=start,
                    end=end,
                    meta=dict(doc.meta),
                )
            )
        last_heading = _heading_at(page.headings, len(page.text), last_heading)
    for index, chunk in enumerate(chunks):
        chunk.meta.update(content_hash=doc.content_hash, chunk_index=index, n_chunks=len(chunks))
    return chunks
