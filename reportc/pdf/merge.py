"""Stage 7c: merge the parts' PDFs into one, with its links, destinations, outline and
structure tree.

Uses pikepdf (qpdf): on the 200-page benchmark it merges the parts in 0.12 s where pypdf
took 1.07 s. Links between parts point at named destinations, so merging the name trees
is enough to keep every internal link working; the stand-in anchors a part carries for
targets in other parts ("ghosts") are left out.

Every part is tagged (reportc.pdf.compat.tags): its structure tree is one Document element whose
children each start on a page of the part. The merged tree is one Document holding, in page
order, the children that start on the pages kept; the ParentTree is built again, with each
page's /StructParents its page index and the annotations numbered after the pages, so no
two parts' keys collide. Pages dropped (padding pages) take nothing with them: their
elements are not copied, since no kept element refers to them.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from typing import Any

import pikepdf
from pikepdf import Array, Name, OutlineItem

from reportc.pdf.merged import Merged, PartPages
from reportc.pdf.xmp import Fields, describe

# a page of one part's PDF -> the same page in the merged PDF (None: not in the part)
_Mover = Callable[[pikepdf.Object], pikepdf.Object | None]


class _Source:
    """One input PDF, opened once however many parts come from it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pdf = pikepdf.open(io.BytesIO(data))
        self.index = {page.obj.objgen: number for number, page in enumerate(self.pdf.pages)}
        root = self.pdf.Root
        dests = root.Names.get("/Dests") if "/Names" in root else None
        names = dict(pikepdf.NameTree(dests).items()) if dests is not None else {}
        # each destination's page, found once however many parts come from this PDF
        self.names = [(name, self._page_of(destination), destination)
                      for name, destination in names.items()]
        with self.pdf.open_outline() as outline:
            self.outline = list(outline.root)
        self.tops = _top_elements(self.pdf, self.index)
        tree = root.get("/StructTreeRoot")
        self.parents = _number_tree(tree.ParentTree) \
            if tree is not None and "/ParentTree" in tree else {}

    def _page_of(self, destination: Any) -> int | None:
        """The page (0-based) a destination is on (``None``: not one WeasyPrint writes)."""
        if isinstance(destination, pikepdf.Dictionary) and "/D" in destination:
            destination = destination.D
        if not isinstance(destination, Array) or len(destination) < 4:
            return None
        page = destination[0]
        return self.index.get(page.objgen) if isinstance(page, pikepdf.Dictionary) else None


class _Assembly:
    """One merge, grown part by part (:meth:`add`) and written once (:meth:`finish`)."""

    def __init__(self) -> None:
        self.out = pikepdf.new()
        self.parts: list[PartPages] = []
        self.sources: list[_Source] = []
        self.names: dict[str | bytes, Array] = {}
        self.outline: list[OutlineItem] = []
        self.structure = _Structure(self.out)

    def source(self, data: bytes) -> _Source:
        """``data`` opened, once however many parts come from it (parts of one PDF share
        its bytes; those of another call to the merge process are found by equality)."""
        for source in self.sources:
            if _same(source.data, data):
                return source
        opened = next((n for n, source in enumerate(_OPENED) if _same(source.data, data)), None)
        self.sources.append(_Source(data) if opened is None else _OPENED.pop(opened))
        return self.sources[-1]

    def add(self, part: PartPages) -> None:
        """The part's pages, their named destinations, outline entries and structure."""
        source, out = self.source(part.pdf), self.out
        offset = len(out.pages)
        with warnings.catch_warnings():
            # it warns that named destinations are not copied: they are, below, because
            # add_pages_from() would rename the ghost anchors that collide between parts
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            out.pages.extend(source.pdf.pages[part.first:part.first + part.count])
        moved = _page_mover(source, part, out, offset)
        last = part.first + part.count
        for name, number, destination in source.names:
            if number is not None and part.first <= number < last and \
                    name not in part.ghosts and \
                    (target := _destination(destination, moved)) is not None:
                self.names[name] = target
        self.outline.extend(_outline(source.outline, moved))
        self.structure.add(source, part, offset)
        self.parts.append(part)

    def finish(self, fields: Fields | None) -> Merged:
        """The merged PDF, with ``fields`` in its XMP packet, saved once."""
        out, parts = self.out, self.parts
        self.structure.finish()
        first = self.source(parts[0].pdf).pdf
        _finish(out, first, self.names, self.outline)
        metadata = parts[0].metadata if parts[0].metadata is not None else \
            first.Root.Metadata.read_bytes() if "/Metadata" in first.Root else b""
        if fields is not None:
            if metadata:  # the packet as laid out (describing it puts a new stream in its place)
                out.Root.Metadata = pikepdf.Stream(out, metadata)
            elif "/Metadata" in out.Root:
                del out.Root["/Metadata"]
            describe(out, fields)
        _plain_text_map(out)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return Merged(buffer.getvalue(), metadata)


