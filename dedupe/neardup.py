"""Near-duplicate articles: shingle fingerprints, LSH candidates, verification, clustering.

This stage must see the whole corpus before it can decide, so it keeps only what deciding
needs: per document a few LSH band keys, the hashes of its first shingles, its set size and
the sorted shingle hashes in a spill file (read back only for candidate pairs). The text itself
is never held.

Pipeline:
1. exact duplicates by a hash of the matching copy of the text (case, punctuation, quote
   style and whitespace folded);
2. word n-gram shingles, one 64-bit hash each, and MinHash signatures in datasketch's
   "affine64" scheme (the same values `datasketch.MinHash(scheme="affine64")` gives for the
   same shingle hashes, so rows load as `LeanMinHash`);
3. candidates from two LSH indexes: bands over the whole signature, with bands/rows that
   datasketch derives for `lsh_threshold`, set well below the decision threshold; and bands
   over the minimum of each permutation across the first shingles only (the lead), which
   finds truncated copies whose Jaccard with the full article is far too low for any
   whole-document LSH;
4. verification of the candidate pairs on the exact shingle sets (`duplicate_rules`), in
   parallel worker processes, but for the pairs whose MinHash sketches make both rules
   improbable (`compiled.likely_pairs`, at a risk of 1e-6 a pair);
5. clustering without chaining: documents are taken in canonical order (most complete first),
   and each joins the existing centre it verifies against with the highest Jaccard, or starts
   its own cluster. A document never joins through another member, so A~B and B~C does not
   put A with C unless C matches A itself.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
import xxhash
from tqdm import tqdm

from dedupe import compiled
from dedupe.canonical import DocKey, canonical_order
from dedupe.processes import OrderedPool, keep_freed_memory
from dedupe.shingles import token_hash, token_hashes, words

_P = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier that combines token hashes into an n-gram hash
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


@dataclass(frozen=True, slots=True)
class NearDupOptions:
    """Every knob of the stage, with the measurement behind its default (see README)."""

    ngram: int = 5  # pairwise F1 on 2,240 docs of scripts/scale_check.py: n=3 .982, 5 .985, 7 .980 (dev set: 1.0 for all)
    num_perm: int = 128
    seed: int = 1
    lsh_threshold: float = 0.5  # candidates only; the verifier decides
    lead_shingles: int = 48  # the first shingles that make the lead signature
    lead_perms: int = 32
    lead_rows: int = 2
    prefix_shingles: int = 48  # the opening that must be in the other copy too (a title line or dateline that only one copy has shifts ~15 of them)
    jaccard: float = 0.7  # duplicates outright at this Jaccard of shingle sets
    containment: float = 0.85  # or when the smaller copy lies this much inside the larger ...
    prefix_overlap: float = 0.5  # ... and the larger one's opening shingles are in the smaller
    max_bucket: int = 20  # a larger LSH bucket pairs each member with its 20 most complete members only

    def __post_init__(self) -> None:
        if self.ngram < 1:
            raise ValueError("ngram must be >= 1 (5 is a good value for news)")
        if not 0.0 < self.lsh_threshold <= 1.0:
            raise ValueError("lsh_threshold must be in (0, 1]; use a value below the jaccard threshold")
        for name in ("jaccard", "containment", "prefix_overlap"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in (0, 1]")
        if self.num_perm < 2 or self.lead_perms > self.num_perm or self.lead_perms % self.lead_rows:
            raise ValueError("need num_perm >= 2 and lead_perms <= num_perm, a multiple of lead_rows")

    @property
    def bands(self) -> tuple[int, int]:
        return lsh_params(self.lsh_threshold, self.num_perm)


def lean_minhash(signature: np.ndarray, options: NearDupOptions = NearDupOptions()):
    """A signature (`fingerprint(..., keep_signature=True).signature`) as datasketch's LeanMinHash,
    ready for `MinHashLSH.insert`/`query` or `jaccard` against datasketch's own sketches."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=options.seed, hashvalues=signature, scheme="affine64")


def combine(hashes: np.ndarray, n: int) -> np.ndarray:
    """One 64-bit hash per n-gram of token hashes (a polynomial with wrap-around multiply)."""
    m = len(hashes) - n + 1
    if m <= 0:
        m, n = 1, len(hashes)
    with np.errstate(over="ignore"):
        out = hashes[0:m].copy()
        for k in range(1, n):
            out = out * _P + hashes[k : k + m]
    return out


def shingle_hash(shingle: Sequence[str]) -> int:
    """The hash `fingerprint` gives one shingle (a tuple of tokens): for checks against datasketch."""
    return int(combine(np.array([token_hash(t) for t in shingle], dtype=np.uint64), len(shingle))[0])


def _fmix64(h: np.ndarray) -> np.ndarray:
    s, m1, m2 = _FMIX
    with np.errstate(over="ignore"):
        h = h ^ (h >> s)
        h = h * m1
        h = h ^ (h >> s)
        h = h * m2
        return h ^ (h >> s)


