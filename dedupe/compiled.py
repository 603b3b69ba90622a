"""The few inner loops of near-duplicate detection that numpy cannot express without waste,
compiled with numba.

Each one is a plain loop over flat arrays, checked against the numpy definition it replaces
(tests/test_compiled.py). numba caches the machine code next to this file (or in the user's
cache folder), so only the first run on a machine pays the compilation (~1 s per function).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_MAX64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, nogil=True)
def minhash_segments(values: np.ndarray, starts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per segment values[starts[i]:starts[i+1]] (the last runs to the end), the minimum of
    `a * v + b` (mod 2**64) for each permutation (a, b).

    Eight shingles per sweep over the permutations: the row of minima is loaded and stored once
    for eight values instead of each, and the eight products vectorise (3.5x a sweep per
    shingle, 4.6x numpy's blocks with `np.minimum.reduceat`).
    """
    docs, width, n = len(starts), len(a), len(values)
    out = np.full((docs, width), _MAX64)
    for d in range(docs):
        s, hi = starts[d], starts[d + 1] if d + 1 < docs else n
        row = out[d]
        while s + 8 <= hi:
            v0, v1, v2, v3 = values[s], values[s + 1], values[s + 2], values[s + 3]
            v4, v5, v6, v7 = values[s + 4], values[s + 5], values[s + 6], values[s + 7]
            for k in range(width):
                ak, bk = a[k], b[k]
                low = min(min(min(ak * v0 + bk, ak * v1 + bk), min(ak * v2 + bk, ak * v3 + bk)),
                          min(min(ak * v4 + bk, ak * v5 + bk), min(ak * v6 + bk, ak * v7 + bk)))
                row[k] = min(row[k], low)
            s += 8
        while s < hi:
            v = values[s]
            for k in range(width):
                row[k] = min(row[k], a[k] * v + b[k])
            s += 1
    return out


@njit(cache=True, nogil=True)
def count_in(values: np.ndarray, sorted_set: np.ndarray) -> int:
    """How many of `values` (repeats counted) are in `sorted_set` (binary search each)."""
    count = 0
    n = len(sorted_set)
    if n == 0:
        return 0
    for v in values:
        k = np.searchsorted(sorted_set, v)
        if k < n and sorted_set[k] == v:
            count += 1
    return count


@njit(cache=True, nogil=True)
def _bounded_intersection(x: np.ndarray, y: np.ndarray, containment_min: float, jaccard_min: float) -> int:
    """|x & y| for two sorted arrays of unique values, or -1 as soon as the intersection cannot
    reach `jaccard_min` nor `containment_min` any more (most candidate pairs: they only share
    an LSH band): the rules compare floats, and the bound goes through the same divisions."""
    i = j = count = 0
    nx, ny = len(x), len(y)
    union_sum, small = nx + ny, min(nx, ny)
    steps = 0
    while i < nx and j < ny:
        xi, yj = x[i], y[j]
        if xi < yj:
            i += 1
        elif xi > yj:
            j += 1
        else:
            count += 1
            i += 1
            j += 1
        steps += 1
        if steps == 64:
            steps = 0
            most = count + min(nx - i, ny - j)
            if most / (union_sum - most) < jaccard_min and most / small < containment_min:
                return -1
    return count


@njit(cache=True, nogil=True)
def intersection_size(x: np.ndarray, y: np.ndarray) -> int:
    """|x & y| for two sorted arrays of unique values (a merge)."""
    return _bounded_intersection(x, y, 0.0, 0.0)


@njit(cache=True, nogil=True)
def any_pair_below_half_contained(sets: np.ndarray, set_bounds: np.ndarray, text_ids: np.ndarray) -> bool:
    """Whether two of the sets sets[set_bounds[d]:set_bounds[d + 1]] with different `text_ids`
    share less than half of the smaller (an empty one shares nothing). A merge per pair that
    stops as soon as half of the smaller is found."""
    k = len(text_ids)
    for x in range(k):
        a = sets[set_bounds[x]:set_bounds[x + 1]]
        for y in range(x + 1, k):
            if text_ids[x] == text_ids[y]:
                continue
            b = sets[set_bounds[y]:set_bounds[y + 1]]
            small = min(len(a), len(b))
            i = j = count = 0
            while i < len(a) and j < len(b) and 2 * count < small:
                if a[i] < b[j]:
                    i += 1
                elif a[i] > b[j]:
                    j += 1
                else:
                    count += 1
                    i += 1
                    j += 1
            if 2 * count < small or small == 0:
                return True
    return False


