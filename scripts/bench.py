"""Benchmark `dedupe run` / `dedupe dedup` against datasketch and datatrove on one corpus, in one session.

    python scripts/bench.py --docs 20000 [--workers 2] [--corpus X.jsonl] [--skip-datatrove] [--skip-run]
    python scripts/bench.py --docs 2000 --profile      # pyinstrument over `dedupe run`, top of the profile

Every contender runs as its own subprocess on the same JSONL, so each gets its own wall time
and peak memory: `ru_maxrss` of the process tree (os.wait4: the largest single process) and
the summed RSS of the whole tree, sampled every 0.1 s (workers included).

Baselines (word 5-gram shingles of the same `dedupe.shingles.words` tokens, 128 permutations):
- datasketch, used well: per document `MinHash.update_batch` over the encoded shingles,
  `LeanMinHash`, `MinHashLSH(threshold=0.8)` insert, then a query per document and
  union-find over the candidate pairs. One process (datasketch has no parallel path).
- datatrove: its 4-stage MinHash pipeline (signatures, buckets, cluster, filter) with
  `LocalPipelineExecutor`, installed into a throw-away venv (/tmp/dedupe-bench-datatrove) on
  first use; skipped with a message when it cannot be installed or run.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DATATROVE_VENV = Path(os.environ.get("DATATROVE_VENV", "/tmp/dedupe-bench-datatrove"))


# -- measuring a subprocess ---------------------------------------------------------------

def _tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of pid and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        p = int(entry)
        children.setdefault(int(fields[1]), []).append(p)
        rss[p] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def measure(cmd: list[str], env: dict | None = None, cwd: str | None = None) -> dict:
    """Run cmd; wall seconds, CPU seconds, peak RSS of the largest process and of the tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    return {
        "cmd": cmd, "rc": proc.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
        "max_rss": usage.ru_maxrss * 1024, "tree_rss": peak[0], "output": output,
    }


# -- baselines, run as `bench.py --_baseline NAME CORPUS` in their own process ------------

def _read_texts(corpus: str):
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            yield record["id"], record["text"]


