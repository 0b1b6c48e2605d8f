"""reportc: Markdown chapters and a BibTeX file in, a cited PDF and HTML report out.

The public API is what ``__all__`` lists::

    from reportc import BuildOptions, ReportError, build

    try:
        result = build(BuildOptions(root=Path("my-report")))
    except ReportError as exc:
        print(exc)

Everything else is internal. The names are imported on first use (PEP 562): any module of
the package imports this one first, and the build behind ``build`` takes 0.4 s of CPU to
import, which the ``reportc`` command spends only after it has started the chart renderer
(:mod:`reportc.commands.entry`). ``reportc.build`` is both the module and the function:
the import system sets a loaded submodule as an attribute of its package, so the package
is a :class:`_Package`, which keeps the function under that name whatever was imported
first. Library messages go to the ``reportc`` logger, which has a ``NullHandler``: an
application sees them once it configures logging.
"""

from __future__ import annotations

import importlib
import logging
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from reportc.version import __version__

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports them
    from reportc.build import BuildOptions, BuildResult, build
    from reportc.errors import ReportError

logging.getLogger("reportc").addHandler(logging.NullHandler())

__all__ = ["BuildOptions", "BuildResult", "ReportError", "__version__", "build"]
_HOMES = {"BuildOptions": "reportc.build", "BuildResult": "reportc.build",
          "build": "reportc.build", "ReportError": "reportc.errors"}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'reportc' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(ModuleType):
    """The package's module: the import system's ``setattr(reportc, "build", module)``
    (done when ``reportc.build`` is first imported, by anyone) stores the function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "build" and isinstance(value, ModuleType) and \
                value.__name__ == "reportc.build":
            value = value.build
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
