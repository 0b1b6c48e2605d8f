"""Word comments and tracked changes, each with the text it is anchored to.

A comment's anchor lies between ``w:commentRangeStart`` and ``w:commentRangeEnd`` in
``word/document.xml`` (or in ``word/footnotes.xml`` for a comment in a footnote); its text
is in ``word/comments.xml``. Tracked changes are ``w:ins`` and ``w:del`` runs. The text
kept here is the text as the report wrote it: deleted text in, inserted text out, so
that it can be searched for in the sources.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from reportc.review.locate import Remark

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# entities are not resolved (an entity naming a local file would print that file)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
LARGEST_PART = 256 * 1024 * 1024  # a part that unpacks to more is not a review's
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
CONTEXT = 300


class ReviewFileError(Exception):
    """The reviewed file cannot be read; ``str()`` is the one-line message."""


@dataclass
class Story:
    """The text of the body or of one footnote, and what is anchored in it."""

    text: list[str] = field(default_factory=list)
    size: int = 0
    starts: dict[str, int] = field(default_factory=dict)
    ends: dict[str, int] = field(default_factory=dict)
    points: dict[str, int] = field(default_factory=dict)  # comments without a range
    notes: dict[str, int] = field(default_factory=dict)  # footnote id -> call offset
    edits: list[tuple[str, str, str, int, int]] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.text.append(text)
        self.size += len(text)

    @property
    def joined(self) -> str:
        return "".join(self.text)


def read_docx(path: Path) -> tuple[list[Remark], str]:
    """Every remark of the DOCX, in document order, and the document's title."""
    trees = {name: _xml(path, name, data) for name, data in _parts(path).items()}
    document = trees["word/document.xml"]
    if document.tag != f"{W}document":
        raise ReviewFileError(f"{path.name}: not a Word document (its word/document.xml "
                              "holds no Word document)")
    comments = _comments(trees.get("word/comments.xml"))
    body = _story(document)
    notes = {}
    if "word/footnotes.xml" in trees:
        for note in trees["word/footnotes.xml"].iter(f"{W}footnote"):
            notes[note.get(f"{W}id")] = _story(note)
    title = _title(trees.get("docProps/core.xml"))
    placed = _remarks(body, None, comments)
    for note_id, story in notes.items():
        call = body.notes.get(note_id)
        context = body.joined[max(0, call - CONTEXT):call] if call is not None else ""
        at = call if call is not None else body.size
        placed.extend((at, remark) for _, remark in _remarks(story, context, comments))
    placed.extend((body.size + 1, Remark(author, words))  # listed, never dropped
                  for author, words in _unanchored(comments, [body, *notes.values()]))
    remarks = [remark for _, remark in sorted(placed, key=lambda pair: pair[0])]
    for order, remark in enumerate(remarks):
        remark.order = order
    return remarks, title


def _xml(path: Path, name: str, data: bytes) -> etree._Element:
    """A part of the package as XML; a cut or damaged part is the file's fault, said in one
    line that names the part."""
    try:
        return etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        raise ReviewFileError(f"{path.name}: not a readable Word document ({name}: "
                              f"{' '.join(exc.msg.split()).replace(' ,', ',')})") from exc


def _parts(path: Path) -> dict[str, bytes]:
    """The parts of the package that hold remarks, text and title."""
    try:
        with zipfile.ZipFile(path) as archive:
            wanted = [info for info in archive.infolist() if info.filename in (
                "word/document.xml", "word/comments.xml", "word/footnotes.xml",
                "docProps/core.xml")]
            if any(info.file_size > LARGEST_PART for info in wanted):
                raise ReviewFileError(f"{path.name}: not a Word document a reviewer wrote "
                                      "(a part unpacks to more than 256 MB)")
            parts = {info.filename: archive.read(info) for info in wanted}
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError,
            zlib.error) as exc:
        raise ReviewFileError(f"{path.name}: not a readable DOCX file ({exc})") from exc
    if "word/document.xml" not in parts:
        raise ReviewFileError(f"{path.name}: not a Word document (no word/document.xml)")
    return parts


def _unanchored(comments: dict[str, tuple[str, str]], stories: list[Story]
                ) -> list[tuple[str, str]]:
    """Comments anchored nowhere in the text (a tool dropped their range)."""
    anchored = {ident for story in stories for ident in (*story.starts, *story.points)}
    return [comment for ident, comment in comments.items() if ident not in anchored]


def _title(core: etree._Element | None) -> str:
    if core is None:
        return ""
    title = core.find(DC_TITLE)
    return (title.text or "").strip() if title is not None else ""


def _comments(xml: etree._Element | None) -> dict[str, tuple[str, str]]:
    """Comment id -> (author, text)."""
    if xml is None:
        return {}
    found = {}
    for comment in xml.iter(f"{W}comment"):
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t"))
                      for p in comment.iter(f"{W}p")]
        found[comment.get(f"{W}id")] = (comment.get(f"{W}author") or "Unknown",
                                        " ".join(p.strip() for p in paragraphs if p.strip()))
    return found


INSERTS = {f"{W}ins": "insert", f"{W}moveTo": "move-to"}
DELETES = {f"{W}del": "delete", f"{W}moveFrom": "move-from"}


