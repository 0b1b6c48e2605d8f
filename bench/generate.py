"""Generate a synthetic report project of a given PDF length, for benchmarking reportc.

    .venv/bin/python bench/generate.py --pages 200 --out bench/projects/p200 [--check]

The output is deterministic (one seeded ``random.Random``, stdlib only) so that every
benchmark run, on every machine, measures the same input. The prose is assembled from a
neutral word list: it reads like a policy report but asserts nothing about the real world,
and every name, journal, institution and URL (example.org/.net/.com) is invented.

Every authoring feature reportc supports appears at a steady rate per word, so the cost
per page stays comparable across sizes: front matter (``kind: summary``), ``##``/``###``
sections, ``[@key]``, ``[@key, 12]``, ``[@a; @b]``, narrative ``@key``, ``^[...]`` notes,
captioned pipe tables, takeaways boxes, SVG figures and ``@fig-``/``@tbl-``/``@sec-``
cross-references.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Calibration: pages = FIXED_PAGES + words / WORDS_PER_PAGE, a least-squares fit over six
# reportc builds (A4, default theme, Nov 2026) from 14,045 to 172,114 words; `--check` rebuilds
# a project and prints its page count. With seed 5: 50 -> 50, 200 -> 209, 500 -> 499 pages
# (the mix of figures and tables drawn for each size moves the count by a few per cent).
WORDS_PER_PAGE = 315.0
FIXED_PAGES = 4.0  # cover, contents, bibliography of 60 entries, less the part-filled pages
WORDS_PER_CHAPTER = 3600  # about a dozen pages; keeps each pandoc call far below its limits
BIB_SIZE = 60
MARKER = ".bench-generated"
REPO = Path(__file__).resolve().parent.parent


def _words(text: str) -> tuple[str, ...]:
    """Word lists are kept as running text: easier to read and extend than list literals."""
    return tuple(text.split())


ADJECTIVES = _words(
    "regional shared technical provisional incremental uneven administrative informal long-term "
    "modest narrow broad recurring phased sectoral local general illustrative comparative "
    "coordinated limited formal gradual practical structural secondary principal annual "
    "cross-border municipal operational preliminary extended mixed stable variable joint "
    "distributed seasonal consolidated early late moderate routine specialised"
)
NOUNS = _words(
    "framework programme network partnership capacity standard institution workforce "
    "investment facility procurement process pilot review agreement consortium initiative "
    "roadmap assessment market registry dataset workshop committee portfolio pathway mechanism "
    "budget catalogue schedule supplier archive survey inventory exchange protocol guideline "
    "subsidy tender audit licence corridor platform cluster forum secretariat evaluation "
    "baseline indicator timetable mandate charter"
)
VERBS = _words(
    "shaped outlined supported constrained extended reviewed linked delayed clarified reframed "
    "followed accompanied complemented preceded documented narrowed widened simplified "
    "reinforced informed anticipated moderated absorbed redirected standardised"
)
ADVERBS = _words(
    "gradually largely occasionally partly consistently initially subsequently rarely "
    "modestly steadily briefly unevenly"
)
OPENERS = (
    "In this setting,", "By contrast,", "Over the period examined,", "At the same time,",
    "For the purposes of this illustration,", "In several of the hypothetical cases,",
    "On balance,", "In practice,", "Taken together,", "As a rule,", "In the later phase,",
    "Within each of the sample groups,",
)
CLAUSES = (
    "although the record remains incomplete", "while the timeline varied between cases",
    "as the illustrative figures suggest", "which the fictional survey treats as a baseline",
    "once the first review had closed", "even where the budget was unchanged",
    "because the sample is deliberately small", "unless the schedule was revised",
    "so that later rounds could be compared", "before any second phase began",
)
REPORTING = ("describe", "note", "argue", "suggest", "observe", "report", "find")
SURNAMES = _words(
    "Aldermere Brackwell Castellane Dunmore Everholt Fairbairn Greywater Hollins Ingleby "
    "Jessamy Kettering Lonsdale Marchbank Northcott Orrell Pennick Quarles Rathbone "
    "Selwood Thackery Underhill Vantreight Wexcombe Yarborough Zellick"
)
GIVEN = _words("Ada Bram Cora Dev Elin Farid Greta Hugo Ines Joss Kira Luca Mira Noor Otto Pia")
JOURNALS = ("Journal of Illustrative Policy Studies", "Review of Hypothetical Governance",
            "Quarterly of Synthetic Economics", "Example Studies Review",
            "Bulletin of Placeholder Research")
INSTITUTIONS = ("Northbridge Institute for Example Research", "Harrowgate Policy Centre",
                "Fenwick Observatory of Sample Studies", "Lindqvist Foundation for Test Data")
PUBLISHERS = (("Placeholder University Press", "Oxbridge"), ("Meridian Example Press", "London"),
              ("Sample House", "Edinburgh"))
ORGS = ("Example Policy Forum", "Sample Standards Council", "Illustrative Data Collective")


@dataclass
class State:
    """Generation state: the one RNG, the word count and what can be cited or referenced."""

    rng: random.Random
    keys: list[str]
    uncited: list[str] = field(default_factory=list)
    words: int = 0
    sections: list[str] = field(default_factory=list)
    floats: list[str] = field(default_factory=list)

    def pick(self, items: tuple[str, ...] | list[str]) -> str:
        return self.rng.choice(items)


# --- prose --------------------------------------------------------------------------------

def phrase(st: State) -> str:
    """A noun phrase: 'the regional framework of the annual budget'."""
    words = f"the {st.pick(ADJECTIVES)} {st.pick(NOUNS)}"
    if st.rng.random() < 0.35:
        words += f" of the {st.pick(NOUNS)}"
    return words


def clause(st: State) -> str:
    """Subject, verb and object, optionally with an adverb and a trailing clause."""
    adverb = f"{st.pick(ADVERBS)} " if st.rng.random() < 0.3 else ""
    text = f"{phrase(st)} {adverb}{st.pick(VERBS)} {phrase(st)}"
    if st.rng.random() < 0.4:
        text += f", {st.pick(CLAUSES)}"
    return text


def sentence(st: State) -> str:
    """One plain sentence, capitalised and full-stopped; counted towards the page budget."""
    text = clause(st)
    if st.rng.random() < 0.3:
        text = f"{st.pick(OPENERS)} {text}"
    elif st.rng.random() < 0.2:
        text = f"{text}, and {clause(st)}"
    st.words += len(text.split())
    return text[0].upper() + text[1:] + "."


def plural(noun: str) -> str:
    """English plural of the word list's nouns ('registries', 'pathways', 'processes')."""
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith("s") else "s")


