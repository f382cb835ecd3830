"""Bench job: e-mail 10,000 survey invitations through a real Celery worker.

A survey whose audience is 10,000 bench members (made once per database, reused) is sent by
``ipup.tasks.survey_invitations_send_task`` on a Celery worker started for the purpose, with the
bench's production settings, through Redis, to a local SMTP server in this process that accepts
and counts every message. The figure is invitations per second from the task's start to its
result, everything included: the rows created, each invitation locked, rendered, sent over SMTP
and committed. The survey and its members are deleted afterwards.

Needs REDIS_URL (a real worker needs a broker); without it the job reports why it did not run.
"""

import os
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INVITEES = int(os.environ.get("BENCH_INVITEES", "10000"))
EMAIL_DOMAIN = "bench-invitee.example.org"
WORKER_READY_TIMEOUT_S = 60
SEND_TIMEOUT_S = 1800


# --- A mail server that accepts everything -------------------------------------------------------


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 bench SMTP ready")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 bench")
            elif command == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                with self.server.lock:
                    self.server.messages += 1
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self.reply("250 ok")


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server_address[1]}"


@contextmanager
def smtp_sink():
    sink = SMTPSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        sink.shutdown()
        sink.server_close()


# --- Data ----------------------------------------------------------------------------------------


def ensure_invitees(count: int) -> list[int]:
    """``count`` verified LEA members to invite, made with one insert (no password hashing)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from community.models import User

    existing = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count()
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=f"invitee{i}@{EMAIL_DOMAIN}",
                handle=f"bench-invitee-{i}",
                first_name="Invitee",
                last_name=str(i),
                password=unusable,
                affiliation_type="lea",
                affiliation_verified_at=timezone.now(),
                country="FR",
            )
            for i in range(existing, count)
        ],
        batch_size=2000,
    )
    return list(
        User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )


def bench_survey(member_ids: list[int]):
    from django.utils import timezone

    from ipup.models import Question, Section, Survey

    now = timezone.now()
    survey = Survey.objects.create(
        title="Bench: needs survey",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
        published_at=now,
    )
    through = Survey.audience_members.through
    through.objects.bulk_create(
        [through(survey_id=survey.pk, user_id=pk) for pk in member_ids], batch_size=5000
    )
    section = Section.objects.create(survey=survey, title="Priorities")
    Question.objects.create(
        survey=survey, section=section, kind=Question.Kind.RATING, text="How urgent?"
    )
    return survey


# --- The worker ----------------------------------------------------------------------------------


@contextmanager
def celery_worker(env: dict[str, str], queue: str):
    from ileanet.celery import app

    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ileanet", "worker", "--pool=solo",
         "-Q", queue, "-n", f"{queue}@bench", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "-l", "warning"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
        while not app.control.ping(destination=[f"{queue}@bench"], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def measure(env: dict[str, str]) -> dict:
    """Send the invitations of a fresh bench survey through a real worker; the figures."""
    from community.models import User
    from ipup.models import SurveyInvitation
    from ipup.tasks import survey_invitations_send_task

    row = {"job": f"survey invitations ({INVITEES:,} invitees)", "worker": "celery, solo pool"}
    if not os.environ.get("REDIS_URL"):
        return row | {"items": 0, "seconds": 0.0, "per_s": 0.0, "note": "REDIS_URL unset"}
    member_ids = ensure_invitees(INVITEES)
    survey = bench_survey(member_ids)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        with smtp_sink() as sink:
            worker_env = env | {"EMAIL_URL": sink.url, "DJANGO_SETTINGS_MODULE": "ileanet.settings"}
            with celery_worker(worker_env, queue):
                start = time.perf_counter()
                result = survey_invitations_send_task.apply_async((survey.pk,), queue=queue)
                counts = result.get(timeout=SEND_TIMEOUT_S)
                seconds = time.perf_counter() - start
            delivered = sink.messages
        sent = SurveyInvitation.objects.filter(survey=survey, status="sent").count()
    finally:
        survey.delete()
        User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    return row | {
        "items": counts["sent"],
        "seconds": round(seconds, 2),
        "per_s": round(counts["sent"] / seconds, 1),
        "note": f"{delivered} received by the SMTP server, {sent} recorded sent",
    }
