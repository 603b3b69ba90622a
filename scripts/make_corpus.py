"""Generate a realistic news-like corpus of N documents for benchmarks: `{"id","text","source","url"}` per line.

    python scripts/make_corpus.py 100000 /tmp/news-100k.jsonl --seed 1 [--labels labels.jsonl]

Built from real article text only: samples/*.txt, and (located relative to the repo root as
../shared) the cleaning-dev gold bodies and the neardup-dev originals. Each new story copies
the paragraph structure of a real article (so the length distribution is that of real
articles) and fills every sentence slot with a real sentence, a quarter of whose words are
swapped for other real words (frequency-weighted, so the vocabulary stays Zipfian) and whose
capitalised names are replaced by names made up for the story (so the vocabulary keeps
growing, as it does in a real crawl). Two stories therefore share almost no word 5-grams, even
when they drew the same sentence.

About 15% of the documents are planted near-duplicates of an earlier story, of the kinds in
../shared/eval/neardup-dev: syndicated copies with another site's chrome lines, truncated
copies, light edits, an update appended, mojibake (UTF-8 read as cp1252) on all or some
lines, a block of paragraphs saved twice, exact copies. The count is printed (and with
--labels, one `{"id","duplicate_of","kind"}` line per planted copy is written).

Deterministic for a seed; streams (memory stays that of the source pool plus a window of
recent stories); ~900 documents per second on a loaded 2-core machine (100,000 in 112 s, so a
million in about 20 minutes).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

DUPLICATE_SHARE = 0.15
KINDS = [  # (kind, weight)
    ("syndicated", 30), ("truncated", 12), ("edit_light", 14), ("update_appended", 10),
    ("mojibake", 8), ("doubled_block", 8), ("exact", 10), ("combo", 8),
]
WINDOW = 5000  # recent stories a duplicate may copy
SWAP_SHARE = 0.25  # words swapped per sentence

_SENTENCE = re.compile(r"(?<=[.!?\u201d])\s+(?=[\"\u201cA-Z0-9])")
_WORD = re.compile(r"^[A-Za-z][a-z]{2,}$")
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
SYLLABLES = ("ka ren mo ta li vos dan mer sel ba tor wen ich ga lo rin ost ha pel dru an ev "
             "mar co zel fin rho ast ul ker bri ton sa vel ny ger ham ford ley wick").split()

SITE_WORDS = ("Valley Harbor Metro Lakeshore Eastgate Coastline Ridge Pine River Summit Capital "
              "Prairie Bay Northern Southern Central County City Daily Evening Morning").split()
SITE_KINDS = ("Herald", "Journal", "Post", "Chronicle", "Ledger", "Times", "Gazette", "Tribune", "News", "Observer")
CHROME_TOP = [
    "Home \u203a News", "News | Sports | Business | Opinion | Weather | Obituaries", "Comments (0)",
    "Staff Writer", "Listen to this article", "Share this story", "Advertisement",
]
CHROME_BOTTOM = [
    "Sign up for the {site} newsletter and get the day's top stories in your inbox.",
    "Support local journalism: subscribe to {site} today.",
    "Follow {site} on Facebook and Twitter.",
    "\u00a9 2024 {site}. All rights reserved.",
    "This article was published automatically from a syndicated feed. {site} has not edited the text.",
    "Related: More stories from {site}",
    "Have a news tip? Email the {site} newsroom.",
]


def load_pool() -> tuple[list[list[list[str]]], list[str]]:
    """Real articles as paragraphs of sentences, and every real word (with repeats: frequency)."""
    texts: list[str] = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
    gold = SHARED / "eval" / "cleaning-dev" / "dev.jsonl"
    if gold.exists():
        texts += [json.loads(line)["gold"] for line in gold.open(encoding="utf-8")]
    corpus, labels = SHARED / "eval" / "neardup-dev" / "corpus.jsonl", SHARED / "eval" / "neardup-dev" / "labels.jsonl"
    if corpus.exists() and labels.exists():
        originals = {r["id"] for r in map(json.loads, labels.open(encoding="utf-8")) if r["kind"] == "original"}
        texts += [r["text"] for r in map(json.loads, corpus.open(encoding="utf-8")) if r["id"] in originals]
    articles: list[list[list[str]]] = []
    vocabulary: list[str] = []
    for text in texts:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        article = [[s for s in _SENTENCE.split(p) if s.strip()] for p in paragraphs]
        article = [p for p in article if p]
        if sum(len(" ".join(p).split()) for p in article) >= 40:
            articles.append(article)
        vocabulary += [w for w in text.split() if _WORD.match(w)]
    if not articles:
        sys.exit("no source texts found (samples/*.txt, ../shared/eval)")
    return articles, vocabulary


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.articles, self.vocabulary = load_pool()
        self.sentences = [s for a in self.articles for p in a for s in p]
        self.split_sentences = [s.split(" ") for s in self.sentences]
        # positions of the words that may be swapped (content words) and of the capitalised words
        # inside a sentence (names, mostly), computed once per sentence
        self.content = [[i for i, w in enumerate(ws) if _WORD.match(w) and len(w) >= 4] for ws in self.split_sentences]
        self.capitals = [[i for i, w in enumerate(ws) if i and _NAME.fullmatch(w)] for ws in self.split_sentences]
        content_words = [w.lower() for w in self.vocabulary if len(w) >= 4]
        self.lower_vocab = content_words
        self.upper_vocab = [w.capitalize() for w in content_words]
        rng = random.Random(seed + 1)
        self.sites = sorted({f"{rng.choice(SITE_WORDS)} {rng.choice(SITE_WORDS)} {rng.choice(SITE_KINDS)}" for _ in range(400)})[:200]
        self.site_chrome = {
            site: (rng.sample(CHROME_TOP, 2), [line.format(site=site) for line in rng.sample(CHROME_BOTTOM, 3)])
            for site in self.sites
        }
        self.kinds = [k for k, w in KINDS for _ in range(w)]

    def name(self) -> str:
        rng = self.rng
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()

    def sentence(self, names: list[str]) -> str:
        """A real sentence with a quarter of its content words swapped and some names replaced."""
        random = self.rng.random
        k = int(random() * len(self.split_sentences))
        words = list(self.split_sentences[k])
        lower, upper, v = self.lower_vocab, self.upper_vocab, len(self.lower_vocab)
        for i in self.content[k]:
            if random() < SWAP_SHARE:
                j = int(random() * v)
                words[i] = upper[j] if words[i][0].isupper() else lower[j]
        if names:
            for i in self.capitals[k]:
                if random() < 0.5:
                    words[i] = names[int(random() * len(names))]
        return " ".join(words)

    def story(self) -> list[str]:
        """Paragraphs of a new story shaped like a random real article."""
        rng = self.rng
        shape = rng.choice(self.articles)
        names = [self.name() for _ in range(3)]
        return [" ".join(self.sentence(names) for _ in paragraph) for paragraph in shape]

    def url(self, site: str, doc_id: str) -> str:
        rng = self.rng
        host = site.lower().replace(" ", "") + ".example"
        return f"https://{host}/{rng.randint(2015, 2024)}/{rng.randint(1, 12):02d}/{doc_id}"

    def duplicate(self, paragraphs: list[str], kind: str) -> tuple[list[str], str]:
        rng = self.rng
        p = list(paragraphs)
        if kind == "combo":
            kind = "syndicated+" + rng.choice(["truncated", "edit_light", "update_appended", "doubled_block"])
        for part in kind.split("+"):
            if part == "truncated":
                keep = max(1, int(len(p) * rng.uniform(0.35, 0.85)))
                p = p[:keep]
            elif part == "edit_light":
                for _ in range(rng.randint(1, 4)):
                    i = rng.randrange(len(p))
                    words = p[i].split(" ")
                    j = rng.randrange(len(words))
                    words[j] = rng.choice(self.vocabulary)
                    p[i] = " ".join(words)
                if len(p) > 3 and rng.random() < 0.5:
                    del p[rng.randrange(1, len(p))]
            elif part == "update_appended":
                p.append("Update: " + self.sentence([]) + " " + self.sentence([]))
            elif part == "mojibake":
                lo = 0 if rng.random() < 0.5 else rng.randrange(len(p))
                for i in range(lo, len(p)):
                    p[i] = p[i].encode("utf-8").decode("cp1252", errors="replace")
            elif part == "doubled_block":
                i = rng.randrange(len(p))
                block = p[i : i + rng.randint(1, 3)]
                p[i + len(block) : i + len(block)] = block
        return p, kind

    def run(self, n: int, out, labels=None) -> dict[str, int]:
        rng = self.rng
        recent: deque = deque(maxlen=WINDOW)
        planted: dict[str, int] = {}
        for k in range(n):
            doc_id = f"doc{k:07d}"
            site = rng.choice(self.sites)
            top, bottom = self.site_chrome[site]
            if recent and rng.random() < DUPLICATE_SHARE:
                original_id, paragraphs = rng.choice(recent)
                kind = rng.choice(self.kinds)
                if kind == "exact":
                    body = list(paragraphs)
                else:
                    body, kind = self.duplicate(paragraphs, kind)
                if kind.startswith("syndicated"):
                    body = top + body + bottom
                planted[kind] = planted.get(kind, 0) + 1
                if labels is not None:
                    labels.write(json.dumps({"id": doc_id, "duplicate_of": original_id, "kind": kind}) + "\n")
            else:
                body = self.story()
                recent.append((doc_id, body))
            text = "\n\n".join(body)
            out.write(json.dumps({"id": doc_id, "text": text, "source": site, "url": self.url(site, doc_id)},
                                 ensure_ascii=False) + "\n")
        return planted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("out", help="output .jsonl")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--labels", help="also write the planted duplicates here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generator = Generator(args.seed)
    labels = open(args.labels, "w", encoding="utf-8") if args.labels else None
    with open(args.out, "w", encoding="utf-8") as out:
        planted = generator.run(args.n, out, labels)
    if labels is not None:
        labels.close()
    total = sum(planted.values())
    size = Path(args.out).stat().st_size
    print(f"{args.n} documents, {size / 1e6:.1f} MB, {total} planted near-duplicates ({total / max(args.n, 1):.1%}): "
          + ", ".join(f"{k} {v}" for k, v in sorted(planted.items()))
          + f"; {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(total)


if __name__ == "__main__":
    main()
