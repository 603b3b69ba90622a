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
# so that "don't" and "don’t" fold to the same token. The apostrophe comes first in the
# pattern (the word character before it is a lookbehind): `re` then jumps to the next
# apostrophe instead of trying the lookbehind at every position (~6x faster on prose).
_WORD = re.compile(r"\w+")
_INNER_APOSTROPHE = re.compile(r"['\u2019\u02bc`´](?<=\w['\u2019\u02bc`´])(?=\w)")


def fold(text: str) -> str:
    """Case-, accent-width- and punctuation-insensitive copy of `text`, words joined by one space."""
    return " ".join(words(text))


def reference_words(text: str) -> list[str]:
    """Lower-cased word tokens of `text` (NFKC folded, inner apostrophes removed): the definition
    that `words` computes faster."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INNER_APOSTROPHE.sub("", text)
    return _WORD.findall(text)


_APOSTROPHES = ("'", "\u2019", "\u02bc", "`", "´")


def words(text: str) -> list[str]:
    """Lower-cased word tokens of `text`: `reference_words` (the tests compare them), ~4x faster.

    Once the text is lower-cased (NFKC + casefold; `lower` on ASCII, where both are no-ops beyond
    it) and holds no non-ASCII word character, a word is a run of ASCII letters, digits and "_":
    one `bytes.translate` lower-cases them and marks the rest as spaces, and `split` cuts.
    Apostrophes ("'", "’", "`") are kept through the translation, then dropped inside a word and
    made spaces at its ends, which is what `_INNER_APOSTROPHE` does. Text that is ASCII
    but for curly quotes and dashes needs no NFKC (`_PLAIN_PUNCT`); text whose other non-ASCII
    characters are letters or separators is cut the same way on its UTF-8 bytes (`_words_utf8`);
    anything rarer ("a''b", "ʼ") takes the regex path. `\\w+` over each paragraph was ~30% of the
    chrome stripper's time."""
    folded = False  # lower-cased in the translation below, or already (NFKC + casefold)
    if text.isascii():
        t = text
    elif _NOT_PLAIN_PUNCT.search(text) is None:  # ASCII but for curly quotes and dashes
        # what NFKC + casefold would give, up to "…" ("..."): a separator either way
        t = text.replace("’", "'") if "’" in text else text
    else:
        folded = True
        t = unicodedata.normalize("NFKC", text).casefold()
        if not t.isascii():
            if "ʼ" in t:  # the one word character that is also an apostrophe
                return _words_re(t)
            u = t.replace("’", "'") if "’" in t else t
            # the other non-ASCII characters that are no word character separate words, as spaces do
            return _words_utf8(_NONASCII_NONWORD.sub(" ", u))
    if "`" in t:
        t = t.replace("`", "'")
    # the translation lower-cases too (`lower` of a text that is ASCII but for caseless punctuation)
    b = t.encode("ascii", "replace").translate(_ASCII_WORD_BYTES)
    if "'" not in t:
        return b.decode("ascii").split()
    if "''" in t:
        return _words_re(t if folded else t.lower())
    return _without_apostrophes(b).decode("ascii").split()


def _without_apostrophes(b: bytes) -> bytes:
    """Translated text in which no two apostrophes touch: one between two word characters is
    inner and goes, one next to a space (or an end, hence the padding) becomes a space."""
    return (b" " + b + b" ").replace(b" '", b"  ").replace(b"' ", b"  ").replace(b"'", b"")


def _words_utf8(t: str) -> list[str]:
    """`words` of a lower-cased text whose non-ASCII characters are all word characters (Cyrillic,
    accented letters; not "ʼ"): the ASCII way on its UTF-8 bytes, whose non-ASCII bytes (parts of
    word characters) stay. ~3x faster than `\\w+` over such text."""
    if "`" in t:
        t = t.replace("`", "'")
    b = t.encode("utf-8").translate(_UTF8_WORD_BYTES)
    if "'" in t:
        if "''" in t:
            return _words_re(t)
        b = _without_apostrophes(b)
    return b.decode("utf-8").split()


def _words_re(t: str) -> list[str]:
    """`reference_words` after its normalisation (the general path of `words`)."""
    for a in _APOSTROPHES:
        if a in t:
            t = _INNER_APOSTROPHE.sub("", t)
            break
    return _WORD.findall(t)


# Non-ASCII characters common in news text that are no word character and no apostrophe but
# "’", have no case, and whose NFKC form is one of them or ASCII punctuation ("…" is "..."):
# a text whose only non-ASCII characters are these needs neither NFKC nor casefold (the tests
# check each character). Half of the paragraphs with a non-ASCII character have only these.
_PLAIN_PUNCT = "’‘“”„–—…«»‹›"
_NOT_PLAIN_PUNCT = re.compile(f"[^\x00-\x7f{_PLAIN_PUNCT}]")

# ASCII letters (lower-cased), digits, "_" and "'" stay; every other byte becomes a space
_ASCII_WORD_BYTES = bytes(
    ord(chr(c).lower()) if chr(c).isalnum() or chr(c) in "_'" else 32 for c in range(128)
) + b" " * 128
_NONASCII_NONWORD = re.compile(r"[^\w\x00-\x7f]")
# `_ASCII_WORD_BYTES` for UTF-8: the bytes of non-ASCII characters stay
_UTF8_WORD_BYTES = _ASCII_WORD_BYTES[:128] + bytes(range(128, 256))


def iter_word_shingles(tokens: list[str], n: int) -> Iterator[str]:
    """Word n-grams joined by a space; a text shorter than n words is one shingle of all of them."""
    if not tokens:
        return
    if len(tokens) < n:
        yield " ".join(tokens)
        return
    for i in range(len(tokens) - n + 1):
        yield " ".join(tokens[i : i + n])