def _same(one: bytes, other: bytes) -> bool:
    return one is other or (len(one) == len(other) and one == other)


# The next merge, begun by prepare() in the merge process while the parts are laid out
_AHEAD: list[_Assembly] = []
# Drawn parts' PDFs opened by open_ahead() while other parts are laid out
_OPENED: list[_Source] = []


def prepare(first_parts: list[PartPages], last_pdf: bytes | None) -> None:
    """Begin the next :func:`assemble` with its first parts, the ones an edit takes from
    the last PDF up to the first part laid out again, and open that PDF: the merge process
    does it while the parts are laid out, instead of after (on 200 pages, opening the last
    PDF and copying the parts before the edited chapter was 40 % of the merge). Without
    a last PDF to take parts from, only this module is imported (pikepdf: 0.09 s)."""
    _AHEAD.clear()
    _OPENED.clear()
    if last_pdf is None:
        return
    assembly = _Assembly()
    assembly.source(last_pdf)
    for part in first_parts:
        assembly.add(part)
    _AHEAD.append(assembly)


def open_ahead(data: bytes) -> None:
    """Open a drawn part's PDF now, while other parts are laid out, for the merge to
    find by its bytes (:meth:`_Assembly.source`): parsing each part's PDF, its names,
    outline and structure was a third of a clean 200-page build's merge, which waits
    for the last part. Opened once, whenever: the same objects, so the same bytes."""
    _OPENED.append(_Source(data))


def assemble(parts: list[PartPages], fields: Fields | None = None, keep: bool = False
             ) -> Merged:
    """One PDF from the parts in order: pages, links, named destinations, outline, metadata;
    with ``fields`` in its XMP packet, written in the one save (not a second pass that
    opens and saves the whole PDF again). Continues the merge :func:`prepare` began if
    these parts start with its parts: the same steps in the same order, the same bytes.
    ``keep``: in a merge process, which ends without freeing objects one by one, keep
    this merge's objects (freeing them took 0.13 s of a 200-page edit before the reply)."""
    assembly = _AHEAD.pop() if _AHEAD else None
    if assembly is None or parts[:len(assembly.parts)] != assembly.parts:
        assembly = _Assembly()  # (a prepared one that does not fit is dropped)
    for part in parts[len(assembly.parts):]:
        assembly.add(part)
    merged = assembly.finish(fields)
    _OPENED.clear()  # parts drawn again since, with other bytes
    _KEPT[:] = [assembly] if keep else []
    return merged


_KEPT: list[_Assembly] = []  # the last merge's objects, if asked to keep them (assemble)


def _page_mover(source: _Source, part: PartPages, out: pikepdf.Pdf, offset: int) -> _Mover:
    """Maps a page of the source to the same page in ``out`` (``None``: not in the part)."""
    def moved(page: pikepdf.Object) -> pikepdf.Object | None:
        number = source.index.get(page.objgen) if isinstance(page, pikepdf.Dictionary) else None
        if number is None or not part.first <= number < part.first + part.count:
            return None
        return out.pages[offset + number - part.first].obj
    return moved


