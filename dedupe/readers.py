"""Read documents from folders of .txt/.html files and from JSONL, each format one small function.

A file that cannot be read or decoded does not stop the run: it is yielded as a Document with
status "error" and the reason, so the manifest accounts for it. Only the user's own mistakes
(a path that does not exist) raise DedupeError.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import re
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, NamedTuple
from urllib.parse import urlsplit

import orjson

from dedupe.document import ERROR, Document, Edit
from dedupe.encoding import Decoded, NotText, decode_bytes
from dedupe.errors import DedupeError

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
_ALL_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES

#: The largest document read, in bytes: a file, a decompressed .gz, one JSONL line. The largest page
#: in the dev sets is 0.65 MB of HTML. Every stage is linear, at about 7 µs per character on one core
#: (chrome 2.7, fingerprints 3.4, repeats 0.7, repair 0.2), so a 5 MiB document holds a worker for
#: ~35 s, and a 50 MB log or database dump would hold it for six minutes. Larger inputs become
#: `error` documents with the reason; a gzip bomb is stopped after this many bytes.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

# A JSON "\ud800"-style escape: json.loads pairs valid surrogates itself, so a surrogate left in a
# decoded string is a lone one, which cannot be written as UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


# News metadata is a few levels deep. A record nested deeper than this is refused: its extra fields
# travel to worker processes by pickle and into the spill files by json.dumps, and both recurse (a
# record nested 990 levels deep, which json.loads still reads, crashed the run while pickling).
MAX_JSON_DEPTH = 64


def _refuse_constant(name: str) -> None:
    """NaN and Infinity are not JSON; passed through they would make the corpus unreadable elsewhere."""
    raise ValueError(f"{name} is not a JSON value")


class _Refused(ValueError):
    """A file we will not read (too large, not a regular file); the message says why."""


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Which JSONL fields hold what; the defaults match the common `{"id","text","url","source"}`."""

    id_field: str = "id"
    text_field: str = "text"
    url_field: str = "url"
    source_field: str = "source"
    title_field: str = "title"
    published_field: str = "published"
    max_bytes: int = MAX_DOCUMENT_BYTES  # larger documents are errors; 0: no limit

    def __post_init__(self) -> None:
        for name in ("id_field", "text_field", "url_field", "source_field"):
            if not getattr(self, name):
                raise ValueError(f"{name} must be a non-empty field name")
        if self.max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0 (0: no limit; default {MAX_DOCUMENT_BYTES})")


def iter_documents(paths: Iterable[str | os.PathLike], options: ReadOptions = ReadOptions()) -> Iterator[Document]:
    """Every document under `paths` in a fixed order: paths as given, folders sorted recursively.

    Two documents with the same id: the second is yielded as an error naming both places
    (and keyed by its own origin so that the manifest still lists it once). Every id yielded
    is unique, whatever the input holds. A path that does not exist raises DedupeError at once,
    before anything is read (not at the first `next`), so a run stops before it starts.
    """
    pending = scan(paths, options)
    return unique_ids(_materialized(pending, options))


def _materialized(pending: Iterator["Pending | Document"], options: ReadOptions) -> Iterator[Document]:
    try:
        for item in pending:
            yield materialize(item, options)
    finally:
        close_line_files()


