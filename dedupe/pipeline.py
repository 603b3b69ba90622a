"""`run()`: the whole flow from input paths to an output folder, streaming and in parallel.

read -> extract HTML -> repair encoding -> strip chrome -> drop repeated blocks -> near-duplicates -> write

Two steps must see the whole corpus before deciding: learned boilerplate (which lines recur
within a source) and near-duplicates. So the run makes three passes, and between them the
documents wait in spill files inside the (temporary) output folder, not in memory:

- pass 1: read, extract, repair (per document, in worker processes, each appending the
  documents to a spill file of its own); the main process feeds each text's line features to
  the BoilerplateLearner and notes where each record lies;
- pass 2: chrome and repeats with the learned lines, then the fingerprints of the batch (worker
  processes, which spill the cleaned documents and the shingle sets themselves); the main
  process adds the rest of the fingerprints to the near-duplicate index;
- decide near-duplicates from the index (band keys and leads in memory, shingle sets on disk;
  candidate pairs verified in worker processes);
- pass 3: the workers turn spilled documents and decisions into corpus, manifest and duplicates
  lines in files of their own; the main process copies them into the outputs in input order
  (`copy_file_range`: in the kernel) and writes the report.

Worker processes get documents in order and return them in order (`imap`), so the output is
the same for any worker count.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

from tqdm import tqdm

from dedupe.canonical import DocKey, decided_by, sort_key
from dedupe.chrome import BoilerplateLearner, LearnedBoilerplate, learner_features
from dedupe.document import DUPLICATE, EMPTY, ERROR, KEPT, OK, Cluster, Document, Match
from dedupe.errors import DedupeError
from dedupe.neardup import FingerprintBatch, NearDupOptions, NearDuplicateIndex, fingerprint_batch
from dedupe.processes import OrderedPool, keep_freed_memory
from dedupe.readers import Pending, ReadOptions, UniqueIds, close_line_files, materialize, scan
from dedupe.repeats import DEFAULT_MIN_SPAN_WORDS, SharedBlockIndex, paragraph_keys
from dedupe.shingles import paragraph_token_hashes
from dedupe.report import ReportBuilder
from dedupe.stages import DropRepeats, ExtractHtml, RepairEncoding, StripChrome, empty
from dedupe.writers import OutputFolder, document_from_record, document_to_record, dumpb, loads, write_text_atomic

log = logging.getLogger("dedupe")

MODES = ("run", "clean", "dedup")
BATCH = 64  # documents per worker task: enough to vectorise signatures, small enough to stream
# An HTML page costs trafilatura some 20-60 ms, as much as a few dozen plain-text documents cost
# every stage: a task holds BATCH // HTML_WEIGHT pages, so that a folder of a hundred pages keeps
# every worker busy instead of handing one of them 64 pages and the other the rest.
HTML_WEIGHT = 16


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
#
# The main process only routes: it scans the inputs (file names, raw JSONL lines), hands
# batches to the workers, feeds what comes back into the corpus-wide structures (ids, learned
# lines, the near-duplicate index) and copies ready-made lines into the outputs. Parsing, decoding,
# every stage, the JSON of the spill files and of the output are all done in the workers, which
# also write those bytes to files of their own: with two cores, each per-document millisecond
# left in the main process was one the workers lost.

@dataclass(frozen=True)
class _Work:
    options: RunOptions
    learned: LearnedBoilerplate | None = None
    folder: str = ""  # the run's temporary folder, where workers write their files
    spills: tuple[str, ...] = ()  # the files this pass reads documents from (`_Locations.paths`)


_work: _Work | None = None  # set once in each worker process by _init_worker


def _init_worker(work: _Work) -> None:
    global _work
    _work = work


def _start_worker(work: _Work) -> None:
    """A worker process's setup (not the caller's process, when it runs the work itself)."""
    keep_freed_memory()
    _init_worker(work)


class _Done(NamedTuple):
    """What a worker sends back about one document: its spill record and what the main process needs."""

    record: bytes | tuple[int, int]  # the document after this pass as a spill record; once
    # the worker has written it (`_ship`), its (offset, size) in the batch's spill file
    id: str
    origin: str
    source: str
    url: str | None
    published: str | None
    status: str
    reason: str | None
    length: int  # characters of text
    extra: Any = None  # pass 1: LearnerFeatures; pass 2: the shared-block keys of its paragraphs


def _spill_record(doc: Document) -> bytes:
    """A document for the spill files between passes (JSON, one record per frame)."""
    return dumpb(document_to_record(doc))


def _done(doc: Document, extra: Any = None) -> _Done:
    return _Done(_spill_record(doc), doc.id, doc.origin, doc.source, doc.url, doc.published,
                 doc.status, doc.reason, len(doc.text), extra)


def _document(item: Any) -> Document:
    """A pass's input as a Document: the (file, offset, size) of a spill record of the pass
    before, read here, or an item of `scan`."""
    assert _work is not None
    if isinstance(item, (Pending, Document)):
        return materialize(item, _work.options.read)
    number, offset, size = item
    return document_from_record(loads(_read_spill(_work.spills[number], offset, size)))


def _pass1(items: list) -> tuple[tuple[str, list[_Done]], None, dict[str, float]]:
    """Read, extract and repair a batch, with what the boilerplate learner needs of each document."""
    assert _work is not None
    clock = _StageClock()
    extract, repair = ExtractHtml(), RepairEncoding()
    docs = [clock.time("read", _document, item) for item in items]
    docs = [clock.time("extract", extract.apply, d) if d.ok and d.content_type == "html" else d for d in docs]
    docs = [clock.time("encoding", repair.apply, d) if d.ok else d for d in docs]
    learn = _work.options.learn_boilerplate
    done = [_done(d, clock.time("learn", learner_features, d.text) if learn and d.ok else None) for d in docs]
    return _ship(done, "pass1"), None, clock.seconds


def _pass2(items: list) -> tuple[tuple[str, list[_Done]], FingerprintBatch | None, dict[str, float]]:
    """Chrome and repeats per document, then the fingerprints of the batch's documents that are
    still ok, in order (row k of the batch is the k-th such document); their shingle sets go
    to this process's file for the near-duplicate index, not back through the pipe."""
    assert _work is not None
    options = _work.options
    clock = _StageClock()
    docs = [clock.time("read", _document, item) for item in items]
    if options.cleans:
        chrome, repeats = StripChrome(_work.learned), DropRepeats(options.min_span_words)
        docs = [clock.time("chrome", chrome.apply, d) if d.ok else d for d in docs]
        docs = [clock.time("repeats", repeats.apply, d) if d.ok else d for d in docs]
    else:
        docs = [empty(d, "empty_input (no text)") if d.ok and not d.text.strip() else d for d in docs]
    # each final text's words hashed once, for its shared-paragraph keys and its signature
    words = [clock.time("signatures", paragraph_token_hashes, d.text) if options.cleans and d.ok else None
             for d in docs]
    batch = None
    if options.dedups:
        hashed = [w for d, w in zip(docs, words) if d.ok] if options.cleans else None
        batch = clock.time("signatures", fingerprint_batch, [d.text for d in docs if d.ok], options.neardup, False, hashed)
        path, offset = _append_shard(_work.folder, "shingles", batch.shingles.tobytes())
        batch = dataclasses.replace(batch, shingles=batch.shingles[:0], shingle_file=path, shingle_offset=offset)
    shared = [paragraph_keys(d.text, w) if w is not None else None for d, w in zip(docs, words)]
    return _ship([_done(d, keys) for d, keys in zip(docs, shared)], "pass2"), batch, clock.seconds


