"""Worker processes for the pipeline and the near-duplicate decision: the pools and their setup."""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import sys
import traceback
from collections import deque
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler
from typing import Any, Callable, Iterable, Iterator

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


class OrderedPool:
    """`fn` over tasks in worker processes, results in task order, with every exchange done on
    the calling thread.

    multiprocessing's Pool feeds and drains its workers from two threads of the parent: with
    two cores they fought the parent's own thread for the interpreter lock and cost it ~2 s of
    CPU per 100,000 documents (half of it system time); its third, the worker handler, spun
    while a result waited in the pipe (1.8 s of CPU per 3,000 short tasks). Here the caller's thread sends each
    worker up to AHEAD tasks (more than one only when the next fits the socket's buffer, so
    that parent and worker never both block sending), and waits on the workers' sockets and
    process sentinels together: a worker that dies is an error, not a hang. An exception raised
    by `fn` is raised again here, at its task. Tasks still out when the caller stops iterating
    or an exception is raised stay with the workers: end the pool then (`terminate`).
    """

    AHEAD = 2  # tasks a worker holds: the next one waits while it works on the first
    SMALL = 1 << 16  # bytes of a pickled task that may wait in the socket behind another (its buffer: ~200 KB)
    LEAD = 64  # tasks done ahead of the one the caller waits for, at most, per worker

    def __init__(self, workers: int, initializer=None, initargs: tuple = (), method: str | None = None) -> None:
        method = method or ("fork" if sys.platform.startswith("linux") else "spawn")
        context = multiprocessing.get_context(method)
        self._conns: list = []
        self._procs: list = []
        for _ in range(workers):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, initializer, initargs), daemon=True)
            process.start()
            theirs.close()
            self._conns.append(ours)
            self._procs.append(process)

    def imap(self, fn: Callable, tasks: Iterable) -> Iterator:
        source = iter(tasks)
        sent: list[deque[int]] = [deque() for _ in self._conns]  # the tasks each worker holds, in order
        done: dict[int, Any] = {}  # results that came before their turn
        held: tuple[int, bytes] | None = None  # the next task, pickled, not sent yet
        numbered = next_out = 0
        exhausted = False
        while True:
            for w, conn in enumerate(self._conns):
                while len(sent[w]) < self.AHEAD and numbered - next_out < self.LEAD * len(self._conns):
                    if held is None:
                        try:
                            held = (numbered, ForkingPickler.dumps((fn, next(source))))
                        except StopIteration:
                            exhausted = True
                            break
                        numbered += 1
                    if sent[w] and len(held[1]) > self.SMALL:
                        break  # a large task goes to an idle worker only
                    conn.send_bytes(held[1])
                    sent[w].append(held[0])
                    held = None
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if exhausted and held is None and not any(sent):
                return
            busy = [conn for w, conn in enumerate(self._conns) if sent[w]]
            ready = wait(busy + [p.sentinel for p in self._procs])
            answered = False
            for w, conn in enumerate(self._conns):
                if sent[w] and conn in ready:
                    try:
                        reply = conn.recv_bytes()
                    except (EOFError, OSError):  # it died: its end of the socket closed
                        self._procs[w].join(5)
                        raise RuntimeError(f"a worker process ended unexpectedly (exit code {self._procs[w].exitcode})") from None
                    ok, value, trace = ForkingPickler.loads(reply)
                    if not ok:
                        raise value from RuntimeError(f"in a worker process:\n{trace}")
                    done[sent[w].popleft()] = value
                    answered = True
            if not answered:
                for process in self._procs:
                    if process.exitcode is not None:
                        raise RuntimeError(f"a worker process ended unexpectedly (exit code {process.exitcode})")

    def close(self) -> None:
        """Let the workers finish (they stop at the end of their input) and wait for them."""
        for conn in self._conns:
            conn.close()
        for process in self._procs:
            process.join()

    def terminate(self) -> None:
        for process in self._procs:
            if process.exitcode is None:
                process.terminate()
        for process in self._procs:
            process.join()
        for conn in self._conns:
            conn.close()


def _serve(conn, initializer, initargs: tuple) -> None:
    """A worker of OrderedPool: (fn, task) in, (ok, result or exception, traceback) out, until
    the parent closes its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle: it ends the workers
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            fn, task = ForkingPickler.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            reply = ForkingPickler.dumps((True, fn(task), ""))
        except Exception as err:  # raised again in the parent; an exception that cannot be pickled, as text
            trace = traceback.format_exc()
            try:
                reply = ForkingPickler.dumps((False, err, trace))
            except Exception:
                reply = ForkingPickler.dumps((False, RuntimeError(f"{type(err).__name__}: {err}"), trace))
        conn.send_bytes(reply)
