"""Time reportc against the bare pandoc + WeasyPrint pipeline on generated reports.

    .venv/bin/python bench/run.py --sizes 50,200 --runs 3
    .venv/bin/python bench/run.py --sizes flagship,200 --runs 3 --pdf-only

For each size the project ``bench/projects/p<size>`` is generated if missing (``flagship``:
the repository's own report, copied afresh from the tree measured into
``bench/projects/flagship``), then every run measures, interleaved so that drifting
machine load hits both sides alike:

- bare: ``pandoc --citeproc`` on all chapters concatenated, once to HTML and once to PDF
  with ``--pdf-engine=weasyprint`` (the floor reportc's features are built on);
- reportc clean: a build into an empty ``--out`` (no cache);
- reportc no-change: the same build again (everything cached);
- reportc edit: again after one sentence was appended to one paragraph of the middle
  chapter (the file is restored afterwards);
- with ``--pdf-only``, reportc pdf only: a clean ``--format pdf`` build (the bare side's
  PDF command alone is its floor).

Each command runs under ``bench/measure.py`` (wall time, peak RSS of its process tree). The
medians go to stdout and ``bench/results/latest.md``; every sample to ``latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_BIN = REPO / ".venv" / "bin"
EDIT = " The benchmark appended this sentence to one paragraph."
SCENARIOS = ("clean", "no-change", "edit")
PDF_ONLY = "pdf only"  # the optional scenario: a clean --format pdf build
FLAGSHIP = "flagship"  # the repository's own report, as a "size"
FLAGSHIP_FILES = ("report.yaml", "references.bib", "chapters", "charts", "data")
# The goals of issue #25 (reportc / bare, wall time; the no-change rebuild in seconds)
GOALS = {("200", "clean"): 0.5, ("200", "edit"): 0.08, ("500", "clean"): 0.45,
         (FLAGSHIP, "clean"): 0.5, (FLAGSHIP, "edit"): 0.15}
NO_CHANGE_GOAL = 0.25  # seconds, at every size


@dataclass
class Sample:
    """One measured command: wall seconds, peak RSS in MB of its largest process, and the
    CPU seconds (user + system) of all its processes, which machine load hardly changes."""

    seconds: float
    peak_mb: float
    cpu: float = 0.0


@dataclass
class Case:
    """One generated project, the reportc tree that builds it, and where runs write to."""

    size: str  # a page count, or "flagship"
    project: Path
    work: Path
    logs: Path
    reportc: Path = REPO
    pdf_only: bool = False  # also time a clean --format pdf build

    @property
    def label(self) -> str:
        """The project's folder name: p200, flagship."""
        return f"p{self.size}" if self.size.isdigit() else self.size

    @property
    def reportc_out(self) -> Path:
        return self.work / "reportc-out"


# --- measuring ------------------------------------------------------------------------------

def measure(command: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None
            ) -> Sample:
    """Run ``command`` under measure.py in a fresh process; its output goes to ``log``."""
    result = log.with_suffix(".json")
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run([sys.executable, str(BENCH / "measure.py"), str(result), *command],
                              cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env,
                              check=False)
    if done.returncode != 0:
        sys.exit(f"run.py: {command[0]} failed (exit {done.returncode}); see {log}")
    data = json.loads(result.read_text(encoding="utf-8"))
    return Sample(data["seconds"], data["peak_mb"], data.get("cpu_seconds", 0.0))


def combine(*samples: Sample) -> Sample:
    """Commands run one after the other: times add up, the peak is the larger one."""
    return Sample(sum(s.seconds for s in samples), max(s.peak_mb for s in samples),
                  sum(s.cpu for s in samples))


# --- the bare pipeline ----------------------------------------------------------------------

def concatenate(case: Case) -> Path:
    """All chapters in one Markdown file, front matter removed (pandoc would merge it)."""
    texts = [re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
             for path in sorted((case.project / "chapters").glob("*.md"))]
    target = case.work / "all-chapters.md"
    target.write_text("\n\n".join(texts), encoding="utf-8")
    return target


