"""The commit into ``out/`` leaves a file that holds the new bytes already as it is (no
copy, sync or rename: after an edit most files are unchanged), and replaces the others."""

from __future__ import annotations

import pytest
from conftest import build_root, copy_root

import reportc.output


def test_an_edit_replaces_only_the_files_that_changed(tmp_path, monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    root = copy_root("basic", tmp_path)
    first = build_root(root, formats=("html",))
    sheet = next(first.out.glob("assets/**/*.css"))
    kept, page = sheet.stat().st_ino, first.html_path.stat().st_ino
    synced: list[str] = []
    real = reportc.output._fsync
    monkeypatch.setattr(reportc.output, "_fsync",
                        lambda path: (synced.append(path.name), real(path))[1])
    chapter = root / "chapters/01-intro.md"
    chapter.write_text(chapter.read_text().replace("describe the ties", "describe these ties"))
    second = build_root(root, formats=("html",))
    assert sheet.stat().st_ino == kept
    assert second.html_path.stat().st_ino != page
    assert "describe these ties" in second.html_path.read_text(encoding="utf-8")
    assert synced == [second.html_path.name]  # the manifest lists the same files


def test_a_link_in_out_is_replaced_by_the_file(tmp_path) -> None:
    """A symbolic link holding the same bytes is not the artifact: it is replaced."""
    root = copy_root("basic", tmp_path)
    first = build_root(root, formats=("html",))
    copy = tmp_path / "elsewhere.html"
    copy.write_bytes(first.html_path.read_bytes())
    first.html_path.unlink()
    first.html_path.symlink_to(copy)
    build_root(root, formats=("html",), use_cache=False)
    assert not first.html_path.is_symlink()
    assert first.html_path.read_bytes() == copy.read_bytes()
