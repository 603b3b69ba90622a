import json

import pytest

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
