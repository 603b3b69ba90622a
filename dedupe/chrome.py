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
   link-like or headline-cased lines; a list that a sentence ending in ":" or an item "1)"
   opens scores as content). Lines outside the body are chrome, except the headline just before
   it (kept once; its repeats and breadcrumbs ending with it are dropped). Inside the body only
   rule matches are removed, so subheads, list items and one-line quotes stay.
   `structure=False` turns this layer off for text whose body an extractor already chose
   (trafilatura on HTML): then only rules, learned lines, title repeats and a trailing run of
   headline-like lines go.
3. **Learned per-source lines** (`BoilerplateLearner` -> `LearnedBoilerplate`): a paragraph or
   sentence that recurs in several *otherwise different* documents of one source is chrome even
   when no rule knows it.
4. **Glued chrome**: a chrome sentence joined to content without a space
   (`...all the difference.Downing Street`) is cut off the paragraph. Merged paragraphs
   (syndicated copies without paragraph breaks) carry chrome glued inside prose: a trailing
   `READ MORE: <headline>` promo (case-sensitive label and a colon, <= 30 words) is cut off the
   end, a clear appeal sentence ("Stay informed: sign up ...", "Subscribe now") between content
   splits the paragraph around it, and a "Skip to content" prefix glued to a title is cut.

What it deliberately does not do
--------------------------------
- It never rewrites kept text: a paragraph is kept byte for byte, or cut at a sentence boundary
  (glued/leading chrome sentence, title section suffix), or dropped.
- It does not remove repeated blocks inside a document (the `repeats` stage does) nor
  near-duplicate documents; it does not repair encoding or extract HTML.
- It keeps no state between calls: everything learned lives in the frozen `LearnedBoilerplate`
  the caller passes in (`_RECURRING` only remembers the words and rule of short recurring lines,
  pure functions of their text). Language: structure uses punctuation and word counts only, so non-English
  prose is kept; the rules' vocabulary is English (other languages lose only the rule layer).

Every rule regex is written to run in linear time (no nested or overlapping quantifiers); the
tests run each on 100k-character runs of repeated characters.

Speed
-----
Measured in one process against the previous version (CPU time, best of 5, 2 shared cores; the
speed work alone changed no output on cleaning-dev or neardup-dev): neardup-dev news texts
114 -> 859 docs/s (7.6x, ~1.2 ms per article), cleaning-dev `text_with_inline_chrome` 81 -> 720
(8.9x), gold texts 128 -> 1026 (8.0x), whole scraped pages (`text_with_chrome`, ~140 lines each)
50 -> 215 (4.3x); with a `LearnedBoilerplate` ~10% slower. What made it fast: a search rule runs
its regex only when one of its key words (and phrases) is in the paragraph (`Rule.keys`: Python's
`re` tries an unanchored pattern at every position, ~12 us per paragraph and rule, which was most
of the time); one alternation of all line rules decides whether any can match; sentence
splitting only for paragraphs that a sentence rule's regex matches as a whole
(`_may_have_chrome_sentence`); the rules tried are those whose `max_words` admit the paragraph;
words computed once per paragraph (`shingles.words`: `bytes.translate` + `split`, ~4x the regex); a
per-call cache, so the fixed-point pass that confirms the first costs the body search, not the
rules; offsets mapped back by binary search. What is left: tokenisation (~25%), the rule loop
for short lines, the structure functions, and the confirming second pass (~15%).

A second round (same output, checked byte for byte on 5,000 generated news documents and the
dev sets; the same process, interleaved per document, 2,000 documents of ~5 KB with a learned
`LearnedBoilerplate`): ~1.8x on `strip_chrome`, ~2x on `learner_features`. What it took: one
regex scan for sentence boundaries that starts at the end marks (`_SENT_END`), and only the two
edge sentences for the learned-sentence check (`_edge_sentences`); no sentence work at all for
one-sentence paragraphs (~60%); the appeal regex tried only where one of its first words occurs
(`_has_appeal`); phrases for the rules keyed by common words ("post", "order", "c"); line rules
per paragraph length; `shingles.words` without NFKC for text that is ASCII but for curly quotes and
dashes, and on UTF-8 bytes for other letters; a paragraph's words taken from its sentences'
(`_units`); words and rules of short recurring lines kept across calls (`_RECURRING`); the
paragraphs of the confirming pass reused, not copied (`_split`).
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import urlsplit

import numpy as np
from xxhash import xxh3_64_intdigest

from . import compiled
from .document import Edit
from .shingles import token_hashes, words

__all__ = [
    "Rule",
    "RULES",
    "strip_chrome",
    "BoilerplateLearner",
    "LearnedBoilerplate",
    "LearnerFeatures",
    "learner_features",
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
    keys / marks / ends: the words a "search" rule needs. It fires only when one of `keys` is
              a word of the text (`words()`), one of `marks` occurs in it ("©", "/"), or the text
              without trailing whitespace and colons ends with one of `ends` (an alternative
              anchored with `$`). Each alternative of the pattern holds one of them, so this only
              decides before the regex runs: most paragraphs are prose that holds none, and
              Python's `re` tries a pattern at every position (~12 us per paragraph and rule,
              most of the stripper's time before this prefilter). The tests check that every
              example and case the regex matches passes the prefilter. A "line" rule with `keys` or
              `marks` (a word or character every match holds: "posted", "reporter", "»", "@") is
              tried only where one occurs, outside the alternation of all line rules that every
              short paragraph goes through.
    addressed: a "search" rule whose words are also a topic of news ("privacy policy", "newsletter",
              "copyright", "donation"): it fires on a sentence only when the sentence speaks to the
              reader (`_speaks_to_reader`); "Meta changed its privacy policy last year." is prose.
    phrases:  a second stage for rules whose keys are common words ("support", "help", "make"):
              every match also contains one of these lower-case strings ("your support", "help
              us", "donation"), checked with `in` on the lower-cased text (~20x cheaper than the
              regex on a long paragraph).
    """

    name: str
    kind: str
    pattern: str = ""
    examples: tuple[str, ...] = ()
    max_words: int = 40
    vocab: frozenset[str] = frozenset()
    sentence: bool = False
    terminal: bool = False
    keys: frozenset[str] = frozenset()
    marks: tuple[str, ...] = ()
    ends: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    addressed: bool = False
    regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ("line", "search", "heading", "vocab"):
            raise ValueError(f"rule {self.name}: kind must be line/search/heading/vocab, not {self.kind!r}")
        if self.kind != "vocab":
            object.__setattr__(self, "regex", re.compile(self.pattern, re.IGNORECASE))
        if isinstance(self.keys, str):
            raise ValueError(f"rule {self.name}: keys must be a collection of words, not a string")
        object.__setattr__(self, "keys", frozenset(self.keys))

    def matches(self, text: str, n_words: int, toks: list[str] | None = None,
                hits: frozenset[str] | set[str] | None = None) -> bool:
        """`hits`: the words of `text` that are some search rule's key (`_key_hits`), if known."""
        if n_words > self.max_words or n_words == 0:
            return False
        if self.kind == "vocab":
            toks = words(text) if toks is None else toks
            return all(t in self.vocab or _NUMBER.fullmatch(t) is not None for t in toks) and any(
                t in self.vocab and t not in _FUNCTION_WORDS for t in toks
            )
        assert self.regex is not None
        if self.kind == "search":
            if hits is None:
                hits = self.keys.intersection(words(text) if toks is None else toks)
            if not self.may_match(text, hits):
                return False
            if _QUOTE_CHARS.search(text):
                return False
            if self.regex.search(text) is None:
                return False
            return not self.addressed or _speaks_to_reader(text, words(text) if toks is None else toks)
        return self.regex.fullmatch(text) is not None

    def may_match(self, text: str, hits: frozenset[str] | set[str]) -> bool:
        """The prefilter (see `keys`): False means the rule does not fire on `text`."""
        if not (self.keys or self.marks or self.ends):
            return True
        if not self.keys.isdisjoint(hits) or any(m in text for m in self.marks):
            if not self.phrases:
                return True
            low = _lower(text)
            if any(ph in low for ph in self.phrases):
                return True
        return bool(self.ends) and _ends_with(text, self.ends)


def _ends_with(text: str, ends: tuple[str, ...]) -> bool:
    """The text, without trailing whitespace and colons, ends with one of `ends` (case-insensitive
    as the rules' regexes are)."""
    last = text[-1:]
    if last not in _ENDS_LAST and not last.isspace():
        return False  # the common case, decided on one character
    return _lower(text.rstrip().rstrip(":").rstrip()[-16:]).endswith(ends)


# Words that say nothing alone: a vocab rule needs at least one word outside this set.
_FUNCTION_WORDS = frozenset(
    "the a an and or of on at by in to is this it via us x s m first last de di el del las los em às à le les um"
    " il alle".split()
)
_NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s|h|m|k|am|pm|h\d\d)?")  # "8:22AM" is "8", "22am"; "10h05"
_QUOTE_CHARS = re.compile(r"[\"“”«»„]")

# The non-ASCII letters that `re.IGNORECASE` matches to ASCII letters ("ı" and "İ" to i, "ſ" to s,
# the Kelvin sign to k): mapped before lower-casing so that `Rule.ends` is checked as the regex
# would match.
_RE_CASE_EXTRA = str.maketrans({"ı": "i", "İ": "i", "ſ": "s", "\u212a": "k"})
_RE_CASE_CHARS = ("ı", "İ", "ſ", "\u212a")


# last characters that `_ends_with` may have to look past (":" and whitespace) or match
_ENDS_LAST = frozenset(":dDsSeEtT\u017f")


def _lower(text: str) -> str:
    if text.isascii():
        return text.lower()
    for c in _RE_CASE_CHARS:  # `in` first: translate is ~10x slower than lower
        if c in text:
            return text.translate(_RE_CASE_EXTRA).lower()
    return text.lower()




# Words by which a page speaks to its reader (and those of a legal notice: "All rights reserved"),
# and the verbs its calls to action start with: a sentence with none of them that ends like a
# sentence is a report ("The company updated its terms of service in March."), whatever topic
# words it holds.
_READER_WORDS = frozenset(
    """you your yours youre we our ours us please here
    reserved redistributed rewritten reproduced permission reservados réservés vorbehalten riservati
    tu tuo tua ti noi nostro nostra nostri vostro devi puoi usted nosotros nuestro nuestra nuestros
    você voce vocês nós nosso nossa seu sua vous votre vos nous notre nos du dein deine wir unser
    unsere uns""".split()
)
_CALL_VERBS = frozenset(
    """follow sign subscribe get click tap download join share like support donate become read watch
    listen enter register log visit check learn see find help make give stay keep try thanks thank
    want need dont suscríbete suscribete inscreva abonnez iscriviti abonnieren melden""".split()
)
_REPORT_MIN_WORDS = 6  # shorter lines are labels ("Privacy Policy", "Cookie settings")


def _speaks_to_reader(text: str, toks: list[str]) -> bool:
    """Whether an `addressed` rule's match is chrome: a label or menu (short, or without a
    sentence's final mark), or a sentence that addresses the reader or starts with a call to act."""
    if len(toks) < _REPORT_MIN_WORDS or text.rstrip()[-1:] not in ".!?\"”’" or "©" in text:
        return True
    return toks[0] in _CALL_VERBS or not _READER_WORDS.isdisjoint(toks)


# Separators seen after promo labels: "READ MORE: x", "Related » x", "MORE | x".
_SEP = r"\s*[:|»›>–—-]+\s*"

