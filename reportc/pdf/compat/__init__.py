"""The only code that touches WeasyPrint or pydyf internals (pinned: WeasyPrint 70.0,
pydyf 0.13.0): :mod:`~reportc.pdf.compat.patches` (speed and footnote fixes to WeasyPrint's
layout, a lower deflate level in pydyf) and :mod:`~reportc.pdf.compat.restamp` (final page
numbers drawn into laid-out pages, which the part-by-part layout needs); and one of
tinyhtml5, WeasyPrint's HTML parser (pinned 2.1.0): :mod:`~reportc.pdf.compat.parser`
(its cache of regular expressions made to find what it stores), applied by :func:`engage`
whatever WeasyPrint's version.

Nothing happens on import. The PDF stage calls :func:`engage`: if the installed versions
are the pinned ones and every private name is where :mod:`~reportc.pdf.compat.internals`
expects it, the patches are applied (once per process) and the PDF is laid out part by
part. Otherwise the PDF stage reports a warning (code ``compat``, which ``silence:``
drops) and lays the PDF out in WeasyPrint's own one pass ("native" mode, as for a theme
without ``css/parts.css``): correct, slower, and without the footnote fixes the pinned
version needs.

Upgrading WeasyPrint or pydyf:

1. Pin the new versions in ``pyproject.toml`` and ``requirements.lock``; build once: the
   warning names what does not match, and the build still works in one pass.
2. For each patch in ``patches.py``, read the new version's code of the function it
   replaces (named in its docstring). Drop a fix the new version makes; port the others.
   Update ``_NAMES``/``_REQUIRED`` in ``internals.py`` to the names now used.
3. Set ``internals.PINNED`` to the new versions.
4. Run ``tests/test_weasyprint_patches.py`` (byte-identical layout with and without the
   speed patches, the footnote regressions), ``tests/test_restamp.py`` and
   ``tests/test_paginate.py`` (part-by-part equals one pass), then the whole suite, and
   compare the flagship's PDF text and page images with the last release's.
"""

from __future__ import annotations

import threading

from reportc.pdf.compat import internals, parser, patches, tags
from reportc.pdf.compat.internals import Internals

_lock = threading.Lock()
_state: dict[str, Internals | None] = {}  # "engaged": the internals, or None (fallback)
_reasons: dict[str, str] = {}  # "why": what did not match, when engage() fell back


def engage() -> bool:
    """Apply the patches if the installed WeasyPrint and pydyf match the pinned versions
    and internals; ``False`` means: lay out in one pass (:func:`mismatch` says why)."""
    with _lock:
        if "engaged" not in _state:
            parser.apply()  # tinyhtml5's own: whichever way the page is laid out
            found, why = internals.resolve()
            if found is None:
                _reasons["why"] = why
            else:
                patches.apply(found)
                tags.apply()  # the structure tree builder (same pinned WeasyPrint)
            _state["engaged"] = found
        return _state["engaged"] is not None


def mismatch() -> str:
    """Why :func:`engage` fell back to one pass (``""`` if it did not, or was not called):
    the PDF stage reports it as a warning of the build, code ``compat``."""
    return _reasons.get("why", "") if _state.get("engaged", True) is None else ""


def engaged() -> bool:
    """Did :func:`engage` apply the patches in this process (or the one it was forked from)?"""
    return _state.get("engaged") is not None


def in_use() -> Internals:
    """The internals the patches were applied with (:func:`engage` returned ``True``)."""
    found = _state.get("engaged")
    if found is None:
        raise RuntimeError("reportc.pdf.compat.engage() did not succeed")
    return found


def disengage() -> None:
    """Restore WeasyPrint's own code and forget the outcome (tests)."""
    with _lock:
        found = _state.pop("engaged", None)
        _reasons.clear()
        parser.remove()
        if found is not None:
            patches.remove(found)
            tags.remove()
