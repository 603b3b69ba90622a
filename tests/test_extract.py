"""HTML extraction: chrome taken out before trafilatura, a split article body joined, the title line.

Each page here is small but laid out like a real news page (header, navigation, article, sidebar,
footer), so that trafilatura's own choices are the ones it makes on real pages.
"""

from __future__ import annotations

import pytest

from dedupe.extract import html_to_text, without_page_chrome

_SENTENCES = [
    "The city council voted on Tuesday to extend the tram line to the northern suburbs by 2027.",
    "Officials said the work would begin next spring, once the last of the land had been bought.",
    "Residents who had opposed the route through the old market welcomed a change to the plans.",
    "The cost, put at 240 million euros, will be shared between the region and the national budget.",
    "Shop owners along the avenue asked for help with the loss of trade during the two years of work.",
    "A spokesman for the transport authority said buses would run along the route in the meantime.",
    "Cycling groups said the new bridge should carry a separate lane, which the council agreed to study.",
    "The opposition called the timetable optimistic and asked for a yearly report on the budget.",
    "Engineers expect the first trams to run on the extension before the end of the decade.",
    "The mayor said the line would cut journey times to the hospital by a quarter of an hour.",
    "Work on the depot, where the new trams will be kept, is due to start in the autumn.",
    "The council will hold three public meetings on the plans before the final vote in June.",
]


def para(i: int) -> str:
    """A paragraph of plain news prose, different for each `i`."""
    return " ".join(_SENTENCES[(i + k) % len(_SENTENCES)] for k in range(3))


def page(article: str, title: str = "Tram line to be extended north", extra: str = "") -> str:
    """A news page around `article` (the inside of its <article>), with the usual chrome."""
    return f"""<!DOCTYPE html><html lang="en"><head><title>{title} | The Daily Courier</title>
<meta property="og:title" content="{title}"></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>{article}</article>{extra}</main>
<aside class="sidebar"><h2>Most read</h2><ol><li><a href="/a">Storm closes schools</a></li><li><a href="/b">Budget vote delayed</a></li></ol></aside>
<footer><p>Copyright 2024 The Daily Courier</p></footer></body></html>"""


def body_of(html: str) -> str:
    return html_to_text(html, url="https://courier.example/news/tram").text


# -- the article's own text stays --------------------------------------------------------------------


def test_short_paragraphs_quotes_and_headings_of_the_article_are_kept():
    article = (f"<h1>Tram line to be extended north</h1><p>{para(0)}</p><p>It is done.</p>"
               f"<h2>What the residents say</h2><blockquote><p>“We waited twenty years for this.”</p></blockquote>"
               f"<p>{para(1)} The plans are <a href='/plans'>on the council's website</a>.</p><p>{para(2)}</p>")
    text = body_of(page(article))
    for kept in ("It is done.", "What the residents say", "We waited twenty years for this.", "on the council's website",
                 para(0), para(2)):
        assert kept in text


def test_a_page_with_nothing_to_extract_stays_empty():
    assert html_to_text("<html><head><title>Only a title</title></head><body></body></html>").text == ""
    assert html_to_text("<html><body><script>var a = 1;</script></body></html>").text == ""


def test_a_page_of_nothing_but_navigation_links_is_empty():
    html = "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/x'>News</a></li></ul></nav></body></html>"
    assert html_to_text(html).text == ""


def test_a_page_without_any_of_this_chrome_goes_to_trafilatura_unchanged():
    html = "<html><body><article>" + "".join(f"<p>{para(i)}</p>" for i in range(3)) + "</article></body></html>"
    assert without_page_chrome(html) is html


# -- chrome taken out --------------------------------------------------------------------------------


def test_a_paragraph_that_is_one_link_is_a_promoted_headline_and_goes():
    promo = "'STARS' HOST OPENS UP ABOUT SERIOUS HEALTH CONDITION AFTER SHOW"
    article = (f"<h1>Tram line to be extended north</h1><p>{para(0)}</p>"
               f"<p><strong><a href='https://courier.example/other-story'>{promo}</a></strong></p>"
               f"<p>{para(1)}</p><p>{para(2)}</p>")
    html = page(article)
    assert promo not in body_of(html)
    assert para(1) in body_of(html)


def test_a_list_of_links_goes_and_a_list_of_points_stays():
    related = ["Ten pictures of the old tram depot before it closed", "How the first line was built in 1895 by hand",
               "The busiest stops in the city, ranked by riders"]
    links = "".join(f"<li><a href='/r{i}'>{t}</a></li>" for i, t in enumerate(related))
    points = ["Two new stations, at the hospital and the stadium", "A bridge over the river for trams and bikes",
              "Trams every six minutes at peak times"]
    article = (f"<h1>Tram line to be extended north</h1><p>{para(0)}</p><p>The plans include:</p>"
               f"<ul>{''.join(f'<li>{p}</li>' for p in points)}</ul><p>{para(1)}</p>"
               f"<ul>{links}</ul><p>{para(2)}</p><p>{para(3)}</p>")
    text = body_of(page(article))
    assert all(p in text for p in points)
    assert not any(t in text for t in related)
    assert para(3) in text


def test_a_heading_inside_a_link_is_a_teaser_card_and_a_linked_section_heading_stays():
    teasers = ["Council approves new bus lanes on the ring road", "Bridge repairs to finish early, engineers say"]
    cards = "".join(f"<a class='item-link' href='/s{i}'><h3>{t}</h3></a>" for i, t in enumerate(teasers))
    article = (f"<h1>Tram line to be extended north</h1><p>{para(0)}</p>{cards}"
               f"<h3><a href='https://tram.example'>The northern extension</a></h3><p>{para(1)}</p><p>{para(2)}</p>")
    text = body_of(page(article))
    assert not any(t in text for t in teasers)
    assert "The northern extension" in text


