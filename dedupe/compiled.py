"""The few inner loops that numpy cannot express without waste (near-duplicate detection, token
hashing, the boilerplate learner's filter), compiled with numba.

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
def shingle_runs(tokens: np.ndarray, counts: np.ndarray, n: int, multiplier: np.uint64):
    """The n-gram hashes of each text's run of token hashes (`neardup.combine` per text: a text
    shorter than n tokens is one shingle of all of them), concatenated, and how many each has."""
    docs = len(counts)
    shingle_counts = np.empty(docs, dtype=np.int64)
    total = 0
    for d in range(docs):
        c = counts[d]
        shingle_counts[d] = c - n + 1 if c >= n else min(c, 1)
        total += shingle_counts[d]
    out = np.empty(total, dtype=np.uint64)
    s = k = 0
    for d in range(docs):
        width = n if counts[d] >= n else counts[d]
        for i in range(shingle_counts[d]):
            h = tokens[s + i]
            for j in range(1, width):
                h = h * multiplier + tokens[s + i + j]
            out[k] = h
            k += 1
        s += counts[d]
    return out, shingle_counts


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
def likely_pairs(sketches: np.ndarray, sizes: np.ndarray, pairs: np.ndarray, ceilings: np.ndarray,
                 jaccard: float, containment: float) -> np.ndarray:
    """For each pair (a, b) of documents: may a duplicate rule accept it, by their sketches?

    The rules need a Jaccard of `jaccard`, or a containment of the smaller set in the larger
    of `containment`, which given the set sizes means a Jaccard of c*m / (|a| + |b| - c*m)
    (m the smaller size); the pair is unlikely when the lower of the two is above
    ceilings[x], x the number of sketch values the two documents share."""
    out = np.empty(len(pairs), dtype=np.bool_)
    width = sketches.shape[1]
    for p in range(len(pairs)):
        a, b = pairs[p, 0], pairs[p, 1]
        x = 0
        for k in range(width):
            if sketches[a, k] == sketches[b, k]:
                x += 1
        sa, sb = float(sizes[a]), float(sizes[b])
        low = containment * min(sa, sb)
        out[p] = min(jaccard, low / (sa + sb - low)) <= ceilings[x]
    return out


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
def mix_keys(values: np.ndarray, salt: np.uint64) -> np.ndarray:
    """One 64-bit key per value for a (salt, value) pair: the splitmix64 finaliser over
    value xor salt * odd (`chrome._mix(value, salt)` of each)."""
    out = np.empty(len(values), dtype=np.uint64)
    s = salt * np.uint64(0x9E3779B97F4A7C15)
    for i in range(len(values)):
        z = values[i] ^ s
        z = (z ^ (z >> _U[30])) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> _U[27])) * np.uint64(0x94D049BB133111EB)
        out[i] = z ^ (z >> _U[31])
    return out


@njit(cache=True, nogil=True)
def bloom_hits(keys: np.ndarray, bits: np.ndarray, mask: np.uint64, probes: int, seen: np.ndarray) -> None:
    """Set seen[i] where all `probes` bits of keys[i] are set in `bits` (double hashing: bit
    (low 32 bits + j * (high 32 bits | 1)) & mask for j below `probes`)."""
    for i in range(len(keys)):
        if seen[i]:
            continue
        low, high = keys[i] & _M32, (keys[i] >> _U[32]) | _U[1]
        hit = True
        for j in range(probes):
            b = (low + np.uint64(j) * high) & mask
            if (bits[b >> _U[3]] >> (b & _U[7])) & 1 == 0:
                hit = False
                break
        seen[i] = hit


@njit(cache=True, nogil=True)
def bloom_add(keys: np.ndarray, skip: np.ndarray, bits: np.ndarray, mask: np.uint64, probes: int) -> None:
    """Set the `probes` bits of every keys[i] without skip[i] (see `bloom_hits`)."""
    for i in range(len(keys)):
        if skip[i]:
            continue
        low, high = keys[i] & _M32, (keys[i] >> _U[32]) | _U[1]
        for j in range(probes):
            b = (low + np.uint64(j) * high) & mask
            bits[b >> _U[3]] |= np.uint8(1) << np.uint8(b & _U[7])


@njit(cache=True, nogil=True)
def lead_anchors(leads: np.ndarray, lengths: np.ndarray, order: np.ndarray,
                 starts_log2: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every document's lead hashes (leads[d, :lengths[d]]) sorted, with the rank of the
    document each belongs to (`order`: rank -> document), in rank order within a hash, and
    where the hashes whose top `starts_log2` bits are b begin (entry b) and end (entry b + 1).
    Ranks are int32 (fewer than 2**31 documents).

    A counting sort by the top bits (hashes are uniform: a few dozen a bucket), filled in rank
    order, then each bucket sorted by hash, stably so the ranks stay in order: one pass over
    the leads instead of a sort of all of them (0.25 s against 1.1 s at 100,000 documents).
    """
    shift = _U[64 - starts_log2]
    size = 1 << starts_log2
    starts = np.zeros(size + 1, dtype=np.int64)
    for d in range(len(lengths)):
        for p in range(lengths[d]):
            starts[(leads[d, p] >> shift) + _U[1]] += 1
    for b in range(size):
        starts[b + 1] += starts[b]
    hashes = np.empty(starts[size], dtype=np.uint64)
    ranks = np.empty(starts[size], dtype=np.int32)
    fill = starts[:size].copy()
    for r in range(len(order)):
        d = order[r]
        for p in range(lengths[d]):
            v = leads[d, p]
            b = v >> shift
            k = fill[b]
            hashes[k], ranks[k] = v, r
            fill[b] = k + 1
    for b in range(size):
        lo, hi = starts[b], starts[b + 1]
        if hi - lo <= 32:  # insertion sort: stable, and no call
            for i in range(lo + 1, hi):
                v, r = hashes[i], ranks[i]
                k = i - 1
                while k >= lo and hashes[k] > v:
                    hashes[k + 1], ranks[k + 1] = hashes[k], ranks[k]
                    k -= 1
                hashes[k + 1], ranks[k + 1] = v, r
        else:  # a popular hash: a stable sort
            by = np.argsort(hashes[lo:hi], kind="mergesort")
            hashes[lo:hi] = hashes[lo:hi][by]
            ranks[lo:hi] = ranks[lo:hi][by]
    return hashes, ranks, starts


