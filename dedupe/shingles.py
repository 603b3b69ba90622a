"""Normalise a copy of text for matching, and cut it into word shingles.

Matching is not cleaning: the folded copy made here (case, punctuation, quote style and
whitespace removed) is only ever hashed or compared, never written out. Repeated-block
removal and near-duplicate detection both use it, so "the same words" means the same
thing in both stages.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

# \w+ runs, as the evaluation scorers tokenise; apostrophes inside words are dropped first
# so that "don't" and "don’t" fold to the same token.
_WORD = re.compile(r"\w+")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u02bc`´](?=\w)")


def fold(text: str) -> str:
    """Case-, accent-width- and punctuation-insensitive copy of `text`, words joined by one space."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """Lower-cased word tokens of `text` (NFKC folded, inner apostrophes removed)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INNER_APOSTROPHE.sub("", text)
    return _WORD.findall(text)


def iter_word_shingles(tokens: list[str], n: int) -> Iterator[str]:
    """Word n-grams joined by a space; a text shorter than n words is one shingle of all of them."""
    if not tokens:
        return
    if len(tokens) < n:
        yield " ".join(tokens)
        return
    for i in range(len(tokens) - n + 1):
        yield " ".join(tokens[i : i + n])
