"""When WeasyPrint or pydyf are not what reportc's compat layer was written for, the PDF
still builds, laid out by WeasyPrint alone in one pass, after one warning."""

from __future__ import annotations

import re

import pytest
import weasyprint
from conftest import build_root, copy_root

import reportc.pdf.schedule
from reportc.pdf import compat
from reportc.pdf.compat import internals, patches


def _texts(built) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text().replace("\u00a0", " ")).strip()
            for page in built.pdf.pages]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):
    """The fixture report built with the compat layer engaged (part by part)."""
    compat.disengage()
    return build_root(copy_root("basic", tmp_path_factory.mktemp("engaged")), formats=("pdf",))


@pytest.fixture
def part_jobs(monkeypatch) -> list[str]:
    laid_out: list[str] = []
    real = reportc.pdf.schedule._Parts._draft_task

    def recording(self, part):
        laid_out.append(part)
        return real(self, part)

    monkeypatch.setattr(reportc.pdf.schedule._Parts, "_draft_task", recording)
    return laid_out


def _mismatch_version(monkeypatch) -> str:
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    return "weasyprint 71.0 (pinned: 70.0)"


def _missing_private_name(monkeypatch) -> str:
    """As if a new WeasyPrint had renamed a function reportc uses (deleting a real one
    would break WeasyPrint itself)."""
    monkeypatch.setitem(internals._NAMES, "leader_index",
                        ("weasyprint.layout.leader", "find_leader"))
    return "find_leader"


@pytest.mark.parametrize("mismatch", [_mismatch_version, _missing_private_name])
def test_a_mismatch_falls_back_to_one_native_pass_with_one_warning(
        mismatch, reference, part_jobs, tmp_path, monkeypatch, caplog):
    compat.disengage()  # WeasyPrint's own code, as a fresh process would find it
    reason = mismatch(monkeypatch)
    try:
        first = build_root(copy_root("basic", tmp_path / "a"), formats=("pdf",))
        again = build_root(copy_root("basic", tmp_path / "b"), formats=("pdf",))
        warned = [r.getMessage() for r in caplog.records if r.getMessage().endswith("[compat]")]
        assert len(warned) == 1, warned
        assert reason in warned[0] and "one WeasyPrint pass" in warned[0]
        assert part_jobs == [], "laid out in one pass, not part by part"
        assert weasyprint.layout.LayoutContext._update_footnote_area is not \
            patches._update_footnote_area, "WeasyPrint's own code"
        assert _texts(first) == _texts(reference)  # same pages, same text on each
        assert _texts(again) == _texts(reference)
    finally:
        compat.disengage()


def test_nothing_is_patched_on_import() -> None:
    compat.disengage()
    import importlib

    import reportc.pdf.layout
    importlib.reload(reportc.pdf.layout)
    assert weasyprint.layout.LayoutContext._update_footnote_area is not \
        patches._update_footnote_area
    assert compat.engage()
    assert weasyprint.layout.LayoutContext._update_footnote_area is patches._update_footnote_area
