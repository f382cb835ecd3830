"""The Knowledge Factory's faceted search (knowledge_factory.search, the index page) and the
related items of an item page (knowledge_factory.selectors)."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowledge_factory.indexing import item_index
from knowledge_factory.models import Item
from knowledge_factory.search import CANDIDATE_CAP, FACET_SIZE, Filters, knowledge_search
from knowledge_factory.selectors import related_items_for
from tests.knowledge_factory.browse_helpers import LEA_TITLE, domain, make_item, many_items

INDEX = "/knowledge/"
NON_LEA = ["researcher", "industry_member", "policy_member", "unverified_member", None]


@pytest.fixture
def catalogue(db):
    """Items of every access level; the LEA-only one has a tag and a type of its own."""
    border, cyber = domain("migration-border-management"), domain("cybercrime")
    return {
        "public": make_item(
            "Open drone registry", tier="public", type="article", tags=["drones"], domains=[border]
        ),
        "members": make_item(
            "Drone detection at borders",
            tier="members",
            type="report",
            tags=["drones", "borders"],
            domains=[border],
        ),
        "members2": make_item(
            "Ransomware negotiation",
            tier="members",
            type="report",
            summary="Paying or not.",
            tags=["ransomware"],
            domains=[cyber],
        ),
        "lea": make_item(
            LEA_TITLE,
            tier="lea",
            type="study",
            summary="Drone handsets too.",
            tags=["lea-secret-tag", "drones"],
            domains=[cyber],
        ),
    }


def _facet(search, name):
    return {fv.value: fv.count for fv in search.facets[name]}


def _reader(request, name):
    return request.getfixturevalue(name) if name else None


# --- Access: an LEA-only item is never shown, counted or named for a non-LEA reader ---------


@pytest.mark.parametrize("role", NON_LEA)
@pytest.mark.parametrize("text", ["", "drone"])
def test_an_lea_only_item_is_absent_from_results_and_every_facet_for_non_lea(
    request, client_for, catalogue, role, text
):
    reader = _reader(request, role)
    # given the page of this reader, with and without a query
    response = client_for(reader).get(INDEX, {"q": text})
    html = response.content.decode()
    search = knowledge_search(reader, text)
    # then the LEA-only item is nowhere: not listed, no tag name, no type count
    assert response.status_code == 200
    assert LEA_TITLE not in html
    assert "lea-secret-tag" not in html
    assert "study" not in _facet(search, "type")
    assert "lea" not in _facet(search, "access")
    assert "lea-secret-tag" not in _facet(search, "tag")
    assert catalogue["lea"] not in search.results
    # and each facet's counts add up to what is listed (every item has one type, one level)
    listed = len(search.results)
    assert search.count == listed
    assert sum(_facet(search, "type").values()) == listed
    assert sum(_facet(search, "access").values()) == listed
    assert sum(_facet(search, "year").values()) == listed
    tagged = sum(len(item.tags.all()) for item in search.results)
    assert sum(_facet(search, "tag").values()) == tagged
    # the drones tag counts the readable items with it only
    drones = [i for i in search.results if "drones" in [t.slug for t in i.tags.all()]]
    assert _facet(search, "tag").get("drones", 0) == len(drones)


def test_what_each_reader_gets(request, catalogue, lea_member):
    expected = {
        None: {"public"},
        "unverified_member": {"public"},
        "researcher": {"public", "members", "members2"},
        "industry_member": {"public", "members", "members2"},
        "lea_member": {"public", "members", "members2", "lea"},
    }
    for role, keys in expected.items():
        search = knowledge_search(_reader(request, role), "")
        assert {i.pk for i in search.results} == {catalogue[k].pk for k in keys}, role


def test_an_lea_reader_sees_the_lea_only_item_and_its_facets(client_for, catalogue, lea_member):
    search = knowledge_search(lea_member, "drone")
    html = client_for(lea_member).get(INDEX, {"q": "drone"}).content.decode()

    assert catalogue["lea"] in search.results
    assert _facet(search, "type")["study"] == 1
    assert _facet(search, "access")["lea"] == 1
    assert _facet(search, "tag")["lea-secret-tag"] == 1
    assert _facet(search, "tag")["drones"] == 3
    assert "lea-secret-tag" in html
    assert LEA_TITLE in html


def test_ticking_a_tag_only_on_lea_items_tells_a_researcher_nothing(
    client_for, catalogue, researcher
):
    # a reader who guesses an LEA-only tag gets the page of a tag that does not exist
    client = client_for(researcher)
    guessed = client.get(INDEX, {"tag": "lea-secret-tag"}).content.decode()
    unknown = client.get(INDEX, {"tag": "no-such-tag"}).content.decode()

    def normalise(html):
        html = re.sub(r"[A-Za-z0-9]{64}", "", html)  # CSRF tokens
        return html.replace("lea-secret-tag", "TAG").replace("no-such-tag", "TAG")

    assert LEA_TITLE not in guessed
    assert normalise(guessed) == normalise(unknown)


def test_unpublished_items_are_not_searched(researcher, db):
    make_item("Drone draft", status="submitted", author=researcher)
    make_item("Drone rejected", status="rejected", author=researcher)

    search = knowledge_search(researcher, "drone")

    assert search.results == []
    assert search.facets["type"] == []


# --- Facets ----------------------------------------------------------------------------------


def test_a_facet_counts_with_the_other_facets_selection_only(catalogue, researcher):
    search = knowledge_search(researcher, "", Filters(types=("report",)))

    assert {i.pk for i in search.results} == {catalogue["members"].pk, catalogue["members2"].pk}
    # the type facet ignores the type ticked: the article can still be added
    assert _facet(search, "type") == {"report": 2, "article": 1}
    # the other facets count the reports only
    assert _facet(search, "tag") == {"drones": 1, "borders": 1, "ransomware": 1}
    assert _facet(search, "access") == {"members": 2}
    assert [fv.value for fv in search.facets["type"] if fv.selected] == ["report"]


def test_several_values_of_a_facet_are_alternatives_and_facets_combine(catalogue, researcher):
    either = knowledge_search(researcher, "", Filters(tags=("borders", "ransomware")))
    both = knowledge_search(researcher, "", Filters(tags=("drones",), tiers=("public",)))
    by_domain = knowledge_search(
        researcher, "", Filters(domains=("migration-border-management", "cybercrime"))
    )

    assert {i.pk for i in either.results} == {catalogue["members"].pk, catalogue["members2"].pk}
    assert [i.pk for i in both.results] == [catalogue["public"].pk]
    assert len(by_domain.results) == 3
    assert _facet(by_domain, "domain") == {"migration-border-management": 2, "cybercrime": 1}


def test_the_year_is_the_works_publication_year_else_when_it_was_published_here(
    client_for, researcher, db
):
    old = make_item("Old study", published_on=date(2019, 5, 1))
    new = make_item("New note")
    this_year = str(new.published_at.year)

    search = knowledge_search(researcher, "", Filters(years=(2019,)))
    response = client_for(researcher).get(INDEX, {"year": this_year})

    assert [i.pk for i in search.results] == [old.pk]
    assert _facet(search, "year") == {"2019": 1, this_year: 1}
    assert [fv.value for fv in search.facets["year"]] == [this_year, "2019"]
    assert "New note" in response.content.decode()
    assert "Old study" not in response.content.decode()


def test_a_ticked_rare_tag_keeps_its_count_among_many_tags(researcher, db):
    for n in range(FACET_SIZE + 5):
        make_item(f"Item {n}", tags=[f"common-{n}", "everywhere"])
    rare = make_item("Rare", tags=["rare"])
    make_item("Rare again", tags=["rare", "everywhere"])

    plain = knowledge_search(researcher, "")
    ticked = knowledge_search(researcher, "", Filters(tags=("rare",)))

    assert len(plain.facets["tag"]) == FACET_SIZE
    assert plain.facets["tag"][0].value == "everywhere"
    assert _facet(ticked, "tag")["rare"] == 2
    assert [fv.value for fv in ticked.facets["tag"] if fv.selected] == ["rare"]
    assert rare in ticked.results


def test_bad_filter_values_are_ignored(client_for, catalogue, researcher):
    response = client_for(researcher).get(
        INDEX, {"type": "nonsense", "access": "secret", "year": "20x9", "page": "abc"}
    )

    assert response.status_code == 200
    assert "Ransomware negotiation" in response.content.decode()


# --- Text search ------------------------------------------------------------------------------


def test_web_search_syntax_phrases_and_minus(researcher, db):
    phrase = make_item("Border drones", body="Small drones crossing the border at night.")
    other = make_item("Night border patrol", body="The border at night, and drones later.")
    ransomware = make_item("Ransomware", summary="Paying or not.", body="Crossing the line.")

    quoted = knowledge_search(researcher, '"drones crossing"')
    minus = knowledge_search(researcher, "border -patrol")
    either = knowledge_search(researcher, "ransomware or patrol")

    assert [i.pk for i in quoted.results] == [phrase.pk]
    assert [i.pk for i in minus.results] == [phrase.pk]
    assert {i.pk for i in either.results} == {other.pk, ransomware.pk}


def test_a_query_of_only_common_words_says_so(client_for, catalogue, researcher):
    response = client_for(researcher).get(INDEX, {"q": "the and of"})

    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert knowledge_search(researcher, "the and of").too_common
    assert not knowledge_search(researcher, "zebra").too_common


def test_a_query_that_only_excludes_asks_for_a_word_and_reads_nothing(
    client_for, catalogue, researcher
):
    response = client_for(researcher).get(INDEX, {"q": "-drone"})

    assert response.status_code == 200
    assert "only excludes words" in response.content.decode()
    with CaptureQueriesContext(connection) as queries:
        search = knowledge_search(researcher, "-drone")
    assert search.exclusions_only
    assert search.results == []
    # the query's parsing, and no scan of the items (no index can answer "not drone")
    assert len(queries.captured_queries) == 1


def test_a_query_of_ten_thousand_characters_is_shortened(client_for, catalogue, researcher):
    text = "drone " + "x" * 9994

    response = client_for(researcher).get(INDEX, {"q": text})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Only the first 200 characters of your search were used." in html
    assert 'value="drone xxx' in html


def test_snippets_and_titles_escape_the_text_and_mark_the_words(client_for, researcher, db):
    make_item(
        'Drone <script>alert("x")</script> notes',
        summary="Plain.",
        body="A drone costs < 5000 & flies > 2 km. <script>alert(1)</script>",
    )

    html = client_for(researcher).get(INDEX, {"q": "drone"}).content.decode()

    assert "<script>alert" not in html
    assert "<mark>Drone</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; notes" in html
    assert "<mark>drone</mark> costs &lt; 5000 &amp; flies" in html


def test_an_old_item_whose_title_matches_ranks_first_among_many_newer_mentions(researcher, db):
    # given an old item about thermal imaging, and more newer items than the candidate cap
    # that mention the word in their text only
    old = make_item(
        "Thermal imaging of vessels", summary="Seeing heat at sea.", age=timedelta(days=2000)
    )
    many_items(CANDIDATE_CAP + 100, body="Report {n} mentions thermal cameras once.")
    # when searching for the word
    search = knowledge_search(researcher, "thermal")
    # then the old title match comes first, and the count says the cap was reached
    assert search.results[0].pk == old.pk
    assert search.capped
    assert search.count == CANDIDATE_CAP + 1


def test_results_are_ranked_then_newest(researcher, db):
    body_only = make_item("Patrol notes", body="One line about sonar.")
    titled = make_item("Sonar arrays", summary="Listening under water.", age=timedelta(days=30))
    newer_body = make_item("Harbour notes", body="Another line about sonar.")

    search = knowledge_search(researcher, "sonar")

    assert [i.pk for i in search.results] == [titled.pk, newer_body.pk, body_only.pk]


def test_pages_of_twenty_newest_first(client_for, researcher, db):
    ids = many_items(25)

    first = knowledge_search(researcher, "", page=1)
    second = knowledge_search(researcher, "", page=2)
    response = client_for(researcher).get(INDEX, {"page": 2})

    assert [i.pk for i in first.results] == ids[:20]
    assert first.has_next
    assert [i.pk for i in second.results] == ids[20:]
    assert not second.has_next
    assert 'rel="prev"' in response.content.decode()


# --- The page -------------------------------------------------------------------------------


def test_htmx_gets_the_results_partial(client_for, catalogue, researcher):
    response = client_for(researcher).get(
        INDEX, {"q": "drone", "type": "report"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "<mark>Drone</mark> detection at borders" in html
    assert "HX-Request" in response["Vary"]


def test_anonymous_visitors_see_public_items_without_member_links(client_for, catalogue, db):
    response = client_for(None).get(INDEX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Open drone registry" in html
    assert "Drone detection at borders" not in html
    assert "Submit an item" not in html
    assert "/knowledge/following/" not in html


def test_signed_in_members_get_submit_and_my_submissions(client_for, researcher, db):
    html = client_for(researcher).get(INDEX).content.decode()

    assert 'href="/knowledge/submit/"' in html
    assert 'href="/knowledge/mine/"' in html


@pytest.mark.parametrize("text", ["", "drone"])
@pytest.mark.parametrize(("role", "budget"), [(None, 11), ("researcher", 17)])
def test_the_index_page_costs_the_same_for_more_items(
    request, client_for, django_assert_max_num_queries, text, role, budget, db
):
    client = client_for(_reader(request, role))
    border = domain("migration-border-management")

    def grow(count):
        for n in range(count):
            make_item(
                f"Drone item {n}", tier="public", tags=[f"tag-{n % 7}", "drones"], domains=[border]
            )

    grow(5)
    client.get(INDEX)  # the member gate's first checks are remembered in the session
    with django_assert_max_num_queries(budget):
        assert client.get(INDEX, {"q": text, "tag": "drones"}).status_code == 200
    grow(45)
    with django_assert_max_num_queries(budget):
        response = client.get(INDEX, {"q": text, "tag": "drones"})
    assert response.content.decode().count('class="search-result"') == 20


def test_the_search_itself_is_a_fixed_number_of_queries(researcher, catalogue):
    with CaptureQueriesContext(connection) as browse:
        knowledge_search(researcher, "", Filters(tags=("drones",)))
    with CaptureQueriesContext(connection) as text:
        knowledge_search(researcher, "drone")

    # browsing: the catalogue's version, count, page, domains, tags, five facets; a text search:
    # the query's parsing and the cap instead of the version
    assert len(browse.captured_queries) <= 10
    assert len(text.captured_queries) <= 11


# --- Browsing's cached counts ---------------------------------------------------------------------


def _facet_names(search, facet):
    return {value.value for value in search.facets[facet]}


def test_browsing_twice_reads_the_counts_once(researcher, catalogue):
    with CaptureQueriesContext(connection) as first:
        before = knowledge_search(researcher, "")
    with CaptureQueriesContext(connection) as second:
        again = knowledge_search(researcher, "")

    assert len(second.captured_queries) < len(first.captured_queries) - 4
    assert again.count == before.count
    assert _facet_names(again, "tag") == _facet_names(before, "tag")


def test_cached_counts_are_never_shared_across_tiers_nor_outlive_a_change(
    researcher, lea_member, catalogue
):
    # given the counts of an LEA reader and of a researcher, both cached
    assert "lea-secret-tag" in _facet_names(knowledge_search(lea_member, ""), "tag")
    browsed = knowledge_search(researcher, "")
    assert "lea-secret-tag" not in _facet_names(browsed, "tag")

    # when a members' item is moved to LEA only (a write to items, through the index)
    item = catalogue["members2"]
    Item.objects.filter(pk=item.pk).update(tier="lea")
    item_index([item.pk])

    # then the researcher's next page no longer counts it, nor names its tag
    after = knowledge_search(researcher, "")
    assert after.count == browsed.count - 1
    assert "ransomware" not in _facet_names(after, "tag")
    assert "ransomware" in _facet_names(knowledge_search(lea_member, ""), "tag")


# --- Related items ---------------------------------------------------------------------------


def test_related_items_share_tags_or_domains_most_first_and_are_readable(
    make_member, catalogue, researcher, lea_member
):
    border = domain("migration-border-management")
    close = make_item(
        "Counter-drone kit", tags=["drones", "borders"], domains=[border], age=timedelta(days=10)
    )
    make_item("Unrelated", tags=["ransomware-free"])
    item = catalogue["members"]  # drones, borders; border-security

    with CaptureQueriesContext(connection) as queries:
        related = related_items_for(researcher, item)
    for_lea = related_items_for(lea_member, item)

    # shares two tags and a domain, then the public item (one tag, one domain)
    assert [i.pk for i in related] == [close.pk, catalogue["public"].pk]
    assert len(queries.captured_queries) <= 3
    assert catalogue["lea"].pk in [i.pk for i in for_lea]
    assert item.pk not in [i.pk for i in for_lea]
    assert related_items_for(researcher, catalogue["members2"]) == []


def test_the_related_list_template(client_for, catalogue, researcher):
    from django.template.loader import render_to_string

    related = related_items_for(researcher, catalogue["members"])
    html = render_to_string("knowledge_factory/_related.html", {"related": related})
    empty = render_to_string("knowledge_factory/_related.html", {"related": []})

    assert f'href="/knowledge/{catalogue["public"].pk}/"' in html
    assert "Article" in html
    assert str(catalogue["public"].year) in html
    assert empty.strip() == ""


def test_the_item_page_shows_related_items_the_reader_may_open(client_for, catalogue, researcher):
    html = client_for(researcher).get(f"/knowledge/{catalogue['members'].pk}/").content.decode()

    assert "Related items" in html
    assert "Open drone registry" in html
    assert LEA_TITLE not in html
