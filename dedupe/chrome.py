"""Strip site chrome (menus, promos, appeals, bylines, captions, footers) from plain article text.

What it does
------------
`strip_chrome(text)` takes one document in the pipeline's text format (paragraphs separated by
exactly one blank line, each paragraph stripped) and returns the same format with the chrome
paragraphs removed, plus one `Edit` per removal with offsets into the input. It combines:

1. **Rules kept as data** (`RULES`): named patterns for kinds of chrome ("READ MORE: ..." promos,
   related-story headings, donation and newsletter appeals, share bars, captions with photo
   credits, breadcrumbs, source labels, timestamps, cookie and copyright notices, ...), each with
   examples that the tests check. A *heading* rule (`More Stories`, `Related`, `Most read`) takes
   the headline-like lines after it with it, until prose resumes.
2. **Structure**: the article body is the densest run of prose paragraphs (maximum-sum segment
   over per-paragraph scores: + words for sentence-like paragraphs, a fixed penalty for short,
   link-like or headline-cased lines). Lines outside the body are chrome, except the headline
   just before it (kept once; its repeats and breadcrumbs ending with it are dropped). Inside the
   body only rule matches are removed, so subheads, list items and one-line quotes stay.
3. **Learned per-source lines** (`BoilerplateLearner` -> `LearnedBoilerplate`): a paragraph or
   sentence that recurs in several *otherwise different* documents of one source is chrome even
   when no rule knows it.
4. **Glued chrome**: a chrome sentence joined to content without a space
   (`...all the difference.Downing Street`) is cut off the paragraph.

What it deliberately does not do
--------------------------------
- It never rewrites kept text: a paragraph is kept byte for byte, or cut at a sentence boundary
  (glued/leading chrome sentence, title section suffix), or dropped.
- It does not remove repeated blocks inside a document (the `repeats` stage does) nor
  near-duplicate documents; it does not repair encoding or extract HTML.
- It keeps no state between calls: everything learned lives in the frozen `LearnedBoilerplate`
  the caller passes in. Language: structure uses punctuation and word counts only, so non-English
  prose is kept; the rules' vocabulary is English (other languages lose only the rule layer).

Every rule regex is written to run in linear time (no nested or overlapping quantifiers); the
tests run each on 100k-character runs of repeated characters.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import zlib
from dataclasses import dataclass, field
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from .document import Edit
from .shingles import fold, words

__all__ = [
    "Rule",
    "RULES",
    "strip_chrome",
    "BoilerplateLearner",
    "LearnedBoilerplate",
]

STAGE = "chrome"

# --------------------------------------------------------------------------------------------
# Rules as data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """One named kind of chrome.

    kind:
      - "line":    the whole paragraph matches `pattern` (full match, case-insensitive);
      - "search":  `pattern` occurs somewhere in the paragraph (used for appeals, notices and
                   captions; never applied to paragraphs that carry a double quote, i.e. quotes);
      - "heading": the whole paragraph is a related-links heading; the headline-like paragraphs
                   after it go with it;
      - "vocab":   every word of the paragraph is in `vocab` (share bars, timestamps, galleries).
    max_words: the rule only fires on paragraphs (or sentences) of at most this many words.
    sentence: the rule may also fire on a single sentence (glued or leading/trailing chrome).
    terminal: a heading after which the page has no more article (comments, author bio): when it
              comes after most of the document's prose, everything after it goes.
    """

    name: str
    kind: str
    pattern: str = ""
    examples: tuple[str, ...] = ()
    max_words: int = 40
    vocab: frozenset[str] = frozenset()
    sentence: bool = False
    terminal: bool = False
    regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ("line", "search", "heading", "vocab"):
            raise ValueError(f"rule {self.name}: kind must be line/search/heading/vocab, not {self.kind!r}")
        if self.kind != "vocab":
            object.__setattr__(self, "regex", re.compile(self.pattern, re.IGNORECASE))

    def matches(self, text: str, n_words: int, toks: list[str] | None = None) -> bool:
        if n_words > self.max_words or n_words == 0:
            return False
        if self.kind == "vocab":
            toks = words(text) if toks is None else toks
            return all(t in self.vocab or _NUMBER.fullmatch(t) is not None for t in toks) and any(
                t in self.vocab and t not in _FUNCTION_WORDS for t in toks
            )
        assert self.regex is not None
        if self.kind == "search":
            if _QUOTE_CHARS.search(text):
                return False
            return self.regex.search(text) is not None
        return self.regex.fullmatch(text) is not None


# Words that say nothing alone: a vocab rule needs at least one word outside this set.
_FUNCTION_WORDS = frozenset("the a an and or of on at by in to is this it via us x s m first last".split())
_NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s|h|m|k)?")
_QUOTE_CHARS = re.compile(r"[\"“”«»„]")

# Separators seen after promo labels: "READ MORE: x", "Related » x", "MORE | x".
_SEP = r"\s*[:|»›>–—-]+\s*"

_SOCIAL = frozenset(
    """share shares sharing shared this article story post page on via facebook twitter whatsapp email
    e mail linkedin pinterest reddit print copy link links tweet flipboard messenger sms telegram
    comment comments comentarios instagram youtube tumblr pocket mix save saved bookmark gift
    google plus vk caring is follow us subscribe rss feed like reply permalink embed more options
    and or the x""".split()
)
_TIME = frozenset(
    """jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
    august september october november december mon tue tues wed thu thur thurs fri sat sun monday
    tuesday wednesday thursday friday saturday sunday am pm a m p gmt bst utc est edt et cet cest pst
    pdt cst cdt ist aest updated published posted last first modified on at by min mins minute
    minutes hour hours ago read time reading day days week weeks month months year years st nd rd th
    today yesterday leitura tempo minuto minutos lectura lettura minuti lesezeit minuten lecture
    mins lire""".split()
)
_GALLERY = frozenset(
    """photo photos image images picture pictures gallery galleries slide slideshow video videos of
    back to previous next prev view enlarge expand close open hide show toggle caption captions
    full screen fullscreen this play watch now replay loading audio listen article icon""".split()
)
_ROLE = frozenset(
    """staff writer writers reporter reporters correspondent correspondents editor editors senior
    chief political business sports tech technology science health opinion columnist contributor
    contributing contributors author associate associated press and special to the news desk
    deputy managing digital producer wire reuters ap afp bloomberg""".split()
)

RULES: tuple[Rule, ...] = (
    Rule(
        "read_more_promo",
        "line",
        r"(?:read more|more|read also|also read|see also|related|related (?:article|story|stories|"
        r"content|coverage|link|links|reading)|recommended(?: reading)?|read next|up next|"
        r"must read|don't miss|don’t miss|editor's picks?|editor’s picks?|more on this|watch|"
        r"watch now|listen|trending|opinion|latest|breaking|explainer|live|featured|sponsored)"
        + _SEP + r"\S.*",
        ("READ MORE: Has Putin been SPOOKED? Key sign of Russia’s dramatic U-turn",
         "MORE: Stadia Destiny 2 Medium Rdr2", "Related: Trump tweets about Ukraine"),
        max_words=30,
    ),
    Rule(
        "related_heading",
        "heading",
        r"(?:more stories|more news|other stories|related|related (?:articles?|stories|story|"
        r"content|coverage|headlines|posts?|links|topics|news|reading)|"
        r"most (?:read|popular|viewed|shared|emailed|commented)(?: stories| articles| news)?(?: (?:in|on|from) .{1,40})?|"
        r"(?:you|we think you) (?:may|might|will|could) (?:also )?(?:like|enjoy|be interested in)|"
        r"recommended(?: for you| stories| articles| reading)?|trending(?: now| stories| news| today)?|"
        r"top stories|top news|latest(?: news| stories| articles| headlines| posts)?|read next|"
        r"what to read next|editor's picks|editor’s picks|don't miss|don’t miss|in other news|"
        r"around the web|sponsored(?: content| stories| links)?|promoted(?: content| stories| links)?|"
        r"further reading|see also|more on this(?: story| topic)?|more (?:from|in|on|about) .{1,40}|"
        r"popular(?: posts| stories| now| articles)?|recent posts|related posts|you may have missed|"
        r"also in .{1,40}|more to explore|more videos|more coverage|keep reading|read more|"
        r"also on .{1,40}|from around the web|paid content|partner content|elsewhere on .{1,40})"
        r"\s*[:.»›>…]*",
        ("More Stories", "Related", "Most read", "You may also like", "Related Headlines",
         "Trending Now", "More from The Guardian"),
        max_words=8,
    ),
    Rule(
        "end_heading",
        "heading",
        r"(?:\d+ )?(?:comments?|reader comments|leave a (?:comment|reply)|post a comment|add a comment|"
        r"join the (?:conversation|discussion)|conversation|discussion|responses|\d+ responses|"
        r"(?:\d+ )?(?:thoughts|replies) on .{1,80}|about the (?:author|writer)|author bio|"
        r"(?-i:(?:[Aa]bout|[Ss]obre|[Üü]ber|[Aa] proposito di|[Àà] propos de) [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3})|"
        r"comentários|comentarios|commenti|kommentare|commentaires|deixe (?:um|seu) comentário)"
        r"\s*(?:\(\d+\))?\s*[:.»›>…]*",
        ("Comments", "Leave a Reply", "About the author", "Sobre Carlos Nadalim", "10 thoughts on “X”"),
        max_words=14,
        terminal=True,
    ),
    Rule(
        "donation_appeal",
        "search",
        r"\byour (?:support|donation|contribution|gift)s? (?:helps?|makes?|allows?|means?|will)|"
        r"\bsupport (?:our|independent|quality|local|trusted|fact-based) (?:journalism|reporting|news)|"
        r"\bsmall favou?r to ask|\bmak(?:e|ing) a (?:one-time |one-off |monthly |small |recurring )?"
        r"(?:donation|contribution)|\bdonate (?:now|today)|\bbecome a (?:member|subscriber|supporter|patron)|"
        r"\bjournalism (?:needs|relies on) (?:your|reader)|\breader-(?:supported|funded)|"
        r"\bsupport \w+(?: \w+){0,3} from as little as|\bpaywalls?\b|\bsupport us\b|"
        r"\bplease consider (?:supporting|subscribing|donating|a donation|making)|\bfrom as little as\b|"
        r"\bhelp us (?:to )?(?:keep|continue|tell|fund|deliver)|\bbefore you go\b|"
        r"\bindependent journalism\b|\bfund our (?:journalism|reporting)",
        ("Your support helps us to tell the story", "Your support makes all the difference.",
         "We have a small favour to ask.", "Independent journalism needs your support"),
        max_words=120,
        sentence=True,
    ),
    Rule(
        "newsletter_signup",
        "search",
        r"\bsign (?:up|me up)\b|\bsubscribe (?:to|now|today|for)\b|\bnewsletters?\b|"
        r"\b(?:in|to) your inbox\b|\benter your e-?mail|\bunsubscribe\b|\bemail address\b|"
        r"\bsubscribers? only\b|\balready a subscriber|\blog ?in to\b|\bregister (?:now|for free|here)\b",
        ("Get the latest headlines in your inbox.", "Sign up for The Morning Brief, our free newsletter."),
        max_words=60,
        sentence=True,
    ),
    Rule(
        "social_follow",
        "search",
        r"\bfollow (?:us|me|\w+(?: \w+){0,3}) on (?:facebook|twitter|instagram|linkedin|youtube|tiktok|x)\b|"
        r"\blike us on facebook|\bshare this (?:article|story|post|page|video)\b|"
        r"\bshare (?:on|via) (?:facebook|twitter|whatsapp|email|linkedin)\b|\bclick (?:here|to share)|"
        r"\bjoin (?:the|our) (?:conversation|discussion|community)",
        ("Follow Westbrook Record on Facebook, Twitter and Instagram for the latest news and updates.",),
        max_words=40,
        sentence=True,
    ),
    Rule(
        "share_bar",
        "vocab",
        examples=("Share this article: Facebook Twitter WhatsApp Email", "0 shares", "Sharing is caring!"),
        max_words=20,
        vocab=_SOCIAL,
    ),
    Rule(
        "cookie_notice",
        "search",
        r"\bcookies?\b.{0,60}\b(?:policy|settings|preferences|consent|experience|browse|browsing|accept|"
        r"esperienza|experiência|experiencia|erfahrung|expérience|sito|navigazione|navegação|navegación)|"
        r"\bby (?:continuing|using) (?:to (?:browse|use)|this (?:site|website))|\bprivacy (?:policy|notice)\b|"
        r"\bterms (?:of (?:use|service)|and conditions)\b",
        ("We use cookies to give you the best experience on our website.",),
        max_words=80,
        sentence=True,
    ),
    Rule(
        "copyright",
        "search",
        r"(?:©|\(c\)\s*\d{4}|\bcopyright\b|\ball rights? reserved\b)",
        ("© 2019 The Anti-June Cleaver", "Copyright 2019 Associated Press. All rights reserved."),
        max_words=40,
        sentence=True,
    ),
    Rule(
        "comments_prompt",
        "search",
        r"\bcomments? \(\d+\)|^\d+ comments?$|\bleave a (?:comment|reply)\b|\bcomments are (?:closed|moderated)\b|"
        r"\bpost a comment\b|\b(?:show|view|load|hide|read) (?:all )?(?:\d+ )?comments\b|"
        r"\bcommunity guidelines\b|\byou must be logged in\b|\b(?:lascia|deixe|deja|laisser) (?:un|uma|um|un) "
        r"(?:commento|comentário|comentario|commentaire)|\binviare un commento\b|"
        r"^.{1,60} (?:on|at) .{1,40}\d{4}.{0,20} (?:said|says|wrote)\s*:?$",
        ("Comments (0)", "Comments are moderated and may take up to 24 hours to appear."),
        max_words=40,
        sentence=True,
    ),
    Rule(
        "comment_header",
        "line",
        r"[^.!?]{1,60}? (?:on|at) .{0,40}?\d{4}.{0,40}? (?:said|says|wrote)\s*:?",
        ("Milan Griffes on September 12, 2018 at 4:47 pm said:",),
        max_words=16,
    ),
    Rule(
        "advertisement",
        "line",
        r"(?:advertisement|advertising|advert|ad|ads|sponsored|sponsored content|paid content|"
        r"story continues below(?: advertisement)?|article continues (?:below|after (?:this )?advertisement)|"
        r"continue reading (?:below|the main story|the article)|scroll (?:down )?to continue.{0,40}|"
        r"skip (?:advertisement|ad)|report (?:an )?ad|content continues below)\s*[.:…]*",
        ("Advertisement", "Continue reading the main story", "Story continues below advertisement"),
        max_words=10,
    ),
    Rule(
        "link_stub",
        "line",
        r"(?:(?:read|see|view|get|watch) (?:the )?(?:full|complete|original|entire|whole) "
        r"(?:report|story|article|coverage|text|interview|statement|list|video)|"
        r"full (?:report|story|article|coverage|text)|"
        r"continue reading|click here(?: to .{1,60})?|read (?:it|more|the rest)|more here|"
        r"(?:read|find out|learn) more(?: about .{1,60})?|back to (?:top|gallery|home)|"
        r"(?:previous|next) (?:article|story|post|page)|view (?:gallery|comments|all)|"
        r"open in (?:app|browser)|download (?:the|our) app)"
        r"(?: here| at .{1,60}| on .{1,60})?\s*[.!:…»›>)]*",
        ("Full report here.", "Continue reading", "Click here to subscribe"),
        max_words=14,
    ),
    Rule(
        "click_here",
        "search",
        r"\b(?:by )?click(?:ing)? (?:here|this link|the link|below)\b|\btap here\b",
        ("GET FOX BUSINESS ON THE GO BY CLICKING HERE",),
        max_words=16,
        sentence=True,
    ),
    Rule(
        "source_label",
        "line",
        r"(?:source|sources|via|credit|credits|photo|photos|image|images|picture|pictures|photograph|"
        r"illustration|video|graphic|graphics|file photo|image credit|photo credit|cover image|"
        r"featured image|header image|top image|main image|lead image|pictured|above|below|"
        r"caption|editing|reporting|written|edited|compiled|translated|translation)(?: by)?\s*[:|]\s*\S.*",
        ("Source: Sky News", "Image Credit: WeWork", "Above: A WeWork coworking space in San Francisco."),
        max_words=40,
    ),
    Rule(
        "photo_caption",
        "search",
        r"\b(?:photo|photograph|image|picture|pic|illustration|video|footage|graphic)s?(?: by)?\s*(?::|/|\bby\b)|"
        r"/\s*(?:reuters|ap|afp|getty(?: images)?|epa(?:-efe)?|shutterstock|pa(?: wire| images| media)?|"
        r"bloomberg|afp via getty images|ap photo|alamy|istock(?:photo)?|sputnik|tass|xinhua|anadolu)\s*\)?\s*$|"
        r"\bgetty images\b|\bap photo\b|\bcredit\s*(?:\.\.\.|…|:)|\bphoto credit\b|(?-i:\b[Cc]ourtesy(?: of)? [A-Z])|"
        r"\b(?:file|stock|handout) (?:photo|image|picture)\b",
        ("Russian President Vladimir Putin. Photo: SPUTNIK/Reuters",
         "Trump asked voters for a big win. Credit... Doug Mills/The New York Times",
         "Photo: Damian Dovarganes, AP"),
        max_words=45,
    ),
    Rule(
        "byline",
        "line",
        r"(?:by|from|written by|words by|story by|posted by|reporting by|text by|por|di|de|von|par)"
        r"\s+[^\s.!?]+(?:\s+[^\s.!?]+){0,5}"
        r"(?:\s*(?:,|and|&|\|)\s*[^\s.!?]+(?:\s+[^\s.!?]+){0,5}){0,3}\.?",
        ("By Jamelle Bouie", "by Regan September 15, 2014", "By Sarah Whitfield and James Lee"),
        max_words=16,
    ),
    Rule(
        "role_line",
        "vocab",
        examples=("Staff Writer", "Opinion Columnist", "Associated Press"),
        max_words=6,
        vocab=_ROLE,
    ),
    Rule(
        "timestamp",
        "vocab",
        examples=("Published Nov. 19, 2019 8:32 a.m. | Updated Nov. 20, 2019 1:32 p.m.", "5 min read",
                  "November 18, 2019 11:03 PM"),
        max_words=30,
        vocab=_TIME,
    ),
    Rule(
        "gallery_control",
        "vocab",
        examples=("Back to Gallery", "Enlarge this image", "Toggle caption"),
        max_words=8,
        vocab=_GALLERY,
    ),
    Rule(
        "gallery_counter",
        "line",
        r"\d{1,4}\s*(?:/|of)\s*\d{1,4}",
        ("1 / 23", "3 of 12"),
        max_words=3,
    ),
    Rule(
        "breadcrumb",
        "line",
        r"home\s*[›>»/|].*|home(?: news| world| sport| sports| business| opinion| politics| tech| "
        r"technology| science| health| entertainment| lifestyle| culture| travel| local| national| "
        r"international| uk| us| europe| asia| africa| americas| australia| india| middle east){1,3}",
        ("Home › News", "Home News", "Home > World > Europe"),
        max_words=12,
    ),
    Rule(
        "tag_list",
        "line",
        r"(?:tags?|topics?|filed under|categories|category|keywords|related topics|more about|"
        r"explore more on these topics|posted in|labels)\s*[:|]?\s*\S.{0,400}",
        ("Tags: Russia, Ukraine, Putin", "Topics: Ukraine crisis"),
        max_words=40,
    ),
    Rule(
        "affiliate_disclosure",
        "search",
        r"\baffiliate (?:links?|commission|advertising|program)|\bmay (?:earn|receive) (?:a )?"
        r"(?:small )?(?:commission|compensation)|\bwe may earn\b|\bdisclosure (?:policy|page|statement)\b",
        ("This post may contain affiliate and/or referral links. Please see my disclosure page.",),
        max_words=60,
        sentence=True,
    ),
)

_RULES_BY_NAME = {r.name: r for r in RULES}
_SENTENCE_RULES = tuple(r for r in RULES if r.sentence)

# --------------------------------------------------------------------------------------------
# Paragraph features
# --------------------------------------------------------------------------------------------

# Sentence-final characters, also after a closing quote or bracket: "…he said." / “Good.” / (AP)
_TERMINAL = frozenset(".!?…:;。！？\"”’»)],、，")
# A glued sentence boundary: lower-case word, end mark, capital letter with no space between
# ("difference.Downing"). Two letters before the mark keep "U.S." and "e.g." intact.
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
# An ordinary sentence boundary inside a paragraph.
_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
# Chinese, Japanese, Korean and Thai characters: no spaces between words.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LINKY = re.compile(r"\s[|•·]\s|\s[›»>/]\s")
_TITLE_SUFFIX = re.compile(r"\s+\|\s+[^|]{1,40}\Z")
_NAME = re.compile(r"[A-Z][\w'’-]*\.?(?:\s+[A-Z][\w'’-]*\.?){1,4}")

# Scores for the body search, measured on cleaning-dev (text_with_chrome, 83 pages): a penalty of
# 6 words per non-prose line keeps article subheads and short lists inside the body (they are
# always followed by >6 words of prose) while 3+ menu or link lines in a row split the body off
# related/teaser blocks. Prose is a paragraph of >= 6 words ending a sentence, or >= 25 words.
_NONPROSE_PENALTY = 6
_RULE_PENALTY = 2
_PROSE_MIN_WORDS = 6
_PROSE_LONG_WORDS = 25


@dataclass(slots=True)
class _Para:
    text: str
    start: int
    end: int
    toks: list[str]
    rule: str | None = None
    heading: bool = False
    _prose: bool | None = None
    _title: bool | None = None

    @property
    def n(self) -> int:
        return len(self.toks)

    @property
    def weight(self) -> int:
        """Length in words; scripts written without spaces count one word per two characters."""
        n = len(self.toks)
        if n and len(self.text) > 12 * n:
            return max(n, len(_UNSPACED.findall(self.text)) // 2)
        return n


def _is_titlecase(text: str) -> bool:
    """Most words capitalised, as in headlines and menu entries (False for uncased scripts)."""
    ws = [w for w in text.split() if w[:1].isalpha()]
    if len(ws) < 2:
        return False
    cased = [w for w in ws if w[0].isupper() or w[0].islower()]
    if len(cased) < len(ws) * 0.8:
        return False
    upper = sum(1 for w in cased if w[0].isupper())
    # measured on dev: headlines ~0.8-1.0 capitalised words, prose sentences ~0.1-0.3
    return upper >= 0.7 * len(cased)


def _is_prose(p: _Para) -> bool:
    if p._prose is None:
        p._prose = _prose_uncached(p)
    return p._prose


def _titlecase(p: _Para) -> bool:
    if p._title is None:
        p._title = _is_titlecase(p.text)
    return p._title


def _prose_uncached(p: _Para) -> bool:
    if p.text.endswith(("...", "…")) and p.weight < _PROSE_LONG_WORDS:
        return False  # a truncated teaser: "Microsoft removes the safeguard hold for ..."
    if p.weight >= _PROSE_LONG_WORDS:
        return not (_LINKY.search(p.text) or (p.text[-1] not in _TERMINAL and _titlecase(p)))
    if p.weight < _PROSE_MIN_WORDS:
        return False
    if p.text[-1] not in _TERMINAL:
        return False
    if _LINKY.search(p.text):
        return False
    return True


def _is_headline_like(p: _Para) -> bool:
    """Short line without sentence punctuation (a link or headline)."""
    if p.n == 0 or p.n > 25:
        return False
    return p.text[-1] not in ".:;" or _titlecase(p)


def _match_rule(text: str, n: int, toks: list[str]) -> Rule | None:
    for r in RULES:
        if r.matches(text, n, toks):
            if r.sentence and r.kind == "search" and not _mostly_chrome_sentences(text, n):
                continue  # one chrome sentence glued to content: cut later, sentence by sentence
            return r
    return None


def _mostly_chrome_sentences(text: str, n: int) -> bool:
    """True when sentences matched by sentence rules hold at least half of the paragraph's words."""
    sents = _sentences(text)
    if len(sents) < 2:
        return True
    chrome = 0
    for s in sents:
        toks = words(s)
        if _sentence_rule(s) is not None:
            chrome += len(toks)
    return chrome * 2 >= n


