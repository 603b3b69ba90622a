"""Tests for dedupe.chrome: data cases, the seeds against gold, the learner, glued chrome,
linear-time rules and properties (never raises, adds no words, idempotent, prose unchanged)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.chrome import (
    _ANY_LINE_RULE_UP_TO,
    _APPEAL_KEYS,
    _APPEAL_SENTENCE,
    _KEYS,
    _RULES_UP_TO,
    _SENTENCE_RULES,
    RULES,
    BoilerplateLearner,
    LearnedBoilerplate,
    _edge_sentences,
    _has_appeal,
    _may_have_chrome_sentence,
    _sentence_rule,
    _sentences,
    _sketch,
    _unit_hash,
    _units,
    strip_chrome,
)
from dedupe.document import Edit
from dedupe.shingles import _INNER_APOSTROPHE, _PLAIN_PUNCT, reference_words, words

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases" / "chrome.json").read_text(encoding="utf-8"))
SHARED = HERE.parent.parent / "shared"
SEEDS_GOLD = SHARED / "eval" / "seeds-gold" / "seeds.jsonl"


def _case_id(case: dict) -> str:
    return f"{case['label']}:{case['comment'][:60]}"


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason="known failure")) if c.get("known_failure") else c
        for c in CASES
    ],
    ids=[_case_id(c) for c in CASES],
)
def test_case(case: dict) -> None:
    out, edits = strip_chrome(case["input"], structure=case.get("structure", True))
    assert out == case["expected"]
    for e in edits:
        assert isinstance(e, Edit) and e.stage == "chrome" and e.rule
        assert e.start is not None and e.end is not None
        assert case["input"][e.start : e.end] == e.text


def test_cases_cover_both_labels() -> None:
    labels = {c["label"] for c in CASES}
    assert labels == {"chrome", "content"}
    assert sum(c["label"] == "content" for c in CASES) >= 5


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_examples_match(rule) -> None:
    assert rule.examples, f"rule {rule.name} needs examples"
    for ex in rule.examples:
        assert rule.matches(ex, len(reference_words(ex))), f"{rule.name} does not match its example {ex!r}"


# --- the keyword prefilter (Rule.keys / marks / ends) ---------------------------------------


def _prefilter_texts() -> list[str]:
    texts = [ex for r in RULES for ex in r.examples]
    for case in CASES:
        for para in case["input"].split("\n\n"):
            texts.append(para)
            texts.extend(_sentences(para))
    return texts


@pytest.mark.parametrize("rule", [r for r in RULES if r.kind == "search"], ids=lambda r: r.name)
def test_prefilter_passes_whatever_the_regex_matches(rule) -> None:
    for text in _prefilter_texts():
        if rule.regex.search(text):
            assert rule.may_match(text, _KEYS.intersection(words(text))), f"{rule.name}: prefilter drops {text!r}"


def test_paragraph_prefilter_covers_its_sentences() -> None:
    # a paragraph whose sentence a sentence rule matches is never skipped by _cut_sentences
    for case in CASES:
        for para in case["input"].split("\n\n"):
            if any(_sentence_rule(s) is not None for s in _sentences(para)):
                assert _may_have_chrome_sentence(para, _KEYS.intersection(words(para))), para
    assert all(r.kind == "search" for r in _SENTENCE_RULES)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZé'’ʼ`´_-. \u0301ﬁＡ1İıſ\u212a"), max_size=40) | st.text(max_size=40))
def test_fast_words_equal_shingles_words(text: str) -> None:
    assert words(text) == reference_words(text)


def test_unit_hash_is_stable_across_processes() -> None:
    # xxh3 of the folded text: learned hashes travel to worker processes and must not depend on
    # PYTHONHASHSEED (Python's own hash() of a str is salted per process)
    assert _unit_hash("Hello,  World!") == _unit_hash("hello world")
    import subprocess
    import sys

    code = "from dedupe.chrome import _unit_hash; print(_unit_hash('Westbrook Record is an independent newsroom.'))"
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
        for seed in ("1", "2")
    }
    assert outs == {f"{_unit_hash('Westbrook Record is an independent newsroom.')}\n"}


# --- seeds against gold ------------------------------------------------------------------


def _shingle_f1(gold: str, pred: str, n: int = 4) -> float:
    from collections import Counter

    def sh(t: str) -> Counter:
        toks = re.findall(r"\w+", t)
        if len(toks) < n:
            return Counter([tuple(toks)]) if toks else Counter()
        return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))

    g, p = sh(gold), sh(pred)
    tp = sum((g & p).values())
    if not tp:
        return 0.0
    prec, rec = tp / sum(p.values()), tp / sum(g.values())
    return 2 * prec * rec / (prec + rec)


def _to_format(raw: str) -> str:
    return "\n\n".join(line.strip() for line in raw.splitlines() if line.strip())


def _drop_repeats(text: str) -> str:
    # the repeats stage's job (seed 002 doubled block, 004 tripled title), simulated here
    seen: set[str] = set()
    out = []
    for p in text.split("\n\n"):
        if p not in seen:
            seen.add(p)
            out.append(p)
    return "\n\n".join(out)


SEEDS = [json.loads(line) for line in SEEDS_GOLD.read_text(encoding="utf-8").splitlines()] if SEEDS_GOLD.exists() else []


@pytest.mark.skipif(not SEEDS, reason="shared/eval/seeds-gold not present")
@pytest.mark.parametrize("seed", SEEDS, ids=[s["id"][:3] for s in SEEDS])
def test_seed_against_gold(seed: dict) -> None:
    out, _ = strip_chrome(_to_format(seed["text_with_chrome"]), source=seed.get("source", ""))
    out = _drop_repeats(out)
    assert _shingle_f1(seed["gold"], out) >= 0.98
    gold_paras = set(_to_format(seed["gold"]).split("\n\n"))
    left = [p for p in out.split("\n\n") if p not in gold_paras]
    assert not left, f"chrome left: {left}"


# --- glued chrome -------------------------------------------------------------------------

BODY = [
    "The council voted on Tuesday to approve the new budget after a debate that lasted more than four hours.",
    "Opponents said the plan would raise taxes for families already struggling with the cost of living.",
    "The mayor said the vote was a sign that the city was ready to invest in its future and its schools.",
]


def test_glued_appeal_is_cut() -> None:
    text = "\n\n".join([BODY[0], "Your support makes all the difference.Downing Street said talks would continue next week in London.", BODY[1]])
    out, edits = strip_chrome(text)
    assert "Your support" not in out
    assert "Downing Street said talks would continue next week in London." in out.split("\n\n")
    cut = [e for e in edits if e.rule == "donation_appeal"]
    assert cut and text[cut[0].start : cut[0].end] == "Your support makes all the difference."


def test_trailing_glued_newsletter_is_cut() -> None:
    text = "\n\n".join([BODY[0], BODY[1] + "Sign up for our daily newsletter to get the latest news.", BODY[2]])
    out, _ = strip_chrome(text)
    assert out == "\n\n".join(BODY)


def test_abbreviations_are_not_split() -> None:
    text = "\n\n".join([BODY[0], "The U.S. and the U.K. said the talks would go on, e.g. in Geneva next week.", BODY[1]])
    assert strip_chrome(text)[0] == text


# --- learner ------------------------------------------------------------------------------

ARTICLES = [
    [f"Story {i} paragraph {j}: the committee on topic {i} heard evidence number {j} from witnesses on {i * 7 + j} counts."
     for j in range(4)]
    for i in range(8)
]
FOOTER = "Westbrook Record is an independent newsroom covering the valley since 2004 and funded by readers."


def _page(i: int, extra: list[str] | None = None) -> str:
    return "\n\n".join(ARTICLES[i] + (extra or []))


def test_learner_learns_per_source_line() -> None:
    learner = BoilerplateLearner()
    for i in range(4):
        learner.observe("westbrook.example", _page(i, [FOOTER]))
    learner.observe("other.example", _page(4, [FOOTER]))
    learned = learner.finish()
    assert isinstance(learned, LearnedBoilerplate)
    assert learned.is_boilerplate("westbrook.example", FOOTER)
    assert learned.is_boilerplate("https://www.westbrook.example/news/1", FOOTER)  # url -> host
    assert not learned.is_boilerplate("other.example", FOOTER)  # per source
    assert not learned.is_boilerplate("westbrook.example", ARTICLES[0][0])
    out, edits = strip_chrome(_page(5, [FOOTER]), source="westbrook.example", learned=learned)
    assert out == _page(5)
    assert [e.rule for e in edits] == ["learned_source_line"]
    assert learned.summary()["learned_per_source"] == {"westbrook.example": 1}


def test_learner_exact_duplicates_count_once() -> None:
    learner = BoilerplateLearner()
    for _ in range(5):
        learner.observe("a.example", _page(0, [FOOTER]))
    learned = learner.finish()
    assert not learned.is_boilerplate("a.example", FOOTER)
    assert not learned.is_boilerplate("a.example", ARTICLES[0][1])


def test_learner_near_duplicates_do_not_teach_their_own_text() -> None:
    learner = BoilerplateLearner()
    for k in range(5):  # five lightly edited copies of one article from one source
        paras = list(ARTICLES[0])
        paras[k % 4] = paras[k % 4].replace("witnesses", f"witness {k}")
        learner.observe("a.example", "\n\n".join(paras))
    learned = learner.finish()
    for para in ARTICLES[0]:
        assert not learned.is_boilerplate("a.example", para)


def test_learner_never_learns_syndicated_wire_text() -> None:
    learner = BoilerplateLearner()
    wire = ARTICLES[1]
    for s in range(8):  # the same wire story on eight sites, each with its own chrome
        learner.observe(f"site{s}.example", "\n\n".join([f"Site {s} News: home of local reporting number {s}."] + wire))
    learned = learner.finish()
    for para in wire:
        for s in range(8):
            assert not learned.is_boilerplate(f"site{s}.example", para)
    assert not learned.shared


def test_learner_shared_line_across_unrelated_sources() -> None:
    learner = BoilerplateLearner()
    line = "This content is provided by a third party and may not reflect our views or standards."
    for s in range(6):
        learner.observe(f"site{s}.example", _page(s, [line]))
    learned = learner.finish()
    assert learned.is_boilerplate("anything.example", line)


def test_learner_keeps_no_per_document_state() -> None:
    # 300 unrelated documents: every unit is seen once, so nothing is open; only the Bloom filter
    # (a few bytes per unit) and one digest per document (the exact-duplicate guard) remain
    learner = BoilerplateLearner()
    for i in range(300):
        learner.observe("a.example", f"Report {i} on the county budget: item {i * 7} was approved by {i + 3} votes.")
    assert not learner._open and not learner._open_shared
    assert learner._filter.nbytes() < 200_000
    assert learner.finish().summary()["documents"] == 300


def test_learned_sentences_are_cut_at_paragraph_ends() -> None:
    learner = BoilerplateLearner()
    for i in range(5):
        learner.observe("westbrook.example", _page(i, [ARTICLES[i][0] + " " + FOOTER]))
    learned = learner.finish()
    text = "\n\n".join([ARTICLES[6][0] + " " + FOOTER, ARTICLES[6][1], ARTICLES[6][2]])
    out, edits = strip_chrome(text, source="westbrook.example", learned=learned)
    assert out == "\n\n".join(ARTICLES[6][:3])
    assert [e.rule for e in edits] == ["learned_source_line"] and text[edits[0].start : edits[0].end] == edits[0].text


def test_learner_validates_options() -> None:
    with pytest.raises(ValueError):
        BoilerplateLearner(min_docs=1)


def test_learned_boilerplate_is_frozen() -> None:
    learned = BoilerplateLearner().finish()
    with pytest.raises(Exception):
        learned.shared = frozenset({1})  # type: ignore[misc]


# --- linear-time rules --------------------------------------------------------------------


@pytest.mark.parametrize("rule", [r for r in RULES if r.regex is not None], ids=lambda r: r.name)
def test_rule_regex_is_linear(rule) -> None:
    # each rule runs the way strip_chrome runs it: search for "search" rules, fullmatch otherwise
    run = rule.regex.search if rule.kind == "search" else rule.regex.fullmatch
    for ch in "a .:|/-»›>©0@,'’\n\t(\\":
        for prefix in ("", "by ", "read more: "):
            s = prefix + ch * 100_000
            t0 = time.perf_counter()
            run(s)
            run(s + "x")
            assert time.perf_counter() - t0 < 2.0, f"{rule.name} is slow on {prefix!r} + {ch!r} * 100k"


def test_strip_chrome_on_huge_line_is_fast() -> None:
    t0 = time.perf_counter()
    for ch in "a .:|/-":
        strip_chrome((ch * 100_000) + "\n\n" + BODY[0])
        # the paths outside RULES: self links (with a source), title suffixes ("A B C    - Site")
        strip_chrome("http://" + (ch * 100_000) + " x\n\n" + BODY[0], source="example.com")
        strip_chrome("A B C " + (ch * 100_000) + " - Site\n\n" + BODY[0], source="example.com")
    assert time.perf_counter() - t0 < 10.0


# --- properties ---------------------------------------------------------------------------

paragraphs = st.text(min_size=1, max_size=200).map(lambda s: " ".join(s.split())).filter(bool)
documents = st.lists(paragraphs, min_size=0, max_size=12).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_never_raises_on_any_string(text: str) -> None:
    out, edits = strip_chrome(text)
    assert isinstance(out, str) and isinstance(edits, tuple)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_adds_no_words_and_is_idempotent(text: str) -> None:
    out, edits = strip_chrome(text)
    assert set(reference_words(out)) <= set(reference_words(text))
    assert strip_chrome(out)[0] == out
    for e in edits:
        assert text[e.start : e.end] == e.text


sentence = st.lists(st.sampled_from("the council said it would vote on a plan for new schools and roads next year".split()),
                    min_size=8, max_size=30).map(lambda ws: " ".join(ws).capitalize() + ".")
prose = st.lists(st.lists(sentence, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=8).map("\n\n".join)


@settings(max_examples=200, deadline=None)
@given(prose)
def test_clean_prose_is_unchanged(text: str) -> None:
    out, edits = strip_chrome(text)
    assert out == text and edits == ()


def test_empty() -> None:
    assert strip_chrome("") == ("", ())


def test_glued_promo_and_appeal_regexes_are_linear() -> None:
    from dedupe.chrome import _APPEAL_SENTENCE, _PROMO_IN_PARA, _SKIP_PREFIX

    for rx in (_PROMO_IN_PARA, _APPEAL_SENTENCE, _SKIP_PREFIX):
        for ch in (" ", ". ", "a", "Read more", "stay informed "):
            t0 = time.perf_counter()
            rx.search(ch * (100_000 // len(ch)))
            assert time.perf_counter() - t0 < 0.5


def test_inner_appeal_cut_is_idempotent_with_exact_offsets() -> None:
    text = ("The report claims the display size will remain 13.3 inches, the analysts said on Monday. "
            "Sign up for our newsletter to get the latest tech news. "
            "Wistron is said to be among the suppliers of the keyboards for the smaller notebook.")
    out, edits = strip_chrome(text)
    assert "newsletter" not in out and "Wistron" in out and "13.3 inches" in out
    assert all(text[e.start : e.end] == e.text for e in edits)
    assert strip_chrome(out)[0] == out


# --- the fast paths give what the plain definitions give ---------------------------------

# Text built to hit sentence boundaries, apostrophes, curly quotes and case oddities.
_BOUNDARY_TEXT = st.lists(
    st.sampled_from(list("aZbY.!?…\"”’“‘()' \n\t1éİſ") + ["Ab", "cd.", "x. Y", ".Ab", "’s", "ab. “Cd"]), max_size=30
).map("".join) | st.text(max_size=60)


def _sentences_by_two_splits(paragraph: str) -> list[str]:
    """The sentence splitter as first written: glued boundaries, then ordinary ones."""
    glued = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
    ordinary = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
    out: list[str] = []
    for chunk in glued.split(paragraph):
        out.extend(s for s in ordinary.split(chunk) if s.strip())
    return out


@settings(max_examples=500, deadline=None)
@given(_BOUNDARY_TEXT)
def test_sentences_equal_the_two_split_definition(text: str) -> None:
    sents = _sentences(text)
    assert sents == _sentences_by_two_splits(text)
    edges = _edge_sentences(text)
    if len(sents) < 2:
        assert edges is None
    else:
        assert edges == (sents[0], sents[-1], len(sents) == 2)


def test_edge_sentences_find_the_last_boundary_far_from_the_end() -> None:
    # the last sentence is longer than the tail that is scanned first
    text = "First one. Second one. Third " + "x" * 500
    sents = _sentences(text)
    assert len(sents) == 3 and _edge_sentences(text) == (sents[0], sents[-1], False)


@settings(max_examples=500, deadline=None)
@given(_BOUNDARY_TEXT)
def test_a_paragraphs_words_are_its_sentences_words(text: str) -> None:
    # `_units` and `_cut_learned_sentences` take a paragraph's words from its sentences'
    assert words(text) == [t for s in _sentences(text) for t in words(s)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_PLAIN_PUNCT + "aZ'`_- .1"), max_size=40))
def test_plain_punctuation_words_equal_shingles_words(text: str) -> None:
    assert words(text) == reference_words(text)


def test_plain_punctuation_is_no_word_character_and_has_no_case() -> None:
    import unicodedata

    for c in _PLAIN_PUNCT:
        folded = unicodedata.normalize("NFKC", c).casefold()
        assert not re.search(r"\w", folded) and c.lower() == c, c
        assert folded == c or folded.isascii(), c


@settings(max_examples=500, deadline=None)
@given(_BOUNDARY_TEXT)
def test_inner_apostrophe_pattern_equals_the_lookbehind_form(text: str) -> None:
    plain = re.compile(r"(?<=\w)['\u2019\u02bc`´](?=\w)")
    assert _INNER_APOSTROPHE.sub("", text) == plain.sub("", text)


def _top_level_alternatives(pattern: str) -> list[str]:
    alts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            alts.append(pattern[start:i])
            start = i + 1
        i += 1
    return alts + [pattern[start:]]


def test_every_appeal_alternative_starts_with_an_appeal_key() -> None:
    alts = _top_level_alternatives(_APPEAL_SENTENCE.pattern)
    assert len(alts) == 13
    for alt in alts:
        assert alt.startswith("\\b") and any(alt[2:].startswith(k) for k in _APPEAL_KEYS), alt


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["Stay informed: sign up", "SIGN UP NOW", "ſubscribe today", "Your support helps",
                                  "your ", "follow us on", "a", "x'", "delivered to your inbox", " ", ".", "Donate now",
                                  "small favor to ask", "Please consider supporting", "İ", "ı", "\u212a", "_",
                                  "YOUR DONATIONS MEAN"]), max_size=8).map("".join))
def test_appeal_test_at_key_offsets_equals_the_regex_search(text: str) -> None:
    assert _has_appeal(text) == (_APPEAL_SENTENCE.search(text) is not None)


def test_line_alternation_per_length_matches_as_its_rules_do() -> None:
    for text in _prefilter_texts():
        n = len(words(text))
        if not 0 < n < len(_RULES_UP_TO):
            continue
        rx = _ANY_LINE_RULE_UP_TO[n]
        lines = [r for _, r in _RULES_UP_TO[n] if r.kind in ("line", "heading")]
        expected = any(r.regex.fullmatch(text) for r in lines if not (r.marks or r.keys))
        assert (rx is not None and rx.fullmatch(text) is not None) == expected, text
        # a line rule with keys or marks is left out of the alternation: every text it matches holds one
        for r in lines:
            if (r.marks or r.keys) and r.regex.fullmatch(text):
                assert any(m in text for m in r.marks) or not r.keys.isdisjoint(words(text)), (r.name, text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from("a b c d e f g h the of to".split()), max_size=80))
def test_sketch_is_the_bottom_k_of_distinct_gram_hashes(toks: list[str]) -> None:
    import numpy as np
    from xxhash import xxh3_64_intdigest

    from dedupe.chrome import _GRAM_MULT

    h = np.fromiter((xxh3_64_intdigest(t.encode()) for t in toks), dtype=np.uint64, count=len(toks))
    if len(toks) < 5:
        assert _sketch(toks, h, 32) == (xxh3_64_intdigest(" ".join(toks).encode()) >> 32,)
        return
    n = len(toks) - 4
    g = h[:n] * _GRAM_MULT[0]
    for e in range(1, 5):
        g += h[e : e + n] * _GRAM_MULT[e]
    assert _sketch(toks, h, 32) == tuple(int(v) for v in np.unique(g >> np.uint64(32))[:32])


def test_units_hash_paragraphs_and_their_sentences() -> None:
    text = "One two three four. Five six seven eight!\n\nShort.\n\nA single sentence of words"
    units, toks = _units(text)
    assert toks == reference_words(text)
    assert units == [_unit_hash("One two three four. Five six seven eight!"), _unit_hash("One two three four."),
                     _unit_hash("Five six seven eight!"), _unit_hash("Short."), _unit_hash("A single sentence of words")]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab'`’ .x_1?"), max_size=30))
def test_fast_words_apostrophes_equal_shingles_words(text: str) -> None:
    assert words(text) == reference_words(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZж Жß'`’ʼ´_-.1é\u0301äÄİıſ\u212a“—…ﬁ²½\u3000\u02b0®。−§\ufffd\x85\u2028ǅ"),
               max_size=30))
def test_fast_words_of_non_ascii_letters_equal_shingles_words(text: str) -> None:
    assert words(text) == reference_words(text)


def test_recurring_line_memo_does_not_change_the_output() -> None:
    from dedupe import chrome

    texts = [case["input"] for case in CASES]
    chrome._RECURRING.clear()
    cold = [strip_chrome(t) for t in texts]
    warm = [strip_chrome(t) for t in texts]  # every short line now comes from the memo
    assert warm == cold and chrome._RECURRING
    chrome._RECURRING.clear()


def test_separator_lines_are_never_learned() -> None:
    """A "___" line between live-blog entries recurs on every page of a site but is content."""
    learner = BoilerplateLearner()
    for i in range(5):
        learner.observe("westbrook.example", _page(i, ["___", FOOTER]))
    learned = learner.finish()
    page = "\n\n".join(ARTICLES[5][:1] + ["___"] + ARTICLES[5][1:])
    out, edits = strip_chrome(page + "\n\n" + FOOTER, source="westbrook.example", learned=learned)
    assert out == page
    assert [e.rule for e in edits] == ["learned_source_line"]


def test_keyword_runs_are_lower_case_words_without_clause_marks() -> None:
    from dedupe.chrome import _keyword_run

    assert _keyword_run("budget buses council cycling elections events festival flooding health housing")
    assert _keyword_run("adote um amigo agua alerta ambiente amizade atendimento capacitação")
    assert not _keyword_run("budget buses council, cycling elections events festival flooding health housing")
    assert not _keyword_run("The council said the new rules would apply from the start of next year and")
    # scripts without case mark sentences with spaces or their own signs: never a keyword run
    assert not _keyword_run("รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกร ที่ได้รับผลกระทบจากน้ำท่วม ในเดือนหน้า")
    assert not _keyword_run("सरकार ने किसानों की मदद के लिए नई योजना की घोषणा की है")
