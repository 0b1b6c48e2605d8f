"""`reportc comments` (#15): a reviewer's Word comments, tracked changes and PDF annotations,
each brought back to the source line it is about.

The reviewed files are made here as a reviewer would make them: the fixture report is
built to DOCX and PDF, then python-docx adds Word comments (and lxml tracked changes, which
python-docx cannot write) and pikepdf adds annotations whose QuadPoints cover the words as
pypdfium2 finds them in the page's text layer.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import docx
import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import Built, build_root, copy_root, run_cli, run_command
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.text.run import Run
from lxml import etree

from reportc.review.index import fold

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DEFENCE = "chapters/01-defence.md"
SUMMARY = "chapters/00-summary.md"
LONG = "chapters/02-long.md"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = copy_root("review", tmp_path_factory.mktemp("review"))
    return build_root(root, formats=("pdf", "docx"), git_stamp=False)


def source_line(root: Path, rel: str, text: str) -> int:
    """The line of ``rel`` that holds ``text`` (the test's own record of the truth)."""
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if text in line]
    assert len(found) == 1, (rel, text, found)
    return found[0]


def comments(reviewed: Path, root: Path, *args: str):
    """The comments command run in this process (conftest.run_command; the DOCX test runs
    it as a user does)."""
    return run_command("comments", reviewed, root, *args)


# --- making a reviewed DOCX ---------------------------------------------------------------

def isolate(paragraph: etree._Element, phrase: str) -> list[etree._Element]:
    """Split the paragraph's runs so that ``phrase`` is exactly a sequence of runs."""
    def runs() -> list[tuple[etree._Element, int, int]]:
        spans, at = [], 0
        for run in paragraph.iter(f"{W}r"):
            text = "".join(t.text or "" for t in run.findall(f"{W}t"))
            spans.append((run, at, at + len(text)))
            at += len(text)
        return spans

    text = "".join("".join(t.text or "" for t in r.findall(f"{W}t"))
                   for r in paragraph.iter(f"{W}r"))
    start = text.index(phrase)
    end = start + len(phrase)
    for cut in (start, end):
        for run, first, last in runs():
            if first < cut < last:
                t = run.find(f"{W}t")
                second = copy.deepcopy(run)
                second.find(f"{W}t").text = t.text[cut - first:]
                t.text = t.text[:cut - first]
                for node in (t, second.find(f"{W}t")):
                    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                run.addnext(second)
                break
    return [run for run, first, last in runs() if start <= first and last <= end and last > first]


def paragraph_with(root: etree._Element, phrase: str) -> etree._Element:
    for paragraph in root.iter(f"{W}p"):
        if phrase in "".join(t.text or "" for t in paragraph.iter(f"{W}t")):
            return paragraph
    raise AssertionError(f"no paragraph holds {phrase!r}")


def footnotes_part(document):
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            return rel.target_part
    raise AssertionError("no footnotes part")


def add_comment(document, phrase: str, text: str, author: str = "Jane Reviewer") -> None:
    paragraph = paragraph_with(document.element.body, phrase)
    runs = [Run(r, None) for r in isolate(paragraph, phrase)]
    document.add_comment(runs, text=text, author=author, initials="JR")


def add_note_comment(document, phrase: str, text: str) -> None:
    """A comment inside a footnote: made on a body run, then its range moved."""
    scratch = document.add_paragraph("x")
    comment = document.add_comment(scratch.runs[0], text=text, author="Jane Reviewer")
    body = document.element.body
    ident = str(comment.comment_id)
    start = next(e for e in body.iter(qn("w:commentRangeStart")) if e.get(qn("w:id")) == ident)
    end = next(e for e in body.iter(qn("w:commentRangeEnd")) if e.get(qn("w:id")) == ident)
    reference = next(e for e in body.iter(qn("w:commentReference"))
                     if e.get(qn("w:id")) == ident).getparent()
    body.remove(scratch._p)
    part = footnotes_part(document)
    notes = etree.fromstring(part.blob)
    runs = isolate(paragraph_with(notes, phrase), phrase)
    runs[0].addprevious(start)
    runs[-1].addnext(end)
    end.addnext(reference)
    part._blob = etree.tostring(notes, xml_declaration=True, encoding="UTF-8", standalone=True)


