"""Notifications and digests never carry what their reader could not open."""

import pytest
from django.core import mail
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, DigestRun, EmailFrequency, Notification, Room
from community.services import forum, moderation
from community.services.notifications import notification_list_for, notification_pending_for
from community.tasks import digest_send_task, notification_email_task
from community.tiers import Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea_room(db):
    return Room.objects.create(name="LEA only", slug="lea-only", tier=Tier.LEA)


@pytest.fixture
def members_room(db):
    return Room.objects.create(name="Everyone", slug="everyone", tier=Tier.MEMBERS)


def _post(actor, room, body, title="Thread", capture=None):
    with capture(execute=True):
        return forum.thread_create(actor=actor, room=room, title=title, body=body)


def test_a_mention_notifies_only_members_who_can_see_the_room(
    lea_member, researcher, make_member, lea_room, django_capture_on_commit_callbacks
):
    colleague = make_member(AffiliationType.LEA, email="colleague@example.org")

    _post(lea_member, lea_room, f"@{colleague.handle} and @{researcher.handle}: secret plan",
          capture=django_capture_on_commit_callbacks)  # fmt: skip

    assert Notification.objects.filter(recipient=colleague, kind="mention").count() == 1
    assert not Notification.objects.filter(recipient=researcher).exists()


def test_replies_notify_the_thread_author_and_watchers_but_not_muted_members(
    lea_member, make_member, lea_room, django_capture_on_commit_callbacks
):
    watcher = make_member(AffiliationType.LEA, email="watcher@example.org")
    muted = make_member(AffiliationType.LEA, email="muted@example.org")
    replier = make_member(AffiliationType.LEA, email="replier@example.org")
    thread = _post(lea_member, lea_room, "Question", capture=django_capture_on_commit_callbacks)
    forum.subscription_set(user=watcher, thread=thread, mode="watch")
    forum.subscription_set(user=muted, thread=thread, mode="watch")
    forum.subscription_set(user=muted, room=lea_room, mode="mute")

    with django_capture_on_commit_callbacks(execute=True):
        forum.post_create(actor=replier, thread=thread, body="Answer")

    notified = set(
        Notification.objects.filter(kind="reply").values_list("recipient__email", flat=True)
    )
    assert notified == {lea_member.email, watcher.email}


def test_new_threads_notify_room_watchers(lea_member, make_member, lea_room,
                                          django_capture_on_commit_callbacks):  # fmt: skip
    watcher = make_member(AffiliationType.LEA, email="watcher@example.org")
    forum.subscription_set(user=watcher, room=lea_room, mode="watch")

    _post(lea_member, lea_room, "New topic", capture=django_capture_on_commit_callbacks)

    assert Notification.objects.filter(recipient=watcher, kind="new_thread").count() == 1


def test_an_immediate_email_is_not_sent_once_the_post_is_hidden(
    lea_member, make_member, manager, lea_room, django_capture_on_commit_callbacks
):
    # given a colleague who wants immediate e-mails and is mentioned
    colleague = make_member(AffiliationType.LEA, email="colleague@example.org",
                            email_frequency=EmailFrequency.IMMEDIATE)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        thread = forum.thread_create(actor=lea_member, room=lea_room, title="T",
                                     body=f"@{colleague.handle} look")  # fmt: skip
    post = thread.posts.get()
    # when the post is hidden before the queued fan-out runs
    moderation.post_hide(actor=manager, post=post, reason="Wrong room")
    mail.outbox.clear()
    for callback in callbacks:
        callback()
    # then nothing was sent and no notification survives in the list
    assert mail.outbox == []
    assert list(notification_list_for(colleague)) == []


def test_an_immediate_email_is_sent_once_even_if_the_task_runs_twice(
    lea_member, make_member, lea_room, django_capture_on_commit_callbacks
):
    colleague = make_member(AffiliationType.LEA, email="colleague@example.org",
                            email_frequency=EmailFrequency.IMMEDIATE)  # fmt: skip
    mail.outbox.clear()
    _post(lea_member, lea_room, f"@{colleague.handle} urgent", title="Urgent",
          capture=django_capture_on_commit_callbacks)  # fmt: skip
    notification = Notification.objects.get(recipient=colleague)

    notification_email_task(notification.pk)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [colleague.email]
    assert "Urgent" not in mail.outbox[0].subject  # an LEA room's e-mails name no thread


def test_a_digest_contains_only_what_the_reader_can_open_now(
    lea_member, researcher, manager, members_room, lea_room, django_capture_on_commit_callbacks
):
    # given a researcher watching a members room with two new threads
    forum.subscription_set(user=researcher, room=members_room, mode="watch")
    kept = _post(lea_member, members_room, "Public word", title="Kept thread",
                 capture=django_capture_on_commit_callbacks)  # fmt: skip
    moved = _post(lea_member, members_room, "Operational secret zebra", title="Moved thread",
                  capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert notification_pending_for(researcher).count() == 2
    # when one thread is moved to an LEA-only room before the digest
    moderation.thread_move(actor=manager, thread=moved, room=lea_room, reason="Operational")
    mail.outbox.clear()
    digest_send_task(researcher.pk, "daily", "2026-11-22")
    # then the digest holds the kept thread only, and a retry sends nothing more
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert kept.title in body
    assert "zebra" not in body
    assert moved.title not in body
    digest_send_task(researcher.pk, "daily", "2026-11-22")
    assert len(mail.outbox) == 1
    assert DigestRun.objects.get(recipient=researcher).notification_count == 1


def test_removal_from_a_private_room_stops_notifications_at_once(
    lea_member, make_member, manager, django_capture_on_commit_callbacks
):
    room = Room.objects.create(name="Cell", slug="cell", tier=Tier.LEA, is_private=True)
    insider = make_member(AffiliationType.LEA, email="insider@example.org")
    for member in (lea_member, insider):
        assign_perm("community.access_room", member, room)
    thread = _post(insider, room, "Plan", capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_create(actor=lea_member, thread=thread, body="Reply one")
    assert notification_list_for(insider).count() == 1

    forum.room_revoke(actor=manager, room=room, member=insider, reason="Left the unit")

    assert notification_list_for(insider).count() == 0
    mail.outbox.clear()
    digest_send_task(insider.pk, "daily", "2026-11-22")
    assert mail.outbox == []