def baseline_datasketch(corpus: str) -> dict:
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    from dedupe.shingles import words

    timings = {}
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    sigs = []
    ids = []
    for i, (doc_id, text) in enumerate(_read_texts(corpus)):
        tokens = words(text)
        shingles = [" ".join(tokens[j : j + 5]).encode("utf-8") for j in range(max(1, len(tokens) - 4))]
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(shingles)
        lean = LeanMinHash(m)
        lsh.insert(i, lean, check_duplication=False)
        sigs.append(lean)
        ids.append(doc_id)
    timings["signatures+index"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, lean in enumerate(sigs):
        for j in lsh.query(lean):
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    removed = sum(1 for i in range(len(ids)) if find(i) != i)
    timings["query+union-find"] = time.perf_counter() - t1
    return {"docs": len(ids), "removed": removed, "timings": timings}


DATATROVE_SCRIPT = textwrap.dedent('''
    import json, sys, time
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter
    try:
        from datatrove.utils.hashing import HashConfig
        config = MinhashConfig(hash_config=HashConfig(precision=64), num_buckets=14, hashes_per_bucket=8)
    except ImportError:
        config = MinhashConfig(use_64bit_hashes=True, num_buckets=14, hashes_per_bucket=8)

    folder, work, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    try:  # English is tokenised with spaCy, as datatrove assigns it; or (default here) a \\w+ tokenizer
        if sys.argv[4] != "spacy":
            raise ImportError
        import spacy  # noqa: F401
        from datatrove.utils.typeshelper import Languages
        language = Languages.english
        print("datatrove tokenizer: spaCy (its default for English)")
    except ImportError:
        import regex
        from datatrove.utils.word_tokenizers import WordTokenizer

        class RegexTokenizer(WordTokenizer):
            def word_tokenize(self, text):
                return regex.findall(r"\\w+", text)

            def sent_tokenize(self, text):
                return [text]

            def span_tokenize(self, text):
                return [(0, len(text))]

        language = RegexTokenizer()
        print("datatrove tokenizer: \\w+ regex (much cheaper than datatrove's default spaCy)")
    reader = lambda: JsonlReader(folder, glob_pattern="*.jsonl", text_key="text", id_key="id")
    timings = {}
    stages = [
        ("signatures", [reader(), MinhashDedupSignature(output_folder=f"{work}/signatures", config=config, language=language)], workers),
        ("buckets", [MinhashDedupBuckets(input_folder=f"{work}/signatures", output_folder=f"{work}/buckets",
                                         config=config)], config.num_buckets),
        ("cluster", [MinhashDedupCluster(input_folder=f"{work}/buckets", output_folder=f"{work}/remove_ids",
                                         config=config)], 1),
        ("filter", [reader(), MinhashDedupFilter(input_folder=f"{work}/remove_ids",
                                                 exclusion_writer=JsonlWriter(f"{work}/removed")),
                    JsonlWriter(output_folder=f"{work}/output")], workers),
    ]
    for name, pipeline, tasks in stages:
        t = time.perf_counter()
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=min(workers, tasks),
                              logging_dir=f"{work}/logs/{name}", skip_completed=False).run()
        timings[name] = time.perf_counter() - t
    print("RESULT " + json.dumps({"timings": timings}))
''')


def ensure_datatrove() -> tuple[Path | None, str]:
    python = DATATROVE_VENV / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", "import datatrove, xxhash, regex, tokenizers, orjson"], capture_output=True).returncode == 0:
        return python, ""
    print(f"installing datatrove into {DATATROVE_VENV} (once) ...", flush=True)
    shutil.rmtree(DATATROVE_VENV, ignore_errors=True)
    steps = [["python3", "-m", "venv", str(DATATROVE_VENV)], [str(python), "-m", "pip", "install", "-q", "datatrove", "xxhash<4", "regex", "tokenizers", "spacy", "orjson"]]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode != 0:
            return None, (result.stderr or result.stdout).strip().splitlines()[-1:][0] if (result.stderr or result.stdout) else "failed"
    return python, ""


# -- the run ------------------------------------------------------------------------------

def fmt_bytes(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def row(name: str, docs: int, mb: float, result: dict, stages: str) -> list[str]:
    rate = docs / result["wall"] if result["wall"] else 0.0
    return [name, f"{result['wall']:.1f}", f"{rate:,.0f}", f"{mb / result['wall']:.2f}", f"{result['cpu']:.1f}",
            fmt_bytes(result["max_rss"]), fmt_bytes(result["tree_rss"]), stages]


def print_table(rows: list[list[str]]) -> None:
    header = ["contender", "wall s", "docs/s", "MB/s", "cpu s", "peak RSS (1 proc)", "peak RSS (tree)", "stages (s)"]
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def report_stages(out: Path, wall: float) -> str:
    """Per-stage seconds from OUT/report.json when the run records them; else the wall time."""
    try:
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"total {wall:.1f}"
    timings = report.get("timings")
    if isinstance(timings, dict) and timings:
        wall_s = timings.get("wall_seconds") or {}
        stages = timings.get("worker_seconds_by_stage") or {}
        text = "wall: " + ", ".join(f"{k} {v:.1f}" for k, v in wall_s.items())
        if stages:
            text += f"; worker CPU-side ({timings.get('workers')} workers): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
        return text
    counts = report.get("counts", {})
    return f"total {wall:.1f} (kept {counts.get('kept')}, duplicate {counts.get('duplicate')})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=0, help="dedupe workers (0: every core)")
    parser.add_argument("--corpus", help="use this JSONL instead of generating one")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default="/tmp/dedupe-bench")
    parser.add_argument("--skip-datatrove", action="store_true")
    parser.add_argument("--skip-datasketch", action="store_true")
    parser.add_argument("--datatrove-tokenizer", choices=("regex", "spacy"), default="regex",
                        help="regex (default): \\w+ words, which favours datatrove; spacy: its own default for "
                             "English (~20 docs/s here: 85 s of signatures for 2,000 documents)")
    parser.add_argument("--skip-run", action="store_true", help="leave out the full `dedupe run`")
    parser.add_argument("--skip-dedup", action="store_true", help="leave out `dedupe dedup`")
    parser.add_argument("--profile", action="store_true", help="profile `dedupe run` (1 worker) with pyinstrument")
    parser.add_argument("--_baseline", nargs=2, metavar=("NAME", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._baseline:
        name, corpus = args._baseline
        result = baseline_datasketch(corpus)
        print("RESULT " + json.dumps(result))
        return 0

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    workers = args.workers or os.cpu_count() or 1
    corpus = Path(args.corpus) if args.corpus else work / f"corpus-{args.docs}-s{args.seed}.jsonl"
    if not corpus.exists():
        t = time.perf_counter()
        made = subprocess.run([PY, str(ROOT / "scripts" / "make_corpus.py"), str(args.docs), str(corpus), "--seed", str(args.seed)],
                              capture_output=True, text=True)
        if made.returncode != 0:
            print(made.stderr, file=sys.stderr)
            return 1
        print(made.stderr.strip(), f"(generated in {time.perf_counter() - t:.0f} s)")
    with open(corpus, encoding="utf-8") as fh:
        docs = sum(1 for _ in fh)
    mb = corpus.stat().st_size / 1e6
    print(f"corpus {corpus}: {docs:,} documents, {mb:.1f} MB; {os.cpu_count()} cores, dedupe workers {workers}")
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    if args.profile:
        out = work / "out-profile"
        cmd = [PY, "-m", "pyinstrument", "-o", str(work / "profile.txt"), "-m", "dedupe", "run", str(corpus), "-o", str(out),
               "--quiet", "--force", "--workers", "1"]
        result = measure(cmd, env=env)
        print(result["output"][-2000:] if result["rc"] else "")
        text = (work / "profile.txt").read_text() if (work / "profile.txt").exists() else result["output"]
        print("\n".join(text.splitlines()[:120]))
        print(f"\n`dedupe run` under pyinstrument, 1 worker: {result['wall']:.1f} s, {docs / result['wall']:,.0f} docs/s")
        return 0

    rows: list[list[str]] = []
    rates: dict[str, float] = {}

    class Rows(list):  # each row is printed as soon as it is measured, in case a later one never ends
        def append(self, r):
            print("  -> " + " | ".join(r), flush=True)
            super().append(r)

    rows = Rows()

    def dedupe_cmd(mode: str) -> list[str]:
        return [PY, "-m", "dedupe", mode, str(corpus), "-o", str(work / f"out-{mode}"), "--quiet", "--force",
                "--workers", str(workers)]

    modes = ([] if args.skip_dedup else ["dedup"]) + ([] if args.skip_run else ["run"])
    for mode in modes:
        print(f"dedupe {mode} ...", flush=True)
        shutil.rmtree(work / f"out-{mode}", ignore_errors=True)  # removing an earlier run's output is not the job
        result = measure(dedupe_cmd(mode), env=env)
        if result["rc"] != 0:
            print(f"dedupe {mode} failed (exit {result['rc']}):\n{result['output'][-3000:]}")
            continue
        rows.append(row(f"dedupe {mode} ({workers} workers)", docs, mb, result, report_stages(work / f"out-{mode}", result["wall"])))
        rates[f"dedupe {mode}"] = docs / result["wall"]

    if not args.skip_datasketch:
        print("datasketch ...", flush=True)
        result = measure([PY, str(Path(__file__).resolve()), "--_baseline", "datasketch", str(corpus)], env=env)
        found = [l for l in result["output"].splitlines() if l.startswith("RESULT ")]
        if result["rc"] == 0 and found:
            info = json.loads(found[-1][7:])
            stages = ", ".join(f"{k} {v:.1f}" for k, v in info["timings"].items()) + f" (removed {info['removed']})"
            rows.append(row("datasketch MinHash+LSH (1 process)", docs, mb, result, stages))
            rates["datasketch"] = docs / result["wall"]
        else:
            print(f"datasketch baseline failed:\n{result['output'][-3000:]}")

    if not args.skip_datatrove:
        python, why = ensure_datatrove()
        if python is None:
            print(f"SKIP datatrove: could not install it ({why})")
        else:
            print("datatrove ...", flush=True)
            dt_work = work / "datatrove"
            shutil.rmtree(dt_work, ignore_errors=True)
            data = dt_work / "input"
            data.mkdir(parents=True)
            os.symlink(corpus.resolve(), data / "corpus.jsonl")
            script = dt_work / "run_datatrove.py"
            script.write_text(DATATROVE_SCRIPT)
            # datatrove's tasks are its unit of parallelism; one input file gives one signature task
            result = measure([str(python), str(script), str(data), str(dt_work), "1", args.datatrove_tokenizer],
                             cwd=str(dt_work))
            found = [l for l in result["output"].splitlines() if l.startswith("RESULT ")]
            if result["rc"] == 0 and found:
                info = json.loads(found[-1][7:])
                stages = ", ".join(f"{k} {v:.1f}" for k, v in info["timings"].items())
                print(next((l for l in result["output"].splitlines() if l.startswith("datatrove tokenizer")), ""))
                rows.append(row("datatrove MinHash 4 stages", docs, mb, result, stages))
                rates["datatrove"] = docs / result["wall"]
            else:
                print(f"SKIP datatrove: it did not run (exit {result['rc']}):\n{result['output'][-2000:]}")

    print()
    print_table(rows)
    if "dedupe dedup" in rates:
        for name in ("datasketch", "datatrove"):
            if name in rates:
                print(f"dedupe dedup / {name}: {rates['dedupe dedup'] / rates[name]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