def _ship(done: list[_Done], name: str) -> tuple[str, list[_Done]]:
    """Write the batch's records to this process's spill file `name`: (that file, the batch
    with each record replaced by its (offset, size) there)."""
    assert _work is not None
    path, offset = _append_shard(_work.folder, name, b"".join(d.record for d in done))
    shipped = []
    for d in done:
        size = len(d.record)
        shipped.append(d._replace(record=(offset, size)))
        offset += size
    return path, shipped


class _Verdict(NamedTuple):
    """What the near-duplicate stage decided for one spilled document that was not simply kept
    (None: kept alone, or decided by its own status). A tuple: one travels to a worker for
    every duplicate and every kept copy of one."""

    duplicate_of: str | None = None
    similarity: dict | None = None
    matches: tuple[Match, ...] = ()


_OUTPUTS = ("corpus.jsonl", "manifest.jsonl", "duplicates.jsonl")


def _pass3(items: list[tuple[tuple[int, int, int], _Verdict | None]]) -> tuple[tuple[list, list, ReportBuilder], None, dict]:
    """The output lines of a batch, written to this process's files (one per output): where
    each output's lines lie, what each document became, and the report's counts for the batch."""
    clock = _StageClock()
    corpus, manifest, duplicates, outcomes = [], [], [], []
    report = ReportBuilder(None)
    start = time.perf_counter()
    for frame, verdict in items:
        doc = _document(frame)
        if doc.status in (ERROR, EMPTY):
            status, duplicate_of, similarity = doc.status, None, None
        elif verdict is None or verdict.duplicate_of is None:
            status, duplicate_of, similarity = KEPT, None, None
            corpus.append(dumpb(_corpus_record(doc, verdict.matches if verdict else ())) + b"\n")
        else:
            status, duplicate_of, similarity = DUPLICATE, verdict.duplicate_of, verdict.similarity
            duplicates.append(dumpb({"id": doc.id, "duplicate_of": duplicate_of, "source": doc.source,
                                     "url": doc.url, "text": doc.text}) + b"\n")
        manifest.append(dumpb(_manifest_record(doc, status, duplicate_of, similarity)) + b"\n")
        outcomes.append((doc.id, status, duplicate_of))
        report.add(doc, status, duplicate_of)
    assert _work is not None
    placed = []
    for name, lines in zip(_OUTPUTS, (corpus, manifest, duplicates)):
        data = b"".join(lines)
        placed.append((*_append_shard(_work.folder, name, data), len(data)))
    clock.seconds["write"] = time.perf_counter() - start
    return (placed, outcomes, report), None, clock.seconds


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
    """`items` in lists of `size`, an HTML page counting as HTML_WEIGHT items."""
    batch: list = []
    weight = 0
    for item in items:
        batch.append(item)
        weight += HTML_WEIGHT if isinstance(item, Pending) and item.kind == "html" else 1
        if weight >= size:
            yield batch
            batch = []
            weight = 0
    if batch:
        yield batch


