"""Sending one e-mail per row of a delivery table, at most once, resumably.

News e-mails and survey invitations keep a row per recipient with a status (``pending``,
``sent``, ``failed``, ``skipped``). ``deliveries_send`` works through the pending rows in
batches: each row is locked (``skip_locked``, so two workers share the work instead of waiting),
sent, and its new status committed in the same transaction as the send. A retried, restarted or
concurrent run therefore finds only rows nobody has sent and finishes them; nobody is e-mailed
twice. An address the mail server refuses is recorded as ``failed`` and the run goes on; a
server that is down (OSError) stops the run, the row stays pending, and the task's retry picks
up where it stopped.
"""

from collections.abc import Callable
from smtplib import SMTPRecipientsRefused

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

BATCH_SIZE = 200

# What the sender raises for a bad address: refused by the server, or invalid before sending.
BAD_ADDRESS = (SMTPRecipientsRefused, ValueError)


def deliveries_send(
    pending, send: Callable, *, batch_size: int = BATCH_SIZE, on_batch: Callable | None = None
) -> dict:
    """Send every row of the queryset ``pending`` (rows with ``status="pending"``), calling
    ``send(row, connection)`` for each; returns counts by outcome. ``send`` may return False to
    mark the row ``skipped`` (the recipient may no longer receive it). ``on_batch(counts)`` is
    called after each batch (progress reporting)."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    connection = get_connection()
    last_pk = 0
    while True:
        ids = list(
            pending.filter(status="pending", pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        last_pk = ids[-1]
        connection.open()
        try:
            for pk in ids:
                outcome = _send_one(pending, pk, send, connection)
                if outcome:
                    counts[outcome] += 1
        finally:
            connection.close()
        if on_batch:
            on_batch(counts)
    return counts


def _send_one(pending, pk, send, connection) -> str | None:
    with transaction.atomic():
        row = (
            pending.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk, status="pending")
            .first()
        )
        if row is None:  # sent by a concurrent run, or being sent right now
            return None
        try:
            outcome = "sent" if send(row, connection) is not False else "skipped"
        except BAD_ADDRESS as error:
            outcome = "failed"
            row.error = str(error)[:300]
        row.status = outcome
        update_fields = ["status", "error"]
        if outcome == "sent":
            row.sent_at = timezone.now()
            update_fields.append("sent_at")
        row.save(update_fields=update_fields)
        return outcome
