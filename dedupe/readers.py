"""Read documents from folders of .txt/.html files and from JSONL, each format one small function.

A file that cannot be read or decoded does not stop the run: it is yielded as a Document with
status "error" and the reason, so the manifest accounts for it. Only the user's own mistakes
(a path that does not exist) raise DedupeError.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from dedupe.document import ERROR, Document
from dedupe.encoding import NotText, decode_bytes
from dedupe.errors import DedupeError

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
_ALL_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Which JSONL fields hold what; the defaults match the common `{"id","text","url","source"}`."""

    id_field: str = "id"
    text_field: str = "text"
    url_field: str = "url"
    source_field: str = "source"
    title_field: str = "title"
    published_field: str = "published"

    def __post_init__(self) -> None:
        for name in ("id_field", "text_field", "url_field", "source_field"):
            if not getattr(self, name):
                raise ValueError(f"{name} must be a non-empty field name")


def iter_documents(paths: Iterable[str | os.PathLike], options: ReadOptions = ReadOptions()) -> Iterator[Document]:
    """Every document under `paths` in a fixed order: paths as given, folders sorted recursively.

    Two documents with the same id: the second is yielded as an error naming both places
    (and keyed by its own origin so that the manifest still lists it once).
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise DedupeError(f"{path}: no such file or folder")
    seen: dict[str, str] = {}
    for path in paths:
        for doc in _iter_path(path, options):
            first = seen.get(doc.id)
            if first is None:
                seen[doc.id] = doc.origin
                yield doc
                continue
            reason = f"duplicate id {doc.id!r}: first at {first}, again at {doc.origin}"
            yield Document(
                id=doc.origin, text="", source=doc.source, url=doc.url, origin=doc.origin, status=ERROR, reason=reason
            )


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


def _iter_path(path: Path, options: ReadOptions) -> Iterator[Document]:
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


def _read_file(path: Path, relative: Path, folder_name: str, options: ReadOptions, given: bool = False) -> Iterator[Document]:
    fmt = format_of(path)
    parent = relative.parent.as_posix()
    fallback_source = folder_name if parent in ("", ".") else parent
    if fmt is None:
        # A file of another kind inside a folder is not a document (a README, an image);
        # named on the command line, or unreadable, it is reported.
        if given or not path.exists() or path.is_dir():
            yield _error(relative.as_posix(), str(path), fallback_source, _unreadable_reason(path))
        return
    kind, gzipped = fmt
    if kind == "jsonl":
        yield from _read_jsonl(path, relative, fallback_source, gzipped, options)
        return
    doc_id = file_id(relative)
    try:
        data = _read_bytes(path, gzipped)
        decoded = decode_bytes(data)
    except (OSError, EOFError, zlib.error, NotText) as err:
        yield _error(doc_id, str(path), fallback_source, _describe(err))
        return
    yield Document(
        id=doc_id,
        text=decoded.text,
        content_type=kind,
        source=fallback_source,
        origin=str(path),
        encoding=decoded.encoding,
    )


def _unreadable_reason(path: Path) -> str:
    if path.is_symlink() and not path.exists():
        return "broken symbolic link (or a link loop)"
    if path.is_dir():
        return "folder cannot be read (permission denied)"
    return f"not a readable input format (expected {', '.join(_ALL_SUFFIXES)}, optionally .gz)"


def _read_bytes(path: Path, gzipped: bool) -> bytes:
    if gzipped:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def _describe(err: BaseException) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, FileNotFoundError):
        return "file not found (broken link?)"
    if isinstance(err, (EOFError, zlib.error, gzip.BadGzipFile)):
        return f"corrupt or truncated gzip data ({err})"
    if isinstance(err, OSError):
        return err.strerror or str(err)
    return str(err)


def _error(doc_id: str, origin: str, source: str, reason: str) -> Document:
    return Document(id=doc_id, text="", source=source, origin=origin, status=ERROR, reason=reason)


def _read_jsonl(path: Path, relative: Path, fallback_source: str, gzipped: bool, options: ReadOptions) -> Iterator[Document]:
    name = relative.as_posix()
    line_no = 0
    try:
        fh = gzip.open(path, "rb") if gzipped else open(path, "rb")
    except OSError as err:
        yield _error(name, str(path), fallback_source, _describe(err))
        return
    with fh:
        try:
            for line_no, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                yield _jsonl_record(raw, f"{name}:{line_no}", f"{path}:{line_no}", fallback_source, options)
        except (OSError, EOFError, zlib.error) as err:
            where = f"{name}:{line_no + 1}"
            yield _error(where, f"{path}:{line_no + 1}", fallback_source, f"reading stopped: {_describe(err)}")


def _jsonl_record(raw: bytes, fallback_id: str, origin: str, fallback_source: str, options: ReadOptions) -> Document:
    encoding = "utf-8"
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            decoded = decode_bytes(raw)
        except NotText as err:
            return _error(fallback_id, origin, fallback_source, str(err))
        line, encoding = decoded.text, decoded.encoding
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return _error(fallback_id, origin, fallback_source, f"malformed JSON ({err.msg} at column {err.colno})")
    if not isinstance(record, dict):
        return _error(fallback_id, origin, fallback_source, f"a JSON {type(record).__name__}, not an object")
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
    )


def _kind(value: Any) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


def _looks_like_html(text: str) -> bool:
    head = text[:200].lstrip().lower()
    return head.startswith(("<!doctype html", "<html"))
