"""`run()`: the whole flow from input paths to an output folder, streaming and in parallel.

read -> extract HTML -> repair encoding -> strip chrome -> drop repeated blocks -> near-duplicates -> write

Two steps must see the whole corpus before deciding: learned boilerplate (which lines recur
within a source) and near-duplicates. So the run makes three passes, and between them the
documents wait in spill files inside the (temporary) output folder, not in memory:

- pass 1: read, extract, repair (per document, in worker processes); the main process feeds
  each text's line hashes to the BoilerplateLearner and spills the document;
- pass 2: chrome and repeats with the learned lines, then the document's fingerprint (worker
  processes); the main process adds fingerprints to the near-duplicate index and spills the
  cleaned document;
- decide near-duplicates from the index (hashes and band keys only);
- pass 3: write corpus, manifest, duplicates and report in input order.

Worker processes get documents in order and return them in order (`imap`), so the output is
the same for any worker count.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from tqdm import tqdm

from dedupe.canonical import DocKey, decided_by, sort_key
from dedupe.chrome import BoilerplateLearner, LearnedBoilerplate, LearnerFeatures, learner_features
from dedupe.document import DUPLICATE, EMPTY, ERROR, KEPT, Cluster, Document, Match
from dedupe.errors import DedupeError
from dedupe.neardup import Fingerprint, NearDupOptions, NearDuplicateIndex, fingerprint_many
from dedupe.readers import ReadOptions, iter_documents
from dedupe.repeats import DEFAULT_MIN_SPAN_WORDS, SharedBlockIndex
from dedupe.report import ReportBuilder
from dedupe.stages import DropRepeats, ExtractHtml, RepairEncoding, StripChrome, empty
from dedupe.writers import OutputFolder, document_from_record, document_to_record, dumps, read_jsonl, write_text_atomic

log = logging.getLogger("dedupe")

MODES = ("run", "clean", "dedup")
BATCH = 64  # documents per worker task: enough to vectorise signatures, small enough to stream


@dataclass(frozen=True)
class RunOptions:
    """Everything a run can be told; the CLI only translates flags into this."""

    mode: str = "run"  # "run": all stages; "clean": cleaning only; "dedup": near-duplicates only
    read: ReadOptions = field(default_factory=ReadOptions)
    neardup: NearDupOptions = field(default_factory=NearDupOptions)
    workers: int = 0  # 0: every core
    learn_boilerplate: bool = True
    min_span_words: int = DEFAULT_MIN_SPAN_WORDS
    strict: bool = False
    progress: bool = True
    force: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.workers < 0:
            raise ValueError("workers must be >= 0 (0 uses every core)")

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def cleans(self) -> bool:
        return self.mode in ("run", "clean")

    @property
    def dedups(self) -> bool:
        return self.mode in ("run", "dedup")


@dataclass(frozen=True)
class RunResult:
    out: Path
    counts: dict[str, int]
    report: dict[str, Any]


# -- work done in worker processes ------------------------------------------------------

@dataclass(frozen=True)
class _Work:
    options: RunOptions
    learned: LearnedBoilerplate | None = None


_work: _Work | None = None  # set once in each worker process by _init_worker


def _init_worker(work: _Work) -> None:
    global _work
    _work = work


def _pass1(docs: list[Document]) -> tuple[list[tuple[Document, LearnerFeatures | None]], dict[str, float]]:
    """Extract and repair a batch, and what the boilerplate learner needs of each document;
    returns them with the seconds each stage took."""
    assert _work is not None
    clock = _StageClock()
    extract, repair = ExtractHtml(), RepairEncoding()
    docs = [clock.time("extract", extract.apply, d) if d.ok and d.content_type == "html" else d for d in docs]
    docs = [clock.time("encoding", repair.apply, d) if d.ok else d for d in docs]
    if not _work.options.learn_boilerplate:
        return [(d, None) for d in docs], clock.seconds
    return [(d, clock.time("learn", learner_features, d.text) if d.ok else None) for d in docs], clock.seconds


def _pass2(docs: list[Document]) -> tuple[list[tuple[Document, Fingerprint | None]], dict[str, float]]:
    """Chrome and repeats per document, then the fingerprints of the whole batch at once."""
    assert _work is not None
    options = _work.options
    clock = _StageClock()
    if options.cleans:
        chrome, repeats = StripChrome(_work.learned), DropRepeats(options.min_span_words)
        docs = [clock.time("chrome", chrome.apply, d) if d.ok else d for d in docs]
        docs = [clock.time("repeats", repeats.apply, d) if d.ok else d for d in docs]
    else:
        docs = [empty(d, "empty_input (no text)") if d.ok and not d.text.strip() else d for d in docs]
    if not options.dedups:
        return [(d, None) for d in docs], clock.seconds
    wanted = [d.text for d in docs if d.ok]
    fps = iter(clock.time("signatures", fingerprint_many, wanted, options.neardup))
    return [(d, next(fps) if d.ok else None) for d in docs], clock.seconds


class _StageClock:
    """CPU-side seconds per stage inside one worker task, summed by the main process for the report."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def time(self, stage: str, fn: Callable, *args: Any) -> Any:
        start = time.perf_counter()
        result = fn(*args)
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start
        return result


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _parallel(fn: Callable, items: Iterable, work: _Work, workers: int, seconds: dict[str, float]) -> Iterator:
    """`fn` over batches of `items`, in order, over `workers` processes (in this process when 1).

    `fn` takes a list of BATCH items and returns (results, stage seconds); results are yielded
    one by one and the seconds added to `seconds`.
    """
    tasks = _batches(items, BATCH)
    if workers <= 1:
        _init_worker(work)
        results = map(fn, tasks)
    else:
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        pool = ctx.Pool(workers, initializer=_init_worker, initargs=(work,))
        results = pool.imap(fn, tasks)
    try:
        for batch, batch_seconds in results:
            for stage, value in batch_seconds.items():
                seconds[stage] = seconds.get(stage, 0.0) + value
            yield from batch
    finally:
        if workers > 1:
            pool.terminate()
            pool.join()