def _sentence_rule(sentence: str) -> Rule | None:
    toks = words(sentence)
    for r in _SENTENCE_RULES:
        if r.matches(sentence, len(toks), toks):
            return r
    return None


# --------------------------------------------------------------------------------------------
# Learned boilerplate
# --------------------------------------------------------------------------------------------


def _source_key(source: str) -> str:
    """The site a document came from: the host of a URL without "www.", else the string itself."""
    s = source.strip().lower()
    if "://" in s:
        s = urlsplit(s).netloc
    return s[4:] if s.startswith("www.") else s


def _unit_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(fold(text).encode(), digest_size=8).digest(), "big")


def _sentences(paragraph: str) -> list[str]:
    out: list[str] = []
    for chunk in _GLUED.split(paragraph):
        out.extend(s for s in _SENT_SPLIT.split(chunk) if s.strip())
    return out


def _units(text: str) -> Iterator[tuple[int, bool]]:
    """(hash, is_sentence) for each paragraph and each sentence of a multi-sentence paragraph."""
    for para in text.split("\n\n"):
        if not fold(para):
            continue
        yield _unit_hash(para), False
        sents = _sentences(para)
        if len(sents) > 1:
            for s in sents:
                if len(words(s)) >= _LEARN_SENTENCE_MIN_WORDS:
                    yield _unit_hash(s), True