@njit(cache=True, nogil=True)
def lead_openers(anchor_hashes: np.ndarray, anchor_ranks: np.ndarray, bits: np.ndarray, bits_log2: int,
                 starts: np.ndarray, starts_log2: int, shingles: np.ndarray, rank: int, order: np.ndarray,
                 lead_lengths: np.ndarray, hits: np.ndarray, limit: int) -> np.ndarray:
    """The documents ranked after `rank` at least half of whose lead (and at least one hash) is
    among `shingles` (sorted), best-ranked first, at most `limit` of them.

    The anchors are every document's lead hashes, sorted (and by the document's rank within a
    hash: `lead_anchors`), `bit_filter`-ed and cut into buckets by their top `starts_log2`
    bits: a hash is looked up in its bucket of a few dozen, not by binary
    search over them all (at a million documents, 48 million anchors). Each lead position found
    among `shingles` counts one hit for its document in `hits` (one counter per rank: zeros,
    left zeros). The ranks are taken in windows that double: once a window's documents are
    counted they are final, so the search stops as soon as `limit` openers are found (a story
    with hundreds of copies has them in its first windows; the hashes of its opening are in as
    many leads, all of which a single pass would count).
    """
    shift, bucket_shift = _U[64 - bits_log2], _U[64 - starts_log2]
    # where each shingle's anchors after `rank` begin and end
    at = np.empty(len(shingles), dtype=np.int64)
    ends = np.empty(len(shingles), dtype=np.int64)
    active = 0
    for v in shingles:
        b = v >> shift
        if not (bits[b >> _U[3]] >> np.uint8(b & _U[7])) & np.uint8(1):
            continue
        top = v >> bucket_shift
        first, end = starts[top], starts[top + _U[1]]
        lo = first + np.searchsorted(anchor_hashes[first:end], v)
        if lo == end or anchor_hashes[lo] != v:
            continue
        hi = first + np.searchsorted(anchor_hashes[first:end], v, side="right")
        lo += np.searchsorted(anchor_ranks[lo:hi], rank, side="right")
        if lo < hi:
            at[active], ends[active] = lo, hi
            active += 1
    found = []
    touched = []
    window = max(1024, len(hits) >> 6)
    upto = rank + 1 + window  # ranks below this are counted in this window
    while active > 0 and len(found) < limit:
        kept = 0
        for i in range(active):
            p, hi = at[i], ends[i]
            while p < hi and anchor_ranks[p] < upto:
                r = anchor_ranks[p]
                if hits[r] == 0:
                    touched.append(r)
                if hits[r] < 255:
                    hits[r] += 1
                p += 1
            if p < hi:
                at[kept], ends[kept] = p, hi
                kept += 1
        active = kept
        if len(touched):
            ranks = np.array(touched, dtype=np.int64)
            ranks.sort()
            for r in ranks:
                if len(found) < limit and hits[r] >= max(1, lead_lengths[order[r]] // 2):
                    found.append(order[r])
                hits[r] = 0
            touched.clear()
        window *= 2
        upto += window
    return np.array(found, dtype=np.int64)


# xxh3-64 (seed 0) of 1 to 240 bytes, after the reference's XXH3_len_1to3/4to8/9to16/17to128/
# 129to240_64b: the first 136 bytes of its default secret (the lengths up to 16 read the constants
# below, xor-ed as it does; the longer ones read the secret itself).
_SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c"
    "3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8"
    "a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364"
    "eac5ac8334d3ebc3"
)
_SECRET_BYTES = np.frombuffer(_SECRET, dtype=np.uint8)


