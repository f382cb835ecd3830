"""What notification e-mails and digests say: post text only for rooms whose setting allows it
(by default not for LEA-only and private rooms), and an unsubscribe link and RFC 8058 headers
on every notification e-mail, digest and news e-mail."""

import pytest
from django.core import mail
from django.urls import reverse
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, AuditLogEntry, EmailFrequency, Notification, Room
from community.services import forum
from community.services.news import news_email, news_publish
from community.tasks import digest_send_task
from community.tiers import Tier

pytestmark = pytest.mark.django_db

TITLE = "Operation Nightjar"
WORD = "Kestrel"


@pytest.fixture
def lea_room(db):
    return Room.objects.create(name="Practitioners lounge", slug="lounge", tier=Tier.LEA)


@pytest.fixture
def members_room(db):
    return Room.objects.create(name="Network cafe", slug="cafe", tier=Tier.MEMBERS)


@pytest.fixture
def colleague(make_member):
    return make_member(AffiliationType.LEA, email="colleague@example.org",
                       email_frequency=EmailFrequency.IMMEDIATE)  # fmt: skip


def _mention(author, room, recipient, capture, title=TITLE):
    mail.outbox.clear()
    with capture(execute=True):
        return forum.thread_create(actor=author, room=room, title=title,
                                   body=f"@{recipient.handle} the safe house is on {WORD} street.")  # fmt: skip


def _text(message) -> str:
    return message.subject + "\n" + message.body


def _assert_unsubscribe_headers(message):
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/notifications/unsubscribe/" in url
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body


# --- Immediate notifications ----------------------------------------------------------------


def test_an_lea_room_mention_is_emailed_without_text_title_or_author(
    lea_member, colleague, lea_room, django_capture_on_commit_callbacks
):
    # when a colleague who wants immediate e-mails is mentioned in an LEA-only room
    thread = _mention(lea_member, lea_room, colleague, django_capture_on_commit_callbacks)

    # then the e-mail says only that something happened, where, and links to it
    [message] = mail.outbox
    text = _text(message)
    assert WORD not in text
    assert TITLE not in text
    assert lea_member.get_full_name() not in text
    assert lea_room.name in text  # an LEA room's name is not restricted; a thread title is
    assert "You were mentioned" in message.body
    assert reverse("community:post-detail", args=[thread.posts.get().pk]) in message.body
    _assert_unsubscribe_headers(message)


