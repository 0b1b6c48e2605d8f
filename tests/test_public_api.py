"""``reportc``'s public API is imported on first use (PEP 562), so that a module of the
package (the command's entry point) can run before the build is imported; ``reportc.build``
stays the function whatever was imported first, as it was when the names were imported
eagerly."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Each probe runs in a fresh interpreter: the order of the imports is the point.
ORDERS = {
    "the module first": "import reportc.build\nfrom reportc import build\n",
    "the function first": "from reportc import build\nimport reportc.build\n",
    "the command line first": "import reportc.commands.cli\nfrom reportc import build\n",
    "the package, then the module": "import reportc\nimport reportc.build\n"
                                    "build = reportc.build\n",
    "the module's names": "from reportc.build import build\nimport reportc\n"
                          "assert reportc.build is build\n",
}


@pytest.mark.parametrize("imports", ORDERS.values(), ids=ORDERS.keys())
def test_reportc_build_is_the_function_whatever_was_imported_first(imports: str) -> None:
    probe = (imports + "import sys, types, reportc\n"
             "assert isinstance(build, types.FunctionType), build\n"
             "assert reportc.build is build is sys.modules['reportc.build'].build\n"
             "from reportc import BuildOptions, BuildResult, ReportError\n"
             "assert BuildOptions is sys.modules['reportc.build'].BuildOptions\n"
             "assert ReportError is sys.modules['reportc.errors'].ReportError\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_a_module_of_the_package_does_not_import_the_build() -> None:
    """The entry point and the chart renderer's early start import only the standard
    library (and reportc's version) before the renderer starts."""
    probe = ("import sys, reportc, reportc.commands.entry\n"
             "print(sorted(m for m in sys.modules if m.startswith('reportc')))\n"
             "print(sorted(m for m in ('yaml', 'jinja2', 'pypandoc', 'weasyprint') "
             "if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    loaded, libraries = done.stdout.splitlines()
    assert loaded == repr(["reportc", "reportc.charts", "reportc.charts.early",
                           "reportc.commands", "reportc.commands.entry", "reportc.version"])
    assert libraries == "[]"


def test_an_unknown_name_is_an_attribute_error_and_dir_lists_the_api() -> None:
    import reportc

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = reportc.nothing  # type: ignore[attr-defined]
    assert set(reportc.__all__) <= set(dir(reportc))
