"""Real bibliographies (#11): what BibTeX, biber and pandoc accept builds; only input that
cannot be read fails; judging is for the entries the report cites.

Each ``tests/roots/bib-*`` fixture is one class of real-world .bib shape. Every one is
built twice, without and with ``--strict``, and the exact messages are asserted; the
reference list is read back from the HTML as a reader sees it.
"""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest
from conftest import ROOTS, copy_root, run_cli

from reportc.build import BuildOptions, build
from reportc.cache import BuildCache
from reportc.errors import BuildFailed, Diagnostics
from reportc.project.bibliography import References, clean_latex, load_bibliography

BIB = "references.bib"

# fixture -> (warnings without --strict, errors with --strict; None: --strict passes with
# the same warnings)
EXPECTED: dict[str, tuple[list[str], list[str] | None]] = {
    "bib-crossref": ([], None),
    "bib-xdata": ([], None),
    "bib-set": ([], None),
    "bib-eprint": ([
        f"{BIB}:10: warning: entry 'park2020' (@online) has no 'url', 'doi' or 'eprint': "
        "its printed reference will lack a link (url, doi or eprint) [bib.fields]"], [
        f"{BIB}:10: entry 'park2020' (@online) has no 'url', 'doi' or 'eprint': "
        "its printed reference will lack a link (url, doi or eprint) [bib.fields]"]),
    "bib-translator": ([], None),
    "bib-misc": ([], None),
    "bib-uncited": ([
        *(f"{BIB}:{8 + 4 * i}: warning: entry 'lib{i + 1:02d}' is never cited [bib.unused]"
          for i in range(10)),
        f"{BIB}: warning: 2 more entries are never cited (from line 48 on) [bib.unused]"], None),
    "bib-duplicate-fields": ([
        f"{BIB}:6: warning: entry 'twice' (@book) repeats field 'title': the first value "
        "'The First Title' is kept, as BibTeX does [bib.repeated]",
        f"{BIB}:7: warning: entry 'twice' (@book) repeats field 'date': the first value "
        "'2004' is kept, as BibTeX does [bib.repeated]",
        f"{BIB}:10: warning: entry 'library' is never cited [bib.unused]"], [
        f"{BIB}:6: entry 'twice' (@book) repeats field 'title': the first value "
        "'The First Title' is kept, as BibTeX does [bib.repeated]",
        f"{BIB}:7: entry 'twice' (@book) repeats field 'date': the first value "
        "'2004' is kept, as BibTeX does [bib.repeated]"]),
    "bib-latex": ([], None),
    "bib-names": ([], None),
    "bib-zotero": ([  # the exported library folder is never read, and never fails --strict
        "references.bib:1: warning: entry 'garcia_water_2021': file '/home/analyst/Zotero/"
        "storage/ABCD1234/Garcia - 2021.pdf' is outside the report directory (and 1 more file "
        "field): not read (give its folder with --sources DIR) [source.outside]"], None),
    "bib-no-printed-form": ([
        f"{BIB}:1: warning: entry 'memo' (@unpublished) has no 'author': its printed "
        "reference will lack an author [bib.fields]",
        f"{BIB}:1: warning: entry 'memo' (@unpublished) has no 'title': its printed "
        "reference will lack a title [bib.fields]",
        f"{BIB}:1: warning: entry 'memo' (@unpublished) has no 'date' or 'year': its "
        "printed reference will lack a date [bib.fields]",
        f"{BIB}:1: warning: entry 'memo' (@unpublished) prints nothing in the "
        "chicago-notes-bibliography style and is left out of the bibliography: it needs "
        "'author', 'title' and 'date' (or 'year') [bib.empty]"], [
        f"{BIB}:1: entry 'memo' (@unpublished) has no 'author': its printed reference "
        "will lack an author [bib.fields]",
        f"{BIB}:1: entry 'memo' (@unpublished) has no 'title': its printed reference "
        "will lack a title [bib.fields]",
        f"{BIB}:1: entry 'memo' (@unpublished) has no 'date' or 'year': its printed "
        "reference will lack a date [bib.fields]"]),
}
SEVERAL_MACROS = (
    f"{BIB}:1: warning: @string 'jfix' defines 2 macros in one command (jfix, jbad): BibTeX "
    "('Missing } in string command') and pandoc refuse it; reportc reads each, but write "
    "each as @string{name = {value}} for other tools [bib.string]")
