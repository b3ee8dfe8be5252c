"""Index layer: the embedder, the Chroma vector store and the bm25s keyword index, behind small Protocols."""
