"""Command line: `dedupe run|clean|dedup INPUT... -o OUT` and `dedupe explain OUT ID`.

Each subcommand translates flags into RunOptions and calls the library; argparse objects
never leave this module. The user's mistakes print one line and exit 2; bugs still raise.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from tqdm import tqdm

from dedupe import __version__
from dedupe.errors import DedupeError
from dedupe.neardup import NearDupOptions
from dedupe.pipeline import RunOptions, run
from dedupe.readers import ReadOptions
from dedupe.repeats import DEFAULT_MIN_SPAN_WORDS

_ND = NearDupOptions()
_RO = ReadOptions()


class _TqdmHandler(logging.Handler):
    """Warnings printed above the progress bars instead of through them."""

    def emit(self, record: logging.LogRecord) -> None:
        tqdm.write(f"dedupe: {record.levelname.lower()}: {record.getMessage()}", file=sys.stderr)


def _add_common(p: argparse.ArgumentParser, *, cleans: bool, dedups: bool) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="folders of .txt/.html(.gz) files, or .jsonl(.gz) files")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="output folder (written atomically)")
    p.add_argument("--force", action="store_true", help="replace a non-empty OUT")
    p.add_argument("--workers", type=int, default=0, metavar="N", help="worker processes (default: 0 = every core)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--strict", action="store_true", help="stop at the first bad input (exit 1) instead of reporting it")
    g = p.add_argument_group("JSONL fields")
    g.add_argument("--id-field", default=_RO.id_field, help="record id (default: %(default)s; else FILE:LINE)")
    g.add_argument("--text-field", default=_RO.text_field, help="document text (default: %(default)s)")
    g.add_argument("--url-field", default=_RO.url_field, help="document URL (default: %(default)s)")
    g.add_argument("--max-bytes", type=int, default=_RO.max_bytes, help="largest document read; a larger one is an error, 0 = no limit (default: %(default)s)")
    g.add_argument("--source-field", default=_RO.source_field, help="site the document came from (default: %(default)s; else the URL's host, else the folder)")
    if cleans:
        g = p.add_argument_group("cleaning")
        g.add_argument("--no-learn-boilerplate", action="store_true", help="do not learn per-source boilerplate lines (default: learn)")
        g.add_argument("--min-span-words", type=int, default=DEFAULT_MIN_SPAN_WORDS, help="shortest repeated run removed inside a document (default: %(default)s)")
    if dedups:
        g = p.add_argument_group("near-duplicates")
        g.add_argument("--ngram", type=int, default=_ND.ngram, help="words per shingle (default: %(default)s)")
        g.add_argument("--num-perm", type=int, default=_ND.num_perm, help="MinHash permutations (default: %(default)s)")
        g.add_argument("--lsh-threshold", type=float, default=_ND.lsh_threshold, help="Jaccard the LSH bands are tuned for; candidates only (default: %(default)s)")
        g.add_argument("--jaccard", type=float, default=_ND.jaccard, help="Jaccard at which two documents are duplicates (default: %(default)s)")
        g.add_argument("--containment", type=float, default=_ND.containment, help="share of the smaller copy inside the larger for a truncated/updated copy (default: %(default)s)")


def _options(args: argparse.Namespace, mode: str) -> RunOptions:
    read = ReadOptions(id_field=args.id_field, text_field=args.text_field, url_field=args.url_field,
                       source_field=args.source_field, max_bytes=args.max_bytes)
    neardup = _ND
    if mode != "clean":
        neardup = NearDupOptions(ngram=args.ngram, num_perm=args.num_perm, lsh_threshold=args.lsh_threshold,
                                 jaccard=args.jaccard, containment=args.containment)
    return RunOptions(
        mode=mode,
        read=read,
        neardup=neardup,
        workers=args.workers,
        learn_boilerplate=not getattr(args, "no_learn_boilerplate", False),
        min_span_words=getattr(args, "min_span_words", DEFAULT_MIN_SPAN_WORDS),
        strict=args.strict,
        progress=not args.quiet,
        force=args.force,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dedupe", description="Turn a scrape of news articles into a clean, deduplicated corpus.",
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("run", help="every stage: clean, then drop near-duplicates")
    _add_common(p, cleans=True, dedups=True)
    p = sub.add_parser("clean", help="cleaning only: every input document, cleaned, in corpus.jsonl")
    _add_common(p, cleans=True, dedups=False)
    p = sub.add_parser("dedup", help="near-duplicates only, on text that is already clean")
    _add_common(p, cleans=False, dedups=True)
    p = sub.add_parser("explain", help="why a document was kept, merged or dropped")
    p.add_argument("out", metavar="OUT", help="output folder of a run")
    p.add_argument("id", metavar="ID", help="an input document id")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logger = logging.getLogger("dedupe")
    handler = _TqdmHandler()
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        if args.command == "explain":
            from dedupe.explain import explain

            print(explain(args.out, args.id))
            return 0
        try:
            options = _options(args, args.command)
        except ValueError as err:
            raise DedupeError(str(err)) from None
        result = run(args.inputs, args.out, options)
        c = result.counts
        print(f"dedupe: {c['inputs']} documents: {c['kept']} kept, {c['duplicate']} duplicate, "
              f"{c['empty']} empty, {c['error']} error -> {result.out}", file=sys.stderr)
        return 0
    except DedupeError as err:
        print(f"dedupe: error: {err}", file=sys.stderr)
        return 1 if getattr(args, "strict", False) else 2
    except KeyboardInterrupt:
        print("dedupe: interrupted; the output folder was left as it was", file=sys.stderr)
        return 130
    finally:
        logger.removeHandler(handler)


if __name__ == "__main__":
    sys.exit(main())
