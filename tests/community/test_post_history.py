"""A post's edit history is for its author and the room's moderators; a moderator's edit
(a redaction) leaves the removed text readable nowhere."""

import pytest
from django.core import mail
from django.urls import reverse
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, EmailFrequency, Notification, PostRevision, Room
from community.services import forum
from community.tasks import notification_email_task
from community.tiers import Tier
from ileanet.search import search

pytestmark = pytest.mark.django_db

WORD = "Kestrel"


@pytest.fixture
def room(db):
    return Room.objects.create(name="Network cafe", slug="cafe", tier=Tier.MEMBERS)


@pytest.fixture
def edited(room, researcher):
    """A post its author edited once (both versions name the street)."""
    thread = forum.thread_create(actor=researcher, room=room, title="Meeting point",
                                 body=f"We meet on {WORD} street.")  # fmt: skip
    post = thread.posts.get()
    forum.post_edit(actor=researcher, post=post, body=f"We meet on {WORD} street at nine.")
    return post


@pytest.fixture
def room_moderator(make_member, room):
    member = make_member(AffiliationType.LEA, email="mod@example.org")
    assign_perm("community.moderate_room", member, room)
    return member


def _history(client, post):
    return client.get(reverse("community:post-history", args=[post.pk]))


def test_the_history_opens_for_the_author_and_moderators(
    client_for, edited, researcher, room_moderator, manager
):
    for member in (researcher, room_moderator, manager):
        response = _history(client_for(member), edited)
        assert response.status_code == 200, member
        assert f"We meet on {WORD} street." in response.content.decode()


@pytest.mark.parametrize("who", ["lea_member", "industry_member", "policy_member"])
def test_the_rest_of_the_rooms_audience_gets_404(request, client_for, edited, who):
    client = client_for(request.getfixturevalue(who))

    response = _history(client, edited)
    page = client.get(reverse("community:thread-detail", args=[edited.thread_id])).content

    assert response.status_code == 404
    assert WORD.encode() not in response.content
    # the thread page says the post was edited, without a link to what it said before
    assert reverse("community:post-history", args=[edited.pk]).encode() not in page
    assert b"edited" in page


def test_an_anonymous_visitor_is_sent_to_sign_in_even_in_a_public_room(client, researcher,
                                                                       manager):  # fmt: skip
    public = Room.objects.create(name="Announcements", slug="news", tier=Tier.PUBLIC)
    thread = forum.thread_create(actor=manager, room=public, title="Open", body=f"{WORD} day")
    post = thread.posts.get()
    forum.post_edit(actor=manager, post=post, body="Open day")

    response = _history(client, post)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_moderators_redaction_leaves_the_old_text_readable_nowhere(
    client_for, edited, researcher, room_moderator, make_member, django_capture_on_commit_callbacks
):
    # given a watcher with an e-mail still to come about the post
    watcher = make_member(AffiliationType.RESEARCH, email="watcher@example.org",
                          email_frequency=EmailFrequency.IMMEDIATE)  # fmt: skip
    pending = Notification.objects.create(recipient=watcher, kind="reply", post=edited)

    # when a moderator takes the street name out
    response = client_for(room_moderator).post(
        reverse("community:post-edit", args=[edited.pk]),
        {
            "title": "Meeting point",
            "body": "We meet at the usual place.",
            "reason": "Location of a meeting",
        },
    )

    # then no version of the history holds it, for the author or the moderator
    assert response.status_code == 302
    for member in (researcher, room_moderator):
        page = _history(client_for(member), edited).content.decode()
        assert WORD not in page
        assert "We meet at the usual place." in page
        assert "removed by a moderator" in page
        assert "Location of a meeting" in page
    assert not PostRevision.objects.filter(body__contains=WORD).exists()
    assert PostRevision.objects.filter(post=edited).count() == 2  # who, when and why stay
    # nor the search index
    assert search(researcher, WORD).group("posts").count == 0
    assert search(researcher, "usual place").group("posts").count == 1
    # nor an e-mail sent afterwards
    mail.outbox.clear()
    notification_email_task(pending.pk)
    assert len(mail.outbox) == 1
    assert WORD not in mail.outbox[0].body


def test_an_authors_own_edit_keeps_the_history(client_for, edited, researcher):
    page = _history(client_for(researcher), edited).content.decode()

    assert f"We meet on {WORD} street." in page
    assert "removed by a moderator" not in page