def _destination(destination: Any, moved: _Mover) -> Array | None:
    """``[page /XYZ left top zoom]`` on the merged page (WeasyPrint writes only these)."""
    if isinstance(destination, pikepdf.Dictionary) and "/D" in destination:
        destination = destination.D
    if not isinstance(destination, Array) or len(destination) < 4:
        return None
    page = moved(destination[0])
    if page is None:
        return None
    return Array([page, Name.XYZ, destination[2], destination[3], 0])


def _outline(items: list[OutlineItem], moved: _Mover) -> list[OutlineItem]:
    copied = []
    for item in items:
        destination = _destination(item.destination, moved) if item.destination else None
        if destination is None:
            continue
        new = OutlineItem(item.title, destination)
        new.children.extend(_outline(list(item.children), moved))
        copied.append(new)
    return copied


_SHARED_GLYPHS = re.compile(rb"^(<[0-9a-fA-F]+>\s+)<(00[aA]0|2010)>\s*$", re.M)
_PLAIN = {b"00a0": b"0020", b"00A0": b"0020", b"2010": b"002d"}


def _plain_text_map(out: pikepdf.Pdf) -> None:
    """Copying text out of the PDF gives plain spaces and hyphen-minus.

    A font draws a space and a no-break space (or a hyphen and the hyphen WeasyPrint adds
    where it hyphenates) with one glyph, and its ToUnicode map can name only one of them:
    whichever the part used first. So in some parts "Key takeaways" was copied and
    searched with a no-break space. Mapping those glyphs to the plain characters makes
    every part read the same.

    Every map is written back, even one with nothing to change: a map written back is
    saved with its dictionary's keys in another order, and a part taken from the last
    PDF brings maps written back there, so writing only the changed ones made an edit's
    PDF differ from a clean build's in those bytes (and so in its /ID)."""
    seen: set[tuple[int, int]] = set()
    for page in out.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if resources is not None else None
        for font in fonts.values() if fonts is not None else []:
            text_map = font.get("/ToUnicode")
            if text_map is None or text_map.objgen in seen:
                continue
            seen.add(text_map.objgen)
            data = text_map.read_bytes()
            plain = _SHARED_GLYPHS.sub(lambda m: m.group(1) + b"<" + _PLAIN[m.group(2)] + b">",
                                       data)
            text_map.write(plain)  # every map, changed or not: written alike (see below)


def _finish(out: pikepdf.Pdf, first: pikepdf.Pdf, names: dict[str | bytes, Array],
            outline: list[OutlineItem]) -> None:
    """Name tree, outline, document information and viewer settings of the first part."""
    tree = pikepdf.NameTree.new(out)
    for name in sorted(names):
        tree[name] = names[name]
    out.Root.Names = pikepdf.Dictionary(Dests=tree.obj)
    with out.open_outline() as merged:
        merged.root.extend(outline)
    for key, value in first.docinfo.items():
        out.docinfo[key] = value
    for key in ("/Lang", "/PageMode", "/ViewerPreferences", "/MarkInfo", "/Metadata"):
        if key in first.Root:
            out.Root[key] = _copy(out, first.Root[key])


def _copy(out: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """``value`` from another PDF: indirect objects through qpdf's copier, direct
    dictionaries and arrays rebuilt (they cannot be assigned across files)."""
    if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) \
            and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({k: _copy(out, v) for k, v in value.items()})
    if isinstance(value, pikepdf.Array):
        return Array([_copy(out, v) for v in value])
    return value