@njit(cache=True, nogil=True)
def pair_similarities(sets: np.ndarray, set_bounds: np.ndarray, leads: np.ndarray, lead_lengths: np.ndarray,
                      first: np.ndarray, second: np.ndarray, containment_min: float, jaccard_min: float):
    """Jaccard, containment and prefix overlap of each pair (first[p], second[p]) of documents
    whose sorted shingle sets are sets[set_bounds[d]:set_bounds[d + 1]] and whose leads are
    leads[d, :lead_lengths[d]]: `neardup.similarity` with its options shortcut, for many pairs,
    except that a pair no rule can accept (jaccard below `jaccard_min`, containment below
    `containment_min`) may come back as 0s."""
    m = len(first)
    jaccard, containment, prefix = np.zeros(m), np.zeros(m), np.zeros(m)
    for p in range(m):
        a, b = first[p], second[p]
        a_set = sets[set_bounds[a]:set_bounds[a + 1]]
        b_set = sets[set_bounds[b]:set_bounds[b + 1]]
        if len(a_set) == 0 or len(b_set) == 0:
            continue
        if len(a_set) <= len(b_set):
            small, large = a_set, b
        else:
            small, large = b_set, a
        inter = _bounded_intersection(a_set, b_set, containment_min, jaccard_min)
        if inter < 0:
            continue
        jaccard[p] = inter / (len(a_set) + len(b_set) - inter)
        containment[p] = inter / len(small)
        lead = leads[large, :lead_lengths[large]]
        if containment[p] >= containment_min and jaccard[p] < jaccard_min and len(lead):
            prefix[p] = count_in(lead, small) / len(lead)
    return jaccard, containment, prefix


