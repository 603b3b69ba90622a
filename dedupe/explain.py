"""`dedupe explain OUT ID`: what happened to one input document, read back from a run's output."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from dedupe.errors import DedupeError
from dedupe.shingles import words
from dedupe.writers import read_jsonl


def _find(path: Path, doc_id: str, field: str = "id") -> dict[str, Any] | None:
    if not path.exists():
        return None
    for record in read_jsonl(path):
        if record.get(field) == doc_id:
            return record
    return None


def _text_of(out: Path, doc_id: str) -> str | None:
    record = _find(out / "corpus.jsonl", doc_id) or _find(out / "duplicates.jsonl", doc_id)
    return record.get("text") if record else None


def short_diff(a: str, b: str, context_words: int = 6, limit: int = 12) -> list[str]:
    """Word-level differences between two texts, as '- removed' / '+ added' lines with a little context."""
    wa, wb = a.split(), b.split()
    matcher = difflib.SequenceMatcher(a=[w.lower() for w in wa], b=[w.lower() for w in wb], autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = " ".join(wa[max(0, i1 - context_words) : i1])
        if i2 > i1:
            out.append(f"  - …{before} [{' '.join(wa[i1:i2])[:300]}]")
        if j2 > j1:
            out.append(f"  + …{before} [{' '.join(wb[j1:j2])[:300]}]")
        if len(out) >= limit:
            out.append("  (more differences not shown)")
            break
    return out


def explain(out: str, doc_id: str) -> str:
    out_path = Path(out)
    if not (out_path / "manifest.jsonl").exists():
        raise DedupeError(f"{out}: not the output folder of a run (no manifest.jsonl)")
    entry = _find(out_path / "manifest.jsonl", doc_id)
    if entry is None:
        raise DedupeError(f"{out}/manifest.jsonl: no document with id {doc_id!r}")
    lines = [f"{doc_id}: {entry['status']}" + (f" ({entry['reason']})" if entry.get("reason") else "")]
    lines.append(f"  source {entry.get('source')}, url {entry.get('url')}, read from {entry.get('origin')}, encoding {entry.get('encoding')}")
    removals = entry.get("removals") or []
    if removals:
        lines.append(f"  cleaning made {len(removals)} changes:")
        for r in removals[:15]:
            text = (r.get("text") or "").replace("\n", " ")
            lines.append(f"    {r['stage']}:{r['rule']} {text[:100]!r}")
    if entry["status"] == "duplicate":
        canonical = entry["duplicate_of"]
        sim = entry.get("similarity") or {}
        lines.append(f"  duplicate of {canonical} by rule {sim.get('rule')}: Jaccard {sim.get('jaccard')}, containment {sim.get('containment')}")
        mine, theirs = _text_of(out_path, doc_id), _text_of(out_path, canonical)
        if mine is not None and theirs is not None:
            shared = set(words(mine)) & set(words(theirs))
            lines.append(f"  {len(shared)} distinct words shared; differences ({doc_id} -> {canonical}):")
            lines.extend(short_diff(mine, theirs) or ["  (none after normalisation)"])
    elif entry["status"] == "kept":
        record = _find(out_path / "corpus.jsonl", doc_id)
        merged = record.get("duplicates", []) if record else []
        if merged:
            lines.append(f"  kept as canonical; {len(merged)} duplicates merged into it:")
            for m in merged:
                lines.append(f"    {m['id']} ({m.get('source')}): Jaccard {m['jaccard']}, containment {m['containment']}{', exact' if m.get('exact') else ''}")
        else:
            lines.append("  kept; no duplicates were merged into it")
    return "\n".join(lines)
