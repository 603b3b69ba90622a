"""Main text of an HTML page, via trafilatura.

Only extraction happens here: the plain-text chrome pass runs on the result afterwards, and
repeated blocks are removed by our own stage. trafilatura is always called with
`deduplicate=False`, because its duplicate cache is process-wide and would make a page's text
depend on which pages were processed before it.

Before trafilatura sees a page, a short pass over its tree (`without_page_chrome`) takes out kinds
of chrome that trafilatura keeps and joins an article body that the page splits into several
containers; the page goes to trafilatura unchanged when none of that applies.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lxml.etree import LxmlError, _Element
from lxml.html import HtmlElement, tostring
from trafilatura import bare_extraction, load_html

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
_WORDS = re.compile(r"\w+")

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

# -- chrome taken out before trafilatura ----------------------------------------------------------
# Measured on ../shared/eval/cleaning-dev/html (F1 of the whole `dedupe clean` output, title line
# included): .956 before, .973 with every rule, and with one rule left out: split body .967, teaser
# articles .968, link-only paragraphs .971, print-only blocks .972, headings inside links .972,
# link lists .973 (and .972 without the headline check of the title line).

# Elements whose text is never shown as page text.
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title"})
# A block counts as all link text when at most this share of its characters lies outside links
# (room for a bullet or a closing full stop).
_ALL_LINKED = 0.95
# Classes that name the main text of an article ("article__body", "story-content", "post_text", ...).
_BODY_CLASS = re.compile(r"(?:article|story|post|entry)[-_]*(?:body|content|text)", re.IGNORECASE)
# Class names of blocks shown only when the page is printed (the page's URL, a reprint notice).
_PRINT_ONLY = re.compile(
    r"^print[-_]?(?:header|footer|only|logo|url)$|^visible-print(?:-block|-inline|-inline-block)?$", re.IGNORECASE)
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"li", "td", "th", "dd"})

# Two headlines are one when they share at least this share of the longer one's words.
_SAME_HEADLINE = 0.5


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
    html = without_page_chrome(_ATTRIBUTE_FLOOD.sub(r"<\1>", html))
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
    first_line = _SPACES.sub(" ", body.split("\n", 1)[0]).strip()
    if title and not _gives_title(first_line, title, _opens_with_heading(getattr(result, "body", None))):
        body = f"{title}\n{body}"
    return Extracted(body, title, result.date or None)


# -- the title line --------------------------------------------------------------------------------


def _opens_with_heading(body: _Element | None) -> bool:
    """Whether trafilatura's body tree starts with a heading (its first block that has text)."""
    if body is None:
        return False
    first = next((block for block in body if "".join(block.itertext()).strip()), None)
    return first is not None and first.tag == "head"


def _gives_title(first_line: str, title: str, is_heading: bool) -> bool:
    """Whether the body's first line already is the headline, so the title is not added again.

    The `<title>` often words the headline differently from the page ("- Site Name" appended,
    "HS" for "High School"); a heading that shares half the words of the longer of the two is the
    same headline (a one-word section label such as "Review" is not). A first paragraph is never
    taken for the headline, however alike: the title line stays.
    """
    if first_line == title:
        return True
    if not is_heading:
        return False
    heading, named = set(_WORDS.findall(first_line.lower())), set(_WORDS.findall(title.lower()))
    return bool(heading and named) and len(heading & named) >= _SAME_HEADLINE * max(len(heading), len(named))


# -- page chrome -----------------------------------------------------------------------------------


def without_page_chrome(html: str) -> str:
    """`html` with its split article body joined and the chrome below taken out.

    Returns `html` itself when nothing applies or the page does not parse (trafilatura then
    meets the same page, and the same failure, as before).
    """
    try:
        tree = load_html(html)
        if tree is None:
            return html
        joined = _join_split_body(tree)
        page = _measure(tree)
        chrome = _outermost(tree, {element for element in tree.iter() if _is_chrome(element, page)})
        for element in chrome:
            _drop(element)
        return tostring(tree, encoding="unicode") if joined or chrome else html
    except _EXTRACTION_FAILURES:
        return html


def _join_split_body(tree: HtmlElement) -> bool:
    """Move the parts of an article body that the page splits into several containers into the first.

    Some layouts cut the text into blocks of the same article-body class with ads between them;
    trafilatura reads only the first such container and loses the rest of the article. Two
    containers are parts of one body when they are close (siblings, or children of sibling
    wrappers of one kind) and no heading stands between them: the next story of an endless page
    comes with its own headline. Returns whether anything moved.
    """
    bodies = {e for e in tree.iter("div", "section", "article") if _BODY_CLASS.search(e.get("class", ""))}
    if len(bodies) < 2:
        return False
    parts_by_kind: dict[tuple[str, str], list[HtmlElement]] = {}
    for element in _outermost(tree, bodies):
        parts_by_kind.setdefault((element.tag, " ".join(element.get("class", "").split())), []).append(element)
    position = {element: i for i, element in enumerate(tree.iter())}
    headings = [position[h] for h in tree.iter("h1", "h2", "h3") if "".join(h.itertext()).strip()]
    moved = False
    for first, *others in (parts for parts in parts_by_kind.values() if len(parts) > 1):
        end = _end(first, position)
        for part in others:
            if not _near(first, part) or any(end <= heading < position[part] for heading in headings):
                break
            end = _end(part, position)
            _append_text(first, part.text)
            first.extend(list(part))
            _drop(part)
            moved = True
    return moved


