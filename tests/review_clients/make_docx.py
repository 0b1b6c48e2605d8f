"""Write a reviewed Word file with LibreOffice itself, as a reviewer's Writer would.

Usage (LibreOffice's own Python, which has the UNO bridge; Debian: libreoffice-writer-nogui
and python3-uno)::

    /usr/bin/python3 tests/review_clients/make_docx.py out/clients.docx \\
        tests/review_clients/clients-reviewed.docx

The input is the Word edition of tests/roots/review-clients (``--format docx``). A
headless soffice is started with a private profile; comments (on a range, or at a point)
and tracked changes (deletion, insertion, replacement) are made through the UNO API, and
the document is saved by LibreOffice's own "MS Word 2007 XML" filter. The output is
committed (tests/review_clients/), so the tests need neither LibreOffice nor this script;
run it again after changing the fixture report. ``REMARKS`` below is the truth the tests
compare with (tests/test_comments_clients.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

AUTHOR = "Rita Reviewer"
PORT = 2093

# (kind, phrase, text, occurrence). kind: "comment" over the phrase; "point": a comment
# with no range; "delete"; "insert" text; "replace" by text; "bold" (a tracked format
# change). The part of the phrase in
# brackets is the one acted on ("[]" a point), else all of it. The phrase is looked for in
# the body (the contents field first) and its table cells, then the footnotes ("^phrase":
# in the footnotes only); occurrence picks among repeats. LibreOffice 7.4 leaves a comment
# in a footnote out of the .docx it writes (tracked changes there are kept), so the
# footnotes get tracked changes only.
REMARKS: list[tuple[str, str, str, int]] = [
    ("comment", "Remarks from real clients", "Title is provisional.", 0),
    ("comment", "Energy trade binds", "Which other fields?", 0),
    ("comment", "Key points", "Box title.", 0),
    ("comment", "Joint gas projects grew", "By how much?", 0),
    ("replace", "closes the [list]", "series", 0),
    ("comment", "Trade in numbers", "Chapter title.", 1),
    ("comment", "row for year 2031", "Check this row.", 0),
    ("comment", "2047", "Year cell.", 0),
    ("point", "Trade by year, in[] billions", "Which currency?", 0),
    ("comment", "Prices for natural gas were never published", "Source?", 0),
    ("comment", "Annual Report on Eastern Supplies", "Which edition?", 0),
    ("insert", "^Annual Report[] on Eastern", " 2019", 0),
    ("insert", "^Our own[] estimate", " rough", 0),
    ("delete", "were[ no clearer]", "", 0),
    ("insert", "Later contracts were[]", " hardly", 0),
    ("point", "outlook for the trade[]", "Finish the sentence.", 0),
    ("comment", "Pipelines and power", "Chapter title too.", 1),
    ("comment", "Pipelines and Power in Eurasia", "Page numbers?", 0),
    ("delete", "^Pipelines and Power in [Eurasia]", "", 0),
    ("comment", "argues in his history", "Paraphrase.", 0),
    ("comment", "route of the pipeline across the border", "Caption.", 0),
    ("point", "The route of[] the", "Shorter caption.", 0),
    ("comment", "Blagoveshchensk", "Spelling.", 0),
    ("insert", "metering station[]", " (Kani-Kurgan)", 0),
    ("comment", "most demanding part", "Says who?", 0),
    ("bold", "took [twenty years] to build", "", 0),
    ("insert", "[]The rest of this report", "In short, ", 0),
    ("point", "row for year 2044[]", "Row end.", 0),
    ("point", "to the border.[]", "End of the summary.", 0),
    ("point", "Pipelines[] and power", "Plural?", 1),
    ("point", "[]Its route crosses", "New paragraph?", 0),
]


def prop(name: str, value: object) -> PropertyValue:
    made = PropertyValue()
    made.Name, made.Value = name, value
    return made


def connect(profile: Path) -> tuple[subprocess.Popen, object]:
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
         f"-env:UserInstallation={profile.as_uri()}",
         f"--accept=socket,host=127.0.0.1,port={PORT};urp;"], start_new_session=True)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            return office, resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={PORT};urp;StarOffice.ComponentContext")
        except Exception:  # soffice is still starting
            time.sleep(0.5)
    office.kill()
    raise SystemExit("soffice did not start")


def set_author(context: object) -> None:
    """Tracked changes carry the user's name from the profile, as in Writer."""
    provider = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", context)
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (prop("nodepath", "/org.openoffice.UserProfile/Data"),))
    first, last = AUTHOR.split()
    access.setPropertyValue("givenname", first)
    access.setPropertyValue("sn", last)
    access.commitChanges()