def scan(paths: Iterable[str | os.PathLike], options: ReadOptions = ReadOptions()) -> Iterator["Pending | Document"]:
    """The cheap half of reading, in input order: what each document will be read from (a
    `Pending`: a file to read, a JSONL line to parse), or a ready error Document (a record
    too large, an unreadable file). `materialize` does the expensive half, in any process.
    Raises DedupeError at once for a path that does not exist.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise DedupeError(f"{path}: no such file or folder")
    return (item for path in paths for item in _iter_path(path, options))


class Pending(NamedTuple):
    """A document not read yet: a file, or one JSONL line (a tuple: ~4x cheaper to make and to
    send to a worker than a dataclass, and a run makes one per document).

    A line of a plain JSONL file is only its place (`offset`, `size`): the process that parses
    it reads it there, so the text does not travel from the scanning process to the workers
    through a pipe (with two cores, that copy cost the workers a fifth of their time). A line of
    a gzipped file, where no offset can be read directly, carries its bytes (`data`).
    """

    kind: str  # "text", "html", "jsonl"
    name: str  # the id (files); the file's name (JSONL: a record without an id gets "name:line")
    origin: str  # the file (JSONL: the record is at "origin:line")
    fallback_source: str
    path: str = ""
    gzipped: bool = False
    data: bytes | None = None
    offset: int = 0
    size: int = 0
    line: int = 0  # JSONL: the line number, from 1


def materialize(item: "Pending | Document", options: ReadOptions = ReadOptions()) -> Document:
    """The Document a `scan` item stands for: the file read and decoded, or the line parsed."""
    if isinstance(item, Document):
        return item
    if item.kind == "jsonl":
        fallback_id, origin = f"{item.name}:{item.line}", f"{item.origin}:{item.line}"
        try:
            raw = item.data if item.data is not None else _read_line(item.path, item.offset, item.size)
        except OSError as err:
            return _error(fallback_id, origin, item.fallback_source, f"reading stopped: {_describe(err)}")
        return _jsonl_record(raw, fallback_id, origin, item.fallback_source, options)
    try:
        decoded = decode_bytes(_read_bytes(Path(item.path), item.gzipped, options.max_bytes))
    except (OSError, EOFError, zlib.error, NotText, _Refused) as err:
        return _error(item.name, item.origin, item.fallback_source, _describe(err))
    return Document(
        id=item.name,
        text=decoded.text,
        content_type=item.kind,
        source=item.fallback_source,
        origin=item.origin,
        encoding=decoded.encoding,
        edits=_replacement_edits(decoded),
    )


class UniqueIds:
    """The ids seen so far in a run: a repeated id makes its document an error naming both places."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def admit(self, doc_id: str, origin: str) -> tuple[str, str | None]:
        """(the key to list the document under, the error reason or None when the id is new)."""
        first = self._seen.get(doc_id)
        if first is None:
            self._seen[doc_id] = origin
            return doc_id, None
        reason = f"duplicate id {doc_id!r}: first at {first}, again at {origin}"
        # keyed by its origin, which a record may also use as its id: then a suffix keeps it unique
        key, n = origin, 1
        while key in self._seen:
            n += 1
            key = f"{origin}#{n}"
        self._seen[key] = origin
        return key, reason

    def check(self, doc: Document) -> Document:
        """`doc`, or the error Document that replaces it when its id was seen before."""
        key, reason = self.admit(doc.id, doc.origin)
        if reason is None:
            return doc
        return Document(id=key, text="", source=doc.source, url=doc.url, origin=doc.origin, status=ERROR, reason=reason)


def unique_ids(docs: Iterable[Document]) -> Iterator[Document]:
    ids = UniqueIds()
    return (ids.check(doc) for doc in docs)


def format_of(path: Path) -> tuple[str, bool] | None:
    """("text"|"html"|"jsonl", gzipped) for a file name we read, else None."""
    name = path.name.lower()
    gzipped = name.endswith(".gz")
    if gzipped:
        name = name[:-3]
    for suffix in _ALL_SUFFIXES:
        if name.endswith(suffix):
            kind = "jsonl" if suffix in JSONL_SUFFIXES else "html" if suffix in HTML_SUFFIXES else "text"
            return kind, gzipped
    return None


def file_id(relative: Path) -> str:
    """A file's id: its path relative to the input folder without format and compression suffixes."""
    name = relative.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    for suffix in _ALL_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return (relative.parent / name).as_posix()


def source_from(value: Any, url: str | None, fallback: str) -> str:
    """The site: the source field (a URL there stands for its host), else the URL's host, else `fallback`."""
    if isinstance(value, str) and value.strip():
        value = value.strip()
        host = _host(value) if "://" in value else None
        return host or value
    return (_host(url) if url else None) or fallback


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _iter_path(path: Path, options: ReadOptions) -> Iterator[Pending | Document]:
    if path.is_dir():
        for file, relative in _walk(path):
            yield from _read_file(file, relative, path.resolve().name, options)
    else:
        yield from _read_file(path, Path(path.name), path.resolve().parent.name, options, given=True)


def _walk(root: Path) -> list[tuple[Path, Path]]:
    """Files below `root` sorted by relative path; symlinked folders are followed once, so loops end."""
    visited: set[str] = set()
    found: list[tuple[str, Path]] = []

    def unreadable(err: OSError) -> None:
        if err.filename:
            found.append((Path(err.filename).relative_to(root).as_posix(), Path(err.filename)))

    for folder, dirnames, filenames in os.walk(root, followlinks=True, onerror=unreadable):
        real = os.path.realpath(folder)
        if real in visited:
            dirnames[:] = []
            continue
        visited.add(real)
        for name in filenames:
            child = Path(folder, name)
            found.append((child.relative_to(root).as_posix(), child))
    return [(file, Path(relative)) for relative, file in sorted(found)]


