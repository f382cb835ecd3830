"""The global search (ileanet.search, SPEC §6.1): ranking on realistic volumes (issue 15,
acceptance 2), web-search syntax, awkward queries, safe snippets, the access matrix of every
kind and its counts (acceptance 1), and a constant query budget."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, Domain, Post, Room, Thread
from community.services import forum
from community.tiers import Tier
from ileanet.search import search
from ipup.services.needs import need_from_thread
from knowledge_factory.indexing import item_index
from knowledge_factory.models import Item
from tests.ipup.factories import NeedFactory, ResearchProjectFactory

pytestmark = pytest.mark.django_db

NEWER = 100_000
YEARS_AGO = timezone.now() - timedelta(days=5 * 365)


def text_of(response) -> str:
    return response.content.decode()


def make_item(title, *, tier=Tier.MEMBERS, status="published", body="", summary="A summary.",
              author=None, published_at=None):  # fmt: skip
    published = status == "published"
    item = Item.objects.create(
        type="article", title=title, summary=summary, body=body, tier=tier, status=status,
        author=author, published_at=(published_at or timezone.now()) if published else None,
    )  # fmt: skip
    item_index([item.pk])
    return item


def newer_posts(room, author, body: str, count: int = NEWER) -> None:
    """``count`` posts newer than anything else, in threads of 100, written set-based as the
    bench writes them (the services would take minutes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO community_thread (room_id, title, author_id, created_at, is_pinned,
                                          is_locked, post_count, last_post_at)
            SELECT %s, 'Load thread ' || g, %s, now() - g * interval '1 minute', false, false,
                   100, now() - g * interval '1 minute'
            FROM generate_series(1, %s) g
            """,
            [room.pk, author.pk, count // 100],
        )
        cursor.execute(
            """
            INSERT INTO community_post (thread_id, author_id, body, body_html, created_at,
                                        is_hidden, hidden_reason, useful_count, search_vector)
            SELECT t.id, %(author)s, %(body)s || ' ' || g, '', t.created_at + g * interval '1 s',
                   false, '', 0, setweight(to_tsvector('english', %(body)s || ' ' || g), 'B')
            FROM community_thread t, generate_series(1, 100) g
            WHERE t.room_id = %(room)s AND t.title LIKE 'Load thread %%'
            """,
            {"author": author.pk, "body": body, "room": room.pk},
        )
        cursor.execute("ANALYZE community_post")


def newer_items(body: str, count: int = NEWER) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO knowledge_factory_item
                (type, title, summary, body, body_html, file, source_url, tier, status,
                 review_note, submitted_at, published_at, created_at, updated_at)
            SELECT 'article', 'Load item ' || g, 'A field report.', %s || ' ' || g, '', '', '',
                   'members', 'published', '', now(), now() - g * interval '1 minute', now(),
                   now()
            FROM generate_series(1, %s) g
            RETURNING id
            """,
            [body, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
    item_index(ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_factory_item")


@pytest.fixture
def members_room(db):
    return Room.objects.create(name="Members", slug="members", tier=Tier.MEMBERS)


# --- Ranking on realistic volumes (acceptance 2) --------------------------------------------


def test_a_distinctive_phrase_and_a_title_rank_first_among_100000_newer_posts(
    members_room, researcher
):
    # given one old discussion with the phrase, one old thread titled with a word, and 100,000
    # newer posts holding every word of both, scattered
    old = forum.thread_create(actor=researcher, room=members_room, title="Old notes",
                              body="Routes used for harbour smuggling in the north.")  # fmt: skip
    Post.objects.filter(thread=old).update(created_at=YEARS_AGO)
    Thread.objects.filter(pk=old.pk).update(created_at=YEARS_AGO, last_post_at=YEARS_AGO)
    titled = forum.thread_create(actor=researcher, room=members_room, title="Quokka sightings",
                                 body="First report.")  # fmt: skip
    Thread.objects.filter(pk=titled.pk).update(created_at=YEARS_AGO, last_post_at=YEARS_AGO)
    newer_posts(members_room, researcher, "smuggling seen near the harbour of quokka island")

    # when searching the words, the quoted phrase and the title's word
    words = search(researcher, "harbour smuggling", kind="posts")
    phrase = search(researcher, '"harbour smuggling"', kind="posts")
    title = search(researcher, "quokka", kind="threads")

    # then the old documents come first, whatever their age
    assert words.group("posts").capped is True
    assert words.group("posts").hits[0].id == old.posts.get().pk
    assert phrase.group("posts").count == 1
    assert phrase.group("posts").hits[0].id == old.posts.get().pk
    assert title.group("threads").hits[0].id == titled.pk
    assert search(researcher, "quokka").group("threads").hits[0].id == titled.pk


def test_a_distinctive_phrase_and_a_title_rank_first_among_100000_newer_items(researcher):
    # given an old item with the phrase in its text, an old item with the word in its title,
    # and 100,000 newer items holding every word in their text
    phrase_item = make_item("Old field study", body="Routes used for harbour smuggling.",
                            published_at=YEARS_AGO)  # fmt: skip
    title_item = make_item("Quokka habitats", body="Notes.", published_at=YEARS_AGO)
    newer_items("smuggling seen near the harbour of quokka island")

    # when
    by_phrase = search(researcher, "harbour smuggling", kind="items")
    by_title = search(researcher, "quokka", kind="items")

    # then
    assert by_phrase.group("items").capped is True
    assert by_phrase.group("items").hits[0].id == phrase_item.pk
    assert by_title.group("items").hits[0].id == title_item.pk
    assert search(researcher, "quokka").group("items").hits[0].id == title_item.pk


# --- Syntax and awkward queries ---------------------------------------------------------------


def test_quotes_and_minus_work_in_every_kind(members_room, researcher):
    forum.thread_create(actor=researcher, room=members_room, title="Financial investigation",
                        body="financial investigation of firearms")  # fmt: skip
    forum.thread_create(actor=researcher, room=members_room, title="Crime",
                        body="investigation of financial crime")  # fmt: skip
    make_item("Financial investigation handbook", body="firearms")
    make_item("Investigation and financial data", body="drugs")
    NeedFactory(title="Financial investigation tools", description="firearms")

    minus = search(researcher, "financial -firearms")
    quoted = search(researcher, '"financial investigation"')
    either = search(researcher, "firearms or drugs", kind="items")

    assert minus.group("posts").count == 1
    assert minus.group("items").count == 1
    assert minus.group("needs").count == 0
    assert quoted.group("posts").count == 1
    assert quoted.group("threads").count == 1
    assert quoted.group("items").count == 1
    assert quoted.group("needs").count == 1
    assert either.group("items").count == 2


def test_stop_words_only_give_a_clear_message(client_for, researcher):
    response = client_for(researcher).get(reverse("community:search"), {"q": "the of and"})

    assert response.status_code == 200
    assert response.context["results"].stop_words_only is True
    assert "only very common words" in text_of(response)


def test_a_query_of_exclusions_only_asks_for_a_word(members_room, researcher):
    forum.thread_create(actor=researcher, room=members_room, title="T", body="wombat tracks")

    results = search(researcher, "-wombat")

    assert results.exclusions_only is True
    assert results.groups == []


def test_a_10000_character_query_is_cut_not_refused(client_for, members_room, researcher):
    forum.thread_create(actor=researcher, room=members_room, title="T", body="wombat tracks")
    client = client_for(researcher)

    response = client.get(reverse("community:search"), {"q": "wombat " + "x" * 10_000})
    symbols = client.get(reverse("community:search"), {"q": "( ) & | ! : * ' " * 1_000})

    assert response.status_code == 200
    assert response.context["results"].truncated is True
    assert "only its first" in text_of(response)
    assert symbols.status_code == 200


def test_an_empty_query_shows_the_box(client_for, researcher):
    response = client_for(researcher).get(reverse("community:search"), {"q": "  "})

    assert response.status_code == 200
    assert response.context["results"] is None
    assert 'name="q"' in text_of(response)


def test_snippets_escape_html_from_posts_and_items(client_for, members_room, researcher):
    forum.thread_create(actor=researcher, room=members_room, title="Markup <b>bold</b>",
                        body='payload <script>alert(1)</script> 5 < 6 & "x" keyword')  # fmt: skip
    make_item("Item <i>keyword</i>", body="<img src=x onerror=alert(2)> keyword")

    response = client_for(researcher).get(reverse("community:search"), {"q": "keyword"})
    page = text_of(response)

    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "<i>keyword" not in page
    assert "&lt; 6 &amp;" in page
    assert "<mark>keyword</mark>" in page


def test_a_stored_marker_character_cannot_unbalance_the_highlighting(
    client_for, members_room, researcher
):
    # given a post and an item whose text holds the characters the snippets are marked with
    forum.thread_create(actor=researcher, room=members_room, title="Markers",
                        body="before \x02 keyword \x03\x02 after")  # fmt: skip
    make_item("Marked item", body="\x02\x02 keyword \x03")

    # when both are found
    response = client_for(researcher).get(reverse("community:search"), {"q": "keyword"})
    page = text_of(response)

    # then every <mark> is closed, around the match only
    assert page.count("<mark>") == page.count("</mark>")
    assert page.count("<mark>keyword</mark>") >= 2


def test_the_posts_kind_keeps_its_filters_and_pages(client_for, members_room, researcher):
    for n in range(25):
        forum.thread_create(actor=researcher, room=members_room, title=f"Radar {n}",
                            body="Coastal radar coverage notes.")  # fmt: skip
    client = client_for(researcher)
    url = reverse("community:search")

    first = client.get(url, {"q": "radar", "kind": "posts"})
    second = client.get(url, {"q": "radar", "kind": "posts", "page": 2})
    other_room = client.get(url, {"q": "radar", "kind": "posts", "room": "nowhere"})

    assert len(first.context["results"].selected.hits) == 20
    assert first.context["results"].selected.has_next is True
    assert len(second.context["results"].selected.hits) == 5
    assert other_room.context["results"].group("posts").count == 0
    assert 'name="room"' in text_of(first)


# --- The access matrix (acceptance 1) ---------------------------------------------------------

ROLES = ["anonymous", "unverified", "researcher", "industry", "policy", "lea", "manager",
         "suspended"]  # fmt: skip
# token -> the roles that may open it (the others must not see it, nor count it).
EVERYONE_SIGNED_IN = {"unverified", "researcher", "industry", "policy", "lea", "manager"}
MEMBERS = {"researcher", "industry", "policy", "lea", "manager"}
VISIBLE = {
    "zqpublicpost": EVERYONE_SIGNED_IN | {"anonymous"},
    "zqmemberspost": MEMBERS,
    "zqleapost": {"lea", "manager"},
    "zqpublicitem": EVERYONE_SIGNED_IN | {"anonymous"},
    "zqmembersitem": MEMBERS,
    "zqleaitem": {"lea", "manager"},
    "zqleadraft": set(),  # unpublished: never searched, not even by its reviewers
    "zqmembersdraft": set(),
    "zqmembersneed": MEMBERS,
    "zqleaneed": {"lea", "manager"},
    "zqprivateneed": {"manager"},
    "zqproject": EVERYONE_SIGNED_IN,
}
KIND_OF = {"post": ("posts", "threads"), "item": ("items",), "draft": ("items",),
           "need": ("needs",), "project": ("projects",)}  # fmt: skip


@pytest.fixture
def matrix(make_member, manager, researcher, lea_member, industry_member, policy_member,
           unverified_member):  # fmt: skip
    suspended = make_member(AffiliationType.LEA, email="suspended@example.org")
    suspended.suspended_until = timezone.now() + timedelta(days=2)
    suspended.save(update_fields=["suspended_until"])
    for tier in ("public", "members", "lea"):
        room = Room.objects.create(name=f"Room {tier}", slug=tier, tier=tier)
        forum.thread_create(actor=manager, room=room, title=f"Title zq{tier}post",
                            body=f"Body zq{tier}post")  # fmt: skip
        if tier != "public":
            make_item(f"Item zq{tier}item", tier=tier, body=f"zq{tier}item")
            make_item(f"Draft zq{tier}draft", tier=tier, status="submitted", author=manager)
    make_item("Item zqpublicitem", tier=Tier.PUBLIC)
    NeedFactory(title="Need zqmembersneed", tier=Tier.MEMBERS)
    NeedFactory(title="Need zqleaneed", tier=Tier.LEA)
    private = Room.objects.create(name="Backroom", slug="backroom", tier=Tier.MEMBERS,
                                  is_private=True)  # fmt: skip
    assign_perm("community.access_room", researcher, private)  # so reads its need
    thread = forum.thread_create(actor=manager, room=private, title="Private", body="…")
    need_from_thread(actor=manager, thread=thread, title="Need zqprivateneed",
                     description="From the backroom.", domains=Domain.objects.all()[:1])  # fmt: skip
    ResearchProjectFactory(title="Project zqproject")
    return {
        "anonymous": AnonymousUser(), "unverified": unverified_member, "researcher": researcher,
        "industry": industry_member, "policy": policy_member, "lea": lea_member,
        "manager": manager, "suspended": suspended,
    }  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_every_kind_and_its_count_hold_only_what_the_reader_may_open(role, matrix):
    reader = matrix[role]
    for token, allowed in VISIBLE.items():
        expected = role in allowed or (token == "zqprivateneed" and role == "researcher")
        results = search(reader, token)
        kinds = KIND_OF[next(k for k in KIND_OF if token.endswith(k))]
        for key, group in ((g.key, g) for g in results.groups):
            count = 1 if expected and key in kinds else 0
            if key == "posts" and count:
                count = 1  # the opening post
            assert group.count == count, (role, token, key)
            assert len(group.hits) == count, (role, token, key)


@pytest.mark.parametrize("role", ["unverified", "researcher", "policy", "lea", "manager"])
def test_the_page_never_shows_what_the_reader_may_not_open(role, matrix, client_for):
    client = client_for(matrix[role])
    for token, allowed in VISIBLE.items():
        response = client.get(reverse("community:search"), {"q": token})
        page = text_of(response)
        may = role in allowed or (token == "zqprivateneed" and role == "researcher")
        assert response.status_code == 200
        titled = [f"Title {token}", f"Item {token}", f"Draft {token}", f"Need {token}",
                  f"Project {token}"]  # fmt: skip
        shown = any(t in page for t in titled) or f"<mark>{token}</mark>" in page
        assert shown == may, (role, token)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("community:search"), {"q": "zqpublicpost"})

    assert response.status_code == 302


# --- Query budget -----------------------------------------------------------------------------


def _page_queries(client, **params):
    client.get(reverse("community:search"))  # the member gate settles in the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("community:search"), params)
    assert response.status_code == 200
    return len(queries)


def _documents(n, room, author, word):
    for i in range(n):
        forum.thread_create(actor=author, room=room, title=f"{word} {i}", body=f"{word} notes")
        make_item(f"{word} item {i}", body=word)
        NeedFactory(title=f"{word} need {i}")
        ResearchProjectFactory(title=f"{word} project {i}")


# Measured 16: session, user, gate and navigation, the rooms, the query, 5 counts, 5 kinds'
# pages (one query each: candidates, ranking and snippets together).
SEARCH_PAGE_BUDGET = 16


def test_a_search_page_costs_the_same_for_3_and_30_results_of_each_kind(
    client_for, members_room, researcher
):
    _documents(3, members_room, researcher, "sparrow")
    _documents(30, members_room, researcher, "heron")
    client = client_for(researcher)

    counts = {
        "3": _page_queries(client, q="sparrow"),
        "30": _page_queries(client, q="heron"),
    }
    one_kind = {
        "3": _page_queries(client, q="sparrow", kind="posts"),
        "30, page 2": _page_queries(client, q="heron", kind="posts", page=2),
        "30, items": _page_queries(client, q="heron", kind="items"),
    }

    assert len(set(counts.values())) == 1, counts
    assert counts["3"] <= SEARCH_PAGE_BUDGET, counts
    assert len(set(one_kind.values())) == 1, one_kind