def bare_command(case: Case, source: Path, output: Path) -> list[str]:
    """The pandoc command reportc's features are layered on: citeproc with the same CSL."""
    import pypandoc

    from reportc.project.csl import STYLES_DIR

    title = f"Synthetic benchmark report ({case.size} pages)" if case.size.isdigit() else \
        re.findall(r'^title: "?([^"\n]*)', (case.project / "report.yaml").read_text("utf-8"),
                   re.M)[0]
    return [pypandoc.get_pandoc_path(), "--standalone", "--citeproc",
            "--bibliography=references.bib",
            f"--csl={STYLES_DIR / 'chicago-notes-bibliography.csl'}",
            "-M", f"title={title}", "-M", "lang=en-GB", str(source), "-o", str(output),
            *(["--pdf-engine=weasyprint"] if output.suffix == ".pdf" else [])]


def run_bare(case: Case, run: int) -> dict[str, Sample]:
    """HTML then PDF, from the project folder so that figure paths resolve."""
    source = concatenate(case)
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    samples = {}
    for fmt in ("html", "pdf"):
        command = bare_command(case, source, case.work / f"bare.{fmt}")
        samples[fmt] = measure(command, case.project, case.logs / f"run{run}-bare-{fmt}.log",
                               env)
    samples["clean"] = combine(samples["html"], samples["pdf"])
    return samples


# --- reportc --------------------------------------------------------------------------------

def reportc_env(case: Case) -> dict[str, str]:
    """Hide the repository around the generated project from reportc's ``git describe``.

    reportc stamps the outputs with ``git describe --dirty`` of the repository holding the
    report, and the stamp is part of its cache key. bench/projects/ sits inside this shared
    repository, so any commit or edit by someone else between the clean build and the
    rebuild turned 'no-change' into a full rebuild. With the ceiling the project is a report
    outside any repository: no stamp, as stable as a report in a repository of its own."""
    return dict(os.environ, GIT_CEILING_DIRECTORIES=str(case.project.parent))


def reportc_command(case: Case, *extra: str) -> list[str]:
    return [sys.executable, str(case.reportc / "build.py"), str(case.project), "--out",
            str(case.reportc_out), *extra]