STRING_ERRORS = [f"{BIB}:13: entry 'quoted2021': field 'title' has unbalanced braces"]


def _build(name: str, out: Path, strict: bool) -> list[str]:
    result = build(BuildOptions(root=ROOTS / name, out=out, formats=("html",), strict=strict,
                                use_cache=False, git_stamp=False))
    return [str(w) for w in result.diagnostics.warnings]


def _entries(out: Path) -> dict[str, str]:
    """The reference list as a reader sees it: entry key -> text (in list order)."""
    page = (out / "bib.html").read_text(encoding="utf-8")
    entries = {}
    for start in re.finditer(r'<div id="ref-([^"]+)" class="csl-entry"', page):
        depth, position = 0, start.start()
        for tag in re.finditer(r"<(/?)div\b", page[position:]):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                body = page[position:position + tag.start()]
                break
        entries[start.group(1)] = " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())
    return entries


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    """Every fixture built once without --strict: its out folder and its warnings."""
    results = {}
    for name in EXPECTED:
        out = tmp_path_factory.mktemp(name)
        results[name] = (out, _build(name, out, strict=False))
    return results


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_messages_without_strict(name, built):
    out, warnings = built[name]
    assert warnings == EXPECTED[name][0]
    assert (out / "bib.html").is_file()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_messages_with_strict(name, tmp_path):
    warnings, errors = EXPECTED[name]
    if errors is None:
        assert _build(name, tmp_path, strict=True) == warnings
        return
    with pytest.raises(BuildFailed) as failure:
        _build(name, tmp_path, strict=True)
    assert [str(p) for p in failure.value.problems] == errors


@pytest.mark.parametrize("strict", [False, True])
def test_unreadable_string_and_braces_fail_once_with_their_lines(tmp_path, strict):
    with pytest.raises(BuildFailed) as failure:
        _build("bib-string", tmp_path, strict=strict)
    several = [SEVERAL_MACROS.replace(" warning:", "")] if strict else []
    assert [str(p) for p in failure.value.problems] == several + STRING_ERRORS


def test_unreadable_bibliography_from_the_command_line(tmp_path):
    """The faults pandoc's reader would choke on are reported by reportc, each once, with
    the file's relative name: no absolute path, no Lua traceback, no pandoc wording."""
    done = run_cli(ROOTS / "bib-string", "--format", "html", "--out", tmp_path / "out")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if not line.startswith("reportc:")]
    assert lines == [SEVERAL_MACROS, *STRING_ERRORS]
    assert str(ROOTS) not in done.stderr
    assert "Traceback" not in done.stderr and "stack traceback" not in done.stderr


def test_crossref_children_print_what_they_inherit(built):
    entries = _entries(built["bib-crossref"][0])
    assert entries["westley:space"].startswith("Marsh, Ivo. ‘The Space of the Frontier’. In "
                                               "Frontiers of Imagination: Essays on Space")
    assert "edited by Gerda Westley. Harbour Press, 1999" in entries["westley:space"]
    assert entries["ortega:letters"] == "Ortega, Luz. Collected Works. Vol. 2, Letters. " \
        "Lumen, 2001."
    assert "In Proceedings of the Ninth Workshop on Tests" in entries["ng2019"]
    assert set(entries) == {"westley:space", "ortega:letters", "ng2019"}  # parents uncited


def test_nested_xdata_is_resolved_before_checking():
    root = (ROOTS / "bib-xdata").resolve()
    bib = load_bibliography(root / BIB, root, Diagnostics())
    amara = bib.records["amara2015"].resolved
    assert (amara["series"], amara["publisher"], amara["location"]) == (
        "Working Notes", "Harbour Press", "Leeds and Oslo")  # three @xdata levels deep
    assert "hp:press" not in bib.keys  # an @xdata entry cannot be cited


def test_xdata_fields_are_printed(built):
    entries = _entries(built["bib-xdata"][0])
    assert entries["amara2015"] == "Amara, Kofi. Rivers and Borders. Working Notes. " \
        "Harbour Press, 2015."


def test_citing_a_set_cites_its_members(built):
    out = built["bib-set"][0]
    entries = _entries(out)
    assert set(entries) == {"runs:one", "runs:two", "solo"}
    page = (out / "bib.html").read_text(encoding="utf-8")
    note = re.search(r'data-cites="runs:one runs:two".*?</span></span></span>', page, re.S)
    assert note, "the @set citation became a citation of both members"
    assert 'href="#ref-runs:one"' in note.group(0) and 'href="#ref-runs:two"' in note.group(0)


