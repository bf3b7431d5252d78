"""Cross-backend parity: the harness (`keraslab.parity.harness`) starts one worker process
(`keraslab.parity.worker`) per backend and compares what they wrote."""

from keraslab.parity.harness import (
    DEFAULT_ENTRIES,
    SUPPORTED_BACKENDS,
    TOLERANCES,
    error,
    failures,
    run,
)

__all__ = ["DEFAULT_ENTRIES", "SUPPORTED_BACKENDS", "TOLERANCES", "error", "failures", "run"]
