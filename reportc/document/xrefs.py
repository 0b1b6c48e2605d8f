"""Resolve ``@fig-x`` cross-references into links; check citation keys and image paths."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from reportc.cache import BuildCache
from reportc.document.crossref import (
    identifier_link,
    identifier_url,
    manubot_aliases,
    standard_key,
)
from reportc.document.images import find_image, pdf_figure
from reportc.document.kinds import (
    DEFAULT_TAKEAWAYS_TITLE,
    LABELS,
    XREF_PREFIXES,
    is_xref,
    target_id,
)
from reportc.document.links import ALIAS, resolve_links
from reportc.document.model import ChapterDoc, Target
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.paths import inside

__all__ = ["XREF_PREFIXES", "resolve_references"]
# a key that looks like a cross-reference with a prefix reportc does not know ("@fgi-x")
_LOOKS_LIKE_XREF = re.compile(r"^[A-Za-z]{2,4}-[\w-]+$")
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def resolve_references(doc: ChapterDoc, targets: dict[str, Target], bib_keys: set[str],
                       root: Path, diag: Diagnostics, cache: BuildCache | None = None,
                       aliases: dict[str, str] | None = None,
                       takeaways: str = DEFAULT_TAKEAWAYS_TITLE) -> None:
    """Turn ``@fig-x`` into links, check citation keys and image paths (PDF figures drawn
    as SVG, kept in ``cache``), style boxes. ``aliases``: Manubot's ``[@tag:x]: doi:…``
    of the whole report (:func:`report_aliases`; else those of the chapter's text);
    ``takeaways``: a takeaway box's title when it has none of its own."""
    seen: dict[str, int] = {}  # occurrences located so far, by key: each warning its own line
    aliases = manubot_aliases(doc.chapter.text) if aliases is None else aliases

    def resolve(items: list[Any]) -> list[Any]:  # a list holding a citation
        return _link_identifiers(_replace_xrefs(items, doc, targets, diag, seen), doc,
                                 (bib_keys, aliases), diag, seen)
    doc.ast["blocks"] = _map_cite_lists(doc.ast["blocks"], resolve)
    for node in A.iter_nodes(doc.ast["blocks"]):
        if node["t"] == "Cite":
            for citation in node["c"][0]:
                _check_citation(doc, citation["citationId"], bib_keys, diag)
        elif node["t"] == "Image":
            _check_image(doc, node, root, diag, cache)
        elif node["t"] == "Figure" and "://" in json.dumps(node["c"][2]):
            _remote_in_figure(node)
        elif node["t"] == "Div" and "takeaways" in node["c"][0][1]:
            _dress_takeaways(node, takeaways)
    resolve_links(doc, targets, diag, bib_keys)  # hand-written links to #x


def report_aliases(texts: Iterable[str]) -> dict[str, str]:
    """Manubot's citation aliases hold in the whole paper, wherever defined (``texts``: the
    chapters'): Manubot joins its files, and a section split off a file (one chapter per
    ``##``) has the others' lines blanked."""
    return {alias: target for text in texts if "[@" in text
            for alias, target in manubot_aliases(text).items()}


def _map_cite_lists(tree: Any, fn: Callable[[list[Any]], list[Any]]) -> Any:
    """:func:`reportc.pandoc.ast.map_inline_lists` for the lists that hold a citation
    (bottom-up, in place): each list is looked at once, its citations noted on the way
    down, where asking each list whether it held one went over it again (a quarter of
    resolving the chapters of a 200-page edit)."""
    if type(tree) is dict:
        for key, value in tree.items():
            if type(value) is dict or type(value) is list:
                tree[key] = _map_cite_lists(value, fn)
        return tree
    cites = False
    for index, item in enumerate(tree):
        if type(item) is dict:
            cites = cites or item.get("t") == "Cite"
            tree[index] = _map_cite_lists(item, fn)
        elif type(item) is list:
            tree[index] = _map_cite_lists(item, fn)
    return fn(tree) if cites else tree


def _replace_xrefs(items: list[Any], doc: ChapterDoc, targets: dict[str, Target],
                   diag: Diagnostics, seen: dict[str, int]) -> list[Any]:
    if not any(isinstance(item, dict) and item.get("t") == "Cite" for item in items):
        return items
    out: list[Any] = []
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("t") == "Cite" and _is_xref(item):
            if _check_doubled_word(items, index, doc, targets, diag, seen):
                del out[-2:]  # "Figure @fig-x" prints "Figure 1", never "Figure Figure 1"
                if opening := _opening(items[index - 2]["c"]):
                    out.append({"t": "Str", "c": opening})
            out.extend(_xref_inlines(item, doc, targets, diag))
        else:
            out.append(item)
    return out


def _link_identifiers(items: list[Any], doc: ChapterDoc,
                      keys: tuple[set[str], dict[str, str]], diag: Diagnostics,
                      seen: dict[str, int]) -> list[Any]:
    """Manubot's ``@doi:...`` (or an alias of one) that no bibliography holds: its
    identifier as a link; an alias whose identifier the bibliography holds cites that."""
    if not any(isinstance(item, dict) and item.get("t") == "Cite" for item in items):
        return items
    bib_keys, aliases = keys
    out: list[Any] = []
    for item in items:
        if not isinstance(item, dict) or item.get("t") != "Cite":
            out.append(item)  # (most inlines: not looked at further)
            continue
        citations = item["c"][0]
        offline = _offline_citations(citations, bib_keys, aliases)
        if not offline:
            out.append(item)
            continue
        for citation in offline:
            key = citation["citationId"]
            diag.warning(f"'@{key}' is not in the bibliography and cannot be looked up "
                         "offline: it prints as a link; add an entry with this key (or its "
                         "DOI) to the bibliography file", doc.rel,
                         _nth_line(doc, key, seen), code="cite.identifier")
        out.extend(_with_links(item, citations, offline, aliases))
    return out


def _offline_citations(citations: list[Any], bib_keys: set[str],
                       aliases: dict[str, str]) -> list[Any]:
    """The citations of identifiers no bibliography holds (an alias whose identifier one
    holds, or an identifier an entry holds in another form, is made to cite that first)."""
    for citation in citations:
        key = citation["citationId"]
        if key in bib_keys:
            continue
        target = aliases.get(key, key)
        if target in bib_keys:
            citation["citationId"] = target
        elif (standard := standard_key(target)) is not None:
            citation["citationId"] = _standard_keys(frozenset(bib_keys)).get(standard, key)
    return [c for c in citations if c["citationId"] not in bib_keys
            and identifier_url(aliases.get(c["citationId"], c["citationId"])) is not None]


@functools.lru_cache(maxsize=2)
def _standard_keys(bib_keys: frozenset[str]) -> dict[str, str]:
    """Each identifier key of the bibliography by its :func:`standard_key` (asked only
    when a citation is not found as written: most reports never build it)."""
    return {standard: key for key in sorted(bib_keys)
            if (standard := standard_key(key)) is not None}


def _with_links(item: A.Node, citations: list[Any], offline: list[Any],
                aliases: dict[str, str]) -> list[Any]:
    """A citation with its ``offline`` identifiers as links: after the citation of the
    rest, or alone (in parentheses unless the citation was in the text)."""
    links = [identifier_link(aliases.get(c["citationId"], c["citationId"])) for c in offline]
    joined = [node for index, link in enumerate(links)
              for node in ([{"t": "Str", "c": ";"}, {"t": "Space"}] if index else []) + [link]]
    rest = [c for c in citations if c not in offline]
    if rest:
        item["c"][0] = rest
        return [item, {"t": "Space"}, *joined]
    if citations[0]["citationMode"]["t"] == "AuthorInText":
        return joined
    return [{"t": "Str", "c": "("}, *joined, {"t": "Str", "c": ")"}]


def _is_xref(cite: A.Node) -> bool:
    return any(is_xref(c["citationId"]) for c in cite["c"][0])


def _check_doubled_word(items: list[Any], index: int, doc: ChapterDoc,
                        targets: dict[str, Target], diag: Diagnostics,
                        seen: dict[str, int]) -> bool:
    """"Table @tbl-x" (also "(Table @tbl-x", "Tab. @tbl-x") would print "Table Table 1":
    warn at each occurrence, with the fix; ``True`` when the word is to be dropped."""
    citation = items[index]["c"][0][0]
    target = targets.get(target_id(citation["citationId"]))
    if target is None or index < 2 or citation["citationMode"]["t"] == "SuppressAuthor" \
            or citation["citationPrefix"] or target.label.startswith("\u201c"):
        return False
    word, space = items[index - 2], items[index - 1]
    if space.get("t") != "Space" or word.get("t") != "Str":
        return False
    label_word = target.label.split("\u00a0")[0].split(" ")[0].lower()
    written = word["c"][len(_opening(word["c"])):]
    bare = written.rstrip(".").lower()
    whole = bare in (label_word, label_word + "s")  # "table." ends a sentence; "Tab." is short
    if not bare or not (label_word.startswith(bare) and not whole if written.endswith(".")
                        else whole):
        return False
    key = citation["citationId"]
    line = _nth_line(doc, key, seen, written)
    spelled = _spelled(doc, key, line)  # as written: @fig:x in a pandoc-crossref document
    diag.warning(f"'{written} @{spelled}' would print '{written} {target.label}': the reference "
                 f"brings its own word; write '@{spelled}' (or '[-@{spelled}]' for the number "
                 "alone)", doc.rel, line, code="xref.word")
    return True


def _spelled(doc: ChapterDoc, key: str, line: int | None) -> str:
    """``key`` as the author wrote it on ``line`` (``fig:x`` for ``fig-x``)."""
    text = doc.chapter.text.splitlines()[line - 1] if line else ""
    found = re.search(r"@\{?(" + _spellings(key) + ")", text)
    return found.group(1) if found else key


def _opening(word: str) -> str:
    """The brackets and quotes a word starts with: ``"(["`` of ``"([Figure"``."""
    return word[:len(word) - len(word.lstrip("([{\u201c\u2018\"'"))]


def _xref_inlines(cite: A.Node, doc: ChapterDoc, targets: dict[str, Target],
                  diag: Diagnostics) -> list[A.Node]:
    citations = cite["c"][0]
    if not all(is_xref(c["citationId"]) for c in citations):
        diag.error("a cross-reference and a citation cannot share one [...]; write them "
                   "separately", doc.rel, _cite_line(doc, citations[0]["citationId"]))
        return [cite]
    out: list[A.Node] = []
    for index, citation in enumerate(citations):
        key = citation["citationId"]
        target = targets.get(target_id(key)) or _section_by_identifier(key, targets)
        if index:
            out.extend(A.text_inlines(", " if index < len(citations) - 1 else " and "))
        if target is None or not target.id:  # not target.id: in other editions only
            _unknown(key, doc, diag, target is not None)
            out.append({"t": "Strong", "c": [{"t": "Str", "c": f"??{key}"}]})
            continue
        suppress = citation["citationMode"]["t"] == "SuppressAuthor"
        prefix = citation["citationPrefix"]
        if prefix and not target.label.startswith("\u201c"):
            # [Fig. @fig-x]: the author's word replaces the label's ("Fig. 1", as Quarto)
            words = [*prefix, {"t": "Str", "c": "\u00a0" + target.number}]
        else:
            words = [*prefix, {"t": "Space"}] if prefix else []
            words += A.text_inlines(target.number if suppress else target.label)
        out.append(A.link(words, f"#{target.id}", ["xref"]))
        out.extend(citation["citationSuffix"])
    return out


def _section_by_identifier(key: str, targets: dict[str, Target]) -> Target | None:
    """The heading ``@sec:results`` means where no heading is labelled so: the one whose
    identifier is ``results`` (given by pandoc from its title, or written), as
    pandoc-crossref's ``autoSectionLabels`` labels every section of a thesis."""
    head, _, tail = target_id(key).partition("-")
    if head != "sec" or not tail:
        return None
    alias = targets.get(ALIAS + tail)
    found = targets.get(alias.id if alias else tail)
    return found if found is not None and found.label else None


def _unknown(key: str, doc: ChapterDoc, diag: Diagnostics, elsewhere: bool) -> None:
    """An unknown cross-reference is an error; one to content for none of the build's
    editions (``elsewhere``: :func:`reportc.document.hidden.absent_targets`) a warning."""
    if elsewhere:
        diag.warning(f"cross-reference '@{key}' points at content for other editions than "
                     f"this build's: it prints as ??{key}", doc.rel, _cite_line(doc, key),
                     code="quarto.conditional")
    else:
        diag.error(f"unknown cross-reference '@{key}'", doc.rel, _cite_line(doc, key))


def _cite_line(doc: ChapterDoc, key: str) -> int | None:
    return doc.chapter.line_of(_key_pattern(key))


def _key_pattern(key: str) -> re.Pattern[str]:
    """Where ``@key`` is written: as is, in pandoc-crossref's form (``@fig:x``), as the
    LaTeX ``\\ref{fig:x}`` or the bookdown ``\\@ref(fig:x)`` it was read from."""
    tail = key.partition("-")[2]
    return re.compile(r"(?:@\{?" + _spellings(key) + r"|\\\w*ref\{[^}]*" +
                      re.escape(tail or key) + r"\}|@ref\((?:[a-z]+:)?" + re.escape(tail or key)
                      + r"\))(?![\w:.#$%&+?<>~/-]*\w)")


def _spellings(key: str) -> str:
    """A pattern for ``key`` as Quarto or pandoc-crossref spell it (``fig-x``, ``fig:x``)."""
    head, dash, tail = key.partition("-")
    return re.escape(head) + "[-:]" + re.escape(tail) if dash else re.escape(key)


def _nth_line(doc: ChapterDoc, key: str, seen: dict[str, int], word: str = "") -> int | None:
    """The line of the next occurrence of ``@key`` (``word @key`` if a word is given; the
    first occurrence the first time)."""
    pattern = _key_pattern(key).pattern
    if word:
        pattern = re.escape(word) + r"\s+" + pattern
    text = doc.chapter.text
    lines = [text.count("\n", 0, match.end()) + 1 for match in re.finditer(pattern, text)]
    nth = seen.get(word + key, 0)
    seen[word + key] = nth + 1
    return lines[min(nth, len(lines) - 1)] if lines else None


def _check_citation(doc: ChapterDoc, key: str, bib_keys: set[str], diag: Diagnostics) -> None:
    if is_xref(key):
        return  # a cross-reference mixed into a citation: reported once already
    if key not in bib_keys and _LOOKS_LIKE_XREF.match(key) and \
            key.lower() not in {k.lower() for k in bib_keys}:  # (folded only when needed)
        kinds = ", ".join(LABELS)
        diag.error(f"unknown cross-reference '@{key}': '{key.split('-')[0]}-' is not a "
                   f"cross-reference prefix ({kinds}), and no bibliography entry has this key",
                   doc.rel, _cite_line(doc, key))
        return
    doc.cite_keys.append(key)
    if key not in bib_keys:
        hint = ""
        folded = {k.lower(): k for k in bib_keys}
        if key.lower() in folded:
            hint = f" (did you mean '{folded[key.lower()]}'?)"
        diag.error(f"unknown citation key '{key}'{hint}", doc.rel, _cite_line(doc, key))


def _remote_in_figure(figure: A.Node) -> None:
    """A remote image in a figure: its caption says what it shows, so the link to it
    reads as its address (the figure's nodes are met before its image's)."""
    for node in A.iter_nodes(figure["c"][2]):
        if node["t"] == "Image" and re.match(r"(?i)https?://|//", node["c"][2][0]):
            node["c"][1] = A.text_inlines(node["c"][2][0])


def _url_image(doc: ChapterDoc, node: A.Node, diag: Diagnostics, line: int | None) -> None:
    """An image named by its address: on the web, a link to it in every edition (a build
    fetches nothing); any other scheme (``file:``) is an error."""
    source = node["c"][2][0]
    if not re.match(r"(?i)https?://|//", source):
        diag.error(f"image '{source}' is not a file in the report directory (write the path "
                   "of a file in the report directory, e.g. in figures/)", doc.rel, line)
        return
    diag.warning(f"image '{source}' is not fetched (a build fetches nothing): every edition "
                 "prints its description as a link to it; save the image in the report "
                 "directory, e.g. in figures/, and write its path to print it", doc.rel, line,
                 code="image.remote")
    _remote_link(node)


def _remote_link(node: A.Node) -> None:
    """A remote image as a link to it, its words the image's description (or its
    address): no edition loads anything from elsewhere."""
    words, (address, title) = node["c"][1], node["c"][2]
    node["t"] = "Link"
    node["c"] = [A.attr("", ["remote-image"]), words or A.text_inlines(address),
                 [address, title]]


def _check_image(doc: ChapterDoc, node: A.Node, root: Path, diag: Diagnostics,
                 cache: BuildCache | None = None) -> None:
    source = node["c"][2][0]

    def line() -> int | None:
        """The image's line: looked for only for a message, since it reads the chapter
        (for every image, that was a fifth of resolving an edit's 200 pages)."""
        return doc.chapter.line_of(source)

    decorative = ["alt", ""] in node["c"][0][2]  # ![](f.svg){alt=""}: tagged as artifact
    if not A.stringify(node["c"][1]) and not decorative:
        diag.warning(f"image '{source}' has no alt text (write ![what it shows](...), or "
                     "{alt=\"\"} if it is decoration)", doc.rel, line(), code="image.alt")
    if source.startswith("data:"):
        return
    if URL_SCHEME.match(source) or source.startswith("//"):
        _url_image(doc, node, diag, line())
        return
    name = source.split("#")[0].split("?")[0]
    try:
        path = (root / name).resolve()
        found = find_image(root, doc.chapter.path, name)
    except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        shown = source[:60].replace("\x00", "\\0")
        diag.error(f"image '{shown}' cannot be a file name ({reason.lower()})", doc.rel, line())
        return
    if found is None and not inside(path, root):
        diag.error(f"image '{source}' is outside the report directory", doc.rel, line())
    elif found is None:
        diag.error(f"missing image '{source}' (paths are relative to the report directory)",
                   doc.rel, line())
    elif found.suffix.lower() == ".pdf":
        drawn = pdf_figure(found, doc.rel, line(), diag, cache)
        doc.drawn.append(found.relative_to(root.resolve()).as_posix())  # for the cache key
        if drawn is not None:
            node["c"][2][0] = drawn
    else:
        name = found.relative_to(root.resolve()).as_posix()
        node["c"][2][0] = name
        doc.images.append(name)
        if doc.trace is not None:  # the per-chapter cache finds it again next time
            doc.trace.images.append([source, name])


def _dress_takeaways(node: A.Node, default: str) -> None:
    """Give a takeaways box its visible label and an accessible name."""
    box_attr, blocks = node["c"]
    pairs = dict(box_attr[2])
    title = pairs.pop("title", default)
    box_attr[2] = [["role", "note"], ["aria-label", title], *pairs.items()]
    label = {"t": "Div", "c": [A.attr("", ["takeaways-label"]), [
        {"t": "Plain", "c": A.text_inlines(title)}]]}
    blocks.insert(0, label)
