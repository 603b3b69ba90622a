import codecs
import gzip
import json

import pytest

from dedupe.document import ERROR, OK
from dedupe.errors import DedupeError
from dedupe.readers import ReadOptions, file_id, iter_documents, materialize, scan, source_from
from pathlib import Path


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def by_id(docs):
    return {d.id: d for d in docs}


def test_folder_is_read_recursively_in_sorted_order_with_ids_from_relative_paths(tmp_path):
    write(tmp_path / "b.txt", "second")
    write(tmp_path / "a.txt", "first")
    write(tmp_path / "sub" / "c.html", "<html><body><p>x</p></body></html>")
    with gzip.open(tmp_path / "sub" / "ab12.html.gz", "wb") as fh:
        fh.write(b"<html><body><p>zipped</p></body></html>")
    write(tmp_path / "notes.md", "not an input format")
    docs = list(iter_documents([tmp_path]))
    assert [d.id for d in docs] == ["a", "b", "sub/ab12", "sub/c"]
    assert [d.content_type for d in docs] == ["text", "text", "html", "html"]
    assert docs[2].text.startswith("<html>")
    assert docs[0].source == tmp_path.name and docs[2].source == "sub"


def test_html_gz_read_as_its_own_folder_has_the_bare_name_as_id(tmp_path):
    with gzip.open(write(tmp_path / "html" / "x", b"") .with_name("ab12.html.gz"), "wb") as fh:
        fh.write(b"<p>hi</p>")
    (tmp_path / "html" / "x").unlink()
    assert [d.id for d in iter_documents([tmp_path / "html"])] == ["ab12"]
    assert file_id(Path("html/ab12.html.gz")) == "html/ab12"


def test_jsonl_fields_are_configurable_and_missing_ids_fall_back_to_file_and_line(tmp_path):
    path = write(
        tmp_path / "c.jsonl",
        "\n".join(
            json.dumps(r)
            for r in [
                {"key": "k1", "body": "one", "link": "https://www.example.com/a", "site": "ex"},
                {"body": "two", "link": "https://news.example.org/b"},
                {"key": 7, "body": "three"},
            ]
        ),
    )
    opts = ReadOptions(id_field="key", text_field="body", url_field="link", source_field="site")
    docs = list(iter_documents([path], opts))
    assert [d.id for d in docs] == ["k1", "c.jsonl:2", "7"]
    assert [d.source for d in docs] == ["ex", "news.example.org", tmp_path.name]
    assert docs[0].url == "https://www.example.com/a"
    assert all(d.status == OK for d in docs)


def test_a_jsonl_line_is_scanned_as_its_place_and_read_there(tmp_path):
    lines = [json.dumps({"id": "a", "text": "first"}), "   ", json.dumps({"id": "b", "text": "zwei – ü"}), ""]
    path = write(tmp_path / "p.jsonl", "\r\n".join(lines))
    items = list(scan([path]))
    assert [(i.data, i.offset, i.size, i.line) for i in items] == [
        (None, 0, len(lines[0]) + 2, 1), (None, len(lines[0]) + 7, len(lines[2].encode()) + 2, 3)]
    assert [materialize(i).text for i in items] == ["first", "zwei – ü"]
    path.write_bytes(path.read_bytes()[:-5])  # changed after the scan: that record is an error, with its line
    late = materialize(items[1])
    assert late.status == ERROR and late.origin.endswith("p.jsonl:3") and "shorter than when it was scanned" in late.reason


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_jsonl_lines_are_found_in_blocks_as_a_line_by_line_reading_finds_them(tmp_path, monkeypatch, block):
    import random

    from dedupe import readers

    monkeypatch.setattr(readers, "_BLOCK", block)  # lines across block ends, longer than the buffer
    rng = random.Random(block)
    for trial in range(100):  # (the scan does not parse: any bytes will do)
        lines = [rng.choice([b"", b"  ", b"\t", b"{" + b"x" * rng.randint(0, 24), b"y" * rng.randint(1, 24), b" {}"])
                 for _ in range(rng.randint(0, 12))]
        data = b"\n".join(lines) + rng.choice([b"", b"\n", b" \n"])
        limit = rng.choice([0, 5, 10, 20])
        path = write(tmp_path / f"t{trial}.jsonl", data)
        expected, offset = [], 0
        for number, line in enumerate(data.split(b"\n"), 1):
            line += b"\n" if offset + len(line) < len(data) else b""
            if not line:
                break
            content = line[:-1] if line.endswith(b"\n") else line
            if limit and len(content) > limit:
                expected.append(("too large", number))
            elif not line.isspace():
                expected.append((offset, len(line), number))
            offset += len(line)
        got = [(i.offset, i.size, i.line) if not isinstance(i, readers.Document) else
               (i.reason.split(" (")[0].replace("record ", ""), int(i.origin.rsplit(":", 1)[1]))
               for i in scan([path], ReadOptions(max_bytes=limit))]
        assert got == expected, (data, limit)


