"""Ingestion pipeline: load, clean, chunk, annotate and index documents."""
