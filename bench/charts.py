"""What charts cost (#27): a report with 20 charts against the same report with the charts
as static SVG files.

    .venv/bin/python bench/charts.py --runs 3

Two reports are generated into ``bench/projects/charts20`` and ``bench/projects/svg20``:
four chapters with five figures each and a paragraph before each figure, or (``--pages
50``) a report of that length from ``generate.py`` with the 20 figures added. In the
first every figure is a ``{.chart}`` code block reading its own CSV file; in the second
every figure is an image of the SVG
that the same spec draws (made once, beforehand, with the same renderer), so both
builds lay out the same drawings. Each run builds both clean (``--no-cache``, HTML and
PDF, a fresh process: the renderer's start-up is included), interleaved; the medians, the
minima (the least disturbed runs) and their ratios are printed, for wall time and for CPU
time (the build and every process it waited for: on a shared machine the CPU time is the
steadier measure). The goal is a ratio within 1.2.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = REPO / ".venv" / "bin" / "python"
MARKS = ("bar", "line", "point", "area", "tick")
WORDS = ["the", "harbour", "basins", "handled", "more", "cargo", "as", "ships", "grew", "and",
         "the", "tides", "allowed", "deeper", "drafts", "while", "the", "cranes", "along",
         "the", "quay", "were", "replaced"]


def spec_text(index: int) -> str:
    mark = MARKS[index % len(MARKS)]
    return (f"data: {{url: data/series{index:02d}.csv}}\nmark: {mark}\nwidth: 420\n"
            "encoding:\n  x: {field: year, type: ordinal, title: Year}\n"
            f"  y: {{field: value, type: quantitative, title: Series {index}}}\n")


def csv_text(index: int) -> str:
    rows = [f"{2000 + year},{(index * 7 + year * 13) % 50 + 10}" for year in range(12)]
    return "year,value\n" + "\n".join(rows) + "\n"


def prose(seed: int, sentences: int = 12) -> str:
    out = []
    for n in range(sentences):
        words = [WORDS[(seed * 31 + n * 7 + k * 3) % len(WORDS)] for k in range(18)]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def write_reports(charts: Path, static: Path, pages: int) -> None:
    """Both reports, with the same text; the static one's SVGs drawn by reportc itself.
    ``pages`` > 0: the prose is a report of that length from ``generate.py`` (with its
    own SVG figures), the 20 figures appended to its chapters in turn."""
    sys.path.insert(0, str(REPO))
    from reportc.charts.engine import start_engine
    from reportc.charts.spec import inline_data, parse_spec
    from reportc.charts.theme import chart_theme
    from reportc.editions.theme import DEFAULT_THEME

    engine = start_engine([DEFAULT_THEME / "fonts"])
    theme = chart_theme(DEFAULT_THEME)
    for root in (charts, static):
        _base(root, pages)
    for index in range(20):
        for root in (charts, static):
            (root / "data" / f"series{index:02d}.csv").write_text(csv_text(index))
        spec = parse_spec(spec_text(index))
        inline_data(spec, spec_text(index), static)
        (static / "figures" / f"series{index:02d}.svg").write_text(
            engine.svg(spec, theme.config), encoding="utf-8")
    chapters = sorted(p.name for p in (charts / "chapters").glob("*.md"))
    for index in range(20):
        name = chapters[index % len(chapters)]
        caption = f"Series {index} by year."
        chart = (f'```{{.chart #fig-bench{index} fig-cap="{caption}" '
                 f'fig-alt="Series {index}."}}\n{spec_text(index)}```')
        image = (f"![{caption}](figures/series{index:02d}.svg)"
                 f"{{#fig-bench{index} fig-alt=\"Series {index}.\"}}")
        for root, figure in ((charts, chart), (static, image)):
            with (root / "chapters" / name).open("a", encoding="utf-8") as chapter:
                chapter.write(f"\n\n{prose(index)}\n\n{figure}\n")


def _base(root: Path, pages: int) -> None:
    """An empty report (four chapter titles) or a generated one of ``pages`` pages."""
    shutil.rmtree(root, ignore_errors=True)
    if pages > 0:
        subprocess.run([str(PYTHON), str(BENCH / "generate.py"), "--pages", str(pages),
                        "--out", str(root)], check=True, capture_output=True)
    else:
        (root / "chapters").mkdir(parents=True)
        (root / "report.yaml").write_text(f"title: Cost of charts ({root.name})\n"
                                          "date: 2026-01-01\n", encoding="utf-8")
        for chapter in range(4):
            (root / "chapters" / f"{chapter + 1:02d}-chapter.md").write_text(
                f"# Chapter {chapter + 1}\n", encoding="utf-8")
    (root / "data").mkdir(exist_ok=True)
    (root / "figures").mkdir(exist_ok=True)


def timed_build(root: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, of the build and every process it waited
    for: pandoc, the PDF workers, the renderer) of one clean build."""
    out = root / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(root.parent)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(PYTHON), str(REPO / "build.py"), str(root), "--no-cache", "-q",
                    "--format", "html,pdf"], check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=0,
                        help="prose from generate.py of this many pages (default: 0, the 20 "
                             "figures with a paragraph each, about 12 pages)")
    args = parser.parse_args()
    charts, static = BENCH / "projects" / "charts20", BENCH / "projects" / "svg20"
    write_reports(charts, static, args.pages)
    times: dict[str, list[tuple[float, float]]] = {"charts": [], "static": []}
    loads = []
    for _ in range(args.runs):
        loads.append(os.getloadavg()[0])
        times["static"].append(timed_build(static))
        times["charts"].append(timed_build(charts))
    print(f"load average (1 min) before each pair of runs: {min(loads):.1f} to "
          f"{max(loads):.1f} (median {statistics.median(loads):.1f}; {os.cpu_count()} cores)")
    for column, label in ((0, "wall"), (1, "CPU")):
        median = {name: statistics.median(v[column] for v in values)
                  for name, values in times.items()}
        least = {name: min(v[column] for v in values) for name, values in times.items()}
        for name, values in times.items():
            print(f"{label:4} {name:7} median {median[name]:6.2f} s  min {least[name]:6.2f} s"
                  "  runs: " + ", ".join(f"{v[column]:.2f}" for v in values))
        print(f"{label:4} ratio charts/static: median {median['charts'] / median['static']:.3f}"
              f", min {least['charts'] / least['static']:.3f}")

if __name__ == "__main__":
    main()
