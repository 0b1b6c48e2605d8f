"""Time reportc's bibliography stages against bare ``pandoc --citeproc`` on a large .bib.

    .venv/bin/python bench/bibliography.py --entries 770 --runs 3

Generates (seeded, same bytes every time) ``bench/projects/bib<N>/``: a ``references.bib``
of N entries in the shapes real libraries have (articles, books, @incollection children
with ``crossref`` to a @collection, entries sharing an @xdata publisher, reports, web pages,
theses; accents written as LaTeX, some Cyrillic names) and one chapter that cites every
entry once. Each run, interleaved so that machine load hits both sides alike:

- bare: ``pandoc --citeproc --csl chicago-notes-bibliography.csl --bibliography
  references.bib`` on the chapter, to HTML (reads the .bib, cites, writes the reference list);
- reportc: ``build.py -v --format html`` into an empty ``--out``; the stage lines give the
  time to read and judge the bibliography and the time of the citing stage.

Prints the medians: bare wall time, reportc's bibliography + citing stages, reportc's wall time.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
FAMILIES = ["Müller", "Lee", "Okafor", "Nakamura", "García", "Иванов", "Smith", "Novák",
            "Dubois", "Rossi", "Kowalski", "Haddad", "Østergaard", "Petrović"]
GIVEN = ["Anna", "Ben", "Chiara", "Dmitri", "Eun-ji", "Farid", "Greta", "Hugo", "Ines"]
WORDS = ["security", "trade", "policy", "climate", "governance", "energy", "regional",
         "cooperation", "risk", "markets", "reform", "institutions", "networks", "change"]
STAGES = {"bibliography": re.compile(r"reportc: read \d+ bibliography entries \(([\d.]+) s\)"),
          "chapters": re.compile(r"reportc: read \d+ chapter\(s\) \(([\d.]+) s\)"),
          "cited": re.compile(r"reportc: cited \d+ source\(s\) [^(]*\(([\d.]+) s\)")}


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, 4)
    return f"{words[0].capitalize()} and {words[1]}: {words[2]} {words[3]}"


def _author(rng: random.Random) -> str:
    names = [f"{rng.choice(FAMILIES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 3))]
    return " and ".join(names).replace("Müller", "M{\\\"u}ller")


def generate_bib(entries: int, seed: int = 11) -> tuple[str, list[str]]:
    """The .bib text and the keys a chapter may cite (not the @xdata/@collection parents)."""
    rng = random.Random(seed)
    parts = ["@xdata{pub:inst, publisher = {Institute for Examples}, location = {Geneva}}\n"]
    keys: list[str] = []
    parents = max(1, entries // 40)
    for p in range(parents):
        parts.append(f"@collection{{coll{p}, editor = {{{_author(rng)}}}, title = "
                     f"{{{_title(rng)}}}, date = {{{rng.randint(1990, 2025)}}}, "
                     f"xdata = {{pub:inst}}}}\n")
    kinds = ["article", "book", "incollection", "report", "online", "thesis"]
    for i in range(entries - parents - 1):
        kind, key = kinds[i % len(kinds)], f"ref{i:04d}"
        fields = {"author": _author(rng), "title": _title(rng),
                  "date": f"{rng.randint(1990, 2025)}"}
        if kind == "article":
            fields |= {"journaltitle": f"Journal of {rng.choice(WORDS).capitalize()}",
                       "volume": str(rng.randint(1, 60)), "pages": f"{rng.randint(1, 90)}--99"}
        elif kind == "book":
            fields |= {"publisher": "Beitr\\\"age \\& Co", "location": "Bern"}
        elif kind == "incollection":
            fields = {"author": fields["author"], "title": fields["title"],
                      "crossref": f"coll{i % parents}", "pages": "1--20"}
        elif kind == "report":
            fields |= {"institution": "Institute for Examples", "xdata": "pub:inst"}
        elif kind == "online":
            fields |= {"url": f"https://example.org/{key}", "urldate": "2025-01-01"}
        else:
            fields |= {"institution": "University of Examples", "type": "phdthesis"}
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        parts.append(f"@{kind}{{{key},\n{body}\n}}\n")
        keys.append(key)
    return "\n".join(parts), keys


def write_project(folder: Path, entries: int) -> Path:
    """A report citing every entry of a generated bibliography, in one chapter."""
    text, keys = generate_bib(entries)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "chapters").mkdir(parents=True)
    (folder / "references.bib").write_text(text, encoding="utf-8")
    (folder / "report.yaml").write_text(
        'title: "Bibliography benchmark"\nslug: bib\ndate: 2026-01-15\nlang: en-GB\n',
        encoding="utf-8")
    paragraphs = [" ".join(f"Sentence {i + j} cites a source [@{key}]."
                           for j, key in enumerate(keys[i:i + 10]))
                  for i in range(0, len(keys), 10)]
    (folder / "chapters" / "01-sources.md").write_text(
        "# Sources\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_bare(project: Path) -> tuple[float, float]:
    """(wall, CPU seconds) of bare pandoc citing the chapter."""
    import pypandoc

    from reportc.project.csl import STYLES_DIR

    with tempfile.TemporaryDirectory() as scratch:
        started, cpu = time.perf_counter(), _children_cpu()
        subprocess.run([pypandoc.get_pandoc_path(), "--citeproc",
                        f"--csl={STYLES_DIR / 'chicago-notes-bibliography.csl'}",
                        f"--bibliography={project / 'references.bib'}", "-t", "html5",
                        str(project / "chapters" / "01-sources.md"), "-o",
                        str(Path(scratch) / "out.html")], check=True, capture_output=True)
        return time.perf_counter() - started, _children_cpu() - cpu


EDIT = " A sentence the benchmark appended, citing nothing."


def time_reportc(project: Path) -> tuple[float, float, float, float, float]:
    """(bibliography stage, reading stage, citing stage, wall, CPU seconds of the whole
    build: Python and every pandoc process) of one clean HTML build."""
    with tempfile.TemporaryDirectory() as scratch:
        return _timed_build(project, Path(scratch))


def time_edit(project: Path) -> tuple[float, float, float, float, float]:
    """The same as :func:`time_reportc` for a rebuild after a sentence citing nothing was
    appended to the middle paragraph of the chapter (the clean build before is not timed)."""
    chapter = project / "chapters" / "01-sources.md"
    original = chapter.read_text(encoding="utf-8")
    paragraphs = original.split("\n\n")
    middle = len(paragraphs) // 2
    paragraphs[middle] = paragraphs[middle].rstrip("\n") + EDIT
    with tempfile.TemporaryDirectory() as scratch:
        _timed_build(project, Path(scratch))
        try:
            chapter.write_text("\n\n".join(paragraphs), encoding="utf-8")
            return _timed_build(project, Path(scratch))
        finally:
            chapter.write_text(original, encoding="utf-8")


def _timed_build(project: Path, out: Path) -> tuple[float, float, float, float, float]:
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, str(REPO / "build.py"), str(project), "-v",
                           "--format", "html", "--out", str(out)], capture_output=True,
                          text=True, check=False)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    stages = {name: float(m.group(1)) for name, pattern in STAGES.items()
              if (m := pattern.search(done.stderr))}
    return (stages.get("bibliography", float("nan")), stages.get("chapters", float("nan")),
            stages.get("cited", float("nan")), wall, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=770)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    project = write_project(BENCH / "projects" / f"bib{args.entries}", args.entries)
    bare, ours, edits = [], [], []
    for run in range(args.runs):
        if run % 2:
            ours.append(time_reportc(project))
            edits.append(time_edit(project))
            bare.append(time_bare(project))
        else:
            bare.append(time_bare(project))
            ours.append(time_reportc(project))
            edits.append(time_edit(project))
    bib, read, cite, wall, cpu = (statistics.median(v) for v in zip(*ours, strict=True))
    _, _, edit_cite, edit_wall, edit_cpu = (statistics.median(v) for v in zip(*edits, strict=True))
    bare_wall, bare_cpu = (statistics.median(v) for v in zip(*bare, strict=True))
    print(f"| {args.entries} entries, all cited, 1 chapter | bare pandoc --citeproc: "
          f"{bare_wall:.2f} s wall, {bare_cpu:.2f} s CPU | reportc: bibliography {bib:.2f} s + "
          f"chapter {read:.2f} s + citing {cite:.2f} s = {bib + read + cite:.2f} s; whole build "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU |")
    print(f"| edit citing nothing new | ratio to bare: citing stage {edit_cite / bare_wall:.2f}x "
          f"| citing {edit_cite:.2f} s (clean {cite / bare_wall:.2f}x bare); whole build "
          f"{edit_wall:.2f} s wall, {edit_cpu:.2f} s CPU |")

if __name__ == "__main__":
    main()