def _word(offset: int, size: int) -> int:
    return int.from_bytes(_SECRET[offset : offset + size], "little")


_FLIP_1TO3 = np.uint64(_word(0, 4) ^ _word(4, 4))
_FLIP_4TO8 = np.uint64(_word(8, 8) ^ _word(16, 8))
_FLIP_9TO16_LO = np.uint64(_word(24, 8) ^ _word(32, 8))
_FLIP_9TO16_HI = np.uint64(_word(40, 8) ^ _word(48, 8))
_PRIME64_1 = np.uint64(0x9E3779B185EBCA87)
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


@njit(cache=True, nogil=True, inline="always")
def _avalanche(h: np.uint64) -> np.uint64:
    h ^= h >> _U[37]
    h *= _PRIME_MX1
    return h ^ (h >> _U[32])


@njit(cache=True, nogil=True, inline="always")
def _mix16(buf: np.ndarray, at: int, secret_at: int) -> np.uint64:
    return _mul128_fold64(_read_le(buf, at, 8) ^ _read_le(_SECRET_BYTES, secret_at, 8),
                          _read_le(buf, at + 8, 8) ^ _read_le(_SECRET_BYTES, secret_at + 8, 8))


@njit(cache=True, nogil=True)
def xxh3(buf: np.ndarray, at: int, n: int) -> np.uint64:
    """xxh3_64 of buf[at:at + n] for 1 <= n <= LONGEST_TOKEN, bit for bit what `xxhash.xxh3_64`
    gives (the reference's 17-128 and 129-240 byte paths after `xxh3_short`)."""
    if n <= 16:
        return xxh3_short(buf, at, n)
    acc = np.uint64(n) * _PRIME64_1
    if n <= 128:
        if n > 32:
            if n > 64:
                if n > 96:
                    acc += _mix16(buf, at + 48, 96) + _mix16(buf, at + n - 64, 112)
                acc += _mix16(buf, at + 32, 64) + _mix16(buf, at + n - 48, 80)
            acc += _mix16(buf, at + 16, 32) + _mix16(buf, at + n - 32, 48)
        acc += _mix16(buf, at, 0) + _mix16(buf, at + n - 16, 16)
        return _avalanche(acc)
    for i in range(8):
        acc += _mix16(buf, at + 16 * i, 16 * i)
    acc = _avalanche(acc)
    for i in range(8, n // 16):
        acc += _mix16(buf, at + 16 * i, 16 * (i - 8) + 3)
    return _avalanche(acc + _mix16(buf, at + n - 16, 119))


LONGEST_TOKEN = 240  # bytes of UTF-8 that `xxh3` hashes; longer tokens are left to the caller
_SEPARATOR, _FALLBACK, _APOSTROPHE = -2, -1, -3  # the classes of `fold` that are no code point


@njit(cache=True, nogil=True)
def token_hashes(text: np.ndarray, fold: np.ndarray, docs: int):
    """The xxh3 hash of every word token of a batch of texts, and how many tokens each text has.

    `text` is the texts' NFKC UTF-8, joined by the chunk b" \xff " and translated so that every
    ASCII byte that cannot be part of a token except an apostrophe is a space (`neardup`).
    `fold[c]` is the case-folded code point of BMP character c when that is a word character,
    or `_SEPARATOR`, `_APOSTROPHE` (dropped between two word characters, else a separator), or
    `_FALLBACK` (folds to several characters, or is both a word character and an apostrophe).
    A chunk (a run between spaces) of plain word bytes is one token, hashed where it lies; any
    other chunk is decoded, folded and cut here, unless it holds a fallback character, a
    character beyond the BMP or a token longer than LONGEST_TOKEN: such a chunk is left to the
    caller, which gets its place in `text` and the index in `tokens` its tokens belong at.
    Returns tokens, counts per text, and the (start, size, token index, text) of each left chunk.
    """
    n = len(text)
    cap = n // 2 + 2
    tokens = np.empty(cap, dtype=np.uint64)
    counts = np.zeros(docs, dtype=np.int64)
    left = np.empty((cap, 4), dtype=np.int64)
    folded = np.empty(n, dtype=np.int32)  # the code points of the chunk being cut
    scratch = np.empty(LONGEST_TOKEN + 3, dtype=np.uint8)  # the UTF-8 of the token being built
    t = f = doc = i = 0
    while i < n:
        if text[i] == 0x20:
            i += 1
            continue
        j, plain = i, True
        while j < n and text[j] != 0x20:
            if text[j] >= 0x80 or fold[text[j]] < 0:
                plain = False
            j += 1
        if plain and j - i <= LONGEST_TOKEN:
            tokens[t] = xxh3(text, i, j - i)
            t += 1
            counts[doc] += 1
        elif j - i == 1 and text[i] == 0xFF:
            doc += 1
        else:
            emitted = _cut_chunk(text, i, j, fold, folded, scratch, tokens, t)
            if emitted < 0:
                left[f, 0], left[f, 1], left[f, 2], left[f, 3] = i, j - i, t, doc
                f += 1
            else:
                t += emitted
                counts[doc] += emitted
        i = j
    return tokens[:t], counts, left[:f]


@njit(cache=True, nogil=True)
def _cut_chunk(text, i, j, fold, folded, scratch, tokens, t) -> int:
    """The tokens of text[i:j] written to tokens[t:]: how many, or -1 to leave the chunk to Python."""
    k, p = 0, i
    while p < j:
        b = np.int64(text[p])
        if b < 0x80:
            cp, p = b, p + 1
        elif b < 0xC0 or b >= 0xF0:  # a continuation byte, or a character beyond the BMP
            return -1
        elif b < 0xE0:
            cp, p = ((b & 0x1F) << 6) | (np.int64(text[p + 1]) & 0x3F), p + 2
        else:
            cp = ((b & 0x0F) << 12) | ((np.int64(text[p + 1]) & 0x3F) << 6) | (np.int64(text[p + 2]) & 0x3F)
            p += 3
        c = fold[cp]
        if c == _FALLBACK:
            return -1
        folded[k] = c
        k += 1
    emitted = size = 0
    for q in range(k + 1):
        c = folded[q] if q < k else _SEPARATOR
        if c >= 0:
            if c < 0x80:
                scratch[size] = c
                size += 1
            elif c < 0x800:
                scratch[size], scratch[size + 1] = 0xC0 | (c >> 6), 0x80 | (c & 0x3F)
                size += 2
            else:
                scratch[size], scratch[size + 1], scratch[size + 2] = 0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F)
                size += 3
            if size > LONGEST_TOKEN:
                return -1
        elif c == _APOSTROPHE and 0 < q < k - 1 and folded[q - 1] >= 0 and folded[q + 1] >= 0:
            continue
        elif size:
            tokens[t + emitted] = xxh3(scratch, 0, size)
            emitted += 1
            size = 0
    return emitted
