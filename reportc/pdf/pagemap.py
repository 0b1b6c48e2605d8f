"""Where each part starts and on which page each anchor lies: measured, remembered from
the last build, or estimated from HTML sizes."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportc.pdf.split import SplitPage, ids

BYTES_PER_PAGE = 4500  # print HTML per page in the default theme: the first estimate


@dataclass
class PageMap:
    """Where each part starts and on which page each anchor lies (1-based pages)."""

    order: list[str]
    counts: dict[str, int]
    anchors: dict[str, int] = field(default_factory=dict)

    @property
    def starts(self) -> dict[str, int]:
        page, starts = 1, {}
        for part in self.order:
            starts[part] = page
            page += self.counts[part]
        return starts

    def to_json(self) -> dict:
        return {"order": self.order, "counts": self.counts, "anchors": self.anchors}

    @classmethod
    def from_json(cls, data: object, order: list[str]) -> PageMap | None:
        """The stored map, if it describes the same parts (else ``None``: render in one pass)."""
        if not isinstance(data, dict) or data.get("order") != order:
            return None
        try:
            counts = {k: int(v) for k, v in data["counts"].items()}
            anchors = {k: int(v) for k, v in data["anchors"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return cls(order, counts, anchors) if set(counts) == set(order) else None


def page_map_of(pages: int, anchors: dict[str, int], order: list[str]) -> PageMap:
    """The page map of a report laid out in one pass (``anchors``: 0-based page indexes):
    each part starts where its opener is (the opener's id is the part's name)."""
    numbered = {name: index + 1 for name, index in anchors.items()}
    if not order:
        return PageMap([], {}, numbered)
    starts = [1] + [numbered[part] for part in order[1:]]
    ends = [*starts[1:], pages + 1]
    counts = {part: end - start for part, start, end in zip(order, starts, ends, strict=True)}
    return PageMap(order, counts, numbered)


class Estimate:
    """Page counts and anchor pages guessed from HTML sizes, for parts not laid out yet.

    Only the number of digits of a guess matters (a page reference printed with the
    wrong number of digits means laying that part out again), so the guess is refined
    with the pages per byte of the parts already laid out.
    """

    def __init__(self, split: SplitPage) -> None:
        self.sizes = {part: max(1, len(body)) for part, body in split.parts.items()}
        self.offsets = {part: list(ids(body))
                        for part, body in split.parts.items()}

    def count(self, part: str, pages_per_byte: float, even: bool) -> int:
        pages = max(1, round(self.sizes[part] * pages_per_byte))
        return pages + pages % 2 if even else pages

    def anchors(self, part: str, start: int, count: int, pages_per_byte: float
                ) -> dict[str, int]:
        """Anchor pages from their byte offsets (a blank page ending the part holds none)."""
        return {name: start + min(count - 1, int(offset * pages_per_byte))
                for name, offset in self.offsets[part]}


def estimate_page_map(split: SplitPage) -> PageMap:
    """A first guess for every part, as if each opened on a right-hand page."""
    estimate = Estimate(split)
    pages = PageMap(split.order, {part: estimate.count(part, 1 / BYTES_PER_PAGE, True)
                                  for part in split.order})
    starts = pages.starts
    for part in split.order:
        pages.anchors.update(estimate.anchors(part, starts[part], pages.counts[part],
                                              1 / BYTES_PER_PAGE))
    return pages