def track(document, phrase: str, *, delete: bool = False, insert: str = "") -> None:
    """A tracked deletion of ``phrase``, or an insertion of ``insert`` after it."""
    paragraph = paragraph_with(document.element.body, phrase)
    runs = isolate(paragraph, phrase)
    stamp = {qn("w:id"): "900", qn("w:author"): "Jane Reviewer",
             qn("w:date"): "2026-05-05T10:00:00Z"}
    if delete:
        wrapper = etree.SubElement(paragraph, qn("w:del"), stamp)
        runs[0].addprevious(wrapper)
        for run in runs:
            run.find(qn("w:t")).tag = qn("w:delText")
            wrapper.append(run)
    if insert:
        wrapper = etree.Element(qn("w:ins"), {**stamp, qn("w:id"): "901"})
        run = copy.deepcopy(runs[-1])
        run.find(qn("w:t")).text = insert
        wrapper.append(run)
        runs[-1].addnext(wrapper)


@pytest.fixture(scope="module")
def reviewed_docx(report: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    document = docx.Document(report.out / "review.docx")
    add_comment(document, "S-400 deliveries", "Is this 2019 or 2020?")
    add_comment(document, "Arms sales", "Rename the section?")
    add_comment(document, "Engines and radar", "Which engines?")
    add_comment(document, "Co-development is growing", "Since when?")
    add_comment(document, "What this chapter finds", "Shorter title.")
    add_comment(document, "The fields and the depth", "Caption too long.")
    add_comment(document, "Review loop fixture", "Title is provisional.")
    add_comment(document, "Bibliography", "Check the style.")
    add_note_comment(document, "count of joint projects", "Which press reports?")
    add_note_comment(document, "Prospects and Limits", "Cite the page.")
    track(document, "small", delete=True)
    track(document, "joint projects", insert=" (three)")
    path = tmp_path_factory.mktemp("reviewed") / "review-JR.docx"
    document.save(path)
    return path


def test_docx_comments_and_tracked_changes_print_at_their_source_lines(report, reviewed_docx):
    root = report.root
    done = run_cli("comments", reviewed_docx, root)  # as a user runs it
    assert done.returncode == 0, done.stderr
    line = lambda text: source_line(root, DEFENCE, text)  # noqa: E731
    assert done.stdout.splitlines() == [
        "report.yaml:1: Jane Reviewer: Title is provisional. (on \"Review loop fixture\")",
        f"{DEFENCE}:{line('## Arms sales')}: Jane Reviewer: Rename the section? "
        "(on \"Arms sales\")",
        f"{DEFENCE}:{line('first [@trends2022]')}: Jane Reviewer: Cite the page. "
        "(on \"Prospects and Limits\")",
        f"{DEFENCE}:{line('The S-400')}: Jane Reviewer: Is this 2019 or 2020? "
        "(on \"S-400 deliveries\")",
        f"{DEFENCE}:{line('followed by a small')}: Jane Reviewer: suggests deleting \"small\"",
        f"{DEFENCE}:{line('followed by a small')}: Jane Reviewer: suggests inserting \"(three)\"",
        f"{DEFENCE}:{line('count of joint')}: Jane Reviewer: Which press reports? "
        "(on \"count of joint projects\")",
        f"{DEFENCE}:{line('| Defence |')}: Jane Reviewer: Which engines? "
        "(on \"Engines and radar\")",
        f"{DEFENCE}:{line(': The fields')}: Jane Reviewer: Caption too long. "
        "(on \"The fields and the depth\")",
        f"{DEFENCE}:{line('What this chapter finds')}: Jane Reviewer: Shorter title. "
        "(on \"What this chapter finds\")",
        f"{DEFENCE}:{line('- Co-development')}: Jane Reviewer: Since when? "
        "(on \"Co-development is growing\")",
        "-- 1 remark(s) not found in the sources:",
        "review-JR.docx: Jane Reviewer: Check the style. (on \"Bibliography\")",
    ]


def test_json_gives_the_same_for_tools(report, reviewed_docx):
    done = comments(reviewed_docx, report.root, "--format", "json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    deletion = next(item for item in items if item["kind"] == "delete")
    assert deletion == {"file": DEFENCE, "line": source_line(report.root, DEFENCE,
                                                             "followed by a small"),
                        "author": "Jane Reviewer", "kind": "delete", "text": "small",
                        "comment": None, "anchor": "small", "page": None,
                        "reviewed": "review-JR.docx", "placed": True}
    assert [item["placed"] for item in items].count(False) == 1
    assert items[-1]["text"] == "Check the style." and items[-1]["file"] is None


# --- making an annotated PDF --------------------------------------------------------------

def find_chars(pdf_path: Path, page: int, phrase: str, last: bool = False
               ) -> list[tuple[float, float, float, float]]:
    """Boxes of the characters of ``phrase`` on ``page`` (1-based), matched as a reader sees
    it: across line breaks and hyphenation."""
    document = pdfium.PdfDocument(str(pdf_path))
    textpage = document[page - 1].get_textpage()
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count)
    assert len(text) == count
    letters = [(i, ch) for i, ch in enumerate(text) if fold(ch)]
    folded = "".join(fold(ch) for _, ch in letters)
    at = folded.rfind(fold(phrase)) if last else folded.find(fold(phrase))
    assert at >= 0, f"{phrase!r} not on page {page}"
    indexes = [letters[k][0] for k in range(at, at + len(fold(phrase)))]
    boxes = [textpage.get_charbox(i) for i in range(indexes[0], indexes[-1] + 1)]
    document.close()
    return [b for b in boxes if b[2] > b[0]]


def quads(boxes: list[tuple[float, float, float, float]]) -> list[float]:
    """One quad per text line the characters are on (TL, TR, BL, BR as Acrobat writes)."""
    lines: list[list[tuple[float, float, float, float]]] = []
    for box in boxes:
        if lines and abs(lines[-1][-1][1] - box[1]) < 2:
            lines[-1].append(box)
        else:
            lines.append([box])
    points: list[float] = []
    for line in lines:
        left, right = min(b[0] for b in line), max(b[2] for b in line)
        bottom, top = min(b[1] for b in line), max(b[3] for b in line)
        points += [left, top, right, top, left, bottom, right, bottom]
    return points


def annotate(pdf: pikepdf.Pdf, source: Path, page: int, phrase: str, subtype: str,
             contents: str = "", *, point: str = "") -> pikepdf.Dictionary:
    """An annotation over ``phrase`` (its last occurrence on the page if ``phrase`` starts
    with "..."); a Caret after it, or a sticky note clicked on its first letter."""
    last = phrase.startswith("...")
    phrase = phrase.removeprefix("...")
    boxes = find_chars(source, page, phrase, last)
    points = quads(boxes)
    xs, ys = points[0::2], points[1::2]
    rect = [min(xs), min(ys), max(xs), max(ys)]
    annot = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name(subtype),
                               T=pikepdf.String("Jane Reviewer"),
                               Contents=pikepdf.String(contents), C=[1, 0.9, 0])
    if point == "after":
        last = boxes[-1]
        annot.Rect = [last[2] - 2, last[1] - 2, last[2] + 2, last[1] + 4]
    elif point == "on":  # the icon hangs down from the point clicked
        x, y = (boxes[0][0] + boxes[0][2]) / 2, (boxes[0][1] + boxes[0][3]) / 2
        annot.Rect = [x, y - 20, x + 20, y]
    else:
        annot.Rect = rect
        annot.QuadPoints = points
    target = pdf.pages[page - 1]
    if "/Annots" not in target.obj:
        target.obj.Annots = pdf.make_indirect(pikepdf.Array())
    annot = pdf.make_indirect(annot)
    target.obj.Annots.append(annot)
    return annot