def test_a_private_room_is_not_even_named(
    lea_member, colleague, make_member, django_capture_on_commit_callbacks
):
    room = Room.objects.create(name="Cell Seven", slug="cell", tier=Tier.MEMBERS, is_private=True)
    for member in (lea_member, colleague):
        assign_perm("community.access_room", member, room)

    _mention(lea_member, room, colleague, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    text = _text(message)
    assert "Cell Seven" not in text
    assert TITLE not in text
    assert WORD not in text
    assert "a private room" in text


def test_a_members_room_mention_keeps_its_excerpt(
    lea_member, colleague, members_room, django_capture_on_commit_callbacks
):
    _mention(lea_member, members_room, colleague, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert TITLE in message.subject
    assert f"{WORD} street" in message.body
    assert lea_member.get_full_name() in message.body
    _assert_unsubscribe_headers(message)


@pytest.mark.parametrize(
    ("tier", "setting", "quoted"),
    [
        (Tier.LEA, Room.EmailContent.EXCERPT, True),
        (Tier.MEMBERS, Room.EmailContent.NONE, False),
        (Tier.MEMBERS, Room.EmailContent.AUTO, True),
        (Tier.LEA, Room.EmailContent.AUTO, False),
    ],
)
def test_the_rooms_setting_decides_both_ways(
    lea_member, colleague, django_capture_on_commit_callbacks, tier, setting, quoted
):
    room = Room.objects.create(name="Room", slug="room", tier=tier, email_content=setting)

    _mention(lea_member, room, colleague, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert (TITLE in message.subject) is quoted
    assert (WORD in message.body) is quoted


def test_a_moderators_note_about_an_lea_post_stays_out_of_the_email(
    lea_member, manager, lea_room, django_capture_on_commit_callbacks
):
    # given an author who wants immediate e-mails, in an LEA-only room
    lea_member.email_frequency = EmailFrequency.IMMEDIATE
    lea_member.save(update_fields=["email_frequency"])
    thread = forum.thread_create(actor=lea_member, room=lea_room, title=TITLE, body="Plan B")
    mail.outbox.clear()

    # when a moderator edits the post, the reason quoting what was taken out
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_edit(actor=manager, post=thread.posts.get(), body="[removed]",
                        reason=f"removed the street name {WORD}")  # fmt: skip

    # then the author is told a moderator acted, and nothing of the post or the note
    [message] = mail.outbox
    assert message.to == [lea_member.email]
    assert WORD not in _text(message)
    assert TITLE not in _text(message)
    assert "A moderator acted on one of your posts" in message.body
    assert Notification.objects.get(recipient=lea_member).note.endswith(WORD)  # in-app only


# --- Digests ----------------------------------------------------------------------------------


def test_a_digest_counts_lea_room_posts_and_quotes_members_room_posts(
    client_for, researcher, lea_member, make_member, lea_room, members_room,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # given an LEA member watching both rooms, with two new threads in the LEA room
    reader = make_member(AffiliationType.LEA, email="reader@example.org")
    for room in (lea_room, members_room):
        forum.subscription_set(user=reader, room=room, mode="watch")
    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2):
            forum.thread_create(actor=lea_member, room=lea_room, title=f"{TITLE} {n}",
                                body=f"Meet at {WORD} {n}.")  # fmt: skip
        forum.thread_create(actor=researcher, room=members_room, title="Drone detection",
                            body="Which sensors work at night?")  # fmt: skip
    assert Notification.objects.filter(recipient=reader).count() == 3
    preview = client_for(reader).get(reverse("community:digest-preview")).content.decode()
    mail.outbox.clear()

    # when the digest is sent
    digest_send_task(reader.pk, "daily", "2026-11-22")

    # then the LEA room is a count and a link; the members room keeps its excerpt
    [message] = mail.outbox
    for text in (_text(message), preview):
        assert TITLE not in text
        assert WORD not in text
        assert lea_member.get_full_name() not in text
        assert "2 new notifications in Practitioners lounge" in text
        assert "Drone detection" in text
        assert "Which sensors work at night?" in text
    assert reverse("community:notification-list") in message.body
    _assert_unsubscribe_headers(message)


# --- News -------------------------------------------------------------------------------------


def test_news_emails_carry_the_unsubscribe_link_and_headers(manager, researcher):
    news = news_publish(actor=manager, title="Workshop", body="Save the date.",
                        tier="members", email_to="all")  # fmt: skip
    mail.outbox.clear()

    news_email(news_id=news.pk)

    message = next(m for m in mail.outbox if m.to == [researcher.email])
    _assert_unsubscribe_headers(message)


# --- The room setting -------------------------------------------------------------------------


def test_a_manager_chooses_the_rooms_email_content_and_it_is_audited(client_for, manager):
    room = Room.objects.create(name="Open room", slug="open", tier=Tier.MEMBERS)
    url = reverse("community:room-edit", args=[room.slug])
    page = client_for(manager).get(url).content.decode()
    data = {"action": "update", "name": room.name, "slug": room.slug, "tier": room.tier,
            "position": 1, "email_content": Room.EmailContent.NONE}  # fmt: skip

    response = client_for(manager).post(url, data)

    assert "Post text in e-mails" in page
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.email_content == Room.EmailContent.NONE
    assert not room.emails_carry_text
    entry = AuditLogEntry.objects.get(action="room.update")
    assert entry.data["email_content"] == ["auto", "none"]


def test_an_unknown_email_content_is_refused_and_nothing_changes(client_for, manager):
    room = Room.objects.create(name="Open room", slug="open", tier=Tier.MEMBERS)
    data = {"action": "update", "name": room.name, "slug": room.slug, "tier": room.tier,
            "position": 1, "email_content": "everything"}  # fmt: skip

    response = client_for(manager).post(reverse("community:room-edit", args=[room.slug]), data)

    assert response.status_code == 200
    assert "email_content" in response.context["form"].errors
    room.refresh_from_db()
    assert room.email_content == Room.EmailContent.AUTO
    assert not AuditLogEntry.objects.filter(action="room.update").exists()


def test_a_room_created_without_the_setting_follows_its_audience(client_for, manager):
    data = {"name": "New room", "slug": "new-room", "tier": Tier.LEA, "position": 1}

    client_for(manager).post(reverse("community:room-create"), data)

    room = Room.objects.get(slug="new-room")
    assert room.email_content == Room.EmailContent.AUTO
    assert not room.emails_carry_text


def test_e_mails_are_plain_text_not_html_escaped(
    lea_member, colleague, django_capture_on_commit_callbacks
):
    # given: a room and a thread whose names carry characters HTML would escape
    room = Room.objects.create(name="Practitioners' lounge", slug="quoted", tier=Tier.LEA)
    cafe = Room.objects.create(name="Q&A <cafe>", slug="qa", tier=Tier.MEMBERS)

    # when: the colleague is mentioned in each
    _mention(lea_member, room, colleague, django_capture_on_commit_callbacks)
    [lea_message] = mail.outbox
    _mention(lea_member, cafe, colleague, django_capture_on_commit_callbacks, title="Tom's Q&A")
    [cafe_message] = mail.outbox

    # then: the e-mails say it as typed
    assert "Practitioners' lounge" in lea_message.subject
    assert "Tom's Q&A" in cafe_message.subject
    for text in (_text(lea_message), _text(cafe_message)):
        assert "&#x27;" not in text
        assert "&amp;" not in text
