"""A folder of computed results, one ``.npz`` and one ``.json`` per task, keyed by what computed them.

An entry is the pair ``<key>.npz`` (the result's arrays, written without pickle and read with
``allow_pickle=False``) and ``<key>.json`` (``{"payload": {...}, "sha256": ...}``: the task's
identity, theorylab's version and source hash, the SHA-256 of the npz bytes and the result's JSON
record, then the SHA-256 of the payload's canonical JSON).  The key (:func:`key`) is the SHA-256 of
the canonical JSON of the task's identity, theorylab's version and :func:`package_hash`, so an edited
package never serves a result of another version.

Both files are written atomically (a temporary file in the store's folder, then :func:`os.replace`),
the npz first and the JSON last: an entry is complete once its JSON exists.  :meth:`Store.get`
verifies both checksums and the key, so a truncated, corrupted or half-written entry is a miss
(recomputed and overwritten), never loaded.  Two processes writing the same entry replace whole
files; the npz bytes are a deterministic function of the arrays, so the entry stays consistent.

>>> store = Store("theorylab-out/store")                                      # doctest: +SKIP
>>> task = {"name": "demo", "params": {"n": 3}, "seed": 0}
>>> store.put(task, {"x": np.arange(3.0)}, {"note": "three"})                 # doctest: +SKIP
>>> arrays, record = store.get(task)                                          # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ._numba_cache import package_hash

__all__ = ["Store", "StoreError", "key", "canonical_json"]

_FORMAT = 1
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed member timestamp keeps the npz bytes deterministic
_log = logging.getLogger(__name__)


class StoreError(OSError):
    """The store's folder cannot be created or written."""


def _jsonable(x: Any, tag_nonfinite: bool = True) -> Any:
    """``x`` as strict JSON values: tuples as lists, numpy scalars and arrays as numbers and lists,
    non-finite floats as ``{"float": "nan" | "inf" | "-inf"}`` (a ValueError if not ``tag_nonfinite``)."""
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist(), tag_nonfinite)
    if isinstance(x, np.generic):
        return _jsonable(x.item(), tag_nonfinite)
    if isinstance(x, float):
        if math.isfinite(x):
            return x
        if not tag_nonfinite:
            raise ValueError(f"a stored record holds no non-finite float ({x}); write it as text")
        return {"float": str(x)}
    if isinstance(x, dict):
        bad = [k for k in x if not isinstance(k, str)]
        if bad:
            raise TypeError(f"mapping keys must be strings, got {bad[0]!r}")
        return {k: _jsonable(v, tag_nonfinite) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v, tag_nonfinite) for v in x]
    if x is None or isinstance(x, (bool, int, str)):
        return x
    raise TypeError(f"{type(x).__name__} value {x!r} is not a JSON value (numbers, strings, lists, "
                    f"string-keyed dicts, numpy scalars and arrays)")


def canonical_json(x: Any) -> str:
    """The canonical JSON text of ``x`` (see :func:`_jsonable`): sorted keys, no spaces, ASCII."""
    return json.dumps(_jsonable(x), sort_keys=True, separators=(",", ":"), allow_nan=False)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _versioned(identity: dict[str, Any]) -> dict[str, Any]:
    from . import __version__

    return dict(task=identity, theorylab=__version__, source=package_hash())


def key(identity: dict[str, Any]) -> str:
    """The store key of a task: SHA-256 (hex) of the canonical JSON of its ``identity`` (what is
    computed: name, parameters, seed), theorylab's version and the hash of its source files."""
    return _sha256(canonical_json(_versioned(identity)).encode())


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The ``.npz`` (uncompressed zip of ``.npy`` members) of ``arrays``, byte-reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            a = np.asarray(arrays[name])
            if a.dtype.hasobject:
                raise TypeError(f"array {name!r} has dtype object; a stored array must be numeric, boolean or text")
            with zf.open(zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE), "w", force_zip64=True) as f:
                np.lib.format.write_array(f, a, allow_pickle=False)
    return buf.getvalue()


class Store:
    """The results under the folder ``root``, created if missing.

    Raises :class:`StoreError`, naming the folder, when it cannot be created or a file cannot be
    written in it (probed by writing one), so that an unusable store fails before any work starts.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=self.root, prefix=".probe-")
            os.close(fd)
            os.unlink(probe)
        except OSError as e:
            raise StoreError(f"store directory {str(self.root)!r} is not writable: {e.strerror or e}") from e

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    def _paths(self, k: str) -> tuple[Path, Path]:
        return self.root / f"{k}.npz", self.root / f"{k}.json"

    def get(self, identity: dict[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
        """The ``(arrays, record)`` stored for the task ``identity``; None when missing, incomplete or
        corrupted (a checksum, the key or the format does not match: logged as a warning)."""
        k = key(identity)
        npz_path, json_path = self._paths(k)
        try:
            text = json_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            doc = json.loads(text)
            payload = doc["payload"]
            if _sha256(canonical_json(payload).encode()) != doc["sha256"]:
                raise ValueError("the record's checksum does not match")
            if payload["format"] != _FORMAT or payload["key"] != k:
                raise ValueError(f"format {payload['format']!r} / key {payload['key']!r} do not match")
            data = npz_path.read_bytes()
            if _sha256(data) != payload["npz_sha256"]:
                raise ValueError("the arrays' checksum does not match")
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            return arrays, payload["record"]
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as e:
            _log.warning("theorylab store: ignoring the damaged entry %s in %s (%s); it will be recomputed",
                         k, self.root, e)
            return None

    def put(self, identity: dict[str, Any], arrays: dict[str, np.ndarray], record: dict[str, Any]) -> None:
        """Store the result of the task ``identity``: ``arrays`` (numeric, boolean or text, no pickle) and
        the JSON ``record`` (finite numbers, strings, lists, string-keyed dicts)."""
        k = key(identity)
        data = _npz_bytes(arrays)
        payload = dict(format=_FORMAT, key=k, **_versioned(identity), npz_sha256=_sha256(data),
                       record=_jsonable(record, tag_nonfinite=False))
        payload = json.loads(canonical_json(payload))
        doc = dict(payload=payload, sha256=_sha256(canonical_json(payload).encode()))
        npz_path, json_path = self._paths(k)
        self._replace(npz_path, data)
        self._replace(json_path, json.dumps(doc, indent=1, sort_keys=True, allow_nan=False).encode())

    def _replace(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
