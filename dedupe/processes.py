"""Setup shared by the worker processes of the pipeline and of the near-duplicate decision."""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.pool
import sys

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 32 << 20  # the largest glibc accepts
_TRIM_THRESHOLD = 256 << 20


def keep_freed_memory() -> None:
    """Let this process reuse the memory it frees instead of returning it to the system.

    A worker allocates and frees the same few arrays of 0.1-5 MB for every batch. By default
    glibc serves each from fresh pages (mmap) and hands them back on free, so every batch
    page-faults its arrays in again: a third of a second of system time per 10,000 documents
    fingerprinted, a tenth of the whole. A worker's arrays are small, so keeping up to 256 MB
    of freed heap costs little. Elsewhere than glibc nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):  # musl and other C libraries without mallopt
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)


class WorkerPool(multiprocessing.pool.Pool):
    """multiprocessing's Pool, less a busy loop.

    Pool's worker-handler thread waits on the result pipe besides the workers and its own
    notifier, so from the moment a worker sends a result until the result-handler thread has
    read it, that wait returns at once and the thread spins (polling every worker). With two
    cores and a task every few milliseconds it burnt ~2 s of CPU per 100,000 documents that the
    workers needed. The handler only has to wake for a worker that exits (its own sentinels),
    for close/terminate and for the last task done (the notifier): what ThreadPool already waits on.
    """

    def _get_sentinels(self) -> list:
        notifier = getattr(self, "_change_notifier", None)
        return [notifier._reader] if notifier is not None else super()._get_sentinels()


def worker_pool(workers: int, initializer=None, initargs: tuple = (), method: str | None = None) -> WorkerPool:
    """A WorkerPool of `workers` processes started by `method`: by default forked on Linux (they
    inherit the parent's read-only state), spawned elsewhere."""
    method = method or ("fork" if sys.platform.startswith("linux") else "spawn")
    return WorkerPool(workers, initializer=initializer, initargs=initargs, context=multiprocessing.get_context(method))
