"""A real Celery worker for tests that must cross the broker (the rest of the suite runs tasks
eagerly, in-process).

Usage, from a fixture::

    worker = CeleryWorker(unique_queue("digest"), database_url=test_database_url())
    try:
        worker.start()
        with real_broker(worker.queue):
            yield worker
    finally:
        worker.stop()

and in the test: ``result = some_task.delay(...)``, then ``worker.wait(result)``.

* Every worker consumes from its own queue, so parallel test processes (pytest-xdist, other CI
  jobs on the same Redis) never take each other's messages; ``real_broker(queue)`` routes every
  task sent by the test process to that queue, including the ones application code sends with a
  plain ``.delay()``.
* The worker loads ``ileanet.settings.test`` (see ``WORKER_SETTINGS_MODULE`` for why).
* A worker that touches the database must be given the *test* database (``test_database_url()``,
  once ``django_db_setup`` has run), and the test must commit what the worker is to read: use
  ``transactional_db``, not ``db`` (a ``db`` test's rows sit in a transaction the worker never
  sees).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from celery.exceptions import TimeoutError as CeleryTimeoutError
from kombu import Exchange, Queue

from ileanet.celery import app

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The worker runs with the test settings, not ``ileanet.settings``:
# - the broker and result backend still come from REDIS_URL: ``base`` sets CELERY_BROKER_URL and
#   CELERY_RESULT_BACKEND from it, and ``test`` keeps them when ILEANET_TEST_WORKER is set (the
#   test process itself gets an in-memory broker and reaches Redis only in ``real_broker``);
# - CELERY_TASK_ALWAYS_EAGER, which ``test`` forces on, only changes how a process *sends*
#   tasks, never what a worker consumes. In the worker it makes a task that starts sub-tasks run
#   them inline, instead of sending them to the default queue, where no test worker listens
#   (each consumes only its own queue);
# - the worker then renders e-mails and links like the test process does (same SITE_URL,
#   password hashers, languages) and never prints to the console or sends real mail
#   (``ileanet.settings`` would pick up DEBUG, console e-mail and whatever EMAIL_URL is set).
# Its locmem cache and e-mail outbox are its own: a test observes the worker through the task's
# result and the database, not through ``mail.outbox``.
WORKER_SETTINGS_MODULE = "ileanet.settings.test"

START_TIMEOUT = 30
STOP_TIMEOUT = 10


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


def unique_queue(prefix: str = "test") -> str:
    """A queue name no other test process uses (xdist workers, concurrent CI jobs)."""
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def test_database_url() -> str:
    """The database this process is connected to, as a DATABASE_URL for the worker. Call it
    once pytest-django has set up the test database (request ``django_db_setup``): it is then
    ``test_<name>`` (``test_<name>_gw<n>`` under xdist), not the development database."""
    from django.db import connection

    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = quote(s.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = s.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory (the embedded server)
        return f"postgres://{credentials}/{quote(s['NAME'], safe='')}?host={quote(host)}" + (
            f"&port={s['PORT']}" if s.get("PORT") else ""
        )
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(s['NAME'], safe='')}"


test_database_url.__test__ = False  # a helper, not a test, wherever it is imported


def _reset_connections() -> None:
    """Forget the app's cached producer pool, result backend and router, so the next send uses
    the configuration as it is now (as Celery itself does after a fork). The pools are kombu's,
    shared by every app on the same broker URL: they are dropped, never emptied or closed."""
    app._pool = None
    app.amqp._producer_pool = None
    app.amqp.__dict__.pop("router", None)
    app.amqp.flush_routes()
    backend = app._backend
    if backend is not None:
        consumer = getattr(backend, "result_consumer", None)
        if consumer is not None:
            with suppress(Exception):
                consumer.stop()
    app._backend_cache = None
    with suppress(AttributeError):
        del app._local.backend


@contextmanager
def real_broker(queue: str | None = None, url: str | None = None):
    """In this process, send tasks through Redis instead of running them eagerly, and (with
    ``queue``) route every task to that queue. Restores the eager configuration on exit."""
    url = url or redis_url()
    if not url:
        raise RuntimeError("REDIS_URL is not set: there is no broker to send through.")
    conf = app.conf
    saved = {
        key: conf[key]
        for key in ("task_always_eager", "broker_url", "result_backend", "task_routes")
    }

    def route(name, args, kwargs, options, task=None, **kw):
        return {"queue": queue}

    conf.task_always_eager = False
    conf.broker_url = url
    conf.result_backend = url
    if queue:
        conf.task_routes = (route,)
    _reset_connections()
    try:
        yield app
    finally:
        for key, value in saved.items():
            conf[key] = value
        _reset_connections()


class WorkerFailed(AssertionError):
    pass


class CeleryWorker:
    """``celery -A ileanet worker`` in a subprocess, consuming only ``queue``."""

    def __init__(
        self,
        queue: str,
        *,
        database_url: str | None = None,
        settings_module: str = WORKER_SETTINGS_MODULE,
        env: dict | None = None,
    ):
        self.queue = queue
        self.nodename = f"{queue}@{socket.gethostname()}"
        self.database_url = database_url
        self.settings_module = settings_module
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self._log = None

    def command(self) -> list[str]:
        # ``python -m celery`` with this interpreter is the venv's ``celery`` script, found
        # wherever the venv lives.
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ileanet",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            self.queue,
            "-n",
            self.nodename,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ]

    def environment(self) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "PYTHONUNBUFFERED": "1",
            # Keeps the broker at REDIS_URL in the test settings (see ileanet/settings/test.py).
            "ILEANET_TEST_WORKER": "1",
            **self.extra_env,
        }
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        # Only the browser tests need this; a worker has no event loop to be unsafe about.
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        return env

    def start(self, timeout: float = START_TIMEOUT) -> "CeleryWorker":
        """Start the worker and return once it answers a ping (so it is consuming)."""
        if not redis_url():
            raise RuntimeError("REDIS_URL is not set: a real worker needs Redis.")
        # A file, not a pipe: nobody reads the worker's output while it runs, and a full pipe
        # would block it.
        self._log = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            self.command(),
            cwd=PROJECT_DIR,
            env=self.environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        with real_broker():
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                self.check_alive()
                if app.control.ping(destination=[self.nodename], timeout=0.5):
                    return
        log = self.log()
        self.stop()
        raise WorkerFailed(f"Celery worker not ready after {timeout}s.\n{log}")

    def check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise WorkerFailed(f"Celery worker exited (code {code}).\n{self.log()}")

    def wait(self, result, timeout: float = 30):
        """``result.get(timeout=...)``, failing at once, with the worker's output, if the
        worker dies meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerFailed(
                    f"No result for task {result.id} after {timeout}s.\n{self.log()}"
                )
            try:
                return result.get(timeout=min(1.0, remaining))
            except CeleryTimeoutError:
                continue

    def log(self) -> str:
        if self._log is None or self._log.closed:
            return ""
        self._log.flush()
        self._log.seek(0)
        return "--- worker output ---\n" + self._log.read().decode(errors="replace")[-8000:]

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if it does not exit in time; then remove the
        queue from Redis."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        if process is not None:
            with suppress(Exception), real_broker(), app.connection_for_write() as connection:
                # Declared as Celery declares a queue it was not configured with (its own
                # direct exchange), so that deleting it removes the bindings kept in Redis.
                queue = Queue(self.queue, Exchange(self.queue), routing_key=self.queue)
                bound = queue(connection.default_channel)
                bound.declare()
                bound.delete()
        if self._log is not None:
            self._log.close()
