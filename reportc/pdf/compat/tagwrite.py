"""Writing the structure tree :mod:`reportc.pdf.compat.tags` builds: the elements, the
ParentTree and the catalog's StructTreeRoot (pydyf objects, as WeasyPrint writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pydyf

ROLE_MAP = {"Aside": "Div"}  # PDF 1.7 has no Aside; PDF/UA-1 wants custom types mapped


@dataclass(eq=False)
class _Node:
    """A structure element before it is written: kids are nodes, (page, mcid) or
    (page, annotation)."""

    tag: str
    page: int
    parent: _Node | None
    kids: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    element: object = None  # the HTML element


class _Writer:
    def __init__(self, pdf, pages: int) -> None:
        self.pdf = pdf
        self.pages = pdf.page_references  # a property that builds the tuple on every call
        self.parents: list[dict[int, object]] = [{} for _ in range(pages)]
        self.annotations: list[tuple[Any, Any]] = []

    def write(self, node: _Node, parent_ref) -> object:
        """The element's reference (``node`` has content: see :func:`_prune`)."""
        element = pydyf.Dictionary({"Type": "/StructElem", "S": f"/{node.tag}",
                                    "P": parent_ref, "Pg": self.pages[node.page]})
        self.pdf.add_object(element)
        kids = pydyf.Array()
        for kid in node.kids:
            if isinstance(kid, _Node):
                kids.append(self.write(kid, element.reference))
            elif isinstance(kid[1], int):
                page, mcid = kid
                self.parents[page][mcid] = element.reference
                if page == node.page:
                    kids.append(mcid)
                else:
                    kids.append(pydyf.Dictionary({
                        "Type": "/MCR", "MCID": mcid, "Pg": self.pages[page]}))
            else:
                page, annotation = kid
                kids.append(pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference,
                                              "Pg": self.pages[page]}))
                self.annotations.append((element.reference, annotation))
        element["K"] = kids
        for key, value in node.attrs.items():
            if key == "A":
                element["A"] = pydyf.Dictionary({k: f"/{v}" for k, v in value.items()})
            else:
                element[key] = pydyf.String(value)
        return element.reference


def _prune(node: _Node) -> bool:
    """Drop elements with no content (stand-in anchors, empty wrappers); ``False`` if
    ``node`` itself has none."""
    node.kids = [kid for kid in node.kids if not isinstance(kid, _Node) or _prune(kid)]
    return bool(node.kids)


def _write(pdf, root: _Node, pages: int) -> None:
    parent_tree = pydyf.Dictionary({})
    pdf.add_object(parent_tree)
    tree_root = pydyf.Dictionary({"Type": "/StructTreeRoot",
                                  "ParentTree": parent_tree.reference,
                                  "RoleMap": pydyf.Dictionary({k: f"/{v}"
                                                               for k, v in ROLE_MAP.items()})})
    pdf.add_object(tree_root)
    writer = _Writer(pdf, pages)
    _prune(root)
    tree_root["K"] = pydyf.Array([writer.write(root, tree_root.reference)])
    nums = pydyf.Array()
    for page, mcids in enumerate(writer.parents):
        count = max(mcids) + 1 if mcids else 0
        nums += [page, pydyf.Array([mcids.get(i, "null") for i in range(count)])]
    for number, (element, annotation) in enumerate(writer.annotations, start=pages):
        annotation["StructParent"] = number
        nums += [number, element]
    parent_tree["Nums"] = nums
    tree_root["ParentTreeNextKey"] = pages + len(writer.annotations)
    pdf.catalog["StructTreeRoot"] = tree_root.reference