def test_alternatives_print(built):
    eprint = _entries(built["bib-eprint"][0])
    assert eprint["zhou2021"].endswith("2021. https://arxiv.org/abs/2103.01234.")
    translator = _entries(built["bib-translator"][0])
    assert translator["tolstoy1899"].startswith("Maude, Aylmer, trans. What Is Art?")
    assert translator["ferris2010"].startswith("Ferris, Dana, ed. Readings on Tests.")
    misc = _entries(built["bib-misc"][0])
    assert misc["poster"] == "A Poster Seen in the Hallway. n.d."


def test_repeated_field_keeps_the_first_value(built):
    assert _entries(built["bib-duplicate-fields"][0]) == {
        "twice": "Quinn, Mara. The First Title. Fixture Books, 2004."}


def test_no_latex_in_printed_fields(built):
    entries = _entries(built["bib-latex"][0])
    assert entries["hahn2003"] == ("Hahn, Jörg. „Sprache und Raum“. Bamberger Beiträge zur "
                                   "Linguistik, Universität Bamberg, 2003.")
    assert entries["smith2010"].endswith("Barnes & Noble — Press, 2010.")
    for text in entries.values():
        assert not re.search(r"[\\{}]|--", text), text


def test_no_latex_in_what_citeproc_reads(tmp_path):
    """Every field citeproc is given (also those this style does not print, such as
    ``note``) is plain text: pandoc leaves ``type`` raw, reportc converts it."""
    root = (ROOTS / "bib-latex").resolve()
    diag = Diagnostics()
    bib = load_bibliography(root / BIB, root, diag)
    references = References(bib, BuildCache(tmp_path / "cache", diag, enabled=False))
    path = references.write(["hahn2003", "smith2010"], tmp_path, diag)
    items = {item["id"]: item for item in json.loads(path.read_text(encoding="utf-8"))}
    assert diag.problems == []
    assert items["hahn2003"]["genre"] == "Bamberger Beiträge zur Linguistik"
    assert items["hahn2003"]["note"] == "Mit einem Vorwort von Müller & Co.\xa0– gekürzt"
    assert items["smith2010"]["publisher"] == "Barnes & Noble — Press"
    assert "Reprint" in items["smith2010"]["note"] and "\\" not in items["smith2010"]["note"]
    assert not [text for text in _strings(items) if re.search(r"[\\{}]", text)]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in _strings(item)] \
        if isinstance(value, list) else []


@pytest.mark.parametrize(("raw", "plain"), [
    (r"Bamberger Beitr\"age zur {Linguistik}\isdot", "Bamberger Beiträge zur Linguistik"),
    (r"{Diss.}\addcomma\ Uni", "Diss., Uni"),
    ("AT&T {X} at 50% and US$ 5", "AT&T X at 50% and US$ 5"),
    ("No markup at all", "No markup at all"),
])
def test_clean_latex(raw, plain):
    assert clean_latex(raw) == plain


def test_cyrillic_and_cjk_names(built):
    entries = _entries(built["bib-names"][0])
    assert entries["ivanov1985"] == ("Иванов, Иван Иванович, and Анна Петрова. Очерки "
                                     "истории. Наука, 1985.")
    assert entries["wang2019"].startswith("王小明, and 李华. ‘城市化研究’. 社会学研究 3 (2019)")
    assert entries["tanaka2020"] == "田中太郎. 日本の報告書. 出版社, 2020."


def test_zotero_export_fields_stay_out_of_print(built):
    out = built["bib-zotero"][0]
    entries = _entries(out)
    assert entries["garcia_water_2021"].startswith(
        "García, María, and Chidi Okafor. ‘Water Governance in Transition: A Comparative "
        "Study’. Journal of Water Studies 12, no. 3 (2021): 101–20.")
    page = (out / "bib.html").read_text(encoding="utf-8")
    for private in ("/home/analyst", "Zotero/storage", "forty", "governance, water"):
        assert private not in page  # file paths, abstract and keywords are never printed


def test_an_entry_without_printed_form_is_left_out_and_unlinked(built):
    out = built["bib-no-printed-form"][0]
    assert set(_entries(out)) == {"lee2022"}
    page = (out / "bib.html").read_text(encoding="utf-8")
    assert 'href="#ref-memo"' not in page and 'id="ref-memo"' not in page
    assert not re.search(r'class="csl-entry"[^>]*>\s*</div>', page)


