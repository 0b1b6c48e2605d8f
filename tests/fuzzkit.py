"""A seeded mutator for the fuzzing harness (tests/test_fuzz.py, ``make fuzz``).

Every case is made from ``(seed, index)`` alone, so a failure prints the two numbers
that reproduce it (``FUZZ_SEED=S FUZZ_ONLY=I make fuzz``). A case starts from a real
input -- a chapter, report.yaml, .bib, CSL style, image or theme template of a fixture
root, of the bad-input corpus or of the flagship -- and applies one to four mutations:
cut, repeat or swap a stretch, splice in a line of another input of the same kind, or
insert a token of that kind's syntax (a fence, a cross-reference, an ``@string``, a
Jinja tag). The mutated file is laid over a tiny valid report (``tests/bad/_base``) or
over the fixture root it came from, which is then built.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from conftest import REPO, TESTS

from reportc.project.csl import STYLES_DIR

BASE = "bad/_base"
# Fixture roots small enough to build in about a second, HTML only.
ROOTS = ["roots/basic", "roots/quarto", "roots/access", "roots/review", "roots/bib-misc",
         "roots/bib-crossref", "roots/bib-names", "roots/publisher"]
MAX_BYTES = 60_000  # a mutated file never grows past this (builds stay short)

CHAPTER_TOKENS = [
    "# ", "## ", "### Heading {#sec-x}\n", "{.unnumbered}", "::: {.callout-note}\n", ":::\n",
    "::: {.callout}\n## A title\n", "::: {.callout-warning title=\"*T*\"}\n", "::: {#fig-x}\n",
    "{#fig-x}", "{#tbl-x}", "{#eq-x}", "@fig-x", "@tbl-x", "@sec-x", "@eq-x", "Figure @fig-x",
    "[@lee2022]", "[-@lee2022; @nope]", "@lee2022", "[see @lee2022, p. 3]", "^[a note [@lee2022]]",
    "[^1]", "\n[^1]: a note\n", "```\n", "~~~\n", "```{.python lst-cap=\"_q_\" #lst-q}\n",
    "$$\n", "$x^2$", "$$ a $$ {#eq-y}", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "\n: A *caption* {#tbl-y}\n", "![A dot.](figures/dot.svg)", "![](figures/missing.png)",
    "![x](figures/dot.svg){#fig-d fig-alt=\"\"}", "![x](http://example.com/a.png)", "<div>",
    "</div>", "<!-- ", " -->", "---\ntitle: x\n---\n", "---\ndate: 2026-13-45\n---\n",
    "---\n", "{lst-cap=\"_q_\"}",
    "{fig-cap=\"**b**\"}", "{tbl-cap=\"`c`\"}", "::: {.theorem #thm-a}\n", "[link](javascript:x)",
    "<script>x</script>", "\\newpage", "{{< pagebreak >}}", "[]{#x}", "* ", "1. ", "> ",
    "    ", "\n\n", "\\", "`", "**", "_", "<", "&amp;", "[", "]", "{", "}", "|", "\t",
    "::: {layout-ncol=2}\n", "{.nonumber}", "<https://example.org>", "[x](#sec-x)",
]
CONFIG_TOKENS = [
    "title: ", "subtitle: ", "slug: ", "chapters:\n  - ", "csl: apa\n", "csl: styles/x.csl\n",
    "bibliography: ", "silence: [bib.unused]\n", "silence: [nope]\n", "lang: ", "lang: zz\n",
    "date: ", "date: 2026-13-45\n", "authors:\n  - name: A\n    orcid: 0000-0000-0000-0000\n",
    "status: draft\n", "status: final\n", "paper: a5\n", "sided: two\n", "keywords: [a, b]\n",
    "attachments: [x]\n", "version: 1\n", "- ", ": ", "{", "[", "!!python/object:os.system\n",
    "&a ", "*a", "~", "null", "0x10", "'", "\"", "\t", "  ", "\n", "? ", "---\n", "...\n", "%",
    "#", ": >\n  ", "|\n", "2026-01-01", "true", "1e400", "-1",
]
BIB_TOKENS = [
    "@article{", "@book{x,\n", "@string{a = \"x\", b = \"y\"}\n", "@string{m = {M}}\n",
    "@preamble{\"x\"}\n", "@comment{", "crossref = {lee2022},\n", "xdata = {x},\n", "{", "}",
    "\"", "#", ",", "=", "author = {", "title = {", "date = {", "year = 20", "month = jan,\n",
    " and ", "\\", "$", "%", "@set{s, entryset = {lee2022}}\n", "@xdata{x, title={X}}\n",
    "url = {javascript:x},\n", "doi = {10.1/x},\n", "{\\\"o}", "\\&", "~", "--", "\n", "@",
]
CSL_TOKENS = [
    "<", "</", ">", "<text variable=\"title\"/>", "<macro name=\"x\">", "</macro>",
    "<text macro=\"nope\"/>", "&", "&amp;", "<![CDATA[", "<!DOCTYPE x [<!ENTITY e \"e\">]>",
    "xmlns=\"x\"", "<bibliography>", "</bibliography>", "<layout>", "</layout>",
    "<link href=\"http://example.com/p.csl\" rel=\"independent-parent\"/>", "\"", "=",
    "<choose><if type=\"book\">", "</if></choose>", "<names variable=\"author\"/>",
]
SVG_TOKENS = [
    "<", "</svg>", "<script>alert(1)</script>", "<image href=\"file:///etc/passwd\"/>",
    "<style>@import url(http://example.com/x.css);</style>", "<!DOCTYPE s [<!ENTITY e \"e\">]>",
    " width=\"-5\"", " viewBox=\"0 0 0 0\"", " onload=\"x()\"", "&e;", "<text>é</text>",
    "<rect width=\"1e9\" height=\"1e9\"/>", "\"", ">", "=",
]
JINJA_TOKENS = [
    "{{ report.titel }}", "{{ report.title | nofilter }}", "{% if %}", "{% endif %}", "{{",
    "}}", "{%", "%}", "{% for p in parts %}", "{% endfor %}", "{% include 'nope.html.j2' %}",
    "{{ 1 / 0 }}", "{{ parts[99] }}", "{{ report.title.nope() }}", "{# ", " #}",
    "{% extends 'report.html.j2' %}", "{{ undefined_name }}", "{% block x %}{% endblock %}",
    "{{ report.title | int }}", "{% macro m() %}", "{% endmacro %}", "{{ m() }}",
]
TOKENS = {"chapter": CHAPTER_TOKENS, "config": CONFIG_TOKENS, "bib": BIB_TOKENS,
          "csl": CSL_TOKENS, "svg": SVG_TOKENS, "theme": JINJA_TOKENS, "csljson": [
              "{", "}", "[", "]", "\"", ",", ":", "null", "1e999", "\"id\": ", "\"author\": ",
              "\"issued\": {\"date-parts\": [[\"x\"]]}", "\"type\": \"nope\"", "[[]]"]}
ODD = ["\x00", "\ufeff", "\r", "\r\n", "\u202e", "\t", "\u00e9", "\U0001d538", "\u0301",
       "\u2028", "\x0c", "\ud7ff", "\uffff", "\x1b[31m"]
# How often each kind of input is mutated (the chapter is where most writing happens).
KINDS = {"chapter": 8, "config": 3, "bib": 4, "csljson": 1, "csl": 1, "svg": 1, "png": 1,
         "theme": 1}


@dataclass
class Case:
    """One fuzzed report: a root to start from and the files laid over it."""

    seed: int
    index: int
    kind: str
    base: str  # the root it starts from, relative to tests/
    files: dict[str, bytes] = field(default_factory=dict)
    about: str = ""

    @property
    def name(self) -> str:
        return f"seed {self.seed} case {self.index} ({self.kind}: {self.about})"


def _files(pattern: str, *tops: Path) -> list[Path]:
    return sorted(p for top in tops for p in top.glob(pattern) if p.is_file())


def seeds(kind: str) -> list[Path]:
    """The real inputs a kind starts from: fixtures, the bad-input corpus, the flagship."""
    if kind == "chapter":
        return _files("*/*/chapters/*.md", TESTS) + _files("chapters/*.md", REPO)
    if kind == "config":
        return [*_files("*/*/report.yaml", TESTS), REPO / "report.yaml"]
    if kind in ("bib", "csljson"):
        return [*_files("*/*/references.bib", TESTS), REPO / "references.bib"]
    if kind == "csl":
        small = sorted(STYLES_DIR.glob("*.csl"), key=lambda p: (p.stat().st_size, p.name))
        return small[:40] + _files("*/*/styles/*.csl", TESTS)
    if kind == "svg":
        return _files("*/*/figures/*.svg", TESTS) + _files("figures/*.svg", REPO)
    if kind == "png":
        return _files("*/*/figures/*.png", TESTS)
    return _files("*.j2", REPO / "templates")


class Mutator:
    """Text and byte mutations drawn from one random generator."""

    def __init__(self, rng: random.Random, kind: str):
        self.rng = rng
        self.kind = kind
        self.others = seeds(kind)

    def text(self, text: str, rounds: int) -> str:
        ops = [self.cut, self.repeat, self.swap, self.splice, self.token, self.token,
               self.token, self.odd, self.truncate]
        for _ in range(rounds):
            text = self.rng.choice(ops)(text)
        return text[:MAX_BYTES]

    def _span(self, text: str) -> tuple[int, int]:
        start = self.rng.randrange(len(text) + 1)
        return start, min(len(text), start + self.rng.randrange(1, 200))

    def cut(self, text: str) -> str:
        start, end = self._span(text)
        return text[:start] + text[end:]

    def repeat(self, text: str) -> str:
        start, end = self._span(text)
        times = self.rng.choice([2, 3, 10, 100])
        return text[:start] + text[start:end] * times + text[end:]

    def swap(self, text: str) -> str:
        lines = text.splitlines(keepends=True)
        if len(lines) > 1:
            i, j = self.rng.randrange(len(lines)), self.rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)

    def splice(self, text: str) -> str:
        other = self.rng.choice(self.others).read_bytes().decode("utf-8", "replace")
        lines = other.splitlines(keepends=True) or [""]
        start = self.rng.randrange(len(lines))
        piece = "".join(lines[start:start + self.rng.randrange(1, 6)])
        at = self._line_start(text)
        return text[:at] + piece + text[at:]

    def token(self, text: str) -> str:
        at = self._line_start(text) if self.rng.random() < 0.5 else self.rng.randrange(
            len(text) + 1)
        return text[:at] + self.rng.choice(TOKENS[self.kind]) + text[at:]

    def odd(self, text: str) -> str:
        at = self.rng.randrange(len(text) + 1)
        return text[:at] + self.rng.choice(ODD) + text[at:]

    def truncate(self, text: str) -> str:
        return text[:self.rng.randrange(len(text) + 1)]

    def _line_start(self, text: str) -> int:
        starts = [0] + [n + 1 for n, char in enumerate(text) if char == "\n"]
        return self.rng.choice(starts)

    def bytes(self, data: bytes, rounds: int) -> bytes:
        buffer = bytearray(data)
        for _ in range(rounds):
            op = self.rng.randrange(4)
            at = self.rng.randrange(len(buffer) + 1)
            if op == 0 and buffer:
                buffer[min(at, len(buffer) - 1)] ^= 1 << self.rng.randrange(8)
            elif op == 1:
                del buffer[at:at + self.rng.randrange(1, 64)]
            elif op == 2:
                buffer[at:at] = self.rng.randbytes(self.rng.randrange(1, 16))
            else:
                del buffer[at:]
        return bytes(buffer)


def encode(rng: random.Random, text: str) -> bytes:
    """Mostly UTF-8; now and then an encoding a writer's editor might have saved."""
    encoding = rng.choices(["utf-8", "utf-8-sig", "latin-1", "utf-16"], [20, 1, 1, 1])[0]
    return text.encode(encoding, "replace")


