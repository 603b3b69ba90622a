"""Main text of an HTML page, via trafilatura.

Only extraction happens here: the plain-text chrome pass runs on the result afterwards, and
repeated blocks are removed by our own stage. trafilatura is always called with
`deduplicate=False`, because its duplicate cache is process-wide and would make a page's text
depend on which pages were processed before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.etree import LxmlError
from trafilatura import bare_extraction

# Chosen on ../shared/eval/cleaning-dev/html (83 pages, token F1 over 4-grams of the body alone):
# defaults .954, include_comments=False .957, + favor_precision .953, + favor_recall .956,
# + include_tables=False .956, + fast .958 (1.4x quicker, but without trafilatura's fallback
# extractors; within the set's noise of ~0.02, so the fallbacks stay for unseen layouts).
# Reader comments are never article text; tables stay because score boxes and fact tables are
# part of some articles.
TRAFILATURA_OPTIONS = dict(
    include_comments=False,
    include_tables=True,
    include_images=False,
    include_links=False,
    include_formatting=False,
    favor_precision=False,
    favor_recall=False,
    deduplicate=False,
    with_metadata=True,
)

_SPACES = re.compile(r"\s+")

# libxml2 compares each attribute of a tag with every one before it: a tag with 20,000 attributes
# took 15 s to parse and one with 100,000 took 227 s (quadratic). No real tag has a thousand
# attributes, so a tag with 1,000 or more space-separated items loses them all (the text between tags
# is untouched). Possessive quantifiers keep the pattern linear on any input.
_ATTRIBUTE_FLOOD = re.compile(r"<([a-zA-Z][^\s/<>]*+)(?:\s++[^\s<>]++){1000,}+[^<>]*+>")

# What escapes trafilatura on malformed pages, found by fuzzing it with tag soup: htmldate's cleaning
# calls lxml's `drop_tree` on an element without a parent (AssertionError, e.g. on
# `<svg><meta property='article:published_time' content='99999-99-99'><blockquote>`); lxml's own
# parser and serialiser errors; ValueError for input lxml refuses; RecursionError on deep trees.
_EXTRACTION_FAILURES = (AssertionError, LxmlError, ValueError, RecursionError)


class ExtractionError(ValueError):
    """trafilatura (or lxml/htmldate under it) failed on this page; the message says how."""


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str  # title (if any) as the first paragraph, then the body; "" when nothing was found
    title: str | None
    published: str | None


def html_to_text(html: str, url: str | None = None) -> Extracted:
    """Article text of `html`, the page's title kept once as its first line.

    Raises ExtractionError when trafilatura fails on the page even without metadata extraction.
    """
    if not html.strip():
        return Extracted("", None, None)
    html = _ATTRIBUTE_FLOOD.sub(r"<\1>", html)
    try:
        result = bare_extraction(html, url=url, **TRAFILATURA_OPTIONS)
    except _EXTRACTION_FAILURES:
        # Metadata (htmldate) is where the known failures are; the article text may still be there.
        try:
            result = bare_extraction(html, url=url, **{**TRAFILATURA_OPTIONS, "with_metadata": False})
        except _EXTRACTION_FAILURES as err:
            raise ExtractionError(f"HTML extraction failed ({type(err).__name__}: {str(err)[:200] or 'no message'})") from err
    if result is None:
        return Extracted("", None, None)
    body = (result.text or "").strip()
    title = _SPACES.sub(" ", result.title).strip() if result.title else None
    if not body:
        return Extracted("", title, result.date)
    first_line = body.split("\n", 1)[0].strip()
    if title and _SPACES.sub(" ", first_line) != title:
        body = f"{title}\n{body}"
    return Extracted(body, title, result.date or None)
