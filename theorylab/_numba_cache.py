"""Point Numba's on-disk cache at a folder keyed by a hash of theorylab's source.

Numba invalidates a cached kernel only when the file that *defines* it changes, not when a
function it calls from another module does (e.g. the random-number primitives in
``theorylab.random``, or a rule's step called by a claim's kernel).  Keying the cache folder by
the hash of every source file whose Numba functions other modules call (the random streams, the
update rules, the engine: everything but the claim modules, whose kernels are leaves) makes any
such edit start from a clean cache, so a stale kernel can never be loaded; a claim module's own
kernels are invalidated by Numba itself when that file changes.  The folder is
``$NUMBA_CACHE_DIR/theorylab-<hash>`` when ``NUMBA_CACHE_DIR`` is set, else
``$XDG_CACHE_HOME/theorylab/numba-<hash>`` (``~/.cache`` by default).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def source_hash() -> str:
    h = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        text = path.read_bytes()
        if b"njit" in text and path.parent.name != "claims":
            h.update(str(path.relative_to(root)).encode())
            h.update(text)
    return h.hexdigest()[:16]


def configure() -> str:
    """Set ``numba.config.CACHE_DIR`` (must run before any ``@njit(cache=True)`` is defined)."""
    import numba

    key = source_hash()
    base = os.environ.get("NUMBA_CACHE_DIR")
    if base:
        path = os.path.join(base, f"theorylab-{key}")
    else:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = os.path.join(home, "theorylab", f"numba-{key}")
    numba.config.CACHE_DIR = path
    return path
