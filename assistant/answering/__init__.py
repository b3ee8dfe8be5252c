"""Answering: rewrite -> retrieve -> gate -> read -> verify (the stages, their backends and citation checks)."""
