"""Tasks cross a real broker: a Celery worker subprocess consumes them from Redis.

Every other test runs tasks eagerly; this one proves the deployed path (settings, broker, task
discovery, result backend) works end to end.
"""

import os

import pytest
from celery.result import EagerResult

from community.tasks import ping_task
from tests.celery_worker import CeleryWorker, real_broker, unique_queue

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
    # One worker serves the module: keep its tests on one xdist process.
    pytest.mark.xdist_group("celery_worker"),
]


@pytest.fixture(scope="module")
def celery_worker():
    """A worker on a queue of its own; while it runs, this process sends every task through
    Redis to that queue. ``ping_task`` reads no database, so the worker is not pointed at the
    test database; a worker for tasks that read the database takes
    ``database_url=test_database_url()`` (see tests/celery_worker.py)."""
    worker = CeleryWorker(unique_queue("ping"))
    try:
        worker.start()
        with real_broker(worker.queue):
            yield worker
    finally:
        worker.stop()


def test_a_task_sent_to_the_queue_is_run_by_the_worker(celery_worker):
    result = ping_task.apply_async(args=["direct"], queue=celery_worker.queue)

    assert celery_worker.wait(result, timeout=30) == "pong:direct"
    assert result.successful()


def test_a_plain_delay_reaches_the_worker(celery_worker):
    """Application code calls ``.delay()`` without naming a queue: it is routed to the worker."""
    result = ping_task.delay("routed")

    assert not isinstance(result, EagerResult)
    assert celery_worker.wait(result, timeout=30) == "pong:routed"
