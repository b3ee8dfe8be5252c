"""Core: data classes, settings, text utilities and the kommune register; imports nothing of ours."""