def texts(document: object) -> Iterator[object]:
    """The body, then every footnote."""
    yield document.Text
    notes = document.getFootnotes()
    for number in range(notes.getCount()):
        yield notes.getByIndex(number)


def paragraphs(text: object) -> Iterator[tuple[object, object]]:
    """(the text holding it, paragraph), table cells included."""
    walk = text.createEnumeration()
    while walk.hasMoreElements():
        part = walk.nextElement()
        if part.supportsService("com.sun.star.text.TextTable"):
            for name in part.getCellNames():
                yield from paragraphs(part.getCellByName(name))
        else:
            yield text, part


def find(document: object, phrase: str, occurrence: int) -> object:
    """A cursor over the bracketed part of ``phrase`` ("closes the [list]"), or over all of
    it. Writer's own search needs a view, and a view's comment windows need UI files
    that libreoffice-writer-nogui lacks; so the paragraphs are searched here."""
    stories = list(texts(document))
    if phrase.startswith("^"):
        phrase, stories = phrase[1:], stories[1:]
    plain = phrase.replace("[", "").replace("]", "")
    start = phrase.find("[")
    start, length = (start, phrase.find("]") - start - 1) if start >= 0 else (0, len(plain))
    seen = 0
    for story in stories:
        for text, paragraph in paragraphs(story):
            at = paragraph.getString().find(plain)
            if at < 0:
                continue
            if seen < occurrence:
                seen += 1
                continue
            return select(text, paragraph, at + start, plain[start:start + length])
    raise SystemExit(f"not in the document: {phrase!r}")


def select(text: object, paragraph: object, at: int, wanted: str) -> object:
    """A cursor over ``wanted`` at about ``at``: a footnote's anchor is a character to
    a cursor but not in the paragraph's string, so the offset may be a little short."""
    for shift in (0, 1, 2, 3, -1):
        cursor = text.createTextCursorByRange(paragraph.getStart())
        cursor.goRight(at + shift, False)
        cursor.goRight(len(wanted), True)
        if cursor.getString() == wanted:
            return cursor
    raise SystemExit(f"cannot select {wanted!r}")


def comment(document: object, where: object, text: str, absorb: bool) -> None:
    note = document.createInstance("com.sun.star.text.textfield.Annotation")
    note.Author, note.Initials, note.Content = AUTHOR, "RR", text
    where.getText().insertTextContent(where, note, absorb)


def apply(document: object, kind: str, phrase: str, text: str, occurrence: int) -> None:
    where = find(document, phrase, occurrence)
    if kind in ("comment", "point"):
        comment(document, where, text, kind == "comment")
        return
    document.RecordChanges = True
    if kind == "bold":
        where.CharWeight = 150.0  # com.sun.star.awt.FontWeight.BOLD
    elif kind in ("delete", "replace"):
        where.setString(text)
    else:
        where.getText().insertString(where, text, False)
    document.RecordChanges = False


def main(source: Path, target: Path) -> None:
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    office, context = connect(profile)
    try:
        set_author(context)
        # a document without a view (see find())
        document = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.text.TextDocument", context)
        document.load((prop("URL", uno.systemPathToFileUrl(str(source.resolve()))),
                       prop("FilterName", "MS Word 2007 XML")))
        for remark in REMARKS:
            apply(document, *remark)
        document.storeToURL(uno.systemPathToFileUrl(str(target.resolve())),
                            (prop("FilterName", "MS Word 2007 XML"),))
        document.close(True)
    finally:
        with contextlib.suppress(ProcessLookupError):  # soffice.bin outlives its wrapper
            os.killpg(office.pid, signal.SIGTERM)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