def _sketch(text: str, k: int) -> tuple[int, ...]:
    """Bottom-k sketch of the document's word 5-gram hashes (crc32: deterministic, fast)."""
    toks = words(text)
    if len(toks) < 5:
        grams = {" ".join(toks)}
    else:
        grams = {" ".join(toks[i : i + 5]) for i in range(len(toks) - 4)}
    return tuple(sorted(heapq.nsmallest(k, {zlib.crc32(g.encode()) for g in grams})))


def _similarity(a: tuple[int, ...], b: tuple[int, ...], k: int) -> float:
    """Jaccard estimate from two bottom-k sketches."""
    union = heapq.nsmallest(k, set(a) | set(b))
    sa, sb = set(a), set(b)
    return sum(1 for h in union if h in sa and h in sb) / max(1, len(union))


# Sentences shorter than this are not learned ("Thank you." recurs in unrelated articles).
_LEARN_SENTENCE_MIN_WORDS = 4


@dataclass(frozen=True, slots=True)
class LearnedBoilerplate:
    """Lines and sentences learned as boilerplate: hashes of their folded text and counts only.

    `per_source` maps a source key to the frozenset of learned hashes; `shared` holds lines that
    recur across several unrelated sources. Build it with `BoilerplateLearner`.
    """

    per_source: dict[str, frozenset[int]] = field(default_factory=dict)
    shared: frozenset[int] = frozenset()
    documents: dict[str, int] = field(default_factory=dict)

    def is_boilerplate(self, source: str, line: str) -> bool:
        h = _unit_hash(line)
        return h in self.shared or h in self.per_source.get(_source_key(source), ())

    def summary(self) -> dict[str, object]:
        """Counts for the report: learned units per source, shared units, documents seen."""
        return {
            "sources": len(self.documents),
            "documents": sum(self.documents.values()),
            "learned_per_source": {k: len(v) for k, v in sorted(self.per_source.items()) if v},
            "shared": len(self.shared),
        }


