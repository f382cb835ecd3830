"""A digest crosses the real broker: sent through Redis, built and sent by a Celery worker."""

import os

import pytest

from community.models import DigestRun, Notification, Room
from community.services import forum, moderation
from community.tasks import digest_send_task
from community.tiers import Tier
from tests.celery_worker import CeleryWorker, real_broker, unique_queue
from tests.celery_worker import test_database_url as worker_database_url

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
    pytest.mark.xdist_group("celery_worker"),
]


@pytest.fixture
def worker(transactional_db):
    worker = CeleryWorker(unique_queue("digest"), database_url=worker_database_url())
    try:
        yield worker.start()
    finally:
        worker.stop()


def test_a_worker_sends_a_digest_with_only_what_the_reader_can_open(
    worker, researcher, lea_member, manager
):
    # given a researcher watching a members room where two threads started, one then moved
    members_room = Room.objects.create(name="Members", slug="members", tier=Tier.MEMBERS)
    lea_room = Room.objects.create(name="LEA", slug="lea", tier=Tier.LEA)
    forum.subscription_set(user=researcher, room=members_room, mode="watch")
    forum.thread_create(actor=lea_member, room=members_room, title="Kept", body="Open text")
    moved = forum.thread_create(actor=lea_member, room=members_room, title="Moved", body="Secret")
    moderation.thread_move(actor=manager, thread=moved, room=lea_room, reason="Operational")
    assert Notification.objects.filter(recipient=researcher).count() == 2

    # when the digest task goes through Redis to the worker
    with real_broker(worker.queue):
        result = digest_send_task.delay(researcher.pk, "daily", "2026-11-22")
        sent = worker.wait(result, timeout=60)

    # then one item was e-mailed, the moved thread's notification was dropped from e-mail
    assert sent == 1
    run = DigestRun.objects.get(recipient=researcher)
    assert run.sent_at is not None
    assert run.notification_count == 1
    kept, dropped = (
        Notification.objects.get(recipient=researcher, post__thread__title=title)
        for title in ("Kept", "Moved")
    )
    assert kept.emailed_at is not None
    assert dropped.emailed_at is None
    assert dropped.skipped_at is not None