# -- the run ------------------------------------------------------------------------------

def run(inputs: Sequence[str | os.PathLike], out: str | os.PathLike, options: RunOptions = RunOptions()) -> RunResult:
    """Run the pipeline over `inputs` and write OUT/{corpus,manifest,duplicates}.jsonl and report.{md,json}."""
    if not inputs:
        raise DedupeError("no input given")
    out = Path(out)
    _refuse_output_inside_inputs(inputs, out)
    folder = OutputFolder(out, force=options.force)
    try:
        report = _run_into(inputs, folder, options)
    except BaseException:
        folder.abort()
        raise
    folder.commit()
    return RunResult(out, report["counts"], report)


def _refuse_output_inside_inputs(inputs: Sequence[str | os.PathLike], out: Path) -> None:
    target = out.resolve()
    for path in inputs:
        root = Path(path).resolve()
        if root.is_dir() and (target == root or root in target.parents):
            raise DedupeError(f"{out}: the output folder is inside the input folder {path}; choose another place")


def _run_into(inputs: Sequence[str | os.PathLike], folder: OutputFolder, options: RunOptions) -> dict[str, Any]:
    workers = options.worker_count
    bar = dict(unit="doc", disable=not options.progress, file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
    stage_seconds: dict[str, float] = {}  # summed over worker tasks
    wall: dict[str, float] = {}  # wall-clock seconds per pass, in this process
    started = time.perf_counter()

    # pass 1: read, extract, repair; learn per-source lines. Only cleaning needs it: `dedup`
    # reads the inputs straight into pass 2.
    learned = None
    spill1 = folder.path(".pass1.jsonl")
    if options.cleans:
        learner = BoilerplateLearner() if options.learn_boilerplate else None
        with open(spill1, "w", encoding="utf-8") as fh:
            docs = iter_documents(inputs, options.read)
            results = _parallel(_pass1, docs, _Work(options), workers, stage_seconds)
            for doc, features in tqdm(results, desc="read+repair", **bar):
                _warn_if_bad(doc, options.strict, warn_empty=True)
                if learner is not None and features is not None:
                    learner.observe_features(doc.source, features)
                fh.write(dumps(document_to_record(doc)) + "\n")
        learned = learner.finish() if learner is not None else None
        pass2_input: Iterable[Document] = (document_from_record(r) for r in read_jsonl(spill1))
        wall["pass1_read_extract_repair_learn"] = time.perf_counter() - started
    else:
        pass2_input = _checked(iter_documents(inputs, options.read), options.strict)

    # pass 2: chrome, repeats, fingerprints.
    index = NearDuplicateIndex(options.neardup, spill_folder=str(folder.tmp)) if options.dedups else None
    shared = SharedBlockIndex() if options.cleans else None
    spill2 = folder.path(".pass2.jsonl")
    position: list[int] = []  # spill-2 line -> near-duplicate index slot (-1: not indexed)
    keys: list[DocKey] = []  # slot -> the facts the canonical policy needs
    sources: list[str] = []
    try:
        with open(spill2, "w", encoding="utf-8") as fh:
            results = _parallel(_pass2, pass2_input, _Work(options, learned), workers, stage_seconds)
            for doc, fp in tqdm(results, desc="clean+sign" if options.cleans else "read+sign", **bar):
                if doc.status == EMPTY:
                    _warn_if_bad(doc, options.strict, warn_empty=not options.cleans)
                if shared is not None and doc.ok:
                    shared.observe(doc.id, doc.source, doc.text)
                if index is not None and fp is not None:
                    key = DocKey(doc.id, len(doc.text), doc.published, doc.url)
                    position.append(index.add(key, fp))
                    keys.append(key)
                    sources.append(doc.source)
                else:
                    position.append(-1)
                fh.write(dumps(document_to_record(doc)) + "\n")
        if spill1.exists():
            os.unlink(spill1)
        wall["pass2_chrome_repeats_signatures"] = time.perf_counter() - started - sum(wall.values())
        decisions = index.decide(progress=options.progress, workers=workers) if index is not None else []
        wall["near_duplicates_decide"] = time.perf_counter() - started - sum(wall.values())
        index_stats = dict(index.stats) if index is not None else {}
    finally:
        if index is not None:
            index.close()

    # who was merged into whom, and which rule of the canonical policy chose the kept copy
    merged: dict[int, list[Match]] = {}
    runner_up: dict[int, DocKey] = {}
    for slot, decision in enumerate(decisions):
        if decision.canonical != slot:
            key = keys[slot]
            merged.setdefault(decision.canonical, []).append(
                Match(key.id, key.url, sources[slot], decision.jaccard, decision.containment, exact=decision.rule == "exact")
            )
            best = runner_up.get(decision.canonical)
            if best is None or sort_key(key) < sort_key(best):
                runner_up[decision.canonical] = key
    clusters = []
    for slot in sorted(merged, key=lambda s: keys[s].id):
        merged[slot].sort(key=lambda m: (-m.jaccard, m.id))
        clusters.append(Cluster(keys[slot].id, tuple(merged[slot]), decided_by(keys[slot], runner_up[slot])))

    # pass 3: write everything in input order.
    report = ReportBuilder(options, learned=learned, shared=shared, index_stats=index_stats)
    seen_ids: set[str] = set()
    kept_ids: set[str] = set()
    dup_targets: list[str] = []
    with open(folder.path("corpus.jsonl"), "w", encoding="utf-8") as corpus, \
            open(folder.path("manifest.jsonl"), "w", encoding="utf-8") as manifest, \
            open(folder.path("duplicates.jsonl"), "w", encoding="utf-8") as duplicates:
        records = read_jsonl(spill2)
        for doc_record, slot in tqdm(zip(records, position), desc="write", total=len(position), **bar):
            doc = document_from_record(doc_record)
            status, duplicate_of, similarity = _status(doc, slot, decisions, keys)
            if doc.id in seen_ids:
                raise AssertionError(f"manifest would list {doc.id!r} twice")
            seen_ids.add(doc.id)
            if status == KEPT:
                kept_ids.add(doc.id)
                corpus.write(dumps(_corpus_record(doc, merged.get(slot, ()))) + "\n")
            elif status == DUPLICATE:
                dup_targets.append(duplicate_of)
                duplicates.write(dumps({"id": doc.id, "duplicate_of": duplicate_of, "source": doc.source,
                                        "url": doc.url, "text": doc.text}) + "\n")
            manifest.write(dumps(_manifest_record(doc, status, duplicate_of, similarity)) + "\n")
            report.add(doc, status, duplicate_of)
    os.unlink(spill2)
    missing = [t for t in dup_targets if t not in kept_ids]
    if missing:
        raise AssertionError(f"duplicate_of names documents that were not kept: {missing[:3]}")
    wall["pass3_write"] = time.perf_counter() - started - sum(wall.values())
    report.timings = {"wall_seconds": {k: round(v, 3) for k, v in wall.items()},
                      "worker_seconds_by_stage": {k: round(v, 3) for k, v in sorted(stage_seconds.items())},
                      "workers": workers}
    built = report.build(clusters)
    counts = built["counts"]
    if counts["inputs"] != counts["kept"] + counts["duplicate"] + counts["empty"] + counts["error"]:
        raise AssertionError(f"accounting does not add up: {counts}")
    write_text_atomic(folder.path("report.json"), ReportBuilder.to_json(built))
    write_text_atomic(folder.path("report.md"), ReportBuilder.to_markdown(built))
    return built


def _checked(docs: Iterable[Document], strict: bool) -> Iterator[Document]:
    for doc in docs:
        _warn_if_bad(doc, strict, warn_empty=True)
        yield doc


def _warn_if_bad(doc: Document, strict: bool, warn_empty: bool = False) -> None:
    """One line per bad input; empty inputs warn too, documents emptied by cleaning only log."""
    if doc.status == ERROR:
        if strict:
            raise DedupeError(f"{doc.origin}: {doc.reason}")
        log.warning("%s: %s", doc.origin, doc.reason)
    elif doc.status == EMPTY:
        (log.warning if warn_empty else log.info)("%s: %s", doc.origin, doc.reason)


def _status(doc: Document, slot: int, decisions: list, keys: list[DocKey]) -> tuple[str, str | None, dict | None]:
    if doc.status in (ERROR, EMPTY):
        return doc.status, None, None
    if slot < 0 or not decisions:
        return KEPT, None, None
    decision = decisions[slot]
    if decision.canonical == slot:
        return KEPT, None, None
    similarity = {"rule": decision.rule, "jaccard": round(decision.jaccard, 4), "containment": round(decision.containment, 4)}
    return DUPLICATE, keys[decision.canonical].id, similarity


def _corpus_record(doc: Document, matches: Iterable[Match]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": doc.id,
        "text": doc.text,
        "source": doc.source,
        "url": doc.url,
        "title": doc.title,
        "published": doc.published,
        "duplicates": [m.to_json() for m in matches],
    }
    for key, value in doc.extra.items():
        record.setdefault(key, value)
    return record


def _manifest_record(doc: Document, status: str, duplicate_of: str | None, similarity: dict | None) -> dict[str, Any]:
    return {
        "id": doc.id,
        "status": status,
        "reason": doc.reason,
        "duplicate_of": duplicate_of,
        "similarity": similarity,
        "source": doc.source,
        "url": doc.url,
        "origin": doc.origin,
        "encoding": doc.encoding,
        "chars": len(doc.text),
        "removals": [e.to_json() for e in doc.edits],
    }