@dataclass(slots=True)
class _DocRecord:
    source: str
    sketch: tuple[int, ...]
    units: frozenset[int]


class BoilerplateLearner:
    """Learns per-source boilerplate lines; needs the WHOLE corpus before it can decide.

    First pass: call `observe(source, text)` once per document (text in the stage's input
    format). Then `finish()` returns the frozen `LearnedBoilerplate` for the second pass
    (`strip_chrome(..., learned=...)`). It holds only hashes: per document a bottom-k sketch of
    its word 5-grams and the hashes of its paragraphs and sentences, never corpus text.

    A unit (paragraph, or sentence of >= 4 words) is learned for a source when it occurs in at
    least `min_docs` documents of that source that are *otherwise different*: exact duplicate
    texts count once, and a document whose sketch is similar (estimated 5-gram Jaccard >=
    `max_similarity`) to one already counted for that unit adds nothing, so near-duplicate
    copies of one article cannot make their own paragraphs look like boilerplate. A unit counts
    as shared (all sources) when it recurs in `min_sources` different sources in mutually
    dissimilar documents; syndicated wire copy is one article on several sites, so its copies
    are similar and never reach the threshold.
    """

    def __init__(self, min_docs: int = 3, min_sources: int = 4, max_similarity: float = 0.5,
                 sketch_size: int = 32) -> None:
        if min_docs < 2:
            raise ValueError("min_docs must be >= 2: a line seen once says nothing about the source")
        if min_sources < 2:
            raise ValueError("min_sources must be >= 2")
        if not 0.0 < max_similarity <= 1.0:
            raise ValueError("max_similarity must be in (0, 1], e.g. 0.5")
        self.min_docs = min_docs
        self.min_sources = min_sources
        self.max_similarity = max_similarity
        self.sketch_size = sketch_size
        self._docs: list[_DocRecord] = []
        self._seen: set[tuple[str, int]] = set()
        self._count: dict[str, dict[int, int]] = {}
        self._global: dict[int, int] = {}

    def observe(self, source: str, text: str) -> None:
        key = _source_key(source)
        digest = _unit_hash(text)
        if (key, digest) in self._seen:  # exact duplicate text: counted once
            return
        self._seen.add((key, digest))
        units = frozenset(h for h, _ in _units(text))
        if not units:
            return
        self._docs.append(_DocRecord(key, _sketch(text, self.sketch_size), units))
        counts = self._count.setdefault(key, {})
        for h in units:
            counts[h] = counts.get(h, 0) + 1
            self._global[h] = self._global.get(h, 0) + 1

    def finish(self) -> LearnedBoilerplate:
        k = self.sketch_size
        candidates = {key: {h for h, c in cnt.items() if c >= self.min_docs} for key, cnt in self._count.items()}
        global_cand = {h for h, c in self._global.items() if c >= self.min_sources}
        # Representatives per (source, unit): sketches of mutually dissimilar documents.
        reps: dict[tuple[str, int], list[tuple[int, ...]]] = {}
        greps: dict[int, list[tuple[str, tuple[int, ...]]]] = {}
        for doc in self._docs:
            cand = candidates.get(doc.source, set())
            for h in doc.units:
                if h in cand:
                    lst = reps.setdefault((doc.source, h), [])
                    if len(lst) < self.min_docs and all(
                        _similarity(doc.sketch, r, k) < self.max_similarity for r in lst
                    ):
                        lst.append(doc.sketch)
                if h in global_cand:
                    glst = greps.setdefault(h, [])
                    if len(glst) < self.min_sources and all(
                        s != doc.source and _similarity(doc.sketch, r, k) < self.max_similarity for s, r in glst
                    ):
                        glst.append((doc.source, doc.sketch))
        per_source: dict[str, set[int]] = {key: set() for key in self._count}
        for (key, h), lst in reps.items():
            if len(lst) >= self.min_docs:
                per_source[key].add(h)
        shared = frozenset(h for h, lst in greps.items() if len(lst) >= self.min_sources)
        documents: dict[str, int] = {}
        for doc in self._docs:
            documents[doc.source] = documents.get(doc.source, 0) + 1
        return LearnedBoilerplate(
            per_source={key: frozenset(v) for key, v in per_source.items()},
            shared=shared,
            documents=documents,
        )


