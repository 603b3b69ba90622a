"""The records every stage shares: a Document, the Edits cleaning made to it, and a Cluster.

Nothing here does any work; stages return new Documents with `dataclasses.replace`, so a
Document seen by one stage is never changed under another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

#: Status of a document once the run has decided about it.
OK = "ok"
EMPTY = "empty"
ERROR = "error"
KEPT = "kept"
DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Edit:
    """One thing cleaning removed or changed, with the rule that did it.

    `start`/`end` are character offsets in the text as it was *before* the stage that made
    the edit ran; `kept_start`/`kept_end` point at the copy that stayed when a repeat was
    removed (both spans are reported).
    """

    stage: str  # "extract", "encoding", "chrome", "repeats"
    rule: str  # the named rule or reason, e.g. "read_more_promo", "learned_source_line"
    text: str = ""  # the removed text (or a description of a repair)
    start: int | None = None
    end: int | None = None
    kept_start: int | None = None
    kept_end: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "rule": self.rule, "text": self.text}
        if self.start is not None:
            out["span"] = [self.start, self.end]
        if self.kept_start is not None:
            out["kept_span"] = [self.kept_start, self.kept_end]
        return out




@dataclass(frozen=True, slots=True)
class Document:
    """One input document as it moves through the pipeline.

    `status` stays "ok" until a stage finds the document cannot go on ("empty" or "error",
    with `reason`); later stages pass such documents through untouched so that the manifest
    still accounts for them.
    """

    id: str
    text: str
    content_type: str = "text"  # "html" until extraction, then "text"
    source: str = ""
    url: str | None = None
    title: str | None = None
    published: str | None = None
    origin: str = ""  # where it was read from: "path" or "path:line"
    encoding: str | None = None  # how the bytes were decoded
    status: str = OK
    reason: str | None = None
    edits: tuple[Edit, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True, slots=True)
class Match:
    """A duplicate merged into a canonical document, with how similar the two are."""

    id: str
    url: str | None
    source: str
    jaccard: float
    containment: float  # share of the smaller document's shingles found in the larger one
    exact: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "jaccard": round(self.jaccard, 4),
            "containment": round(self.containment, 4),
            "exact": self.exact,
        }


@dataclass(frozen=True, slots=True)
class Cluster:
    """A canonical document and the duplicates merged into it, with the rule that chose it."""

    canonical: str
    members: tuple[Match, ...]
    decided_by: str  # which canonical rule broke the tie: "longest", "earliest", "shortest_url", "smallest_id"