def test_inheritance_mappings_and_cycles(tmp_path):
    (tmp_path / BIB).write_text(
        "@periodical{jf, title = {Journal of Fixtures}, subtitle = {Notes}, date = {2020}}\n"
        "@article{a1, author = {A, B}, title = {Piece}, crossref = {jf}}\n"
        "@book{loop1, title = {One}, crossref = {loop2}}\n"
        "@book{loop2, title = {Two}, crossref = {loop1}}\n"
        "@book{lost, title = {Lost}, crossref = {nowhere}, xdata = {gone}}\n", encoding="utf-8")
    bib = load_bibliography(tmp_path / BIB, tmp_path, Diagnostics())
    a1 = bib.records["a1"].resolved
    assert (a1["title"], a1["journaltitle"], a1["journalsubtitle"], a1["date"]) == (
        "Piece", "Journal of Fixtures", "Notes", "2020")
    assert bib.records["loop1"].broken_links == ["crossref 'loop2' leads back to itself"] \
        or bib.records["loop2"].broken_links == ["crossref 'loop1' leads back to itself"]
    assert bib.records["lost"].broken_links == ["its xdata entry 'gone' is not in the file",
                                                "its crossref 'nowhere' is not in the file"]


@pytest.mark.parametrize(("text", "expected"), [
    ("@string{a}\n@misc{k, title = {T}}\n",
     [f"{BIB}:1: cannot parse the block '@string{{a}}': Expected equals sign after field key, "
      "but found }; check for a missing comma, brace or quote"]),
    ('@string{a = "x { y"}\n@misc{k, title = a}\n',
     [f"{BIB}:1: cannot parse the block '@string{{a = \"x {{ y\"}}': Unexpected block start: "
      "`@misc`. Was still looking for closing bracket; check for a missing comma, brace or "
      "quote"]),  # reported once: the macro's use is not a second error
    ("@misc{k, title = {T} year = 2000}\n",
     [f"{BIB}:1: entry 'k': field 'title' has unexpected text '{{T}} year = 2000' (put the "
      "value in braces)"]),
    ("@misc{k, title = foo bar}\n",
     [f"{BIB}:1: entry 'k': field 'title' has unexpected text 'foo bar' (put the value in "
      "braces)"]),
    ("@misc{k,\n  title = {T},\n  note = jan # {x} # nomacro\n}\n",
     [f"{BIB}:1: entry 'k': field 'note' uses undefined macro 'nomacro' (put text in braces "
      "or define it with @string)"]),
])
def test_faults_pandoc_would_hit_are_located_once(tmp_path, text, expected):
    (tmp_path / BIB).write_text(text, encoding="utf-8")
    diag = Diagnostics()
    load_bibliography(tmp_path / BIB, tmp_path, diag)
    assert [str(p) for p in diag.problems] == expected


def test_what_bibtex_accepts_and_pandoc_refuses_still_builds(tmp_path):
    """Parenthesised entries and stray text between entries are valid BibTeX; pandoc's
    reader refuses both, but it only ever reads the entries as reportc rewrites them."""
    (tmp_path / BIB).write_text("Notes for me @ home.\n@book(paren2000,\n  author = {Roe, R},\n"
                                "  title = {In Parentheses},\n  date = {2000}\n)\n",
                                encoding="utf-8")
    diag = Diagnostics()
    bib = load_bibliography(tmp_path / BIB, tmp_path, diag)
    path = References(bib, BuildCache(tmp_path / "cache", diag, enabled=False)).write(
        ["paren2000"], tmp_path / "refs", diag)
    assert diag.problems == []
    item, = json.loads(path.read_text(encoding="utf-8"))
    assert (item["id"], item["title"], item["type"]) == ("paren2000", "In parentheses", "book")


