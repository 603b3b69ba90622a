import random

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from dedupe.canonical import DocKey
from dedupe.neardup import (
    NearDupOptions,
    NearDuplicateIndex,
    Similarity,
    fingerprint,
    is_duplicate,
    lean_minhash,
    lsh_params,
    near_duplicates,
    shingle_hash,
    similarity,
)
from dedupe.shingles import words


STORY = (
    "The city council voted on Tuesday to approve a new budget that expands bus service to the northern "
    "suburbs and freezes property taxes for a second year. Council member Ana Ruiz said the plan balances "
    "growth with restraint. Opponents argued that the transit expansion relies on federal grants that "
    "have not yet been awarded, and warned of cuts if the money does not arrive. The mayor is expected "
    "to sign the budget on Friday. Officials said the first new routes would open in the spring, with "
    "buses every fifteen minutes at peak hours. The budget also funds two new libraries, repairs to "
    "three bridges and a pilot program that pays residents to plant trees on their streets."
)
OTHER = (
    "A late frost damaged much of the region's apple crop this week, growers said, with some orchards "
    "reporting losses of more than half of their blossoms. The state agriculture department is "
    "surveying farms and may request disaster aid. Prices at farm stands are likely to rise in the fall, "
    "according to the growers' association, which urged buyers to support local producers."
)


def decide(texts, options=NearDupOptions()):
    keys = [DocKey(f"d{i}", len(t)) for i, t in enumerate(texts)]
    return [keys[d.canonical].id for d in near_duplicates(keys, texts, options)]


def test_signature_equals_datasketch_minhash_for_the_same_shingles():
    options = NearDupOptions(num_perm=64)
    fp = fingerprint(STORY, options, keep_signature=True)
    tokens = words(STORY)
    shingles = [tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4)]
    reference = MinHash(num_perm=64, seed=1, scheme="affine64", hashfunc=shingle_hash)
    reference.update_batch(shingles)
    assert np.array_equal(fp.signature, reference.hashvalues)


def test_signatures_load_as_leanminhash_into_minhashlsh_and_estimate_jaccard():
    options = NearDupOptions()
    a = fingerprint(STORY, options, keep_signature=True)
    edited = STORY.replace("Tuesday", "Wednesday").replace("spring", "summer")
    b = fingerprint(edited, options, keep_signature=True)
    lean_a, lean_b = lean_minhash(a.signature, options), lean_minhash(b.signature, options)
    assert isinstance(lean_a, LeanMinHash)
    exact = len(np.intersect1d(a.shingles, b.shingles)) / len(np.union1d(a.shingles, b.shingles))
    # standard error of a 128-permutation estimate is sqrt(J(1-J)/128) < 0.045
    assert abs(lean_a.jaccard(lean_b) - exact) < 0.15
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert("a", lean_a)
    assert lsh.query(lean_b) == ["a"]


def test_band_parameters_come_from_datasketch():
    b, r = lsh_params(0.5, 128)
    assert b * r <= 128 and b >= 2
    assert NearDupOptions().bands == (b, r)


def test_exact_copies_with_other_case_quotes_and_spacing_are_merged():
    copy = STORY.upper().replace("'", "\u2019").replace(". ", ".   ")
    # the copy with the extra spaces is the longer text, so the policy keeps it
    assert decide([STORY, copy, OTHER]) == ["d1", "d1", "d2"]


def test_a_truncated_copy_joins_the_full_article_but_a_digest_does_not():
    truncated = STORY[: STORY.index("Opponents")]
    digest = "Morning briefing. Here is what you need to know today. " + OTHER + " In other news: " + truncated
    result = decide([STORY, truncated, digest])
    assert result[1] == "d0"  # the truncated copy opens like the full article
    assert result[2] == "d2"  # the digest contains it but does not open with it
    rule = is_duplicate(Similarity(jaccard=0.3, containment=1.0, prefix=0.0), NearDupOptions())
    assert rule is None