def make_case(seed: int, index: int) -> Case:
    """The ``index``-th case of ``seed``: a report to build."""
    rng = random.Random(f"{seed}/{index}")
    kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
    source = rng.choice(seeds(kind))
    if kind == "chapter" and rng.random() < 0.3:  # the base's own: its citations resolve
        source = TESTS / BASE / "chapters/01-intro.md"
    mutator = Mutator(rng, kind)
    rounds = rng.randint(1, 4)
    own_root = _fixture_root(source)
    base = own_root if own_root and rng.random() < 0.8 else BASE
    case = Case(seed, index, kind, base, about=f"{rounds} mutation(s) of {_shown(source)}")
    MAKERS[kind](case, source, mutator, rounds)
    return case


def _fixture_root(source: Path) -> str | None:
    """``roots/NAME`` when ``source`` belongs to one of the fast fixture roots."""
    try:
        parts = source.relative_to(TESTS).parts
    except ValueError:
        return None
    root = "/".join(parts[:2])
    return root if root in ROOTS else None


def _shown(path: Path) -> str:
    for top in (STYLES_DIR.parent, TESTS, REPO):
        if path.is_relative_to(top):
            return path.relative_to(top).as_posix()
    return path.name


def _chapter(case: Case, source: Path, mutator: Mutator, rounds: int) -> None:
    text = source.read_text(encoding="utf-8", errors="replace")
    if mutator.rng.random() < 0.15:  # a random chapter: Markdown syntax in any order
        pieces = [*CHAPTER_TOKENS, "word ", "Words and more words. ", "\n", "\n\n"]
        text = "# A random chapter\n\n" + "".join(
            mutator.rng.choice(pieces) for _ in range(mutator.rng.randint(5, 60)))
        case.about = "a random chapter, then " + case.about
    text = mutator.text(text, rounds)
    name = source.name if case.base != BASE else "01-intro.md"
    case.files[f"chapters/{name}"] = encode(mutator.rng, text)