def compile_tree(tree: Path) -> None:
    """Write the measured tree's bytecode first, as installing reportc does (``make``'s venv
    stamp; pip for a wheel): without it a machine with PYTHONDONTWRITEBYTECODE set, as this
    one, compiles reportc's modules again in every run (0.17 s of a no-change rebuild)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "reportc")],
                   check=True)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()


def snapshot(rev: str, results: Path) -> tuple[Path, str]:
    """Export ``rev`` with ``git archive`` (read-only: no checkout, index untouched).

    The working tree is shared with engineers who commit while a benchmark runs; a change
    to the theme between the clean build and the rebuild would turn 'no-change' into a full
    build. A snapshot keeps code and theme fixed for the whole run."""
    sha = git("rev-parse", "--short", rev)
    folder = (results / f"reportc-{sha}").resolve()
    if not (folder / "build.py").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        archive = subprocess.Popen(["git", "archive", "--format=tar", sha], cwd=REPO,
                                   stdout=subprocess.PIPE)
        with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
            tar.extractall(folder, filter="data")
        if archive.wait() != 0:
            sys.exit(f"run.py: git archive {rev} failed")
    return folder, f"reportc {sha} (snapshot)"


def edit_chapter(project: Path) -> tuple[Path, str]:
    """Append one sentence to the first paragraph of the middle chapter; return the original."""
    chapters = sorted((project / "chapters").glob("*.md"))
    path = chapters[len(chapters) // 2]
    original = path.read_text(encoding="utf-8")
    lines = original.split("\n")
    index = next(i for i, line in enumerate(lines) if re.match(r"[A-Z]\w* .*\.$", line))
    lines[index] += EDIT
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, original


def run_reportc(case: Case, run: int) -> dict[str, Sample]:
    """Clean build into an empty folder, then the no-change and the one-edit rebuilds."""
    shutil.rmtree(case.reportc_out, ignore_errors=True)
    command, env = reportc_command(case), reportc_env(case)
    logs = {name: case.logs / f"run{run}-reportc-{name}.log" for name in SCENARIOS}
    samples = {"clean": measure(command, case.reportc, logs["clean"], env)}
    samples["no-change"] = measure(command, case.reportc, logs["no-change"], env)
    if "up to date" not in logs["no-change"].read_text(encoding="utf-8"):
        print(f"run.py: warning: {case.label} no-change rebuild did not report 'up to date'")
    path, original = edit_chapter(case.project)
    try:
        samples["edit"] = measure(command, case.reportc, logs["edit"], env)
    finally:
        path.write_text(original, encoding="utf-8")
    if case.pdf_only:
        shutil.rmtree(case.reportc_out, ignore_errors=True)
        samples[PDF_ONLY] = measure(reportc_command(case, "--format", "pdf"), case.reportc,
                                    case.logs / f"run{run}-reportc-pdf-only.log", env)
    return samples


# --- one size -------------------------------------------------------------------------------

def prepare(size: str, projects: Path, results: Path, seed: int, tree: Path = REPO) -> Case:
    """Generate the project unless it is already there (the flagship: copy it from
    ``tree``, the reportc measured); make fresh work and log folders."""
    label = f"p{size}" if size.isdigit() else size
    project = projects / label
    if size == FLAGSHIP:
        copy_flagship(tree, project)
    elif not (project / "report.yaml").is_file():
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--pages", size,
                        "--out", str(project), "--seed", str(seed)], check=True)
    case = Case(size, project.resolve(), (results / "work" / label).resolve(),
                (results / "logs" / label).resolve(), tree)
    for folder in (case.work, case.logs):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    return case


def copy_flagship(tree: Path, project: Path) -> None:
    """The report's text, bibliography, charts and data, outside the repository's out/
    (its seed documents are not passed: the evidence check says it did not check them)."""
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in FLAGSHIP_FILES:
        source = tree / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        elif source.is_file():
            shutil.copy(source, project / name)


def bench_size(case: Case, runs: int) -> dict[str, list[Sample]]:
    """``runs`` interleaved rounds; even rounds start with bare, odd ones with reportc."""
    series: dict[str, list[Sample]] = {}
    steps: list[tuple[str, Callable[[Case, int], dict[str, Sample]]]] = [
        ("bare", run_bare), ("reportc", run_reportc)]
    for run in range(runs):
        for side, step in steps if run % 2 == 0 else steps[::-1]:
            print(f"run.py: {case.label} run {run + 1}/{runs}: {side}", flush=True)
            for name, sample in step(case, run).items():
                series.setdefault(f"{side} {name}", []).append(sample)
    return series


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


# --- report ---------------------------------------------------------------------------------

def median(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.seconds for s in samples),
                  statistics.median(s.peak_mb for s in samples),
                  statistics.median(s.cpu for s in samples))


def table_rows(size: str, series: dict[str, list[Sample]]) -> list[str]:
    """One row per reportc scenario, each against the bare pipeline's full run (the PDF-only
    build against the bare PDF command), with the issue's goal where it sets one."""
    rows = []
    for scenario in (*SCENARIOS, PDF_ONLY):
        if f"reportc {scenario}" not in series:
            continue
        bare = median(series["bare pdf" if scenario == PDF_ONLY else "bare clean"])
        ours = median(series[f"reportc {scenario}"])
        ratio = ours.seconds / bare.seconds
        rows.append(f"| {size} | {scenario} | {bare.seconds:.1f} | {ours.seconds:.2f} | "
                    f"{ratio:.2f} | {bare.cpu:.1f} | {ours.cpu:.2f} | "
                    f"{ours.cpu / bare.cpu if bare.cpu else float('nan'):.2f} | "
                    f"{bare.peak_mb:.0f} | {ours.peak_mb:.0f} | "
                    f"{goal(size, scenario, ratio, ours.seconds)} |")
    return rows


def goal(size: str, scenario: str, ratio: float, seconds: float) -> str:
    """The issue's goal for this row and whether the wall-time median meets it."""
    if scenario == "no-change":
        return f"≤ {NO_CHANGE_GOAL} s {'met' if seconds <= NO_CHANGE_GOAL else 'missed'}"
    target = GOALS.get((size, scenario))
    if target is None:
        return ""
    return f"≤ {target}× {'met' if ratio <= target else 'missed'}"