# --------------------------------------------------------------------------------------------
# The stripper
# --------------------------------------------------------------------------------------------


def _split(text: str) -> list[_Para]:
    paras: list[_Para] = []
    pos = 0
    for chunk in text.split("\n\n"):
        stripped = chunk.strip()
        if stripped:
            off = pos + chunk.index(stripped)
            paras.append(_Para(stripped, off, off + len(stripped), words(stripped)))
        pos += len(chunk) + 2
    return paras


def _hard_wrapped(paras: list[_Para]) -> bool:
    """Text saved with hard line breaks (one ~70-character line per paragraph, sentences running
    across lines). On neardup-dev's `resplit:hard_wrap` docs 60-90% of lines end mid-sentence;
    ordinary pages stay under 20% except menus, whose lines are short (< 40 chars)."""
    wrapped = sum(1 for p in paras if 40 <= len(p.text) <= 100 and p.text[-1] not in _TERMINAL and p.n >= 5)
    return wrapped >= 5 and wrapped >= 0.4 * len(paras)


def _body(paras: list[_Para]) -> tuple[int, int] | None:
    """Maximum-sum run of paragraphs (Kadane): the article body, or None when nothing is prose."""
    if _hard_wrapped(paras):
        for p in paras:
            if p.n >= 5 and not _LINKY.search(p.text):
                p._prose = True
    best, best_span = 0.0, None
    cur, cur_start = 0.0, 0
    in_list = False
    for i, p in enumerate(paras):
        if p.rule is not None:
            v = -_NONPROSE_PENALTY if p.rule in ("related_links", "after_end_heading") or p.heading else -_RULE_PENALTY
            in_list = False
        elif _is_prose(p):
            v = float(p.weight)
            in_list = p.text[-1] == ":"
        elif in_list:
            v = 1.0  # an item of the list that the previous sentence introduced ("Tour dates:")
        elif p.n and p.text[-1] in _TERMINAL and not _titlecase(p):
            v = 0.5 * p.weight  # a short sentence: "Good." / "“Please.”"
        else:
            v = -_NONPROSE_PENALTY
        if cur <= 0:
            cur, cur_start = v, i
        else:
            cur += v
        if cur > best:
            best, best_span = cur, (cur_start, i)
    return best_span


