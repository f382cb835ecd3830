"""The unsubscribe link of notification e-mails: one click, no sign-in, only for its member."""

from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.urls import reverse

from community.emails import unsubscribe_url
from community.models import AffiliationType, AuditLogEntry, EmailFrequency, Notification, Room
from community.services import forum
from community.tasks import notification_email_task
from community.tiers import Tier

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def member(make_member):
    return make_member(AffiliationType.LEA, email="reader@example.org",
                       email_frequency=EmailFrequency.IMMEDIATE)  # fmt: skip


def test_the_one_click_post_of_a_mail_client_turns_emails_off(client, member, lea_member):
    # given the link of a real notification e-mail (its List-Unsubscribe header)
    room = Room.objects.create(name="Room", slug="room", tier=Tier.MEMBERS)
    thread = forum.thread_create(actor=lea_member, room=room, title="T",
                                 body=f"@{member.handle} look")  # fmt: skip
    notification = Notification.objects.create(recipient=member, kind="mention",
                                               post=thread.posts.get())  # fmt: skip
    notification_email_task(notification.pk)
    url = mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>")

    # when the mail client posts RFC 8058's one-click body, with no session and no CSRF token
    client.handler.enforce_csrf_checks = True
    response = client.post(_path(url), {"List-Unsubscribe": "One-Click"})

    # then e-mails are off, the preference recorded and audited
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email_frequency == EmailFrequency.OFF
    assert member.preferences_saved_at is not None
    entry = AuditLogEntry.objects.get(action="member.email_unsubscribe")
    assert (entry.actor, entry.target_id) == (member, str(member.pk))
    # and a second click (or a mail scanner's) changes and records nothing more
    assert client.post(_path(url)).status_code == 200
    assert AuditLogEntry.objects.filter(action="member.email_unsubscribe").count() == 1


def test_opening_the_link_asks_first_and_changes_nothing(client, member):
    response = client.get(_path(unsubscribe_url(member)))

    assert response.status_code == 200
    assert "Turn off notification e-mails" in response.content.decode()
    assert member.email not in response.content.decode()
    member.refresh_from_db()
    assert member.email_frequency == EmailFrequency.IMMEDIATE


def test_the_page_answers_a_member_signed_in_as_someone_else_for_the_links_member_only(
    client_for, member, researcher
):
    response = client_for(researcher).post(_path(unsubscribe_url(member)))

    assert response.status_code == 200
    member.refresh_from_db()
    researcher.refresh_from_db()
    assert member.email_frequency == EmailFrequency.OFF
    assert researcher.email_frequency != EmailFrequency.OFF


@pytest.mark.parametrize("forgery", ["other member", "tampered", "unsalted", "garbage"])
def test_a_forged_or_tampered_token_fails_and_changes_nothing(client, member, make_member,
                                                              forgery):  # fmt: skip
    # given a victim, and the attacker's own valid link
    victim = make_member(AffiliationType.LEA, email="victim@example.org",
                         email_frequency=EmailFrequency.DAILY)  # fmt: skip
    token = _path(unsubscribe_url(member)).split("/")[-2]
    member_id, signature = token.split(":", 1)
    forged = {
        "other member": f"{victim.pk}:{signature}",
        "tampered": f"{member_id}:{signature[:-2]}xx",
        "unsalted": signing.Signer().sign(str(victim.pk)),
        "garbage": "not-a-token",
    }[forgery]

    # when the forged link is posted
    response = client.post(reverse("community:email-unsubscribe", args=[forged]))

    # then it is not found, and nobody's setting changed
    assert response.status_code == 404
    victim.refresh_from_db()
    member.refresh_from_db()
    assert victim.email_frequency == EmailFrequency.DAILY
    assert member.email_frequency == EmailFrequency.IMMEDIATE
    assert not AuditLogEntry.objects.filter(action="member.email_unsubscribe").exists()


def test_once_unsubscribed_no_notification_is_emailed(
    client, member, lea_member, django_capture_on_commit_callbacks
):
    room = Room.objects.create(name="Room", slug="room", tier=Tier.MEMBERS)
    client.post(_path(unsubscribe_url(member)))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        forum.thread_create(actor=lea_member, room=room, title="T", body=f"@{member.handle} hi")

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=member).count() == 1  # still in-app
