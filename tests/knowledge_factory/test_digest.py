"""Followers hear of new items through the notification system: the immediate e-mail or the
daily/weekly digest (community.tasks), built per reader through the visibility rule."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from community.models import DigestRun, EmailFrequency, Notification
from community.tasks import digest_send_task, digests_dispatch_task
from knowledge_factory.services.follows import follow_add, item_followers_notify
from tests.knowledge_factory.browse_helpers import LEA_TITLE, make_item

MONDAY = (timezone.localdate() - timedelta(days=timezone.localdate().weekday())).isoformat()


def _frequency(member, frequency):
    member.email_frequency = frequency
    member.save(update_fields=["email_frequency"])
    return member


@pytest.fixture
def seed(db):
    return make_item("Seed", tier="public", tags=["drones"], age=timedelta(days=30))


def _publish(title, *, tier="members", capture=None, **fields):
    item = make_item(title, tier=tier, tags=["drones"], **fields)
    if capture is None:
        item_followers_notify(item_id=item.pk)
    else:
        with capture(execute=True):
            item_followers_notify(item_id=item.pk)
    return item


def test_a_weekly_follower_gets_one_digest_of_what_they_may_open_even_when_retried(
    seed, researcher
):
    # given a researcher who follows "drones" and reads a weekly digest
    _frequency(researcher, EmailFrequency.WEEKLY)
    follow_add(actor=researcher, tag="drones")
    kit = _publish("Counter-drone kit")
    nets = _publish("Drone nets", tier="public")
    secret = _publish(LEA_TITLE, tier="lea")
    assert mail.outbox == []  # nothing at once
    # when the week's digest runs, then runs again (a retry)
    digest_send_task(researcher.pk, "weekly", MONDAY)
    digest_send_task(researcher.pk, "weekly", MONDAY)
    # then one e-mail lists the two items they may open, and nothing of the LEA-only one
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [researcher.email]
    assert message.subject == "[ILEAnet] 2 new items for you"
    for item in (kit, nets):
        assert f"New in the Knowledge Factory: {item.title}" in message.body
        assert f"http://testserver/knowledge/{item.pk}/" in message.body
    assert LEA_TITLE not in message.body
    assert "LEA-only" not in message.body
    assert f"/knowledge/{secret.pk}/" not in message.body
    assert "Here is what is new for you." in message.body
    assert DigestRun.objects.get(recipient=researcher).notification_count == 2


def test_an_lea_follower_has_the_lea_only_item_in_their_digest_without_its_title(
    seed, lea_member, researcher
):
    for member in (lea_member, researcher):
        _frequency(member, EmailFrequency.WEEKLY)
        follow_add(actor=member, tag="drones")
    secret = _publish(LEA_TITLE, tier="lea")

    digest_send_task(lea_member.pk, "weekly", MONDAY)
    digest_send_task(researcher.pk, "weekly", MONDAY)

    # the LEA member is told, by a link: the title stays on the platform
    assert [m.to for m in mail.outbox] == [[lea_member.email]]
    body = mail.outbox[0].body
    assert "A new LEA-only item in the Knowledge Factory" in body
    assert f"http://testserver/knowledge/{secret.pk}/" in body
    assert LEA_TITLE not in body
    assert LEA_TITLE not in mail.outbox[0].subject
    # the researcher has no notification, no digest, no count
    assert not Notification.objects.filter(recipient=researcher).exists()
    assert DigestRun.objects.get(recipient=researcher).notification_count == 0


def test_an_item_moved_to_lea_only_before_the_digest_is_dropped(seed, researcher):
    _frequency(researcher, EmailFrequency.DAILY)
    follow_add(actor=researcher, tag="drones")
    moved = _publish("Drone interception methods")
    kept = _publish("Drone nets")
    # the item becomes LEA-only after the notification was made
    moved.tier = "lea"
    moved.save(update_fields=["tier"])

    digest_send_task(researcher.pk, "daily", timezone.localdate().isoformat())

    assert len(mail.outbox) == 1
    body, subject = mail.outbox[0].body, mail.outbox[0].subject
    assert kept.title in body
    assert moved.title not in body
    assert f"/knowledge/{moved.pk}/" not in body
    assert subject == "[ILEAnet] 1 new item for you"
    assert Notification.objects.get(recipient=researcher, target_id=moved.pk).skipped_at


def test_immediate_followers_get_one_e_mail_per_item_even_when_told_twice(
    seed, researcher, lea_member, django_capture_on_commit_callbacks
):
    for member in (researcher, lea_member):
        _frequency(member, EmailFrequency.IMMEDIATE)
        follow_add(actor=member, tag="drones")
    kit = make_item("Counter-drone kit", tags=["drones"])
    secret = make_item(LEA_TITLE, tier="lea", tags=["drones"])

    for item in (kit, secret, kit, secret):
        with django_capture_on_commit_callbacks(execute=True):
            item_followers_notify(item_id=item.pk)

    to_researcher = [m for m in mail.outbox if m.to == [researcher.email]]
    to_lea = [m for m in mail.outbox if m.to == [lea_member.email]]
    assert [m.subject for m in to_researcher] == [
        "[ILEAnet] New in the Knowledge Factory: Counter-drone kit"
    ]
    assert f"http://testserver/knowledge/{kit.pk}/" in to_researcher[0].body
    assert sorted(m.subject for m in to_lea) == [
        "[ILEAnet] A new LEA-only item in the Knowledge Factory",
        "[ILEAnet] New in the Knowledge Factory: Counter-drone kit",
    ]
    assert all(LEA_TITLE not in m.body + m.subject for m in mail.outbox)
    # a later digest has nothing left to send
    digest_send_task(researcher.pk, "daily", timezone.localdate().isoformat())
    assert len(mail.outbox) == 3


def test_the_beat_schedule_already_sends_the_digests_followers_read(seed, researcher):
    # the knowledge factory adds no schedule: its notifications ride the existing digests
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"]: entry for entry in schedule.values()}
    assert schedule["daily-digests"]["task"] == "community.tasks.digests_dispatch_task"
    assert schedule["weekly-digests"]["args"] == ["weekly"]
    assert "community.tasks.digests_dispatch_task" in tasks
    _frequency(researcher, EmailFrequency.WEEKLY)
    follow_add(actor=researcher, tag="drones")
    item = _publish("Counter-drone kit")

    digests_dispatch_task("weekly")
    digests_dispatch_task("weekly")

    assert [m.to for m in mail.outbox] == [[researcher.email]]
    assert f"/knowledge/{item.pk}/" in mail.outbox[0].body