def _mark_headings(paras: list[_Para]) -> None:
    """A related-links heading takes the headline-like lines after it, until prose resumes."""
    i = 0
    while i < len(paras):
        if paras[i].heading:
            j = i + 1
            while j < len(paras) and paras[j].n <= 25 and (
                paras[j].rule is not None or not _is_prose(paras[j]) or paras[j].text[-1] in "!?"
            ):
                if paras[j].rule is None:
                    paras[j].rule = "related_links"
                j += 1
            i = j
        else:
            i += 1


def _cut_at_end_heading(paras: list[_Para], span: tuple[int, int]) -> int | None:
    """Index of a terminal heading (comments, author bio) inside the body that ends the article.

    It must follow at least 30% of the body's prose words (and 50 words): a comments block after
    the article is cut, a "Discussion" subhead in an essay's first paragraphs is not. On dev
    pages the terminal headings sit after 75-100% of the article's prose.
    """
    b0, b1 = span
    total = sum(p.weight for p in paras[b0 : b1 + 1] if p.rule is None and _is_prose(p))
    seen = 0
    for i in range(b0, b1 + 1):
        p = paras[i]
        if p.rule is None and _is_prose(p):
            seen += p.weight
        elif p.heading and _RULES_BY_NAME[p.rule].terminal and seen >= max(50, 0.3 * total):
            return i
    return None


