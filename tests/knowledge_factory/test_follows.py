"""Following tags and domains (knowledge_factory.services.follows, the following page and the
index page's button) and the notification of followers when an item is published."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.models import AffiliationType, Notification
from community.roles import Role
from knowledge_factory.models import Follow, ReaderFeed
from knowledge_factory.services.follows import (
    feed_token_renew,
    follow_add,
    follow_remove,
    item_followers_notify,
)
from knowledge_factory.services.items import item_publish, item_submit
from tests.knowledge_factory.browse_helpers import LEA_TITLE, domain, make_item

FOLLOWING = "/knowledge/following/"
FOLLOW = "/knowledge/following/add/"
UNFOLLOW = "/knowledge/following/remove/"
BORDER = "migration-border-management"


@pytest.fixture
def drones(db):
    return make_item("Open drone registry", tier="public", tags=["Drones"])


# --- Following -------------------------------------------------------------------------------


def test_following_twice_is_one_follow_and_unfollowing_twice_is_harmless(drones, researcher):
    first = follow_add(actor=researcher, tag="drones")
    again = follow_add(actor=researcher, tag="Drones")  # by name, any case
    follow_add(actor=researcher, domain=BORDER)
    follow_add(actor=researcher, domain=BORDER)

    assert first.pk == again.pk
    assert Follow.objects.filter(member=researcher).count() == 2
    assert follow_remove(actor=researcher, tag="drones")
    assert not follow_remove(actor=researcher, tag="drones")
    assert Follow.objects.filter(member=researcher).count() == 1


def test_following_through_the_pages(client_for, drones, researcher):
    client = client_for(researcher)
    # the index filtered by one tag offers to follow it
    page = client.get("/knowledge/", {"tag": "drones"}).content.decode()
    assert "Follow the tag “Drones”" in page
    # following twice, from the button, is one follow
    for _ in range(2):
        response = client.post(FOLLOW, {"tag": "drones", "next": "/knowledge/?tag=drones"})
        assert response.status_code == 302
        assert response["Location"] == "/knowledge/?tag=drones"
    assert Follow.objects.filter(member=researcher).count() == 1
    # the button now offers to unfollow
    page = client.get("/knowledge/", {"tag": "drones"}).content.decode()
    assert "Unfollow the tag “Drones”" in page
    # a domain is added from the following page, where both are listed
    client.post(FOLLOW, {"domain": BORDER})
    page = client.get(FOLLOWING).content.decode()
    assert "Drones" in page
    assert "Migration" in page
    # and removed from it, twice without harm
    for _ in range(2):
        assert client.post(UNFOLLOW, {"domain": BORDER}).status_code == 302
    assert list(Follow.objects.filter(member=researcher).values_list("tag__slug", flat=True)) == [
        "drones"
    ]


def test_the_next_address_stays_on_this_site(client_for, drones, researcher):
    response = client_for(researcher).post(
        FOLLOW, {"tag": "drones", "next": "https://evil.example.com/"}
    )

    assert response["Location"] == FOLLOWING


def test_a_tag_only_on_items_the_member_may_not_read_cannot_be_followed(
    client_for, researcher, lea_member, db
):
    make_item(LEA_TITLE, tier="lea", tags=["lea-secret-tag"])
    client = client_for(researcher)

    secret = client.post(FOLLOW, {"tag": "lea-secret-tag"})
    unknown = client.post(FOLLOW, {"tag": "no-such-tag"})

    assert secret.status_code == unknown.status_code == 400
    assert "No item you may read has this tag." in secret.content.decode()
    assert "lea-secret-tag" not in client.get(FOLLOWING).content.decode()
    assert not Follow.objects.filter(member=researcher).exists()
    assert follow_add(actor=lea_member, tag="lea-secret-tag").tag.slug == "lea-secret-tag"


def test_bad_input_is_refused_with_the_form_shown_again(client_for, researcher, db):
    client = client_for(researcher)

    empty = client.post(FOLLOW, {"tag": ""})
    bad_domain = client.post(FOLLOW, {"domain": "atlantis"})
    long = client.post(FOLLOW, {"tag": "x" * 10_000})
    nothing = client.post(UNFOLLOW, {})

    assert empty.status_code == bad_domain.status_code == long.status_code == 400
    assert "This field is required." in empty.content.decode()
    assert "Select a valid choice." in bad_domain.content.decode()
    assert nothing.status_code == 302
    assert not Follow.objects.exists()


def test_the_tag_field_suggests_readable_tags_only(client_for, researcher, drones):
    make_item(LEA_TITLE, tier="lea", tags=["lea-secret-tag"])

    page = client_for(researcher).get(FOLLOWING).content.decode()

    assert '<option value="Drones"></option>' in page
    assert "lea-secret-tag" not in page


def test_unverified_members_read_but_do_not_follow(client_for, unverified_member, drones):
    client = client_for(unverified_member)

    page = client.get("/knowledge/", {"tag": "drones"}).content.decode()
    following = client.get(FOLLOWING)

    assert "Open drone registry" in page
    assert "Follow the tag" not in page
    assert following.status_code == 200
    assert "once their affiliation is verified" in following.content.decode()
    assert client.post(FOLLOW, {"tag": "drones"}).status_code == 404
    assert not Follow.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client_for, drones):
    client = client_for(None)

    assert "Follow the tag" not in client.get("/knowledge/", {"tag": "drones"}).content.decode()
    for response in (
        client.get(FOLLOWING),
        client.post(FOLLOW, {"tag": "drones"}),
        client.post(UNFOLLOW, {"tag": "drones"}),
        client.post("/knowledge/feed/address/"),
    ):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert not Follow.objects.exists()


def test_following_pages_answer_only_their_methods(client_for, researcher, db):
    client = client_for(researcher)

    assert client.get(FOLLOW).status_code == 405
    assert client.get(UNFOLLOW).status_code == 405
    assert client.get("/knowledge/feed/address/").status_code == 405


def test_the_feed_address_is_made_and_renewed_from_the_following_page(client_for, researcher, db):
    client = client_for(researcher)
    assert "Make my feed address" in client.get(FOLLOWING).content.decode()

    client.post("/knowledge/feed/address/")
    first = ReaderFeed.objects.get(member=researcher).token
    page = client.get(FOLLOWING).content.decode()
    client.post("/knowledge/feed/address/")

    assert f"/knowledge/feed/{first}.atom" in page
    assert ReaderFeed.objects.get(member=researcher).token != first
    assert feed_token_renew(member=researcher) != first
    assert ReaderFeed.objects.filter(member=researcher).count() == 1


def test_the_following_page_costs_the_same_for_more_follows(
    client_for, researcher, django_assert_max_num_queries, db
):
    client = client_for(researcher)
    client.get(FOLLOWING)
    for n in range(3):
        make_item(f"Item {n}", tags=[f"tag-{n}"])
        follow_add(actor=researcher, tag=f"tag-{n}")
    with django_assert_max_num_queries(12):
        client.get(FOLLOWING)
    for n in range(3, 30):
        make_item(f"Item {n}", tags=[f"tag-{n}"])
        follow_add(actor=researcher, tag=f"tag-{n}")
    with django_assert_max_num_queries(12):
        page = client.get(FOLLOWING).content.decode()
    assert "tag-29" in page


# --- Followers are told of a published item --------------------------------------------------


@pytest.fixture
def followers(make_member):
    """A follower of the tag, one of the domain, one of both, and one of something else."""
    members = {
        "tag": make_member(AffiliationType.RESEARCH, email="tag@example.org"),
        "domain": make_member(AffiliationType.INDUSTRY, email="domain@example.org"),
        "both": make_member(AffiliationType.LEA, email="both@example.org"),
        "other": make_member(AffiliationType.POLICY, email="other@example.org"),
    }
    make_item("Seed", tier="public", tags=["drones", "ransomware"])
    follow_add(actor=members["tag"], tag="drones")
    follow_add(actor=members["domain"], domain=BORDER)
    follow_add(actor=members["both"], tag="drones")
    follow_add(actor=members["both"], domain=BORDER)
    follow_add(actor=members["other"], tag="ransomware")
    return members


def _told(item):
    return set(
        Notification.objects.filter(key=f"kf:{item.pk}:published").values_list(
            "recipient__email", flat=True
        )
    )


def test_followers_of_a_tag_or_domain_are_told_once(followers):
    item = make_item("Counter-drone kit", tags=["drones"], domains=[domain(BORDER)])

    told = item_followers_notify(item_id=item.pk)
    again = item_followers_notify(item_id=item.pk)

    assert told == 3
    assert again == 0
    assert _told(item) == {"tag@example.org", "domain@example.org", "both@example.org"}
    notification = Notification.objects.filter(key=f"kf:{item.pk}:published").first()
    assert notification.kind == Notification.Kind.KNOWLEDGE
    assert notification.subject == "New in the Knowledge Factory: Counter-drone kit"
    assert notification.link == f"/knowledge/{item.pk}/"


def test_an_lea_only_item_tells_lea_followers_only_and_not_its_title(followers):
    item = make_item(LEA_TITLE, tier="lea", tags=["drones"], domains=[domain(BORDER)])

    assert item_followers_notify(item_id=item.pk) == 1

    assert _told(item) == {"both@example.org"}
    subject = Notification.objects.get(key=f"kf:{item.pk}:published").subject
    assert LEA_TITLE not in subject
    assert subject == "A new LEA-only item in the Knowledge Factory"


def test_the_author_suspended_and_departed_members_are_not_told(followers):
    followers["domain"].suspended_until = timezone.now() + timedelta(days=2)
    followers["domain"].save(update_fields=["suspended_until"])
    followers["both"].is_active = False
    followers["both"].save(update_fields=["is_active"])
    item = make_item(
        "By a follower", tags=["drones"], domains=[domain(BORDER)], author=followers["tag"]
    )

    assert item_followers_notify(item_id=item.pk) == 0
    assert _told(item) == set()


def test_unpublished_or_missing_items_tell_nobody(followers):
    draft = make_item("Draft", tags=["drones"], status="submitted")

    assert item_followers_notify(item_id=draft.pk) == 0
    assert item_followers_notify(item_id=10**9) == 0
    assert not Notification.objects.filter(kind=Notification.Kind.KNOWLEDGE).exists()


def test_publishing_through_the_workflow_tells_the_followers(
    followers, make_member, lea_member, django_capture_on_commit_callbacks
):
    reviewer = make_member(AffiliationType.RESEARCH, roles=[Role.KNOWLEDGE_MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        item = item_submit(
            actor=lea_member,
            type="article",
            title="Drone nets",
            summary="Catching drones.",
            tags=["drones"],
            tier="members",
        )
        item_publish(actor=reviewer, item=item)

    assert _told(item) == {"tag@example.org", "both@example.org"}


def test_telling_followers_costs_the_same_queries_for_5_and_50_followers(make_member, db):
    make_item("Seed", tags=["drones"])

    def queries_for(count):
        for n in range(count):
            member = make_member(AffiliationType.RESEARCH, email=f"f{count}-{n}@example.org")
            follow_add(actor=member, tag="drones")
        item = make_item(f"For {count}", tags=["drones"])
        with CaptureQueriesContext(connection) as captured:
            told = item_followers_notify(item_id=item.pk)
        assert told == count
        Follow.objects.all().delete()
        return len(captured.captured_queries)

    # the followers are found, and told, in a constant number of queries
    assert queries_for(5) == queries_for(50)
    assert queries_for(0) <= 3
