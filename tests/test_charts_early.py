"""The chart renderer started before the build is imported (#27 item 6): which command
lines start it, that the build adopts it only when its fonts are the report's theme's,
and that the installed ``reportc`` command and ``build.py`` (which start it early) give
the bytes of a build that starts it itself."""

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


def test_the_default_theme_is_the_one_the_build_finds() -> None:
    from reportc.editions.theme import DEFAULT_THEME, PAGE_TEMPLATE

    assert early.PAGE_TEMPLATE == PAGE_TEMPLATE
    assert early.default_theme() == DEFAULT_THEME


# Runs a command's script as its process would (runpy, __main__), recording every process
# it starts and whether the build was imported by then.
_SPY = ("import runpy, subprocess, sys\nstarted = []\nreal = subprocess.Popen.__init__\n"
        "def popen(self, args, *more, **options):\n"
        "    started.append(('reportc.build' in sys.modules, [str(a) for a in args]))\n"
        "    real(self, args, *more, **options)\n"
        "subprocess.Popen.__init__ = popen\n"
        "sys.argv = [{script!r}, *{argv!r}]\n"
        "try:\n    runpy.run_path({script!r}, run_name='__main__')\n"
        "except SystemExit as done:\n    assert not done.code, done.code\n"
        "print(repr([built for built, args in started if {worker!r} in args]))\n")


@pytest.mark.parametrize("script", ["installed", "build.py"])
def test_the_command_starts_the_renderer_before_the_build_is_imported(tmp_path, script):
    """The installed ``reportc`` command (the venv's console script) and ``build.py``: one
    renderer's process, started before ``reportc.build`` is imported, adopted by the build
    (it starts no other) and drawing the bytes of a build that starts it itself."""
    path = Path(sys.executable).parent / "reportc" if script == "installed" else \
        REPO / "build.py"
    assert path.is_file(), f"{path}: run `make .venv/.reportc-installed`"
    root = copy_root("charts", tmp_path)
    build_root(root, out=tmp_path / "inside", formats=("html",), use_cache=False)
    argv = [str(root), "--out", str(tmp_path / "early"), "--format", "html", "--no-cache",
            "-q"]
    probe = _SPY.format(script=str(path), argv=argv, worker=str(early.WORKER))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[False]", done.stdout  # once, before the build
    inside = sorted((tmp_path / "inside").glob("*.html"))
    assert inside and [p.read_bytes() for p in inside] == \
        [(tmp_path / "early" / p.name).read_bytes() for p in inside]