def _parallel(fn: Callable, items: Iterable, work: _Work, workers: int, seconds: dict[str, float]) -> Iterator:
    """`fn` over batches of `items`, in order, over `workers` processes (in this process when 1).

    `fn` takes a list of BATCH items and returns (results, batch extra, stage seconds); each
    (results, batch extra) is yielded in order and the seconds added to `seconds`.
    """
    tasks = _batches(items, BATCH)
    if workers <= 1:
        _init_worker(work)
        results = map(fn, tasks)
    else:
        pool = OrderedPool(workers, _start_worker, (work,))
        results = pool.imap(fn, tasks)
    try:
        for batch, extra, batch_seconds in results:
            for stage, value in batch_seconds.items():
                seconds[stage] = seconds.get(stage, 0.0) + value
            yield batch, extra
    finally:
        if workers > 1:
            pool.terminate()
        _close_spills()  # read in this process when workers <= 1


_shards: dict[str, list[int]] = {}  # file this process appends to -> [descriptor, size]
_spill_fds: dict[str, int] = {}  # file this process reads -> its descriptor


def _append_shard(folder: str, name: str, data: bytes) -> tuple[str, int]:
    """Append `data` to this process's own file for `name` in `folder` (".NAME.PID", a name that
    `_remove_scratch` removes): (its path, the offset the data starts at). One writer per file,
    so no locking; unbuffered, so a worker ended by `Pool.terminate` has lost nothing."""
    path = os.path.join(folder, f".{name}.{os.getpid()}")
    shard = _shards.get(path)
    if shard is None:
        shard = _shards[path] = [os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 0]
    start = shard[1]
    view = memoryview(data)
    while view:
        view = view[os.write(shard[0], view):]
    shard[1] += len(data)
    return path, start


