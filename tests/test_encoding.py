import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.encoding import FIXER_CONFIG, NotText, decode_bytes, repair_text
from dedupe.shingles import words

from conftest import shared_path


def test_mojibake_entities_and_controls_are_repaired_and_named():
    repaired = repair_text("Itâ€™s a cafÃ© &amp; bar\x07 ")
    assert repaired.text == "It’s a café & bar"
    assert "encode:sloppy-windows-1252" in repaired.fixes and "decode:utf-8" in repaired.fixes
    assert "apply:unescape_html" in repaired.fixes


def test_correct_text_is_not_rewritten():
    text = "“Curly” quotes, the ﬁ ligature, ＡＢＣ full width and naïve café stay as written."
    repaired = repair_text(text)
    assert repaired.text == text
    assert repaired.fixes == ()
    assert not FIXER_CONFIG.uncurl_quotes and not FIXER_CONFIG.fix_latin_ligatures


def test_paragraphs_end_up_separated_by_exactly_one_blank_line():
    assert repair_text("one\ntwo\r\n\r\n\r\nthree  \n\n  four\u2028five").text == "one\n\ntwo\n\nthree\n\nfour\n\nfive"


def test_unicode_is_nfc_and_whitespace_is_folded():
    assert repair_text("cafe\u0301\u00a0\u00a0au\tlait\u200b").text == "café au lait"


def test_binary_bytes_are_refused():
    with pytest.raises(NotText):
        decode_bytes(b"\x00\x01\x02\x03" * 100)


def test_mojibake_documents_of_the_dev_corpus_come_back_to_their_original_words():
    corpus = shared_path("eval", "neardup-dev", "corpus.jsonl")
    labels = {json.loads(l)["id"]: json.loads(l) for l in open(shared_path("eval", "neardup-dev", "labels.jsonl"))}
    docs = {json.loads(l)["id"]: json.loads(l)["text"] for l in open(corpus)}
    originals = {l["cluster"]: docs[i] for i, l in labels.items() if l["kind"] == "original"}
    checked = 0
    for doc_id, label in labels.items():
        if label["kind"] in ("mojibake_full", "mojibake_partial") and label["cluster"] in originals:
            assert words(repair_text(docs[doc_id]).text) == words(repair_text(originals[label["cluster"]]).text), doc_id
            checked += 1
    assert checked >= 8


def _repair_text_line_by_line(text: str):
    """`repair_text` as first written: every line through `_repair_line` on its own."""
    from dedupe.encoding import _LINE_BREAKS, Repaired, _repair_line, unwrap_hard_breaks

    text = _LINE_BREAKS.sub("\n", text)
    fixes: list[str] = []
    paragraphs: list[str] = []
    for line in unwrap_hard_breaks(text.split("\n")):
        line = _repair_line(line, fixes)
        if line:
            paragraphs.extend(part.strip() for part in line.split("\n") if part.strip())
    return Repaired("\n\n".join(paragraphs), tuple(fixes))


_LINE_PIECES = [
    "plain words", "  ", " ", "\t", "\u00a0", "\u2003", "\x0b", "\u200b", "\u00ad", "a\u0302", "e\u0301", "â",
    "cafÃ©", "&amp;", "It’s", "\n", "\n\n", "\r\n", "\u2028", "\x85", "\x07", "…", "ã", "Ä", "x" * 70, "Ã ",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=25).map("".join))
def test_lines_tidied_together_come_out_as_line_by_line(text):
    assert repair_text(text) == _repair_text_line_by_line(text)


def test_lines_tidied_together_on_the_seed_texts():
    for path in sorted(shared_path("seeds").rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert repair_text(text) == _repair_text_line_by_line(text), path.name
