"""Read a tagged PDF's structure tree with pikepdf and check it against the parts of the
Matterhorn protocol (PDF/UA-1) a machine can decide without veraPDF.

Checkpoints covered (by Matterhorn checkpoint group; the message of each problem names it):
- 01 real content tagged: every marked-content id on every page is reached from the
  structure tree through the ParentTree, and nothing is drawn outside marked content
  (text, images, shadings): it is tagged or an Artifact (01-005).
- 02 role mapping: every structure type is standard or role-mapped to one (02-001).
- 06 metadata: an XMP stream with pdfuaid:part 1 and a dc:title (06-001..06-003).
- 07 dictionary: /ViewerPreferences /DisplayDocTitle true (07-001, 07-002).
- 09 appropriate tags: L holds LI, Caption or L; LI holds Lbl and LBody; Table holds
  TR, THead, TBody, TFoot, Caption; TR holds TH and TD; none holds content directly.
- 11 natural language: /Lang on the catalog.
- 13 graphics: every Figure has /Alt or /ActualText (13-004).
- 14 headings: the first heading is H1 and no level is skipped going down (14-003).
- 15 tables: every TH has /Scope (or cells name their /Headers).
- 19 notes: every Note has an /ID, unique in the document (19-003, 19-004).
- 28 annotations: pages with annotations have /Tabs /S; every link annotation has
  /Contents, a /StructParent, and sits in a Link element through an OBJR.
- 31 fonts: every font used on a page is embedded and has a ToUnicode map.
- Tagged PDF (ISO 32000-1 14.7/14.8): /MarkInfo /Marked true, a StructTreeRoot, and no
  /StructParents or /StructParent key shared by two pages or annotations.

Not covered (needs veraPDF or a person): whether tags match the meaning of the content,
reading order as a whole, alt text quality, colour contrast, font program internals.
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass, field

import pikepdf

STANDARD = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI",
    "Index", "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L",
    "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span",
    "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT",
    "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form",
}
ALLOWED_KIDS = {
    "L": {"LI", "Caption", "L"},
    "LI": {"Lbl", "LBody"},
    "Table": {"TR", "THead", "TBody", "TFoot", "Caption"},
    "THead": {"TR"}, "TBody": {"TR"}, "TFoot": {"TR"},
    "TR": {"TH", "TD"},
}


@dataclass
class Element:
    """A structure element as a reader meets it."""

    type: str  # role-mapped to the standard type
    raw: str
    obj: pikepdf.Dictionary
    kids: list[Element] = field(default_factory=list)
    mcids: list[tuple[int, int]] = field(default_factory=list)  # (page index, mcid)
    links: list[pikepdf.Dictionary] = field(default_factory=list)  # annotations (OBJR)

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()

    @property
    def alt(self) -> str | None:
        return str(self.obj.Alt) if "/Alt" in self.obj else None


class Tree:
    """The structure tree of one PDF, plus the facts the checks need."""

    def __init__(self, data: bytes) -> None:
        self.pdf = pikepdf.open(io.BytesIO(data))
        self.page_index = {p.obj.objgen: i for i, p in enumerate(self.pdf.pages)}
        root = self.pdf.Root.get("/StructTreeRoot")
        self.role_map = {str(k)[1:]: str(v)[1:] for k, v in
                         (root.get("/RoleMap", {}) if root is not None else {}).items()}
        self.root = root
        kids = _as_list(root.K) if root is not None and "/K" in root else []
        self.elements = [self._read(kid, None) for kid in kids if _is_elem(kid)]

    def _read(self, obj: pikepdf.Dictionary, page: int | None) -> Element:
        raw = str(obj.S)[1:]
        element = Element(self.role_map.get(raw, raw), raw, obj)
        if "/Pg" in obj:
            page = self.page_index.get(obj.Pg.objgen, page)
        for kid in _as_list(obj.get("/K", [])):
            if isinstance(kid, int):
                element.mcids.append((page, int(kid)))
            elif _is_elem(kid):
                element.kids.append(self._read(kid, page))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                on = self.page_index.get(kid.Pg.objgen, page) if "/Pg" in kid else page
                element.mcids.append((on, int(kid.MCID)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                element.links.append(kid.Obj)
        return element

    def walk(self):
        for element in self.elements:
            yield from element.walk()

    def outline(self) -> list[str]:
        """Element types in reading order (the Document root left out)."""
        return [e.type for e in self.walk() if e.type != "Document"]


def _as_list(obj) -> list:
    return list(obj) if isinstance(obj, pikepdf.Array) else [obj]


def _is_elem(obj) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj and \
        obj.get("/Type", "/StructElem") == "/StructElem"


def content_marks(pdf: pikepdf.Pdf, page: int) -> tuple[set[int], int, int]:
    """Marked-content ids shown on a page, the count of text-showing operators outside any
    marked content (untagged content), and the count of Artifact runs."""
    mcids, untagged, artifacts = set(), 0, 0
    stack: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(pdf.pages[page]):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])[1:]
            stack.append(tag)
            if tag == "Artifact":
                artifacts += 1
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) \
                    and "/MCID" in operands[1]:
                mcids.add(int(operands[1].MCID))
        elif op == "EMC" and stack:
            stack.pop()
        elif op in ("Tj", "TJ", "'", '"', "Do", "sh") and not stack:
            untagged += 1
    return mcids, untagged, artifacts


def _number_tree(obj) -> dict[int, object]:
    out: dict[int, object] = {}
    if "/Nums" in obj:
        nums = list(obj.Nums)
        for i in range(0, len(nums), 2):
            out[int(nums[i])] = nums[i + 1]
    for kid in obj.get("/Kids", []):
        out.update(_number_tree(kid))
    return out


def check(data: bytes) -> list[str]:
    """Every problem found, as short sentences; an empty list means the checks pass."""
    tree = Tree(data)
    pdf, problems = tree.pdf, []
    root = pdf.Root
    if tree.root is None:
        return ["tagged PDF: no StructTreeRoot"]
    mark = root.get("/MarkInfo", {})
    if not bool(mark.get("/Marked", False)):
        problems.append("tagged PDF: /MarkInfo /Marked is not true")
    if not str(root.get("/Lang", "")).strip():
        problems.append("11: no /Lang on the catalog")
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        problems.append("07-001: /DisplayDocTitle is not true")
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8", "replace") \
        if "/Metadata" in root else ""
    if not re.search(r"pdfuaid:part(>|=\")\s*1", xmp):
        problems.append("06-002: XMP has no pdfuaid:part 1")
    if "dc:title" not in xmp:
        problems.append("06-003: XMP has no dc:title")
    problems += _check_types(tree) + _check_parent_tree(tree) + _check_annotations(tree)
    return problems + _check_fonts(pdf)


def _check_fonts(pdf: pikepdf.Pdf) -> list[str]:
    problems, seen = [], set()
    for index, page in enumerate(pdf.pages):
        for font in page.obj.get("/Resources", {}).get("/Font", {}).values():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor", {})
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")) \
                    and font.get("/Subtype") != "/Type3":
                problems.append(f"31: font {font.get('/BaseFont')} on page {index + 1} "
                                "is not embedded")
            if "/ToUnicode" not in font:
                problems.append(f"31: font {font.get('/BaseFont')} has no ToUnicode map")
    return problems


def _check_types(tree: Tree) -> list[str]:
    problems = []
    headings = []
    note_ids: set[str] = set()
    for element in tree.walk():
        if element.type not in STANDARD:
            problems.append(f"02-001: structure type {element.raw} is not standard or mapped")
        allowed = ALLOWED_KIDS.get(element.type)
        if allowed is not None:
            bad = {k.type for k in element.kids} - allowed
            if bad or (element.type in ("L", "TR", "Table") and element.mcids):
                problems.append(f"09: {element.type} holds {sorted(bad) or 'content'}")
        if element.type == "Figure" and element.alt is None and "/ActualText" not in element.obj:
            problems.append("13-004: a Figure has no /Alt")
        if element.type == "TH":
            attrs = element.obj.get("/A", {})
            if "/Scope" not in attrs and "/Headers" not in attrs:
                problems.append("15: a TH has no /Scope")
        if element.type == "Note":
            note_id = str(element.obj.get("/ID", ""))
            if not note_id or note_id in note_ids:
                problems.append(f"19-003/19-004: a Note has no unique /ID ({note_id!r})")
            note_ids.add(note_id)
        if re.fullmatch(r"H[1-6]", element.type):
            headings.append(int(element.type[1]))
    if headings and headings[0] != 1:
        problems.append(f"14: the first heading is H{headings[0]}")
    for before, after in itertools.pairwise(headings):
        if after > before + 1:
            problems.append(f"14-003: heading level skipped (H{before} then H{after})")
            break
    return problems


def _check_parent_tree(tree: Tree) -> list[str]:
    pdf, problems = tree.pdf, []
    parent_tree = _number_tree(tree.root.ParentTree) if "/ParentTree" in tree.root else {}
    reached = {(p, m) for e in tree.walk() for p, m in e.mcids}
    keys: dict[int, str] = {}
    for index, page in enumerate(pdf.pages):
        mcids, untagged, _ = content_marks(pdf, index)
        if untagged:
            problems.append(f"01-005: page {index + 1} draws {untagged} thing(s) untagged")
        if not mcids:
            continue
        if "/StructParents" not in page.obj:
            problems.append(f"01-005: page {index + 1} has content ids but no /StructParents")
            continue
        key = int(page.obj.StructParents)
        if key in keys:
            problems.append(f"tagged PDF: /StructParents {key} shared by {keys[key]} and page "
                            f"{index + 1}")
        keys[key] = f"page {index + 1}"
        entry = parent_tree.get(key)
        if not isinstance(entry, pikepdf.Array):
            problems.append(f"01-005: page {index + 1}: no ParentTree entry {key}")
            continue
        for mcid in mcids:
            if mcid >= len(entry) or not isinstance(entry[mcid], pikepdf.Dictionary) \
                    or (index, mcid) not in reached:
                problems.append(f"01-005: page {index + 1}: content {mcid} is not in the tree")
                break
    for index, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                key = int(annot.StructParent)
                if key in keys:
                    problems.append(f"tagged PDF: /StructParent {key} used twice")
                keys[key] = f"an annotation on page {index + 1}"
    return problems


def _check_annotations(tree: Tree) -> list[str]:
    pdf, problems = tree.pdf, []
    parent_tree = _number_tree(tree.root.ParentTree)
    held = {a.objgen for e in tree.walk() for a in e.links}
    for index, page in enumerate(pdf.pages):
        annots = page.obj.get("/Annots", [])
        if len(annots) and page.obj.get("/Tabs") != "/S":
            problems.append(f"28: page {index + 1} has annotations but no /Tabs /S")
        for annot in annots:
            if annot.get("/Subtype") != "/Link":
                continue
            if not str(annot.get("/Contents", "")).strip():
                problems.append(f"28: a link on page {index + 1} has no /Contents")
            if "/StructParent" not in annot or annot.objgen not in held:
                problems.append(f"28: a link on page {index + 1} is not in the tree")
                continue
            parent = parent_tree.get(int(annot.StructParent))
            if not isinstance(parent, pikepdf.Dictionary) or parent.get("/S") != "/Link":
                problems.append(f"28: a link on page {index + 1} has a wrong parent entry")
    return problems


def link_targets(tree: Tree) -> list[str]:
    """Each Link element's targets in order: named destination or URI."""
    out = []
    for element in tree.walk():
        for annot in element.links:
            if "/Dest" in annot:
                out.append(str(annot.Dest))
            elif "/A" in annot and "/URI" in annot.A:
                out.append(str(annot.A.URI))
    return out