# a run's text; a tab or a line break reads as a space
TEXTS = {f"{W}t", f"{W}delText", f"{W}tab", f"{W}br", f"{W}cr"}
# where a comment's range starts and ends, its reference mark, and a footnote's call
ANCHORS = {f"{W}commentRangeStart", f"{W}commentRangeEnd", f"{W}commentReference",
           f"{W}footnoteReference"}


def _story(root: etree._Element) -> Story:
    """Walk ``root`` in document order, collecting the original text and the anchors."""
    story = Story()
    inserted: list[tuple[str, str, int, list[str]]] = []
    deleted: list[tuple[str, str, int]] = []
    formatted: list[tuple[str, int]] = []  # a run whose formatting is a tracked change
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            _close(story, element.tag, inserted, deleted, formatted)
        elif element.tag in TEXTS:
            _text(story, element, inserted)
        elif element.tag in ANCHORS:
            _anchor(story, element)
        else:
            _open(story, element, inserted, deleted, formatted)
    return story


def _text(story: Story, element: etree._Element,
          inserted: list[tuple[str, str, int, list[str]]]) -> None:
    """Text is the original's: inserted words go to their insertion, not into the story;
    deleted words (and a tab or break outside an insertion, as a space) are part of it."""
    if element.tag == f"{W}t":
        if inserted:
            inserted[-1][3].append(element.text or "")
        else:
            story.add(element.text or "")
    elif element.tag == f"{W}delText":
        story.add(element.text or "")
    elif not inserted:
        story.add(" ")


def _anchor(story: Story, element: etree._Element) -> None:
    """Where in the original text a comment's range starts or ends, its mark stands (the
    first, if repeated), or a footnote is called."""
    tag, key = element.tag, element.get(f"{W}id")
    if tag == f"{W}commentRangeStart":
        story.starts[key] = story.size
    elif tag == f"{W}commentRangeEnd":
        story.ends[key] = story.size
    elif tag == f"{W}commentReference":
        story.points.setdefault(key, story.size)
    else:
        story.notes[key] = story.size


def _open(story: Story, element: etree._Element,
          inserted: list[tuple[str, str, int, list[str]]], deleted: list[tuple[str, str, int]],
          formatted: list[tuple[str, int]]) -> None:
    """At the start of a tracked change: remember who made it and where (:func:`_close`
    records it at its end)."""
    tag = element.tag
    if tag in INSERTS:
        inserted.append((INSERTS[tag], _author(element), story.size, []))
    elif tag in DELETES:
        deleted.append((DELETES[tag], _author(element), story.size))
    elif tag == f"{W}rPrChange" and _in_run(element):
        formatted.append((_author(element), story.size))


def _close(story: Story, tag: str, inserted: list[tuple[str, str, int, list[str]]],
           deleted: list[tuple[str, str, int]], formatted: list[tuple[str, int]]) -> None:
    """At the end of an element: a paragraph's break, or the edit it held."""
    if tag == f"{W}p":
        story.add("\n")
    elif tag in INSERTS and inserted:
        kind, author, at, words = inserted.pop()
        story.edits.append((kind, author, "".join(words), at, at))
    elif tag in DELETES and deleted:
        kind, author, at = deleted.pop()
        story.edits.append((kind, author, story.joined[at:], at, story.size))
    elif tag == f"{W}r" and formatted:
        author, at = formatted.pop()
        story.edits.append(("format", author, story.joined[at:], at, story.size))


def _author(element: etree._Element) -> str:
    return element.get(f"{W}author") or "Unknown"


def _in_run(element: etree._Element) -> bool:
    """Whether a w:rPrChange is a run's (not a paragraph mark's)."""
    properties = element.getparent()
    run = properties.getparent() if properties is not None else None
    return run is not None and run.tag == f"{W}r"


def _remarks(story: Story, note_call: str | None, comments: dict[str, tuple[str, str]]
             ) -> list[tuple[int, Remark]]:
    """Each remark of ``story`` with its offset there."""
    text = story.joined
    found: list[tuple[int, Remark]] = []

    def remark(author: str, words: str, kind: str, start: int, end: int) -> Remark:
        return Remark(author, words, kind, anchor=text[start:end],
                      before=text[max(0, start - CONTEXT):start],
                      after=text[end:end + CONTEXT], note_call=note_call)

    for comment_id, start in story.starts.items():
        if comment_id in comments:
            end = story.ends.get(comment_id, start)
            author, words = comments[comment_id]
            found.append((start, remark(author, words, "comment", start, end)))
    for comment_id, at in story.points.items():
        if comment_id in comments and comment_id not in story.starts:
            author, words = comments[comment_id]
            found.append((at, remark(author, words, "comment", at, at)))
    for kind, author, words, start, end in _merged(story.edits):
        found.append((start, remark(author, words, kind, start, end)))
    return sorted(found, key=lambda pair: pair[0])


def _merged(edits: list[tuple[str, str, str, int, int]]
            ) -> list[tuple[str, str, str, int, int]]:
    """Adjacent runs of one edit (Word splits them by formatting) as one edit."""
    merged: list[tuple[str, str, str, int, int]] = []
    for edit in sorted(edits, key=lambda e: (e[3], e[0])):
        last = merged[-1] if merged else None
        if last and last[0] == edit[0] and last[1] == edit[1] and last[4] == edit[3]:
            merged[-1] = (last[0], last[1], last[2] + edit[2], last[3], edit[4])
        else:
            merged.append(edit)
    return [edit for edit in merged if edit[2].strip()]
