"""The batch fingerprint path (`fingerprint_many`) against the reference `fingerprint` and datasketch."""

import json
import math
import random
import unicodedata

import numpy as np
import pytest
from datasketch import MinHash

import dedupe.neardup as neardup
import dedupe.shingles as shingles
from dedupe.neardup import NearDupOptions, fingerprint, fingerprint_many, shingle_hash
from dedupe.shingles import reference_words, words

from conftest import SAMPLES, SHARED

EDGE_CASES = [
    "",
    "   \n\t ",
    "—  –  …  “ ”",
    "word",
    "Two words",
    "four words, no more",
    "exactly five words here now",
    "Don't don’t donʼt don`t don´t -- 'quoted' ‘single’ rock 'n' roll o''clock a'b'c ʼlead trailʼ",
    "ŉ İstanbul ǅemal ß Straße ΣΑΣ ΌΣΟΣ ﬁne ＦＵＬＬ ｗｉｄｔｈ ½ ™ x²",
    "e\u0301 cafe\u0301 <\u0338 =\u0338 a\u0308\u0301 \u1100\u1161\u11a8",
    "日本語のテキストです。中文文本。한국어 텍스트 입니다",
    "Текст на русском языке, с запятыми и точками. Ещё одно предложение здесь.",
    "نص عربي قصير ﺎ ﻮ ﻣ ﺒ ﺃ مع أرقام ١٢٣",
    "state—and federal—officials said…and then\xa0nothing\xa0more…",
    "URL https://example.com/a_b/c-d?e=f&g=h#i and email someone@example.org",
    "snake_case __dunder__ _x_ 123_456 3.14 1,000,000",
    "lone surrogate \ud800 in text and \udfff too",
    "a\u00adb soft hyphen and zero\u200bwidth space and tab\tand\r\nnewlines",
    "ÀÉÎÕÜ àéîõü Ñ ñ Ç ç Ø ø Å å Æ æ",
    "x " * 3000,
]


def _shared_texts():
    texts = []
    corpus = SHARED / "eval" / "neardup-dev" / "corpus.jsonl"
    if corpus.exists():
        texts += [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    dev = SHARED / "eval" / "cleaning-dev" / "dev.jsonl"
    if dev.exists():
        for line in dev.open(encoding="utf-8"):
            record = json.loads(line)
            texts += [record["gold"], record["text_with_inline_chrome"]]
    return texts


def _texts():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    return texts + _shared_texts() + EDGE_CASES


def _same(a, b):
    assert a.exact_key == b.exact_key
    for name in ("shingles", "lead", "bands", "lead_bands", "signature"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            assert x is None and y is None, name
        else:
            assert x.dtype == y.dtype == np.uint64, name
            assert np.array_equal(x, y), name


@pytest.mark.parametrize("batch", [1, 7, 64])
def test_batches_equal_the_reference_one_text_at_a_time(batch):
    texts = _texts()
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        for text, fast in zip(chunk, fingerprint_many(chunk, keep_signature=True)):
            _same(fast, fingerprint(text, keep_signature=True))


def test_other_options_and_a_fresh_memo(monkeypatch):
    monkeypatch.setattr(shingles, "_VOCAB_LIMIT", 50)  # the memo starts over almost every batch
    texts = _texts()
    for options in (NearDupOptions(ngram=3, num_perm=64, seed=7), NearDupOptions(ngram=1, lead_shingles=5)):
        for start in range(0, len(texts), 16):
            chunk = texts[start : start + 16]
            for text, fast in zip(chunk, fingerprint_many(chunk, options, keep_signature=True)):
                _same(fast, fingerprint(text, options, keep_signature=True))


def test_empty_batch_and_empty_texts():
    assert fingerprint_many([]) == []
    fps = fingerprint_many(["", "", ""])
    assert all(len(fp.shingles) == 0 and len(fp.bands) == 0 for fp in fps)
    assert fps[0].exact_key == fingerprint("").exact_key


def test_short_text_is_one_shingle_of_all_its_words():
    fp = fingerprint_many(["Breaking news", "a b c d e f"])
    assert len(fp[0].shingles) == 1
    assert fp[0].shingles[0] == shingle_hash(("breaking", "news"))
    assert len(fp[1].shingles) == 2


def test_signature_equals_datasketch_update_batch_on_the_same_shingles():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))] + EDGE_CASES[3:12]
    for text, fp in zip(texts, fingerprint_many(texts, keep_signature=True)):
        tokens = words(text)
        if not tokens:
            continue
        n = 5 if len(tokens) >= 5 else len(tokens)
        shingles = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        reference = MinHash(num_perm=128, seed=1, scheme="affine64", hashfunc=shingle_hash)
        reference.update_batch(shingles)
        assert np.array_equal(fp.signature, reference.hashvalues)
        assert np.array_equal(fp.shingles, np.unique(np.array([shingle_hash(s) for s in shingles], dtype=np.uint64)))