@njit(cache=True, nogil=True)
def union_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted union of two sorted arrays of unique values, in one merge (np.union1d sorts
    both again: at a million documents, minutes over the candidate pairs)."""
    out = np.empty(len(a) + len(b), dtype=a.dtype)
    i = j = k = 0
    while i < len(a) and j < len(b):
        if a[i] < b[j]:
            out[k] = a[i]
            i += 1
        elif a[i] > b[j]:
            out[k] = b[j]
            j += 1
        else:
            out[k] = a[i]
            i += 1
            j += 1
        k += 1
    while i < len(a):
        out[k] = a[i]
        i += 1
        k += 1
    while j < len(b):
        out[k] = b[j]
        j += 1
        k += 1
    return out[:k].copy()


@njit(cache=True, nogil=True)
def bit_filter(values: np.ndarray, bits_log2: int) -> np.ndarray:
    """A one-hash Bloom filter of `values`: bit (v >> (64 - bits_log2)) set for each v."""
    shift = _U[64 - bits_log2]
    bits = np.zeros((1 << bits_log2) >> 3, dtype=np.uint8)
    for v in values:
        b = v >> shift
        bits[b >> _U[3]] |= np.uint8(1) << np.uint8(b & _U[7])
    return bits


@njit(cache=True, nogil=True)
def lead_openers(anchor_hashes: np.ndarray, anchor_ranks: np.ndarray, bits: np.ndarray, bits_log2: int,
                 shingles: np.ndarray, rank: int, order: np.ndarray, lead_lengths: np.ndarray,
                 hits: np.ndarray, limit: int) -> np.ndarray:
    """The documents ranked after `rank` at least half of whose lead (and at least one hash) is
    among `shingles` (sorted), best-ranked first, at most `limit` of them.

    The anchors are every document's lead hashes, sorted, `bit_filter`-ed, with the document's
    rank. Each lead position found among `shingles` counts one hit for its document in `hits`
    (one counter per rank: zeros, left zeros), then the counters are read in rank order. (A
    popular opening is in thousands of leads: counting them costs a few ns each, sorting the
    owners to count them cost ~50 ms a document at a million.)
    """
    shift = _U[64 - bits_log2]
    touched = []
    lo, n = 0, len(anchor_hashes)
    for v in shingles:
        b = v >> shift
        if not (bits[b >> _U[3]] >> np.uint8(b & _U[7])) & np.uint8(1):
            continue
        lo += np.searchsorted(anchor_hashes[lo:], v)
        k = lo
        while k < n and anchor_hashes[k] == v:
            r = anchor_ranks[k]
            if r > rank:
                if hits[r] == 0:
                    touched.append(r)
                if hits[r] < 255:
                    hits[r] += 1
            k += 1
    found = []
    if len(touched):
        ranks = np.array(touched, dtype=np.int64)
        if 16 * len(ranks) < ranks.max() - rank:  # few openers far apart: sort them
            ranks.sort()
        else:  # many: read the counters in rank order, no sort
            ranks = np.arange(rank + 1, ranks.max() + 1)
        for r in ranks:
            if len(found) >= limit:
                break
            if hits[r] and hits[r] >= max(1, lead_lengths[order[r]] // 2):
                found.append(order[r])
        for r in touched:
            hits[r] = 0
    return np.array(found, dtype=np.int64)


# xxh3-64 (seed 0) of 1 to 16 bytes, after the reference's XXH3_len_1to3/4to8/9to16_64b: the
# constants are the words of the default secret that those lengths read, xor-ed as it does.
_SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221b8084674f743248e"
)


def _word(offset: int, size: int) -> int:
    return int.from_bytes(_SECRET[offset : offset + size], "little")


_FLIP_1TO3 = np.uint64(_word(0, 4) ^ _word(4, 4))
_FLIP_4TO8 = np.uint64(_word(8, 8) ^ _word(16, 8))
_FLIP_9TO16_LO = np.uint64(_word(24, 8) ^ _word(32, 8))
_FLIP_9TO16_HI = np.uint64(_word(40, 8) ^ _word(48, 8))
_PRIME64_2, _PRIME64_3 = np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)
_PRIME_MX1, _PRIME_MX2 = np.uint64(0x165667919E3779F9), np.uint64(0x9FB21C651E98DF25)
_M32 = np.uint64(0xFFFFFFFF)
_U = np.arange(65, dtype=np.uint64)  # shift counts as uint64: numba turns uint64 with int64 into float


@njit(cache=True, nogil=True, inline="always")
def _read_le(buf: np.ndarray, at: int, size: int) -> np.uint64:
    value = np.uint64(0)
    for k in range(size):
        value |= np.uint64(buf[at + k]) << _U[8 * k]
    return value


@njit(cache=True, nogil=True, inline="always")
def _mul128_fold64(a: np.uint64, b: np.uint64) -> np.uint64:
    """Low xor high half of the 128-bit product a * b, from 32-bit halves."""
    s32 = _U[32]
    a_lo, a_hi, b_lo, b_hi = a & _M32, a >> s32, b & _M32, b >> s32
    ll, lh, hl, hh = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    cross = (ll >> s32) + (lh & _M32) + hl
    return ((cross << s32) | (ll & _M32)) ^ (hh + (lh >> s32) + (cross >> s32))


@njit(cache=True, nogil=True)
def xxh3_short(buf: np.ndarray, at: int, n: int) -> np.uint64:
    """xxh3_64 of buf[at:at + n] for 1 <= n <= 16, bit for bit what `xxhash.xxh3_64` gives."""
    U = _U
    size = np.uint64(n)
    if n <= 3:
        c1, c2, c3 = np.uint64(buf[at]), np.uint64(buf[at + (n >> 1)]), np.uint64(buf[at + n - 1])
        h = ((c1 << U[16]) | (c2 << U[24]) | c3 | (size << U[8])) ^ _FLIP_1TO3
        h ^= h >> U[33]
        h *= _PRIME64_2
        h ^= h >> U[29]
        h *= _PRIME64_3
        return h ^ (h >> U[32])
    if n <= 8:
        g = (_read_le(buf, at + n - 4, 4) + (_read_le(buf, at, 4) << U[32])) ^ _FLIP_4TO8
        g ^= ((g << U[49]) | (g >> U[15])) ^ ((g << U[24]) | (g >> U[40]))
        g *= _PRIME_MX2
        g ^= (g >> U[35]) + size
        g *= _PRIME_MX2
        return g ^ (g >> U[28])
    lo = _read_le(buf, at, 8) ^ _FLIP_9TO16_LO
    hi = _read_le(buf, at + n - 8, 8) ^ _FLIP_9TO16_HI
    swapped = np.uint64(0)
    for k in range(8):  # lo with its bytes in reverse order
        swapped |= ((lo >> U[8 * k]) & np.uint64(0xFF)) << U[56 - 8 * k]
    acc = size + swapped + hi + _mul128_fold64(lo, hi)
    acc ^= acc >> U[37]
    acc *= _PRIME_MX1
    return acc ^ (acc >> U[32])


@njit(cache=True, nogil=True)
def hash_chunks(text: np.ndarray, word_byte: np.ndarray):
    """Cut translated UTF-8 (`neardup._CHUNK_TABLE`: separators are spaces) into chunks, the runs
    between spaces, and hash the plain ones.

    An apostrophe or backtick between two ASCII word bytes is dropped first (`words` drops an
    inner apostrophe: "don't" is "dont"). A chunk is plain when it is at most 16 bytes of ASCII
    word characters: it is one token, hashed here with xxh3. The others (non-ASCII, apostrophes,
    the byte that separates two texts, long words) are left to the caller.
    Returns the compacted bytes, each chunk's start, length and hash (0 where not plain), and
    whether it is plain.
    """
    n = len(text)
    buf = np.empty(n, dtype=np.uint8)
    m = 0
    for i in range(n):
        c = text[i]
        if (c == 0x27 or c == 0x60) and 0 < i < n - 1 and word_byte[text[i - 1]] and word_byte[text[i + 1]]:
            continue
        buf[m] = c
        m += 1
    cap = m // 2 + 1
    starts = np.empty(cap, dtype=np.int64)
    lengths = np.empty(cap, dtype=np.int64)
    hashes = np.zeros(cap, dtype=np.uint64)
    plain = np.zeros(cap, dtype=np.bool_)
    count, i = 0, 0
    while i < m:
        if buf[i] == 0x20:
            i += 1
            continue
        j, odd = i, False
        while j < m and buf[j] != 0x20:
            c = buf[j]
            if c >= 0x80 or c == 0x27 or c == 0x60:
                odd = True
            j += 1
        starts[count], lengths[count] = i, j - i
        if not odd and j - i <= 16:
            plain[count] = True
            hashes[count] = xxh3_short(buf, i, j - i)
        count += 1
        i = j
    return buf[:m], starts[:count], lengths[:count], hashes[:count], plain[:count]