def _number_tree(node: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """A number tree (the ParentTree) as a dict."""
    out: dict[int, pikepdf.Object] = {}
    if "/Nums" in node:
        nums = list(node.Nums)
        out.update((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2))
    for kid in node.get("/Kids", []):
        out.update(_number_tree(kid))
    return out


def _top_elements(pdf: pikepdf.Pdf, index: dict) -> list[tuple[int, pikepdf.Object]]:
    """The Document element's children with the page each starts on, in order. Their
    /P is cut in this (in-memory) copy, so copying one copies its subtree and nothing
    above it: not the other parts' elements, nor the pages they are on."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return []
    tops: list[tuple[int, pikepdf.Object]] = []
    for document in _as_list(tree.get("/K", Array())):
        for kid in _as_list(document.get("/K", Array())):
            if not isinstance(kid, pikepdf.Dictionary) or "/Pg" not in kid:
                continue
            if "/P" in kid:
                del kid["/P"]
            tops.append((index.get(kid.Pg.objgen, -1), kid))
    return tops


def _as_list(value: pikepdf.Object) -> list:
    return list(value) if isinstance(value, Array) else [value]


class _Structure:
    """The merged structure tree, grown part by part."""

    def __init__(self, out: pikepdf.Pdf) -> None:
        self.out = out
        self.document = out.make_indirect(pikepdf.Dictionary(
            Type=Name.StructElem, S=Name.Document, K=Array()))
        self.pages: list[tuple[int, pikepdf.Object]] = []  # (page key, ParentTree entry)
        self.annotations: list[tuple[pikepdf.Object, pikepdf.Object]] = []
        self.role_map: pikepdf.Object | None = None
        self.tagged = False

    def add(self, source: _Source, part: PartPages, offset: int) -> None:
        tree = source.pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return
        self.tagged = True
        if self.role_map is None and "/RoleMap" in tree:
            self.role_map = _copy(self.out, tree.RoleMap)
        last = part.first + part.count
        tops = [element for page, element in source.tops if part.first <= page < last]
        entries, annotations = [], []  # (out page index, entry), (out annotation, element)
        for number in range(part.first, last):
            page = source.pdf.pages[number].obj
            target = self.out.pages[offset + number - part.first].obj
            entry = source.parents.get(int(page.get("/StructParents", -1)))
            if entry is not None:
                entries.append((offset + number - part.first, entry))
            for annot, copied in zip(page.get("/Annots", Array()),
                                     target.get("/Annots", Array()), strict=False):
                element = source.parents.get(int(annot.get("/StructParent", -1)))
                if element is not None:
                    annotations.append((copied, element))
        # one call into qpdf's copier for the whole part instead of one per element
        bundle = self.out.copy_foreign(source.pdf.make_indirect(Array(
            [*tops, *(entry for _, entry in entries), *(e for _, e in annotations)])))
        elements: list[pikepdf.Object] = list(bundle)
        for element in elements[:len(tops)]:
            element.P = self.document
            self.document.K.append(element)
        for (index, _), entry in zip(entries, elements[len(tops):], strict=False):
            self.out.pages[index].obj.StructParents = index
            self.pages.append((index, entry))
        rest = elements[len(tops) + len(entries):]
        self.annotations += [(annot, element) for (annot, _), element
                             in zip(annotations, rest, strict=True)]

    def finish(self) -> None:
        if not self.tagged:
            return
        values: list[Any] = []  # ParentTree /Nums: key, entry, key, entry...
        for key, entry in self.pages:
            values += [key, entry]
        next_key = len(self.out.pages)
        for annot, element in self.annotations:
            annot.StructParent = next_key
            values += [next_key, element]
            next_key += 1
        nums = Array(values)
        root = self.out.make_indirect(pikepdf.Dictionary(
            Type=Name.StructTreeRoot, K=Array([self.document]),
            ParentTree=self.out.make_indirect(pikepdf.Dictionary(Nums=nums)),
            ParentTreeNextKey=next_key))
        if self.role_map is not None:
            root.RoleMap = self.role_map
        self.document.P = root
        self.out.Root.StructTreeRoot = root