def _read_file(path: Path, relative: Path, folder_name: str, options: ReadOptions, given: bool = False) -> Iterator[Pending | Document]:
    fmt = format_of(path)
    parent = relative.parent.as_posix()
    fallback_source = _printable(folder_name if parent in ("", ".") else parent)
    origin = _printable(str(path))
    if fmt is None:
        # A file of another kind inside a folder is not a document (a README, an image);
        # named on the command line, or unreadable, it is reported.
        if given or not path.exists() or path.is_dir():
            yield _error(_printable(relative.as_posix()), origin, fallback_source, _unreadable_reason(path))
        return
    kind, gzipped = fmt
    if kind == "jsonl":
        yield from _read_jsonl(path, relative, fallback_source, gzipped, options)
        return
    yield Pending(kind, _printable(file_id(relative)), origin, fallback_source, str(path), gzipped)


def _replacement_edits(decoded: Decoded) -> tuple[Edit, ...]:
    """Bytes lost in decoding are said in the manifest, not silently replaced."""
    if not decoded.replaced:
        return ()
    return (Edit("encoding", "invalid_bytes_replaced", f"{decoded.replaced} invalid byte sequence(s) replaced by U+FFFD"),)


def _printable(name: str) -> str:
    """A file name as text that can be written as UTF-8: undecodable bytes become `\\xNN`."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _unreadable_reason(path: Path) -> str:
    if path.is_symlink() and not path.exists():
        return "broken symbolic link (or a link loop)"
    if path.is_dir():
        return "folder cannot be read (permission denied)"
    return f"not a readable input format (expected {', '.join(_ALL_SUFFIXES)}, optionally .gz)"


def _check_regular(path: Path, limit: int, gzipped: bool) -> None:
    """Refuse what is not a regular file (a FIFO would block the run forever) or is too large."""
    info = os.stat(path)  # follows links: a loop or a dangling link raises OSError here
    if not stat.S_ISREG(info.st_mode):
        raise _Refused("not a regular file (a pipe, socket or device)")
    if limit and not gzipped and info.st_size > limit:
        raise _Refused(f"too large ({_size(info.st_size)}; the limit is {_size(limit)}, ReadOptions.max_bytes)")


def _read_bytes(path: Path, gzipped: bool, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    _check_regular(path, limit, gzipped)
    if gzipped:
        with gzip.open(path, "rb") as fh:
            data = fh.read(limit + 1) if limit else fh.read()
        if limit and len(data) > limit:
            raise _Refused(f"too large (more than {_size(limit)} once decompressed; the limit is ReadOptions.max_bytes)")
        return data
    return path.read_bytes()


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


def _describe(err: BaseException) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, FileNotFoundError):
        return "file not found (broken link?)"
    if isinstance(err, (EOFError, zlib.error, gzip.BadGzipFile)):
        return f"corrupt or truncated gzip data ({err})"
    if isinstance(err, OSError) and err.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(err, OSError):
        return err.strerror or str(err)
    return str(err)


def _error(doc_id: str, origin: str, source: str, reason: str) -> Document:
    return Document(id=doc_id, text="", source=source, origin=origin, status=ERROR, reason=reason)


_line_files: dict[str, int] = {}  # JSONL files this process reads lines from -> descriptor
_LINE_FILES_OPEN = 8  # inputs are read in order, so a few descriptors cover the files in use


def _read_line(path: str, offset: int, size: int) -> bytes:
    """The `size` bytes at `offset` of a JSONL file that `scan` found a record at."""
    fd = _line_files.get(path)
    if fd is None:
        if len(_line_files) >= _LINE_FILES_OPEN:
            os.close(_line_files.pop(next(iter(_line_files))))
        fd = _line_files[path] = os.open(path, os.O_RDONLY)
    raw = os.pread(fd, size, offset)
    if len(raw) != size:
        raise OSError(errno.EIO, f"the file is shorter than when it was scanned ({offset + len(raw)} bytes)")
    return raw


def close_line_files() -> None:
    """Close the JSONL files `materialize` opened in this process (a later run may find other
    files under the same names)."""
    while _line_files:
        os.close(_line_files.popitem()[1])


def _read_jsonl(path: Path, relative: Path, fallback_source: str, gzipped: bool, options: ReadOptions) -> Iterator[Pending | Document]:
    name = _printable(relative.as_posix())
    where, origin = str(path), _printable(str(path))
    line_no = 0
    limit = options.max_bytes
    try:
        _check_regular(path, 0, gzipped)  # a large JSONL file is fine: the limit is per record
        fh = gzip.open(path, "rb") if gzipped else open(path, "rb", buffering=0)
    except (OSError, _Refused) as err:
        yield _error(name, origin, fallback_source, _describe(err))
        return
    with fh:
        try:
            for offset, size, data, kind in (_gzip_lines(fh, limit) if gzipped else _line_places(fh, limit)):
                line_no += 1
                if kind == _RECORD:
                    yield Pending("jsonl", name, origin, fallback_source, where, gzipped, data, offset, size, line_no)
                elif kind == _TOO_LARGE:
                    yield _error(f"{name}:{line_no}", f"{origin}:{line_no}", fallback_source,
                                 f"record too large ({_size(size)}; the limit is {_size(limit)}, ReadOptions.max_bytes)")
        except (OSError, EOFError, zlib.error) as err:
            yield _error(f"{name}:{line_no + 1}", f"{origin}:{line_no + 1}", fallback_source, f"reading stopped: {_describe(err)}")


_RECORD, _BLANK, _TOO_LARGE = "record", "blank", "too large"  # what a line of a JSONL file is
_BLOCK = 1 << 20  # bytes read at a time while looking for line ends


def _line_kind(content: int, limit: int, blank: bool) -> str:
    return _TOO_LARGE if limit and content > limit else _BLANK if blank else _RECORD


def _line_places(fh: BinaryIO, limit: int) -> Iterator[tuple[int, int, None, str]]:
    """(offset, size, None, kind) of every line of an uncompressed file, found in blocks read
    into one buffer: no line is copied out (`materialize` reads it at its offset), so scanning a
    GB costs a few tenths of a second. A line longer than `limit` is dropped as it is read, its
    size still counted, so it never has to fit in memory."""
    buf = bytearray(_BLOCK)
    base = end = pos = 0  # buf[:end] holds the file from offset `base` on; the current line starts at buf[pos]
    line_offset, dropping = 0, False  # where the current line starts; whether it passed `limit` (and was dropped)
    while True:
        newline = buf.find(b"\n", pos, end)
        if newline >= 0:
            size = base + newline + 1 - line_offset
            blank = not dropping and buf[pos] != 0x7B and buf[pos : newline + 1].isspace()  # 0x7B: "{"
            yield line_offset, size, None, _line_kind(size - 1, limit, blank)
            pos, line_offset, dropping = newline + 1, base + newline + 1, False
            continue
        if limit and base + end - line_offset > limit:
            dropping, pos = True, end
        buf[: end - pos] = buf[pos:end]
        base, end, pos = base + pos, end - pos, 0
        if end == len(buf):  # a line longer than the buffer (and within the limit): room for more
            buf.extend(bytes(len(buf)))
        got = fh.readinto(memoryview(buf)[end:])
        if not got:
            size = base + end - line_offset
            if size:  # a last line without a line end
                yield line_offset, size, None, _line_kind(size, limit, not dropping and buf[:end].isspace())
            return
        end += got


def _gzip_lines(fh: BinaryIO, limit: int) -> Iterator[tuple[int, int, bytes | None, str]]:
    """(offset, size, bytes, kind) of every line of a gzipped file, which cannot be read at an
    offset later, so each line carries its bytes; a line longer than `limit` is dropped as it is read."""
    offset = 0
    while True:
        raw = fh.readline(limit + 1) if limit else fh.readline()
        if not raw:
            return
        size = len(raw)
        if limit and size > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the record
                raw = fh.readline(1 << 20)
                size += len(raw)
            yield offset, size, None, _TOO_LARGE
        else:
            yield offset, size, raw, _line_kind(0, limit, raw.isspace())
        offset += size


def _jsonl_record(raw: bytes, fallback_id: str, origin: str, fallback_source: str, options: ReadOptions) -> Document:
    try:
        # the common case: UTF-8 that orjson reads from the bytes themselves (it checks the
        # UTF-8 as strictly as `bytes.decode`; a decoded copy first cost half the time of a record)
        record, nesting, escapes = orjson.loads(raw), raw.count(b"[") + raw.count(b"{"), _SURROGATE_ESCAPE_BYTES.search(raw)
        encoding, edits = "utf-8", ()
    except orjson.JSONDecodeError:
        parsed = _parse_line(raw, fallback_id, origin, fallback_source)
        if isinstance(parsed, Document):
            return parsed
        record, line, encoding, edits = parsed
        nesting, escapes = line.count("[") + line.count("{"), _SURROGATE_ESCAPE.search(line)
    if not isinstance(record, dict):
        return _error(fallback_id, origin, fallback_source, f"a JSON {type(record).__name__}, not an object")
    if nesting > MAX_JSON_DEPTH and _deeper_than(record, MAX_JSON_DEPTH):
        return _error(fallback_id, origin, fallback_source, f"record nested more than {MAX_JSON_DEPTH} levels deep")
    if escapes:
        record = _without_lone_surrogates(record)
    raw_id = record.get(options.id_field, fallback_id if options.id_field not in record else None)
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or (isinstance(raw_id, str) and not raw_id.strip()):
        return _error(fallback_id, origin, fallback_source, f"field {options.id_field!r} is {_kind(raw_id)}, not a string or number")
    doc_id = str(raw_id)
    url = record.get(options.url_field)
    url = url if isinstance(url, str) and url.strip() else None
    source = source_from(record.get(options.source_field), url, fallback_source)
    raw_source = record.get(options.source_field)
    if url is None and isinstance(raw_source, str) and raw_source.startswith(("http://", "https://")):
        url = raw_source.strip()
    text = record.get(options.text_field)
    if not isinstance(text, str):
        what = "missing" if options.text_field not in record else f"{_kind(text)}, not a string"
        return Document(id=doc_id, text="", source=source, url=url, origin=origin, status=ERROR,
                        reason=f"field {options.text_field!r} is {what}")
    used = {options.id_field, options.text_field, options.url_field, options.source_field}
    extra = {k: v for k, v in record.items() if k not in used}
    title = record.get(options.title_field)
    published = record.get(options.published_field)
    return Document(
        id=doc_id,
        text=text,
        content_type="html" if _looks_like_html(text) else "text",
        source=source,
        url=url,
        title=title if isinstance(title, str) else None,
        published=published if isinstance(published, str) else None,
        origin=origin,
        encoding=encoding,
        extra=extra,
        edits=edits,
    )


def _parse_line(raw: bytes, fallback_id: str, origin: str, fallback_source: str) -> "tuple[Any, str, str, tuple[Edit, ...]] | Document":
    """A line orjson refused: decoded (repairing another encoding), parsed, and the error worded.
    (the value, the decoded line, its encoding, the decoding's edits), or the error Document."""
    encoding = "utf-8"
    edits: tuple[Edit, ...] = ()
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            decoded = decode_bytes(raw)
        except NotText as err:
            return _error(fallback_id, origin, fallback_source, str(err))
        line, encoding, edits = decoded.text, decoded.encoding, _replacement_edits(decoded)
    try:
        return _parse_json(line.rstrip("\r\n")), line, encoding, edits
    except json.JSONDecodeError as err:
        msg = err.msg.removesuffix(" at")  # "Invalid control character at"
        return _error(fallback_id, origin, fallback_source, f"malformed JSON ({msg} at column {err.colno})")
    except RecursionError:
        return _error(fallback_id, origin, fallback_source, "malformed JSON (nested too deeply to read)")
    except ValueError as err:  # a number too long to convert ("Exceeds the limit (4300 digits) ..."), NaN
        return _error(fallback_id, origin, fallback_source, f"malformed JSON ({str(err).split(':')[0]})")


def _parse_json(line: str) -> Any:
    """orjson (~3x faster) for what it reads; `json` for everything it refuses, which decides
    and words the error (NaN, integers beyond 64 bits, depth) exactly as before."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line, parse_constant=_refuse_constant)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` holds lists/objects nested more than `limit` levels (recursion bounded by `limit`)."""
    if isinstance(value, dict):
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return False
    return limit == 0 or any(_deeper_than(child, limit - 1) for child in children)


def _without_lone_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate (from a "\\udc80"-style escape) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    name = {"str": "string", "int": "integer", "float": "floating-point number", "bool": "boolean", "dict": "object"}.get(
        type(value).__name__, type(value).__name__)
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _looks_like_html(text: str) -> bool:
    head = text[:200].lstrip().lower()
    return head.startswith(("<!doctype html", "<html"))
