"""Catalogue entries: transformers."""

ENTRIES = []