def title(st: State, n_words: int = 0) -> str:
    """A heading or work title in sentence case: 'Shared budgets and the annual registry'."""
    n_words = n_words or st.rng.randint(2, 4)
    words = [st.pick(ADJECTIVES), plural(st.pick(NOUNS))]
    if n_words == 3:
        words += ["and the", st.pick(NOUNS)]
    elif n_words > 3:
        words += ["and the", st.pick(ADJECTIVES), st.pick(NOUNS)]
    text = " ".join(words)
    st.words += len(text.split())
    return text[0].upper() + text[1:]


# --- citations, notes, cross-references ------------------------------------------------------

def key(st: State) -> str:
    """Cite every entry once before repeating any, so no entry is ever unused."""
    if st.uncited:
        return st.uncited.pop()
    return st.pick(st.keys)


def citation(st: State) -> str:
    """A bracketed citation: single, with a locator, or several keys."""
    roll = st.rng.random()
    if roll < 0.6:
        return f" [@{key(st)}]"
    if roll < 0.8:
        return f" [@{key(st)}, {st.rng.randint(2, 320)}]"
    return f" [@{key(st)}; @{key(st)}]"


def narrative(st: State) -> str:
    """A sentence led by a narrative citation: '@key argue that the ...'."""
    text = f"@{key(st)} {st.pick(REPORTING)} that {clause(st)}."
    st.words += len(text.split())
    return text


