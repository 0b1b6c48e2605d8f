"""reportc: Markdown chapters and a BibTeX file in, a cited PDF and HTML report out.

The public API is what ``__all__`` lists::

    from reportc import BuildOptions, ReportError, build

    try:
        result = build(BuildOptions(root=Path("my-report")))
    except ReportError as exc:
        print(exc)

Everything else is internal. The names are imported eagerly: ``reportc.build`` is both
the module and the function, and only an eager import keeps ``reportc.build`` the
function whatever was imported first (``import reportc`` takes about 0.15 s; WeasyPrint
is imported only when a PDF is built). Library messages go to the ``reportc`` logger,
which has a ``NullHandler``: an application sees them once it configures logging.
"""

import logging

from reportc.version import __version__

logging.getLogger("reportc").addHandler(logging.NullHandler())

from reportc.build import BuildOptions, BuildResult, build  # noqa: E402 (after the handler)
from reportc.errors import ReportError  # noqa: E402

__all__ = ["BuildOptions", "BuildResult", "ReportError", "__version__", "build"]
