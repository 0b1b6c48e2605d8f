"""Finding the C libraries WeasyPrint loads, without a compiler.

WeasyPrint opens Pango, HarfBuzz, GObject and fontconfig by trying several names for each
(``libpango-1.0-0``, ``pango-1.0-0``, ``pango-1.0``, ``libpango-1.0.so.0``, ...). cffi
hands a name without a path to :func:`ctypes.util.find_library`, which on Linux runs
``ldconfig -p`` and then, for a name ldconfig does not list, ``gcc`` and ``ld``: about 38
processes and 0.11 s of CPU each time WeasyPrint is imported, in the zygote's warm-up that
an edit's layout waits for. While WeasyPrint is imported (:func:`quick_library_lookup`),
names are looked up in ldconfig's list, read once, with the pattern ctypes uses; a name
the list lacks is not looked for with a compiler: the name WeasyPrint tries after it
(``libpango-1.0.so.0``) is opened by the dynamic loader itself, which is how the import
succeeds today. Elsewhere than on Linux, or without ldconfig, nothing changes.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator

# ctypes.util._findSoname_ldconfig's names for a 64-bit machine's ABI in ldconfig's list
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}
LDCONFIG = "/sbin/ldconfig"


@functools.cache
def _listed() -> str | None:
    """ldconfig's list of libraries (``None`` if it cannot be read)."""
    try:
        done = subprocess.run([LDCONFIG, "-p"], capture_output=True, check=False,
                              env={"LC_ALL": "C", "LANG": "C"}, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return os.fsdecode(done.stdout) if done.returncode == 0 else None


def listed_library(name: str) -> str | None:
    """The file name ldconfig lists for library ``name`` (``pango-1.0`` ->
    ``libpango-1.0.so.0``), as ctypes finds it in that list; ``None`` if it is not there."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = _ABI.get(machine, "libc6")
    found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}",
                      _listed() or "")
    return found.group(1) if found else None


@contextlib.contextmanager
def quick_library_lookup() -> Iterator[None]:
    """While the block runs (WeasyPrint's import), :func:`ctypes.util.find_library`
    answers from ldconfig's list alone."""
    real = ctypes.util.find_library
    if not sys.platform.startswith("linux") or _listed() is None:
        yield
        return
    ctypes.util.find_library = listed_library
    try:
        yield
    finally:
        ctypes.util.find_library = real
