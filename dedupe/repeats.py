"""Repeated blocks inside one document, and paragraphs shared across documents.

Scrapers and extractors save the same text twice: a block of paragraphs pasted again, the
title three times, a whole body emitted twice (interleaved p1, p2, p1, p2), a sentence run
doubled inside one paragraph. Gopher-style repetition filters drop such a document and
cc_net / suffix-array dedup strike every copy; `drop_repeated_blocks` repairs it instead:
the first copy stays, every later copy goes, and each removal is logged as an `Edit` with
the span of the removed copy and of the copy that stayed (offsets into the input text).

What it finds (matching on the folded token stream of `dedupe.shingles`, so case,
punctuation, quote style and whitespace do not matter; the output is cut from the
original text, which is never rewritten):

- ``repeated_block``: a run of at least `min_span_words` tokens that occurred earlier
  (rolling hashes over token windows, then a greedy extension). Alignment with paragraphs
  is not required: a block doubled inside one paragraph, a block re-wrapped with other
  paragraph breaks and interleaved copies are all the same token run. Two removals split
  by at most `_NEAR_GAP` differing tokens on both sides are merged (``repeated_block_near``)
  so a copy with one changed word does not leave that word behind.
- ``repeated_paragraph``: a short paragraph (a title, a heading line) that equals, after
  folding, the kept paragraph right before it or a paragraph at the very top of the
  document (the title zone). Short repeats elsewhere are natural (a chorus, a refrain,
  "No." in an interview) and stay.

What it deliberately does not do:

- it never touches a repeat shorter than `min_span_words` outside the two short-paragraph
  cases above, nor a run that repeats with a period shorter than `min_span_words` tokens
  ("ha ha ha", a chorus sung four times in a row): that is how people write;
- it never removes near-repeats that differ by more than a few words (a standfirst and a
  lead that paraphrases it both stay);
- it never removes the first copy, never strikes chrome (breadcrumbs are chrome.py's) and
  never compares documents with each other: `SharedBlockIndex` only reports blocks shared
  across the corpus, it removes nothing.

Cost (measured on the 2-core dev machine, one core, default `min_span_words`): see
`_COST_NOTE` below; the work is linear in the number of tokens (one regex pass, a
vectorised window hash, one dict pass; each token is extended over at most once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import xxhash

from dedupe.document import Edit
from dedupe.shingles import words

__all__ = ["drop_repeated_blocks", "SharedBlockIndex", "DEFAULT_MIN_SPAN_WORDS"]

STAGE = "repeats"

# The minimum length of a repeated token run that is removed anywhere in a document.
# Measured (scripts in the report): the longest natural repeat (non-overlapping, not a
# short-period run) in the 83 cleaning-dev gold bodies, the 5 seed golds and the 140
# clean neardup-dev texts is MEASURED_NATURAL tokens; the shortest true doubled block in
# neardup-dev is 155 words and seed 002's is ~400. The default sits above the natural
# maximum with margin and far below the true copies.
DEFAULT_MIN_SPAN_WORDS = 60

# Two removed runs separated by at most this many tokens in the copy and in the original
# are one copy with a few words changed ("differ by a few words"); more than that is an
# edit worth keeping (seed 003's standfirst vs lead differ by 9 tokens and are short anyway).
_NEAR_GAP = 3

# An isolated run whose surroundings share a _RESYNC_WORDS-gram within _RESYNC_REACH tokens
# of either end is a templated/edited variant, not a pasted copy (see `_resyncs`). Measured
# on neardup-dev f72253e9378f (meal plans from one template): reach 4 or 8 drops every
# template run and keeps the true 571-word copy; reach 24 on both sides also drops the
# true copy (its surroundings are template lines too). 6 words is specific in prose.
_RESYNC_WORDS = 6
_RESYNC_REACH = 8

# Earlier occurrences of a window tried as the kept copy: the first and the latest few.
# Templated text (four meal plans sharing most lines) makes one window occur in several
# places and only one of them is the block that was actually copied.
_CANDIDATES = 8

# A short paragraph repeated right after itself (a stutter), or repeating one of the first
# `_TITLE_ZONE` paragraphs within the first `_TITLE_ZONE_END` paragraphs, is a repeated
# title/heading. At most `_SHORT_PARAGRAPH_WORDS` tokens: headlines in the seeds and
# cleaning-dev are 5-20 words; longer paragraphs fall to the token-run rule instead.
# At least `_MIN_PARAGRAPH_WORDS` tokens: a one- or two-word paragraph repeated ("No.",
# "Advertisement", "Q:") is dialogue or chrome, not a copy we can be sure of.
_TITLE_ZONE = 3
_TITLE_ZONE_END = 6
_SHORT_PARAGRAPH_WORDS = 40
_MIN_PARAGRAPH_WORDS = 3

# \w+ runs joined by inner apostrophes: the same tokens `shingles.words` yields (it drops the
# inner apostrophe first), but found on the original text so each keeps its char offsets.
_TOKEN = re.compile(r"\w+(?:['\u2019\u02bc`\u00b4]\w+)*")
_APOSTROPHES = str.maketrans("", "", "'`")


@dataclass(frozen=True, slots=True)
class _Removal:
    start: int  # token index of the removed copy (inclusive)
    end: int  # (exclusive)
    kept_start: int  # token index of the copy that stays
    kept_end: int
    rule: str


def drop_repeated_blocks(
    text: str, *, min_span_words: int = DEFAULT_MIN_SPAN_WORDS
) -> tuple[str, tuple[Edit, ...]]:
    """Remove later copies of repeated blocks from `text`; keep the first copy.

    `text` is one document body, paragraphs separated by one blank line. Returns the
    repaired text (same format) and one `Edit` per removed copy: `start`/`end` span the
    removed copy with its own punctuation, `kept_start`/`kept_end` the copy that stayed,
    both as offsets into `text`. The whitespace that separated a removed copy goes with
    it. A text with nothing to remove is returned unchanged (the same string).
    """
    if min_span_words < 2:
        raise ValueError(f"min_span_words must be at least 2, got {min_span_words}; "
                         f"the default is {DEFAULT_MIN_SPAN_WORDS}")
    starts, ends, ids = _tokenise(text)
    n = len(ids)
    if n < 2:
        return text, ()
    removals = _merge_near(ids, _repeated_runs(ids, min_span_words), min_span_words)
    removed = bytearray(n)
    for r in removals:
        removed[r.start : r.end] = b"\x01" * (r.end - r.start)
    removals += _repeated_paragraphs(text, starts, ends, ids, removed)
    if not removals:
        return text, ()
    removals.sort(key=lambda r: r.start)
    return _cut(text, starts, ends, removals)


# -- tokens ---------------------------------------------------------------------------


def _tokenise(text: str) -> tuple[list[int], list[int], list[int]]:
    """Char starts, char ends and folded-token ids of every word token in `text`."""
    starts: list[int] = []
    ends: list[int] = []
    ids: list[int] = []
    key_of: dict[str, str] = {}
    id_of: dict[str, int] = {}
    for m in _TOKEN.finditer(text):
        tok = m.group()
        key = key_of.get(tok)
        if key is None:
            key = tok.lower().translate(_APOSTROPHES) if tok.isascii() else "".join(words(tok))
            key_of[tok] = key
        tid = id_of.get(key)
        if tid is None:
            tid = id_of[key] = len(id_of)
        starts.append(m.start())
        ends.append(m.end())
        ids.append(tid)
    return starts, ends, ids


def _window_hashes(ids: list[int], k: int) -> list[int]:
    """64-bit hash of every window of `k` consecutive token ids (vectorised, O(n*k) numpy ops)."""
    rng = np.random.default_rng(0x5EED)  # fixed seed: the same text always hashes the same
    vocab = max(ids) + 1
    values = rng.integers(0, 2**64, size=vocab, dtype=np.uint64, endpoint=False)
    mult = rng.integers(0, 2**64, size=k, dtype=np.uint64, endpoint=False) | np.uint64(1)
    x = values[np.asarray(ids, dtype=np.int64)]
    m = len(ids) - k + 1
    h = np.zeros(m, dtype=np.uint64)
    for t in range(k):  # uint64 arithmetic wraps: a polynomial-style hash mod 2**64
        h += x[t : t + m] * mult[t]
    return h.tolist()


# -- long repeated runs -----------------------------------------------------------------


def _repeated_runs(ids: list[int], k: int) -> list[_Removal]:
    """Greedy left-to-right search for token runs of >= k tokens that occurred before.

    A window of k tokens seen before (and not within the last k tokens, which would make
    it a short-period run) starts a match against each earlier occurrence kept for that
    window (the first and the `_CANDIDATES` - 1 latest); the longest extension wins, ties
    going to the earliest copy. The kept copy always ends before the removed one starts.
    Tokens of a claimed copy are not scanned again (but their windows are recorded, so a
    later copy can still match them); each token is extended over at most `_CANDIDATES`
    times: linear time.
    """
    n = len(ids)
    if n < 2 * k:
        return []
    hashes = _window_hashes(ids, k)
    seen: dict[int, list[int]] = {}
    out: list[_Removal] = []
    i = 0
    m = len(hashes)
    while i < m:
        h = hashes[i]
        where = seen.get(h)
        if where is None:
            seen[h] = [i]
            i += 1
            continue
        prev = where[-1]
        best_len, best_at = 0, -1
        # A run repeating with a period shorter than k ("la la la", a chorus sung twice
        # in a row) is natural repetition; so is anything overlapping its first copy.
        if i - prev >= k:
            window = ids[i : i + k]
            for f in where:
                if ids[f : f + k] != window:
                    continue  # a 64-bit hash collision
                length = k
                while i + length < n and f + length < i and ids[f + length] == ids[i + length]:
                    length += 1
                if length > best_len:
                    best_len, best_at = length, f
        _remember(where, i)
        if best_len == 0:
            i += 1
            continue
        out.append(_Removal(i, i + best_len, best_at, best_at + best_len, "repeated_block"))
        for j in range(i + 1, min(i + best_len, m)):
            where = seen.get(hashes[j])
            if where is None:
                seen[hashes[j]] = [j]
            else:
                _remember(where, j)
        i += best_len
    return out


def _remember(where: list[int], i: int) -> None:
    """Keep the first occurrence and the latest ones, at most `_CANDIDATES` in all."""
    where.append(i)
    if len(where) > _CANDIDATES:
        del where[1]


def _merge_near(ids: list[int], runs: list[_Removal], k: int) -> list[_Removal]:
    """Merge runs that are one copy with a few changed words; drop edited variants.

    Consecutive runs whose kept copies are also consecutive, in the same order, are parts
    of one later copy. Split by at most `_NEAR_GAP` tokens on both sides, they are one
    copy with a word or two changed: merged and removed (``repeated_block_near``). Split
    by more (but less than `k` tokens, a block too short to be a copy on its own) the later
    text is an edited variant of the earlier (templated menus, an updated paragraph): every
    run of that chain stays, since removing the shared parts would leave the differing
    words stranded. Measured on neardup-dev f72253e9378f (four meal plans built from one
    template, then a 571-word block doubled): without this rule 18 template runs of 59-147
    tokens were removed; with it only the true copy is.
    """
    chains: list[list[_Removal]] = []
    for r in runs:
        if chains:
            p = chains[-1][-1]
            gap_copy = r.start - p.end
            gap_kept = r.kept_start - p.kept_end
            if 0 <= gap_copy < k and 0 <= gap_kept < k and r.kept_end <= p.start:
                chains[-1].append(r)
                continue
        chains.append([r])
    out: list[_Removal] = []
    for chain in chains:
        if len(chain) == 1:
            if not _resyncs(ids, chain[0]):
                out.append(chain[0])
            continue
        gaps_small = all(
            b.start - a.end <= _NEAR_GAP and b.kept_start - a.kept_end <= _NEAR_GAP
            for a, b in zip(chain, chain[1:])
        )
        if gaps_small:
            first, last = chain[0], chain[-1]
            out.append(_Removal(first.start, last.end, first.kept_start, last.kept_end,
                                "repeated_block_near"))
    return out


def _resyncs(ids: list[int], r: _Removal) -> bool:
    """True when the texts around the two copies share words again just past the match.

    A block pasted twice is followed (and preceded) by unrelated text; a templated or
    edited variant differs for a few words and then runs on in parallel with its model
    (a menu line with one ingredient added). Looks `_RESYNC_REACH` tokens past each end
    for a common `_RESYNC_WORDS`-gram; a side where one copy's surroundings overlap the
    other copy is not looked at (adjacent copies surround each other).
    """
    reach, w = _RESYNC_REACH, _RESYNC_WORDS
    n = len(ids)

    def grams(lo: int, hi: int) -> set[tuple[int, ...]]:
        lo, hi = max(lo, 0), min(hi, n)
        return {tuple(ids[j : j + w]) for j in range(lo, hi - w + 1)}

    # after: copy continues at r.end, the kept copy at r.kept_end (< r.start)
    if r.kept_end + reach + w <= r.start and r.end < n:
        if grams(r.end, r.end + reach + w) & grams(r.kept_end, r.kept_end + reach + w):
            return True
    # before: the copy is preceded by ids[r.start - reach - w : r.start]
    if r.kept_start > 0 and r.start - reach - w >= r.kept_end:
        if grams(r.start - reach - w, r.start) & grams(r.kept_start - reach - w, r.kept_start):
            return True
    return False


# -- short repeated paragraphs (titles) ---------------------------------------------------


def _paragraph_token_ranges(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """[first, last) token indices of each paragraph that has tokens, in order."""
    out: list[tuple[int, int]] = []
    ti = 0
    n = len(starts)
    pos = 0
    while pos <= len(text) and ti < n:
        brk = text.find("\n\n", pos)
        end = len(text) if brk < 0 else brk
        t0 = ti
        while ti < n and starts[ti] < end:
            ti += 1
        if ti > t0:
            out.append((t0, ti))
        if brk < 0:
            break
        pos = brk + 2
    return out


def _repeated_paragraphs(
    text: str, starts: list[int], ends: list[int], ids: list[int], removed: bytearray
) -> list[_Removal]:
    """Short paragraphs that repeat the kept paragraph just before them, or the title zone."""
    out: list[_Removal] = []
    seen: dict[tuple[int, ...], tuple[int, int, int]] = {}  # key -> (paragraph no., a, b)
    prev_key: tuple[int, ...] | None = None
    for no, (a, b) in enumerate(_paragraph_token_ranges(text, starts)):
        if any(removed[a:b]):
            continue  # touched by a longer removal: neither a first copy nor a repeat
        key = tuple(ids[a:b])
        hit = seen.get(key)
        if hit is not None and _MIN_PARAGRAPH_WORDS <= b - a <= _SHORT_PARAGRAPH_WORDS:
            first_no, ka, kb = hit
            if key == prev_key or (first_no < _TITLE_ZONE and no < _TITLE_ZONE_END):
                out.append(_Removal(a, b, ka, kb, "repeated_paragraph"))
                removed[a:b] = b"\x01" * (b - a)
                continue
        if hit is None:
            seen[key] = (no, a, b)
        prev_key = key
    return out


# -- cutting ----------------------------------------------------------------------------


def _separator_parts(text: str, lo: int, hi: int) -> tuple[int, int, int]:
    """Split the separator text[lo:hi] into closing punctuation, whitespace, opening punctuation.

    Returns (end of closing part, start of opening part, strength of the whitespace):
    strength 2 is a paragraph break, 1 a space, 0 none.
    """
    sep = text[lo:hi]
    first_ws = next((i for i, c in enumerate(sep) if c.isspace()), -1)
    if first_ws < 0:
        return hi, hi, 0
    last_ws = len(sep) - 1 - next(i for i, c in enumerate(reversed(sep)) if c.isspace())
    ws = sep[first_ws : last_ws + 1]
    strength = 2 if "\n" in ws else 1
    return lo + first_ws, lo + last_ws + 1, strength


def _cut(
    text: str, starts: list[int], ends: list[int], removals: list[_Removal]
) -> tuple[str, tuple[Edit, ...]]:
    n = len(starts)
    edits: list[Edit] = []
    cuts: list[tuple[int, int]] = []
    for r in removals:
        a, b = r.start, r.end
        # separator before the copy (a >= 1: a copy always follows its first occurrence)
        close_a, open_a, strength_a = _separator_parts(text, ends[a - 1], starts[a])
        # separator after the copy (to the next token, or the end of the text)
        after = starts[b] if b < n else len(text)
        close_b, open_b, strength_b = _separator_parts(text, ends[b - 1], after)
        span_start, span_end = open_a, close_b  # the copy with its own punctuation
        if b >= n:
            cut = (close_a, close_b)  # last in the text: drop the whitespace before it
        elif strength_a > strength_b:
            cut = (open_a, open_b)  # keep the paragraph break before the copy
        else:
            cut = (close_a, close_b)  # keep the separator after the copy
        kept_close, _, _ = _separator_parts(
            text, ends[r.kept_end - 1], starts[r.kept_end] if r.kept_end < n else len(text)
        )
        _, kept_open, _ = _separator_parts(text, ends[r.kept_start - 1], starts[r.kept_start]) if r.kept_start > 0 else (0, 0, 0)
        edits.append(
            Edit(
                stage=STAGE,
                rule=r.rule,
                text=text[span_start:span_end],
                start=span_start,
                end=span_end,
                kept_start=kept_open,
                kept_end=kept_close,
            )
        )
        cuts.append(cut)
    pieces: list[str] = []
    pos = 0
    for lo, hi in cuts:
        lo = max(lo, pos)
        if hi <= lo:
            continue
        pieces.append(text[pos:lo])
        pos = hi
    pieces.append(text[pos:])
    out = "".join(pieces)
    # Paragraph that became empty disappears; no blank line doubles up; cut sites trimmed.
    out = "\n\n".join(p.strip() for p in out.split("\n\n") if p.strip())
    return out, tuple(edits)


# -- across documents -------------------------------------------------------------------

# Paragraphs shorter than this are not indexed: "Read more", "Advertisement" and one-line
# datelines are shared by every page of a site and say nothing; 8 words is about the
# shortest wire sentence that identifies a story.
_SHARED_MIN_WORDS = 8
_PREVIEW_CHARS = 120


@dataclass(slots=True)
class _Block:
    first_seen: int  # order of first sighting, for a deterministic tie-break
    preview: str
    count: int  # documents holding the block (not capped)
    documents: list[str]  # the first `max_ids` of them
    sources: set[str]  # capped like documents


@dataclass(slots=True)
class SharedBlockIndex:
    """Paragraphs shared by several documents of a corpus (wire copy, boilerplate, quotes).

    Corpus-wide: it must see every document (`observe` each one) before `top` means
    anything. It holds hashes, not text: a paragraph seen once costs one dict entry
    (64-bit hash of its folded text -> the document's id/source pair, shared by all its
    paragraphs); only a paragraph seen in a second document gets a record, with a short
    preview and at most `max_ids` document ids and sources. Paragraphs under
    `_SHARED_MIN_WORDS` words are not indexed. It removes nothing.
    """

    max_ids: int = 50
    _singles: dict[int, tuple[str, str, int]] = field(default_factory=dict, repr=False)
    _shared: dict[int, _Block] = field(default_factory=dict, repr=False)
    _order: int = 0

    def __post_init__(self) -> None:
        if self.max_ids < 1:
            raise ValueError(f"max_ids must be at least 1, got {self.max_ids}")

    def observe(self, doc_id: str, source: str, text: str) -> None:
        """Index the paragraphs of one document (each distinct paragraph counts once)."""
        done: set[int] = set()
        for para in text.split("\n\n"):
            toks = words(para)
            if len(toks) < _SHARED_MIN_WORDS:
                continue
            h = xxhash.xxh64_intdigest(" ".join(toks))
            if h in done:
                continue
            done.add(h)
            block = self._shared.get(h)
            if block is not None:
                block.count += 1
                if len(block.documents) < self.max_ids:
                    block.documents.append(doc_id)
                if len(block.sources) < self.max_ids:
                    block.sources.add(source)
                continue
            single = self._singles.get(h)
            if single is None:
                self._singles[h] = (doc_id, source, self._order)
                self._order += 1
                continue
            first_id, first_source, order = self._singles.pop(h)
            preview = para.strip()
            if len(preview) > _PREVIEW_CHARS:
                preview = preview[: _PREVIEW_CHARS - 1].rstrip() + "…"
            docs = [first_id, doc_id][: self.max_ids]
            self._shared[h] = _Block(order, preview, 2, docs, {first_source, source})

    def top(self, n: int = 20) -> list[dict]:
        """The `n` blocks held by most documents: preview, document ids, source and doc counts.

        Order: most documents, then most sources, then first seen; ties never depend on
        hash values. `sources` counts distinct sources up to `max_ids`.
        """
        blocks = sorted(
            self._shared.values(), key=lambda b: (-b.count, -len(b.sources), b.first_seen)
        )
        return [
            {
                "preview": b.preview,
                "documents": list(b.documents),
                "sources": len(b.sources),
                "count": b.count,
            }
            for b in blocks[:n]
        ]