def _mark_repeated_short(paras: list[_Para]) -> None:
    """A short non-prose line printed 3+ times in one page is a widget ("Whatsapp Facebook Pint")."""
    counts: dict[str, int] = {}
    for p in paras:
        if p.rule is None and p.n <= 8 and p.text[-1] not in _TERMINAL:
            counts[p.text] = counts.get(p.text, 0) + 1
    for p in paras:
        if p.rule is None and counts.get(p.text, 0) >= 3:
            p.rule = "repeated_widget_line"


_WE = re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE)


def _fill_appeals(paras: list[_Para]) -> None:
    """A paragraph that speaks as "we/our" is part of an appeal when it sits between two appeal
    paragraphs, or next to one while carrying an appeal phrase itself (seed 003: the paywall
    paragraph of The Independent's appeal, whose other sentences are plain)."""
    appeal = {"donation_appeal"}
    for i, p in enumerate(paras):
        if p.rule is not None or _QUOTE_CHARS.search(p.text):
            continue
        before = next((q for q in reversed(paras[max(0, i - 2) : i]) if q.rule in appeal), None)
        after = next((q for q in paras[i + 1 : i + 3] if q.rule in appeal), None)
        if not _WE.search(p.text):
            continue
        if (before and after) or ((before or after) and _RULES_BY_NAME["donation_appeal"].regex.search(p.text)):
            p.rule = "donation_appeal"


def _cut_sentences(p: _Para, edits: list[Edit]) -> _Para | None:
    """Cut leading/trailing chrome sentences (glued or not); None when nothing stays."""
    sents = _sentences(p.text)
    if len(sents) < 2:
        return p
    # offsets of each sentence in p.text
    spans, pos = [], 0
    for s in sents:
        i = p.text.index(s, pos)
        spans.append((i, i + len(s)))
        pos = i + len(s)
    lo, hi = 0, len(sents)
    cut_rules: list[tuple[int, int, str]] = []
    while lo < hi:
        r = _sentence_rule(sents[lo])
        if r is None:
            break
        cut_rules.append((spans[lo][0], spans[lo][1], r.name))
        lo += 1
    while hi > lo:
        r = _sentence_rule(sents[hi - 1])
        if r is None:
            break
        cut_rules.append((spans[hi - 1][0], spans[hi - 1][1], r.name))
        hi -= 1
    if lo == 0 and hi == len(sents):
        return p
    if lo >= hi:
        return None
    keep_start, keep_end = spans[lo][0], spans[hi - 1][1]
    if lo > 0:
        edits.append(Edit(STAGE, cut_rules[0][2], p.text[:keep_start], p.start, p.start + keep_start))
    if hi < len(sents):
        edits.append(Edit(STAGE, cut_rules[-1][2], p.text[keep_end:], p.start + keep_end, p.end))
    new = p.text[keep_start:keep_end].strip()
    off = p.start + p.text.index(new, keep_start)
    return _Para(new, off, off + len(new), words(new))