_SOCIAL = frozenset(
    """share shares sharing shared this article story post page on via facebook twitter whatsapp email
    e mail linkedin pinterest reddit print copy link links tweet flipboard messenger sms telegram
    comment comments comentarios instagram youtube tumblr pocket mix save saved bookmark gift
    google plus vk caring is follow us subscribe rss feed like reply permalink embed more options
    and or the x to""".split()
)
_TIME = frozenset(
    """jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
    august september october november december mon tue tues wed thu thur thurs fri sat sun monday
    tuesday wednesday thursday friday saturday sunday am pm a m p gmt bst utc est edt et pt ct mt cet
    cest pst pdt cst cdt mst mdt ist aest updated published publish posted date last first modified on
    at by min mins minute minutes hour hours ago read time reading day days week weeks month months year
    years st nd rd th
    today yesterday leitura tempo minuto minutos lectura lettura minuti lesezeit minuten lecture
    mins lire de di
    publicado publicada actualizado actualizada el del las los atualizado atualizada em às
    publié publiée mis à jour le les veröffentlicht aktualisiert um uhr pubblicato aggiornato il alle
    ore enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
    diciembre janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre
    décembre decembre januar februar märz maerz juni juli oktober dezember gennaio febbraio aprile
    maggio giugno luglio settembre ottobre dicembre janeiro fevereiro março marco maio junho julho
    setembro outubro novembro dezembro""".split()
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


def _at_sentence_start(phrase: str) -> str:
    """`phrase` where a sentence starts, in a paragraph or alone (`_sentences` cuts after an end
    mark and a space): a call to act is chrome there ("Follow NBC Latino on Facebook."), not in
    the middle of a sentence ("80 million people follow him on Twitter"). The phrase comes first
    and the lookbehinds after it: `re` tries a pattern at every position, and a literal fails
    at once where a lookbehind would be tested (~4x slower on prose)."""
    return (rf"\b{phrase}\b(?:(?<=^{phrase})|(?<=^ {phrase})|(?<=[.!?…\"”’)] {phrase}))")


# What a reader's money does in a donation appeal: "Your support helps us ...", "Your contribution
# lets us keep ..." (`donation_appeal`, and `_APPEAL_SENTENCE` inside a paragraph).
_APPEAL_VERBS = r"(?:helps?|makes?|allows?|means?|will|keeps?|lets?|enables?|funds?|pays?|powers?|sustains?)"


def _capitalised(least: int, most: int) -> str:
    """`least + 1` to `most + 1` capitalised words, case-sensitive even inside a case-insensitive
    rule: a name ("Louise Matsakis", "Amy K. Dragoo")."""
    more = rf"(?: [A-Z][\w.'’-]*){{{least},{most}}}" if most else ""
    return rf"(?-i:[A-Z][\w.'’-]*{more})"


# A word of a byline: no sentence mark inside, but for a capital's initial ("L.") and a site's
# name ("Cleveland.com"); "By Tuesday, the U.S. had ..." stays a sentence.
_BYLINE_WORD = r"(?:[^\s.!?]+|(?-i:[A-Z]\.)|[\w-]+\.(?:com|org|net|co\.uk|com\.au|ca|ie|in|news|tv))"

RULES: tuple[Rule, ...] = (
    Rule(
        "read_more_promo",
        "line",
        r"[(\[]?(?:read more|more|read also|also read|see also|related|related (?:article|story|stories|"
        r"content|coverage|link|links|reading|posts?|roundups?|videos?)|recommended(?: reading)?|read next|up next|"
        r"must read|don't miss|don’t miss|editor's picks?|editor’s picks?|more on this|watch|"
        r"watch now|listen|trending|opinion|latest|breaking|explainer|live|featured|sponsored|"
        r"leggi anche(?: su)?|vedi anche|lees ook|lesen sie auch|siehe auch|lire aussi|voir aussi|"
        r"leia também|veja também|lea también|ver también)"
        + _SEP + r"\S.*|also on [\w-]+(?:\.[\w-]+)+ \S.*",
        ("READ MORE: Has Putin been SPOOKED? Key sign of Russia’s dramatic U-turn",
         "MORE: Stadia Destiny 2 Medium Rdr2", "Related: Trump tweets about Ukraine",
         "[Related: Salesforce Dreamforce Keynote: AI, Integration, Alicia Keys And Protestors]",
         "(Leggi anche su: I Cavalieri dello Zodiaco: ecco gli attori che interpreteranno Pegasus)",
         "Also on rt.com Journalists & politicians threatened with sedition arrests"),
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
        r"more (?:[\w’'-]+ ){1,3}(?:stories|articles|reads|headlines|videos)|"
        r"popular(?: posts| stories| now| articles)?|recent posts|related posts|you may have missed|"
        r"also in .{1,40}|more to explore|more videos|more coverage|keep reading|read more|"
        r"also on .{1,40}|from around the web|paid content|partner content|elsewhere on .{1,40}|"
        r"featured (?:videos?|stories|articles|posts)|"
        # the same in Spanish, Portuguese, French, German, Italian
        r"(?:(?:también )?te puede interesar|noticias relacionadas|art[íi]culos relacionados|lo m[áa]s le[íi]do|"
        r"not[íi]cias relacionadas|mat[ée]rias relacionadas|mais lidas|articles li[ée]s|[àa] lire aussi|"
        r"sur le m[êe]me sujet|les plus lus|[äa]hnliche artikel|meistgelesen|mehr zum thema|articoli correlati|"
        r"i pi[ùu] letti|potrebbe interessarti))"
        r"\s*(?:\(\d{1,3} of \d{1,3}\))?\s*[:.»›>…]*",
        ("More Stories", "Related", "Most read", "You may also like", "Related Headlines",
         "Trending Now", "More from The Guardian", "More Great WIRED Stories", "Featured Video",
         "More videos (1 of 9)", "Noticias relacionadas", "Articles liés", "Ähnliche Artikel"),
        max_words=8,
    ),
    Rule(
        "end_heading",
        "heading",
        r"(?:\d+ )?(?:comments?|reader comments|(?:top|most) (?:rated |liked |popular |recent )?comments|"
        r"featured comments|leave a (?:comment|reply)|post a comment|add a comment|"
        r"join the (?:conversation|discussion)|conversation|discussion|responses|\d+ responses|have your say|"
        r"(?:\d+ )?(?:thoughts|replies) on .{1,80}|about the (?:author|writer)|author bio|"
        r"(?-i:(?:[Aa]bout|[Ss]obre|[Üü]ber|[Aa] proposito di|[Àà] propos de) [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3})|"
        r"comentários|comentarios|commenti|kommentare|commentaires|deixe (?:um|seu) comentário)"
        r"\s*(?:\(\d+\))?\s*[:.»›>…]*",
        ("Comments", "Leave a Reply", "Top Rated Comments", "About the author", "Sobre Carlos Nadalim",
         "10 thoughts on “X”"),
        max_words=14,
        terminal=True,
    ),
    Rule(
        "donation_appeal",
        "search",
        r"\byour (?:support|donation|contribution|gift)s? " + _APPEAL_VERBS + "|"
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
        keys=frozenset(
            "support supports donation donations contribution contributions gift gifts favour favor make"
            " making donate become journalism reader paywall paywalls please little help before fund".split()
        ),
        phrases=(
            'your support', 'support our', 'support independent', 'support quality', 'support local',
            'support trusted', 'support fact-based', 'support us', 'donation', 'contribution', 'your gift',
            'favour to ask', 'favor to ask', 'donate now', 'donate today', 'become a ', 'journalism needs',
            'journalism relies', 'reader-', 'paywall', 'please consider', 'as little as', 'help us',
            'before you go', 'independent journalism', 'fund our',
        ),
        addressed=True,
    ),
    Rule(
        "newsletter_signup",
        "search",
        # "sign up"/"subscribe" alone are also prose ("you can sign up for a free 7-day trial", "if you
        # were to subscribe to all three services", cleaning-dev HTML ign.com): only the appeal forms
        r"\bsign (?:me )?up (?:for|to) (?:our|my)\b|\bsign (?:me )?up (?:now|here|today|for free)\b|"
        r"\bsign (?:me )?up to (?:receive|get)\b|"
        r"\bsubscribe (?:now|today|here)\b|\bsubscribe (?:to|for) (?:our|my)\b|\bnewsletters?\b|"
        r"\bsubscribe (?:for free )?to receive new posts\b|"
        + "(?:" + _at_sentence_start("subscribe") + "|" + _at_sentence_start("sign up") + ")"
        + r" (?:to|for) [^\s.!?]+(?: [^\s.!?]+){0,4} (?:and|to) "
        r"(?:get|stay|receive|never|enjoy|keep)\b|"
        r"\b(?:in|to) your inbox\b|\benter your e-?mail|\bunsubscribe\b|\bemail address\b|"
        r"\bsubscribers? only\b|\balready a subscriber|\blog ?in to\b|\bregister (?:now|for free|here)\b|"
        r"\bstay (?:informed|in the know|up to date|updated|connected|tuned)\s*[:!–—-]\s*"
        r"(?:sign|subscribe|get|join|follow)\b|"
        # the appeal in Spanish, Portuguese, French, Italian, German
        r"\b(?:suscr[ií]bete|inscreva-se|abonnez-vous|iscriviti|abonnieren sie)\b|\bbolet[ií]n\b",
        ("Get the latest headlines in your inbox.", "Sign up for The Morning Brief, our free newsletter.",
         "Sign up now for free updates.", "Subscribe to our YouTube channel.",
         "Stay informed: sign up for breaking news alerts and our weekly politics roundup.",
         "Subscribe to WIRED and stay smart with more of your favorite Ideas writers.",
         "Suscríbete a nuestro boletín", "Abonnez-vous à notre newsletter"),
        max_words=60,
        sentence=True,
        keys=frozenset(
            "sign subscribe newsletter newsletters inbox enter unsubscribe"
            " email subscriber subscribers already log login register stay"
            " suscríbete suscribete inscreva abonnez iscriviti abonnieren boletín boletin".split()
        ),
        phrases=(
            'sign up', 'sign me up', 'subscribe', 'newsletter', 'your inbox', 'enter your e', 'email address',
            'log in to', 'login to', 'register now', 'register for free', 'register here', 'stay ',
            'suscr', 'inscreva', 'abonnez', 'iscriviti', 'abonnieren', 'bolet',
        ),
        addressed=True,
    ),
    Rule(
        "social_follow",
        "search",
        # another name than "us"/"me" only as an imperative: "80 million people follow him on Twitter" is prose
        r"(?:\bfollow (?:us|me)|" + _at_sentence_start("follow") + r" \w+(?: \w+){0,6}) on "
        r"(?:facebook|twitter|instagram|linkedin|youtube|tiktok|x)\b|"
        r"\bfollow us on (?:google news|threads|bluesky|telegram|whatsapp)\b|"
        r"\bjoin our (?:[\w.-]+ )?(?:whatsapp|telegram) (?:channel|group)|"
        r"\b(?:compartir en|partager sur|teilen auf|condividi su|compartilh(?:ar|e) no) "
        r"(?:facebook|twitter|whatsapp|linkedin|telegram|x)\b|"
        r"\blike us on facebook|\bshare this (?:article|story|post|page|video)\b|"
        r"\bshare (?:it|this) with (?:a |your )?friends?\b|\blike this (?:story|article|post)\?|"
        r"\bsubscribe to (?:\S+ ){0,4}(?:youtube|channel|podcast)|"
        r"\bshare (?:on|via) (?:facebook|twitter|whatsapp|email|linkedin)\b|\bclick (?:here|to share)|"
        r"\bjoin (?:the|our) (?:conversation|discussion|community)",
        ("Follow Westbrook Record on Facebook, Twitter and Instagram for the latest news and updates.",
         "Follow The New York Times Opinion section on Facebook, Twitter (@NYTopinion) and Instagram.",
         "Like this story? Share it with a friend!",
         "Subscribe to the 9to5Toys YouTube Channel for all of the latest videos, reviews, and more!"),
        max_words=40,
        sentence=True,
        keys=frozenset(
            "follow like share click join subscribe compartir partager teilen condividi compartilhar compartilhe".split()
        ),
        phrases=(
            'facebook', 'twitter', 'instagram', 'linkedin', 'youtube', 'tiktok', ' on x', 'share this',
            'follow us on', 'whatsapp', 'telegram',
            'share on', 'share via', 'click ', 'join the ', 'join our ', 'share it', 'like this ',
            'subscribe to ',
        ),
        addressed=True,
    ),
    Rule(
        "share_bar",
        "vocab",
        examples=("Share this article: Facebook Twitter WhatsApp Email", "0 shares", "Sharing is caring!"),
        max_words=20,
        vocab=_SOCIAL,
    ),
    Rule(
        "share_options",
        "line",
        # a share menu that names the story: "Share All sharing options for: <headline>"
        r"share (?:all )?sharing options(?:(?: for)?\s*:.{0,300})?",
        ("Share All sharing options for: Browns’ defensive snap counts, stats, and notes: Week 11",
         "Share All sharing options"),
        max_words=40,
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
        keys=frozenset("cookie cookies continuing using privacy terms".split()),
        phrases=(
            'cookie', 'by continuing', 'by using', 'privacy policy', 'privacy notice', 'terms of use',
            'terms of service', 'terms and conditions',
        ),
        addressed=True,
    ),
    Rule(
        "copyright",
        "search",
        r"(?:©|\(c\)\s*\d{4}|\bcopyright\b|\ball rights? reserved\b|\bnon-?commercial use only\b|"
        r"\border (?:multiple |presentation-ready )?(?:copies|reprints)\b|"
        r"\bmay not be (?:published|reproduced|republished),? broadcast,? rewritten\b|"
        r"\btodos los derechos reservados\b|\btous droits r[ée]serv[ée]s\b|\balle rechte vorbehalten\b|"
        r"\btutti i diritti riservati\b|\btodos os direitos reservados\b|"
        r"\bmay not be reproduced,? distributed\b|\bexcept with the prior written permission\b)",
        ("© 2019 The Anti-June Cleaver", "Copyright 2019 Associated Press. All rights reserved.",
         "This copy is for your personal, non-commercial use only.",
         "This material may not be published, broadcast, rewritten or redistributed.",
         "Todos los derechos reservados.", "Tous droits réservés.", "Alle Rechte vorbehalten."),
        max_words=40,
        sentence=True,
        keys=frozenset(
            "c copyright reserved commercial noncommercial order rewritten reproduced permission"
            " reservados réservés reserves vorbehalten riservati".split()
        ),
        marks=('©',),
        # "c" and "order" are common words ("Washington, D.C.", "in order to")
        phrases=('©', '(c)', 'copyright', 'all right', 'commercial use only', 'copies', 'reprints', 'rewritten',
                 'derechos reservados', 'droits r', 'rechte vorbehalten', 'diritti riservati', 'direitos reservados',
                 'reproduced', 'prior written permission'),
        addressed=True,
    ),
    Rule(
        "market_data_notice",
        "search",
        r"\bquotes? (?:are )?delayed\b|"
        r"\b(?:real-time quotes|market data|fundamental data|estimates data) (?:is |are )?(?:provided|powered|supplied) by\b",
        ("Quotes delayed at least 15 minutes.", "All quotes delayed a minimum of 15 minutes.",
         "Market Data provided by Interactive Data."),
        max_words=80,
        sentence=True,
        keys=frozenset("quotes quote data".split()),
        phrases=('delayed', 'provided by', 'powered by', 'supplied by'),
    ),
    Rule(
        "sister_title",
        "line",
        # a magazine of the same publisher (quotes around its name: a line, not a search rule)
        r"(?:[^.?!\n]{1,60}\?\s*)?(?:subscribe to|get a subscription (?:of|to)|try) our sister "
        r"(?:title|publication|magazine|site)\b[^\n]{0,300}",
        ('Need more space? Subscribe to our sister title "All About Space" Magazine for the latest news!',),
        max_words=60,
        keys=frozenset({"sister"}),
    ),
    Rule(
        "access_prompt",
        "line",
        # a paywall, an app or a comments prompt, after at most one short sentence that leads to it;
        # only as a paragraph of its own ("the deal gives Netflix unlimited access" is prose)
        r"(?:[^.?!\n]{1,80}[.?!]\s*)?(?:to (?:continue|keep) reading|get unlimited (?:digital )?access|"
        r"get the (?:[\w-]+ )?app|let us know in the comments)\b[^\n]{0,120}|"
        r"(?:this (?:article|story|content) is )?(?:only )?(?:for|available to) (?:paying )?"
        r"(?:subscribers|members)(?: only)?\.?|"
        r"you(?:'ve|’ve| have) reached (?:your|the) (?:limit|maximum) of (?:free )?(?:articles|stories)[^\n]{0,80}|"
        r"please (?:log ?in|sign in|register|subscribe)[^.?!\n]{0,60} to (?:continue|keep) reading[.!]?|"
        r"(?:we want to hear from you[.!]?\s*)?(?:tell us|share) your thoughts in the comments(?: below)?[.!]?",
        ("To continue reading, please log in or create a free account.",
         "Get unlimited digital access for just $1 a week. Cancel anytime.",
         "Want to read more? Get the app and never miss a story.",
         "Have feedback on this story? Let us know in the comments below.",
         "This article is for subscribers only.",
         "You have reached your limit of free articles this month.",
         "Please log in or register to continue reading.",
         "We want to hear from you. Tell us your thoughts in the comments below."),
        max_words=35,
    ),
    Rule(
        "comments_prompt",
        "search",
        # "asked to leave a comment in the guest book" is prose
        r"\bcomments? \(\d+\)|^\d+ comments?$|\bleave a (?:comment|reply)\b(?=\s*(?:below|here|cancel|[.!:]|$))|"
        r"\bcomments are (?:closed|moderated)\b|"
        r"\bpost a comment\b|\b(?:show|view|load|hide|read) (?:all )?(?:\d+ )?comments\b|"
        # "Facebook updated its community guidelines" is a report
        r"\bcommunity guidelines\b(?:(?<=our community guidelines)|(?<=site community guidelines)|"
        r"(?=[^.!?\n]{0,80}\b(?:comments?|you|your)\b))|\byou must be logged in\b|"
        r"\b(?:lascia|deixe|deja|laisser) (?:un|uma|um|un) "
        r"(?:commento|comentário|comentario|commentaire)|\binviare un commento\b|"
        r"^.{1,60} (?:on|at) .{1,40}\d{4}.{0,20} (?:said|says|wrote)\s*:?$",
        ("Comments (0)", "Comments are moderated and may take up to 24 hours to appear."),
        max_words=40,
        sentence=True,
        ends=("said", "says", "wrote", "comment", "comments"),
        keys=frozenset("comment comments leave post community logged lascia deixe deja laisser inviare".split()),
        # "post" and "leave" are common words (the regex tries every position: ~100 us a paragraph)
        phrases=('comment', 'leave a ', 'community guidelines', 'logged in', 'lascia', 'deixe', 'deja', 'laisser'),
    ),
    Rule(
        "site_notice",
        "search",
        # a site's standing notices: contributors' opinions, rules for what readers post
        r"\bopinions expressed by [\w .'’-]{1,40} contributors are their own\b|\bcommunity rules apply\b",
        ("Opinions expressed by Forbes Contributors are their own.",
         "Community Rules apply to all content you upload or otherwise submit to this site."),
        max_words=40,
        sentence=True,
        keys=frozenset("opinions community".split()),
        phrases=("contributors are their own", "community rules apply"),
    ),
    Rule(
        "comment_form",
        "search",
        # the fields and notices of a blog's comment form
        r"\bsave my name, email\b|\bnotify me of (?:new|follow-up) (?:posts|comments)\b|"
        r"\buses akismet to reduce spam\b",
        ("Save my name, email, and website in this browser for the next time I comment.",
         "Notify me of new posts by email.",
         "This site uses Akismet to reduce spam. Learn how your comment data is processed."),
        max_words=40,
        sentence=True,
        keys=frozenset("save notify akismet".split()),
    ),
    Rule(
        "comment_header",
        "line",
        r"[^.!?]{1,60}? (?:on|at) .{0,40}?\d{4}.{0,40}? (?:said|says|wrote)\s*:?",
        ("Milan Griffes on September 12, 2018 at 4:47 pm said:",),
        max_words=16,
    ),
    Rule(
        "comment_votes",
        "line",
        r"(?:(?:rating|score)\s*:\s*)?[-+]?\d[\d,]*\s+(?:votes?|upvotes?|likes?)",
        ("Rating: 36 Votes", "12 likes"),
        max_words=5,
    ),
    Rule(
        "advertisement",
        "line",
        r"[(\[]?(?:advertisement|advertising|advert|ad|ads|sponsored|sponsored content|paid content|"
        # the label in other languages, alone on its line
        r"anzeige|werbung|publicité|publicite|publicidad|pubblicità|publicidade|reklama|advertentie|annonse|"
        r"anuncio|annonce|pubblicit[àa]|"
        r"annons|mainos|reklame|реклама|"
        r"(?:sponsored|promoted) (?:links|stories|content)(?: by \w+)?|"
        r"(?:links|stories|content) by (?:taboola|outbrain|revcontent)|"
        r"story continues below(?: advertisement)?|article continues (?:below|after (?:this )?advertisement)|"
        r"continue reading (?:below|the main story|the article)|scroll (?:down )?to continue.{0,40}|"
        r"skip (?:advertisement|ad)|report (?:an |this )?ad|content continues below)\s*[.:…]*"
        r"(?:\s*[-–—|]\s*(?:scroll|continue|story continues|article continues).{0,40})?[)\]]?",
        ("Advertisement", "Continue reading the main story", "Story continues below advertisement",
         "Advertisement - scroll to continue", "(Story continues below)", "Sponsored Links by Taboola",
         "Anzeige", "Реклама"),
        max_words=10,
    ),
    Rule(
        "skip_link",
        "line",
        r"skip to (?:the )?(?:main )?(?:content|navigation|menu|search|footer|article|primary sidebar)\s*[.:»›>…]*",
        ("Skip to content", "Skip to main content"),
        max_words=6,
    ),
    Rule(
        "ui_message",
        "line",
        r"(?:an error (?:has )?occurred|something went wrong|please try again(?: later)?|"
        r"this (?:article|story|page) has been sent to|thank you for (?:signing up|subscribing|your feedback)|"
        r"(?:javascript|cookies) (?:is|are) (?:disabled|required)|(?:please )?enable javascript)"
        r"(?:[,.;:!]*\s*(?:please )?try again(?: later)?)?.{0,40}|"
        # players: nothing may follow ("Listen to me," he said. stays)
        r"your browser does not support (?:the )?(?:video|audio|iframe|html5 video)(?: tag| element| player)?\.?|"
        r"listen(?: to (?:this|the) (?:article|story))?(?:\s*[·•|:-]?\s*\d{1,3}(?::\d\d)? ?(?:min(?:ute)?s?|m))?|"
        r"link copied(?: to clipboard)?!?|copied(?: to clipboard)?!?|(?:like )?loading\s*(?:\.\.\.|…)|"
        r"thanks for watching!?(?:\s*visit (?:the )?(?:web)?site)?|embed (?:this|the) (?:video|clip|player)|"
        r"(?:thank you|thanks) for reading[.!]*|(?:text|font) size|a a a",
        ("An error has occurred, please try again later.", "This article has been sent to",
         "Enable JavaScript to view this content.", "Your browser does not support the video tag.", "Listen · 4 min",
         "Link copied", "Like Loading...", "Thanks for watching! Visit Website", "Embed this video",
         "Thanks for reading!", "Text size"),
        max_words=14,
    ),
    Rule(
        "embed_notice",
        "line",
        # an embed's notice: "This content is imported from YouTube. You may be able to find ..."
        r"(?:this content is imported from [^\n]{1,60}?\.\s*)?"
        r"you may be able to find (?:the same|more) [^\n]{0,200}",
        ("This content is imported from YouTube. You may be able to find the same content in another format.",),
        max_words=50,
        keys=frozenset({"able"}),
    ),
    Rule(
        "link_stub",
        "line",
        r"(?:[-*•]\s+)?(?:(?:read|see|view|get|watch) (?:the )?(?:full|complete|original|entire|whole) "
        r"(?:report|story|article|coverage|text|interview|statement|list|video)|"
        r"full (?:report|story|article|coverage|text)|"
        r"continue reading|click here(?: to .{1,60})?|read (?:it|more|the rest)|more here|"
        r"(?:read|find out|learn) more(?: about .{1,60})?|back to (?:top|gallery|home)|"
        r"(?:previous|next) (?:article|story|post|page)|view (?:gallery|comments|all)(?: \(\d+\))?|"
        r"open in (?:app|browser)|download (?:the|our) (?:[\w-]+ ){0,3}app(?: for .{1,60})?|"
        r"sign (?:me )?(?:up|in)|log ?(?:in|out)|subscribe|order reprints|"
        r"(?:print|email|share) (?:this )?(?:article|story)|"
        r"click to (?:enlarge|expand|zoom|play|print|email|view (?:\w+ ){0,3}\w+)"
        r"(?: \(opens in (?:a )?new window\))?|"
        r"open (?:image|photo|picture) in (?:gallery|(?:a )?new (?:tab|window)|full ?screen)|read in (?:the )?app|"
        r"report an? (?:error|typo|problem|correction)|submit an? correction|(?:get )?breaking news alerts|"
        r"(?:already have|don['’]?t have|do not have) an account\??(?:\s*(?:log ?in|sign (?:in|up)|register|create one))?|"
        r"our standards(?::.{1,80})?|follow @\w{1,30}(?: on (?:twitter|x|instagram|threads|tiktok|bluesky))?|"
        # "read more" in Spanish, Portuguese, French, German, Italian
        r"leer m[áa]s|ver m[áa]s|m[áa]s informaci[óo]n|leia mais|saiba mais|lire la suite|en savoir plus|"
        r"weiterlesen|mehr erfahren|mehr lesen|continua a leggere|leggi (?:di pi[ùu]|tutto)|"
        r"read later|save (?:for later|article|story)|(?:view|download) pdf(?:\s*/\s*print mode)?|print mode|"
        r"follow (?:the )?topics (?:within|in|of) this (?:article|story)|follow (?:us|[\w.-]{1,30}) on|"
        # links to the same story in other scripts, and icon names that leak into the text
        r"(?:阅读简体中文版|閱讀繁體中文版|阅读繁体中文版)(?:\s+(?:阅读简体中文版|閱讀繁體中文版|阅读繁体中文版))?|"
        r"(?:chevron_(?:left|right)|arrow_(?:back|forward)(?:_ios)?|keyboard_arrow_(?:left|right|up|down))"
        r"\b[^\n]{0,60})"
        r"(?: here| at .{1,60}| on .{1,60})?\s*[.!:…»›>)]*",
        ("Full report here.", "Continue reading", "Click here to subscribe", "Sign up", "Order Reprints",
         "Leer más", "Lire la suite", "Weiterlesen", "Read Later", "View PDF/Print Mode",
         "Follow the topics within this article", "Follow RT on", "阅读简体中文版 閱讀繁體中文版",
         "chevron_left Browse All Posts",
         "Download our app for breaking news alerts", "Sign In", "Click to enlarge", "Report an error",
         "Already have an account? Log in", "Our Standards: The Thomson Reuters Trust Principles.",
         "Follow @janesmith on Twitter"),
        max_words=14,
    ),
    Rule(
        "click_here",
        "search",
        r"\b(?:by )?click(?:ing)? (?:here|this link|the link|below)\b|\btap here\b",
        ("GET FOX BUSINESS ON THE GO BY CLICKING HERE",),
        max_words=16,
        sentence=True,
        keys=frozenset("click clicking tap".split()),
    ),
    Rule(
        "source_label",
        "line",
        r"(?:source|sources|via|credit|credits|photo|photos|image|images|picture|pictures|photograph|"
        r"illustration|video|graphic|graphics|file photo|image credit|photo credit|cover image|"
        r"featured image|header image|top image|main image|lead image|pictured|above|below|"
        r"caption|editing|reporting|written|edited|compiled|translated|translation|"
        r"foto|fotos|texto|testo|autor|auteur|текст|фото|автор|fuente|fuentes|fonte|quelle|cr[ée]dito|"
        r"cr[ée]dits?|bildquelle)(?: by)?\s*[:|]\s*\S.*|"
        r"(?:image|media|video) (?:caption|source|copyright),?\s+\S.*|"
        # a picture agency's name alone, as a credit under a photo: "Supplied", "(Image: © Shutterstock)"
        r"\(?(?:(?:image|photo|picture|credit)s?\s*:\s*)?©?\s*(?:shutterstock|supplied|istock(?:photo)?|alamy|"
        r"getty(?: images)?|handout)(?:\s*/\s*[^\n/()]{1,40})?\)?",
        ("Source: Sky News", "Image Credit: WeWork", "Above: A WeWork coworking space in San Francisco.",
         "Image caption The council chamber on Tuesday", "Image source, Getty Images", "Supplied",
         "(Image: © Shutterstock)", "Текст: Лида Буслаева · 11 октября 2018", "Getty"),
        max_words=40,
    ),
    Rule(
        "agency_credit",
        "line",
        # a photographer and the agency: "Amy K. Dragoo/AIMMEDIA", "Elias Funez/The Union"
        _capitalised(1, 3) + r"\s*/\s*(?-i:[A-Z][\w&.-]{1,30}(?: [A-Z][\w&.-]{1,30}){0,3})",
        ("Amy K. Dragoo/AIMMEDIA", "Elias Funez/The Union"),
        max_words=12,
        marks=("/",),
    ),
    Rule(
        "photo_caption",
        "search",
        # "by" before a name ("Photo by John Smith"), not "Photos by the agency show ..."
        r"\b(?:photo|photograph|image|picture|pic|illustration|video|footage|graphic)s?"
        r"(?:(?: by)?\s*(?::|/)| by (?-i:[A-Z]))|"
        r"/\s*(?:reuters|ap|afp|getty(?: images)?|epa(?:-efe)?|shutterstock|pa(?: wire| images| media)?|"
        r"bloomberg|afp via getty images|ap photo|alamy|istock(?:photo)?|sputnik|tass|xinhua|anadolu)\s*\)?\s*$|"
        r"/[^/()]{1,60} via (?:ap|reuters|afp|getty images)\s*\)\s*$|"
        # the agency in a credit's place ("/Getty Images", "via Getty Images"), not "Getty Images sued ..."
        r"\bgetty images\b(?:(?<=[(/,:|]getty images)|(?<=[(/,:|] getty images)|(?<=via getty images)|"
        r"(?<=by getty images)|(?<=for getty images)|(?<=credit getty images)|(?=\s*(?:$|[)/|]|via\b|for\b)))|"
        r"\bap photo\b|\bcredit\s*(?:\.\.\.|…|:)|\bphoto credit\b|(?-i:\b[Cc]ourtesy(?: of)? [A-Z])|"
        r"\b(?:file|stock|handout) (?:photo|image|picture)\b",
        ("Russian President Vladimir Putin. Photo: SPUTNIK/Reuters",
         "Trump asked voters for a big win. Credit... Doug Mills/The New York Times",
         "Photo: Damian Dovarganes, AP", "A shopper looks at extension cords. (Elias Funez/The Union via AP)"),
        max_words=45,
        keys=frozenset(
            "photo photos photograph photographs image images picture pictures pic pics"
            " illustration illustrations video videos footage footages graphic graphics getty credit courtesy".split()
        ),
        marks=('/',),
    ),
    Rule(
        "gallery_caption",
        "line",
        # numbered like a slide show and closed by a credit: long, but never a paragraph of the article
        r"\d{1,3} of \d{1,3} [^\n]{10,800}\([^()/\n]{1,60}/[^()\n]{1,80}\)",
        ("2 of 4 A shopper looks at extension cords at a hardware store. (Elias Funez/The Union via AP)",),
        max_words=150,
    ),
    Rule(
        "byline",
        "line",
        # the date may come first: "Monday November 18, 2019 7:45 am PST by Joe Rossignol"
        r"(?:(?:posted on |published on |updated on )?(?:[a-z]+day,? )?[a-z]{3,9}\.? \d{1,2},? \d{4},?"
        r"(?: \d{1,2}:\d\d ?(?:[ap]\.?m\.?)?(?: [a-z]{2,4})?)? |"
        # or in figures, maybe after the time: "5:45 AM PST 11/19/2019 by Patrick Shanley"
        r"(?:\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?(?:\s+[a-z]{2,4})?\s+)?\d{1,2}/\d{1,2}/\d{2,4}\s+)?"
        r"(?:by|from|written by|words by|story by|posted by|reporting by|text by|por|di|de|von|par)"
        # not an article and a word in lower case: "By the numbers" is a subhead, "By The Associated Press" a byline
        r"\s+(?!(?-i:(?:the|a|an) [a-z]))" + _BYLINE_WORD + r"(?:\s+" + _BYLINE_WORD + r"){0,5}"
        r"(?:\s*(?:,|and|&|\||\s[-–—](?=\s*(?-i:[A-Z])))\s*"
        + _BYLINE_WORD + r"(?:\s+" + _BYLINE_WORD + r"){0,5}){0,3}"
        # then when: "By Kashmira Gander On 11/13/19 at 4:00 PM EST"
        r"(?:\s+on\s+\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"
        r"(?:\s+at\s+\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?(?:\s+[a-z]{2,4})?)?)?\.?",
        ("By Jamelle Bouie", "by Regan September 15, 2014", "By Sarah Whitfield and James Lee",
         "By Troy L. Smith, Cleveland.com",
         "By Tim Childers - Live Science Contributor 2019-11-19T12:48:14Z Space",
         "Monday November 18, 2019 7:45 am PST by Joe Rossignol", "Posted on November 18, 2019 by admin",
         "By Kashmira Gander On 11/13/19 at 4:00 PM EST", "5:45 AM PST 11/19/2019 by Patrick Shanley"),
        max_words=16,
    ),
    Rule(
        "wire_credit",
        "line",
        # who reported and edited a wire story, in brackets or as a list with editing
        r"\((?:additional )?(?:reporting|writing|editing) by [^()\n]{1,300}\)\.?|"
        r"(?:additional )?reporting by [^\n]{1,200}?[;,] (?:with )?(?:additional reporting|editing|writing) by [^\n]{1,200}",
        ("(Reporting by Jane Smith; Editing by Tom Brown)",
         "Reporting by Rodrigo Campos; additional reporting by Stephanie Kelly; Editing by Nick Zieminski"),
        max_words=60,
    ),
    Rule(
        "name_role",
        "line",
        # a name, then the agency or the role: a photo credit or a wire byline
        "(?:" + _capitalised(1, 3) + r",?\s+|" + _capitalised(0, 0) + r",\s+)"
        r"(?:(?:the )?associated press|ap|afp|reuters|bloomberg|epa|getty images|"
        r"(?:(?:ap|staff|sports|senior|contributing|chief|national|international|foreign|political|business|"
        r"health|science|technology|white house|medical|legal|economics|editorial) ){0,3}"
        r"(?:writer|reporter|correspondent|photographer|contributor|columnist|editor|staff))",
        ("Patrick Semansky, ASSOCIATED PRESS", "Greg Beacham, Ap Sports Writer",
         "Steve Peoples, Ap National Political Writer", "Bruce Y. Lee Senior Contributor", "ITV, ASSOCIATED PRESS"),
        max_words=8,
    ),
    Rule(
        "post_navigation",
        "line",
        # links to the blog's neighbouring posts: "Prev Previous <title>", "Next <title> Next"
        r"prev previous\s+\S[^\n]{0,150}|next\s+\S[^\n]{0,150}\s+next",
        ("Prev Previous My6sense Presentation at Israel AdTech 2018:",
         "Next My6sense has been shortlisted for an award Next"),
        max_words=40,
    ),
    Rule(
        "buy_button",
        "line",
        # a shop's button, alone or after what it sells: "Buyer's Guide: MacBook Pro (Buy Now)"
        r"(?:[^\n.!?。！？]{1,80}\s)?\(?buy (?:it )?now\)?[.!]?",
        ("Buyer's Guide: MacBook Pro (Buy Now)", "Buy Now"),
        max_words=20,
        keys=frozenset({"buy"}),
    ),
    Rule(
        "wire_pointer",
        "line",
        # a wire story's closing pointers to more coverage and to its reporters
        r"follow [\w.-]{1,30}['’]s (?:full )?coverage of [^\n]{1,150}|"
        r"reach (?:the )?(?:reporters?|writers?|authors?) (?:on|via) (?:twitter|x) at [^\n]{1,200}",
        ("Follow AP's full coverage of Brexit and British politics at https://www.apnews.com/Brexit",
         "Reach the reporters on Twitter at http://twitter.com/MegKinnardAP and http://twitter.com/emarvelous"),
        max_words=40,
        keys=frozenset({"coverage", "reach"}),
    ),
    Rule(
        "wire_slug",
        "line",
        # a wire service's story slug and version: "AP-US--Trump-Impeachment, 4th Ld-Writethru"
        r"(?-i:[A-Z]{2,5}-[A-Z]{2,5}--[\w-]+)(?:,\s*(?:\d+(?:st|nd|rd|th)\s+)?(?:ld-)?writethru)?(?:,\s*\d+)?",
        ("AP-US--Trump-Impeachment, 4th Ld-Writethru",),
        max_words=12,
        marks=("--",),
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
        "dateline",
        "line",
        # a place or desk, then when: "New Delhi, News Nation Bureau | Updated : 19 November 2019, 09:01 AM"
        r"[^|\n]{1,80}\|\s*(?:updated|published|posted|last updated)\s*:?\s*[^|\n]{0,40}\d{4}[^|\n]{0,30}",
        ("New Delhi, News Nation Bureau | Updated : 19 November 2019, 09:01 AM",),
        max_words=30,
        keys=frozenset("updated published posted".split()),
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
        "section_trail",
        "line",
        # three or more parts divided by "»" or "›": a breadcrumb without "Home"
        r"[^»›\n]{1,60}(?:\s[»›]\s[^»›\n]{1,80}){2,}",
        ("Mensagens » Mensagens de Autoestima » Só quem se Ama…",),
        max_words=12,
        marks=("»", "›"),
    ),
    Rule(
        "tag_list",
        "line",
        # a bare label needs its colon ("Topics discussed included trade" is prose); a phrase
        # label without one lists, it does not end a sentence ("Posted in 2019, the video went viral.")
        r"(?:tags?|topics?|categories|category|keywords|related topics|labels)\s*[:|](?:\s*\S.{0,400})?|"
        r"(?:filed under|more about|explore more on these topics|posted in|tagged(?: with| in)?)\s*[:|]?\s*"
        r"\S[^\n]{0,400}(?<![.!?])",
        ("Tags: Russia, Ukraine, Putin", "Topics: Ukraine crisis", "Topics:", "Tagged AirPods, wireless charging case"),
        max_words=40,
    ),
    Rule(
        "affiliate_disclosure",
        "search",
        r"\baffiliate (?:links?|commission|advertising|programs?|partnerships?)|\bmay (?:earn|receive) (?:a )?"
        r"(?:small )?(?:commission|compensation)|"
        r"\bmay (?:earn|receive|get) an? (?:portion|share|percentage|cut) of (?:the )?sales?\b|"
        r"\bwe may earn\b|\bdisclosure (?:policy|page|statement)\b|"
        r"\bif you buy something (?:through|from|via)\b|\ba share of (?:the )?sales?\b",
        ("This post may contain affiliate and/or referral links. Please see my disclosure page.",
         "If you buy something through this post, IGN may get a share of the sale.",
         "Wired may earn a portion of sales from products that are purchased through our site."),
        max_words=60,
        sentence=True,
        keys=frozenset("affiliate may disclosure buy sale sales".split()),
        phrases=(
            'affiliate', 'commission', 'compensation', 'we may earn', 'disclosure', 'if you buy something',
            'share of', 'portion of', 'percentage of', 'cut of',
        ),
    ),
    Rule(
        "contact_line",
        "line",
        # a question may come first: "Have a news tip? Email us at ..."
        r"(?:[^.?!\n]{1,60}\?\s*)?(?:write to|contact|e-?mail|reach|get in touch(?: with)?)"
        r"(?: (?:the (?:author|writer|reporter)s?|[^@\s]+(?: [^@\s]+){0,4}))? (?:(?:at|via|on) )?\S+@\S+",
        ("Write to Al Root at allen.root@dowjones.com", "Have a news tip? Email us at tips@example.com",
         "Got a story? Get in touch at news@example.com"),
        max_words=16,
        marks=('@',),
    ),
    Rule(
        "handle_line",
        "line",
        # a social handle alone, or after a name: the credit of an embedded post, an author's account
        "(?:" + _capitalised(0, 3) + r" )?\(?@\w{1,30}\)?",
        ("@paulinaporizkov", "Nishant Kumar @Nishantopines"),
        max_words=6,
        marks=('@',),
    ),
    Rule(
        "post_meta",
        "line",
        # the date, author, category and tags of a blog post on one line
        r"(?:[^\n]{0,40}[-|–·]\s*)?(?:published|posted|written|publicado|postado|escrito|pubblicato)\s+"
        r"(?:by|on|in|por|em|da|il)\s*:?[^\n]{1,120}?[-|–·]\s*"
        r"(?:categor(?:y|ies|ia|ias)|tags?|sections?|seção)\s*:[^\n]{0,300}(?<![.!?])",
        ("05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - Tags: sad arrombamento veiculo",),
        max_words=60,
        keys=frozenset("published posted written publicado postado escrito pubblicato".split()),
    ),
    Rule(
        "markup",
        "line",
        # an embed code saved as text: "<script type=... src=...></script>", "<iframe ...>"
        r"<(?:script|iframe|noscript|embed|object|style|div|span|img|figure|blockquote|a|p)\b[^\n]*",
        ('<script type="text/javascript" src="https://example.com/player.js"></script>',
         '<iframe width="560" height="315" src="https://www.youtube.com/embed/x"></iframe>'),
        max_words=150,
    ),
    Rule(
        "about_site",
        "line",
        # the site's or author's note under a label of its own: "About Bayview Bulletin: Bayview ..."
        r"(?-i:About (?:[A-Z][\w.'’&-]*|the [a-z]+)(?: [A-Z][\w.'’&-]*){0,4}):\s+[^\n]{20,1200}",
        ("About Bayview Bulletin: Bayview Bulletin is an independent, reader-supported news organization.",
         "About the author: Jane Doe covers city hall for the Courier."),
        max_words=150,
    ),
    Rule(
        "author_bio",
        "line",
        # the author's note after a story: "Jane Doe is a staff writer at WIRED covering ..."
        # (not a report on a journalist: "... who was arrested in Moscow")
        r"(?-i:(?!(?:He|She|It|They|This|That|There|Who|What|Which)\b))" + _capitalised(0, 3)
        + r"(?: \(@\w{1,30}\))? is (?:an?|the) "
        r"(?![^\n]*\bwho (?:was|were|had|has been)\b)(?:[\w-]+ ){0,4}"
        r"(?:writer|reporter|editor|contributor|correspondent|columnist|journalist|producer)s? "
        r"(?:at|for|of|with|covering|based)\b[^\n]{0,700}",
        ("Louise Matsakis is a Staff Writer at WIRED covering Amazon, security, and online platforms.",
         "Trevor Daugherty is the Senior Editor of 9to5Toys. Since joining in 2014, he has reviewed products.",
         "Julius is an LA Entertainment Reporter for Fox News."),
        max_words=120,
        keys=frozenset(
            """writer writers reporter reporters editor editors contributor contributors correspondent
            correspondents columnist columnists journalist journalists producer producers""".split()
        ),
    ),
)

_RULES_BY_NAME = {r.name: r for r in RULES}
_SENTENCE_RULES = tuple(r for r in RULES if r.sentence)
_MAX_RULE_WORDS = max(r.max_words for r in RULES)
_KEYS = frozenset().union(*(r.keys for r in RULES))
# (index, rule) for the rules that may fire on a paragraph of n words, in RULES order
_RULES_UP_TO = tuple(
    tuple((i, r) for i, r in enumerate(RULES) if n <= r.max_words) for n in range(_MAX_RULE_WORDS + 1)
)
_VOCAB_UP_TO = tuple(tuple(r for _, r in rules if r.kind == "vocab") for rules in _RULES_UP_TO)
_RULES_BY_KEY = {w: tuple(i for i, r in enumerate(RULES) if w in r.keys) for w in _KEYS}
_RULES_BY_MARK = tuple(
    (m, tuple(i for i, r in enumerate(RULES) if m in r.marks)) for m in sorted({m for r in RULES for m in r.marks})
)
_RULES_BY_ENDS = tuple((i, r.ends) for i, r in enumerate(RULES) if r.ends)
# Every line/heading rule at once: most short lines match none, and one `fullmatch` of the
# alternation (in C) replaces ~14 Python-level calls (whole scraped pages: ~140 lines each).
# One alternation per paragraph length, of the rules whose `max_words` admit it (None: no line
# rule can fire), so that a long paragraph is not matched against short-line patterns.
def _line_alternation(rules: tuple[Rule, ...]) -> re.Pattern[str] | None:
    if not rules:
        return None
    return re.compile("|".join(f"(?:{r.pattern})" for r in rules), re.IGNORECASE)


_LINE_RULES_UP_TO = tuple(
    tuple(r for _, r in rules if r.kind in ("line", "heading") and not (r.marks or r.keys))
    for rules in _RULES_UP_TO
)
_ALTERNATIONS = {rules: _line_alternation(rules) for rules in set(_LINE_RULES_UP_TO)}
_ANY_LINE_RULE_UP_TO = tuple(_ALTERNATIONS[rules] for rules in _LINE_RULES_UP_TO)
assert {e[-1] for r in RULES for e in r.ends} <= _ENDS_LAST, "add the rule's last letters to _ENDS_LAST"
assert all(r.keys or r.marks or r.ends for r in RULES if r.kind == "search"), "a search rule needs keys"
_SENTENCE_KEYS = frozenset().union(*(r.keys for r in _SENTENCE_RULES))
_SENTENCE_MARKS = tuple(sorted({m for r in _SENTENCE_RULES for m in r.marks}))
_SENTENCE_ENDS = tuple(sorted({e for r in _SENTENCE_RULES for e in r.ends}))
assert all(r.kind == "search" and (r.keys or r.marks) for r in _SENTENCE_RULES)

# --------------------------------------------------------------------------------------------
# Paragraph features
# --------------------------------------------------------------------------------------------

# Sentence-final characters, also after a closing quote or bracket: "…he said." / “Good.” / (AP)
_TERMINAL = frozenset(".!?…:;。！？\"”’»)],、，")
# A sentence boundary: an end mark, then either a glued boundary (lower-case word, mark,
# capital letter with no space between: "difference.Downing"; two letters before the mark keep
# "U.S." and "e.g." intact) or an ordinary one (a closing quote or bracket and spaces, which
# belong to neither sentence). The mark comes first so that `re` jumps from mark to mark
# instead of trying a lookbehind at every position (~3x faster than splitting on the two
# zero-width boundaries).
_SENT_END = re.compile(r"[.!?…](?:(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9]))")
# Chinese, Japanese, Korean and Thai characters: no spaces between words.
# A "READ MORE: <headline>" promo glued after a sentence of a merged paragraph. Case-sensitive
# labels (upper case or capitalised) and a colon only: prose does not start a sentence so.
_PROMO_LABEL = (
    r"(?:READ MORE|Read [Mm]ore|READ ALSO|Read [Aa]lso|ALSO READ|Also [Rr]ead|RELATED(?: (?:ARTICLES?|STOR(?:Y|IES)|"
    r"COVERAGE|CONTENT|READING))?|Related(?: [Aa]rticles?| [Ss]tor(?:y|ies)| [Cc]overage| [Cc]ontent| [Rr]eading)?|"
    r"SEE ALSO|See [Aa]lso|MORE|READ NEXT|Read [Nn]ext|MUST READ|Must [Rr]ead|DON'T MISS|DON’T MISS|"
    r"Don't [Mm]iss|Don’t [Mm]iss|RECOMMENDED|LESEN SIE AUCH|Lesen [Ss]ie auch|LEGGI ANCHE|Leggi anche|"
    r"LIRE AUSSI|Lire aussi|LEIA TAMBÉM|Leia também)\s*:\s*\S"
)
_PROMO_START = re.compile(_PROMO_LABEL)
_PROMO_IN_PARA = re.compile(r"[.!?…\"”’)]\s" + _PROMO_LABEL)
_PROMO_MAX_WORDS = 30  # the label and its headline
# Appeal sentences clear enough to cut also from the middle of a paragraph (merged paragraphs)
_APPEAL_SENTENCE = re.compile(
    r"\bstay (?:informed|in the know|up to date|updated|connected|tuned)\s*[:!–—-]\s*(?:sign|subscribe|get|join|follow)\b|"
    r"\bsign (?:me )?up (?:for|to) (?:our|my)\b|\bsign (?:me )?up (?:now|here|today|for free)\b|"
    r"\bsubscribe (?:now|today|here)\b|\bsubscribe (?:to|for) our\b|\bdonate (?:now|today)\b|"
    r"\byour (?:support|donation|contribution)s? " + _APPEAL_VERBS + "|"
    r"\bsmall favou?r to ask|"
    r"\bsupport (?:our|independent) (?:journalism|reporting)|\bplease consider (?:supporting|subscribing|donating)|"
    r"\bfollow us on\b|\blike us on facebook|\bdelivered (?:straight |directly )?to your inbox",
    re.IGNORECASE,
)
# The words each alternative of `_APPEAL_SENTENCE` starts with (lower case, as `_lower` folds
# what the regex matches case-insensitively; the tests check every alternative has one). The
# regex can only match where one of them starts, so `_has_appeal` tries it there alone instead
# of at every position (~20-40 us a paragraph, and "your " is in ~8% of paragraphs).
_APPEAL_KEYS = (
    "stay ", "sign ", "subscribe ", "donate ", "your ", "small favo", "support ", "please consider ",
    "follow us on", "like us on facebook", "delivered ",
)
_APPEAL_MAX_WORDS = 40
_SKIP_PREFIX = re.compile(r"Skip to (?:the )?(?:main )?content\s+(?=\S)", re.IGNORECASE)

_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LINKY = re.compile(r"\s[|•·]\s|\s[›»>/]\s")
_LINKY_CHARS = "|•·›»>/"


def _linky(text: str) -> bool:
    """A separator between links ("News | Sport", "Home › World"); `in` first, as most text has none."""
    for c in _LINKY_CHARS:
        if c in text:
            return _LINKY.search(text) is not None
    return False
def _title_suffix(text: str) -> int | None:
    """Where a title's section or site suffix starts: " | Section" (at most 40 characters after
    the last "|"), or " - Site Name" after the last dash when its words are capitalised
    ("– TechCrunch", "- The GiveWell Blog", "— Mensagens de Reflexão"; "– as it happened" is part
    of the title). Parsed from the last separator, not with a regex search: `\\s+\\|` searched
    from every position is quadratic on a long run of spaces (100k spaces: minutes)."""
    j = text.rfind("|")
    if j > 0 and text[j - 1].isspace() and text[j + 1 : j + 2].isspace() and 1 <= len(text[j + 1 :].lstrip()) <= 40:
        return len(text[:j].rstrip())
    j = max(text.rfind("-"), text.rfind("–"), text.rfind("—"))
    if j <= 0 or not text[j - 1].isspace() or not text[j + 1 : j + 2].isspace():
        return None
    x = text[j + 1 :].lstrip()
    if not 1 <= len(x) <= 40 or "|" in x:
        return None
    ws = [w for w in x.split() if w[:1].isalpha()]
    if not ws or not ws[0][0].isupper() or sum(w[0].isupper() for w in ws) < 0.6 * len(ws):
        return None
    return len(text[:j].rstrip())
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
    _hits: frozenset[str] | None = None
    _cand: set[int] | None = None
    _weight: int | None = None
    _plain: bool | None = None  # `_prose_uncached`: prose by its text alone (`_body` may overrule)
    _learned: bool | None = None  # the whole paragraph is a learned line (`_Known.has`)
    _pass: int = 0  # the pass of `strip_chrome` that made or last reused it (`_split`)

    @property
    def n(self) -> int:
        return len(self.toks)

    @property
    def hits(self) -> frozenset[str]:
        """The words of the paragraph that are some rule's key (see `Rule.keys`)."""
        if self._hits is None:
            self._hits = _KEYS.intersection(self.toks)
        return self._hits

    @property
    def folded(self) -> str:
        """`shingles.fold(text)`, from the tokens already computed."""
        return " ".join(self.toks)

    @property
    def cand(self) -> set[int]:
        """The search rules whose prefilter passes (`_candidates`)."""
        if self._cand is None:
            self._cand = _candidates(self.text, self.hits)
        return self._cand

    @property
    def weight(self) -> int:
        """Length in words; scripts written without spaces count one word per two characters."""
        if self._weight is None:
            n = len(self.toks)
            if n and len(self.text) > 12 * n:
                n = max(n, len(_UNSPACED.findall(self.text)) // 2)
            self._weight = n
        return self._weight


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
        if p._plain is None:
            p._plain = _prose_uncached(p)
        p._prose = p._plain
    return p._prose


def _titlecase(p: _Para) -> bool:
    if p._title is None:
        p._title = _is_titlecase(p.text)
    return p._title


# one entry of an archive or category list with its count of posts: "Novembro (113)", "Politics (34)"
_COUNTED_ENTRY = re.compile(r"[^\n().,;:!?]{1,40}\(\d{1,6}\)")


def _counted_list(text: str) -> bool:
    """Lines that are all entries with a count: a sidebar's archive or category list, as one
    block or a paragraph per entry. Not prose, nor a short sentence, though it ends with ")"
    like "... (AP)"; after an introducing line ("The winners were:") `_body` still keeps it."""
    if not text.endswith(")"):
        return False
    return all(_COUNTED_ENTRY.fullmatch(line.strip()) for line in text.split("\n"))


_CLAUSE_MARKS = frozenset(".,;:!?。，、！？")


def _keyword_run(text: str) -> bool:
    """Lower-case words without a single mark between clauses: a tag cloud or keyword list
    ("adote um amigo agua alerta ambiente ..."). Prose of 25 words has a comma or a full stop,
    and a sentence cut off at the end of a page still starts with a capital. Every letter must
    be a lower-case one: scripts without case (Thai, Devanagari) mark sentences otherwise."""
    return _CLAUSE_MARKS.isdisjoint(text) and all(c.islower() for c in text if c.isalpha())


def _prose_uncached(p: _Para) -> bool:
    if p.text.endswith(("...", "…")) and p.weight < _PROSE_LONG_WORDS:
        return False  # a truncated teaser: "Microsoft removes the safeguard hold for ..."
    if _counted_list(p.text):
        return False
    if p.weight >= _PROSE_LONG_WORDS:
        return not (_linky(p.text) or (p.text[-1] not in _TERMINAL and (_titlecase(p) or _keyword_run(p.text))))
    if p.weight < _PROSE_MIN_WORDS:
        return False
    if p.text[-1] not in _TERMINAL:
        return False
    if _linky(p.text):
        return False
    return True


def _is_headline_like(p: _Para) -> bool:
    """Short line without sentence punctuation (a link or headline)."""
    if p.n == 0 or p.n > 25:
        return False
    return p.text[-1] not in ".:;" or _titlecase(p)


def _match_rule(text: str, n: int, toks: list[str], hits: frozenset[str] | None = None,
                cand: set[int] | None = None) -> Rule | None:
    if n == 0 or n > _MAX_RULE_WORDS:
        return None
    if cand is None:
        cand = _candidates(text, _KEYS.intersection(toks) if hits is None else hits)
    any_line = _ANY_LINE_RULE_UP_TO[n]
    lines = any_line is not None and any_line.fullmatch(text) is not None
    if not lines and not cand:  # only a vocabulary rule can fire
        t0 = toks[0]
        for r in _VOCAB_UP_TO[n]:
            if (t0 in r.vocab or _NUMBER.fullmatch(t0) is not None) and r.matches(text, n, toks):
                return r
        return None
    quoted = None
    for i, r in _RULES_UP_TO[n]:  # `Rule.matches`, unrolled: this loop is the stripper's inner loop
        if r.kind == "search":
            if i not in cand:
                continue
            if quoted is None:
                quoted = _QUOTE_CHARS.search(text) is not None
            if quoted or r.regex.search(text) is None:  # type: ignore[union-attr]
                continue
            if r.addressed and not _speaks_to_reader(text, toks):
                continue
            if r.sentence and not _mostly_chrome_sentences(text, n):
                continue  # one chrome sentence glued to content: cut later, sentence by sentence
            return r
        if r.kind == "vocab":
            t0 = toks[0]
            if (t0 in r.vocab or _NUMBER.fullmatch(t0) is not None) and r.matches(text, n, toks):
                return r
        elif r.marks or r.keys:  # a line rule outside the alternation (see `Rule.keys`)
            if i in cand and r.regex.fullmatch(text) is not None:  # type: ignore[union-attr]
                return r
        elif lines and r.regex.fullmatch(text) is not None:  # type: ignore[union-attr]
            return r
    return None


def _mostly_chrome_sentences(text: str, n: int) -> bool:
    """True when sentences matched by sentence rules hold at least half of the paragraph's words."""
    sents = _sentences(text)
    if len(sents) < 2:
        return True
    chrome = 0
    for s in sents:
        if _sentence_rule(s) is not None:
            chrome += len(words(s))
    return chrome * 2 >= n


def _candidates(text: str, hits: frozenset[str] | set[str]) -> set[int]:
    """Indices of the search rules whose prefilter passes on `text` (`Rule.may_match`, for all
    rules at once); `hits`: the words of `text` that are some rule's key."""
    cand: set[int] = set()
    for w in hits:
        cand.update(_RULES_BY_KEY[w])
    for m, idx in _RULES_BY_MARK:
        if m in text:
            cand.update(idx)
    if cand:
        low = None
        for i in [i for i in cand if RULES[i].phrases]:
            if low is None:
                low = _lower(text)
            for ph in RULES[i].phrases:  # a loop, not any(<generator>): ~2x faster here
                if ph in low:
                    break
            else:
                cand.discard(i)
    for i, ends in _RULES_BY_ENDS:
        if i not in cand and _ends_with(text, ends):
            cand.add(i)
    return cand


def _may_have_chrome_sentence(text: str, hits: frozenset[str], cand: set[int] | None = None) -> bool:
    """False when no sentence rule can fire on any sentence of a paragraph (`hits`: its key words).

    A sentence's words are words of its paragraph; a rule's regex that matches in a sentence
    also matches in the paragraph, except for alternatives anchored with `$`: a sentence that does
    not end the paragraph ends with [.!?…] (see `_sentences`), so only the paragraph's last
    sentence can match those, and `Rule.ends` covers them. On neardup-dev this skips sentence
    splitting for ~85% of the paragraphs that hold a common key word ("make", "may", "like")."""
    for i in _candidates(text, hits) if cand is None else cand:
        r = RULES[i]
        if r.sentence and r.regex.search(text) is not None:  # type: ignore[union-attr]
            return True
    return _ends_with(text, _SENTENCE_ENDS)


def _sentence_rule(sentence: str) -> Rule | None:
    toks = words(sentence)
    hits = _SENTENCE_KEYS.intersection(toks)
    if not hits and not any(m in sentence for m in _SENTENCE_MARKS) and not _ends_with(sentence, _SENTENCE_ENDS):
        return None
    for r in _SENTENCE_RULES:
        if r.matches(sentence, len(toks), toks, hits):
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
    """64-bit hash of the folded text (xxh3: deterministic across processes, unlike `hash`)."""
    return xxh3_64_intdigest(" ".join(words(text)).encode())


def _sentences(paragraph: str) -> list[str]:
    """The paragraph's sentences (blank pieces dropped); each keeps its end mark."""
    out: list[str] = []
    prev = 0
    for m in _SENT_END.finditer(paragraph):
        s = paragraph[prev : m.start() + 1]
        if s.strip():
            out.append(s)
        prev = m.end()
    s = paragraph[prev:]
    if s.strip():
        out.append(s)
    return out


def _edge_sentences(paragraph: str, first: re.Match[str] | None = None) -> tuple[str, str, bool] | None:
    """The first and last of `_sentences(paragraph)` without cutting the ones between, and
    whether they are the only two; None when there are fewer than two.

    Every piece `_sentences` cuts holds a character besides spaces (its end mark, or for the
    last one the capital after the boundary), so n boundaries make n + 1 sentences. Whether an
    end mark starts a boundary depends only on the characters around it and a boundary never
    holds another mark, so a scan of the paragraph's tail finds the same last boundary as a scan
    of all of it. `_cut_learned_sentences` looks at the two ends of every kept paragraph and
    rarely needs more."""
    if first is None:  # `first`: the first boundary, when the caller has it
        first = _SENT_END.search(paragraph)
        if first is None:
            return None
    last = first
    pos = max(first.end(), len(paragraph) - 200)
    for last in _SENT_END.finditer(paragraph, pos):
        pass
    if last is first and pos > first.end():  # the last boundary lies before the tail
        for last in _SENT_END.finditer(paragraph, first.end()):
            pass
    return paragraph[: first.start() + 1], paragraph[last.end() :], last is first


def _units(text: str) -> tuple[list[int], list[str]]:
    """Hashes of each paragraph and of each sentence (>= 4 words) of a multi-sentence paragraph,
    and the document's words (the same as `words(text)`, computed once per paragraph)."""
    units: list[int] = []
    toks_all: list[str] = []
    for para in text.split("\n\n"):
        sents = _sentences(para)
        if len(sents) > 1:
            # A paragraph's words are its sentences' words one after the other: no word spans a
            # boundary (an end mark, then spaces or a capital), so each text is tokenised once.
            sent_toks = [words(s) for s in sents]
            toks = [t for ts in sent_toks for t in ts]
        else:
            sent_toks = []
            toks = words(para)
        if not toks:
            continue
        toks_all.extend(toks)
        units.append(xxh3_64_intdigest(" ".join(toks).encode()))
        for ts in sent_toks:
            if len(ts) >= _LEARN_SENTENCE_MIN_WORDS:
                units.append(xxh3_64_intdigest(" ".join(ts).encode()))
    return units, toks_all


_GRAM_MULT = np.array([0x9E3779B97F4A7C15 ** e % (1 << 64) for e in range(4, -1, -1)], dtype=np.uint64)


def _sketch(toks: list[str], hashes: np.ndarray, k: int) -> tuple[int, ...]:
    """Bottom-k sketch (k smallest distinct 32-bit values) of the document's word 5-gram hashes:
    a 5-gram's hash is a fixed linear combination of its words' `token_hash` (`hashes`, one per
    word of `toks`)."""
    if len(toks) < 5:
        return (xxh3_64_intdigest(" ".join(toks).encode()) >> 32,)
    n = len(toks) - 4
    g = hashes[:n] * _GRAM_MULT[0]
    for e in range(1, 5):
        g += hashes[e : e + n] * _GRAM_MULT[e]
    g >>= np.uint64(32)
    g.sort()
    if n > 1:  # distinct values (np.unique, without its overhead)
        g = g[np.concatenate(([True], g[1:] != g[:-1]))]
    return tuple(g[:k].tolist())


def _similarity(a: tuple[int, ...], b: tuple[int, ...], k: int) -> float:
    """Jaccard estimate from two bottom-k sketches."""
    sa, sb = set(a), set(b)
    union = sorted(sa | sb)[:k]
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


def _pack(sketch: tuple[int, ...]) -> bytes:
    """A sketch as 4 bytes per value (crc32 values): ~160 bytes for k=32 instead of ~1.2 KB."""
    return struct.pack(f"<{len(sketch)}I", *sketch)


def _unpack(packed: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(packed) // 4}I", packed)


_MASK64 = (1 << 64) - 1


def _mix(a: int, b: int) -> int:
    """One 64-bit key for a (source, unit) pair (splitmix64 finaliser over a xor b * odd)."""
    z = (a ^ (b * 0x9E3779B97F4A7C15)) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


class _SeenFilter:
    """Scalable Bloom filter of 64-bit keys: "was this (source, unit) seen before?" in ~2 bytes
    per key instead of a ~70-byte set entry. A false "seen" only lets a unit start its count one
    document early (see `BoilerplateLearner`); a key is never reported unseen twice.

    Each filter takes `bits_per_key` bits per key with `k` probes (16 and 5: ~0.14% false
    positives each); when one is full, a new one twice its size is added, so memory follows
    the number of distinct keys and tests stay small.
    """

    __slots__ = ("filters", "k", "bits_per_key")

    def __init__(self, initial_keys: int = 1 << 14, k: int = 5, bits_per_key: int = 16) -> None:
        self.k = k
        self.bits_per_key = bits_per_key
        self.filters: list[list] = []  # [bits (uint8 array), mask, capacity, count]
        self._grow(initial_keys)

    def _grow(self, capacity: int) -> None:
        nbits = 1 << max(10, (capacity * self.bits_per_key - 1).bit_length())
        self.filters.append([np.zeros(nbits >> 3, dtype=np.uint8), np.uint64(nbits - 1), capacity, 0])

    def test_and_add(self, keys: np.ndarray) -> np.ndarray:
        """For each key (uint64): was it (probably) added before? Then add them all."""
        seen = np.zeros(len(keys), dtype=np.bool_)
        for bits, mask, _, _ in self.filters:
            compiled.bloom_hits(keys, bits, mask, self.k, seen)
        new = len(keys) - int(np.count_nonzero(seen))
        if new:
            last = self.filters[-1]
            if last[3] + new > last[2]:
                self._grow(last[2] * 2)
                last = self.filters[-1]
            compiled.bloom_add(keys, seen, last[0], last[1], self.k)
            last[3] += new
        return seen

    def nbytes(self) -> int:
        return sum(f[0].nbytes for f in self.filters)


@dataclass(frozen=True, slots=True)
class LearnerFeatures:
    """What the learner needs of one document: its unit hashes, a digest of its words and the
    packed bottom-k sketch of its word 5-grams. Pure and per document, so it can be computed in
    parallel; `BoilerplateLearner.observe_features` does the rest."""

    units: tuple[int, ...]
    digest: int
    sketch: bytes


def learner_features(text: str, sketch_size: int = 32) -> LearnerFeatures | None:
    unit_list, toks = _units(text)
    if not unit_list:
        return None
    # the words' hashes from the compiled tokeniser: the same words as `_units`' (no word spans a
    # paragraph break), ~4x faster than hashing each string
    hashes = token_hashes([text])[0]
    assert len(hashes) == len(toks)
    return LearnerFeatures(tuple(unit_list), xxh3_64_intdigest(" ".join(toks).encode()),
                           _pack(_sketch(toks, hashes, sketch_size)))


class BoilerplateLearner:
    """Learns per-source boilerplate lines; needs the WHOLE corpus before it can decide.

    First pass: call `observe(source, text)` once per document (text in the stage's input
    format). Then `finish()` returns the frozen `LearnedBoilerplate` for the second pass
    (`strip_chrome(..., learned=...)`). It holds only hashes, never corpus text, and nothing
    per document after `observe` returns (besides one 64-bit digest for the exact-duplicate guard).

    A unit (paragraph, or sentence of >= 4 words) is learned for a source when it occurs in at
    least `min_docs` documents of that source that are *otherwise different*: exact duplicate
    texts count once, and a document whose sketch is similar (bottom-k sketch of its word
    5-grams, estimated Jaccard >= `max_similarity`) to one already counted for that unit adds
    nothing, so near-duplicate copies of one article cannot make their own paragraphs look like
    boilerplate. A unit counts as shared (all sources) when it recurs in `min_sources` different
    sources in mutually dissimilar documents; syndicated wire copy is one article on several
    sites, so its copies are similar and never reach the threshold.

    Memory: a (source, unit) key seen once costs ~2 bytes in a Bloom filter (`_SeenFilter`);
    only from its second document on does it get an entry: a count and the packed sketches of
    up to `min_docs` mutually dissimilar documents (a document's sketch is shared by all its
    entries). The first document of a unit is not kept, so a unit needs one document more than
    `min_docs` (a boilerplate line recurs in far more). An entry is dropped once its unit is
    learned (the hash moves to the learned set), and when more than `max_candidates` entries
    are open, those with the lowest counts go (recurring chrome has high counts and comes back).
    Measured with tracemalloc on 20,000 documents (neardup-dev texts with a word changed in half
    their paragraphs, spread over 50 sources with their own footers, so every text recurs ~90
    times): 1.5 KB per document after `observe` (28.8 MiB: the filter 2 MiB, exact-duplicate
    digests ~1.4 MiB, the rest open entries of units repeated in near-duplicate copies), against
    ~9.6 KB per document, growing without bound, for the previous per-document records. At a
    million documents: filter ~100 MB, digests ~70 MB, open entries at most `max_candidates`
    (~150 MB). It learns every footer line the previous version learned on that corpus (2,000
    documents) and ~4x fewer article units (which need one more dissimilar document now).
    """

    def __init__(self, min_docs: int = 3, min_sources: int = 4, max_similarity: float = 0.5,
                 sketch_size: int = 32, max_candidates: int = 1_000_000) -> None:
        if min_docs < 2:
            raise ValueError("min_docs must be >= 2: a line seen once says nothing about the source")
        if min_sources < 2:
            raise ValueError("min_sources must be >= 2")
        if not 0.0 < max_similarity <= 1.0:
            raise ValueError("max_similarity must be in (0, 1], e.g. 0.5")
        if max_candidates < 1000:
            raise ValueError("max_candidates must be >= 1000, e.g. 1_000_000 (~150 MB)")
        self.min_docs = min_docs
        self.min_sources = min_sources
        self.max_similarity = max_similarity
        self.sketch_size = sketch_size
        self.max_candidates = max_candidates
        self._seen: set[int] = set()  # digests of (source, text): exact duplicates count once
        self._filter = _SeenFilter()
        self._sources: dict[str, int] = {}  # source key -> small id
        self._source_hash: dict[int, int] = {}
        self._documents: dict[str, int] = {}
        # open entries: key -> [count, sketch, ...] (per source) / [count, (source id, sketch), ...]
        # (shared); an entry of count 1 is its one representative alone (bytes / tuple): ~70 bytes less
        self._open: dict[int, list] = {}
        self._open_shared: dict[int, list] = {}
        self._learned: dict[int, set[int]] = {}  # source id -> learned unit hashes
        self._shared: set[int] = set()

    def observe(self, source: str, text: str) -> None:
        self.observe_features(source, learner_features(text, self.sketch_size))

    def observe_features(self, source: str, features: "LearnerFeatures | None") -> None:
        """`observe` with the per-document work (`learner_features`) already done, e.g. in a
        worker process; only this bookkeeping must run in one place, in input order."""
        if features is None:
            return
        key = _source_key(source)
        sid = self._sources.get(key)
        if sid is None:
            sid = self._sources[key] = len(self._sources)
            self._source_hash[sid] = xxh3_64_intdigest(key.encode()) | 1
        src = self._source_hash[sid]
        digest = _mix(features.digest, src)
        if digest in self._seen:  # exact duplicate text: counted once
            return
        self._seen.add(digest)
        units = set(features.units)
        self._documents[key] = self._documents.get(key, 0) + 1
        learned = self._learned.setdefault(sid, set())
        hs = [h for h in units if h not in learned or h not in self._shared]
        if not hs:
            return
        values = np.array(hs, dtype=np.uint64)
        salted = compiled.mix_keys(values, np.uint64(src))
        hits = self._filter.test_and_add(np.concatenate((salted, values)))
        n = len(hs)
        # A unit the filter has not seen has no entry either (entries start at its second
        # document and the filter has no false negatives): most units of most documents.
        again = np.flatnonzero(hits[:n] | hits[n:]).tolist()
        seen, keys = hits.tolist(), salted.tolist()
        dissimilar: dict[bytes, bool] = {}  # rep sketch -> this document differs from it
        for i in again:
            h = hs[i]
            if h not in learned:
                ck = keys[i]
                entry = self._open.get(ck)
                if entry is None:
                    if seen[i]:  # second document: one representative, stored bare (count 1)
                        sketch = features.sketch
                        self._open[ck] = sketch
                else:
                    sketch = features.sketch
                    if type(entry) is bytes:
                        entry = self._open[ck] = [1, entry]
                    entry[0] += 1
                    if self._dissimilar(sketch, entry[1:], dissimilar):
                        entry.append(sketch)
                        if len(entry) - 1 >= self.min_docs:
                            learned.add(h)
                            del self._open[ck]
            if h not in self._shared:
                entry = self._open_shared.get(h)
                if entry is None:
                    if seen[n + i]:
                        sketch = features.sketch
                        self._open_shared[h] = (sid, sketch)
                else:
                    sketch = features.sketch
                    if type(entry) is tuple:
                        entry = self._open_shared[h] = [1, entry]
                    entry[0] += 1
                    if all(s != sid for s, _ in entry[1:]) and self._dissimilar(
                        sketch, [r for _, r in entry[1:]], dissimilar
                    ):
                        entry.append((sid, sketch))
                        if len(entry) - 1 >= self.min_sources:
                            self._shared.add(h)
                            del self._open_shared[h]
        if len(self._open) + len(self._open_shared) > self.max_candidates:
            self._prune()

    def _dissimilar(self, sketch: bytes, reps: list[bytes], memo: dict[bytes, bool]) -> bool:
        """This document (`sketch`) differs from every representative in `reps`."""
        for r in reps:
            d = memo.get(r)
            if d is None:
                d = memo[r] = r != sketch and _similarity(
                    _unpack(sketch), _unpack(r), self.sketch_size) < self.max_similarity
            if not d:
                return False
        return True

    def _prune(self) -> None:
        """Drop the open entries with the lowest counts until half the budget is used."""
        limit = self.max_candidates // 2
        t = 1
        while len(self._open) + len(self._open_shared) > limit:
            for table in (self._open, self._open_shared):
                for ck in [ck for ck, e in table.items() if type(e) is not list or e[0] <= t]:
                    del table[ck]
            t += 1

    def finish(self) -> LearnedBoilerplate:
        names = {sid: key for key, sid in self._sources.items()}
        per_source = {key: frozenset() for key in self._documents}
        for sid, hs in self._learned.items():
            if hs and names[sid] in per_source:
                per_source[names[sid]] = frozenset(hs)
        return LearnedBoilerplate(
            per_source=per_source,
            shared=frozenset(self._shared),
            documents=dict(self._documents),
        )


# --------------------------------------------------------------------------------------------
# The stripper
# --------------------------------------------------------------------------------------------


class _Memo:
    """Per-call cache of what depends on a paragraph's text alone. The fixed-point passes of
    `strip_chrome` see mostly the same paragraphs again, so the second pass (which usually only
    confirms the first) costs the structure search, not the rules."""

    __slots__ = ("rule", "intact", "paras", "passes")

    def __init__(self) -> None:
        self.passes = 0  # `_split` calls so far
        self.paras: dict[str, _Para] = {}  # the last pass's paragraph of each text
        self.rule: dict[str, Rule | None] = {}
        self.intact: set[str] = set()  # paragraphs that sentence cutting leaves as they are


# Short lines recur across documents (bylines, share bars, footers, "Advertisement", a site's
# standard sentences): their words and rule are pure functions of the text, so they are kept
# across calls, bounded (cleared when full: at most ~25 MB, typically under 10).
_RECURRING: dict[str, tuple[list[str], Rule | None]] = {}
_RECURRING_MAX = 10_000
_RECURRING_CHARS = 200


def _split(text: str, memo: _Memo) -> list[_Para]:
    paras: list[_Para] = []
    pos = 0
    memo.passes += 1
    this_pass = memo.passes
    for chunk in text.split("\n\n"):
        stripped = chunk.strip()
        if stripped:
            off = pos + chunk.index(stripped) if stripped is not chunk else pos
            old = memo.paras.get(stripped)
            if old is not None and old._pass != this_pass:
                # the last pass's paragraph of this text, which that pass is done with: features
                # that depend on the text alone stay, what the pass decided is reset
                old.start, old.end, old.rule, old.heading, old._prose = off, off + len(stripped), None, False, None
                old._pass = this_pass
                p = old
            elif old is not None:  # the same text twice in this pass: a copy of the features
                p = _Para(stripped, off, off + len(stripped), old.toks, _title=old._title,
                          _hits=old._hits, _cand=old._cand, _weight=old._weight, _plain=old._plain,
                          _learned=old._learned, _pass=this_pass)
            else:
                seen = _RECURRING.get(stripped) if len(stripped) <= _RECURRING_CHARS else None
                if seen is None:
                    toks = words(stripped)
                else:
                    toks = seen[0]
                    memo.rule[stripped] = seen[1]
                p = _Para(stripped, off, off + len(stripped), toks, _pass=this_pass)
            memo.paras[stripped] = p
            paras.append(p)
        pos += len(chunk) + 2
    return paras


def _hard_wrapped(paras: list[_Para]) -> bool:
    """Text saved with hard line breaks (one ~70-character line per paragraph, sentences running
    across lines). On neardup-dev's `resplit:hard_wrap` docs 60-90% of lines end mid-sentence;
    ordinary pages stay under 20% except menus, whose lines are short (< 40 chars)."""
    wrapped = sum(1 for p in paras if 40 <= len(p.text) <= 100 and p.text[-1] not in _TERMINAL and p.n >= 5)
    return wrapped >= 5 and wrapped >= 0.4 * len(paras)


def _separator(p: _Para) -> bool:
    """A rule line of underscores ("___") that divides a live blog's entries: content in gold."""
    return p.n == 1 and p.toks[0] == "_" * len(p.toks[0])


_DATE_WORDS = frozenset(
    """jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
    august september october november december mon tue tues wed thu thur thurs fri sat sun monday
    tuesday wednesday thursday friday saturday sunday am pm gmt utc est edt pst ist""".split()
)
_DATE_NUM = re.compile(r"\d[:.]\d\d\b|\d[./]\d{1,2}[./]\d")
_CODE_OPS = frozenset("*=;{}")
_CODE_CALL = re.compile(r"\b[a-z_]\w*\.[a-z_]\w*\b")


def _data_row(p: _Para) -> bool:
    """A short line of data: a results or table row ("Eastside 14 11 6 15 — 46", a third or
    more of its words numbers) or a code line (a dotted name and an operator: "config.max_speed =
    12;"). Menus and link lists carry neither, so such lines do not count against the body."""
    if p.rule is not None or not 3 <= p.n <= 25:
        return False
    digits = sum(1 for t in p.toks if t.isdigit())
    if digits >= 2 and digits * 3 >= p.n:
        # dates and times are datelines and archive links, not results: "Opening Bell 10.29.19"
        return "|" not in p.text and _DATE_WORDS.isdisjoint(p.toks) and _DATE_NUM.search(p.text) is None
    return "." in p.text and (not _CODE_OPS.isdisjoint(p.text) or "()" in p.text) and _CODE_CALL.search(p.text) is not None


# "— Name (@handle) November 4, 2019": the attribution line that closes an embedded tweet
_TWEET_BY = re.compile(r"[—–-]\s*[^\n]{1,80}\(@\w{1,15}\)\s+[A-Z][a-z]+\.? \d{1,2}, \d{4}")


def _mark_embeds(paras: list[_Para]) -> None:
    """An embedded tweet (its text, then "— Name (@handle) Date") quotes a source the article
    cites: the body search counts both lines as prose."""
    for i, p in enumerate(paras):
        if p.rule is None and "(@" in p.text and p.text[0] in "—–-" and _TWEET_BY.fullmatch(p.text):
            p._prose = True
            if i and paras[i - 1].rule is None:
                paras[i - 1]._prose = True


_TEASER_RUN = 3  # consecutive paragraphs cut off with an ellipsis that make a list of teasers


def _mark_teaser_runs(paras: list[_Para]) -> None:
    """Paragraphs cut off with "..." one after another are a list of other stories' teasers
    ("Headline NEW YORK: An Indian-origin man has pleaded guilty to ..."), however long each is.
    An article's own paragraph trails off like that once, not three times in a row."""
    run: list[_Para] = []
    for p in [*paras, None]:
        if p is not None and p.rule is None and p.text.endswith(("...", "…")):
            run.append(p)
            continue
        if len(run) >= _TEASER_RUN:
            for q in run:
                q.rule = "teaser_list"
        run = []


_CAPS_PROMO_WORDS = 8  # fewer with a quote in it: "SEAN SPICER ELIMINATED FROM 'DANCING WITH THE STARS'"


def _mark_caps_promos(paras: list[_Para]) -> None:
    """A headline in capitals between two paragraphs of prose is a link to another story
    ("TAYLOR SWIFT'S FORMER LABEL BOSS BLASTS HER SCOOTER BRAUN 'BULLYING' CLAIMS"). A subhead in
    capitals is shorter ("HOW TO USE A WATER BATH CANNER") or asks ("DOES SHE HAVE A PLAN FOR
    THAT?"), and a row of figures carries numbers; the article's own headline is never between
    two paragraphs of its prose."""
    for i in range(1, len(paras) - 1):
        p = paras[i]
        if p.rule is not None or not 6 <= p.n <= 30 or p.text[-1] in ".?!:":
            continue
        if not p.text.lstrip("'‘’\"“”«(")[:1].isupper():
            continue
        if sum(c.islower() for c in p.text[:24]) > 2 or sum(t.isdigit() for t in p.toks) > 1:
            continue  # a line in lower case, ruled out on its start before every letter is counted
        if p.n < _CAPS_PROMO_WORDS and not any(q in p.text for q in "'‘’\"“”"):
            continue
        letters = [c.isupper() for c in p.text if c.isalpha()]  # letters without case count against
        if sum(letters) < 0.9 * len(letters):  # "... AT AMAs AMID FEUD ..." is capitals too
            continue
        before, after = paras[i - 1], paras[i + 1]
        if before.rule is None and after.rule is None and _is_prose(before) and _is_prose(after):
            p.rule = "caps_promo"


def _body(paras: list[_Para]) -> tuple[int, int] | None:
    """Maximum-sum run of paragraphs (Kadane): the article body, or None when nothing is prose."""
    if _hard_wrapped(paras):
        for p in paras:
            if p.n >= 5 and not _linky(p.text):
                p._prose = True
    best, best_span = 0.0, None
    cur, cur_start = 0.0, 0
    in_list = False
    for i, p in enumerate(paras):
        if p.rule is not None:
            v = -_NONPROSE_PENALTY if p.rule in ("related_links", "teaser_list", "after_end_heading") or p.heading else -_RULE_PENALTY
            in_list = False
        elif _is_prose(p):
            v = float(p.weight)
            # a list goes on through items that happen to end like sentences ("8) Magnum P.I. –
            # Complete Collection (45 DVD)"); a numbered list may start without an intro line
            in_list = p.text[-1] == ":" or ((in_list or p.text.startswith("1")) and _LIST_ITEM.match(p.text) is not None)
        elif not in_list and _counted_list(p.text):
            v = -_NONPROSE_PENALTY  # links with their counts of posts, though they end with ")"
        elif _data_row(p):
            v = 1.0  # a results line, table row or code line: content, not a link
        elif in_list or _FIRST_ITEM.match(p.text):
            in_list = True
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
                or _quoted_headline_end(paras[j].text)
            ):
                if paras[j].rule is None:
                    paras[j].rule = "related_links"
                j += 1
            i = j
        else:
            i += 1


def _quoted_headline_end(text: str) -> bool:
    """A headline that ends with a quotation ("Grace Millane ‘gave man list of fetishes’"): a
    closing quote right after a letter. A sentence puts its full stop inside the quote or after it."""
    return text[-1] in "’”'\"" and len(text) > 1 and text[-2].isalnum()


def _cut_at_end_heading(paras: list[_Para], span: tuple[int, int]) -> int | None:
    """Index of a terminal heading (comments, author bio) inside the body that ends the article.

    It must follow at least 30% of the body's prose words (and 50 words): a comments block after
    the article is cut, a "Discussion" subhead in an essay's first paragraphs is not. On dev
    pages the terminal headings sit after 75-100% of the article's prose. A heading that the
    first comment's header follows ("Ann on May 2, 2018 at 4:47 pm said:") opens a comments
    block wherever it stands, so it ends a short post that a long discussion follows too. A
    heading that also names a section (`_SECTION_HEADINGS`) that it does not end loses its rule.
    """
    b0, b1 = span
    if not any(p.heading for p in paras[b0 : b1 + 1]):
        return None  # the usual case: no heading in the body
    total = sum(p.weight for p in paras[b0 : b1 + 1] if p.rule is None and _is_prose(p))
    seen = 0
    for i in range(b0, b1 + 1):
        p = paras[i]
        if p.rule is None and _is_prose(p):
            seen += p.weight
        elif p.heading and _RULES_BY_NAME[p.rule].terminal:
            section = p.folded in _SECTION_HEADINGS  # ends the article only when comments follow
            if (not section and seen >= max(50, 0.3 * total)) or (
                seen >= _COMMENTED_POST_MIN_WORDS and _comment_follows(paras, i)
            ):
                return i
            if section:  # a section of the article ("Discussion"): it stays
                p.rule, p.heading = None, False
    return None


# Terminal headings that also head a section of a report or an essay ("Discussion", "Responses"):
# they end the article only before comments. "Join the conversation" stays terminal on its own: on
# cleaning-dev a comments policy follows it, with no comment to see yet.
_SECTION_HEADINGS = frozenset({"discussion", "conversation", "responses"})


_COMMENTED_POST_MIN_WORDS = 20  # prose before a comments block that opens with a comment header


def _comment_follows(paras: list[_Para], heading: int) -> bool:
    """Whether comments follow `heading`: a comment's header ("... on <date> said:") within two
    paragraphs (whichever rule removed it: `comments_prompt` knows the same line), or the votes
    of two comments ("Rating: 36 Votes") within twelve."""
    header = _RULES_BY_NAME["comment_header"]
    if any(p.rule is not None and header.regex.fullmatch(p.text) for p in paras[heading + 1 : heading + 3]):
        return True
    return sum(p.rule == "comment_votes" for p in paras[heading + 1 : heading + 13]) >= 2


# host, then nothing or a path: "([^/\s]+)\S*" backtracks the host once per character (quadratic)
_BARE_URL = re.compile(r"https?://([^/\s]+)(?:/\S*)?", re.IGNORECASE)


def _mark_self_links(paras: list[_Para], source: str) -> None:
    """A bare URL of the document's own site is its permalink or share link, not content
    (a link to another site can be an item of a shopping list: "http://amzn.to/2iJFhRj")."""
    host = _source_key(source)
    if "." not in host:
        return
    for p in paras:
        if p.rule is None and "://" in p.text[:8]:
            m = _BARE_URL.fullmatch(p.text)
            if m is not None:
                h = _source_key(m.group(1))
                if h == host or h.endswith("." + host):
                    p.rule = "self_link"


def _trailing_links(paras: list[_Para], keep: list[bool]) -> list[int]:
    """Without the body search (`structure=False`), a run of 3+ headline-like lines after the
    last prose paragraph is a related-links block the extractor kept ("Jonas Brothers Added to
    2019 American Music Awards Performance Lineup"). Short list items and table rows are not
    headlines: gold keeps product and ingredient lists ("- 1 tsp cinnamon"); a bulleted item of
    5+ words without a full stop and without figures is one ("- How Facebook gets the First
    Amendment backward", a list of other stories whose heading the extractor dropped)."""
    last = max((i for i, p in enumerate(paras) if keep[i] and _is_prose(p)), default=None)
    if last is None:
        return []
    tail = [i for i in range(last + 1, len(paras)) if keep[i]]
    if len(tail) < 3 or not all(_is_headline_like(paras[i]) and paras[i].n >= 3 and (
        not _LIST_OR_ROW.match(paras[i].text) or _headline_item(paras[i])
    ) for i in tail):
        return []
    return tail


def _headline_item(p: _Para) -> bool:
    """A bulleted line that reads as a headline: 5+ words, no figures, no full stop at the end."""
    return p.text[0] in "-*•" and p.n >= 5 and p.text[-1] != "." and not any(t.isdigit() for t in p.toks)


_CLOCK = re.compile(r"\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?(?:\s+[A-Za-z]{2,4})?", re.IGNORECASE)


def _keep_body_times(paras: list[_Para]) -> None:
    """Times that belong to the article, not timestamp chrome:
    - a live blog heads each entry with its time ("10 p.m.", "4:14 p.m."): two or more bare
      clock times that each come before a prose paragraph are the entries' headings
      (cleaning-dev sfgate.com AP "The Latest" pages keep them in gold);
    - a whole "(Published Monday, Nov. 18, 2019)" paragraph between two prose paragraphs dates
      a video embedded in the article (under its caption); the page's own dateline stands
      before the body and is not parenthesised."""
    times, stamps = [], []
    for i, p in enumerate(paras[:-1]):
        if p.rule != "timestamp":
            continue
        if _CLOCK.fullmatch(p.text) and _is_prose(paras[i + 1]):
            times.append(i)
        elif i and p.text[0] == "(" and p.text[-1] == ")":
            before, after = paras[i - 1], paras[i + 1]
            if before.rule is None and after.rule is None and _is_prose(before) and _is_prose(after):
                stamps.append(i)
    for i in (times if len(times) >= 2 else []) + stamps:
        paras[i].rule = None


def _keep_early_bios(paras: list[_Para]) -> None:
    """An author's note ends a story, after its prose; the same words early in a story are its
    subject ("Jane Doe is a reporter for the Post who ..." in a report on her arrest): an
    `author_bio` line with a fifth of the document's prose after it stays."""
    bios = [i for i, p in enumerate(paras) if p.rule == "author_bio"]
    if not bios:
        return
    prose = [p.weight if p.rule is None and _is_prose(p) else 0 for p in paras]
    total = sum(prose)
    for i in bios:
        if sum(prose[:i]) < 0.8 * total:
            paras[i].rule = None


# "(Graphic: Global assets in 2019 - here)": a wire story's link to a chart, its anchor "here"
_GRAPHIC_STUB = re.compile(
    r"\((?:interactive )?(?:graphic|chart|map|infographic|factbox)s?\s*:\s*[^()]{1,150}\s[-–—]\s*here\s*\)",
    re.IGNORECASE,
)


def _is_graphic_stub(p: _Para) -> bool:
    return p.rule == "photo_caption" and p.text[0] == "(" and _GRAPHIC_STUB.fullmatch(p.text) is not None


def _keep_graphic_stubs(paras: list[_Para], keep: list[bool], b0: int, b1: int, structure: bool) -> None:
    """A link stub to a chart, "(Graphic: <title> - here)", is content in gold (a caption's
    "(Graphic: Reuters)" is not): it stays inside the body, in a run right after it, or anywhere
    when the extractor chose the body. The body search still counts it as chrome: a wire story
    ends with its stubs, then its sign-off ("Reporting by ...; Editing by ...", "Our Standards:
    ..."), which stubs scored as prose would pull into the body."""
    end = b1 + 1
    while end < len(paras) and _is_graphic_stub(paras[end]):
        end += 1
    for i in range(b0, end) if structure else range(len(paras)):
        if _is_graphic_stub(paras[i]):
            keep[i] = True


def _mark_repeated_short(paras: list[_Para]) -> None:
    """A short non-prose line printed 3+ times in one page is a widget ("Whatsapp Facebook Pint").

    List items and table rows are not: a product list repeats its feature lines ("- Easy setup
    for all your Apple devices") and a table its header row, and both are article content;
    a table's header is the repeated line that a data row
    follows ("Pos Player Plays % Stats" over "DL J. Smith 63 85% 1 tackle")."""
    counts: dict[str, int] = {}
    for p in paras:
        if p.rule is None and 0 < p.n <= 8 and p.text[-1] not in _TERMINAL and not _LIST_OR_ROW.match(p.text) \
                and not _separator(p):
            counts[p.text] = counts.get(p.text, 0) + 1
    for i, p in enumerate(paras):
        if p.rule is None and counts.get(p.text, 0) >= 3 and not (i + 1 < len(paras) and _data_row(paras[i + 1])):
            p.rule = "repeated_widget_line"


# A list item: "- x", "* x", "• x", "3) x", "3. x"; the first item of a numbered list.
_LIST_ITEM = re.compile(r"[-*•]\s|\d{1,3}[.)]\s")
_FIRST_ITEM = re.compile(r"1[.)]\s")
_LIST_OR_ROW = re.compile(r"[-*•|]|\d{1,3}[.)]\s")
_WE = re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE)


def _fill_appeals(paras: list[_Para]) -> None:
    """A paragraph that speaks as "we/our" is part of an appeal when it sits between two appeal
    paragraphs, or next to one while carrying an appeal phrase itself (seed 003: the paywall
    paragraph of The Independent's appeal, whose other sentences are plain)."""
    appeal = {"donation_appeal"}
    if not any(p.rule == "donation_appeal" for p in paras):
        return  # a paragraph joins an appeal only next to one
    for i, p in enumerate(paras):
        if p.rule is not None or _QUOTE_CHARS.search(p.text):
            continue
        before = next((q for q in reversed(paras[max(0, i - 2) : i]) if q.rule in appeal), None)
        after = next((q for q in paras[i + 1 : i + 3] if q.rule in appeal), None)
        if not _WE.search(p.text):
            continue
        if (before and after) or ((before or after) and _RULES_BY_NAME["donation_appeal"].regex.search(p.text)):
            p.rule = "donation_appeal"


def _promo_tail(sents: list[str], lo: int, hi: int) -> int:
    """Where a trailing "READ MORE: <headline>" promo starts among sents[lo:hi] (hi when none):
    a sentence opening with a promo label, after content, with at most a short headline after it
    (the headline may hold "?" or "." and so span sentences)."""
    for k in range(lo + 1, hi):
        if _PROMO_START.match(sents[k]) is None:
            continue
        n = sum(len(words(s)) for s in sents[k:hi])
        if n <= _PROMO_MAX_WORDS and all(len(words(s)) <= 15 for s in sents[k + 1 : hi]):
            return k
    return hi


def _has_appeal(text: str) -> bool:
    """`_APPEAL_SENTENCE.search(text) is not None`, with the regex tried only where one of
    `_APPEAL_KEYS` starts (`_lower` keeps every character's offset but for "İ", which it maps
    to "i" first; `match` at an offset sees the characters before it, for `\b`)."""
    low = _lower(text)
    if len(low) != len(text):
        return _APPEAL_SENTENCE.search(text) is not None
    for k in _APPEAL_KEYS:
        i = low.find(k)
        while i >= 0:
            if _APPEAL_SENTENCE.match(text, i) is not None:
                return True
            i = low.find(k, i + 1)
    return False


def _appeal_sentence(sentence: str) -> bool:
    return (
        _APPEAL_SENTENCE.search(sentence) is not None
        and len(words(sentence)) <= _APPEAL_MAX_WORDS
        and _QUOTE_CHARS.search(sentence) is None
    )


def _cut_sentences(p: _Para, edits: list[Edit], first: re.Match[str] | None = None) -> list[_Para]:
    """Cut leading/trailing chrome sentences (glued or not), a trailing "READ MORE:" promo, and
    clear appeal sentences inside the paragraph (which splits it in two, each piece kept byte for
    byte: a merged paragraph with chrome glued inside). Returns the pieces that stay."""
    if first is None and _SENT_END.search(p.text) is None:  # `first`: the first boundary, if known
        return [p]  # one sentence: nothing to cut (the tests below would only decide to look)
    promo = ":" in p.text and _PROMO_IN_PARA.search(p.text) is not None  # every label ends with ":"
    appeal = _has_appeal(p.text)
    if not (promo or appeal or _may_have_chrome_sentence(p.text, p.hits, p.cand)):
        return [p]
    sents = _sentences(p.text)
    if len(sents) < 2:
        return [p]
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
            k = _promo_tail(sents, lo, hi) if promo else hi
            if k == hi:
                break
            cut_rules.append((spans[k][0], spans[hi - 1][1], "read_more_promo"))
            hi = k
            continue
        cut_rules.append((spans[hi - 1][0], spans[hi - 1][1], r.name))
        hi -= 1
    # clear appeal sentences between content: the paragraph splits around them
    inner: list[tuple[int, int]] = []  # sentence index ranges [a, b) cut inside
    if appeal:
        i = lo + 1
        while i < hi - 1:
            if _appeal_sentence(sents[i]):
                j = i + 1
                while j < hi - 1 and _appeal_sentence(sents[j]):
                    j += 1
                inner.append((i, j))
                i = j
            else:
                i += 1
    if lo == 0 and hi == len(sents) and not inner:
        return [p]
    if lo >= hi:
        return []
    keep_start, keep_end = spans[lo][0], spans[hi - 1][1]
    if lo > 0:
        edits.append(Edit(STAGE, cut_rules[0][2], p.text[:keep_start], p.start, p.start + keep_start))
    if hi < len(sents):
        edits.append(Edit(STAGE, cut_rules[-1][2], p.text[keep_end:], p.start + keep_end, p.end))
    pieces: list[tuple[int, int]] = []
    a = keep_start
    for i, j in inner:
        pieces.append((a, spans[i - 1][1]))
        edits.append(Edit(STAGE, "appeal_sentence", p.text[spans[i - 1][1] : spans[j][0]],
                          p.start + spans[i - 1][1], p.start + spans[j][0]))
        a = spans[j][0]
    pieces.append((a, keep_end))
    out: list[_Para] = []
    for a, b in pieces:
        new = p.text[a:b].strip()
        off = p.start + p.text.index(new, a)
        out.append(_Para(new, off, off + len(new), words(new)))
    return out


class _Known:
    """The learned hashes that apply to one source, looked up by a text's words."""

    __slots__ = ("own", "shared")

    def __init__(self, learned: LearnedBoilerplate, source: str) -> None:
        self.own = learned.per_source.get(_source_key(source), frozenset())
        self.shared = learned.shared

    def has(self, toks: list[str]) -> bool:
        if not self.own and not self.shared:
            return False
        h = xxh3_64_intdigest(" ".join(toks).encode())
        return h in self.own or h in self.shared


def _strip_once(
    text: str, source: str, learned: LearnedBoilerplate | None, memo: _Memo, structure: bool = True
) -> tuple[list[_Para], list[Edit]]:
    known = _Known(learned, source) if learned is not None else None
    paras = _split(text, memo)
    edits: list[Edit] = []
    if not paras:
        return [], edits
    for i, p in enumerate(paras):  # "Skip to content" glued before a title
        m = _SKIP_PREFIX.match(p.text)
        if m is not None:
            edits.append(Edit(STAGE, "skip_link", m.group(), p.start, p.start + m.end()))
            rest = p.text[m.end():]
            paras[i] = _Para(rest, p.start + m.end(), p.end, words(rest))
    rule_cache = memo.rule
    for p in paras:
        if p.text in rule_cache:
            r = rule_cache[p.text]
        else:
            r = rule_cache[p.text] = _match_rule(p.text, p.n, p.toks, None, p.cand) if 0 < p.n <= _MAX_RULE_WORDS else None
            if len(p.text) <= _RECURRING_CHARS:
                if len(_RECURRING) >= _RECURRING_MAX:
                    _RECURRING.clear()
                _RECURRING[p.text] = (p.toks, r)
        if r is not None:
            p.rule = r.name
            p.heading = r.kind == "heading"
        elif known is not None and not _separator(p):
            if p._learned is None:
                p._learned = known.has(p.toks)
            if p._learned:
                p.rule = "learned_source_line"
    if source:
        _mark_self_links(paras, source)
    _keep_body_times(paras)
    _fill_appeals(paras)
    _mark_headings(paras)
    _mark_repeated_short(paras)
    _mark_embeds(paras)
    _mark_teaser_runs(paras)
    _mark_caps_promos(paras)
    _keep_early_bios(paras)
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
            if _is_headline_like(p) and 3 <= p.n <= 30 and not _linky(p.text[: _title_suffix(p.text) or len(p.text)]):
                title_idx = i
            break
        if title_idx is not None:
            title_fold = paras[title_idx].folded
            # keep the first copy of the title; drop later copies and breadcrumbs ending with it
            first = next(i for i in range(title_idx + 1) if paras[i].folded == title_fold)
            title_idx = first
            keep[title_idx] = True
    _keep_graphic_stubs(paras, keep, b0, b1, structure)
    reasons: dict[int, str] = {}
    tf = paras[title_idx].folded if title_idx is not None else None  # the title's words
    for i, p in enumerate(paras):
        if keep[i]:
            continue
        if p.rule is not None:
            reasons[i] = p.rule
        elif tf is not None and (f := p.folded).endswith(tf):
            reasons[i] = "repeated_title" if f == tf else "breadcrumb"
        elif structure and p.n <= 4 and _NAME.fullmatch(p.text):
            reasons[i] = "bare_name"
        elif not structure:
            keep[i] = True  # by position only: the extractor already chose the body
        elif i < b0:
            reasons[i] = "before_body"
        else:
            reasons[i] = "after_body"
    if not structure:
        for i in _trailing_links(paras, keep):
            if i != title_idx:
                keep[i] = False
                reasons[i] = "trailing_links"
    # within the body, also drop exact repeats of the title (a title printed twice)
    if title_idx is not None and tf is not None:
        # before it, the title with the site's name after it ("Title - Site Name", then "Title")
        for i in range(title_idx):
            if not keep[i]:
                continue
            f = paras[i].folded
            if f.startswith(tf + " ") and len(f) - len(tf) <= 60 and _title_suffix(paras[i].text) is not None:
                keep[i] = False
                reasons[i] = "repeated_title"
        for i in range(title_idx + 1, len(paras)):
            if keep[i] and paras[i].folded == tf:
                keep[i] = False
                reasons[i] = "repeated_title"
    out: list[_Para] = []
    for i, p in enumerate(paras):
        if not keep[i]:
            edits.append(Edit(STAGE, reasons[i], p.text, p.start, p.end))
            continue
        if i == title_idx:
            cut = _title_suffix(p.text)
            if cut and len(words(p.text[:cut])) >= 3:
                edits.append(Edit(STAGE, "title_section_suffix", p.text[cut:], p.start + cut, p.end))
                p = _Para(p.text[:cut], p.start, p.start + cut, words(p.text[:cut]))
            out.append(p)
            continue
        if p.text in memo.intact:
            out.append(p)
            continue
        boundary = _SENT_END.search(p.text)  # the first sentence boundary
        if boundary is None:  # one sentence (~60% of paragraphs): no cut applies
            memo.intact.add(p.text)
            out.append(p)
            continue
        qs = _cut_sentences(p, edits, boundary)
        if len(qs) != 1 or qs[0] is not p:
            out.extend(qs)
            continue
        q: _Para | None = p
        if known is not None and (known.own or known.shared):
            q = _cut_learned_sentences(p, known, edits, boundary)
            if q is None:
                continue
        if q is p:
            memo.intact.add(p.text)
        out.append(q)
    return out, edits


def _learned_words(toks: list[str], known: _Known) -> bool:
    """A sentence with these words is a learned line (too short a sentence never is)."""
    return len(toks) >= _LEARN_SENTENCE_MIN_WORDS and known.has(toks)


def _cut_learned_sentences(
    p: _Para, known: _Known, edits: list[Edit], first: re.Match[str] | None = None
) -> _Para | None:
    """Cut the learned sentences at the start and end of a paragraph (all of them: drop it).
    Only the runs at the two ends are looked at: a learned sentence between content stays."""
    edges = _edge_sentences(p.text, first)
    if edges is None:
        return p
    head, last, two = edges
    toks = words(head)
    if not _learned_words(toks, known):
        # two sentences: the last one's words are the rest of the paragraph's (see `_units`)
        if not _learned_words(p.toks[len(toks) :] if two else words(last), known):
            return p  # the usual case: neither end is learned
    sents = _sentences(p.text)
    n = len(sents)

    def learned(i: int) -> bool:
        return _learned_words(words(sents[i]), known)

    lo = 0
    while lo < n and learned(lo):
        lo += 1
    if lo == n:
        edits.append(Edit(STAGE, "learned_source_line", p.text, p.start, p.end))
        return None
    hi = n
    while learned(hi - 1):
        hi -= 1
    if lo == 0 and hi == n:
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
    text: str, *, source: str = "", learned: LearnedBoilerplate | None = None, structure: bool = True
) -> tuple[str, tuple[Edit, ...]]:
    """Remove site chrome from one document; return (clean text, removals).

    `text` and the result use the pipeline format: paragraphs separated by one blank line.
    Each removal is an `Edit(stage="chrome", rule=..., text=..., start=, end=)` with offsets
    into `text`. `source` selects the learned lines of that site (`learned` comes from
    `BoilerplateLearner.finish()`). Runs to a fixed point, so strip_chrome(f(x)) == f(x).

    `structure=False` is for text whose body an extractor already chose (trafilatura's output
    of an HTML page): only the rules (with the lines a related-links heading takes, the end of
    the article at a comments/author heading, glued chrome sentences, the title's section
    suffix and repeats) and the learned lines remove text; nothing goes for lying outside the
    densest run of prose. On cleaning-dev's HTML pages that keeps the list-heavy articles
    (product lists, shopping widgets) that the body search cuts.
    """
    current = text
    # maps each character of `current` back to `text`: list of (cur_start, orig_start, length)
    segments = [(0, 0, len(text))]
    all_edits: list[Edit] = []
    memo = _Memo()
    for _ in range(4):
        paras, edits = _strip_once(current, source, learned, memo, structure)
        new = "\n\n".join(p.text for p in paras)
        if new == current:
            break
        starts = [seg[0] for seg in segments]
        identity = segments == [(0, 0, len(text))]  # the first pass: `_map` would change nothing
        for e in edits:
            if identity:
                s = 0 if e.start is None else e.start
                en = e.end if e.end and e.end > e.start else s
            else:
                s = _map(segments, starts, e.start)
                en = _map(segments, starts, e.end - 1) + 1 if e.end and e.end > e.start else s
            all_edits.append(Edit(STAGE, e.rule, e.text, s, en))
        new_segments = []
        pos = 0
        for p in paras:
            new_segments.append((pos, _map(segments, starts, p.start), len(p.text)))
            pos += len(p.text) + 2
        segments = new_segments
        current = new
    all_edits.sort(key=lambda e: (e.start or 0, e.end or 0))
    return current, tuple(all_edits)


def _map(segments: list[tuple[int, int, int]], starts: list[int], pos: int | None) -> int:
    """Offset in the current text -> offset in the original text (segments are contiguous runs,
    `starts` their first offsets, ascending: a binary search, not a scan per paragraph)."""
    if pos is None:
        return 0
    i = bisect_right(starts, pos) - 1
    if i < 0:
        return pos
    cur, orig, _ = segments[i]
    return orig + (pos - cur)


def iter_rule_examples() -> Iterable[tuple[Rule, str]]:
    """(rule, example) pairs, for tests and documentation."""
    for r in RULES:
        for ex in r.examples:
            yield r, ex