def minhash_rows(shingle_hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Permuted values, one row per shingle: datasketch's affine64 `a * fmix64(h) + b mod 2**64`."""
    with np.errstate(over="ignore"):
        return _fmix64(shingle_hashes)[:, None] * a[None, :] + b[None, :]


def band_keys(signature: np.ndarray, rows: int, bands: int) -> np.ndarray:
    """One 64-bit key per band: equal bands give equal keys (and unequal ones almost never)."""
    sig = signature[: bands * rows].reshape(bands, rows)
    with np.errstate(over="ignore"):
        key = np.full(bands, np.uint64(0x243F6A8885A308D3))
        for j in range(rows):
            key = _fmix64(key ^ sig[:, j]) * _P
        # The band's position enters the key so that equal values in different bands never meet.
        return _fmix64(key + np.arange(bands, dtype=np.uint64))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the near-duplicate stage keeps of one document (the text is not kept)."""

    exact_key: bytes  # hash of the folded text (of its token hashes): equal keys are exact duplicates
    shingles: np.ndarray  # sorted unique shingle hashes (uint64), for verification
    lead: np.ndarray  # hashes of the first `prefix_shingles` shingles, in order
    bands: np.ndarray  # LSH band keys of the whole signature
    lead_bands: np.ndarray  # LSH band keys of the lead signature
    sketch: np.ndarray  # the low 8 bits of each signature value (`compiled.likely_pairs`)
    signature: np.ndarray | None = field(default=None)  # kept only when asked (datasketch backend, checks)


def _exact_key(hashes: np.ndarray) -> bytes:
    # The token hashes stand for the folded text " ".join(tokens) (tokens hold no spaces, so the
    # sequence decides the text); hashing their bytes spares building the joined string.
    return xxhash.xxh3_128_digest(np.ascontiguousarray(hashes, dtype="<u8").tobytes())


def fingerprint(text: str, options: NearDupOptions = NearDupOptions(), keep_signature: bool = False) -> Fingerprint:
    """Shingles, signatures and band keys of one cleaned text (pure).

    The reference implementation, one token at a time; `fingerprint_many` gives the same values
    for a batch, several times faster.
    """
    tokens = words(text)
    if not tokens:
        empty = np.zeros(0, dtype=np.uint64)
        return Fingerprint(_exact_key(empty), empty, empty, empty, empty, empty.astype(np.uint8),
                           empty if keep_signature else None)
    hashes = np.fromiter((token_hash(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    ordered = combine(hashes, options.ngram)
    a, b = permutations(options.num_perm, options.seed)
    rows = minhash_rows(ordered, a, b)
    signature = rows.min(axis=0)
    lead_rows = rows[: options.lead_shingles, : options.lead_perms]
    lead_signature = lead_rows.min(axis=0)
    bands, r = options.bands
    return Fingerprint(
        exact_key=_exact_key(hashes),
        shingles=np.unique(ordered),
        lead=ordered[: options.prefix_shingles].copy(),
        bands=band_keys(signature, r, bands),
        lead_bands=band_keys(lead_signature, options.lead_rows, options.lead_perms // options.lead_rows),
        sketch=(signature & np.uint64(0xFF)).astype(np.uint8),
        signature=signature if keep_signature else None,
    )


# -- the batch path ---------------------------------------------------------------------------
#
# Where the time went (one core, news articles of ~4.7 KB, ~800 tokens; `fingerprint`, ~1.6 ms a
# document on this machine): `words` ~25% (one regex match object per token; the
# inner-apostrophe pass tries every position), hashing each token in Python ~35%, and numpy on one
# document at a time ~40% (dozens of calls on small arrays; the signature is the only big one).
# The batch path takes the token hashes of all texts of the batch from one compiled loop
# (`shingles.token_hashes`), then does everything after them on the whole batch at once: n-gram
# hashes over the concatenated tokens, the affine64 permutations and the minimum per document in
# one compiled loop (`compiled.minhash_segments`), band keys for all documents together.


def _ragged_index(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """concatenate([arange(s, s + c) for s, c in zip(starts, counts)]) without the loop."""
    total = int(counts.sum())
    before = np.cumsum(counts) - counts
    return np.repeat(starts - before, counts) + np.arange(total, dtype=np.int64)


def _band_keys_2d(signatures: np.ndarray, rows: int, bands: int) -> np.ndarray:
    """`band_keys` of every row of `signatures` at once: (documents, bands)."""
    sig = signatures[:, : bands * rows].reshape(len(signatures), bands, rows)
    with np.errstate(over="ignore"):
        key = np.full((len(signatures), bands), np.uint64(0x243F6A8885A308D3))
        for j in range(rows):
            key = _fmix64(key ^ sig[:, :, j]) * _P
        return _fmix64(key + np.arange(bands, dtype=np.uint64))


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine64 permutation parameters (a, b) for this seed: the same draws as its
    `MinHash._init_permutations`, without importing datasketch (whose import pulls in scipy:
    ~1-2 s in every worker process). tests/test_signatures.py checks them against datasketch."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = gen.randint(0, 1 << 64, num_perm, dtype=np.uint64)
    return a, b


@lru_cache(maxsize=16)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch's MinHashLSH chooses for this threshold (equal FP/FN weights):
    the pair minimising the same weighted sum of false-positive and false-negative areas, without
    datasketch/scipy. The integrands are polynomials of degree <= num_perm, which Gauss-Legendre
    with num_perm // 2 + 2 nodes integrates exactly (datasketch uses quad); the tests compare."""
    x, w = np.polynomial.legendre.leggauss(num_perm // 2 + 2)
    low, high = threshold / 2 * (x + 1), threshold + (1 - threshold) / 2 * (x + 1)
    best, opt = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = threshold / 2 * float(w @ (1 - (1 - low**r) ** b))
            fn = (1 - threshold) / 2 * float(w @ ((1 - high**r) ** b))
            error = fp * 0.5 + fn * 0.5
            if error < best:
                best, opt = error, (b, r)
    return opt


@dataclass(frozen=True, slots=True)
class FingerprintBatch:
    """The fingerprints of a batch of texts as a few arrays: what worker processes send back
    (a handful of buffers to pickle, not five small arrays per document)."""

    exact_keys: np.ndarray  # (n, 16) uint8
    shingle_counts: np.ndarray  # (n,) sorted unique shingles per text
    shingles: np.ndarray  # every text's sorted unique shingles, concatenated
    leads: np.ndarray  # (n, prefix_shingles), each row zero-padded after its lead length
    lead_lengths: np.ndarray  # (n,)
    bands: np.ndarray  # (n, bands); zeros for a text without words
    lead_bands: np.ndarray  # (n, lead bands)
    sketches: np.ndarray  # (n, num_perm) uint8: the low 8 bits of each signature value
    signatures: np.ndarray | None = None  # (n, num_perm) when asked
    shingle_file: str | None = None  # set: `shingles` were written to this file instead, from ...
    shingle_offset: int = 0  # ... this byte offset on (see `NearDuplicateIndex.add_batch`)

    def __len__(self) -> int:
        return len(self.shingle_counts)

    def __getitem__(self, d: int) -> Fingerprint:
        assert self.shingle_file is None, "the shingles of this batch were written to a file"
        ends = np.cumsum(self.shingle_counts)
        count = int(self.shingle_counts[d])
        has_words = count > 0
        return Fingerprint(
            exact_key=self.exact_keys[d].tobytes(),
            shingles=self.shingles[ends[d] - count : ends[d]],
            lead=self.leads[d, : self.lead_lengths[d]],
            bands=self.bands[d] if has_words else self.bands[d, :0],
            lead_bands=self.lead_bands[d] if has_words else self.lead_bands[d, :0],
            sketch=self.sketches[d] if has_words else self.sketches[d, :0],
            signature=(self.signatures[d] if has_words else self.signatures[d, :0]) if self.signatures is not None else None,
        )


def fingerprint_many(
    texts: Sequence[str], options: NearDupOptions = NearDupOptions(), keep_signature: bool = False
) -> list[Fingerprint]:
    """Fingerprints of a batch of texts: the same values as `fingerprint` on each one, vectorised."""
    batch = fingerprint_batch(texts, options, keep_signature)
    return [batch[d] for d in range(len(batch))]


def fingerprint_batch(
    texts: Sequence[str], options: NearDupOptions = NearDupOptions(), keep_signature: bool = False,
    hashed: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
) -> FingerprintBatch:
    """`fingerprint_many` as one FingerprintBatch; `hashed`: each text's
    `shingles.paragraph_token_hashes`, when the caller has them."""
    n, docs = options.ngram, len(texts)
    bands, r = lsh_params(options.lsh_threshold, options.num_perm)
    lead_band_count = options.lead_perms // options.lead_rows
    prefix = options.prefix_shingles
    if not docs:
        tokens, token_counts = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    else:
        if hashed is None:
            tokens, token_counts = token_hashes(texts)
        else:  # no word spans a paragraph break: a text's words are its paragraphs' one after another
            tokens = np.concatenate([h for h, _ in hashed])
            token_counts = np.array([int(c.sum()) for _, c in hashed], dtype=np.int64)
    token_ends = np.cumsum(token_counts)

    # n-gram hashes of the windows inside each document, or, for one shorter than n tokens, the
    # one hash of all its tokens (`combine` per document)
    shingles, shingle_counts = compiled.shingle_runs(tokens, token_counts, n, _P)
    shingle_ends = np.cumsum(shingle_counts)
    shingle_starts = shingle_ends - shingle_counts

    full = np.flatnonzero(shingle_counts > 0)
    a, b = permutations(options.num_perm, options.seed)
    all_bands = np.zeros((docs, bands), dtype=np.uint64)
    all_lead_bands = np.zeros((docs, lead_band_count), dtype=np.uint64)
    signatures = np.zeros((docs, options.num_perm), dtype=np.uint64) if keep_signature else None
    sketches = np.zeros((docs, options.num_perm), dtype=np.uint8)
    if len(full):
        mixed = _fmix64(shingles)
        full_signatures = compiled.minhash_segments(mixed, shingle_starts[full], a, b)
        lead_counts = np.minimum(shingle_counts[full], options.lead_shingles)
        lead_index = _ragged_index(shingle_starts[full], lead_counts)
        lead_starts = np.cumsum(lead_counts) - lead_counts
        lead_signatures = compiled.minhash_segments(mixed[lead_index], lead_starts, a[: options.lead_perms], b[: options.lead_perms])
        all_bands[full] = _band_keys_2d(full_signatures, r, bands)
        all_lead_bands[full] = _band_keys_2d(lead_signatures, options.lead_rows, lead_band_count)
        sketches[full] = full_signatures & np.uint64(0xFF)
        if signatures is not None:
            signatures[full] = full_signatures

    # the lead: the first shingles of each text, in order
    lead_lengths = np.minimum(shingle_counts, prefix)
    leads = np.zeros((docs, prefix), dtype=np.uint64)
    rows = np.repeat(np.arange(docs), lead_lengths)
    leads[rows, _ragged_index(np.zeros(docs, dtype=np.int64), lead_lengths)] = shingles[_ragged_index(shingle_starts, lead_lengths)]

    # sorted unique shingles: each document's run sorted in place, then one mask for the batch
    ordered_sorted = shingles.copy()
    bounds = np.r_[0, shingle_ends].tolist()
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if hi - lo > 1:
            ordered_sorted[lo:hi].sort()
    keep = np.ones(len(shingles), dtype=bool)
    if len(shingles) > 1:
        np.not_equal(ordered_sorted[1:], ordered_sorted[:-1], out=keep[1:])
        keep[shingle_starts[full]] = True
    unique_counts = np.diff(np.r_[0, np.cumsum(keep)][bounds])

    token_bounds = np.r_[0, token_ends].tolist()
    exact = b"".join(_exact_key(tokens[token_bounds[d] : token_bounds[d + 1]]) for d in range(docs))
    return FingerprintBatch(
        exact_keys=np.frombuffer(exact, dtype=np.uint8).reshape(docs, 16),
        shingle_counts=unique_counts.astype(np.int64),
        shingles=ordered_sorted[keep],
        leads=leads,
        lead_lengths=lead_lengths.astype(np.int64),
        bands=all_bands,
        lead_bands=all_lead_bands,
        sketches=sketches,
        signatures=signatures,
    )


@dataclass(frozen=True, slots=True)
class Similarity:
    jaccard: float
    containment: float  # of the smaller set in the larger
    prefix: float  # share of the larger document's opening shingles present in the smaller


def similarity(a_set: np.ndarray, b_set: np.ndarray, a_lead: np.ndarray, b_lead: np.ndarray,
               options: NearDupOptions | None = None) -> Similarity:
    """With `options`, the prefix overlap is computed only where the containment rule can use it
    (elsewhere it is 0): the shortcut of the verification loop, over millions of pairs."""
    if len(a_set) == 0 or len(b_set) == 0:
        return Similarity(0.0, 0.0, 0.0)
    small, large_lead = (a_set, b_lead) if len(a_set) <= len(b_set) else (b_set, a_lead)
    inter = compiled.intersection_size(a_set, b_set)
    jaccard, containment = inter / (len(a_set) + len(b_set) - inter), inter / len(small)
    wanted = options is None or (containment >= options.containment and jaccard < options.jaccard)
    prefix = compiled.count_in(large_lead, small) / len(large_lead) if wanted and len(large_lead) else 0.0
    return Similarity(jaccard, containment, prefix)


_NO_RULE, _JACCARD, _CONTAINMENT = 0, 1, 2
_RULES = {_JACCARD: "jaccard", _CONTAINMENT: "containment"}


def duplicate_rules(jaccard: np.ndarray, containment: np.ndarray, prefix: np.ndarray, options: NearDupOptions) -> np.ndarray:
    """For each pair, the rule that makes the two documents copies of one article (0: none).

    - 1, "jaccard": most of both texts is shared (syndicated copies, light edits, chrome left over).
    - 2, "containment": the smaller copy lies almost wholly inside the larger AND the larger one
      opens the way the smaller does: a truncated copy, or the article with an update
      appended. A roundup page that quotes a short story, or a template story inside a digest,
      contains the other text but does not open with it, so it is not merged.
    """
    contained = (containment >= options.containment) & (prefix >= options.prefix_overlap)
    return np.where(jaccard >= options.jaccard, _JACCARD, np.where(contained, _CONTAINMENT, _NO_RULE))


def is_duplicate(sim: Similarity, options: NearDupOptions) -> str | None:
    """`duplicate_rules` for one pair, by name ("jaccard", "containment") or None."""
    code = duplicate_rules(np.array([sim.jaccard]), np.array([sim.containment]), np.array([sim.prefix]), options)
    return _RULES.get(int(code[0]))


class _Rows:
    """A 2-D array that rows are appended to, growing by doubling: one block of memory for a
    column of the corpus instead of a small numpy array (~100 bytes of overhead) per document."""

    def __init__(self, width: int, dtype: type = np.uint64) -> None:
        self._data = np.zeros((1024, width), dtype=dtype)
        self.n = 0

    def append(self, row: np.ndarray | int) -> None:
        if self.n == len(self._data):
            grown = np.zeros((2 * len(self._data), self._data.shape[1]), dtype=self._data.dtype)
            grown[: self.n] = self._data
            self._data = grown
        self._data[self.n, : np.size(row)] = row
        self.n += 1

    def extend(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self._data):
            grown = np.zeros((max(need, 2 * len(self._data)), self._data.shape[1]), dtype=self._data.dtype)
            grown[: self.n] = self._data[: self.n]
            self._data = grown
        self._data[self.n : need, : rows.shape[1]] = rows
        self.n = need

    @property
    def array(self) -> np.ndarray:
        return self._data[: self.n]


class _ShingleStore:
    """Sorted shingle hashes of every document in temporary files, read back one document at a time.

    The store's own file takes what `append` is given; worker processes write the sets of the
    batches they fingerprint to files of their own, which `extend_located` registers, so the
    sets never travel through this process. Plain positioned reads (`os.pread`), not a memory
    map, so that the resident size stays that of the index; pread carries its own offset, so
    forked verification workers share the descriptors.
    """

    CACHED = 4096  # about 25 MB of news-length shingle sets

    def __init__(self, folder: str | None = None) -> None:
        fd, path = tempfile.mkstemp(prefix="dedupe-shingles-", suffix=".u64", dir=folder)
        self._fh = os.fdopen(fd, "w+b")
        self._paths: list[str] = [path]  # file number -> path; this store removes them all on close
        self._fds: list[int] = [fd]
        self._numbers: dict[str, int] = {path: 0}
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()  # the last CACHED sets read: centres are read again and again
        self._buffer = np.empty(0, dtype=np.uint64)  # `read_many` reads into it
        self._where = _Rows(3, np.int64)  # (file number, byte offset, length) per document
        self._end = 0

    def append(self, shingles: np.ndarray) -> None:
        self._where.append(np.array([0, self._end, len(shingles)]))
        data = shingles.astype(np.uint64, copy=False).tobytes()
        self._fh.write(data)
        self._end += len(data)

    def extend_located(self, path: str, offsets: np.ndarray, lengths: np.ndarray) -> None:
        """Register sets already written to `path` (byte offsets, lengths in hashes), in order."""
        number = self._numbers.get(path)
        if number is None:
            number = self._numbers[path] = len(self._paths)
            self._paths.append(path)
            self._fds.append(os.open(path, os.O_RDONLY))
        rows = np.empty((len(offsets), 3), dtype=np.int64)
        rows[:, 0], rows[:, 1], rows[:, 2] = number, offsets, lengths
        self._where.extend(rows)

    def flush(self) -> None:
        self._fh.flush()

    def __getitem__(self, index: int) -> np.ndarray:
        cached = self._cache.get(index)
        if cached is not None:
            return cached
        number, offset, length = self._where.array[index].tolist()
        array = np.frombuffer(os.pread(self._fds[number], length * 8, offset), dtype=np.uint64)
        if len(self._cache) >= self.CACHED:
            self._cache.popitem(last=False)  # (`next(iter(dict))` after many pops scans the holes they leave)
        self._cache[index] = array
        return array

    def read_many(self, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The sets of `indices` concatenated, and their bounds (set k is flat[bounds[k]:bounds[k+1]]),
        read straight into this store's buffer: valid until the next call.

        One buffer, grown when needed, not an array per call: a verification task at a million
        documents reads ~50 MB of sets, and a fresh array that size is fresh memory that the
        kernel must zero page by page before the read fills it (a sixth of the workers' time)."""
        rows = self._where.array[np.asarray(indices, dtype=np.int64)]
        bounds = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(rows[:, 2], out=bounds[1:])
        total = int(bounds[-1])
        if len(self._buffer) < total:
            self._buffer = np.empty(max(total, 2 * len(self._buffer)), dtype=np.uint64)
        flat = self._buffer[:total]
        view = memoryview(flat).cast("B")
        fds, preadv = self._fds, os.preadv
        for (f, offset, n), start in zip(rows.tolist(), bounds.tolist()):
            if n and preadv(fds[f], [view[8 * start : 8 * (start + n)]], offset) != 8 * n:
                raise OSError(f"{self._paths[f]}: shingle file shorter than written")
        return flat, bounds

    def sizes(self) -> np.ndarray:
        return self._where.array[:, 2]

    def close(self) -> None:
        self._fh.close()
        for fd in self._fds[1:]:
            os.close(fd)
        for path in self._paths:
            try:
                os.unlink(path)
            except OSError:
                pass


@dataclass(frozen=True, slots=True)
class Decision:
    """What the stage decided for one document."""

    canonical: int  # index of the kept document (itself when kept)
    rule: str  # "kept", "exact", "jaccard", "containment"
    jaccard: float = 1.0
    containment: float = 1.0


_PAIRS_PER_TASK = 4096  # candidate pairs per verification task
# The chance, for one candidate pair, that `likely_pairs` skips a pair that verification would
# have accepted (were the permutations ideal min-wise hashes). The LSH bands themselves miss a
# pair at the 0.7 Jaccard threshold with chance 1e-2 (25 bands of 5 rows) and a shared lead at
# 0.7 with 2e-5: the filter adds at most a ten-thousandth of that. At 100,000 generated
# documents it skips 78% of the candidate pairs (61% at 1e-12) and the closest accepted pair
# lies 0.10 in Jaccard inside its ceiling.
_SKETCH_RISK = 1e-6
_PAIRS_BEFORE_MERGE = 1 << 22  # band pairs collected (32 MB) before they are merged into the unique ones


@dataclass(frozen=True, slots=True)
class _Edges:
    """The accepted pairs, grouped by the later document (positions in canonical order): those of
    document a are earlier[bounds[a]:bounds[a + 1]], best-ranked first, with their rule and
    similarities."""

    bounds: list[int]
    earlier: list[int]
    rules: list[int]
    jaccard: list[float]
    containment: list[float]


def _cluster(docs: list[int], edges: _Edges, roundup: dict[int, bool]) -> tuple[list[int], list[int]]:
    """Each position's chosen edge (-1: it is a centre), in canonical order: a document joins
    the earlier centre it shares the most with; a containment edge counts only if that centre is
    not a roundup page. A centre `roundup` has no answer for is taken as none; such centres
    come back too (documents, ascending), so that the caller can check them."""
    is_centre = [False] * len(docs)
    joined = [-1] * len(docs)
    unchecked: set[int] = set()
    bounds, earlier, rules, jaccard = edges.bounds, edges.earlier, edges.rules, edges.jaccard
    for a in range(len(docs)):
        best = -1
        for p in range(bounds[a], bounds[a + 1]):
            b = earlier[p]
            if not is_centre[b]:
                continue
            if rules[p] == _CONTAINMENT:
                answer = roundup.get(docs[b])
                if answer is None:
                    unchecked.add(docs[b])
                elif answer:
                    continue
            # candidates come best-ranked first, so a tie in Jaccard keeps the better-ranked centre
            if best < 0 or jaccard[p] > jaccard[best]:
                best = p
        joined[a] = best
        is_centre[a] = best < 0
    return joined, sorted(unchecked)


def _cluster_checking_roundups(
    docs: list[int], edges: _Edges, check: Callable[[list[int]], list[bool]]
) -> tuple[list[int], dict[int, bool]]:
    """`_cluster` with the roundup check asked (`check`) only of the centres that would absorb
    a document by containment (a copy of the original contains its truncated copy too, but is
    no centre): first with every unchecked centre taken as no roundup, then, if a check found
    one (which frees the documents it would have absorbed and may make new centres), again
    with the answers so far, until the centres asked about are all answered as assumed. The
    result is the clustering that checking every absorbing document gives; the answers come too."""
    roundup: dict[int, bool] = {}
    while True:
        joined, unchecked = _cluster(docs, edges, roundup)
        answers = dict(zip(unchecked, check(unchecked)))
        roundup.update(answers)
        if not any(answers.values()):
            return joined, roundup


_deciding: "NearDuplicateIndex | None" = None  # the index being decided, inherited by forked workers


class NearDuplicateIndex:
    """Collects fingerprints of a whole corpus, then decides every document at once.

    Memory per document (kept in columns, not per-document objects): the DocKey, a 16-byte
    exact key, 8 bytes per LSH band (25 + 16 by default), the lead hashes (48 x 8 bytes), the
    8-bit sketch (128 bytes) and 24 bytes of file position: ~1.1 KB. The shingle sets wait
    in temporary files.
    """

    def __init__(self, options: NearDupOptions = NearDupOptions(), spill_folder: str | None = None) -> None:
        self.options = options
        bands, _ = options.bands
        self._keys: list[DocKey] = []
        self._exact: list[bytes] = []
        self._leads = _Rows(options.prefix_shingles)
        self._lead_lengths = _Rows(1, np.int32)
        self._bands = _Rows(bands)
        self._lead_bands = _Rows(options.lead_perms // options.lead_rows)
        self._sketches = _Rows(options.num_perm, np.uint8)
        self._store = _ShingleStore(spill_folder)
        self._anchor_hashes: np.ndarray | None = None
        self._anchor_ranks: np.ndarray | None = None
        self._order: np.ndarray | None = None  # rank -> document
        self._opener_hits = np.zeros(0, dtype=np.uint8)  # per rank, `compiled.lead_openers`'s counters
        self._anchor_bits = np.zeros(0, dtype=np.uint8)
        self._anchor_bits_log2 = 16
        self._anchor_starts = np.zeros(0, dtype=np.int64)  # where each bucket of anchors starts
        self._anchor_starts_log2 = 8
        self._rank: np.ndarray | None = None
        self.stats: dict[str, int] = {"candidate_pairs": 0, "verified_pairs": 0, "roundup_checks": 0}
        self.seconds: dict[str, float] = {}  # wall seconds of each step of `decide`

    def add_batch(self, keys: Sequence[DocKey], batch: FingerprintBatch, rows: Sequence[int]) -> list[int]:
        """Add the documents at `rows` of `batch` (in that order) as `keys`; returns their slots."""
        if len(rows) == 0:
            return []
        take = np.asarray(rows, dtype=np.int64)
        first = len(self._keys)
        self._keys.extend(keys)
        exact = batch.exact_keys[take].tobytes()
        self._exact.extend(exact[k : k + 16] for k in range(0, len(exact), 16))
        self._leads.extend(batch.leads[take])
        self._lead_lengths.extend(batch.lead_lengths[take][:, None])
        self._bands.extend(batch.bands[take])
        self._lead_bands.extend(batch.lead_bands[take])
        self._sketches.extend(batch.sketches[take])
        if batch.shingle_file is not None:  # written by the worker process that made the batch
            starts = batch.shingle_offset + 8 * (np.cumsum(batch.shingle_counts) - batch.shingle_counts)
            self._store.extend_located(batch.shingle_file, starts[take], batch.shingle_counts[take])
        else:
            ends = np.cumsum(batch.shingle_counts)
            for d in take.tolist():
                self._store.append(batch.shingles[ends[d] - batch.shingle_counts[d] : ends[d]])
        return list(range(first, len(self._keys)))

    def add(self, key: DocKey, fp: Fingerprint) -> int:
        self._keys.append(key)
        self._exact.append(fp.exact_key)
        self._leads.append(fp.lead)
        self._lead_lengths.append(len(fp.lead))
        self._bands.append(fp.bands)
        self._lead_bands.append(fp.lead_bands)
        self._sketches.append(fp.sketch)
        self._store.append(fp.shingles)
        return len(self._keys) - 1

    def __len__(self) -> int:
        return len(self._keys)

    def close(self) -> None:
        self._store.close()

    def decide(self, progress: bool = False, workers: int = 1) -> list[Decision]:
        """A Decision per added document, the same for any order the documents were added in
        and any number of `workers` (processes that verify candidate pairs).

        `progress` shows a bar (stderr) over the verification, which is minutes at millions.
        """
        n = len(self._keys)
        clock = time.perf_counter()
        order = canonical_order(self._keys)  # most complete first
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        self._rank = rank
        self._order = np.asarray(order, dtype=np.int64)
        decisions: list[Decision | None] = [None] * n

        # 1. exact duplicates: the best-ranked copy represents the group.
        representative: dict[bytes, int] = {}
        for i in order:
            first = representative.setdefault(self._exact[i], int(i))
            if first != i:
                decisions[i] = Decision(first, "exact")
        sizes = self._store.sizes()
        reps = np.array([i for i in order if decisions[i] is None and sizes[i] > 0], dtype=np.int64)
        clock = self._lap("order_and_exact", clock)

        # 2. candidate pairs among the representatives, verified on the exact shingle sets
        #    (all of them, in parallel: which ones step 3 looks at depends on earlier answers),
        #    but for those whose sketches rule both rules out (`likely_pairs`).
        pairs = self._candidate_pairs(reps)
        self.stats["candidate_pairs"] = len(pairs)
        clock = self._lap("candidate_pairs", clock)
        docs = reps.astype(_position_type(n))[pairs] if len(pairs) else np.zeros((0, 2), dtype=np.int64)
        checked = np.flatnonzero(compiled.likely_pairs(
            self._sketches.array, sizes, docs, _sketch_ceilings(self.options.num_perm),
            self.options.jaccard, self.options.containment))
        self.stats["verified_pairs"] = len(checked)
        clock = self._lap("sketch_filter", clock)
        # the roundup check's anchors are built here while the workers verify (this process only
        # waits for them), so that the check's forked workers share one copy; the results are
        # those of the checked pairs only (a pair not checked has no rule)
        jaccard, containment, rules = self._verify(docs[checked], progress, workers, meanwhile=self._build_anchors)
        clock = self._lap("verify", clock)
        # 3. centres in canonical order; each document joins its best verified centre. Only the
        #    pairs that a rule accepts take part (a few percent of the candidates: at millions of
        #    pairs, Python lists of all of them would outweigh the index).
        accepted_checked = np.flatnonzero(rules)
        accepted = checked[accepted_checked]  # positions in `pairs`, ascending
        later = pairs[accepted, 0]
        edges = _Edges(
            bounds=np.searchsorted(later, np.arange(len(reps) + 1)).tolist(),
            earlier=pairs[accepted, 1].tolist(),
            rules=rules[accepted_checked].tolist(),
            jaccard=jaccard[accepted_checked].tolist(),
            containment=containment[accepted_checked].tolist(),
        )
        del pairs, docs, checked, jaccard, containment, rules
        reps_list = reps.tolist()
        checking = 0.0

        def check(documents: list[int]) -> list[bool]:
            nonlocal checking
            started = time.perf_counter()
            if documents:
                self._build_anchors()
            answers = list(self._map(_roundup_task, documents, workers))
            checking += time.perf_counter() - started
            return answers

        joined, roundup = _cluster_checking_roundups(reps_list, edges, check)
        self.stats["roundup_checks"] = len(roundup)
        self.seconds["roundup_checks"] = round(checking, 3)
        clock = self._lap("clustering", clock + checking)
        for a, i in enumerate(reps_list):
            best = joined[a]
            if best < 0:
                decisions[i] = Decision(i, "kept")
            else:
                decisions[i] = Decision(reps_list[edges.earlier[best]], _RULES[edges.rules[best]],
                                        edges.jaccard[best], edges.containment[best])
        for i in range(n):
            d = decisions[i]
            if d is None:  # empty fingerprint: nothing to match on
                decisions[i] = Decision(i, "kept")
            elif d.rule == "exact":
                # an exact copy goes where its representative went, with the representative's similarity
                target = decisions[d.canonical]
                if target is not None and target.rule != "kept":
                    decisions[i] = Decision(target.canonical, "exact", target.jaccard, target.containment)
        self._lap("decisions", clock)
        return decisions  # type: ignore[return-value]

    def _lap(self, step: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[step] = round(now - since, 3)
        return now

    def _candidate_pairs(self, reps: np.ndarray) -> np.ndarray:
        """(later, earlier) positions in `reps` (canonical order) of documents sharing an LSH band,
        unique, sorted by the later one and then best-ranked first.

        A bucket of more than `max_bucket` documents (an opening shared by many pages, say)
        pairs each member with its `max_bucket` most complete members only, so the work stays
        linear in the bucket's size; the canonical a member must match is among those.
        """
        m = len(reps)
        pairs = np.zeros(0, dtype=np.int64)  # sorted, unique
        found: list[np.ndarray] = []  # band pairs not merged into `pairs` yet
        for table in (self._bands.array, self._lead_bands.array):
            for band in range(table.shape[1] if m > 1 else 0):
                column = table[reps, band]
                sort = np.argsort(column, kind="stable")  # equal keys stay in canonical order
                sorted_column = column[sort]
                new_group = np.r_[True, sorted_column[1:] != sorted_column[:-1]]
                group_start = np.flatnonzero(new_group)[np.cumsum(new_group) - 1]
                better = np.minimum(np.arange(m) - group_start, self.options.max_bucket)
                members = np.flatnonzero(better)
                counts = better[members]
                later = np.repeat(sort[members], counts)
                earlier = sort[_ragged_index(group_start[members], counts)]
                found.append(later * m + earlier)
                if sum(map(len, found)) > _PAIRS_BEFORE_MERGE:  # the same pair comes from many bands
                    pairs = compiled.union_sorted(pairs, _sorted_unique(np.concatenate(found)))
                    found = []
        if found:
            pairs = compiled.union_sorted(pairs, _sorted_unique(np.concatenate(found)))
        return np.stack([pairs // max(m, 1), pairs % max(m, 1)], axis=1).astype(_position_type(m))

    def _verify(self, docs: np.ndarray, progress: bool, workers: int,
                meanwhile: Callable[[], None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Jaccard, containment and the rule (0: none) of every pair of document ids; with more
        than one worker, `meanwhile` runs here once they have started."""
        chunks = [docs[lo : lo + _PAIRS_PER_TASK] for lo in range(0, len(docs), _PAIRS_PER_TASK)]
        jaccard, containment = np.zeros(len(docs)), np.zeros(len(docs))
        rules = np.zeros(len(docs), dtype=np.int8)
        lo = 0
        for chunk_jaccard, chunk_containment, chunk_prefix in self._map(
                _verify_task, chunks, workers, progress=progress, total=len(docs)):
            if meanwhile is not None and workers > 1 and len(chunks) > 1:
                meanwhile()
                meanwhile = None
            hi = lo + len(chunk_jaccard)
            jaccard[lo:hi], containment[lo:hi] = chunk_jaccard, chunk_containment
            rules[lo:hi] = duplicate_rules(chunk_jaccard, chunk_containment, chunk_prefix, self.options)
            lo = hi
        return jaccard, containment, rules

    def _map(self, fn, items, workers: int, progress: bool = False, total: int = 0) -> Iterator:
        """`fn` over `items`, results yielded in order, in forked processes that inherit this
        index (read-only)."""
        global _deciding
        items = list(items)
        if not items:
            return
        self._store.flush()
        _deciding = self
        bar = tqdm(total=total or len(items), desc="near-duplicates", unit="pair" if total else "doc",
                   disable=not progress, file=sys.stderr, mininterval=0.5)
        try:
            if workers <= 1 or len(items) < 2 or not hasattr(os, "fork"):
                for item in items:
                    yield fn(item)
                    bar.update(len(item) if total else 1)
                return
            size = 1 if total else 64  # verification chunks are tasks already; documents go 64 at a time
            tasks = [(fn, items[lo : lo + size]) for lo in range(0, len(items), size)]
            pool = OrderedPool(workers, keep_freed_memory, method="fork")
            try:
                for (_, chunk), results in zip(tasks, pool.imap(_apply_each, tasks)):
                    for item, result in zip(chunk, results):
                        yield result
                        bar.update(len(item) if total else 1)
            finally:
                pool.terminate()
        finally:
            bar.close()
            _deciding = None

    def _build_anchors(self) -> None:
        """Every document's lead hashes, sorted, with the rank of the document each belongs to
        (in rank order within a hash: `compiled.lead_anchors`)."""
        if self._anchor_hashes is not None:
            return
        assert self._order is not None
        lengths = self._lead_lengths.array[:, 0]
        count = int(lengths.sum())
        # buckets of ~16-32 anchors by their top bits (16 MB at a million documents)
        self._anchor_starts_log2 = max(8, int(np.log2(max(count, 1) / 16)))
        self._anchor_hashes, self._anchor_ranks, self._anchor_starts = compiled.lead_anchors(
            self._leads.array, lengths, self._order, self._anchor_starts_log2)
        self._opener_hits = np.zeros(len(lengths), dtype=np.uint8)
        # 4 to 8 bits per lead hash (32 MB at a million documents): most of the shingles a
        # roundup check looks up are in no lead, and the filter answers those in one access
        self._anchor_bits_log2 = max(16, int(np.ceil(np.log2(4 * max(count, 1)))))
        self._anchor_bits = compiled.bit_filter(self._anchor_hashes, self._anchor_bits_log2)

    def _is_roundup(self, j: int) -> bool:
        """Does `j` quote the openings of two or more smaller articles that are not copies of each other?

        A digest or roundup page holds the leads of several stories, so a short story lies
        wholly inside it and may even open it; a truncated copy of one article never opens two
        different articles. Checked only for documents about to absorb another by containment.
        """
        rank = self._rank
        assert rank is not None
        self._build_anchors()
        assert self._anchor_hashes is not None and self._anchor_ranks is not None and self._order is not None
        # Look j's shingles up among the sorted lead hashes (not the other way round: there
        # are 48 lead hashes per document in the corpus, and only ~700 shingles in j). The 20
        # best-ranked openers that are not copies of j's text; exact copies of j are skipped, so
        # ask for more while they fill the answer.
        shingles, limit = self._store[j], 32
        while True:
            openers = compiled.lead_openers(self._anchor_hashes, self._anchor_ranks, self._anchor_bits, self._anchor_bits_log2,
                                            self._anchor_starts, self._anchor_starts_log2, shingles, int(rank[j]), self._order,
                                            self._lead_lengths.array[:, 0], self._opener_hits, limit)
            opened = [o for o in openers.tolist() if self._exact[o] != self._exact[j]][:20]
            if len(opened) == 20 or len(openers) < limit:
                break
            limit *= 4
        if len(opened) < 2:
            return False
        # Two versions of one story share most of the smaller even below the duplicate
        # thresholds (an edited copy and a chromed copy: containment ~0.9); different stories
        # quoted by one digest share almost nothing. Copies with the same exact key are one text.
        flat, bounds = self._store.read_many(opened)
        texts: dict[bytes, int] = {}
        same_text = np.array([texts.setdefault(self._exact[o], len(texts)) for o in opened], dtype=np.int64)
        return compiled.any_pair_below_half_contained(flat, bounds, same_text)


@lru_cache(maxsize=4)
def _sketch_ceilings(width: int, risk: float = _SKETCH_RISK) -> np.ndarray:
    """ceiling[x]: the highest Jaccard at which x or fewer of `width` MinHash values agree with
    probability `risk` or more (the number that agree is binomial(width, J)), on a grid of 1/4096
    rounded up. A pair whose sketches agree in x values and whose rules need a Jaccard above
    ceiling[x] cannot be a duplicate but at that risk. (8-bit sketches also agree by chance, 1 in
    256 per value, half a value a pair: that only raises x, so it errs toward verifying.)"""
    grid = np.linspace(0.0, 1.0, 4097)[None, :]
    x = np.arange(width + 1)[:, None]
    log_choose = np.array([math.lgamma(width + 1) - math.lgamma(k + 1) - math.lgamma(width - k + 1)
                           for k in range(width + 1)])[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = (log_choose + np.where(x > 0, x * np.log(grid), 0.0)
                   + np.where(x < width, (width - x) * np.log1p(-grid), 0.0))
    cdf = np.cumsum(np.exp(log_pmf), axis=0)  # P(X <= x) for each grid Jaccard, falling as J grows
    above = (cdf >= risk).sum(axis=1)  # the first grid point where it falls below the risk
    return grid[0, np.minimum(above, grid.shape[1] - 1)]


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique(values) for a 1-D array: sorted, then the first of each run. (numpy 2's
    np.unique hashes integers first: 45x slower on the million candidate pairs of 100,000
    documents.)"""
    ordered = np.sort(values)
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def _position_type(n: int) -> type:
    """The narrowest integer type for positions below n (candidate pairs number in the millions)."""
    return np.int32 if n < 2**31 else np.int64


def _verify_task(docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`similarity` of a chunk of document pairs of the index being decided, as three rows (0s
    for a pair that no rule can accept): the sets the chunk needs are read once each and the
    pairs compared in one compiled loop."""
    index = _deciding
    assert index is not None
    needed, at = np.unique(docs, return_inverse=True)
    at = at.reshape(docs.shape)
    flat, bounds = index._store.read_many(needed)
    leads = index._leads.array[needed]
    lengths = index._lead_lengths.array[needed, 0].astype(np.int64)
    options = index.options
    return compiled.pair_similarities(flat, bounds, leads, lengths, at[:, 0], at[:, 1],
                                      options.containment, options.jaccard)


def _apply_each(task: tuple) -> list:
    fn, items = task
    return [fn(item) for item in items]


def _roundup_task(j: int) -> bool:
    assert _deciding is not None
    return _deciding._is_roundup(j)


def near_duplicates(keys: Iterable[DocKey], texts: Iterable[str], options: NearDupOptions = NearDupOptions()) -> list[Decision]:
    """Decide a small in-memory corpus in one call (convenience over NearDuplicateIndex)."""
    index = NearDuplicateIndex(options)
    try:
        for key, text in zip(keys, texts):
            index.add(key, fingerprint(text, options))
        return index.decide()
    finally:
        index.close()