def _strip_once(text: str, source: str, learned: LearnedBoilerplate | None) -> tuple[list[_Para], list[Edit]]:
    paras = _split(text)
    edits: list[Edit] = []
    if not paras:
        return [], edits
    for p in paras:
        r = _match_rule(p.text, p.n, p.toks)
        if r is not None:
            p.rule = r.name
            p.heading = r.kind == "heading"
        elif learned is not None and learned.is_boilerplate(source, p.text):
            p.rule = "learned_source_line"
    _fill_appeals(paras)
    _mark_headings(paras)
    _mark_repeated_short(paras)
    span = _body(paras)
    if span is not None:
        cut = _cut_at_end_heading(paras, span)
        if cut is not None:
            for q in paras[cut + 1 :]:
                if q.rule is None:
                    q.rule = "after_end_heading"
            span = _body(paras)
    keep = [False] * len(paras)
    title_idx = None
    if span is None:
        # nothing reads as prose (a table, a list): keep everything no rule knows
        for i, p in enumerate(paras):
            keep[i] = p.rule is None
        b0, b1 = 0, len(paras) - 1
    else:
        b0, b1 = span
        for i in range(b0, b1 + 1):
            keep[i] = paras[i].rule is None
        # the headline: the nearest headline-like line before the body, skipping rule chrome
        for i in range(b0 - 1, max(-1, b0 - 9), -1):
            p = paras[i]
            if p.rule is not None or (p.n <= 4 and _NAME.fullmatch(p.text)):
                continue  # chrome, or a bare author name between the headline and the body
            if _is_headline_like(p) and 3 <= p.n <= 30 and not _LINKY.search(_TITLE_SUFFIX.sub("", p.text)):
                title_idx = i
            break
        if title_idx is not None:
            title_fold = fold(paras[title_idx].text)
            # keep the first copy of the title; drop later copies and breadcrumbs ending with it
            first = next(i for i in range(title_idx + 1) if fold(paras[i].text) == title_fold)
            title_idx = first
            keep[title_idx] = True
    reasons: dict[int, str] = {}
    for i, p in enumerate(paras):
        if keep[i]:
            continue
        if p.rule is not None:
            reasons[i] = p.rule
        elif title_idx is not None and fold(p.text).endswith(fold(paras[title_idx].text)):
            reasons[i] = "repeated_title" if fold(p.text) == fold(paras[title_idx].text) else "breadcrumb"
        elif p.n <= 4 and _NAME.fullmatch(p.text):
            reasons[i] = "bare_name"
        elif i < b0:
            reasons[i] = "before_body"
        else:
            reasons[i] = "after_body"
    # within the body, also drop exact repeats of the title (a title printed twice)
    if title_idx is not None:
        tf = fold(paras[title_idx].text)
        for i in range(title_idx + 1, len(paras)):
            if keep[i] and fold(paras[i].text) == tf:
                keep[i] = False
                reasons[i] = "repeated_title"
    out: list[_Para] = []
    for i, p in enumerate(paras):
        if not keep[i]:
            edits.append(Edit(STAGE, reasons[i], p.text, p.start, p.end))
            continue
        if i == title_idx:
            m = _TITLE_SUFFIX.search(p.text)
            if m and len(words(p.text[: m.start()])) >= 3:
                edits.append(Edit(STAGE, "title_section_suffix", m.group(), p.start + m.start(), p.end))
                p = _Para(p.text[: m.start()], p.start, p.start + m.start(), words(p.text[: m.start()]))
            out.append(p)
            continue
        q = _cut_sentences(p, edits)
        if q is None:
            continue
        if learned is not None and q is p:
            q = _cut_learned_sentences(q, source, learned, edits)
            if q is None:
                continue
        out.append(q)
    return out, edits


def _cut_learned_sentences(p: _Para, source: str, learned: LearnedBoilerplate, edits: list[Edit]) -> _Para | None:
    sents = _sentences(p.text)
    if len(sents) < 2:
        return p
    flags = [len(words(s)) >= _LEARN_SENTENCE_MIN_WORDS and learned.is_boilerplate(source, s) for s in sents]
    if not any(flags):
        return p
    if all(flags):
        edits.append(Edit(STAGE, "learned_source_line", p.text, p.start, p.end))
        return None
    lo, hi = 0, len(sents)
    while flags[lo]:
        lo += 1
    while flags[hi - 1]:
        hi -= 1
    if lo == 0 and hi == len(sents):
        return p
    a = p.text.index(sents[lo])
    b = p.text.rindex(sents[hi - 1]) + len(sents[hi - 1])
    if a > 0:
        edits.append(Edit(STAGE, "learned_source_line", p.text[:a], p.start, p.start + a))
    if b < len(p.text):
        edits.append(Edit(STAGE, "learned_source_line", p.text[b:], p.start + b, p.end))
    new = p.text[a:b].strip()
    off = p.start + p.text.index(new, a)
    return _Para(new, off, off + len(new), words(new))


def strip_chrome(
    text: str, *, source: str = "", learned: LearnedBoilerplate | None = None
) -> tuple[str, tuple[Edit, ...]]:
    """Remove site chrome from one document; return (clean text, removals).

    `text` and the result use the pipeline format: paragraphs separated by one blank line.
    Each removal is an `Edit(stage="chrome", rule=..., text=..., start=, end=)` with offsets
    into `text`. `source` selects the learned lines of that site (`learned` comes from
    `BoilerplateLearner.finish()`). Runs to a fixed point, so strip_chrome(f(x)) == f(x).
    """
    current = text
    # maps each character of `current` back to `text`: list of (cur_start, orig_start, length)
    segments = [(0, 0, len(text))]
    all_edits: list[Edit] = []
    for _ in range(4):
        paras, edits = _strip_once(current, source, learned)
        new = "\n\n".join(p.text for p in paras)
        if new == current:
            break
        for e in edits:
            s = _map(segments, e.start)
            en = _map(segments, e.end - 1) + 1 if e.end and e.end > e.start else s
            all_edits.append(Edit(STAGE, e.rule, e.text, s, en))
        new_segments = []
        pos = 0
        for p in paras:
            new_segments.append((pos, _map(segments, p.start), len(p.text)))
            pos += len(p.text) + 2
        segments = new_segments
        current = new
    all_edits.sort(key=lambda e: (e.start or 0, e.end or 0))
    return current, tuple(all_edits)


def _map(segments: list[tuple[int, int, int]], pos: int | None) -> int:
    """Offset in the current text -> offset in the original text (segments are contiguous runs)."""
    if pos is None:
        return 0
    for cur, orig, length in reversed(segments):
        if pos >= cur:
            return orig + (pos - cur)
    return pos


def iter_rule_examples() -> Iterable[tuple[Rule, str]]:
    """(rule, example) pairs, for tests and documentation."""
    for r in RULES:
        for ex in r.examples:
            yield r, ex
