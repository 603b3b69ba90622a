"""The run report: counts per stage with reasons, parameters, clusters and the largest removals.

`ReportBuilder` gathers what the documents already carry (status, reason, edits) as they are
written; it recomputes nothing. `to_markdown` renders the same dictionary for a person.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
from collections import Counter
from typing import Any, Iterable

from dedupe.document import Cluster, Document

LARGEST_REMOVALS = 20
CLUSTERS_IN_JSON = 1000
CLUSTERS_IN_MARKDOWN = 25


def _options_dict(options: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        out[f.name] = _options_dict(value) if dataclasses.is_dataclass(value) else value
    return out


class ReportBuilder:
    def __init__(self, options: Any, learned: Any = None, shared: Any = None, index_stats: dict | None = None) -> None:
        self.options = options
        self.learned = learned
        self.shared = shared
        self.index_stats = index_stats or {}
        self.status: Counter = Counter()
        self.reasons: Counter = Counter()
        self.edits: Counter = Counter()
        self.chars_removed: Counter = Counter()
        self.docs_touched: Counter = Counter()
        self._largest: list[tuple[int, str, str, str, str]] = []
        self.timings: dict[str, Any] = {}

    def add(self, doc: Document, status: str, duplicate_of: str | None) -> None:
        self.status[status] += 1
        if doc.reason:
            self.reasons[f"{status}: {doc.reason.split(' (')[0].split(':')[0]}"] += 1
        stages = set()
        for edit in doc.edits:
            name = f"{edit.stage}:{edit.rule}"
            self.edits[name] += 1
            stages.add(edit.stage)
            if edit.start is not None:
                size = len(edit.text)
                self.chars_removed[edit.stage] += size
                item = (size, doc.id, edit.stage, edit.rule, edit.text[:300])
                if len(self._largest) < LARGEST_REMOVALS:
                    heapq.heappush(self._largest, item)
                elif item > self._largest[0]:
                    heapq.heapreplace(self._largest, item)
        for stage in stages:
            self.docs_touched[stage] += 1

    def merge(self, other: "ReportBuilder") -> None:
        """Add the counts of `other` (built by a worker over a batch of documents with `add`)."""
        for mine, theirs in ((self.status, other.status), (self.reasons, other.reasons), (self.edits, other.edits),
                             (self.chars_removed, other.chars_removed), (self.docs_touched, other.docs_touched)):
            mine.update(theirs)
        for item in other._largest:
            if len(self._largest) < LARGEST_REMOVALS:
                heapq.heappush(self._largest, item)
            elif item > self._largest[0]:
                heapq.heapreplace(self._largest, item)

    def build(self, clusters: Iterable[Cluster] = ()) -> dict[str, Any]:
        clusters = sorted(clusters, key=lambda c: (-len(c.members), c.canonical))
        counts = {
            "inputs": sum(self.status.values()),
            "kept": self.status.get("kept", 0),
            "duplicate": self.status.get("duplicate", 0),
            "empty": self.status.get("empty", 0),
            "error": self.status.get("error", 0),
        }
        return {
            "counts": counts,
            "reasons": dict(sorted(self.reasons.items())),
            "edits": dict(sorted(self.edits.items())),
            "documents_changed_by_stage": dict(sorted(self.docs_touched.items())),
            "characters_removed_by_stage": dict(sorted(self.chars_removed.items())),
            "parameters": _options_dict(self.options),
            "near_duplicates": {
                **self.index_stats,
                "clusters": len(clusters),
                "decided_by": dict(Counter(c.decided_by for c in clusters)),
            },
            "clusters": [
                {
                    "canonical": c.canonical,
                    "decided_by": c.decided_by,
                    "members": [m.to_json() for m in c.members],
                }
                for c in clusters[:CLUSTERS_IN_JSON]
            ],
            "largest_removals": [
                {"id": doc_id, "stage": stage, "rule": rule, "characters": size, "text": text}
                for size, doc_id, stage, rule, text in sorted(self._largest, reverse=True)
            ],
            "timings": self.timings,
            "learned_boilerplate": self.learned.summary() if self.learned is not None else None,
            "shared_blocks": self.shared.top(20) if self.shared is not None else [],
        }

    @staticmethod
    def to_json(report: dict[str, Any]) -> str:
        return json.dumps(report, ensure_ascii=False, indent=1, sort_keys=False, default=str) + "\n"

    @staticmethod
    def to_markdown(report: dict[str, Any]) -> str:
        c = report["counts"]
        lines = [
            "# dedupe report",
            "",
            f"{c['inputs']} input documents: **{c['kept']} kept**, {c['duplicate']} duplicates, "
            f"{c['empty']} empty, {c['error']} errors.",
            "",
        ]
        if report["reasons"]:
            lines += ["## Documents not kept for a reason other than duplication", "", "| status: reason | documents |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in report["reasons"].items()]
            lines.append("")
        if report["edits"]:
            lines += ["## What cleaning did", "", "| stage:rule | times |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(report["edits"].items(), key=lambda kv: (-kv[1], kv[0]))]
            lines.append("")
            lines += ["Characters removed by stage: " + ", ".join(f"{k} {v:,}" for k, v in report["characters_removed_by_stage"].items()), ""]
        nd = report["near_duplicates"]
        if report["parameters"].get("mode") != "clean":
            lines += ["## Near-duplicates", "",
                      f"{nd.get('clusters', 0)} clusters with duplicates; candidate pairs {nd.get('candidate_pairs', 0)}, "
                      f"verified {nd.get('verified_pairs', 0)}; roundup checks {nd.get('roundup_checks', 0)}; canonical decided by: "
                      + (", ".join(f"{k} {v}" for k, v in sorted(nd.get("decided_by", {}).items())) or "-"), ""]
            for cl in report["clusters"][:CLUSTERS_IN_MARKDOWN]:
                lines.append(f"- **{cl['canonical']}** (kept; {cl['decided_by']}) <- " + ", ".join(
                    f"{m['id']} (J {m['jaccard']:.2f}, C {m['containment']:.2f}{', exact' if m['exact'] else ''})" for m in cl["members"]))
            if len(report["clusters"]) > CLUSTERS_IN_MARKDOWN:
                lines.append(f"- ... {len(report['clusters']) - CLUSTERS_IN_MARKDOWN} more in report.json and manifest.jsonl")
            lines.append("")
        if report["largest_removals"]:
            lines += ["## Largest removals", ""]
            for r in report["largest_removals"][:10]:
                text = r["text"].replace("\n", " ")
                lines.append(f"- {r['id']} {r['stage']}:{r['rule']} ({r['characters']} chars): {text[:160]}")
            lines.append("")
        if report["shared_blocks"]:
            lines += ["## Blocks shared across documents", ""]
            for b in report["shared_blocks"][:10]:
                lines.append(f"- {b.get('count', len(b.get('documents', [])))} documents: \"{str(b.get('preview', ''))[:120]}\"")
            lines.append("")
        if report.get("learned_boilerplate"):
            lines += ["## Learned boilerplate", "", "```", json.dumps(report["learned_boilerplate"], ensure_ascii=False, indent=1)[:2000], "```", ""]
        if report.get("timings"):
            t = report["timings"]
            lines += ["## Where the time went", "", "| pass (wall seconds) | s |", "|---|---:|"]
            lines += [f"| {k} | {v:.2f} |" for k, v in t["wall_seconds"].items()]
            lines += ["", f"| stage (seconds summed over {t['workers']} workers) | s |", "|---|---:|"]
            lines += [f"| {k} | {v:.2f} |" for k, v in t["worker_seconds_by_stage"].items()]
            if t.get("near_duplicates_decide_seconds"):
                lines += ["", "| near-duplicate decision step (wall seconds) | s |", "|---|---:|"]
                lines += [f"| {k} | {v:.2f} |" for k, v in t["near_duplicates_decide_seconds"].items()]
            lines.append("")
        lines += ["## Parameters", "", "```", json.dumps(report["parameters"], indent=1, default=str), "```", ""]
        return "\n".join(lines)
