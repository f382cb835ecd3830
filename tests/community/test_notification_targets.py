"""Notifications that are not about a post (review results, event reminders, later alerts and
Knowledge Factory items): one system with the forum's — shown, e-mailed and digested only while
the recipient may see what they are about."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, EmailFrequency, Notification
from community.services.calendar import event_create
from community.services.notifications import (
    notification_badge,
    notification_list_for,
    notification_send,
)
from community.tasks import digest_send_task
from community.tiers import Tier

pytestmark = pytest.mark.django_db


def _event(actor, tier=Tier.LEA, title="Border analytics showcase"):
    start = timezone.now() + timedelta(days=3)
    return event_create(actor=actor, title=title, kind="showcase", tier=tier, starts_at=start,
                        ends_at=start + timedelta(hours=2))  # fmt: skip


def _send(recipient, event, key="event:reminder", subject="Tomorrow: the showcase"):
    return notification_send(
        recipient=recipient,
        kind=Notification.Kind.EVENT,
        target=event,
        subject=subject,
        link=reverse("community:event-detail", args=[event.pk]),
        key=f"{key}:{event.pk}",
    )


def test_a_notification_about_an_event_reaches_only_who_may_see_the_event(
    manager, lea_member, researcher
):
    event = _event(manager)

    assert _send(lea_member, event) is not None
    assert _send(researcher, event) is None

    assert [n.subject for n in notification_list_for(lea_member)] == ["Tomorrow: the showcase"]
    assert not Notification.objects.filter(recipient=researcher).exists()


def test_the_same_key_notifies_once(manager, lea_member):
    event = _event(manager)

    first = _send(lea_member, event)
    again = _send(lea_member, event)

    assert first is not None
    assert again is None
    assert Notification.objects.filter(recipient=lea_member).count() == 1


def test_immediate_e_mail_says_the_subject_and_links_to_the_target(
    manager, lea_member, django_capture_on_commit_callbacks
):
    lea_member.email_frequency = EmailFrequency.IMMEDIATE
    lea_member.save(update_fields=["email_frequency"])
    event = _event(manager)

    with django_capture_on_commit_callbacks(execute=True):
        _send(lea_member, event)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [lea_member.email]
    assert "Tomorrow: the showcase" in message.subject
    assert reverse("community:event-detail", args=[event.pk]) in message.body
    assert "&#x27;" not in message.body
    assert "&amp;" not in message.body


def test_losing_access_hides_the_notification_and_keeps_it_out_of_the_digest(
    manager, lea_member, client_for
):
    event = _event(manager)
    notification = _send(lea_member, event)
    digest_before = _event(manager, tier=Tier.MEMBERS, title="Open day")
    _send(lea_member, digest_before, key="event:open")

    # The member's affiliation is no longer verified: they drop to the lowest tier.
    lea_member.affiliation_verified_at = None
    lea_member.save(update_fields=["affiliation_verified_at"])
    lea_member.refresh_from_db()

    assert notification_list_for(lea_member).filter(pk=notification.pk).count() == 0
    page = client_for(lea_member).get(reverse("community:notification-list"))
    assert "Tomorrow: the showcase" not in page.content.decode()
    assert (
        client_for(lea_member)
        .get(reverse("community:notification-open", args=[notification.pk]))
        .status_code
        == 404
    )

    digest_send_task(lea_member.pk, "daily", timezone.localdate().isoformat())
    bodies = " ".join(m.body for m in mail.outbox)
    assert "Tomorrow: the showcase" not in bodies
    notification.refresh_from_db()
    assert notification.skipped_at is not None
    assert notification.emailed_at is None


def test_the_digest_lists_target_notifications_with_their_links(manager, lea_member):
    event = _event(manager)
    _send(lea_member, event)

    sent = digest_send_task(lea_member.pk, "daily", timezone.localdate().isoformat())

    assert sent == 1
    body = mail.outbox[0].body
    assert "Tomorrow: the showcase" in body
    assert reverse("community:event-detail", args=[event.pk]) in body


def test_opening_a_notification_marks_it_read_and_follows_its_link(manager, lea_member, client_for):
    event = _event(manager)
    notification = _send(lea_member, event)
    client = client_for(lea_member)

    listing = client.get(reverse("community:notification-list")).content.decode()
    response = client.get(reverse("community:notification-open", args=[notification.pk]))

    assert "Tomorrow: the showcase" in listing
    assert response.status_code == 302
    assert response["Location"] == reverse("community:event-detail", args=[event.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_members_notification_cannot_be_opened(manager, lea_member, make_member,
                                                       client_for):  # fmt: skip
    colleague = make_member(AffiliationType.LEA, email="colleague@example.org")
    notification = _send(lea_member, _event(manager))

    response = client_for(colleague).get(
        reverse("community:notification-open", args=[notification.pk])
    )

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_link_off_the_site_is_never_followed(manager, lea_member, client_for):
    event = _event(manager)
    notification = _send(lea_member, event)
    for link in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        Notification.objects.filter(pk=notification.pk).update(link=link)

        response = client_for(lea_member).get(
            reverse("community:notification-open", args=[notification.pk])
        )

        assert response.status_code == 404, link


def test_the_unread_badge_counts_target_notifications_in_constant_queries(
    manager, lea_member, client_for, django_assert_max_num_queries
):
    client = client_for(lea_member)
    for size in (2, 12):
        for index in range(size):
            _send(lea_member, _event(manager, title=f"Event {size}-{index}"), key=f"k{size}")
        with django_assert_max_num_queries(20):
            page = client.get(reverse("community:notification-list"))
        assert page.status_code == 200


def test_the_badge_counts_what_the_member_may_open_and_says_99_plus_past_99(
    manager, lea_member, researcher, client_for
):
    # given an LEA-only event and a members' event, each notified to both members
    lea_only, open_event = _event(manager), _event(manager, tier=Tier.MEMBERS, title="Open day")
    for member in (lea_member, researcher):
        for event in (lea_only, open_event):
            Notification.objects.create(
                recipient=member, kind=Notification.Kind.EVENT, target=event,
                subject="s", link="/", key=f"badge:{event.pk}",
            )  # fmt: skip

    # then each badge counts what its member may open
    assert notification_badge(lea_member) == "2"
    assert notification_badge(researcher) == "1"

    # when the LEA member has more than 99 unread notifications
    many = [
        Notification(recipient=lea_member, kind=Notification.Kind.EVENT, target=open_event,
                     subject="s", link="/", key=f"many:{n}")
        for n in range(120)
    ]  # fmt: skip
    Notification.objects.bulk_create(many)

    # then the header says "99+"
    page = client_for(lea_member).get(reverse("community:home")).content.decode()
    assert ">99+</span>" in page