def test_sibling_articles_inside_the_article_are_teasers_of_other_posts():
    teasers = "".join(f"<article class='post'><a href='/p{i}'><img src='/t{i}.jpg'></a><p>{para(i + 5)}</p></article>"
                      for i in range(4))
    html = f"""<html><head><title>Tram line to be extended north</title></head><body><div id="primary">
<article class="post"><h1>Tram line to be extended north</h1><p>{para(0)}</p></article>
<article class="post"><h3>You may also like</h3>{teasers}</article></div></body></html>"""
    text = body_of(html)
    assert para(0) in text
    assert not any(para(i + 5) in text for i in range(4))


def test_the_article_inside_an_outer_article_is_kept():
    html = f"""<html><head><title>Tram line</title></head><body><article class="page"><div class="wrap">
<article class="post"><h2>Tram line to be extended north</h2>{''.join(f'<p>{para(i)}</p>' for i in range(4))}</article>
</div></article></body></html>"""
    text = body_of(html)
    assert all(para(i) in text for i in range(4))


def test_a_block_shown_only_when_printed_goes():
    article = (f"<div class='print-header'><p>https://courier.example/news/tram-line-to-be-extended-north-123</p>"
               f"<p>This copy is for your personal, non-commercial use only.</p></div>"
               f"<h1>Tram line to be extended north</h1>{''.join(f'<p>{para(i)}</p>' for i in range(3))}")
    text = body_of(page(article))
    assert "courier.example/news" not in text and "non-commercial use" not in text
    assert para(0) in text


# -- a split article body ------------------------------------------------------------------------------


def test_an_article_body_split_around_ads_is_read_whole():
    part = "<div class='grid'><div class='body article__body'>{}</div><div class='aside'></div></div>"
    ad = "<div class='ad'><span>Advertisement</span></div>"
    parts = ["".join(f"<p>{para(i)}</p>" for i in range(2)),
             "<h2>What comes next</h2>" + "".join(f"<p>{para(i)} (part two)</p>" for i in range(5, 8)),
             "".join(f"<p>{para(i)} (part three)</p>" for i in range(8, 11))]
    article = f"<h1>Tram line to be extended north</h1><div class='chunks'>{ad.join(part.format(p) for p in parts)}</div>"
    text = body_of(page(article))
    order = [para(0), "What comes next", f"{para(5)} (part two)", f"{para(10)} (part three)"]
    assert all(piece in text for piece in order)
    assert [text.index(piece) for piece in order] == sorted(text.index(piece) for piece in order)


def test_two_stories_far_apart_are_not_joined():
    story = "<section class='story'><div class='story-body'>{}</div></section>"
    main = "".join(f"<p>{para(i)}</p>" for i in range(4))
    html = (f"<html><head><title>Tram line to be extended north</title></head><body>"
            f"<div class='main'><div class='col'>{story.format(main)}</div></div>"
            f"<div class='more'><div class='list'><div class='item'>{story.format('<p>' + para(9) + ' (another story)</p>')}"
            f"</div></div></div></body></html>")
    assert without_page_chrome(html) is html


def test_the_next_story_of_an_endless_page_is_not_joined_to_the_article():
    story = "<div class='story'><h1>{}</h1><div class='story-body'>{}</div></div>"
    html = ("<html><head><title>Tram line to be extended north</title></head><body><div class='stream'>"
            + story.format("Tram line to be extended north", "".join(f"<p>{para(i)}</p>" for i in range(4)))
            + story.format("Storm closes schools", f"<p>{para(9)} (another story)</p>")
            + "</div></body></html>")
    assert without_page_chrome(html) is html
    assert "(another story)" not in body_of(html)


# -- the title line ------------------------------------------------------------------------------------


def test_a_headline_worded_unlike_the_title_is_not_given_twice():
    title = "HS Roundup: Viera defeats Rockledge to remain undefeated"
    html = f"""<html><head><title>{title} - The Daily Courier</title><meta property="og:title" content="{title}"></head>
<body><article><h2>High School Roundup: Viera defeats Rockledge to remain undefeated</h2>
{''.join(f'<p>{para(i)}</p>' for i in range(3))}</article></body></html>"""
    text = body_of(html)
    assert text.startswith("High School Roundup: Viera defeats Rockledge")
    assert "HS Roundup" not in text


@pytest.mark.parametrize("opening", [
    "<p>Viera defeats Rockledge to remain undefeated, the coach said after the game on Friday.</p>",
    "<h2>What happened on Friday night</h2>",
    "<h2>Roundup</h2>",
])
def test_the_title_stays_when_the_body_does_not_open_with_the_same_headline(opening):
    title = "HS Roundup: Viera defeats Rockledge to remain undefeated"
    html = f"""<html><head><title>{title}</title><meta property="og:title" content="{title}"></head>
<body><article>{opening}{''.join(f'<p>{para(i)}</p>' for i in range(3))}</article></body></html>"""
    assert body_of(html).split("\n")[0] == title


def test_a_linked_name_in_a_table_cell_stays():
    rows = "".join(f"<tr><td><p><a href='/team/{t.lower()}'>{t}</a></p></td><td>{w}</td><td>{l}</td></tr>"
                   for t, w, l in [("Viera", 9, 0), ("Rockledge", 7, 2), ("Melbourne", 5, 4), ("Eau Gallie", 3, 6)])
    article = (f"<h1>Tram line to be extended north</h1><p>{para(0)}</p>"
               f"<table><tr><th>Team</th><th>Won</th><th>Lost</th></tr>{rows}</table><p>{para(1)}</p><p>{para(2)}</p>")
    text = body_of(page(article))
    assert "Rockledge" in text and "Eau Gallie" in text