def add_popup(pdf: pikepdf.Pdf, page: int, parent: pikepdf.Dictionary) -> None:
    """The pop-up window a viewer opens for ``parent`` (it holds no remark of its own)."""
    popup = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Popup, Parent=parent,
        Rect=[400, 400, 550, 500], Open=False))
    parent.Popup = popup
    pdf.pages[page - 1].obj.Annots.append(popup)


def add_reply(pdf: pikepdf.Pdf, page: int, to: pikepdf.Dictionary, contents: str) -> None:
    """A reply in the remark's thread (a sticky note 'in reply to' it, in the margin)."""
    reply = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, IRT=to, RT=pikepdf.Name.R,
        T=pikepdf.String("Ada Author"), Contents=pikepdf.String(contents),
        Rect=[560, 20, 580, 40]))
    pdf.pages[page - 1].obj.Annots.append(reply)


def page_of(pdf_path: Path, phrase: str) -> int:
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        for number in range(len(document)):
            if fold(phrase) in fold(document[number].get_textpage().get_text_range()):
                return number + 1
    finally:
        document.close()
    raise AssertionError(phrase)


@pytest.fixture(scope="module")
def reviewed_pdf(report: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = report.out / "review.pdf"
    defence = page_of(source, "S-400 deliveries")
    summary = page_of(source, "short report on cooperation")
    long_start = page_of(source, "Reviewers annotate long paragraphs")
    with pikepdf.open(source) as pdf:
        marks = [
            (summary, "cooperation. 1 The evidence", "/Highlight", "Note number glued."),
            (summary, "Cooperation is broad but shallow", "/Underline", "Too vague."),
            (defence, "Defence cooperation", "/Highlight", "Chapter title?"),
            (defence, "1.1 Arms sales", "/Highlight", "Section heading."),
            (defence, "difficult to finance", "/Highlight", "Ligature."),
            (defence, "S-400 deliveries", "/Highlight", "Is this 2019 or 2020?"),
            (defence, "followed by a", "/Squiggly", "Hyphenated in the PDF."),
            (defence, "small", "/StrikeOut", ""),
            (defence, "“co-development”, and the ‘flagship’", "/Highlight", "Quotes."),
            (defence, "Figure 1 and Table", "/Highlight", "Cross-references."),
            (defence, "Telecommunications 3 Huawei", "/Highlight", "Table cell."),
            (defence, "the depth of cooperation. Field Depth", "/Highlight", "Caption, header."),
            (defence, "Depth of cooperation by field", "/Highlight", "Figure caption."),
            (defence, "Co-development is growing", "/Highlight", "Takeaway."),
            (defence, "count of joint projects", "/Highlight", "Author note."),
            (defence, "Prospects and Limits", "/Highlight", "Citation note."),
            (long_start, "...The secret labor", "/Highlight", "Before the page break."),
            (long_start + 1, "atory reviewed its seventh", "/Highlight", "After it."),
            (long_start + 1, "recalls Figure 1 on p. 7 and Table", "/Highlight", "Far."),
            (3, "Contents", "/Highlight", "Not from a chapter."),
        ]
        made = {phrase: annotate(pdf, source, page, phrase, subtype, contents)
                for page, phrase, subtype, contents in marks}
        add_reply(pdf, defence, made["S-400 deliveries"], "It is 2019.")
        annotate(pdf, source, defence, "joint projects", "/Caret", "(three)", point="after")
        sticky = annotate(pdf, source, long_start + 1, "unmistakable", "/Text",
                          "Sticky note.", point="on")
        add_popup(pdf, long_start + 1, sticky)
        path = tmp_path_factory.mktemp("annotated") / "review-annotated.pdf"
        pdf.save(path)
    return path


def test_pdf_annotations_print_at_their_source_lines(report, reviewed_pdf):
    root = report.root
    done = comments(reviewed_pdf, root)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    d = lambda text: f"{DEFENCE}:{source_line(root, DEFENCE, text)}: Jane Reviewer: "  # noqa: E731
    s = lambda text: f"{SUMMARY}:{source_line(root, SUMMARY, text)}: Jane Reviewer: "  # noqa: E731
    g = lambda text: f"{LONG}:{source_line(root, LONG, text)}: Jane Reviewer: "  # noqa: E731
    expected = [
        s("cooperation.[@lee2022]") + "Note number glued. (on \"cooperation.1 The evidence\")",
        s("1. Cooperation") + "Too vague. (on \"Cooperation is broad but shallow\")",
        d("# Defence cooperation") + "Chapter title? (on \"Defence cooperation\")",
        d("## Arms sales") + "Section heading. (on \"1.1 Arms sales\")",
        d("first [@trends2022]") + "Citation note. (on \"Prospects and Limits\")",
        d("The S-400") + "Is this 2019 or 2020? (on \"S-400 deliveries\")",
        d("The S-400").replace("Jane Reviewer", "Ada Author")
        + "It is 2019. (on \"S-400 deliveries\")",
        d("followed by a small") + "Hyphenated in the PDF. (on \"followed by a\")",
        d("followed by a small") + "suggests deleting \"small\"",
        d("followed by a small") + "suggests inserting \"(three)\"",
        d("count of joint") + "Author note. (on \"count of joint projects\")",
        d('"co-development"') + "Quotes. (on \"co-development”, and the ‘flagship\")",
        d("difficult to finance") + "Ligature. (on \"difficult to finance\")",
        d("@fig-bars") + "Cross-references. (on \"Figure 1 and Table\")",
        d("| Telecommunications") + "Table cell. (on \"Telecommunications 3 Huawei\")",
        d(": The fields") + "Caption, header. (on \"the depth of cooperation. Field Depth\")",
        d("![Depth") + "Figure caption. (on \"Depth of cooperation by field\")",
        d("- Co-development") + "Takeaway. (on \"Co-development is growing\")",
        g("secret laboratory reviewed") + "Before the page break. (on \"The secret labor\")",
        g("secret laboratory reviewed") + "After it. (on \"atory reviewed its seventh\")",
        g("unmistakable") + "Sticky note. (on \"unmistakable\")",
        g("That remark recalls") + "Far. (on \"recalls Figure 1 and Table\")",
        "-- 1 remark(s) not found in the sources:",
        "review-annotated.pdf, page 3: Jane Reviewer: Not from a chapter. (on \"Contents\")",
    ]
    assert out == expected


def test_cyrillic_and_cjk_anchors_map(tmp_path):
    built = build_root(copy_root("scripts", tmp_path), formats=("docx",), git_stamp=False)
    document = docx.Document(built.out / "scripts.docx")
    add_comment(document, "сотрудничество в области", "Уточнить.")
    add_comment(document, "先进技术", "Check the term.")
    add_comment(document, "Заголовок раздела", "Heading.")
    reviewed = tmp_path / "scripts-reviewed.docx"
    document.save(reviewed)
    done = comments(reviewed, built.root)
    assert done.returncode == 0, done.stderr
    rel = "chapters/01-scripts.md"
    line = lambda text: source_line(built.root, rel, text)  # noqa: E731
    assert done.stdout.splitlines() == [
        f"{rel}:{line('Российско')}: Jane Reviewer: Уточнить. (on \"сотрудничество в области\")",
        f"{rel}:{line('中俄')}: Jane Reviewer: Check the term. (on \"先进技术\")",
        f"{rel}:{line('## Заголовок')}: Jane Reviewer: Heading. (on \"Заголовок раздела\")",
    ]


def test_a_file_with_no_remarks_says_so(report):
    done = comments(report.out / "review.docx", report.root)
    assert done.returncode == 0
    assert done.stderr.strip() == "review.docx: no comments, tracked changes or annotations found"
    assert done.stdout == ""


def test_an_encrypted_pdf_gets_one_clear_line(report, tmp_path):
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(report.out / "review.pdf") as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    done = comments(locked, report.root)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "locked.pdf: the PDF is encrypted; save a copy without a password (or export the "
        "comments) and run again"]


