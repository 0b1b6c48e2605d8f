"""When WeasyPrint or pydyf are not what reportc's compat layer was written for, the PDF
still builds, laid out by WeasyPrint alone in one pass, after one warning."""

from __future__ import annotations

import re
import subprocess
import sys

import pypdf
import pytest
from conftest import Built, SharedBuilds, copy_root


def _texts(reader: pypdf.PdfReader) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text().replace("\u00a0", " ")).strip()
            for page in reader.pages]


@pytest.fixture(scope="module")
def reference(shared: SharedBuilds) -> Built:
    """The fixture report built with the compat layer engaged (part by part, as every build
    is; the session's shared build)."""
    return shared.build("basic", formats=("pdf",))


# Each mismatch is simulated in a fresh process (as a user's build would meet it): the
# fallback's one-pass build leaves nothing behind in the test process.
MISMATCHES = {
    "version": ("import weasyprint; weasyprint.__version__ = '71.0'",
                "weasyprint 71.0 (pinned: 70.0)"),
    # as if a new WeasyPrint had renamed a function reportc uses (deleting a real one
    # would break WeasyPrint itself)
    "renamed": ("from reportc.pdf.compat import internals; internals._NAMES['leader_index'] = "
                "('weasyprint.layout.leader', 'find_leader')", "find_leader"),
}
_BUILD = ("import reportc.pdf.schedule as s\n"
          "def refuse(*args): raise AssertionError('laid out part by part')\n"
          "s._Parts.run = refuse\n"
          "from reportc.commands.cli import main\n"
          "raise SystemExit(main([{root!r}, '--format', 'pdf']))\n")


@pytest.mark.parametrize("mismatch", sorted(MISMATCHES))
def test_a_mismatch_falls_back_to_one_native_pass_with_one_warning(mismatch, reference,
                                                                   tmp_path):
    setup, reason = MISMATCHES[mismatch]
    project = copy_root("basic", tmp_path)
    done = subprocess.run([sys.executable, "-c", setup + "\n" + _BUILD.format(root=str(project))],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if line.endswith("[compat]")]
    assert len(warned) == 1, done.stderr
    assert reason in warned[0] and "one WeasyPrint pass" in warned[0]
    fallback = pypdf.PdfReader(project / "out/fixture.pdf")
    assert _texts(fallback) == _texts(reference.pdf)  # same pages, same text on each


def test_nothing_is_patched_on_import() -> None:
    """Importing reportc (its PDF modules included) leaves WeasyPrint as it is."""
    probe = ("import reportc.build, reportc.pdf.layout, reportc.pdf.stage\n"
             "from weasyprint.layout import LayoutContext\n"
             "from reportc.pdf.compat import engage, patches\n"
             "assert LayoutContext._update_footnote_area is not patches._update_footnote_area\n"
             "assert engage()\n"
             "assert LayoutContext._update_footnote_area is patches._update_footnote_area\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_the_command_line_does_not_load_weasyprint_before_a_pdf_is_laid_out() -> None:
    """A rebuild with nothing to do takes a quarter of a second; importing WeasyPrint alone
    takes half a second more, so the PDF modules it needs load only when a PDF is laid out."""
    probe = ("import sys, reportc, reportc.build, reportc.commands.cli\n"
             "assert 'weasyprint' not in sys.modules, 'weasyprint'\n"
             "assert 'pikepdf' not in sys.modules, 'pikepdf'\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
