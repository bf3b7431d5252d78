"""Benchmarks run by `scripts/bench`. Each module defines `run(quick) -> list[dict]`."""