def footnote(st: State) -> str:
    """An author's aside; one in five carries its own citation."""
    body = " ".join(sentence(st) for _ in range(st.rng.randint(1, 2)))
    if st.rng.random() < 0.2:
        body = body[:-1] + citation(st) + "."
    return f"^[{body}]"


def xref_sentence(st: State) -> str:
    """A sentence pointing at an earlier section, figure or table."""
    pool = st.floats if st.floats and (not st.sections or st.rng.random() < 0.5) else st.sections
    target = st.pick(pool)
    text = f"The {st.pick(ADJECTIVES)} {st.pick(NOUNS)} is discussed further in @{target}."
    if not target.startswith("sec-"):
        text = f"As @{target} shows, {clause(st)}."
    st.words += len(text.split())
    return text


def cited_sentence(st: State) -> str:
    """One sentence of running text with, at set rates, a citation and a note."""
    roll = st.rng.random()
    if roll < 0.06:
        return narrative(st)
    if roll < 0.10 and (st.sections or st.floats):
        return xref_sentence(st)
    text = sentence(st)
    if st.rng.random() < 0.35:
        text = text[:-1] + citation(st) + "."
    if st.rng.random() < 0.07:
        text += footnote(st)
    return text


def paragraph(st: State, lead: str = "") -> str:
    """Three to seven sentences; ``lead`` (e.g. 'As @fig-x shows, ...') comes last."""
    sentences = [cited_sentence(st) for _ in range(st.rng.randint(3, 7))]
    if lead:
        sentences.append(lead)
    return " ".join(sentences)


# --- blocks ---------------------------------------------------------------------------------

def table(st: State, ident: str) -> list[str]:
    """A captioned pipe table of invented categories and figures."""
    rows = [f"| {title(st, 2)} | {st.rng.randint(2009, 2025)} | {st.rng.randint(1, 99)} | "
            f"{st.pick(ADJECTIVES)} |" for _ in range(st.rng.randint(4, 8))]
    lead = f"@{ident} lists {phrase(st)} by year and share."
    st.words += len(lead.split())
    caption = f": {title(st, 4)} by year and share (illustrative values). {{#{ident}}}"
    head = ["| Category | Year | Share (%) | Status |", "|:---------|-----:|----------:|:-------|"]
    return [paragraph(st, lead), "\n".join(head + rows), caption]


def figure(st: State, ident: str, figures: Path) -> list[str]:
    """A paragraph that introduces a bar-chart figure, then the figure itself."""
    name = f"figures/{ident.removeprefix('fig-')}.svg"
    (figures.parent / name).write_text(svg_chart(st.rng), encoding="utf-8")
    lead = f"@{ident} compares {phrase(st)} across the sample years."
    st.words += len(lead.split())
    caption = f"{title(st, 4)} across the sample years (illustrative values)."
    return [paragraph(st, lead), f"![{caption}]({name}){{#{ident}}}"]


def svg_chart(rng: random.Random) -> str:
    """A small bar chart; ASCII labels only, so no font fallback is involved."""
    bars, parts = rng.randint(4, 8), []
    for i in range(bars):
        height = rng.randint(20, 150)
        x = 40 + i * 50
        parts.append(f'<rect x="{x}" y="{170 - height}" width="32" height="{height}" '
                     f'fill="#3e6b8a"/><text x="{x + 16}" y="188" font-size="11" '
                     f'text-anchor="middle" font-family="sans-serif">{2018 + i}</text>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="480" height="200" '
            'viewBox="0 0 480 200"><line x1="30" y1="170" x2="460" y2="170" '
            'stroke="#333"/>' + "".join(parts) + "</svg>\n")


def takeaways(st: State) -> list[str]:
    """A key-takeaways box; one in three gets its own title."""
    opener = "::: takeaways"
    if st.rng.random() < 0.33:
        opener = '::: {.takeaways title="What to watch"}'
    items = [f"- {sentence(st)[:-1]}{citation(st)}." for _ in range(st.rng.randint(3, 4))]
    return ["\n".join([opener, *items, ":::"])]