def test_a_gzipped_jsonl_line_carries_its_bytes(tmp_path):
    with gzip.open(tmp_path / "z.jsonl.gz", "wb") as fh:
        fh.write(b'{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n')
    items = list(scan([tmp_path / "z.jsonl.gz"]))
    assert [i.data for i in items] == [b'{"id": "a", "text": "one"}\n', b'{"id": "b", "text": "two"}\n']
    assert [materialize(i).text for i in items] == ["one", "two"]


def test_a_url_in_the_source_field_stands_for_its_host():
    assert source_from("https://www.metrodailypost.example.com/x/1", None, "f") == "metrodailypost.example.com"
    assert source_from(None, "http://www.bbc.co.uk/news/1", "f") == "bbc.co.uk"
    assert source_from("", None, "folder") == "folder"


def test_duplicate_ids_are_an_error_naming_both_places_and_nothing_is_lost(tmp_path):
    a = write(tmp_path / "a.jsonl", json.dumps({"id": "x", "text": "one"}) + "\n")
    b = write(tmp_path / "b.jsonl", json.dumps({"id": "x", "text": "two"}) + "\n")
    docs = list(iter_documents([a, b]))
    assert len(docs) == 2
    assert docs[0].status == OK
    assert docs[1].status == ERROR
    assert "duplicate id 'x'" in docs[1].reason and "a.jsonl:1" in docs[1].reason and "b.jsonl:1" in docs[1].reason
    assert docs[1].id != docs[0].id


def test_bad_jsonl_lines_become_error_documents_with_their_line(tmp_path):
    path = write(
        tmp_path / "bad.jsonl",
        b'{"id": "ok", "text": "fine"}\n{not json\n[1, 2]\n{"id": "n", "text": null}\n{"id": null, "text": "x"}\n{"id": "m"}\n',
    )
    docs = list(iter_documents([path]))
    assert [d.status for d in docs] == [OK, ERROR, ERROR, ERROR, ERROR, ERROR]
    reasons = [d.reason for d in docs[1:]]
    assert "malformed JSON" in reasons[0] and docs[1].origin.endswith("bad.jsonl:2")
    assert "not an object" in reasons[1]
    assert "'text' is null" in reasons[2]
    assert "'id' is null" in reasons[3]
    assert "'text' is missing" in reasons[4]


def test_encodings_are_detected_and_named(tmp_path):
    text = "Le café était très “bon”, à côté de la gare — naïve façade."
    write(tmp_path / "utf8.txt", text)
    write(tmp_path / "bom.txt", codecs.BOM_UTF8 + text.encode("utf-8"))
    write(tmp_path / "u16.txt", text.encode("utf-16"))
    write(tmp_path / "u16le.txt", text.encode("utf-16-le"))
    write(tmp_path / "win.txt", text.encode("cp1252"))
    docs = by_id(iter_documents([tmp_path]))
    assert {k: d.encoding for k, d in docs.items()} == {
        "bom": "utf-8-sig", "u16": "utf-16", "u16le": "utf-16-le", "utf8": "utf-8", "win": "cp1252"}
    assert all(d.text == text for d in docs.values())


def test_binary_truncated_and_unreadable_files_are_reported_not_raised(tmp_path):
    write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    write(tmp_path / "doc.html", b"%PDF-1.4 binary")
    data = gzip.compress(b"some text " * 1000)
    write(tmp_path / "cut.txt.gz", data[: len(data) // 2])
    docs = by_id(iter_documents([tmp_path]))
    assert docs["image"].status == ERROR and "PNG" in docs["image"].reason
    assert docs["doc"].status == ERROR and "PDF" in docs["doc"].reason
    assert docs["cut"].status == ERROR and "gzip" in docs["cut"].reason


def test_a_missing_input_is_the_users_mistake(tmp_path):
    with pytest.raises(DedupeError, match="no such file"):
        list(iter_documents([tmp_path / "nope"]))


def test_symlink_loops_end(tmp_path):
    write(tmp_path / "a.txt", "text")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [d.id for d in iter_documents([tmp_path])] == ["a"]


def test_non_standard_json_constants_are_refused(tmp_path):
    path = write(tmp_path / "nan.jsonl", '{"id": "a", "text": "ok", "score": NaN}\n{"id": "b", "text": "ok", "x": Infinity}\n')
    docs = list(iter_documents([path]))
    assert [d.status for d in docs] == [ERROR, ERROR]
    assert "NaN is not a JSON value" in docs[0].reason and "Infinity is not a JSON value" in docs[1].reason
