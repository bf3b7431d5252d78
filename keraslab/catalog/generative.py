"""Catalogue entries: generative."""

ENTRIES = []