@dataclass
class Counters:
    """Per-chapter numbering of sections, figures and tables (for unique ids)."""

    chapter: int
    section: int = 0
    figure: int = 0
    table: int = 0


def body_block(st: State, c: Counters, figures: Path) -> list[str]:
    """The next block of running text: mostly paragraphs, sometimes a table or a figure."""
    roll = st.rng.random()
    if roll < 0.07:
        c.figure += 1
        ident = f"fig-c{c.chapter}-{c.figure}"
        block = figure(st, ident, figures)
    elif roll < 0.12:
        c.table += 1
        ident = f"tbl-c{c.chapter}-{c.table}"
        block = table(st, ident)
    else:
        return [paragraph(st)]
    st.floats.append(ident)
    return block


def section(st: State, c: Counters, end: int, figures: Path) -> list[str]:
    """A ``##`` section that runs until the word count reaches ``end``; maybe with ``###``."""
    c.section += 1
    ident = f"sec-c{c.chapter}-s{c.section}"
    lines = [f"## {title(st)} {{#{ident}}}"]
    st.sections.append(ident)
    while st.words < end:
        if st.rng.random() < 0.12:
            lines.append(f"### {title(st)}")
        lines.extend(body_block(st, c, figures))
    return lines


def chapter(st: State, number: int, end: int, figures: Path) -> tuple[str, str]:
    """A numbered chapter ending at word ``end``: opening paragraph, 3-6 sections, maybe a
    takeaways box. Each section's share is taken from what is left, so overshoot does not
    accumulate and the page calibration holds at every size."""
    name = title(st, 3)
    c = Counters(number)
    lines = [f"# {name}", paragraph(st)]
    if st.rng.random() < 0.5:
        lines.extend(takeaways(st))
    n_sections = st.rng.randint(3, 6)
    for left in range(n_sections, 0, -1):
        lines.extend(section(st, c, st.words + (end - st.words) // left, figures))
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{number:02d}-{slug}.md", "\n\n".join(lines) + "\n"


def summary(st: State) -> str:
    """The unnumbered executive summary: front matter, a few paragraphs, takeaways."""
    paragraphs = [paragraph(st) for _ in range(3)]
    box = takeaways(st)[0].replace("\n- ", "\n1. ")
    return ("---\nkind: summary\n---\n\n# Executive summary\n\n"
            + "\n\n".join(paragraphs) + "\n\n" + box + "\n")


# --- bibliography ---------------------------------------------------------------------------

def authors(rng: random.Random) -> str:
    people = [f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 3))]
    return " and ".join(dict.fromkeys(people))


def bib_fields(st: State, kind: str) -> dict[str, str]:
    """Type-specific fields, the way real biblatex files mix them."""
    rng, year = st.rng, st.rng.randint(2008, 2025)
    date = f"{year}-{rng.randint(1, 12):02d}"
    fields = {"author": authors(rng), "title": title(st, 4)}
    if kind == "article":
        start = rng.randint(1, 200)
        fields |= {"journaltitle": rng.choice(JOURNALS), "volume": str(rng.randint(3, 40)),
                   "number": str(rng.randint(1, 4)), "pages": f"{start}--{start + 20}",
                   "date": date}
    elif kind == "report":
        fields |= {"institution": rng.choice(INSTITUTIONS), "type": "Working paper",
                   "number": str(rng.randint(1, 99)), "date": date}
    elif kind == "book":
        publisher, place = rng.choice(PUBLISHERS)
        fields |= {"publisher": publisher, "location": place, "date": str(year)}
    else:
        if rng.random() < 0.5:
            fields["author"] = "{" + rng.choice(ORGS) + "}"
        fields |= {"url": f"https://example.org/notes/{year}/{rng.randint(100, 999)}",
                   "urldate": "2026-01-10", "date": date}
    return fields


