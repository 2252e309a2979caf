"""One context manager, :func:`gc_paused`, shared by the scoring passes that allocate millions of
small acyclic containers (per-sentence dicts and lists, per-token tuples).

With CPython's cyclic garbage collector on, those allocations trigger repeated collections over
the whole heap: measured on the whole pool, ~20% of the news scorer's CPU
(``benchmarks/RESULTS_sentiment.md``), 0.1-0.2 s of the bundled-lexicon block and ~20% of the
target-sentiment featurisation (``benchmarks/RESULTS_target.md``). The passes build no reference
cycles, so reference counting still frees everything; the collector's previous state is restored
on exit, also when the pass raises.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
