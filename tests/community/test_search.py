"""Full-text search: the visibility rule inside the query, bounded cost, safe snippets."""

import pytest
from django.contrib.auth.models import AnonymousUser

from community import search
from community.models import Post, Room, Thread
from community.search import post_index, post_search
from community.services import forum
from community.tiers import Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms(db):
    return {
        "lea": Room.objects.create(name="LEA", slug="lea", tier=Tier.LEA),
        "members": Room.objects.create(name="Members", slug="members", tier=Tier.MEMBERS),
    }


def test_results_snippets_and_counts_include_only_visible_posts(rooms, lea_member, researcher):
    forum.thread_create(actor=lea_member, room=rooms["lea"], title="Checkpoint Omega",
                        body="The informant codename is quokka.")  # fmt: skip
    forum.thread_create(actor=researcher, room=rooms["members"], title="Marsupials",
                        body="A quokka study for the network.")  # fmt: skip

    for_researcher = post_search(researcher, "quokka")
    for_lea = post_search(lea_member, "quokka")

    assert for_researcher.count == 1
    assert [p.thread.title for p in for_researcher.results] == ["Marsupials"]
    assert "informant" not in " ".join(p.snippet_html for p in for_researcher.results)
    assert for_lea.count == 2
    assert post_search(AnonymousUser(), "quokka").count == 0


def test_title_matches_rank_above_body_matches(rooms, researcher):
    forum.thread_create(actor=researcher, room=rooms["members"], title="Drones",
                        body="Notes about border cameras.")  # fmt: skip
    forum.thread_create(actor=researcher, room=rooms["members"], title="Cameras",
                        body="Some drones were seen.")  # fmt: skip

    results = post_search(researcher, "drones").results

    assert [p.thread.title for p in results] == ["Drones", "Cameras"]


def test_web_search_syntax_excludes_and_quotes(rooms, researcher):
    forum.thread_create(actor=researcher, room=rooms["members"], title="A",
                        body="financial investigation of firearms")  # fmt: skip
    forum.thread_create(actor=researcher, room=rooms["members"], title="B",
                        body="financial crime and drugs")  # fmt: skip

    assert post_search(researcher, "financial -firearms").count == 1
    assert post_search(researcher, '"financial investigation"').count == 1


def test_snippets_escape_the_posts_text(rooms, researcher):
    forum.thread_create(actor=researcher, room=rooms["members"], title="Markup",
                        body='payload <script>alert(1)</script> 5 < 6 & "x" keyword')  # fmt: skip

    snippet = post_search(researcher, "keyword").results[0].snippet_html

    assert "<script>" not in snippet
    assert "&lt; 6 &amp;" in snippet
    assert "<mark>keyword</mark>" in snippet


def test_a_term_in_most_documents_is_ranked_among_a_bounded_candidate_set(
    rooms, researcher, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(search, "CANDIDATE_CAP", 10)
    thread = Thread.objects.create(room=rooms["members"], author=researcher, title="Bulk")
    Post.objects.bulk_create(
        Post(thread=thread, author=researcher, body=f"common term {i}", body_html="")
        for i in range(25)
    )
    for post in Post.objects.filter(thread=thread):
        post_index(post)

    with django_assert_max_num_queries(6):
        page = post_search(researcher, "common")

    assert page.capped is True
    assert page.count == 10
    assert len(page.results) == 10


def test_empty_and_overlong_queries_are_harmless(rooms, researcher):
    assert post_search(researcher, "   ").results == []
    assert post_search(researcher, "x" * 10_000 + " ) ( & | !").count == 0
