"""Celery tasks: thin, load by id, idempotent (a retry never sends an e-mail twice)."""

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .emails import email_send
from .models import Invitation, MembershipApplication, hash_token, new_token

RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def invitation_send_task(invitation_id: int) -> bool:
    """E-mail the invitation link. The token is made here, stored hashed, and exists nowhere
    but in the e-mail. The row stays locked until the message is handed over, and ``sent_at``
    is committed with the token, so a retried task sends nothing twice."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("invited_by", "application")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at or not invitation.is_usable:
            return False
        token = new_token()
        invitation.token_hash = hash_token(token)
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["token_hash", "sent_at"])
        application = getattr(invitation, "application", None)
        email_send(
            to=invitation.email,
            template="community/email/application_approved"
            if application
            else "community/email/invitation",
            context={
                "invitation": invitation,
                "application": application,
                "link": reverse("community:invitation-accept", args=[token]),
            },
        )
    return True


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def application_declined_email_task(application_id: int) -> bool:
    with transaction.atomic():
        application = (
            MembershipApplication.objects.select_for_update().filter(pk=application_id).first()
        )
        if application is None or application.decision_emailed_at:
            return False
        application.decision_emailed_at = timezone.now()
        application.save(update_fields=["decision_emailed_at"])
        email_send(
            to=application.email,
            template="community/email/application_declined",
            context={"application": application},
        )
    return True


@shared_task(time_limit=10)
def ping_task(value: str) -> str:
    """Round trip used by /healthz-style checks and the worker test."""
    return f"pong:{value}"