def _close_spills() -> None:
    close_line_files()
    while _spill_fds:
        os.close(_spill_fds.popitem()[1])
    while _shards:
        os.close(_shards.popitem()[1][0])


def _read_spill(path: str | None, offset: int, size: int) -> bytes:
    assert path is not None
    fd = _spill_fds.get(path)
    if fd is None:
        fd = _spill_fds[path] = os.open(path, os.O_RDONLY)
    return os.pread(fd, size, offset)


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


def _admitted(done: _Done, ids: UniqueIds | None) -> _Done:
    """`done`, or the error that replaces it when its id was seen before (only the pass that
    reads the inputs checks ids)."""
    if ids is None:
        return done
    key, reason = ids.admit(done.id, done.origin)
    if reason is None:
        return done
    return _done(Document(id=key, text="", source=done.source, url=done.url, origin=done.origin,
                          status=ERROR, reason=reason))


class _Locations:
    """Where each document's record of a pass lies, in input order: (file number, offset, size),
    in three integer arrays (24 bytes a document) and the list of files."""

    def __init__(self, folder: str, name: str) -> None:
        self.folder, self.name = folder, name
        self.paths: list[str] = []
        self._numbers: dict[str, int] = {}
        self._columns = (array("q"), array("q"), array("q"))

    def add_batch(self, path: str, done_batch: list[_Done], ids: UniqueIds | None) -> list[_Done]:
        """Note where each record of a worker's batch lies; returns the batch, with a document
        whose id was seen before replaced by its error (spilled here, in this process's file)."""
        number = self._number(path)
        placed = []
        for done in done_batch:
            replaced = _admitted(done, ids)
            if replaced is done:
                self._append(number, *done.record)
            else:
                own, offset = _append_shard(self.folder, self.name, replaced.record)
                self._append(self._number(own), offset, len(replaced.record))
            placed.append(replaced)
        return placed

    def _number(self, path: str) -> int:
        number = self._numbers.get(path)
        if number is None:
            number = self._numbers[path] = len(self.paths)
            self.paths.append(path)
        return number

    def _append(self, number: int, offset: int, size: int) -> None:
        files, offsets, sizes = self._columns
        files.append(number)
        offsets.append(offset)
        sizes.append(size)

    def __len__(self) -> int:
        return len(self._columns[0])

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return zip(*self._columns)

    def remove_files(self) -> None:
        for path in self.paths:
            os.unlink(path)


def _copy_range(source: int, target: int, offset: int, size: int) -> None:
    """Append `size` bytes of file `source` from `offset` on to file `target` (in the kernel
    where the platform can: `os.copy_file_range`)."""
    while size > 0:
        try:
            copied = os.copy_file_range(source, target, size, offset)
        except (AttributeError, OSError):  # not Linux, or a file system that cannot
            copied = os.write(target, os.pread(source, min(size, 1 << 24), offset))
        if copied <= 0:
            raise OSError(f"could not copy {size} bytes at {offset} into the output")
        offset += copied
        size -= copied


def _remove_scratch(folder: Path) -> None:
    """The workers' files left in the output folder (a worker's shingle file, say, when none of
    its documents was indexed): every name starting with "." there is one of ours."""
    for entry in os.scandir(folder):
        if entry.name.startswith(".") and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)


