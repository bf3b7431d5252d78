"""Catalogue entries: layers."""

ENTRIES = []
