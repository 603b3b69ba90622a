"""Normalise a copy of text for matching, cut it into word shingles, and hash its words.

Matching is not cleaning: the folded copy made here (case, punctuation, quote style and
whitespace removed) is only ever hashed or compared, never written out. Repeated-block
removal and near-duplicate detection both use it, so "the same words" means the same
thing in both stages.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain
from typing import Iterator, Sequence

import numpy as np
import xxhash

from dedupe import compiled

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


# -- token hashes, compiled -------------------------------------------------------------------
#
# `words` makes Python strings; near-duplicate signatures and repeated-block search need only a
# 64-bit hash per token (`token_hash` of each word). `token_hashes` gives those for many texts at
# once, ~10x faster than `words` plus hashing:
#
# 1. it joins all texts (NFKC first, as `words` does) as UTF-8 and translates the bytes so that
#    every ASCII byte that is neither a word character nor an apostrophe becomes a space (and A-Z
#    become a-z). Such bytes are never inside a \w+ token and never change under casefold, so
#    `words(text)` is exactly the concatenation of `words` of each "chunk", a run between spaces
#    (casefold is per character; the inner-apostrophe rule sees the same neighbours, since a chunk
#    boundary is a non-word character either way).
# 2. it cuts and hashes the chunks in one compiled loop (`compiled.token_hashes`): a chunk of ASCII
#    word bytes (almost every English token) is hashed where it lies with xxh3-64, bit for bit what
#    `xxhash.xxh3_64` gives; any other chunk is decoded and case-folded through `_FOLD`, a table of
#    what casefold and \w make of each BMP character, cut at non-word characters and apostrophes
#    not between two word characters, and its tokens hashed.
# 3. it sends the rare chunks the table cannot decide (a character that folds to several, like
#    "ß", or lies beyond the BMP, like an emoji) through `words`, with a per-process memo (chunk ->
#    token hashes, a pure function, so output never depends on it).

# ASCII letters are lower-cased here already (casefold is lower() on ASCII); every other ASCII
# byte that is not a word character or an apostrophe becomes a space.
_CHUNK_TABLE = bytes(
    ord(chr(c).lower()) if c < 0x80 and (chr(c).isalnum() or chr(c) in "_'`") else c if c >= 0x80 else 0x20
    for c in range(256)
)
_CHUNK_APOSTROPHES = "'`\u2019"  # `_INNER_APOSTROPHE`'s less "ʼ" (a word character too) and "´" (not NFKC)


def _fold_table() -> np.ndarray:
    """What `words` does with each BMP character after NFKC: its case-folded code point when that
    is one word character (\\w is `isalnum` or "_"), or one of compiled's classes."""
    table = np.full(0x10000, compiled._SEPARATOR, dtype=np.int32)
    for cp in range(0x10000):
        folded = chr(cp).casefold()
        if len(folded) != 1:
            table[cp] = compiled._FALLBACK
        elif folded.isalnum() or folded == "_":
            table[cp] = ord(folded)
    for c in _CHUNK_APOSTROPHES:
        table[ord(c)] = compiled._APOSTROPHE
    for c in "\u02bc\u00b4":
        table[ord(c)] = compiled._FALLBACK
    return table


_FOLD = _fold_table()
# No-break spaces and "…" tokenise like the ASCII NFKC makes of them; replacing them first lets
# most texts skip `normalize`, which costs ~120 us on an article.
_NFKC_COMMON = (("\xa0", " "), ("\u2026", "..."))
_VOCAB_LIMIT = 1 << 16  # chunks remembered per process before the memo starts over


def token_hash(token: str) -> int:
    """The 64-bit hash of one word of `words` (xxh3: the same in every process, unlike `hash`)."""
    return xxhash.xxh3_64_intdigest(token.encode("utf-8"))


class _ChunkMemo(dict):
    """chunk -> its token hashes (a tuple), computed on a miss."""

    def __missing__(self, chunk: bytes) -> tuple[int, ...]:
        value = tuple(token_hash(t) for t in _words_re(chunk.decode("utf-8", "surrogatepass").casefold()))
        self[chunk] = value
        return value


_memo = _ChunkMemo()


def token_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """`token_hash` of every word of `words(text)` for each text, concatenated (uint64), and the
    number of words of each text."""
    return _hash_parts([_nfkc_for_hashing(text).encode("utf-8", "surrogatepass") for text in texts])


def paragraph_token_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """`token_hashes(text.split("\\n\\n"))` with the text normalised once, not per paragraph:
    NFKC neither makes nor removes a line feed, so the paragraphs of the normalised text are the
    normalised paragraphs."""
    return _hash_parts(_nfkc_for_hashing(text).encode("utf-8", "surrogatepass").split(b"\n\n"))


def _nfkc_for_hashing(text: str) -> str:
    """NFKC of `text`, or a text that tokenises the same ("…" for "..."), quickly when little
    or nothing needs it."""
    if text.isascii():
        return text
    for character, plain in _NFKC_COMMON:
        if character in text:
            text = text.replace(character, plain)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return _nfkc_by_line(text)


def _hash_parts(parts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    global _memo
    if len(_memo) > _VOCAB_LIMIT:
        _memo = _ChunkMemo()
    joined = np.frombuffer(b" \xff ".join(parts).translate(_CHUNK_TABLE), dtype=np.uint8)
    tokens, counts, left = compiled.token_hashes(joined, _FOLD, len(parts))
    if len(left):
        buf = joined.tobytes()
        values = [_memo[buf[start : start + size]] for start, size in left[:, :2].tolist()]
        sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        tokens = np.insert(tokens, np.repeat(left[:, 2], sizes),
                           np.fromiter(chain.from_iterable(values), dtype=np.uint64, count=int(sizes.sum())))
        np.add.at(counts, left[:, 3], sizes)
    return tokens, counts


def _nfkc_by_line(text: str) -> str:
    """NFKC of `text`, normalising only the lines that need it (usually a few: a mojibake line,
    a ligature). A line feed never composes with its neighbours and is its own NFKC form, so
    NFKC of the whole is NFKC of each line, joined."""
    return "\n".join(line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
                     for line in text.split("\n"))
