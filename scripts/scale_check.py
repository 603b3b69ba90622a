"""Near-duplicate quality at scale: many distinct copies of the labelled dev corpus in one run.

Each copy k of ../shared/eval/neardup-dev/corpus.jsonl gets its own letter substitution, so
the variants of one story within a copy still match each other, but no story matches the
stories of other copies: the corpus holds copies x 110 distinct stories with known clusters.
A few boilerplate lines, identical in every copy, are added to a share of the documents, so that
text shared across thousands of unrelated documents is present, as it is in real scrapes.
The check: pairwise precision/recall, and that no predicted cluster holds documents of more than
one true story (no chaining).

    python scripts/scale_check.py --copies 90 --workers 2      # about 20,000 documents
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "neardup-dev"

SHARED_LINES = [
    "Sign up for our morning newsletter to get the day's top stories delivered to your inbox.",
    "Copyright 2019 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "Support independent journalism: subscribe today for unlimited digital access.",
]


ALPHABETS = (string.ascii_lowercase, "абвгдежзийклмнопрстуфхцчшщъыьэюя")  # the dev set holds Russian pages too


def substitution(copy: int) -> dict[int, str]:
    """A letter permutation per alphabet, the same for every document of one copy."""
    rng = random.Random(f"copy-{copy}")
    table: dict[int, str] = {}
    for alphabet in ALPHABETS:
        letters = list(alphabet)
        shuffled = letters[:]
        rng.shuffle(shuffled)
        table.update({ord(a): b for a, b in zip(letters, shuffled)})
        table.update({ord(a.upper()): b.upper() for a, b in zip(letters, shuffled)})
    return table


def build(copies: int, corpus_path: Path, labels_path: Path) -> int:
    docs = [json.loads(l) for l in open(DEV / "corpus.jsonl", encoding="utf-8")]
    labels = {json.loads(l)["id"]: json.loads(l) for l in open(DEV / "labels.jsonl", encoding="utf-8")}
    n = 0
    with open(corpus_path, "w", encoding="utf-8") as corpus, open(labels_path, "w", encoding="utf-8") as out:
        for copy in range(copies):
            table = substitution(copy) if copy else {}
            rng = random.Random(copy)
            for doc in docs:
                text = doc["text"].translate(table)
                if rng.random() < 0.3:
                    text = f"{text}\n\n{rng.choice(SHARED_LINES)}"
                doc_id = f"{copy}-{doc['id']}"
                corpus.write(json.dumps({"id": doc_id, "text": text, "source": doc["source"]}, ensure_ascii=False) + "\n")
                label = labels[doc["id"]]
                out.write(json.dumps({"id": doc_id, "cluster": f"{copy}-{label['cluster']}", "kind": label["kind"]}) + "\n")
                n += 1
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=90)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--keep", help="folder to keep the corpus and output in")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="dedupe-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    n = build(args.copies, work / "corpus.jsonl", work / "labels.jsonl")
    print(f"{n} documents in {work / 'corpus.jsonl'}")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dedupe", "run", str(work / "corpus.jsonl"), "-o", str(work / "out"),
                    "--force", "--quiet", "--workers", str(args.workers)], check=True)
    seconds = time.perf_counter() - start
    labels = {json.loads(l)["id"]: json.loads(l)["cluster"] for l in open(work / "labels.jsonl")}
    pred: dict[str, str] = {}
    with open(work / "pred.jsonl", "w") as fh:
        for line in open(work / "out" / "manifest.jsonl", encoding="utf-8"):
            r = json.loads(line)
            pred[r["id"]] = r["duplicate_of"] or r["id"]
            fh.write(json.dumps({"id": r["id"], "cluster": pred[r["id"]]}) + "\n")
    members = collections.defaultdict(list)
    for doc_id, cluster in pred.items():
        members[cluster].append(doc_id)
    true_sizes = collections.Counter(labels.values())
    mixed = [c for c, ids in members.items() if len({labels[i] for i in ids}) > 1]
    too_big = [c for c, ids in members.items() if len(ids) > true_sizes[labels[c]]]
    largest = max(len(ids) for ids in members.values())
    score = subprocess.run([sys.executable, str(DEV.parent / "score_neardup.py"), "--labels", str(work / "labels.jsonl"),
                            "--pred", str(work / "pred.jsonl"), "--quiet"], capture_output=True, text=True, check=True)
    print(score.stdout.strip())
    print(f"{seconds:.1f} s for {n} documents ({n / seconds:.0f} docs/s); largest predicted cluster {largest}, "
          f"largest true cluster {max(true_sizes.values())}; clusters mixing stories: {len(mixed)}; "
          f"clusters larger than their story: {len(too_big)}")
    return 0 if not mixed else 1


if __name__ == "__main__":
    sys.exit(main())