def test_no_chaining_a_b_c():
    # A~B (J 0.52) and B~C (J 0.52), but A and C share little (J 0.23). A is the canonical
    # (same length, smallest id); C matches only B, which is not a centre, so C stays apart
    # instead of being chained into A's cluster through B.
    vocab = [f"w{i:03d}" for i in range(160)]  # equal lengths: the id decides
    a, b, c = (" ".join(vocab[s : s + 100]) for s in (0, 30, 60))
    keys = [DocKey("a", len(a)), DocKey("b", len(b)), DocKey("c", len(c))]
    result = near_duplicates(keys, [a, b, c], NearDupOptions(jaccard=0.5))
    canonical = {k.id: keys[d.canonical].id for k, d in zip(keys, result)}
    assert canonical == {"a": "a", "b": "a", "c": "c"}
    assert result[1].rule == "jaccard" and result[1].jaccard == pytest.approx(66 / 126, abs=1e-9)


def test_short_documents_still_get_a_signature():
    fp = fingerprint("Breaking news", NearDupOptions())
    assert len(fp.shingles) == 1
    assert decide(["Breaking news", "breaking NEWS!", "Other words"]) == ["d1", "d1", "d2"]


def test_the_same_clusters_for_any_input_order():
    texts = [STORY, STORY[:300], STORY.replace("Friday", "Monday"), OTHER, OTHER + " Update: aid was approved."]
    keys = [DocKey(f"d{i}", len(t)) for i, t in enumerate(texts)]
    def clusters(order):
        ks = [keys[i] for i in order]
        ts = [texts[i] for i in order]
        out = near_duplicates(ks, ts)
        return {k.id: ks[d.canonical].id for k, d in zip(ks, out)}
    base = clusters(list(range(len(texts))))
    rng = random.Random(7)
    for _ in range(5):
        order = list(range(len(texts)))
        rng.shuffle(order)
        assert clusters(order) == base


def test_similarity_counts_shared_hashes_exactly():
    rng = np.random.default_rng(3)
    pool = rng.integers(0, 2**64 - 1, 3000, dtype=np.uint64)
    for _ in range(50):
        a = np.unique(rng.choice(pool, rng.integers(1, 900)))
        b = np.unique(rng.choice(pool, rng.integers(1, 900)))
        lead_a, lead_b = a[:48][::-1], b[:48]
        shared = len(set(a.tolist()) & set(b.tolist()))
        sim = similarity(a, b, lead_a, lead_b)
        small, large_lead = (a, lead_b) if len(a) <= len(b) else (b, lead_a)
        assert sim.jaccard == shared / (len(a) + len(b) - shared)
        assert sim.containment == shared / len(small)
        assert sim.prefix == sum(h in set(small.tolist()) for h in large_lead.tolist()) / len(large_lead)


