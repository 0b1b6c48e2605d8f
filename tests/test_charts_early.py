"""The chart renderer started before reportc is imported (#27 item 6): which command
lines start it, that the build adopts it only when its fonts are the report's theme's,
and that a build through ``build.py`` (which starts it early) gives the bytes of a build
that starts it itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reportc.cache import CACHE_DIR, INDEX
from reportc.charts import early, engine
from tests.conftest import REPO, build_root, copy_root


def test_the_cache_index_is_where_the_build_keeps_it() -> None:
    assert Path(CACHE_DIR) / INDEX == early.CACHE_INDEX


@pytest.mark.parametrize("argv, expected", [
    ([], (Path("."), Path("out"), True)),
    (["rep", "--format", "html,pdf", "-q"], (Path("rep"), Path("rep/out"), True)),
    (["--out", "elsewhere", "rep", "--no-cache"], (Path("rep"), Path("elsewhere"), False)),
    (["-j", "2", "--out=o", "rep"], (Path("rep"), Path("o"), True)),
    (["diff", "v1", "v2"], None),
    (["rep", "--watch"], None),
    (["--version"], None),
])
def test_the_report_and_output_folders_of_a_command_line(argv, expected) -> None:
    assert early.build_folders(argv) == expected


def test_only_a_report_with_an_undrawn_chart_starts_it(tmp_path: Path) -> None:
    plain = copy_root("basic", tmp_path)
    assert early.spawn([str(plain)]) is None
    charts = copy_root("charts", tmp_path)
    build_root(charts, formats=("html",))  # its cache now holds every drawing
    assert early.spawn([str(charts)]) is None
    started = early.spawn([str(charts), "--no-cache"])
    assert started is not None
    process, fonts = started
    engine.adopt(started)
    assert engine._adopted(["/elsewhere/fonts"]) is None  # another theme's: ended
    assert process.wait(timeout=60) is not None
    again = early.spawn([str(charts), "--no-cache"])
    assert again is not None
    engine.adopt(again)
    assert engine._adopted(fonts) is again[0]  # the report's theme's fonts: adopted
    assert engine._adopted(fonts) is None  # once
    again[0].stdin.close()
    again[0].wait(timeout=60)


def test_build_py_gives_the_same_bytes_as_a_build_that_starts_it_itself(tmp_path) -> None:
    root = copy_root("charts", tmp_path)
    build_root(root, out=tmp_path / "inside", formats=("html",), use_cache=False)
    done = subprocess.run([sys.executable, str(REPO / "build.py"), str(root), "--out",
                           str(tmp_path / "early"), "--format", "html", "--no-cache", "-q"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    inside = sorted((tmp_path / "inside").glob("*.html"))
    assert inside and [p.read_bytes() for p in inside] == \
        [(tmp_path / "early" / p.name).read_bytes() for p in inside]