def _config(case: Case, source: Path, mutator: Mutator, rounds: int) -> None:
    text = source.read_text(encoding="utf-8", errors="replace")
    case.files["report.yaml"] = encode(mutator.rng, mutator.text(text, rounds))


def _bib(case: Case, source: Path, mutator: Mutator, rounds: int) -> None:
    text = source.read_text(encoding="utf-8", errors="replace")
    case.files["references.bib"] = encode(mutator.rng, mutator.text(text, rounds))


def _csljson(case: Case, source: Path, mutator: Mutator, rounds: int) -> None:
    """A CSL JSON bibliography (as Zotero exports it) in place of the .bib."""
    items = [{"id": "lee2022", "type": "report", "title": "A Report",
              "author": [{"family": "Lee", "given": "John"}], "publisher": "An Institute",
              "issued": {"date-parts": [[2022, 11, 3]]}}]
    text = mutator.text(json.dumps(items, indent=1), rounds)
    config = (TESTS / case.base / "report.yaml").read_text(encoding="utf-8")
    case.files["references.json"] = encode(mutator.rng, text)
    case.files["report.yaml"] = (config + "\nbibliography: references.json\n").encode()


def _csl(case: Case, source: Path, mutator: Mutator, rounds: int) -> None:
    text = mutator.text(source.read_text(encoding="utf-8", errors="replace"), rounds)
    config = (TESTS / case.base / "report.yaml").read_text(encoding="utf-8")
    case.files["styles/fuzz.csl"] = encode(mutator.rng, text)
    case.files["report.yaml"] = (config + "\ncsl: styles/fuzz.csl\n").encode()


