"""End to end: the CLI on samples/, the accounting invariant, determinism, atomic output."""

import json
import os
import random
import shutil
import subprocess
import sys
import time

import pytest

from dedupe.cli import main
from dedupe.pipeline import RunOptions, run
from dedupe.writers import OutputFolder, document_from_record, document_to_record, write_jsonl_atomic
from dedupe.document import Document, Edit

from conftest import SAMPLES, shared_path


def manifest(out):
    return [json.loads(l) for l in open(os.path.join(out, "manifest.jsonl"), encoding="utf-8")]


def corpus(out):
    return [json.loads(l) for l in open(os.path.join(out, "corpus.jsonl"), encoding="utf-8")]


def check_invariant(out):
    entries = manifest(out)
    report = json.load(open(os.path.join(out, "report.json")))
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    kept = {e["id"] for e in entries if e["status"] == "kept"}
    for e in entries:
        assert e["status"] in ("kept", "duplicate", "empty", "error")
        if e["status"] == "duplicate":
            assert e["duplicate_of"] in kept
    counts = report["counts"]
    assert counts["inputs"] == len(entries) == counts["kept"] + counts["duplicate"] + counts["empty"] + counts["error"]
    for status in ("kept", "duplicate", "empty", "error"):
        assert counts[status] == sum(1 for e in entries if e["status"] == status)
    assert {r["id"] for r in corpus(out)} == kept
    return entries


