"""The site after a one-chapter edit (issue #28 item 7): only the pages whose content
changed are rendered again (the edited chapter's, those whose cross-reference text it
changed, the landing page when its lists changed), the search index is written anew, and
the site equals a clean build of the edited text byte for byte."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import build_root, copy_root

RENDERED = "site: rendered "


def site_files(out: Path) -> dict[str, bytes]:
    site = out / "site"
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def rendered(caplog: pytest.LogCaptureFixture) -> set[str]:
    return {r.getMessage().removeprefix(RENDERED) for r in caplog.records
            if r.getMessage().startswith(RENDERED)}


def with_lists(root: Path) -> Path:
    """The fixture with lists of figures and tables on its landing page."""
    config = root / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lists: [figures, tables]\n",
                      encoding="utf-8")
    return root


def edit(root: Path, chapter: str, old: str, new: str) -> None:
    path = root / "chapters" / chapter
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


TABLE = "| Field | Depth |\n|---|---|\n| Space | low |\n\n: An earlier table. {#tbl-early}\n\n"


@pytest.mark.parametrize("chapter, old, new, expected", [
    # text in one chapter: that chapter's page alone
    ("02-defence.md", "Back to @sec-intro", "Turn back to @sec-intro",
     {"ch-02-defence.html"}),
    # a table before the one chapter 2 cites: its "Table 2" text changes, and the
    # landing page's list of tables
    ("01-intro.md", "## Scope", TABLE + "## Scope",
     {"sec-intro.html", "ch-02-defence.html", "index.html"}),
])
def test_only_changed_pages_are_rendered_and_the_site_is_a_clean_builds(
        chapter, old, new, expected, tmp_path, caplog):
    root = with_lists(copy_root("basic", tmp_path / "edited"))
    caplog.set_level(logging.DEBUG, logger="reportc.site.edition")
    build_root(root, formats=("site",))
    first = rendered(caplog)
    assert {"index.html", "sec-intro.html", "ch-02-defence.html", "bibliography.html"} \
        <= first
    before = site_files(root / "out")
    caplog.clear()
    edit(root, chapter, old, new)
    build_root(root, formats=("site",))
    again = rendered(caplog)
    clean = with_lists(copy_root("basic", tmp_path / "clean"))
    edit(clean, chapter, old, new)
    build_root(clean, formats=("site",))
    after = site_files(root / "out")
    assert after == site_files(clean / "out")
    changed = {name for name in after if after[name] != before.get(name)}
    assert again == expected
    assert {name for name in changed if name.endswith(".html")} == expected
    assert "assets/search-index.js" in changed