def _variant(text, rng):
    tokens = text.split()
    kind = rng.choice(["edit", "cut", "append", "mix"])
    if kind == "edit":
        for _ in range(rng.randint(1, max(1, len(tokens) // 8))):
            tokens[rng.randrange(len(tokens))] = f"edit{rng.randrange(10**6)}"
    elif kind == "cut":
        tokens = tokens[: rng.randint(len(tokens) // 3, len(tokens))]
    elif kind == "append":
        tokens = tokens + [f"more{rng.randrange(10**6)}" for _ in range(rng.randint(1, len(tokens)))]
    else:
        half = len(tokens) // 2
        tokens = tokens[:half] + [f"new{i}" for i in range(rng.randint(1, half + 1))]
    return " ".join(tokens)


def test_estimated_jaccard_is_within_the_expected_error_of_the_exact_jaccard():
    rng = random.Random(3)
    sources = [t for t in _texts() if len(t.split()) >= 60]
    assert len(sources) >= 5
    num_perm = NearDupOptions().num_perm
    pairs = 0
    errors = []
    for _ in range(300):
        a = rng.choice(sources)
        b = _variant(a, rng) if rng.random() < 0.9 else rng.choice(sources)
        fa, fb = fingerprint_many([a, b], keep_signature=True)
        inter = len(np.intersect1d(fa.shingles, fb.shingles, assume_unique=True))
        exact = inter / (len(fa.shingles) + len(fb.shingles) - inter)
        estimate = float(np.mean(fa.signature == fb.signature))
        bound = 4 * math.sqrt(exact * (1 - exact) / num_perm) + 1.5 / num_perm
        assert abs(estimate - exact) <= bound, (exact, estimate)
        errors.append(estimate - exact)
        pairs += 1
    assert pairs == 300
    assert abs(float(np.mean(errors))) < 0.01  # unbiased


def test_the_batch_path_derives_datasketchs_parameters_without_importing_it():
    from datasketch import MinHashLSH

    for num_perm, seed in ((128, 1), (64, 7), (256, 42)):
        theirs_all = MinHash(num_perm=num_perm, seed=seed, scheme="affine64").permutations
        for mine, theirs in zip(neardup.permutations(num_perm, seed), theirs_all):
            theirs = np.asarray(theirs, dtype=np.uint64)
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
    checked = 0
    for num_perm in (16, 64, 128, 256):
        for threshold in [0.05 * i for i in range(1, 21)] + [0.33, 0.45, 0.55, 0.66, 0.77, 0.85, 0.9, 0.95]:
            try:
                lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
            except ValueError:  # datasketch refuses b < 2
                continue
            assert neardup.lsh_params(threshold, num_perm) == (lsh.b, lsh.r), (threshold, num_perm)
            checked += 1
    assert checked > 50


def test_compiled_xxh3_equals_xxhash_for_every_length_it_takes():
    import xxhash

    from dedupe import compiled

    rng = random.Random(5)
    chunks = [bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) for _ in range(5000)]
    chunks += [bytes(rng.randrange(256) for _ in range(n)) for n in range(17, compiled.LONGEST_TOKEN + 1) for _ in range(10)]
    chunks += [bytes([b]) * n for b in (0, 0x61, 0xFF) for n in range(1, compiled.LONGEST_TOKEN + 1)]
    buf = np.frombuffer(b"".join(chunks), dtype=np.uint8)
    at = 0
    for chunk in chunks:
        assert int(compiled.xxh3(buf, at, len(chunk))) == xxhash.xxh3_64_intdigest(chunk), chunk
        at += len(chunk)


def test_nfkc_line_by_line_equals_nfkc_of_the_whole_text():
    rng = random.Random(11)
    # combining marks, compatibility forms, Hangul jamo, a composing "<" + U+0338, line feeds
    palette = list("ab e<=>\n\n\n") + [chr(c) for c in (0x301, 0x308, 0x323, 0x338, 0xA8, 0xFB01, 0xFF21, 0x2460,
                                                        0x3000, 0x1100, 0x1161, 0x11A8, 0x1E9B, 0xE9, 0x226E)]
    for _ in range(20000):
        text = "".join(rng.choice(palette) for _ in range(rng.randint(1, 14)))
        assert shingles._nfkc_by_line(text) == unicodedata.normalize("NFKC", text), repr(text)


def _reference_hashes(texts):
    return [[shingles.token_hash(t) for t in reference_words(text)] for text in texts]


def _batch_hashes(texts):
    tokens, counts = shingles.token_hashes(texts)
    bounds = np.r_[0, np.cumsum(counts)]
    return [tokens[bounds[d] : bounds[d + 1]].tolist() for d in range(len(texts))]


def test_token_hashes_equal_the_reference_words_for_every_bmp_character():
    # each character alone, inside a word, between words, next to apostrophes, doubled, upper-cased
    texts = [f"{c} a{c}b {c}x{c} don'{c} {c}'s {c}{c}{c} ({c}) X{c.upper()}Y"
             for c in map(chr, range(0x10000))]
    for start in range(0, len(texts), 2048):
        chunk = texts[start : start + 2048]
        assert _batch_hashes(chunk) == _reference_hashes(chunk), start


def test_token_hashes_equal_the_reference_words_on_random_mixtures():
    rng = random.Random(23)
    palette = (list("aZ9_ '`’ʼ´-.,\n\t") + list("éÉßİıŉΣσςﬁ½²Ωя") + ["😀", "𝐀", "\ud800", "\u0301", "\xa0", "…", "日"]
               + ["x" * 17, "y" * 120, "z" * 239, "w" * 241, "é" * 90, "я" * 130])
    texts = ["".join(rng.choice(palette) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for start in range(0, len(texts), 64):
        chunk = texts[start : start + 64]
        assert _batch_hashes(chunk) == _reference_hashes(chunk), start


def test_paragraph_token_hashes_equal_the_reference_words_of_each_paragraph():
    rng = random.Random(29)
    palette = (list("aZ9 '’-.\n\n\n") + ["\n\n"] * 4 + list("éßİΣﬁ½я") + ["\u0301", "\xa0", "…", "😀", "<\u0338"])
    for _ in range(2000):
        text = "".join(rng.choice(palette) for _ in range(rng.randint(0, 30)))
        tokens, counts = shingles.paragraph_token_hashes(text)
        paragraphs = text.split("\n\n")
        assert len(counts) == len(paragraphs)
        bounds = np.r_[0, np.cumsum(counts)]
        got = [tokens[bounds[p] : bounds[p + 1]].tolist() for p in range(len(paragraphs))]
        assert got == _reference_hashes(paragraphs), repr(text)


def test_batch_from_paragraph_hashes_equals_the_batch_from_texts():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))] + ["one\n\ntwo words", "ÉTÉ café\n\n\n½"]
    direct = neardup.fingerprint_batch(texts, keep_signature=True)
    hashed = neardup.fingerprint_batch(texts, keep_signature=True,
                                       hashed=[shingles.paragraph_token_hashes(t) for t in texts])
    for name in ("exact_keys", "shingle_counts", "shingles", "leads", "bands", "lead_bands", "sketches", "signatures"):
        assert np.array_equal(getattr(direct, name), getattr(hashed, name)), name