def test_a_file_from_another_report_gets_one_clear_line(report, tmp_path):
    other = build_root(copy_root("basic", tmp_path), formats=("docx",), git_stamp=False)
    done = comments(other.out / "fixture.docx", report.root)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "fixture.docx: made from another report (its title is 'Cooperation under constraint'; "
        "this report is 'Review loop fixture')"]


def test_a_pdf_from_another_report_gets_one_clear_line(report, basic):
    done = comments(basic.pdf_path, report.root)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "fixture.pdf: made from another report (its title is 'Cooperation under constraint'; "
        "this report is 'Review loop fixture')"]


def test_a_file_that_is_neither_docx_nor_pdf(report, tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("hello", encoding="utf-8")
    done = comments(stray, report.root)
    assert done.returncode == 1 and done.stderr.strip() == "notes.txt: not a .docx or .pdf file"
    assert "Traceback" not in done.stderr


def test_folding_undoes_ligatures_quotes_and_hyphenation():
    assert fold("ﬁnance “co-de-\nvelopment”") == fold("finance \"co-development\"")
    assert re.fullmatch(r"[a-z0-9]+", fold("The S-400 deliveries"))


def test_a_remark_on_a_takeaway_boxs_title_in_the_reports_language_maps(tmp_path):
    """A takeaway box without a title prints the report's word for it ("Das Wichtigste"
    in German): the index of what the build prints said "Key takeaways" whatever the
    language, so a remark on the German title found no line."""
    built = build_root(copy_root("language-de", tmp_path), formats=("docx",),
                       git_stamp=False)
    document = docx.Document(built.out / f"{built.slug}.docx")
    add_comment(document, "Das Wichtigste", "Zu knapp.")
    reviewed = tmp_path / "reviewed.docx"
    document.save(reviewed)
    done = comments(reviewed, built.root)
    rel = "chapters/00-zusammenfassung.md"
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{rel}:{source_line(built.root, rel, '::: takeaways')}: Jane Reviewer: Zu knapp. "
        "(on \"Das Wichtigste\")"]