def _run_into(inputs: Sequence[str | os.PathLike], folder: OutputFolder, options: RunOptions) -> dict[str, Any]:
    workers = options.worker_count
    bar = dict(unit="doc", disable=not options.progress, file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
    stage_seconds: dict[str, float] = {}  # summed over worker tasks
    wall: dict[str, float] = {}  # wall-clock seconds per pass, in this process
    started = time.perf_counter()
    scanned = scan(inputs, options.read)  # raises at once for a path that does not exist
    if workers > 1:
        _load_kernels(options)

    # pass 1: read, extract, repair; learn per-source lines. Only cleaning needs it: `dedup`
    # reads the inputs straight into pass 2.
    learned = None
    tmp = str(folder.tmp)
    spilled1 = _Locations(tmp, "pass1")
    if options.cleans:
        learner = BoilerplateLearner() if options.learn_boilerplate else None
        ids = UniqueIds()
        with tqdm(desc="read+repair", **bar) as progress:
            for (path, done_batch), _ in _parallel(_pass1, scanned, _Work(options, folder=tmp), workers, stage_seconds):
                for done in spilled1.add_batch(path, done_batch, ids):
                    _warn_if_bad(done, options.strict, warn_empty=True)
                    if learner is not None and done.extra is not None and done.status == OK:
                        learner.observe_features(done.source, done.extra)
                progress.update(len(done_batch))
        learned = learner.finish() if learner is not None else None
        pass2_input: Iterable = iter(spilled1)
        wall["pass1_read_extract_repair_learn"] = time.perf_counter() - started
    else:
        pass2_input = scanned

    # pass 2: chrome, repeats, fingerprints.
    index = NearDuplicateIndex(options.neardup, spill_folder=str(folder.tmp)) if options.dedups else None
    shared = SharedBlockIndex() if options.cleans else None
    ids = None if options.cleans else UniqueIds()
    spilled2 = _Locations(tmp, "pass2")
    position = array("q")  # spill-2 record -> near-duplicate index slot (-1: not indexed)
    keys: list[DocKey] = []  # slot -> the facts the canonical policy needs
    sources: list[str] = []
    try:
        work2 = _Work(options, learned, tmp, tuple(spilled1.paths))
        with tqdm(desc="clean+sign" if options.cleans else "read+sign", **bar) as progress:
            for (path, done_batch), fingerprints in _parallel(_pass2, pass2_input, work2, workers, stage_seconds):
                rows: list[int] = []  # rows of `fingerprints` to index
                row_keys: list[DocKey] = []
                row = 0  # fingerprints hold a row for each document that was ok in the worker
                for signed, done in zip([d.status == OK for d in done_batch], spilled2.add_batch(path, done_batch, ids)):
                    if done.status == EMPTY:
                        _warn_if_bad(done, options.strict, warn_empty=not options.cleans)
                    elif done.status == ERROR and ids is not None:
                        _warn_if_bad(done, options.strict)
                    if shared is not None and done.status == OK:
                        shared.observe_keys(done.id, done.source, done.extra)
                    if index is not None and done.status == OK:
                        key = DocKey(done.id, done.length, done.published, done.url)
                        position.append(len(index) + len(rows))
                        rows.append(row)
                        row_keys.append(key)
                        keys.append(key)
                        sources.append(sys.intern(done.source))  # a few sites, a million documents
                    else:
                        position.append(-1)
                    row += signed
                if index is not None and fingerprints is not None:
                    index.add_batch(row_keys, fingerprints, rows)
                progress.update(len(done_batch))
        spilled1.remove_files()
        wall["pass2_chrome_repeats_signatures"] = time.perf_counter() - started - sum(wall.values())
        decisions = index.decide(progress=options.progress, workers=workers) if index is not None else []
        wall["near_duplicates_decide"] = time.perf_counter() - started - sum(wall.values())
        index_stats = dict(index.stats) if index is not None else {}
        decide_seconds = dict(index.seconds) if index is not None else {}
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

    # pass 3: write everything in input order (the lines are made in the workers).
    report = ReportBuilder(options, learned=learned, shared=shared, index_stats=index_stats)
    seen_ids: set[str] = set()
    kept_ids: set[str] = set()
    dup_targets: list[str] = []
    verdicts = (_verdict(slot, decisions, keys, merged) for slot in position)
    outputs = [os.open(folder.path(name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) for name in _OUTPUTS]
    readers: dict[str, int] = {}  # the workers' output files, open for reading here
    try:
        with tqdm(desc="write", total=len(position), **bar) as progress:
            items = zip(spilled2, verdicts)
            for (placed, outcomes, tally), _ in _parallel(
                    _pass3, items, _Work(options, folder=tmp, spills=tuple(spilled2.paths)), workers, stage_seconds):
                for target, (path, offset, size) in zip(outputs, placed):
                    if path not in readers:
                        readers[path] = os.open(path, os.O_RDONLY)
                    _copy_range(readers[path], target, offset, size)
                report.merge(tally)
                for doc_id, status, duplicate_of in outcomes:
                    if doc_id in seen_ids:
                        raise AssertionError(f"manifest would list {doc_id!r} twice")
                    seen_ids.add(doc_id)
                    if status == KEPT:
                        kept_ids.add(doc_id)
                    elif status == DUPLICATE:
                        dup_targets.append(duplicate_of)
                progress.update(len(outcomes))
    finally:
        for fd in outputs + list(readers.values()):
            os.close(fd)
    for path in readers:
        os.unlink(path)
    spilled2.remove_files()
    missing = [t for t in dup_targets if t not in kept_ids]
    if missing:
        raise AssertionError(f"duplicate_of names documents that were not kept: {missing[:3]}")
    wall["pass3_write"] = time.perf_counter() - started - sum(wall.values())
    report.timings = {"wall_seconds": {k: round(v, 3) for k, v in wall.items()},
                      "worker_seconds_by_stage": {k: round(v, 3) for k, v in sorted(stage_seconds.items())},
                      "near_duplicates_decide_seconds": decide_seconds,
                      "workers": workers}
    built = report.build(clusters)
    counts = built["counts"]
    if counts["inputs"] != counts["kept"] + counts["duplicate"] + counts["empty"] + counts["error"]:
        raise AssertionError(f"accounting does not add up: {counts}")
    write_text_atomic(folder.path("report.json"), ReportBuilder.to_json(built))
    write_text_atomic(folder.path("report.md"), ReportBuilder.to_markdown(built))
    _remove_scratch(folder.tmp)
    return built


def _load_kernels(options: RunOptions) -> None:
    """Load the compiled kernels the workers run into this process before it forks them.

    Loading numba's cached machine code costs a process about a second (most of it setting up
    numba's compiler target, once per process); loaded here, each forked worker inherits it
    instead of paying it again, and the near-duplicate stage here finds the target ready."""
    fingerprint_batch(["kernels load once"], options.neardup)


def _verdict(slot: int, decisions: list, keys: list[DocKey], merged: dict[int, list[Match]]) -> _Verdict | None:
    if slot < 0 or not decisions:
        return None
    decision = decisions[slot]
    if decision.canonical == slot:
        matches = merged.get(slot)
        return _Verdict(matches=tuple(matches)) if matches else None
    similarity = {"rule": decision.rule, "jaccard": round(decision.jaccard, 4), "containment": round(decision.containment, 4)}
    return _Verdict(keys[decision.canonical].id, similarity)


def _warn_if_bad(doc: Document | _Done, strict: bool, warn_empty: bool = False) -> None:
    """One line per bad input; empty inputs warn too, documents emptied by cleaning only log."""
    if doc.status == ERROR:
        if strict:
            raise DedupeError(f"{doc.origin}: {doc.reason}")
        log.warning("%s: %s", doc.origin, doc.reason)
    elif doc.status == EMPTY:
        (log.warning if warn_empty else log.info)("%s: %s", doc.origin, doc.reason)


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
