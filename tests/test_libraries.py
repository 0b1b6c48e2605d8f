"""WeasyPrint's C libraries found without a compiler (reportc/pdf/libraries.py): the same
answers as ctypes for every name WeasyPrint tries, and no gcc or ld run while WeasyPrint
is imported."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest

from reportc.pdf.libraries import listed_library, quick_library_lookup

REPO = Path(__file__).resolve().parent.parent
# what weasyprint/text/ffi.py tries for each library it opens (the names without a path)
NAMES = ["libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libpango-1.0-0", "pango-1.0-0",
         "pango-1.0", "libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz-subset-0",
         "harfbuzz-subset", "libfontconfig-1", "fontconfig-1", "fontconfig",
         "libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0", "c", "m"]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or
                                not Path("/sbin/ldconfig").exists(),
                                reason="ldconfig's list is read on Linux only")


@pytest.mark.parametrize("name", NAMES)
def test_a_listed_library_is_the_one_ctypes_finds(name):
    found = ctypes.util.find_library(name)
    assert listed_library(name) == (found if found and found.startswith("lib") else None)


def test_the_lookup_is_set_back_after_the_block():
    real = ctypes.util.find_library
    with quick_library_lookup():
        assert ctypes.util.find_library is listed_library
    assert ctypes.util.find_library is real


def test_importing_weasyprint_runs_no_compiler():
    """Counted with an audit hook on the processes Python starts in the import."""
    script = ("import sys; started = []\n"
              "sys.addaudithook(lambda event, args: started.append(str(args[1][0])) "
              "if event == 'subprocess.Popen' else None)\n"
              "from reportc.pdf.libraries import quick_library_lookup\n"
              "with quick_library_lookup():\n    import weasyprint\n"
              "print(sorted(set(started)))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, check=True, timeout=120)
    started = done.stdout.strip().splitlines()[-1]
    assert "gcc" not in started and "ld'" not in started and "ldconfig" in started