def test_worker_processes_decide_exactly_as_one_process():
    rng = random.Random(11)
    vocab = (STORY + " " + OTHER).split()
    stories = [" ".join(rng.choice(vocab) for _ in range(rng.randint(60, 200))) for _ in range(30)]
    texts = []
    for s in stories:
        texts.append(s)
        texts.append(s[: len(s) * 2 // 3])  # truncated copy
        texts.append(s.replace(" the ", " a ", 3) + " Updated on Monday.")  # light edit
    texts.append("Digest. " + stories[0][:200] + " " + stories[1][:200])
    fingerprints = [fingerprint(t) for t in texts]

    def decisions(workers):
        index = NearDuplicateIndex()
        try:
            for i, (t, fp) in enumerate(zip(texts, fingerprints)):
                index.add(DocKey(f"d{i:03d}", len(t)), fp)
            return index.decide(workers=workers), dict(index.stats)
        finally:
            index.close()

    one, stats = decisions(1)
    assert decisions(2)[0] == one
    assert sum(d.rule != "kept" for d in one) >= 40 and stats["verified_pairs"] > 0
    assert {d.rule for d in one} >= {"kept", "jaccard", "containment"}


def test_options_are_validated_when_built():
    with pytest.raises(ValueError, match="ngram"):
        NearDupOptions(ngram=0)
    with pytest.raises(ValueError, match="lsh_threshold"):
        NearDupOptions(lsh_threshold=0)


def test_sketch_ceilings_bound_the_binomial_tail():
    from scipy.stats import binom

    from dedupe.neardup import _SKETCH_RISK, _sketch_ceilings

    ceilings = _sketch_ceilings(128)
    for x, ceiling in enumerate(ceilings.tolist()):
        if ceiling < 1.0:  # above the ceiling, x or fewer agreements are rarer than the risk
            assert binom.cdf(x, 128, ceiling) <= _SKETCH_RISK
        assert binom.cdf(x, 128, max(0.0, ceiling - 2 / 4096)) >= _SKETCH_RISK  # and not much below it
    assert np.all(np.diff(ceilings) >= 0) and ceilings[0] > 0.1 and ceilings[-1] == 1.0


def test_sketch_filter_keeps_every_pair_a_rule_accepts():
    """Every pair of the labelled dev corpus and of truncated, edited and chromed copies: the
    pairs the rules accept are all verified; unrelated articles mostly are not."""
    import json

    from dedupe import compiled
    from dedupe.neardup import _sketch_ceilings, duplicate_rules

    from conftest import shared_path

    texts = [json.loads(line)["text"] for line in
             shared_path("eval", "neardup-dev", "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    for text in texts[:40]:
        cut = text.split()
        for share in (0.15, 0.3, 0.5, 0.8):  # truncated copies: containment with a low Jaccard
            texts.append(" ".join(cut[: max(5, int(share * len(cut)))]))
        texts.append("Home News Sport\n\n" + text + "\n\nRead more: other stories")
    options = NearDupOptions()
    fps = [fingerprint(t, options) for t in texts if words(t)]
    sizes = np.array([len(fp.shingles) for fp in fps])
    sketches = np.stack([fp.sketch for fp in fps])
    pairs = np.array([(a, b) for a in range(len(fps)) for b in range(a)], dtype=np.int64)
    likely = compiled.likely_pairs(sketches, sizes, pairs, _sketch_ceilings(options.num_perm),
                                   options.jaccard, options.containment)
    sims = [similarity(fps[a].shingles, fps[b].shingles, fps[a].lead, fps[b].lead) for a, b in pairs.tolist()]
    rules = duplicate_rules(np.array([s.jaccard for s in sims]), np.array([s.containment for s in sims]),
                            np.array([s.prefix for s in sims]), options)
    assert (rules > 0).sum() > 200
    assert likely[rules > 0].all()
    # most pairs need no reading (not those of a short copy with a long text: a containment
    # rule would need too little Jaccard for the sketches to rule it out)
    assert (~likely).mean() > 0.5


def test_roundup_checks_asked_lazily_give_the_clustering_of_checking_every_absorbing_document():
    """Random accepted-pair graphs with random roundup answers: asking only the centres gives
    the same joins as answering every document that absorbs one by containment, with fewer checks."""
    from dedupe.neardup import _CONTAINMENT, _JACCARD, _Edges, _cluster, _cluster_checking_roundups

    rng = np.random.default_rng(11)
    fewer = flipped = 0
    for trial in range(300):
        n = int(rng.integers(2, 40))
        docs = rng.permutation(1000)[:n].tolist()  # document ids in canonical order
        bounds, earlier, rules, jaccard = [0], [], [], []
        for a in range(n):
            partners = sorted(set(rng.integers(0, a, int(rng.integers(0, 4))).tolist())) if a else []
            for b in partners:
                earlier.append(b)
                rules.append(_CONTAINMENT if rng.random() < 0.6 else _JACCARD)
                jaccard.append(float(rng.random()))
            bounds.append(len(earlier))
        edges = _Edges(bounds, earlier, rules, jaccard, [1.0] * len(earlier))
        truth = {d: bool(rng.random() < 0.3) for d in docs}
        absorbing = sorted({docs[b] for b, rule in zip(earlier, rules) if rule == _CONTAINMENT})
        eager, unchecked = _cluster(docs, edges, {d: truth[d] for d in absorbing})
        assert unchecked == []
        asked: list[int] = []

        def check(documents):
            assert not set(documents) & set(asked)  # never asked twice
            asked.extend(documents)
            return [truth[d] for d in documents]

        lazy, answers = _cluster_checking_roundups(docs, edges, check)
        assert lazy == eager
        assert set(answers) == set(asked) <= set(absorbing)
        fewer += len(asked) < len(absorbing)
        flipped += any(truth[d] for d in asked)
    assert fewer > 50 and flipped > 50  # both the shortcut and the second round are exercised
