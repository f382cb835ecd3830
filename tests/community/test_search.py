"""The posts and threads of the global search (ileanet.search): the visibility rule inside the
query, titles above bodies, bounded cost, safe snippets. The other kinds, the ranking on large
volumes and the access matrix are in test_global_search.py."""

import pytest
from django.contrib.auth.models import AnonymousUser

from community.models import Post, Room, Thread
from community.search import post_index
from community.services import forum
from community.tiers import Tier
from ileanet import search as engine
from ileanet.search import search

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

    for_researcher = search(researcher, "quokka").group("posts")
    for_lea = search(lea_member, "quokka").group("posts")

    assert for_researcher.count == 1
    assert [hit.title for hit in for_researcher.hits] == ["Marsupials"]
    assert "informant" not in " ".join(hit.snippet_html for hit in for_researcher.hits)
    assert for_lea.count == 2
    assert search(AnonymousUser(), "quokka").total == 0


def test_title_matches_rank_above_body_matches(rooms, researcher):
    forum.thread_create(actor=researcher, room=rooms["members"], title="Drones",
                        body="Notes about border cameras.")  # fmt: skip
    forum.thread_create(actor=researcher, room=rooms["members"], title="Cameras",
                        body="Some drones were seen.")  # fmt: skip

    results = search(researcher, "drones")

    assert [hit.title for hit in results.group("posts").hits] == ["Drones", "Cameras"]
    assert [hit.title for hit in results.group("threads").hits] == ["Drones"]


def test_a_renamed_thread_is_found_by_its_new_title(rooms, researcher):
    thread = forum.thread_create(actor=researcher, room=rooms["members"], title="Draft",
                                 body="Body.")  # fmt: skip
    Thread.objects.filter(pk=thread.pk).update(title="Wallaby crossings")

    assert search(researcher, "wallaby").group("threads").count == 1


def test_a_term_in_most_documents_is_ranked_among_a_bounded_candidate_set(
    rooms, researcher, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(engine, "SLICE", 10)
    monkeypatch.setattr(engine, "COUNT_CAP", 12)
    thread = Thread.objects.create(room=rooms["members"], author=researcher, title="Bulk")
    Post.objects.bulk_create(
        Post(thread=thread, author=researcher, body=f"common term {i}", body_html="")
        for i in range(25)
    )
    for post in Post.objects.filter(thread=thread):
        post_index(post)

    # the rooms read, the query parsed, five kinds counted, one page: whatever the matches
    with django_assert_max_num_queries(8):
        page = search(researcher, "common", kind="posts").group("posts")

    assert page.capped is True
    assert page.count == 12
    assert len(page.hits) == 10  # the slice, not the page size
    assert page.has_next is False


def test_empty_and_overlong_queries_are_harmless(rooms, researcher):
    assert search(researcher, "   ").groups == []
    overlong = search(researcher, "x" * 10_000 + " ) ( & | !")
    assert overlong.truncated is True
    assert overlong.total == 0
