"""Mail servers that misbehave, for tests of sending: refusing addresses, losing the connection,
or (in a Celery worker subprocess) dying half-way through."""

import os
from smtplib import SMTPRecipientsRefused

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """The test outbox, with a server that refuses the addresses in ``refused`` and drops the
    connection (OSError) once ``fail_after`` messages are in the outbox."""

    refused: set[str] = set()
    fail_after: int | None = None

    def send_messages(self, messages):
        for message in messages:
            refused = self.refused & set(message.to)
            if refused:
                raise SMTPRecipientsRefused(dict.fromkeys(refused, (550, b"No such user")))
            if self.fail_after is not None and len(getattr(mail, "outbox", [])) >= self.fail_after:
                raise OSError("Connection to the mail server lost")
        return super().send_messages(messages)


class LogAndCrashBackend(LocmemBackend):
    """For a worker subprocess: appends each recipient to the file ``ILEANET_TEST_MAIL_LOG`` (the
    test reads it, across processes) and kills the process, as a crash would, when asked to send
    once the log holds ``ILEANET_TEST_MAIL_CRASH_AFTER`` lines."""

    def send_messages(self, messages):
        path = os.environ["ILEANET_TEST_MAIL_LOG"]
        crash_after = os.environ.get("ILEANET_TEST_MAIL_CRASH_AFTER")
        for message in messages:
            with open(path, "a+", encoding="utf-8") as log:
                log.seek(0)
                if crash_after and len(log.readlines()) >= int(crash_after):
                    os._exit(1)
                log.write(",".join(message.to) + "\n")
        return len(messages)
