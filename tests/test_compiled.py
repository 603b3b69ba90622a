"""The compiled loops against the numpy definitions they replace, on inputs shaped like real ones."""

import numpy as np

from dedupe import compiled
from dedupe.neardup import (
    NearDupOptions,
    _ShingleStore,
    duplicate_rules,
    fingerprint,
    permutations,
    similarity,
)

from conftest import SAMPLES

RNG = np.random.default_rng(7)


def test_minhash_segments_equal_the_minimum_of_the_permuted_rows():
    a, b = permutations(128, 1)
    # segment lengths around the 8-shingle sweep: shorter, equal, longer, one
    lengths = [1, 7, 8, 9, 16, 17, 900, 3]
    values = RNG.integers(0, 2**64, sum(lengths), dtype=np.uint64)
    starts = np.cumsum(lengths) - lengths
    got = compiled.minhash_segments(values, starts, a, b)
    with np.errstate(over="ignore"):
        for d, (start, length) in enumerate(zip(starts, lengths)):
            expected = (values[start : start + length, None] * a[None, :] + b[None, :]).min(axis=0)
            assert np.array_equal(got[d], expected)


def _texts():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    assert len(texts) >= 3
    return texts


def _variants(text: str) -> list[str]:
    words = text.split()
    half = len(words) // 2
    return [
        text,
        " ".join(words[:half]),  # truncated
        " ".join(words[: half // 2] + ["edited"] + words[half // 2 :]),  # lightly edited
        "Breaking news from the wire. " + text,  # a line of chrome before it
        " ".join(words[half:]),  # the second half only: contained, but not its opening
    ]


def test_pair_similarities_agree_with_similarity_wherever_a_rule_accepts():
    options = NearDupOptions()
    docs = [v for text in _texts() for v in _variants(text)]
    fps = [fingerprint(t, options) for t in docs]
    sets = np.concatenate([fp.shingles for fp in fps])
    bounds = np.r_[0, np.cumsum([len(fp.shingles) for fp in fps])].astype(np.int64)
    width = options.prefix_shingles
    leads = np.zeros((len(fps), width), dtype=np.uint64)
    for d, fp in enumerate(fps):
        leads[d, : len(fp.lead)] = fp.lead
    lengths = np.array([len(fp.lead) for fp in fps], dtype=np.int64)
    first, second = (x.ravel() for x in np.meshgrid(np.arange(len(fps)), np.arange(len(fps))))
    jaccard, containment, prefix = compiled.pair_similarities(
        sets, bounds, leads, lengths, first, second, options.containment, options.jaccard)
    got_rules = duplicate_rules(jaccard, containment, prefix, options)
    accepted = 0
    for p, (i, j) in enumerate(zip(first.tolist(), second.tolist())):
        sim = similarity(fps[i].shingles, fps[j].shingles, fps[i].lead, fps[j].lead, options)
        rule = duplicate_rules(np.array([sim.jaccard]), np.array([sim.containment]), np.array([sim.prefix]), options)[0]
        assert got_rules[p] == rule, (i, j)
        if rule:
            accepted += 1
            assert (jaccard[p], containment[p], prefix[p]) == (sim.jaccard, sim.containment, sim.prefix)
    assert accepted > len(docs)  # itself, and the copies of its own article
    assert np.count_nonzero(got_rules == 0) > len(docs)  # the other articles, the second halves


def test_bounded_intersection_is_exact_when_it_does_not_give_up():
    x = np.unique(RNG.integers(0, 10**6, 900, dtype=np.uint64))
    y = np.unique(np.r_[x[:800], RNG.integers(0, 10**6, 100, dtype=np.uint64)])
    exact = len(np.intersect1d(x, y))
    assert compiled.intersection_size(x, y) == exact
    assert compiled._bounded_intersection(x, y, 0.85, 0.7) == exact
    unrelated = np.unique(RNG.integers(10**7, 10**8, 900, dtype=np.uint64))
    assert compiled._bounded_intersection(x, unrelated, 0.85, 0.7) == -1


def test_shingle_runs_equal_combine_per_text():
    from dedupe.neardup import _P, combine

    counts = np.array([0, 1, 4, 5, 6, 40, 0, 3], dtype=np.int64)
    tokens = RNG.integers(0, 2**64, int(counts.sum()), dtype=np.uint64)
    for n in (1, 3, 5):
        shingles, shingle_counts = compiled.shingle_runs(tokens, counts, n, _P)
        expected, start = [], 0
        for c in counts.tolist():
            expected.append(combine(tokens[start : start + c], n) if c else np.zeros(0, dtype=np.uint64))
            start += c
        assert shingle_counts.tolist() == [len(e) for e in expected]
        assert np.array_equal(shingles, np.concatenate(expected))


def test_sorted_unique_equals_np_unique():
    from dedupe.neardup import _sorted_unique

    for values in (np.zeros(0, dtype=np.int64), np.array([3]), RNG.integers(0, 50, 1000), RNG.integers(-2**62, 2**62, 5000)):
        assert np.array_equal(_sorted_unique(values), np.unique(values))


def test_union_sorted_equals_union1d():
    for sizes in ((0, 0), (0, 5), (5, 0), (1000, 300), (300, 1000)):
        a, b = (np.unique(RNG.integers(0, 2000, n, dtype=np.int64)) for n in sizes)
        assert np.array_equal(compiled.union_sorted(a, b), np.union1d(a, b))


def test_bit_filter_sets_one_bit_per_value():
    spread = np.sort(RNG.integers(0, 2**64, 1000, dtype=np.uint64))
    bits = compiled.bit_filter(spread, 16)
    assert np.count_nonzero(np.unpackbits(bits)) > 900  # one bit per value, few collisions
    positions = (spread >> np.uint64(48)).astype(np.int64)
    assert np.unpackbits(bits, bitorder="little")[positions].all()


def test_lead_openers_are_the_best_ranked_documents_with_half_their_lead_in_the_text():
    rng = np.random.default_rng(5)
    pool = rng.integers(0, 2**64, 300, dtype=np.uint64)
    docs, width = 6000, 48  # ranks in windows of 1024, 2048 and 4096
    lengths = rng.integers(0, width + 1, docs)
    leads = np.zeros((docs, width), dtype=np.uint64)
    for d in range(docs):
        leads[d, : lengths[d]] = rng.choice(pool, lengths[d])  # shared hashes, repeats inside a lead
    order = rng.permutation(docs).astype(np.int64)
    rank = np.empty(docs, dtype=np.int64)
    rank[order] = np.arange(docs)
    hashes = np.concatenate([leads[d, : lengths[d]] for d in range(docs)])
    ranks = np.repeat(rank, lengths).astype(np.int32)
    by = np.lexsort((ranks, hashes))  # by hash, then by rank
    buckets = []
    for log2 in (1, 4, 8):  # a few buckets of thousands (a stable sort each), or many small ones
        anchors, anchor_ranks, starts = compiled.lead_anchors(leads, lengths, order, log2)
        assert np.array_equal(anchors, hashes[by]) and np.array_equal(anchor_ranks, ranks[by])
        top = anchors >> np.uint64(64 - log2)
        assert np.array_equal(starts, np.searchsorted(top, np.arange((1 << log2) + 1, dtype=np.uint64)))
        buckets.append(starts)
    # mostly distinct hashes, ~17 a bucket (sorted in place), some shared by a few leads
    spread = rng.integers(0, 2**64, (docs, width), dtype=np.uint64)
    spread[rng.integers(0, docs, 2000), rng.integers(0, width, 2000)] = spread[rng.integers(0, docs, 2000), 0]
    flat = np.concatenate([spread[d, : lengths[d]] for d in range(docs)])
    got_hashes, got_ranks, _ = compiled.lead_anchors(spread, lengths, order, 14)
    by_spread = np.lexsort((ranks, flat))
    assert np.array_equal(got_hashes, flat[by_spread]) and np.array_equal(got_ranks, ranks[by_spread])
    bits = compiled.bit_filter(anchors, 10)
    marks = np.zeros(docs, dtype=np.uint8)
    in_lead = np.arange(width)[None, :] < lengths[:, None]
    stopped_early = 0
    for trial in range(200):
        shingles = np.unique(rng.choice(pool, int(rng.integers(1, 250))))
        r, limit = int(rng.integers(-1, docs)), int(rng.integers(1, 60))
        hits = (np.isin(leads, shingles) & in_lead).sum(axis=1)
        opens = (lengths > 0) & (hits >= np.maximum(1, lengths // 2))
        every = [int(o) for o in order[r + 1 :] if opens[o]]
        stopped_early += len(every) > limit and rank[every[limit - 1]] - r < docs // 2
        log2 = (1, 4, 8)[trial % 3]
        got = compiled.lead_openers(anchors, anchor_ranks, bits, 10, buckets[trial % 3], log2, shingles, r, order,
                                    lengths, marks, limit)
        assert got.tolist() == every[:limit]
        assert not marks.any()  # left as it was given
    assert stopped_early > 20


def test_token_hashes_hash_words_like_xxhash_and_leave_what_the_table_cannot_decide():
    import xxhash

    from dedupe.shingles import _CHUNK_TABLE, _FOLD

    texts = ["Plain words, don't stop", "café ÉTÉ “quoted” l’été", "straße 😀x y", ""]
    joined = b" \xff ".join(t.encode("utf-8") for t in texts).translate(_CHUNK_TABLE)
    tokens, counts, left = compiled.token_hashes(np.frombuffer(joined, dtype=np.uint8), _FOLD, len(texts))
    expected = ["plain words dont stop", "café été quoted lété", "y", ""]
    assert counts.tolist() == [len(e.split()) for e in expected]
    assert tokens.tolist() == [xxhash.xxh3_64_intdigest(w.encode()) for e in expected for w in e.split()]
    # "straße" (ß folds to "ss") and "😀x" (beyond the BMP) are left, with where their tokens go
    assert [(joined[s : s + n], at, doc) for s, n, at, doc in left.tolist()] == [
        ("straße".encode(), 8, 2), ("😀x".encode(), 8, 2)]


def test_read_many_reads_the_sets_the_store_holds(tmp_path):
    store = _ShingleStore(str(tmp_path))
    try:
        sets = [np.sort(RNG.integers(0, 2**63, n, dtype=np.uint64)) for n in (5, 0, 900, 1)]
        for s in sets:
            store.append(s)
        store.flush()
        flat, bounds = store.read_many([2, 0, 1, 3, 2])
        for k, d in enumerate([2, 0, 1, 3, 2]):
            assert np.array_equal(flat[bounds[k] : bounds[k + 1]], sets[d])
            assert np.array_equal(store[d], sets[d])
    finally:
        store.close()


def test_any_pair_below_half_contained_matches_the_pairwise_definition():
    rng = np.random.default_rng(3)
    story = np.unique(rng.integers(0, 10**6, 400, dtype=np.uint64))
    for trial in range(300):
        sets = []
        for _ in range(rng.integers(2, 7)):
            kind = rng.integers(0, 3)
            if kind == 0:  # a version of the story: most of it, some words changed
                keep = story[rng.random(len(story)) < rng.uniform(0.4, 1.0)]
                sets.append(np.unique(np.r_[keep, rng.integers(0, 10**6, 20, dtype=np.uint64)]))
            elif kind == 1:  # another story
                sets.append(np.unique(rng.integers(0, 10**6, int(rng.integers(1, 300)), dtype=np.uint64)))
            else:
                sets.append(np.zeros(0, dtype=np.uint64) if trial % 50 == 0 else story.copy())
        text_ids = rng.integers(0, 3, len(sets)).astype(np.int64)
        expected = any(
            text_ids[x] != text_ids[y] and similarity(sets[x], sets[y], sets[x][:0], sets[y][:0]).containment < 0.5
            for x in range(len(sets)) for y in range(x + 1, len(sets))
        )
        bounds = np.r_[0, np.cumsum([len(s) for s in sets])].astype(np.int64)
        flat = np.concatenate(sets)
        assert compiled.any_pair_below_half_contained(flat, bounds, text_ids) == expected


def test_mix_keys_equal_the_learners_python_mix():
    from dedupe.chrome import _mix

    values = np.r_[RNG.integers(0, 2**64, 500, dtype=np.uint64), np.array([0, 1, 2**64 - 1], dtype=np.uint64)]
    for salt in (1, 0x9E3779B97F4A7C15, 2**64 - 1):
        got = compiled.mix_keys(values, np.uint64(salt)).tolist()
        assert got == [_mix(v, salt) for v in values.tolist()]


def _bloom_bits(keys, nbits, probes):
    """The filter's bits by its definition: bit (low + j * (high | 1)) mod nbits of every key."""
    bits = np.zeros(nbits >> 3, dtype=np.uint8)
    for key in keys.tolist():
        low, high = key & 0xFFFFFFFF, (key >> 32) | 1
        for j in range(probes):
            b = (low + j * high) % 2**64 % nbits
            bits[b >> 3] |= 1 << (b & 7)
    return bits


def test_bloom_filter_sets_and_finds_the_probed_bits():
    nbits, probes = 1 << 9, 5  # small enough to fill ~60%: false positives occur
    added = RNG.integers(0, 2**64, 150, dtype=np.uint64)
    bits = np.zeros(nbits >> 3, dtype=np.uint8)
    skip = np.zeros(len(added), dtype=np.bool_)
    skip[::3] = True  # skipped keys are not added
    compiled.bloom_add(added, skip, bits, np.uint64(nbits - 1), probes)
    assert np.array_equal(bits, _bloom_bits(added[~skip], nbits, probes))

    others = RNG.integers(0, 2**64, 3000, dtype=np.uint64)
    seen = np.zeros(len(added) + len(others), dtype=np.bool_)
    compiled.bloom_hits(np.r_[added, others], bits, np.uint64(nbits - 1), probes, seen)
    assert seen[: len(added)][~skip].all()  # every added key is found
    reference = _bloom_bits(added[~skip], nbits, probes)
    for key, hit in zip(others.tolist(), seen[len(added) :].tolist()):
        low, high = key & 0xFFFFFFFF, (key >> 32) | 1
        probed = [(low + j * high) % 2**64 % nbits for j in range(probes)]
        assert hit == all(reference[b >> 3] >> (b & 7) & 1 for b in probed)
    assert 0 < seen[len(added) :].sum() < 0.2 * len(others)  # false positives, as many as the bits make


def test_seen_filter_answers_in_order_and_grows():
    from dedupe.chrome import _SeenFilter

    seen_filter = _SeenFilter(initial_keys=64)
    keys = RNG.integers(0, 2**64, 2000, dtype=np.uint64)
    false_positives = 0
    for lo in range(0, len(keys), 50):
        false_positives += int(seen_filter.test_and_add(keys[lo : lo + 50]).sum())  # new keys
        assert seen_filter.test_and_add(keys[lo : lo + 50]).all()
    assert false_positives < 0.01 * len(keys)  # 16 bits a key: ~0.1% a filter
    assert len(seen_filter.filters) > 3
    assert seen_filter.test_and_add(keys).all()
