"""Near-copies: a sentence of the author's own (quotations left out) that follows a source
sentence too closely, so that it should be quoted or reworded.

The rule is the project's reference one (``shared/tools/near_copies.py --min-run 9``), on
lower-cased words with British and American spellings folded: a sentence is a near-copy
of a source sentence when the two share an unbroken run of 9 or more words, or, for a
sentence of 10 words or more, when their aligned runs of 3 or more words cover 45% of
its words or 16 words in all."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

MIN_RUN = 9  # words in one unbroken run shared with a source sentence
MIN_SHARE = 0.45  # of the sentence's words in aligned runs of 3+
MIN_SHARED = 16  # words in aligned runs of 3+
MIN_WORDS = 10  # the share rules judge sentences this long or longer
_FOLD = [("ise", "ize"), ("isation", "ization"), ("our", "or"), ("ence", "ense"),
         ("ogue", "og")]
_BREAK = "\x00"  # stands for a quotation: no run continues across it
_WORDS = re.compile(r"[a-z0-9']+|\x00")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“‘])")


@dataclass(frozen=True)
class Copy:
    key: str  # the entry whose source the sentence follows
    passage: str  # the words of the source sentence it follows (the longest run, or the
    # stretch from the first to the last aligned run of 3+ words)
    run: int  # the longest unbroken run of shared words
    shared: int  # words in aligned runs of 3+


def _passage(sentence: str, blocks: list[difflib.Match], run: int) -> str:
    """The part of a source sentence that the shared words come from."""
    folded = sentence.lower().replace("’", "'").replace("‘", "'")
    if len(folded) != len(sentence):  # a letter whose lower case is longer (rare)
        sentence = folded
    spans = [m.span() for m in _WORDS.finditer(folded)]
    used = [b for b in blocks if b.size == run] if run >= MIN_RUN else \
        [b for b in blocks if b.size >= 3]
    if not used:
        return sentence
    return sentence[spans[used[0].b][0]:spans[used[-1].b + used[-1].size - 1][1]]


def words_of(text: str) -> list[str]:
    """Lower-case words, spellings folded; a quotation (``\\x00``) stays a break."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    found = []
    for word in _WORDS.findall(text):
        for british, american in _FOLD:
            if word.endswith(british):
                word = word[: -len(british)] + american
                break
        found.append(word)
    return found


class CopyFinder:
    """The sentences of every source, indexed by their three-word sequences."""

    def __init__(self, texts: dict[str, list[str]]):
        self.sentences: list[tuple[str, list[str], str]] = []
        self.trigrams: dict[tuple[str, ...], set[int]] = {}
        for key, documents in texts.items():
            for document in documents:
                for sentence in _SPLIT.split(re.sub(r"\s+", " ", document)):
                    words = words_of(sentence)
                    if len(words) >= 6:
                        self._add(key, words, sentence.strip())

    def _add(self, key: str, words: list[str], sentence: str) -> None:
        number = len(self.sentences)
        self.sentences.append((key, words, sentence))
        for start in range(len(words) - 2):
            self.trigrams.setdefault(tuple(words[start:start + 3]), set()).add(number)

    def find(self, own: str) -> Copy | None:
        """The source sentence ``own`` (the author's words, quotations as ``\\x00``)
        follows too closely, if any."""
        words = words_of(own)
        count = sum(1 for w in words if w != _BREAK)
        if count < MIN_RUN:
            return None
        candidates: set[int] = set()
        for start in range(len(words) - 2):
            candidates |= self.trigrams.get(tuple(words[start:start + 3]), set())
        copy = self._closest(words, count, candidates)
        if copy is None:
            return None
        if copy.run >= MIN_RUN or (count >= MIN_WORDS and (
                copy.shared / count >= MIN_SHARE or copy.shared >= MIN_SHARED)):
            return copy
        return None

    def _closest(self, words: list[str], count: int, candidates: set[int]) -> Copy | None:
        """Of the source sentences sharing a trigram with ``words``, the one it follows
        most closely: a run of ``MIN_RUN`` words first, then the share of its words."""
        best: tuple[tuple[bool, float, int], Copy] | None = None
        for number in sorted(candidates):
            key, source_words, sentence = self.sentences[number]
            blocks = difflib.SequenceMatcher(None, words, source_words,
                                             autojunk=False).get_matching_blocks()
            shared = sum(b.size for b in blocks if b.size >= 3)
            run = max((b.size for b in blocks), default=0)
            rank = (run >= MIN_RUN, shared / count, shared)
            if best is None or rank > best[0]:
                best = rank, Copy(key, _passage(sentence, blocks, run), run, shared)
        return best[1] if best else None