def test_run_on_samples_accounts_for_every_document(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(SAMPLES), "-o", str(out), "--quiet", "--workers", "1"]) == 0
    entries = check_invariant(out)
    expected_files = sorted(
        p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*") if p.suffix in (".txt", ".html", ".gz"))
    jsonl_lines = sum(1 for l in open(SAMPLES / "syndicated.jsonl") if l.strip())
    assert len(entries) == len(expected_files) + jsonl_lines
    by_id = {e["id"]: e for e in entries}
    # the syndicated story: one canonical, its chrome copy and truncated copy merged into it
    synd = [e for e in entries if e["origin"].startswith(str(SAMPLES / "syndicated.jsonl"))]
    assert sum(e["status"] == "duplicate" for e in synd) == 2
    # the seeds about one event are never merged with each other
    for seed in ("000_44f6dd42aa4165e1", "001_f313f40e61161623", "003_7f0234746345b44a"):
        assert by_id[seed]["status"] == "kept"
    assert by_id["encodings/windows-1252"]["encoding"] == "cp1252"
    assert any(r["stage"] == "encoding" for r in by_id["encodings/mojibake"]["removals"])
    report_md = (out / "report.md").read_text()
    assert "input documents" in report_md and "Near-duplicates" in report_md


def test_the_same_bytes_for_any_worker_count_and_file_order(tmp_path):
    src = shared_path("eval", "neardup-dev", "corpus.jsonl")
    lines = open(src, encoding="utf-8").read().splitlines()[:120]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copytree(SAMPLES / "html", tmp_path / "a" / "html")
    run([tmp_path / "a"], tmp_path / "o1", RunOptions(workers=1, progress=False))
    env = dict(os.environ, PYTHONHASHSEED="123")
    subprocess.run([sys.executable, "-m", "dedupe", "run", str(tmp_path / "a"), "-o", str(tmp_path / "o2"),
                    "--workers", "2", "--quiet"], check=True, env=env)
    for name in ("corpus.jsonl", "manifest.jsonl", "duplicates.jsonl"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes(), name
    # shuffled records: the same clusters and canonicals
    random.Random(3).shuffle(lines)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copytree(SAMPLES / "html", tmp_path / "b" / "html")
    run([tmp_path / "b"], tmp_path / "o3", RunOptions(workers=2, progress=False))
    clusters = lambda out: sorted((e["id"], e["status"], e["duplicate_of"]) for e in manifest(out) if e["origin"].endswith(tuple("0123456789")))
    assert clusters(tmp_path / "o1") == clusters(tmp_path / "o3")


def test_cli_errors_are_one_line_without_traceback(tmp_path):
    cmd = [sys.executable, "-m", "dedupe", "run", str(tmp_path / "missing"), "-o", str(tmp_path / "out")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "missing: no such file or folder" in r.stderr
    assert "Traceback" not in r.stderr
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Some text that is an article.")
    r = subprocess.run([sys.executable, "-m", "dedupe", "run", str(tmp_path / "in"), "-o", str(tmp_path / "in" / "out")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "inside the input folder" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep me")
    r = subprocess.run([sys.executable, "-m", "dedupe", "clean", str(tmp_path / "in"), "-o", str(tmp_path / "full")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "not empty" in r.stderr and (tmp_path / "full" / "x").read_text() == "keep me"
    r = subprocess.run([sys.executable, "-m", "dedupe", "run", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--workers" in r.stdout and "default" in r.stdout


def test_strict_stops_at_the_first_bad_input(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.jsonl").write_text('{"id": "a", "text": "fine text here"}\nnot json\n')
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "o1"), "--quiet"]) == 0
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "o2"), "--quiet", "--strict"]) == 1
    assert not (tmp_path / "o2").exists()


def test_explain_tells_what_happened(tmp_path, capsys):
    out = tmp_path / "out"
    main(["run", str(SAMPLES), "-o", str(out), "--quiet"])
    dup = next(e for e in manifest(out) if e["status"] == "duplicate")
    capsys.readouterr()
    assert main(["explain", str(out), dup["id"]]) == 0
    text = capsys.readouterr().out
    assert f"duplicate of {dup['duplicate_of']}" in text and "Jaccard" in text
    assert main(["explain", str(out), dup["duplicate_of"]]) == 0
    assert "merged into it" in capsys.readouterr().out
    assert main(["explain", str(out), "no-such-id"]) == 2


def test_output_folder_is_swapped_in_only_when_complete(tmp_path):
    final = tmp_path / "out"
    final.mkdir()
    (final / "corpus.jsonl").write_text("previous\n")
    folder = OutputFolder(final, force=True)
    write_jsonl_atomic(folder.path("corpus.jsonl"), [{"id": "new"}])
    folder.abort()  # an interrupted run
    assert (final / "corpus.jsonl").read_text() == "previous\n"
    folder = OutputFolder(final, force=True)
    write_jsonl_atomic(folder.path("corpus.jsonl"), [{"id": "new"}])
    folder.commit()
    assert (final / "corpus.jsonl").read_text() == '{"id":"new"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failing_stage_leaves_no_output(tmp_path, monkeypatch):
    import dedupe.pipeline as pipeline

    def boom(*args, **kwargs):
        raise RuntimeError("stage failed")

    monkeypatch.setattr(pipeline.NearDuplicateIndex, "decide", boom)
    with pytest.raises(RuntimeError):
        run([SAMPLES], tmp_path / "out", RunOptions(workers=1, progress=False))
    assert list(tmp_path.iterdir()) == []


def test_document_records_round_trip():
    doc = Document(id="x", text="t", source="s", url="u", edits=(Edit("chrome", "r", "gone", 1, 5),), extra={"k": [1]})
    assert document_from_record(json.loads(json.dumps(document_to_record(doc)))) == doc


def _square_or_fail(x):
    if x == "boom":
        raise ValueError("bad task")
    if x == "die":
        os._exit(3)
    if isinstance(x, bytes):
        return len(x)
    time.sleep(0.001 * (x % 3))  # tasks finish out of order
    return x * x


def test_ordered_pool_returns_results_in_task_order_and_raises_what_a_task_raised():
    from dedupe.processes import OrderedPool

    pool = OrderedPool(2)
    try:
        assert list(pool.imap(_square_or_fail, range(200))) == [x * x for x in range(200)]
        big = [b"x" * (1 << 20), 5, b"y" * 70000, b"z" * 3]  # larger than a socket's buffer
        assert list(pool.imap(_square_or_fail, big)) == [1 << 20, 25, 70000, 3]
        with pytest.raises(ValueError, match="bad task"):
            list(pool.imap(_square_or_fail, [1, 2, "boom", 4]))
    finally:
        pool.terminate()
    pool = OrderedPool(2)
    try:
        with pytest.raises(RuntimeError, match="ended unexpectedly"):
            list(pool.imap(_square_or_fail, [1, "die", 3, 4, 5]))
    finally:
        pool.terminate()


_KERNELS_IN_WORKER = """
import os, sys
from dedupe import compiled, pipeline
kernels = (compiled.token_hashes, compiled.shingle_runs, compiled.minhash_segments)
assert not any(k.signatures for k in kernels)
pipeline._load_kernels(pipeline.RunOptions())
pid = os.fork()
if pid == 0:  # the worker: loaded already, nothing compiled or read from the cache again
    os._exit(0 if all(k.signatures for k in kernels) and not any(k.stats.cache_misses for k in kernels) else 1)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked only where fork exists")
def test_forked_workers_inherit_the_loaded_kernels():
    done = subprocess.run([sys.executable, "-c", _KERNELS_IN_WORKER], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_html_pages_reach_the_workers_a_few_at_a_time():
    """A page costs trafilatura as much as dozens of plain texts cost every stage: tasks of 64
    pages left one of two workers idle on a folder of 83 pages (6.3 s; 2.9 s in tasks of 4)."""
    from dedupe.pipeline import BATCH, HTML_WEIGHT, _batches
    from dedupe.readers import Pending

    pages = [Pending("html", f"page{i}", f"page{i}.html", "site") for i in range(10)]
    texts = [Pending("jsonl", "c.jsonl", "c.jsonl", "site", line=i) for i in range(1, 101)]
    per_task = BATCH // HTML_WEIGHT
    assert [len(b) for b in _batches(pages, BATCH)] == [per_task, per_task, 10 - 2 * per_task]
    assert [len(b) for b in _batches(texts, BATCH)] == [BATCH, 100 - BATCH]
    mixed = list(_batches(texts[:BATCH - 2] + pages[:2], BATCH))
    assert [len(b) for b in mixed] == [BATCH - 1, 1]
    assert [item for b in mixed for item in b] == texts[:BATCH - 2] + pages[:2]
