"""Writing the requested editions: each from the cache when its key is known, else by
its own :meth:`~reportc.editions.base.Edition.write`, then stored under that key. The
build calls :func:`write_editions` with no knowledge of any particular edition."""

from __future__ import annotations

import json
from pathlib import Path

from reportc.cache import BuildCache, digest
from reportc.editions.base import Edition, Made, Pending
from reportc.editions.conditional import for_edition

KIND = "edition"  # cache kind of an edition's list of files (name -> blob key)
FILE_KIND = "edition-file"  # cache kind of one file's bytes, keyed by their digest


def write_editions(editions: list[Edition], made: Made, folder: Path) -> None:
    """Write every edition into ``folder`` (the staging folder), in registry order, each
    having begun what it can begin at once (:meth:`Edition.begin`); then finish what each
    left :class:`~reportc.editions.base.Pending` and store the cached ones (an edition's
    files are complete only then)."""
    written: list[tuple[Edition, str | None, Pending | None]] = []
    kinds = {kind: for_edition(made, kind) for kind in {edition.shows for edition in editions}}
    try:
        for edition in editions:
            edition.begin(kinds[edition.shows], folder)
        for edition in editions:
            own = kinds[edition.shows]  # the chapters as it shows them
            key = edition.key(own)
            if key is not None and _restore(made.cache, edition, key, folder):
                continue
            written.append((edition, key, edition.write(own, folder)))
        for edition, key, pending in written:
            if pending is not None:
                pending.finish()
            if key is not None and not made.diag.errors:
                _store(made.cache, edition, key, folder, edition.outputs(made))
    finally:
        for _, _, pending in written:
            if pending is not None:
                pending.close()


def _restore(cache: BuildCache, edition: Edition, key: str, folder: Path) -> bool:
    """Put the edition's cached files into ``folder``; False if any is missing."""
    listing = cache.get(KIND, f"{edition.name}:{key}")
    if listing is None:
        return False
    files: dict[str, bytes] = {}
    for name, blob in json.loads(listing).items():
        data = cache.get_bytes(FILE_KIND, blob)
        if data is None:
            return False
        files[name] = data
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return True


def _store(cache: BuildCache, edition: Edition, key: str, folder: Path,
           names: list[str]) -> None:
    listing: dict[str, str] = {}
    for name in names:
        path = folder / name
        if path.is_file():
            data = path.read_bytes()
            listing[name] = digest(data)
            cache.put_bytes(FILE_KIND, listing[name], data)
    cache.put(KIND, f"{edition.name}:{key}", json.dumps(listing, sort_keys=True))
