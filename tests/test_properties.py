"""Property tests for the pure text functions of encoding and shingles (chrome and repeats have their own).

`repair_text` and `words`/`fold` see every string a crawler can produce, so they must never raise;
repair must not invent words and must be a fixed point (repairing repaired text changes nothing);
folding must be idempotent.
"""

from __future__ import annotations

import os
import string

import ftfy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dedupe.encoding import FIXER_CONFIG, repair_text
from dedupe.shingles import fold, words

# every code point, lone surrogates and control characters included
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None, exclude_categories=()))

# text that looks like a scrape: letters (accented too), digits, punctuation, quotes, spaces and breaks,
# with the characters mojibake is made of, so the ftfy path runs often
SCRAPE_ALPHABET = (
    string.ascii_letters + string.digits + " \n\n\r\t.,;:!?'\"()-&#<>/"
    + "éèàçüößñÉ’‘“”–—…€™©®°½\u00a0\u200b\u2028\ufeff\ufffd"
    + "Ã¢Â©Ã©â€™â€œâ€\x80\x93\x94\x9d"
)
SCRAPE_TEXT = st.text(st.sampled_from(SCRAPE_ALPHABET), max_size=300)
# the same without the characters repair removes or folds before ftfy looks again (invisible ones,
# tabs, no-break spaces), whose removal joins words on purpose
VISIBLE_SCRAPE_TEXT = st.text(st.sampled_from([c for c in SCRAPE_ALPHABET if c not in "\t\u00a0\u200b\ufeff"]), max_size=300)

ASCII_PROSE = st.text(st.sampled_from(string.ascii_letters + " "), max_size=300)

# DEDUPE_PROPERTY_EXAMPLES=5000 for a longer search (5000 passed when these tests were written)
# (a decorator, not a loaded profile: other modules' property tests keep their own settings)
SETTINGS = settings(max_examples=int(os.environ.get("DEDUPE_PROPERTY_EXAMPLES", "100")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def mojibake(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="replace")


@SETTINGS
@given(ANY_TEXT)
@example("\ud800 lone surrogate \udfff")
@example("\x00\x01\x1b[31mred\x1b[0m\x7f\x85\x9d")
@example("&amp;amp;lt; &#0; &#x110000; &#55296;")
def test_repair_text_never_raises_and_returns_text(text):
    result = repair_text(text)
    assert isinstance(result.text, str)
    result.text.encode("utf-8")  # writable: no lone surrogates left
    assert all(isinstance(f, str) for f in result.fixes)


@SETTINGS
@given(st.one_of(ANY_TEXT, SCRAPE_TEXT))
@example("&amp;amp;")
@example("Itâ€™s â€œquotedâ€\x9d")
@example(mojibake(mojibake("café “déjà vu”")))
def test_repair_text_is_idempotent(text):
    once = repair_text(text).text
    assert repair_text(once).text == once


@SETTINGS
@given(ASCII_PROSE)
def test_ascii_letters_and_spaces_keep_their_words(text):
    result = repair_text(text)
    assert result.text.split() == text.split()
    assert result.fixes == ()


@SETTINGS
@given(st.lists(ASCII_PROSE, max_size=8))
def test_paragraph_layout_only_moves_whitespace(lines):
    text = "\n".join(lines)
    out = repair_text(text).text
    assert out.split() == text.split()
    assert "\n\n\n" not in out and out == out.strip()


@SETTINGS
@given(VISIBLE_SCRAPE_TEXT)
@example("Itâ€™s â€œquotedâ€\x9d &amp; done")
def test_repair_never_adds_words_beyond_what_the_repairs_make(text):
    """Every word of the output is a word of the input or of ftfy's repair of it (whole or line by line)."""
    out = repair_text(text).text
    allowed: set[str] = set()
    for piece in [text, *text.splitlines()]:
        allowed |= set(words(piece)) | set(words(ftfy.fix_and_explain(piece, FIXER_CONFIG).text))
        folded = " ".join(piece.split())  # spaces folded, then ftfy again (see encoding._repair_line)
        allowed |= set(words(ftfy.fix_and_explain(folded, FIXER_CONFIG).text))
    added = set(words(out)) - allowed
    assert not added, added


CLEAN_PROSE = [
    "The council said on Tuesday that a new plan would cut traffic.",
    "“It’s a good day,” she said — and left. Prices rose 3.5% to €12,000 (about £10,400).",
    "Le café était très « bon », à côté de la gare — une façade naïve.",
    "Die Straße führt über die Brücke. 東京では雨が降っています。 Москва — столица России.",
    "The ﬁnal report (ｆｕｌｌ-width) used “curly” and ‘single’ quotes… and that’s fine.",
    "AT&T and Johnson & Johnson reported results; 5 < 7 and 9 > 3.",
]


@SETTINGS
@given(st.lists(st.sampled_from(CLEAN_PROSE), min_size=1, max_size=6))
def test_clean_prose_is_unchanged(paragraphs):
    text = "\n\n".join(paragraphs)
    result = repair_text(text)
    assert result.text == text
    assert result.fixes == ()


@SETTINGS
@given(ANY_TEXT)
@example("İstanbul ǅemal ﬃ ẞ ΐ")
@example("don't don’t dont")
def test_words_and_fold_never_raise_and_fold_is_idempotent(text):
    tokens = words(text)
    assert all(t and " " not in t for t in tokens)
    folded = fold(text)
    assert fold(folded) == folded
    assert words(folded) == folded.split()


@SETTINGS
@given(st.text(st.sampled_from(string.ascii_letters + string.digits + " .,;:!?\n"), max_size=300))
def test_fold_of_ascii_is_lowercased_words(text):
    assert fold(text).split() == [w.lower() for w in "".join(c if c.isalnum() else " " for c in text).split()]
