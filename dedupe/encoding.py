"""Bytes to text, and text repair with ftfy under one explicit configuration.

`decode_bytes` turns a file's bytes into text and says which encoding it used (UTF-8 with or
without BOM, UTF-16 with a BOM or by its NUL pattern, otherwise charset-normalizer's guess),
refusing bytes that are not text at all. `repair_text` fixes mojibake, HTML entities and
control characters, normalises to NFC and lays the text out as paragraphs separated by exactly
one blank line. It deliberately does not rewrite correct text: quotes stay curly, ligatures and
full-width characters stay as written (see `FIXER_CONFIG`).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import ftfy

from dedupe.document import Edit

# Each flag decided on purpose. The corpus is canonical output, so only damage is repaired;
# stylistic normalisation belongs to the matching copy (shingles.fold), never to the text.
FIXER_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",  # "&amp;" in plain text is damage; "auto" leaves text that holds real tags alone
    remove_terminal_escapes=True,  # ANSI colour codes are never content
    fix_encoding=True,  # the point: mojibake (UTF-8 read as cp1252/latin-1, also doubled)
    restore_byte_a0=True,  # "Ã " where a non-breaking space byte was lost is still mojibake
    replace_lossy_sequences=True,  # sequences that lost a byte to "?" or U+FFFD are decoded as far as possible
    decode_inconsistent_utf8=True,  # partial mojibake inside otherwise correct lines
    fix_c1_controls=True,  # C1 control characters are cp1252 punctuation read as latin-1
    fix_latin_ligatures=False,  # "ﬁ" is correct text; folding it is the matcher's job
    fix_character_width=False,  # full-width forms are correct CJK text
    uncurl_quotes=False,  # curly quotes are correct; the matcher folds quote style
    fix_line_breaks=True,  # \r\n, \r, U+2028/2029 become \n so paragraphs can be found
    fix_surrogates=True,  # lone surrogates cannot be written as UTF-8
    remove_control_chars=True,  # control characters carry no text
    normalization="NFC",  # composed form: the same word has one spelling
    explain=True,  # the applied steps go to the manifest
)

# A cheap test that decides whether ftfy must look at a line: mojibake always leaves one of
# these characters (UTF-8 lead bytes read as cp1252/latin-1), entities need "&", and control
# characters are a range of their own. Clean English prose has none of them, so ftfy's 2-4 ms
# per article is spent only where it can change something.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff&\u00c2-\u00c5\u00ce\u00cf\u00d0\u00d1"
    "\u00d8\u00d9\u00e2\u00e3\u00ef\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x0b\x0c]+")
# What `_HORIZONTAL_SPACE` would change: a run of it other than one plain space. Text with none
# (most lines) skips the substitution, which otherwise rebuilds the string at every space.
_ODD_SPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x0b\x0c]")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_LINE_BREAK_CHARS = ("\r", "\u2028", "\u2029", "\x85")

# Byte signatures of formats that are never text, whatever the file is called.
_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"RIFF", "a RIFF media file"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"OggS", "an Ogg media file"),
)


_WIDE_ENCODINGS = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le"]


class NotText(ValueError):
    """The bytes are not text in any encoding we accept."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    replaced: int = 0  # invalid byte sequences replaced by U+FFFD (damaged UTF-8)


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes, naming the encoding used; raise NotText for binary data."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        return Decoded(data.decode("utf-32", errors="replace"), "utf-32")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return Decoded(data.decode("utf-16", errors="replace"), "utf-16")
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise NotText(f"binary content ({what})")
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = data.decode(utf16, errors="replace")
        _refuse_binary_text(text)
        return Decoded(text, utf16)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        _refuse_binary_text(text)
        return Decoded(text, "utf-8")
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    return _detect(data)


def _damaged_utf8(data: bytes) -> Decoded | None:
    # UTF-8 with a few bad bytes (a truncated write, a stray cp1252 byte) is still UTF-8: the
    # detector would pick a code page for the whole file (cp775 for one such file) and turn every
    # correct "é" into mojibake. A legacy 8-bit file almost never holds a valid multi-byte
    # sequence, so valid sequences outnumbering invalid ones decide it.
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - replaced - data.count("\ufffd".encode("utf-8"))
    if valid <= replaced:
        return None
    _refuse_binary_text(text)
    return Decoded(text, "utf-8", replaced)


def _utf16_without_bom(data: bytes) -> str | None:
    # Mostly-Latin UTF-16 has a NUL in every other byte; real text in any 8-bit encoding has none.
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _detect(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    # Without NUL bytes the data cannot be UTF-16/32 (those were caught above); on short
    # inputs the detector would otherwise guess them.
    wide = [] if b"\x00" in data else _WIDE_ENCODINGS
    best = from_bytes(data[:200_000], cp_exclusion=wide).best()
    if best is None:
        if b"\x00" in data:
            raise NotText("binary content (no text encoding fits)")
        best_encoding = "cp1252"  # the commonest 8-bit web encoding; every byte but five decodes
    else:
        best_encoding = best.encoding
    # The detector cannot tell the Latin single-byte code pages apart on a few accented
    # letters (it read "très" in cp1252 as cp775 or cp1250 "trčs"); cp1252 is by far the
    # commonest of them on the web, so it wins whenever the guess reads as Latin script too.
    if best_encoding.replace("-", "_").lower() != "cp1252" and _mostly_latin(data.decode(best_encoding, errors="replace")):
        try:
            data.decode("cp1252")
            best_encoding = "cp1252"
        except UnicodeDecodeError:
            pass
    encoding = best_encoding
    text = data.decode(encoding, errors="replace")
    _refuse_binary_text(text)
    return Decoded(text, encoding)


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text[:20000] if ch.isalpha() and not ch.isascii()]
    if not letters:
        return True
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin >= 0.8 * len(letters)