def test_case_protection_survives_csl_json(tmp_path):
    """Braces protect case in sentence-case styles (APA): the CSL JSON reportc makes
    keeps them (as nocase spans), so the reference prints as bare pandoc prints it."""
    import subprocess

    from reportc.pandoc.runner import pandoc_path
    from reportc.project.csl import STYLES_DIR

    (tmp_path / "chapters").mkdir()
    (tmp_path / BIB).write_text(
        "@article{case2020,\n  author = {Case, Cara},\n  title = {The {NATO} Alliance and "
        "the {European Union}: A {Study} of {iPhone} Use},\n  journaltitle = {Journal of "
        "{EU} Studies},\n  volume = {3},\n  date = {2020}\n}\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text('title: "T"\nslug: bib\ndate: 2026-01-15\n'
                                          "lang: en-US\ncsl: apa\n", encoding="utf-8")
    (tmp_path / "chapters" / "01-a.md").write_text("# A\n\nText [@case2020].\n",
                                                   encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), use_cache=False, git_stamp=False))
    bare = subprocess.run([pandoc_path(), "--citeproc", f"--csl={STYLES_DIR / 'apa.csl'}",
                           "-M", "lang=en-US", f"--bibliography={tmp_path / BIB}", "-t",
                           "plain", "--wrap=none"], input="[@case2020]", capture_output=True,
                          text=True, check=True).stdout.strip().splitlines()[-1]
    ours = _entries(tmp_path / "out")["case2020"]
    assert ours == bare == ("Case, C. (2020). The NATO alliance and the European Union: A "
                            "Study of iPhone use. Journal of EU Studies, 3.")


