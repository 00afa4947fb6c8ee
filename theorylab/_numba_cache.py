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

:func:`package_hash`, the hash of every source file, keys the result store the same way.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

_ROOT = Path(__file__).parent


def _tree_hash(include: Callable[[Path, bytes], bool]) -> str:
    """SHA-256 (hex) of the relative paths and bytes of theorylab's ``*.py`` files that ``include``."""
    h = hashlib.sha256()
    for path in sorted(_ROOT.rglob("*.py")):
        text = path.read_bytes()
        if include(path, text):
            h.update(str(path.relative_to(_ROOT)).encode())
            h.update(text)
    return h.hexdigest()


def source_hash() -> str:
    """16 hex digits keying the kernel cache: the source files defining Numba functions, claims excepted."""
    return _tree_hash(lambda path, text: b"njit" in text and path.parent.name != "claims")[:16]


@functools.cache
def package_hash() -> str:
    """SHA-256 (hex) of every theorylab source file, as first read in this process: keys stored results
    (:mod:`theorylab.store`), so that an edited package never serves a result of another version."""
    return _tree_hash(lambda path, text: True)


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
