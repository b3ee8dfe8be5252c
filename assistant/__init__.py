"""Bærekraftsassistenten: local retrieval-augmented answers over Norwegian municipal sustainability documents."""