def test_citeproc_runs_once_so_numbers_match_the_list(tmp_path):
    """Citeproc runs once over the report: in a numeric style, chapter two's first source
    is [2], as in the reference list (cited chapter by chapter, both chapters said [1]);
    in a notes style, each chapter's first citation of a source is still a full one."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / BIB).write_text(
        "@book{alpha, author = {Doe, Jan}, title = {Alpha Book}, publisher = {P}, "
        "date = {2000}}\n@book{beta, author = {Roe, Ray}, title = {Beta Book}, "
        "publisher = {P}, date = {2001}}\n", encoding="utf-8")
    (tmp_path / "chapters" / "01-one.md").write_text(
        "# One\n\nFirst [@beta, 3]. Again [@beta, 4].\n", encoding="utf-8")
    (tmp_path / "chapters" / "02-two.md").write_text(
        "# Two\n\nSecond [@alpha]. Back [@beta, 5].\n", encoding="utf-8")
    config = 'title: "T"\nslug: bib\ndate: 2026-01-15\nlang: en-US\n'
    (tmp_path / "report.yaml").write_text(config + "csl: ieee\n", encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), use_cache=False, git_stamp=False))
    page = (tmp_path / "out" / "bib.html").read_text(encoding="utf-8")
    calls = re.findall(r'<a href="#ref-(\w+)" role="doc-biblioref">(\[[^<]*)</a>', page)
    assert calls == [("beta", "[1, p. 3]"), ("beta", "[1, p. 4]"), ("alpha", "[2]"),
                     ("beta", "[1, p. 5]")]
    assert list(_entries(tmp_path / "out").items()) == [
        ("beta", "[1] R. Roe, Beta book. P, 2001."), ("alpha", "[2] J. Doe, Alpha book. P, 2000.")]

    (tmp_path / "report.yaml").write_text(config + "csl: chicago-notes-bibliography\n",
                                          encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), use_cache=False, git_stamp=False))
    page = (tmp_path / "out" / "bib.html").read_text(encoding="utf-8")
    notes = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())
             for body in re.findall(r'<span class="fn-body"[^>]*>(.*?)</span></span>', page)]
    assert notes == ["Ray Roe, Beta Book (P, 2001), 3.", "Roe, Beta Book, 4.",
                     "Jan Doe, Alpha Book (P, 2000).", "Ray Roe, Beta Book (P, 2001), 5."]


def test_one_process_and_two_steps_write_the_same_report(tmp_path, monkeypatch):
    """A report that fits in one batch is cited and written in one pandoc process; with
    more batches citeproc's output goes to the writers as JSON. Either way the chapters
    are cited once while the reference list is made once, apart (a note style); and
    citing chapters and list in one run writes the same bytes."""
    import contextlib

    import reportc.citing.render

    real, runs = reportc.citing.render.run_pandoc, []

    def counting(args, stdin, *, what, **kwargs):
        if any(arg.endswith("cite.lua") or arg == "--citeproc" for arg in args):
            csl = next(arg for arg in args if arg.startswith("--csl="))
            runs.append("chapters" if csl.endswith("/citations.csl") else "list"
                        if '"blocks": []' in stdin else "both")
        else:
            runs.append("writer")
        return real(args, stdin, what=what, **kwargs)

    monkeypatch.setattr(reportc.citing.render, "run_pandoc", counting)
    pages = []
    for jobs, apart in ((1, True), (2, True), (1, False)):  # one batch, then two
        if not apart:
            monkeypatch.setattr(reportc.citing.render, "_citing_apart",
                                lambda setup: contextlib.nullcontext(None))
        out = tmp_path / f"jobs{jobs}-{apart}"
        runs.clear()
        build(BuildOptions(root=ROOTS / "basic", out=out, formats=("html",), jobs=jobs,
                           use_cache=False, git_stamp=False))
        cited = ["chapters", "list"] if apart else ["both"]
        assert sorted(r for r in runs if r != "writer") == cited  # each formatted once
        assert runs.count("writer") == (0 if jobs == 1 else 1)  # the list (chapters: run_batch)
        pages.append((out / "fixture.html").read_bytes())
    assert pages[0] == pages[1] == pages[2]
    assert b'role="doc-biblioref"' in pages[0] and b'class="csl-entry"' in pages[0]


@pytest.mark.parametrize(("style", "apart"), [("chicago-notes-bibliography", True),
                                              ("oscola", True), ("ieee", False),
                                              ("apa", False), ("chicago-author-date", False)])
def test_the_list_is_made_apart_only_where_citations_do_not_depend_on_it(style, apart):
    """Citation numbers and year suffixes follow the list's order: those styles cite and
    list in one run; note styles without them cite with the style minus its list."""
    from reportc.citing.reflist import _citing_apart
    from reportc.citing.setup import CitationSetup
    from reportc.project.csl import STYLES_DIR

    setup = CitationSetup(Path("references.json"), STYLES_DIR / f"{style}.csl", "en-GB")
    with _citing_apart(setup) as citing:
        assert (citing is not None) == apart
        if citing is not None:
            text = citing.csl.read_text(encoding="utf-8")
            assert "<bibliography" not in text and "<citation" in text
            assert citing.bibliography == setup.bibliography
    if citing is not None:
        assert not citing.csl.exists()  # the temporary style is gone after the run


def test_a_build_stopped_by_an_error_leaves_no_conversion_running(tmp_path, monkeypatch):
    """The .bib is converted in a background thread while the chapters are read; a chapter
    error stops the build, and the thread (which writes to out/'s cache) has ended by the
    time build() raises (a test scanning out/ once met its temporary file)."""
    import threading

    import reportc.project.bibliography.references as references

    real = references.References._convert

    def slow(self, records, diag):
        time.sleep(1.0)  # still converting when the chapter error is found
        return real(self, records, diag)

    monkeypatch.setattr(references.References, "_convert", slow)
    root = copy_root("basic", tmp_path)
    chapter = sorted((root / "chapters").glob("*.md"))[-1]
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n![](missing.png)\n",
                       encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(BuildOptions(root=root, formats=("html",)))
    assert not [t for t in threading.enumerate() if t.name == "reportc-references"]
    assert not list((root / "out").rglob("*.tmp"))


def test_a_command_pandoc_drops_with_its_text_is_a_located_warning(tmp_path):
    """pandoc's biblatex reader leaves out a command it does not know together with its
    argument (``\\mycmd{Lost words}`` -> nothing): said at the entry's line, never silent;
    commands it prints (emphasis, small caps, accents) say nothing."""
    root = copy_root("basic", tmp_path)
    bib = root / "references.bib"
    text = bib.read_text(encoding="utf-8")
    first = re.search(r"@\w+\{([^,]+),", text)
    assert first is not None
    key = first.group(1)
    line = text[:first.start()].count("\n") + 1
    bib.write_text(text.replace(first.group(0), first.group(0) + "\n  note = {Kept "
                                "\\emph{Shown} \\textsc{nato} \\\"{u}ber \\mycmd{Lost words}},",
                                1), encoding="utf-8")
    chapter = root / "chapters" / "01-intro.md"
    if f"@{key}" not in chapter.read_text(encoding="utf-8"):
        chapter.write_text(chapter.read_text(encoding="utf-8") + f"\nAs noted [@{key}].\n",
                           encoding="utf-8")
    result = build(BuildOptions(root=root, formats=("html",), git_stamp=False))
    assert [str(w) for w in result.diagnostics.warnings if "bib.dropped" in str(w)] == [
        f"references.bib:{line}: warning: entry '{key}': field 'note' holds "
        "'\\mycmd{Lost words}', which pandoc leaves out with its text; write the text "
        "without the command [bib.dropped]"]