def _end(element: HtmlElement, position: dict[HtmlElement, int]) -> int:
    """The document position just after `element` and what it holds."""
    return position[element] + sum(1 for _ in element.iter())


def _near(a: HtmlElement, b: HtmlElement) -> bool:
    """Whether `a` and `b` are siblings, or children of sibling wrappers with the same tag and class."""
    pa, pb = a.getparent(), b.getparent()
    if pa is None or pb is None:
        return False
    if pa is pb:
        return True
    return pa.getparent() is pb.getparent() and pa.tag == pb.tag and pa.get("class") == pb.get("class")


@dataclass(frozen=True, slots=True)
class _Page:
    """What the chrome rules ask of each element, worked out in a few passes over the whole tree."""

    chars: dict[HtmlElement, int]  # visible characters, spaces not counted
    link_chars: dict[HtmlElement, int]  # those of them inside links
    in_link: dict[HtmlElement, bool]
    in_article: dict[HtmlElement, bool]
    holds_h1: dict[HtmlElement, bool]
    articles_below: Counter[HtmlElement]  # child <article>s of each element

    def all_linked(self, element: HtmlElement) -> bool:
        """Whether `element` has text and nearly all of it is link text."""
        chars = self.chars[element]
        return chars > 0 and (self.in_link[element] or self.link_chars[element] >= _ALL_LINKED * chars)


def _is_chrome(element: HtmlElement, page: _Page) -> bool:
    """Whether `element` is chrome by one of the rules below (never the page's `<html>` or `<body>`)."""
    tag = element.tag
    if not isinstance(tag, str) or tag in ("html", "body"):
        return False
    return (
        (tag == "p" and _is_link_paragraph(element, page))
        or (tag in ("ul", "ol") and _is_link_list(element, page))
        or (tag in _HEADINGS and page.in_link[element])  # the title of a teaser card for another page
        or (tag == "article" and _is_teaser_article(element, page))
        or _is_print_only(element, page)
    )


def _is_link_paragraph(element: HtmlElement, page: _Page) -> bool:
    """A paragraph whose text is all link text is a promoted headline of another story.

    One that holds a list item or table cell is judged with its list or table instead.
    """
    return page.all_linked(element) and getattr(element.getparent(), "tag", None) not in _CELLS


def _is_link_list(element: HtmlElement, page: _Page) -> bool:
    """A list whose items (two or more) are each all link text: related stories, tags, navigation."""
    items = [item for item in element if item.tag == "li" and page.chars[item] > 0]
    return len(items) >= 2 and all(page.all_linked(item) for item in items)


def _is_teaser_article(element: HtmlElement, page: _Page) -> bool:
    """An `<article>` inside an article, next to another one and without the page's `<h1>`.

    An article's own text is never cut into sibling articles; the cards of related posts are.
    """
    return page.in_article[element] and page.articles_below[element.getparent()] >= 2 and not page.holds_h1[element]


def _is_print_only(element: HtmlElement, page: _Page) -> bool:
    """A block shown only on paper (the page's URL, a reprint notice), unless it holds the `<h1>`."""
    return any(_PRINT_ONLY.match(name) for name in element.get("class", "").split()) and not page.holds_h1[element]


def _measure(tree: HtmlElement) -> _Page:
    """The `_Page` of `tree`: one pass from the leaves up, one from the root down.

    `tree` may be a fragment of a larger document (lxml returns one for some inputs): what is
    above it counts as neither link nor article.
    """
    chars: dict[HtmlElement, int] = {}
    link_chars: dict[HtmlElement, int] = {}
    holds_h1: dict[HtmlElement, bool] = {}
    elements = list(tree.iter())
    for element in reversed(elements):
        if not isinstance(element.tag, str) or element.tag in _INVISIBLE:
            chars[element], link_chars[element], holds_h1[element] = 0, 0, False
            continue
        size, linked, h1 = _visible(element.text), 0, element.tag == "h1"
        for child in element:
            size += chars[child] + _visible(child.tail)
            linked += link_chars[child]
            h1 = h1 or holds_h1[child]
        chars[element], link_chars[element], holds_h1[element] = size, size if element.tag == "a" else linked, h1
    in_link: dict[HtmlElement, bool] = {}
    in_article: dict[HtmlElement, bool] = {}
    for element in elements:
        parent = element.getparent()
        in_link[element] = parent in in_link and (parent.tag == "a" or in_link[parent])
        in_article[element] = parent in in_article and (parent.tag == "article" or in_article[parent])
    articles_below = Counter(element.getparent() for element in elements if element.tag == "article")
    return _Page(chars, link_chars, in_link, in_article, holds_h1, articles_below)


def _visible(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def _outermost(tree: HtmlElement, chosen: set[HtmlElement]) -> list[HtmlElement]:
    """The elements of `chosen` that are not inside another one, in document order."""
    covered: dict[HtmlElement, bool] = {}
    outermost: list[HtmlElement] = []
    for element in tree.iter():
        parent = element.getparent()
        if covered.get(parent, False):
            covered[element] = True
        elif element in chosen:
            covered[element] = True
            outermost.append(element)
        else:
            covered[element] = False
    return outermost


def _append_text(element: HtmlElement, text: str | None) -> None:
    """Add `text` at the end of what `element` holds."""
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _drop(element: HtmlElement) -> None:
    """Remove `element` and what it holds, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)