def _svg(case: Case, source: Path, mutator: Mutator, rounds: int) -> None:
    text = mutator.text(source.read_text(encoding="utf-8", errors="replace"), rounds)
    case.base = BASE
    case.files["figures/dot.svg"] = encode(mutator.rng, text)


def _png(case: Case, source: Path, mutator: Mutator, rounds: int) -> None:
    case.base = BASE
    case.files["figures/fuzz.png"] = mutator.bytes(source.read_bytes(), rounds)
    chapter = (TESTS / BASE / "chapters/01-intro.md").read_text(encoding="utf-8")
    case.files["chapters/01-intro.md"] = (chapter + "\n![A picture.](figures/fuzz.png)\n"
                                          ).encode()


def _theme(case: Case, source: Path, mutator: Mutator, rounds: int) -> None:
    """The report's own theme (a copy of the default) with one template mutated."""
    case.base = BASE
    for path in sorted((REPO / "templates").rglob("*")):
        if path.is_file():
            case.files[f"templates/{path.relative_to(REPO / 'templates').as_posix()}"] = \
                path.read_bytes()
    text = mutator.text(source.read_text(encoding="utf-8"), rounds)
    case.files[f"templates/{source.name}"] = text.encode("utf-8", "replace")


MAKERS = {"chapter": _chapter, "config": _config, "bib": _bib, "csljson": _csljson,
          "csl": _csl, "svg": _svg, "png": _png, "theme": _theme}
