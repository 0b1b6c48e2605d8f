"""The chart renderer started at the command line's first line (#27 item 6).

Importing the build takes 0.4 s of CPU (more on a busy machine); started after it, the
renderer's own start-up (a JavaScript engine: 0.45 s of CPU) would lie on the build's
critical path: the chapters wait for their drawings. The command's entry point
(:mod:`reportc.commands.entry`, also behind ``build.py``) imports this module first (it
imports nothing but the standard library) and :func:`spawn` starts the renderer's
process when the report the command line names has a chart and its cache no drawing; the
build adopts it (:func:`reportc.charts.engine.adopt`) if its fonts are those of the
report's theme, else ends it. A guess that misses starts nothing, and the build starts
the renderer itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VL_VERSION = "6.4"  # the Vega-Lite version specs are read as (pinned: same bytes)
WORKER = Path(__file__).resolve().with_name("worker.py")  # stdlib only: runs with -I
# the build cache's index (reportc.cache's CACHE_DIR / INDEX; a test keeps them equal)
CACHE_INDEX = Path(".reportc-cache") / "index.json"
# build options that take a value (reportc.commands.cli): the word after is not the folder
VALUED = {"--out", "--format", "--sources", "-j", "--jobs", "--port", "--version-label",
          "--status"}
COMMANDS = {"diff", "comments", "new"}  # the other commands: no build of a report folder
PAGE_TEMPLATE = "report.html.j2"  # what makes a folder a theme (reportc.editions.theme's)


def has_charts(texts: list[str]) -> bool:
    """Whether any chapter may hold a chart (cheap: decides whether to start the engine)."""
    return any(".chart" in text or ".vl." in text for text in texts)


def worker_command(font_folders: list[str]) -> list[str]:
    """The renderer's process: the worker, the Vega-Lite version, the theme's fonts."""
    return [sys.executable, "-I", str(WORKER), VL_VERSION, *font_folders]


def start(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, encoding="utf-8")


def build_folders(argv: list[str]) -> tuple[Path, Path, bool] | None:
    """The report folder, the output folder and whether the cache is used, as a build
    command line gives them; ``None`` for another command (and a watch session, whose
    renderer starts with its first build)."""
    if argv[:1] and argv[0] in COMMANDS:
        return None
    if {"-h", "--help", "--version", "--watch"} & set(argv):
        return None
    root, out, skip = None, None, False
    for arg, after in zip(argv, [*argv[1:], ""], strict=False):  # the word after each
        if skip:
            skip = False
        elif arg == "--out" or arg.startswith("--out="):
            out, skip = Path(after if arg == "--out" else arg[6:]), arg == "--out"
        elif arg in VALUED:
            skip = True
        elif not arg.startswith("-") and root is None:
            root = Path(arg)
    root = root or Path(".")
    return root, out or root / "out", "--no-cache" not in argv


def default_theme() -> Path:
    """The default theme's folder, as :data:`reportc.editions.theme.DEFAULT_THEME` finds it
    (a test keeps them equal): package data ``reportc/theme`` in an installed wheel, else
    the source tree's ``templates/``."""
    package = WORKER.parents[1]
    installed = package / "theme"
    return installed if (installed / PAGE_TEMPLATE).is_file() else package.parent / "templates"


def spawn(argv: list[str]) -> tuple[subprocess.Popen[str], list[str]] | None:
    """The renderer's process and its font folders, started if the report ``argv`` names
    has a chart (in ``chapters/``) that its cache has not drawn."""
    folders = build_folders(argv)
    if folders is None:
        return None
    root, out, cached = folders
    try:
        texts = [path.read_text(encoding="utf-8", errors="replace")
                 for path in sorted((root / "chapters").rglob("*.md"))]
        index = out / CACHE_INDEX
        drawn = cached and index.is_file() and \
            '"chart:' in index.read_text(encoding="utf-8", errors="replace")
        if drawn or not has_charts(texts):
            return None
        local = root / "templates"
        theme = local if (local / PAGE_TEMPLATE).is_file() else default_theme()
        fonts = [str(folder) for folder in [theme.resolve() / "fonts"] if folder.is_dir()]
        return start(worker_command(fonts)), fonts
    except OSError:
        return None
