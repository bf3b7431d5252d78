"""Catalogue entries: classic."""

ENTRIES = []