def _refuse_binary_text(text: str) -> None:
    sample = text[:8192]
    if not sample:
        return
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if "\x00" in sample or controls > 0.05 * len(sample):
        raise NotText("binary content (control characters)")


@dataclass(frozen=True, slots=True)
class Repaired:
    text: str
    fixes: tuple[str, ...]  # ftfy steps applied, e.g. "encode:sloppy-windows-1252", "decode:utf-8"


def repair_text(text: str) -> Repaired:
    """Repair encoding damage line by line and lay the text out as blank-line-separated paragraphs.

    Every non-empty line becomes one paragraph: scraped news uses one line per paragraph or a
    blank line between paragraphs, and both come out the same.
    """
    if any(c in text for c in _LINE_BREAK_CHARS):
        text = _LINE_BREAKS.sub("\n", text)
    fixes: list[str] = []
    paragraphs: list[str] = []
    lines = unwrap_hard_breaks(text.split("\n"))
    if _SUSPECT.search(text) is None:  # no line for ftfy (about half the news)
        _add_paragraphs(paragraphs, _tidy_lines(lines, fixes))
        return Repaired("\n\n".join(paragraphs), tuple(fixes))
    run: list[str] = []  # lines without a suspect character, tidied together
    for line in lines:
        if _SUSPECT.search(line) is None:
            run.append(line)
            continue
        if run:
            _add_paragraphs(paragraphs, _tidy_lines(run, fixes))
            run = []
        _add_paragraphs(paragraphs, [_repair_line(line, fixes)])
    if run:
        _add_paragraphs(paragraphs, _tidy_lines(run, fixes))
    return Repaired("\n\n".join(paragraphs), tuple(fixes))


def _add_paragraphs(paragraphs: list[str], lines: list[str]) -> None:
    """Each repaired line's non-blank parts (ftfy may turn a damaged line break into one)."""
    for line in lines:
        if line:
            if "\n" in line:
                paragraphs.extend(part.strip() for part in line.split("\n") if part.strip())
            else:
                paragraphs.append(line)  # already stripped


def _tidy_lines(lines: list[str], fixes: list[str]) -> list[str]:
    """`_repair_line` of each line, for lines without a suspect character, done on all of them
    at once: NFC, invisible characters and horizontal space are per-line operations that never
    cross a newline (NFC composes nothing with one, neither pattern matches one), so one pass
    over the joined lines does what ~50 per-line passes did. Only when NFC composed a suspect
    character ("a" + U+0302 = "â") do the lines go through `_repair_line` (and ftfy) one by one."""
    block = _tidy("\n".join(lines), nfc=True)
    if _SUSPECT.search(block) is not None:
        return [_repair_line(line, fixes) for line in lines]
    return [line.strip() for line in block.split("\n")]


def _tidy(text: str, nfc: bool) -> str:
    """NFC (when asked), invisible characters out, horizontal space runs as one space; per line,
    never across a newline."""
    if nfc and not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    if "  " in text or _ODD_SPACE.search(text) is not None:  # else the substitution changes nothing
        text = _HORIZONTAL_SPACE.sub(" ", text)
    return text


def _repair_line(line: str, fixes: list[str]) -> str:
    # Repeated until nothing changes, so that repairing repaired text changes nothing: one repair can
    # expose another ("Â\t0" has its tab folded to "Â 0", which ftfy then reads as a lost no-break
    # space). Only a line that changed and still holds a suspect character is looked at again;
    # three rounds were always enough in tests/test_properties.py.
    for _ in range(3):
        before = line
        if _SUSPECT.search(line):
            explained = ftfy.fix_and_explain(line, FIXER_CONFIG)
            line = explained.text
            for step in explained.explanation or ():
                name = f"{step.action}:{step.parameter}"
                if name not in fixes:
                    fixes.append(name)
            line = _tidy(line, nfc=False)  # ftfy's result is NFC already
        else:
            line = _tidy(line, nfc=True)
        line = line.strip()
        if line == before or not _SUSPECT.search(line):
            break
    return line


def unwrap_hard_breaks(lines: list[str]) -> list[str]:
    """Join lines that a fixed-width wrap broke inside a paragraph (mail and terminal copies).

    Only when the whole text is wrapped: nearly every line fits a width of 40-100 characters
    and most lines fill it. A one-line-per-paragraph scrape has longer lines and is left
    alone, so a title followed by a short label ("Source: ...") is never joined to it.
    """
    lengths = sorted(map(len, filter(None, map(str.strip, lines))))  # C-level loops: ~3x faster
    if len(lengths) < 6:
        return lines
    width = lengths[int(0.95 * (len(lengths) - 1))]
    if not 40 <= width <= 100 or lengths[-1] > width * 1.5:
        return lines
    full = sum(1 for n in lengths if n >= 0.7 * width)
    if full < 0.4 * len(lengths) or full < 3:
        return lines
    out: list[str] = []
    joining = False
    for line in lines:
        stripped = line.strip()
        if joining and stripped:
            out[-1] = f"{out[-1].rstrip()} {stripped}"
        else:
            out.append(line)
        joining = len(stripped) >= 0.6 * width
    return out


def repair_edits(fixes: tuple[str, ...]) -> tuple[Edit, ...]:
    """Manifest entries for the ftfy steps that changed a document."""
    return tuple(Edit(stage="encoding", rule=fix) for fix in fixes)