def notes(cases: list[Case], all_series: dict[str, dict[str, list[Sample]]]) -> list[str]:
    """Context under the table: the bare split, page counts and how clean builds scale."""
    lines = []
    for case in cases:
        series = all_series[case.size]
        html, pdf = median(series["bare html"]), median(series["bare pdf"])
        ours = next(case.reportc_out.glob("*.pdf"))
        lines.append(f"- {case.label}: bare = HTML {html.seconds:.1f} s + PDF {pdf.seconds:.1f} s;"
                     f" PDF pages: reportc {pdf_pages(ours)}, bare "
                     f"{pdf_pages(case.work / 'bare.pdf')}; runs: {len(series['bare clean'])}")
    sized = [case for case in cases if case.size.isdigit()]
    if len(sized) > 1:
        small, large = sized[0], sized[-1]
        ratio = (median(all_series[large.size]["reportc clean"]).seconds
                 / median(all_series[small.size]["reportc clean"]).seconds)
        lines.append(f"- reportc clean build, time({large.size} p) / time({small.size} p) = "
                     f"{ratio:.1f} (pages ×{int(large.size) / int(small.size):.0f})")
    return lines


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text(encoding="utf-8"))
        model = found.group(1).strip() if found else model
    return f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}"


def revision() -> str:
    """The commit measured, marked '+dirty' when reportc/ has uncommitted edits (shared tree)."""
    dirty = "+dirty" if git("status", "--porcelain", "--", "reportc", "templates") else ""
    return f"reportc {git('rev-parse', '--short', 'HEAD')}{dirty} (working tree)"


def render(cases: list[Case], all_series: dict[str, dict[str, list[Sample]]],
           argv: list[str], measured: str) -> str:
    header = ["| pages | scenario | bare s | reportc s | reportc/bare | bare CPU s | "
              "reportc CPU s | CPU reportc/bare | peak MB bare | peak MB reportc | goal |",
              "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|:---|"]
    rows = [row for case in cases for row in table_rows(case.size, all_series[case.size])]
    command = " ".join([".venv/bin/python bench/run.py", *argv])
    load = "load average {:.1f} {:.1f} {:.1f} at the end".format(*os.getloadavg())
    return "\n".join([f"{dt.date.today()}, {machine()}, {measured}; `{command}` (medians; "
                      f"{load})", "",
                      *header, *rows, "", *notes(cases, all_series)]) + "\n"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50,200",
                        help="page counts, or 'flagship' for the repository's own report "
                        "(default: 50,200)")
    parser.add_argument("--pdf-only", action="store_true",
                        help="also time a clean --format pdf build (against the bare PDF)")
    parser.add_argument("--runs", default="3",
                        help="runs per size, or one number per size: 3,3,1 (default: 3)")
    parser.add_argument("--projects", type=Path, default=BENCH / "projects")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument("--seed", type=int, default=5, help="generator seed (default: 5)")
    parser.add_argument("--rev", help="benchmark this commit, exported with git archive, "
                        "instead of the working tree (e.g. HEAD)")
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",")]
    if any(not s.isdigit() and s != FLAGSHIP for s in args.sizes):
        parser.error("--sizes takes page counts and 'flagship'")
    runs = [int(r) for r in args.runs.split(",")]
    if len(runs) == 1:
        runs *= len(args.sizes)
    if len(runs) != len(args.sizes) or min(runs) < 1:
        parser.error("--runs takes one positive number or one per size")
    args.runs = runs
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.results.mkdir(parents=True, exist_ok=True)
    tree, measured = snapshot(args.rev, args.results) if args.rev else (REPO, revision())
    compile_tree(tree)
    cases, all_series = [], {}
    for size, runs in zip(args.sizes, args.runs, strict=True):
        case = prepare(size, args.projects, args.results, args.seed, tree)
        case.pdf_only = args.pdf_only
        all_series[size] = bench_size(case, runs)
        cases.append(case)
    text = render(cases, all_series, argv, measured)
    print(text)
    (args.results / "latest.md").write_text(text, encoding="utf-8")
    raw = {size: {k: [asdict(s) for s in v] for k, v in series.items()}
           for size, series in all_series.items()}
    (args.results / "latest.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
