"""Survey invitations through a real Celery worker on real Redis: a worker killed half-way
through the sending, then a fresh run, e-mail every invitee exactly once."""

import os

import pytest

from community.models import AffiliationType, DeliveryStatus
from ipup.tasks import survey_invitations_send_task
from tests.celery_worker import CeleryWorker, real_broker, unique_queue
from tests.celery_worker import test_database_url as worker_database_url
from tests.community.factories import UserFactory
from tests.ipup.factories import SurveyFactory

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
    pytest.mark.xdist_group("celery_worker"),
]


def _worker(mail_log, **env):
    return CeleryWorker(
        unique_queue("survey"),
        database_url=worker_database_url(),
        env={
            "ILEANET_TEST_EMAIL_BACKEND": "tests.mail_backends.LogAndCrashBackend",
            "ILEANET_TEST_MAIL_LOG": str(mail_log),
            **env,
        },
    )


def test_a_sending_killed_half_way_and_restarted_emails_each_invitee_exactly_once(
    transactional_db, tmp_path
):
    # given: six LEA officers invited to a published survey
    officers = UserFactory.create_batch(6, affiliation_type=AffiliationType.LEA)
    survey = SurveyFactory(audience_affiliations=[AffiliationType.LEA])
    mail_log = tmp_path / "sent.log"

    # when: the worker sending the invitations dies after the third e-mail
    crashing = _worker(mail_log, ILEANET_TEST_MAIL_CRASH_AFTER="3").start()
    try:
        with real_broker(crashing.queue):
            survey_invitations_send_task.delay(survey.pk)
        assert crashing.process.wait(timeout=60) == 1
    finally:
        crashing.stop()

    # then: three e-mails went, and exactly those three are recorded as sent
    sent_first = mail_log.read_text().split()
    assert len(sent_first) == 3
    assert set(
        survey.invitations.filter(status=DeliveryStatus.SENT).values_list("email", flat=True)
    ) == set(sent_first)

    # when: the sending is started again on a healthy worker
    worker = _worker(mail_log).start()
    try:
        with real_broker(worker.queue):
            counts = worker.wait(survey_invitations_send_task.delay(survey.pk), timeout=60)
    finally:
        worker.stop()

    # then: the other three got theirs, and nobody got two
    assert counts == {"sent": 3, "failed": 0, "skipped": 0}
    assert sorted(mail_log.read_text().split()) == sorted(o.email for o in officers)
    assert not survey.invitations.exclude(status=DeliveryStatus.SENT).exists()
