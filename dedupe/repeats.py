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
  paragraph breaks and interleaved copies are all the same token run. Two runs split by
  at most `_NEAR_GAP` differing tokens on both sides are one copy (``repeated_block_near``)
  so a copy with one changed word does not leave that word behind; a run whose
  surroundings re-align with its model's after a few differing words is a templated or
  edited variant and stays (see `_merge_near`).
- ``repeated_paragraph``: a paragraph that equals, after folding, the kept paragraph right
  before it (any length, at least `_MIN_PARAGRAPH_WORDS` words), or a short one that
  repeats the first paragraph near the top (a repeated headline). Short repeats elsewhere
  are natural (a chorus, a refrain, "No." in an interview) and stay.

What it deliberately does not do:

- it never touches a repeat shorter than `min_span_words` outside the two short-paragraph
  cases above, nor a run that repeats with a period shorter than `min_span_words` tokens
  ("ha ha ha", a chorus sung four times in a row): that is how people write;
- it never removes near-repeats that differ by more than a few words (a standfirst and a
  lead that paraphrases it both stay);
- it never removes the first copy, never strikes chrome (breadcrumbs are chrome.py's) and
  never compares documents with each other: `SharedBlockIndex` only reports blocks shared
  across the corpus, it removes nothing.

Cost (one core of the 2-core dev machine, shared and noisy; best of 7 runs): ~2,300 docs/s on
390 news texts (neardup-dev and cleaning-dev, repaired; 0.44 ms a text), against ~1,450 in the
same session with a regex pass for the tokens of every text that is not ASCII but for quotes
and dashes (now only texts that `_folds_in_place` refuses take it); before the single-scan
tokeniser and rolling window hash, ~600 docs/s and 10 KB 7 ms, 100 KB 29 ms, 1 MB 0.7 s.
Linear in the number of tokens: one compiled tokenising pass, a vectorised window hash
(numpy), one dict pass when some window occurs twice (most documents stop before it), each
token extended over a bounded number of times, and a further pass only after a cut.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import xxhash

from dedupe.document import Edit
from dedupe.shingles import _INNER_APOSTROPHE, _NOT_PLAIN_PUNCT, paragraph_token_hashes, token_hash, words

__all__ = ["drop_repeated_blocks", "SharedBlockIndex", "DEFAULT_MIN_SPAN_WORDS"]

STAGE = "repeats"

# The minimum length of a repeated token run that is removed anywhere in a document.
# Measured: the longest natural repeat (non-overlapping, not a short-period run) in the 83
# cleaning-dev gold bodies, the 5 seed golds and the 211 neardup-dev texts without a
# doubled block is 47 tokens (a product's bullet list of features repeated for a second
# product); next come 27 (a pull quote) and 22 (an interviewer's recurring question). The
# shortest true doubled block in neardup-dev is 155 words, seed 002's is 347. 60 keeps a
# 28% margin over the natural maximum; template repeats longer than that (neardup-dev's
# meal plans, up to 300 tokens) are told apart by `_merge_near`, not by length.
DEFAULT_MIN_SPAN_WORDS = 60

# Two removed runs separated by at most this many tokens in the copy and in the original
# are one copy with a few words changed ("differ by a few words"); more than that is an
# edit worth keeping (seed 003's standfirst vs lead differ by 9 tokens and are short anyway).
_NEAR_GAP = 3

# Rounds of search on the surviving tokens; a second round finds something only when a cut
# joins two halves of a new repeat or leaves a paragraph equal to its neighbour (seen in
# property tests on random strings, never in the dev sets). A bound, not a loop to
# convergence, so a pathological input cannot cost more than 4 passes.
_MAX_ROUNDS = 4

# An isolated run whose surroundings share a _RESYNC_WORDS-gram within _RESYNC_REACH tokens
# of either end is a templated/edited variant, not a pasted copy (`_fuzzy_extend`). Measured
# on neardup-dev f72253e9378f (meal plans from one template): reach 4 or 8 drops every
# template run and keeps the true 571-word copy; reach 24 on both sides also drops the
# true copy (its surroundings are template lines too). 6 words is specific in prose.
_RESYNC_WORDS = 6
_RESYNC_REACH = 8

# Earlier occurrences of a window tried as the kept copy: the first and the latest few.
# Templated text (four meal plans sharing most lines) makes one window occur in several
# places and only one of them is the block that was actually copied.
_CANDIDATES = 8

# A paragraph repeated right after itself (a stutter: the title saved twice, one paragraph
# emitted twice) is removed whatever its length; a short one repeating the first paragraph
# within the first `_TITLE_ZONE_END` paragraphs is a repeated headline (title, standfirst,
# title). Headlines in the seeds and cleaning-dev are 5-20 words, hence
# `_TITLE_WORDS`. At least `_MIN_PARAGRAPH_WORDS` tokens: a one- or two-word paragraph
# repeated ("No.", "Q:") is dialogue, not a copy we can be sure of. A chorus repeated
# between verses matches neither rule and stays. None of the 83 cleaning-dev golds or the
# 5 seed golds trips these rules.
_TITLE_ZONE_END = 4
_TITLE_WORDS = 25
_MIN_PARAGRAPH_WORDS = 3

# \w+ runs joined by inner apostrophes: the same tokens `shingles.words` yields (it drops the
# inner apostrophe first), but found on the original text so each keeps its char offsets.
_TOKEN = re.compile(r"\w+(?:['\u2019\u02bc`\u00b4]\w+)*")
_APOSTROPHES = str.maketrans("", "", "'`")
_TOKEN_OR_BREAK = re.compile("\n\n|" + _TOKEN.pattern)
_NOT_WORD_OR_NEWLINE = re.compile(r"[^\w\n]+")


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
    out, edits, where = _drop_once(text, min_span_words)
    # A cut moves later paragraphs up into the title zone and joins the text around it, which
    # can (rarely, on degenerate input) make a repeat the first round could not see; more
    # rounds on the result make it a fixpoint, f(f(x)) == f(x). Later rounds' spans are
    # mapped back to `text` (they may then cover text an earlier edit already removed).
    for _ in range(_MAX_ROUNDS):
        if not edits or where is None:
            break
        again, more, where_again = _drop_once(out, min_span_words)
        if not more:
            break
        edits += tuple(_mapped(text, e, where) for e in more)
        out, where = again, where[where_again] if where_again is not None else None
    return out, edits


def _mapped(text: str, edit: Edit, where: np.ndarray) -> Edit:
    start, end = int(where[edit.start]), int(where[edit.end - 1]) + 1
    kept_start, kept_end = int(where[edit.kept_start]), int(where[edit.kept_end - 1]) + 1
    return Edit(edit.stage, edit.rule, text[start:end], start, end, kept_start, kept_end)


def _drop_once(text: str, min_span_words: int) -> tuple[str, tuple[Edit, ...], np.ndarray | None]:
    """One round: the repaired text, its edits, and each output character's offset in `text`."""
    ids, paragraphs = _tokenise(text)
    n = len(ids)
    if n < 2:
        return text, (), None
    removed = bytearray(n)
    removals: list[_Removal] = []
    alive = list(range(n))
    # Cutting a copy joins the text around it, which can (rarely) form a new repeat; more
    # rounds on the surviving tokens make the result a fixpoint: f(f(x)) == f(x).
    for _ in range(_MAX_ROUNDS):
        sub = ids if len(alive) == n else [ids[i] for i in alive]
        found = []
        for r in _merge_near(sub, _repeated_runs(sub, min_span_words), min_span_words):
            start, end = alive[r.start], alive[r.end - 1] + 1
            found.append(_Removal(start, end, alive[r.kept_start], alive[r.kept_end - 1] + 1, r.rule))
            removed[start:end] = b"\x01" * (end - start)
        found += _repeated_paragraphs(paragraphs, ids, removed)
        if not found:
            break
        removals += found
        alive = [i for i in alive if not removed[i]]
    if not removals:
        return text, (), None
    removals.sort(key=lambda r: r.start)
    starts, ends = _offsets(text)
    (out, where), edits = _cut(text, starts, ends, removals)
    return out, edits, where


# -- tokens ---------------------------------------------------------------------------


def _tokenise(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Folded-token ids of `text` (`shingles.token_hash` of each fold), and each paragraph's
    [first, last) token range."""
    if text.isascii() or _NOT_PLAIN_PUNCT.search(text) is None or _folds_in_place(text):
        return _tokenise_plain(text)
    return _tokenise_scan(text)


_ASCII_BYTES = bytes(range(128))
_NFKC_SEPARATORS = (("\u2026", "..."), ("\xa0", " "))  # no word characters before NFKC or after
_KEEPS_WORDNESS: dict[str, bool] = {}  # character -> `_keeps_wordness(character)`, filled as met


def _keeps_wordness(character: str) -> bool:
    """Case folding makes of `character` only characters of its own kind (word characters of a
    word character, others of another): "é" -> "é", "ß" -> "ss", "—" -> "—"; not "İ" -> "i" plus
    a combining dot, which is no word character."""
    word = _WORD_CHARACTER.fullmatch(character) is not None
    return all((_WORD_CHARACTER.fullmatch(c) is not None) == word for c in character.casefold())


_WORD_CHARACTER = re.compile(r"\w")


def _folds_in_place(text: str) -> bool:
    """True when `words` of each paragraph cuts exactly the tokens `_TOKEN` finds, so that the
    faster `_tokenise_plain` applies: NFKC leaves the text as it is (nothing composes, splits or
    widens) but for separators that stay separators ("…" -> "...") and case folding keeps every
    character's kind. Then the word runs of the folded text are those of the text, character for
    character, and the inner apostrophes the same.
    Accented letters, Cyrillic, "£" and "€" qualify; ~85% of generated news texts took the
    scanning path before this test."""
    for character, plain in _NFKC_SEPARATORS:  # separators either way, common in news text
        if character in text:
            text = text.replace(character, plain)
    if not unicodedata.is_normalized("NFKC", text):
        return False
    # the distinct non-ASCII characters: the text's UTF-8 without its ASCII bytes (~5x a regex scan)
    others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    for character in set(others.decode("utf-8", "surrogatepass")):
        known = _KEEPS_WORDNESS.get(character)
        if known is None:
            known = _KEEPS_WORDNESS[character] = _keeps_wordness(character)
        if not known:
            return False
    return True


def _tokenise_plain(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """`_tokenise_scan` of a text that is ASCII but for curly quotes and dashes, or that
    `_folds_in_place`: ~5x faster, from one compiled loop (`shingles.paragraph_token_hashes`).

    There a token's apostrophes ("'", "`", "’") are all inner ones and nothing else joins or
    splits words, so its fold is exactly one word of `shingles.words` and each paragraph's
    folded tokens are its words. The tests compare the two paths.
    """
    hashes, counts = paragraph_token_hashes(text)
    paragraphs: list[tuple[int, int]] = []
    end = 0
    for count in counts.tolist():
        if count:
            paragraphs.append((end, end + count))
            end += count
    return hashes.tolist(), paragraphs


def _tokenise_scan(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """`_tokenise` of any text.

    Only C-level loops over the tokens (findall, join, map): ASCII tokens (but for a right
    single quote) are folded all at once; otherwise the fold of each distinct token is
    computed once, in one batch. Char offsets are found later, and only when
    something is removed.
    """
    found = _TOKEN_OR_BREAK.findall(text)
    if not found:
        return [], []
    joined = " ".join(found)  # no token (nor break) holds a space
    if not joined.isascii():
        joined = joined.replace("\u2019", "'")  # as an inner apostrophe, dropped like "'"
    if joined.isascii():
        # ASCII tokens (the usual case): the fold is lower() and dropping the apostrophes,
        # all of them inner ones; done on all tokens at once.
        tokens, paragraphs = _paragraphs(joined.lower().translate(_APOSTROPHES).split(" "))
        id_of = {token: token_hash(token) for token in set(tokens)}
        return list(map(id_of.__getitem__, tokens)), paragraphs
    tokens, paragraphs = _paragraphs(found)
    uniq = list(set(tokens))
    folded = _fold_all(uniq)
    tok_id = dict(zip(uniq, map(token_hash, folded)))
    return list(map(tok_id.__getitem__, tokens)), paragraphs


def _paragraphs(found: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """Tokens and paragraph token ranges from a scan of `_TOKEN_OR_BREAK`.

    No token holds a newline, so the breaks found are those of text.split("\n\n") and the
    tokens between them are those of each paragraph; empty paragraphs are skipped.
    """
    tokens: list[str] = []
    paragraphs: list[tuple[int, int]] = []
    start, stop = 0, len(found)
    while start < stop:
        try:
            end = found.index("\n\n", start)
        except ValueError:
            end = stop
        if end > start:
            paragraphs.append((len(tokens), len(tokens) + end - start))
            tokens += found[start:end]
        start = end + 1
    return tokens, paragraphs


def _fold_all(uniq: list[str]) -> list[str]:
    """The fold of each token (`"".join(words(tok))`), in place order; `uniq` may be reordered.

    Batched: the tokens are joined by newlines (no token holds one, and no fold step makes,
    moves or merges across one: NFKC never composes with a newline, casefold maps one char
    at a time, the apostrophe rule needs a word char on both sides), folded as one string,
    then split again. ASCII tokens need only lower() and dropping ' and `: their apostrophes
    are all inner ones.
    """
    joined = "\n".join(uniq)
    if joined.isascii():
        return joined.lower().translate(_APOSTROPHES).split("\n") if uniq else []
    ascii_ = [t for t in uniq if t.isascii()]
    other = [t for t in uniq if not t.isascii()]
    folded = "\n".join(ascii_).lower().translate(_APOSTROPHES).split("\n") if ascii_ else []
    rest = unicodedata.normalize("NFKC", "\n".join(other)).casefold()
    rest_folded = _NOT_WORD_OR_NEWLINE.sub("", _INNER_APOSTROPHE.sub("", rest)).split("\n")
    if len(rest_folded) != len(other):  # cannot happen (see above); stay exact regardless
        rest_folded = ["".join(words(t)) for t in other]
    uniq[:] = ascii_ + other
    return folded + rest_folded


def _offsets(text: str) -> tuple[list[int], list[int]]:
    """Char start and end of every token, in the order `_tokenise` numbers them."""
    found = list(_TOKEN.finditer(text))
    return list(map(re.Match.start, found)), list(map(re.Match.end, found))


def _window_hashes(ids: list[int], k: int) -> list[int]:
    """64-bit hash of every window of `k` consecutive token ids (vectorised, O(n) numpy ops).

    Empty when no window occurs twice, so the caller can stop there. A polynomial hash
    mod 2**64 of the ids (token hashes, random enough): window i is (C[i+k] - C[i]) * B**-i,
    where C is the running sum of ids[s] * B**s (B odd, so it has an inverse mod 2**64).
    """
    n = len(ids)
    powers, inverses = _powers(n + 1)
    y = np.array(ids, dtype=np.uint64) * powers[:n]  # uint64 wraps: mod 2**64
    c = np.empty(n + 1, dtype=np.uint64)
    c[0] = 0
    np.cumsum(y, out=c[1:])
    m = n - k + 1
    h = (c[k:] - c[:m]) * inverses[:m]
    s = np.sort(h)
    if not (s[1:] == s[:-1]).any():
        return []  # no window occurs twice (most documents): skip the Python scan
    return h.tolist()


_TABLES: list[np.ndarray] = []


def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """B**s and B**-s for s below `length` (cached; a fixed B: the same text always hashes the same)."""
    if not _TABLES or len(_TABLES[0]) < length:
        size = 1 << (max(length, 1 << 14) - 1).bit_length()
        base = 0x9E3779B97F4A7C15  # odd
        powers = np.full(size, base, dtype=np.uint64)
        inverses = np.full(size, pow(base, -1, 2**64), dtype=np.uint64)
        powers[0] = inverses[0] = 1
        np.cumprod(powers, out=powers)
        np.cumprod(inverses, out=inverses)
        _TABLES[:] = [powers, inverses]
    return _TABLES[0], _TABLES[1]


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
    if not hashes:
        return []
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
    """Turn runs into removals: pasted copies go, edited variants stay.

    Consecutive runs whose kept copies are also consecutive, in the same order (gaps under
    `k` tokens on both sides), are parts of one later text aligned with one earlier text;
    If the runs differ nowhere, the later text is a pasted copy (``repeated_block``); if
    they differ by at most `_NEAR_GAP` tokens in all, it is a copy with a word or two
    changed, removed whole (``repeated_block_near``) so no stray word is left behind; if
    they differ by more, or if the two texts re-align just past the outer ends after a few
    differing words (`_fuzzy_extend`), the later text is an edited variant (templated
    menus, an updated paragraph) and every run of it stays: removing the shared parts
    would strand the differing words. Measured on neardup-dev f72253e9378f
    (six meal plans built from one template, then a 571-word block doubled): without this
    rule 18 template runs of 59-147 tokens were removed; with it only the true copy is.
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
        differ = sum(
            max(b.start - a.end, b.kept_start - a.kept_end) for a, b in zip(chain, chain[1:])
        )
        if differ > _NEAR_GAP:
            continue
        first, last = chain[0], chain[-1]
        # Past the outer ends a pasted copy meets unrelated text; if the two texts re-align
        # there after a few differing words, the later is a variant of a template.
        if _fuzzy_extend(ids, first.start, first.kept_start, -1, last.kept_end)[2] or \
                _fuzzy_extend(ids, last.end, last.kept_end, +1, first.start)[2]:
            continue
        start, end, kept_start, kept_end = first.start, last.end, first.kept_start, last.kept_end
        rule = "repeated_block" if differ == 0 else "repeated_block_near"
        out.append(_Removal(start, end, kept_start, kept_end, rule))
    return out


def _fuzzy_extend(ids: list[int], c: int, q: int, step: int, limit: int) -> tuple[int, int, int]:
    """Stretch an alignment of copy position `c` with kept position `q` across small gaps.

    Going right (`step` +1) from the ends of both texts, or left (-1) from their starts:
    where the texts re-align on a common `_RESYNC_WORDS`-gram within `_RESYNC_REACH`
    tokens, the skipped tokens count as differences and the alignment goes on exactly.
    Stops when they do not re-align or more than `_NEAR_GAP` tokens differ. The kept text
    never reaches the copy and the copy never reaches back into the kept text (`limit`:
    the copy's start going right, the kept text's end going left). Returns the new copy
    and kept boundaries and the differing tokens found.
    """
    n, w, reach = len(ids), _RESYNC_WORDS, _RESYNC_REACH
    differ = 0
    while differ <= _NEAR_GAP:
        if step > 0:
            room_kept = limit - q  # kept text must end before the copy starts
            room_copy = n - c
        else:
            room_kept = q
            room_copy = c - limit  # copy must start after the kept text ends
        if min(room_kept, room_copy) < w:
            break
        kept_grams: dict[tuple[int, ...], int] = {}
        for d in range(min(reach, room_kept - w) + 1):
            lo = q + d if step > 0 else q - d - w
            kept_grams.setdefault(tuple(ids[lo : lo + w]), d)
        best: tuple[int, int] | None = None
        for d1 in range(min(reach, room_copy - w) + 1):
            lo = c + d1 if step > 0 else c - d1 - w
            d2 = kept_grams.get(tuple(ids[lo : lo + w]))
            if d2 is not None and (best is None or max(d1, d2) < max(best)):
                best = (d1, d2)
        if best is None or max(best) == 0:
            break
        differ += max(best)
        c += step * best[0]
        q += step * best[1]
        # exact extension from the re-aligned point
        if step > 0:
            while c < n and q < limit and ids[c] == ids[q]:
                c += 1
                q += 1
        else:
            while q > 0 and c > limit and ids[c - 1] == ids[q - 1]:
                c -= 1
                q -= 1
    return c, q, differ


# -- short repeated paragraphs (titles) ---------------------------------------------------


def _repeated_paragraphs(
    paragraphs: list[tuple[int, int]], ids: list[int], removed: bytearray
) -> list[_Removal]:
    """Paragraphs that repeat the kept paragraph just before them, or a repeated headline."""
    out: list[_Removal] = []
    seen: dict[tuple[int, ...], tuple[int, int, int]] = {}  # key -> (paragraph no., a, b)
    prev_key: tuple[int, ...] | None = None
    no = -1
    for pa, pb in paragraphs:
        # Only the tokens still standing count, and only paragraphs that still have some:
        # the rules then judge the text as it will come out, so a second pass finds nothing.
        if removed.find(1, pa, pb) < 0:  # nothing removed here (the usual case)
            a, b = pa, pb
            key = tuple(ids[pa:pb])
        else:
            alive = [t for t in range(pa, pb) if not removed[t]]
            if not alive:
                continue
            a, b = alive[0], alive[-1] + 1
            key = tuple([ids[t] for t in alive])
        no += 1
        hit = seen.get(key)
        if hit is not None and len(key) >= _MIN_PARAGRAPH_WORDS:
            first_no, ka, kb = hit
            title = first_no == 0 and no < _TITLE_ZONE_END and len(key) <= _TITLE_WORDS
            if key == prev_key or title:
                out.append(_Removal(a, b, ka, kb, "repeated_paragraph"))
                removed[a:b] = b"\x01" * (b - a)
                no -= 1
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
) -> tuple[tuple[str, np.ndarray], tuple[Edit, ...]]:
    """Cut the removed tokens out of `text`; one Edit per removal, spans into `text`.

    The cuts are made per maximal run of removed tokens (removals may touch or overlap),
    so one separator always stays between the tokens left on either side of a cut: the
    separator after the run, or the one before it when that breaks harder (a paragraph
    break) or the one after has no whitespace. Punctuation that closes the token before
    the run and opens the token after it stays; the run's own opening and closing
    punctuation goes with it.
    """
    n = len(starts)

    def span(a: int, b: int) -> tuple[int, int, tuple[int, int]]:
        # separator before (a >= 1: a copy always follows its first occurrence) and after
        close_a, open_a, strength_a = _separator_parts(text, ends[a - 1], starts[a]) if a > 0 else (0, 0, 0)
        close_b, open_b, strength_b = _separator_parts(text, ends[b - 1], starts[b] if b < n else len(text))
        if b >= n:
            cut = (close_a, close_b)  # last in the text: drop the whitespace before it
        elif strength_a > strength_b or strength_b == 0:
            cut = (open_a, open_b)  # keep the separator before (it breaks harder)
        else:
            cut = (close_a, close_b)  # keep the separator after
        return open_a, close_b, cut

    edits: list[Edit] = []
    removed = bytearray(n)
    for r in removals:
        start, end, _ = span(r.start, r.end)
        kept_start, kept_end, _ = span(r.kept_start, r.kept_end)
        edits.append(Edit(stage=STAGE, rule=r.rule, text=text[start:end], start=start,
                          end=end, kept_start=kept_start, kept_end=kept_end))
        removed[r.start : r.end] = b"\x01" * (r.end - r.start)
    kept: list[tuple[int, int]] = []
    pos = 0
    t = 0
    while t < n:
        if not removed[t]:
            t += 1
            continue
        a = t
        while t < n and removed[t]:
            t += 1
        lo, hi = span(a, t)[2]
        kept.append((pos, lo))
        pos = hi
    kept.append((pos, len(text)))
    return _join_kept(text, kept), tuple(edits)


def _join_kept(text: str, kept: list[tuple[int, int]]) -> tuple[str, np.ndarray]:
    """The kept pieces of `text` as one text in the paragraph format, with each character's
    offset in `text` (a paragraph that became empty disappears; cut sites are trimmed)."""
    raw = "".join(text[lo:hi] for lo, hi in kept)
    where = np.concatenate([np.arange(lo, hi, dtype=np.int64) for lo, hi in kept]) if kept else np.zeros(0, np.int64)
    parts: list[str] = []
    maps: list[np.ndarray] = []
    start = 0
    for piece in raw.split("\n\n"):
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            if parts:
                parts.append("\n\n")
                maps.append(where[start - 2 : start])
            parts.append(piece[left:right])
            maps.append(where[start + left : start + right])
        start += len(piece) + 2
    out = "".join(parts)
    return out, (np.concatenate(maps) if maps else np.zeros(0, np.int64))


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


def paragraph_keys(text: str, hashed: tuple[np.ndarray, np.ndarray] | None = None) -> list[tuple[int, str]]:
    """(hash of the folded words, preview) of each distinct paragraph of `text` long enough to be
    indexed by SharedBlockIndex: the per-document half of `observe`, pure, for worker processes.
    The hash is that of the paragraph's token hashes (`shingles.token_hash` of each word);
    `hashed`: the text's `paragraph_token_hashes`, when the caller has them."""
    hashes, counts = paragraph_token_hashes(text) if hashed is None else hashed
    raw = hashes.astype("<u8", copy=False).tobytes()
    keys: list[tuple[int, str]] = []
    done: set[int] = set()
    end = 0
    for para, count in zip(text.split("\n\n"), counts.tolist()):
        start, end = end, end + count
        if count < _SHARED_MIN_WORDS:
            continue
        h = xxhash.xxh64_intdigest(raw[8 * start : 8 * end])
        if h in done:
            continue
        done.add(h)
        preview = para.strip()
        if len(preview) > _PREVIEW_CHARS:
            preview = preview[: _PREVIEW_CHARS - 1].rstrip() + "…"
        keys.append((h, preview))
    return keys


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
        self.observe_keys(doc_id, source, paragraph_keys(text))

    def observe_keys(self, doc_id: str, source: str, keys: list[tuple[int, str]]) -> None:
        """`observe` with the document's `paragraph_keys` already computed (in a worker process)."""
        for h, preview in keys:
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
