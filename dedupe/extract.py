"""Main text of an HTML page, via trafilatura.

Only extraction happens here: the plain-text chrome pass runs on the result afterwards, and
repeated blocks are removed by our own stage. trafilatura is always called with
`deduplicate=False`, because its duplicate cache is process-wide and would make a page's text
depend on which pages were processed before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trafilatura import bare_extraction

# Chosen on ../shared/eval/cleaning-dev/html (83 pages, token F1 over 4-grams, chrome pass
# after): include_comments=False removes reader comments, which news gold never contains;
# tables stay because score boxes and fact tables are part of some articles.
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


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str  # title (if any) as the first paragraph, then the body; "" when nothing was found
    title: str | None
    published: str | None


def html_to_text(html: str, url: str | None = None) -> Extracted:
    """Article text of `html`, the page's title kept once as its first line."""
    if not html.strip():
        return Extracted("", None, None)
    result = bare_extraction(html, url=url, **TRAFILATURA_OPTIONS)
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
