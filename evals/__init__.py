"""Benchmarks and evaluation of Bærekraftsassistenten."""