def bibliography(st: State) -> str:
    """``BIB_SIZE`` entries: articles, reports, books and web pages in a fixed mix."""
    kinds = ["article"] * 20 + ["report"] * 15 + ["book"] * 12 + ["online"] * 13
    kinds = (kinds * (BIB_SIZE // len(kinds) + 1))[:BIB_SIZE]
    st.rng.shuffle(kinds)
    entries = []
    for kind in kinds:
        fields = bib_fields(st, kind)
        surname = fields["author"].strip("{").split(",")[0].split()[0].lower()
        ident = base = f"{surname}{fields['date'][:4]}"
        for suffix in "abcdefghijklmnopqrstuvwxyz":
            if ident not in st.keys:
                break
            ident = base + suffix
        st.keys.append(ident)
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        entries.append(f"@{kind}{{{ident},\n{body}\n}}\n")
    return "\n".join(entries)


# --- the project ----------------------------------------------------------------------------

def report_yaml(pages: int) -> str:
    return (f'title: "Synthetic benchmark report ({pages} pages)"\n'
            'subtitle: "Generated input for timing reportc; the content is invented"\n'
            'short_title: "Synthetic benchmark report"\n'
            f"slug: bench-p{pages}\n"
            "authors:\n  - name: Ada Placeholder\n    affiliation: Northbridge Institute\n"
            "  - name: Bram Example\n    affiliation: Harrowgate Policy Centre\n"
            "organisation: Northbridge Institute\ndate: 2026-01-15\nversion: \"1.0\"\n"
            "lang: en-GB\nkeywords: [benchmark, synthetic]\n")


def prepare(out: Path) -> None:
    """Refuse to overwrite anything that this script did not generate."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            sys.exit(f"generate.py: {out} is not empty and was not generated here; refusing")
        shutil.rmtree(out)
    (out / "chapters").mkdir(parents=True)
    (out / "figures").mkdir()
    (out / MARKER).write_text("generated by bench/generate.py\n", encoding="utf-8")


def chapter_weights(st: State, words: int) -> list[float]:
    """Chapters of roughly WORDS_PER_CHAPTER words, varying by +-25 %."""
    count = max(2, round(words / WORDS_PER_CHAPTER))
    return [st.rng.uniform(0.75, 1.25) for _ in range(count)]


def generate(pages: int, out: Path, seed: int) -> int:
    """Write the project; return the number of words of prose it contains."""
    prepare(out)
    st = State(random.Random(f"{seed}-{pages}"), keys=[])
    (out / "report.yaml").write_text(report_yaml(pages), encoding="utf-8")
    (out / "references.bib").write_text(bibliography(st), encoding="utf-8")
    st.uncited, st.words = st.keys[::-1], 0  # titles in the .bib do not count as prose
    target = round(max(pages - FIXED_PAGES, 1) * WORDS_PER_PAGE)
    (out / "chapters" / "00-summary.md").write_text(summary(st), encoding="utf-8")
    weights = chapter_weights(st, target - st.words)
    for number in range(1, len(weights) + 1):
        share = weights[number - 1] / sum(weights[number - 1:])
        end = st.words + round((target - st.words) * share)
        name, text = chapter(st, number, end, out / "figures")
        (out / "chapters" / name).write_text(text, encoding="utf-8")
    return st.words


def count_pages(out: Path) -> int:
    """Build the PDF with reportc into a scratch folder and count its pages (calibration)."""
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([sys.executable, str(REPO / "build.py"), str(out), "--out", scratch,
                        "--format", "pdf", "-q"], check=True)
        return len(PdfReader(next(Path(scratch).glob("*.pdf"))).pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, required=True, help="target PDF pages")
    parser.add_argument("--out", type=Path, required=True, help="project folder to (re)write")
    parser.add_argument("--seed", type=int, default=5, help="random seed (default: 5)")
    parser.add_argument("--check", action="store_true",
                        help="build the PDF once and print its page count (calibration)")
    args = parser.parse_args(argv)
    words = generate(args.pages, args.out, args.seed)
    print(f"generate.py: wrote {args.out} ({words} words, target {args.pages} pages)")
    if args.check:
        pages = count_pages(args.out)
        print(f"generate.py: {pages} pages; {words / max(pages - FIXED_PAGES, 1):.0f} "
              "words per page after the fixed pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
