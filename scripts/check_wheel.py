"""Build reportc's wheel, install it into a fresh venv and build a report with its command.

This is what a team does in its own report repository (``pip install reportc@git+...``),
so a resource that is not package data (the theme, a pandoc filter) fails here, not there.
The fresh venv does not see this checkout; it borrows only the third-party libraries of
the running interpreter's environment (a path in a ``.pth`` file, whose own ``.pth``
files, such as an editable install of reportc, are not processed), so no download is needed
beyond the build backend.

    python scripts/check_wheel.py [REPORT_DIR]   (default: a report made by `reportc new`)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"check_wheel: {' '.join(map(str, args))} failed:\n"
                         f"{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def build_wheel(folder: Path) -> Path:
    """The wheel, built from a copy of the sources (setuptools writes build/ and *.egg-info
    beside them, and this checkout's build/ holds release editions)."""
    source = folder / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "out", "build", "dist", "*.egg-info", "__pycache__", "tests", "bench",
        ".pytest_cache", ".ruff_cache"))
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
        "--disable-pip-version-check", str(source), "-w", folder)
    (wheel,) = folder.glob("reportc-*.whl")
    return wheel


def fresh_venv(folder: Path) -> Path:
    """A venv without pip or this checkout, seeing only the current libraries."""
    run(sys.executable, "-m", "venv", "--without-pip", folder)
    python = folder / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .strip())
    paths = sysconfig.get_paths()
    libraries = dict.fromkeys([paths["purelib"], paths["platlib"]])  # once each, in order
    (site / "borrowed-libraries.pth").write_text("".join(f"{p}\n" for p in libraries),
                                                 encoding="utf-8")
    return python


def check(report: Path | None) -> float:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reportc-wheel-") as temporary:
        tmp = Path(temporary)
        wheel = build_wheel(tmp / "dist")
        python = fresh_venv(tmp / "venv")
        run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
            "--no-index", "--disable-pip-version-check", wheel)
        where = run(python, "-c", "import reportc.editions.theme as p, reportc; "
                                  "import reportc.charts.early as e; print(reportc.__file__); "
                                  "print(p.DEFAULT_THEME); print(e.default_theme())", cwd=tmp)
        code, theme, charts_theme = where.split()
        venv = (tmp / "venv").resolve()
        if not (Path(code).resolve().is_relative_to(venv) and
                Path(theme).resolve().is_relative_to(venv)):
            raise SystemExit(f"check_wheel: the installed reportc runs from {code} with the "
                             f"theme {theme}, not from the venv")
        if charts_theme != theme:  # else the renderer started early is never adopted
            raise SystemExit(f"check_wheel: the chart renderer's early start takes the theme "
                             f"{charts_theme}, the build {theme}")
        copy = tmp / "report"
        if report is None:  # a new report, from the installed scaffold
            run(tmp / "venv" / "bin" / "reportc", "new", copy, "--pin", "reportc", cwd=tmp)
        else:
            shutil.copytree(report, copy, ignore=shutil.ignore_patterns("out"))
        run(tmp / "venv" / "bin" / "reportc", copy, "--strict", "-q", cwd=tmp)
        pdfs = list((copy / "out").glob("*.pdf"))
        htmls = list((copy / "out").glob("*.html"))
        if not (pdfs and htmls and pdfs[0].read_bytes().startswith(b"%PDF")):
            raise SystemExit("check_wheel: the installed reportc wrote no PDF and HTML")
    return time.perf_counter() - started


def main() -> int:
    report = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else None
    seconds = check(report)
    what = report.name if report else "a report made by `reportc new`"
    print(f"check_wheel: the wheel installs into a fresh venv and builds {what} strictly "
          f"({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
