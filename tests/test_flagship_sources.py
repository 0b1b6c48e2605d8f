"""Source hygiene for the flagship report (chapters/ and references.bib at the repo root).

1. No chapter may reuse a run of ten consecutive words from any seed document, except
   inside a marked quotation (‘...’, the report's British convention, or "..." or
   “...”). Citations, Markdown syntax and front matter are stripped first; words are
   lowercase ``[a-z0-9]+`` tokens. Apostrophes in the chapters are typed straight ('), so
   a curly ’ always closes a quotation.
2. Every bibliography entry is cited somewhere, and every cited key has an entry.
3. ``../shared/tools/near_copies.py --min-run 9`` (when present) finds no chapter sentence
   that follows a seed sentence too closely outside quotation marks, nor any sentence that
   holds an unbroken run of nine words of a seed sentence (its clause rule: a clause copied
   into a longer sentence of one's own is still copied).

The seed documents live outside the repository (``../shared/seeds``); without them the
module is skipped. The check is deliberately standalone: it does not import reportc.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
CHAPTERS = ROOT / "chapters"
BIB = ROOT / "references.bib"
NEAR_COPIES = ROOT.parent / "shared" / "tools" / "near_copies.py"
N = 10
NEAR_COPY_MIN_RUN = 9  # near_copies.py's clause rule: no unbroken run of 9 seed words

if not SEEDS.is_dir():
    pytest.skip("../shared/seeds not present: flagship source check needs the seed documents",
                allow_module_level=True)

WORD = re.compile(r"[a-z0-9]+")
FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.S)
QUOTATION = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|‘[^’\n]*’")
BRACKET_CITATION = re.compile(r"\[[^\[\]]*@[^\[\]]*\]")
# A pandoc citation key: starts with a letter, digit or underscore; internal punctuation
# must be followed by a key character. Not preceded by a word character (e-mail addresses).
CITE_KEY = re.compile(
    r"(?<![\w@.])-?@([A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&+?<>~/-](?=[A-Za-z0-9_]))*)"
)
XREF_PREFIXES = ("fig-", "tbl-", "sec-", "eq-")
BIB_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,")
BOUNDARY = " \x00 "  # a quotation splits the text: no n-gram may span it


def chapter_files() -> list[Path]:
    return sorted(CHAPTERS.glob("*.md"))


def normalise(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def ngrams(words: list[str], n: int = N) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def seed_ngrams() -> set[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    for path in sorted(SEEDS.glob("*.txt")):
        grams |= ngrams(WORD.findall(normalise(path.read_text(encoding="utf-8"))))
    return grams


def prose(markdown: str) -> list[list[str]]:
    """The chapter's own words as runs of tokens; quotations and citations removed."""
    text = FRONT_MATTER.sub("", markdown.replace("\r\n", "\n"))
    text = QUOTATION.sub(BOUNDARY, text)
    text = BRACKET_CITATION.sub("", text)
    text = CITE_KEY.sub("", text)
    text = re.sub(r"\{[#.][^}]*\}", "", text)  # attributes: {#sec-x}, {.takeaways ...}
    text = re.sub(r"^:::.*$", "", text, flags=re.M)  # fenced divs
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: keep the caption
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: keep the text
    text = re.sub(r"\^\[", " ", text)  # footnote openers (the note text is prose)
    text = re.sub(r"^\s*\|?[-:| ]+\|?\s*$", "", text, flags=re.M)  # table rules
    text = normalise(text)
    return [WORD.findall(part) for part in text.split("\x00")]


def test_seeds_present() -> None:
    assert list(SEEDS.glob("*.txt")), f"no seed texts in {SEEDS}"


def test_chapters_exist() -> None:
    assert chapter_files(), f"no chapters in {CHAPTERS}"


def test_no_ten_word_runs_from_seeds() -> None:
    seeds = seed_ngrams()
    problems = []
    for path in chapter_files():
        seen: set[tuple[str, ...]] = set()
        for run in prose(path.read_text(encoding="utf-8")):
            for gram in ngrams(run):
                if gram in seeds and gram not in seen:
                    seen.add(gram)
                    problems.append(f"{path.relative_to(ROOT)}: {' '.join(gram)}")
    assert not problems, (f"{len(problems)} run(s) of {N} words copied from a seed text "
                          "(rephrase, or quote and cite):\n" + "\n".join(problems))


def bib_keys() -> set[str]:
    return {key for _type, key in BIB_ENTRY.findall(BIB.read_text(encoding="utf-8"))
            if _type.lower() not in {"string", "preamble", "comment"}}


def cited_keys() -> dict[str, set[str]]:
    """Cited key -> chapter files that cite it."""
    cited: dict[str, set[str]] = {}
    for path in chapter_files():
        text = FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
        for key in CITE_KEY.findall(text):
            if not key.startswith(XREF_PREFIXES):
                cited.setdefault(key, set()).add(path.name)
    return cited


def test_every_bib_entry_is_cited() -> None:
    uncited = sorted(bib_keys() - set(cited_keys()))
    assert not uncited, f"entries in references.bib never cited in chapters/: {uncited}"


def test_every_citation_has_an_entry() -> None:
    keys = bib_keys()
    missing = {key: sorted(files) for key, files in cited_keys().items() if key not in keys}
    assert not missing, f"cited keys missing from references.bib: {missing}"


def test_no_near_copies_of_seed_sentences() -> None:
    if not NEAR_COPIES.is_file():
        pytest.skip(f"{NEAR_COPIES} not present")
    result = subprocess.run([sys.executable, str(NEAR_COPIES), str(SEEDS), str(CHAPTERS),
                             "--min-run", str(NEAR_COPY_MIN_RUN)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "near-copies: 0 sentence(s)" in result.stdout, result.stdout
    assert f"unbroken run of >= {NEAR_COPY_MIN_RUN} words" in result.stdout, \
        "the clause rule (--min-run) must be on"
