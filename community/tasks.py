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


@shared_task(**RETRY, time_limit=120, soft_time_limit=110)
def application_notify_task(application_id: int) -> bool:
    """Tell the community managers of a new application, once: ``managers_notified_at`` is
    committed with the sending (a failed sending rolls it back and the retry sends again)."""
    from django.core.mail import get_connection

    from .selectors.members import community_manager_emails

    with transaction.atomic():
        application = (
            MembershipApplication.objects.select_for_update(of=("self",))
            .filter(pk=application_id, managers_notified_at__isnull=True)
            .first()
        )
        if application is None:
            return False
        application.managers_notified_at = timezone.now()
        application.save(update_fields=["managers_notified_at"])
        with get_connection() as connection:
            for email in community_manager_emails():
                email_send(
                    to=email,
                    template="community/email/application_new",
                    context={"application": application},
                    connection=connection,
                )
    return True


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def verification_email_task(decision_id: int) -> bool:
    """Tell a member what a manager decided on their affiliation (verified, rejected, evidence
    asked), once. Their answer to a rejection or a request goes to the manager who wrote it."""
    from .models import VerificationDecision

    with transaction.atomic():
        decision = (
            VerificationDecision.objects.select_for_update(of=("self",))
            .select_related("member", "decided_by")
            .filter(pk=decision_id, emailed_at__isnull=True, member__is_active=True)
            .first()
        )
        if decision is None:
            return False
        decision.emailed_at = timezone.now()
        decision.save(update_fields=["emailed_at"])
        asks_answer = decision.kind != VerificationDecision.Kind.VERIFIED
        email_send(
            to=decision.member.email,
            template="community/email/verification",
            context={"decision": decision, "member": decision.member},
            reply_to=[decision.decided_by.email] if asks_answer and decision.decided_by else None,
        )
    return True


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def member_change_email_task(entry_id: int) -> bool:
    """Tell a member what a community manager decided on the role level or organisation they
    asked for. ``entry_id`` is the decision's audit entry; the member's row is locked and
    ``change_decision_emailed_at`` committed with the send, so a retry sends nothing twice."""
    from .models import AuditLogEntry, User

    entry = AuditLogEntry.objects.filter(
        pk=entry_id, action__in=["member.change_confirm", "member.change_decline"]
    ).first()
    if entry is None:
        return False
    with transaction.atomic():
        member = (
            User.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(pk=entry.target_id, is_active=True)
            .first()
        )
        sent = member.change_decision_emailed_at if member else None
        if member is None or (sent and sent >= entry.created_at):
            return False
        member.change_decision_emailed_at = timezone.now()
        member.save(update_fields=["change_decision_emailed_at"])
        email_send(
            to=member.email,
            template="community/email/member_change",
            context={
                "member": member,
                "confirmed": entry.action == "member.change_confirm",
                "reason": entry.reason,
            },
        )
    return True


@shared_task(time_limit=10, soft_time_limit=8)
def ping_task(value: str) -> str:
    """Round trip used by /healthz-style checks and the worker test."""
    return f"pong:{value}"


# --- Discussion notifications -------------------------------------------------------------------


@shared_task(**RETRY, time_limit=300, soft_time_limit=280)
def notifications_fanout_task(post_id: int, new_thread: bool) -> int:
    """Create the in-app notifications for a new post and e-mail those who want it at once."""
    from .models import EmailFrequency, Post
    from .services.notifications import notifications_create_for_post

    post = Post.objects.select_related("thread__room").filter(pk=post_id, is_hidden=False).first()
    if post is None:
        return 0
    created = notifications_create_for_post(post, new_thread=new_thread)
    for notification in created:
        if notification.recipient.email_frequency == EmailFrequency.IMMEDIATE:
            notification_email_task.delay(notification.pk)
    return len(created)


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def notification_email_task(notification_id: int) -> bool:
    """E-mail one notification now, if its recipient wants immediate e-mails and can still open
    the post. The row is locked and ``emailed_at`` committed with the send: no double e-mail."""
    from .models import EmailFrequency, Notification
    from .services.notifications import notification_email_context, notification_is_visible

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "post__thread__room", "actor")
            .filter(pk=notification_id, emailed_at__isnull=True, skipped_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        recipient = notification.recipient
        if recipient.email_frequency != EmailFrequency.IMMEDIATE:
            if recipient.email_frequency == EmailFrequency.OFF:
                notification.skipped_at = timezone.now()
                notification.save(update_fields=["skipped_at"])
            return False
        if not recipient.is_active or not notification_is_visible(notification):
            notification.skipped_at = timezone.now()
            notification.save(update_fields=["skipped_at"])
            return False
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        email_send(
            to=recipient.email,
            template="community/email/notification",
            context=notification_email_context(notification),
            unsubscribe=recipient,
        )
    return True


@shared_task(**RETRY, time_limit=120, soft_time_limit=110)
def digest_send_task(user_id: int, period: str, period_start: str) -> int:
    """One member's digest for one period. A unique DigestRun row makes a retry a no-op; only
    notifications whose post the member can open now are included."""
    from datetime import date

    from .models import DigestRun, User
    from .services.notifications import digest_context, notification_pending_for

    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return 0
        run, _created = DigestRun.objects.get_or_create(
            recipient=user, period=period, period_start=date.fromisoformat(period_start)
        )
        run = DigestRun.objects.select_for_update().get(pk=run.pk)
        if run.sent_at:
            return 0
        notifications = list(notification_pending_for(user)[:200])
        now = timezone.now()
        if notifications:
            email_send(
                to=user.email,
                template="community/email/digest",
                context=digest_context(user, notifications),
                unsubscribe=user,
            )
            user.notifications.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
        # What the member can no longer open is dropped from e-mail for good.
        user.notifications.filter(emailed_at__isnull=True, skipped_at__isnull=True).exclude(
            pk__in=[n.pk for n in notifications]
        ).exclude(pk__in=notification_pending_for(user).values("pk")).update(skipped_at=now)
        run.sent_at, run.notification_count = now, len(notifications)
        run.save(update_fields=["sent_at", "notification_count"])
    return len(notifications)


@shared_task(time_limit=600, soft_time_limit=580)
def digests_dispatch_task(period: str) -> int:
    """Scheduled by Celery beat: one digest task per member on that period."""
    from datetime import timedelta

    from .models import User

    today = timezone.localdate()
    start = today if period == "daily" else today - timedelta(days=today.weekday())
    ids = User.objects.filter(is_active=True, email_frequency=period).values_list("pk", flat=True)
    for user_id in ids.iterator():
        digest_send_task.delay(user_id, period, start.isoformat())
    return len(ids)


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def sanction_email_task(sanction_id: int) -> bool:
    from .models import Sanction

    with transaction.atomic():
        sanction = (
            Sanction.objects.select_for_update(of=("self",))
            .select_related("member")
            .filter(pk=sanction_id, emailed_at__isnull=True)
            .first()
        )
        if sanction is None:
            return False
        sanction.emailed_at = timezone.now()
        sanction.save(update_fields=["emailed_at"])
        email_send(
            to=sanction.member.email,
            template="community/email/sanction",
            context={"sanction": sanction},
        )
    return True


# --- Onboarding and introductions ---------------------------------------------------------------


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def welcome_send_task(member_id: int) -> bool:
    from .services.onboarding import welcome_send

    return welcome_send(member_id=member_id)


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def introduction_email_task(introduction_id: int) -> int:
    from .services.onboarding import introduction_email_send

    return introduction_email_send(introduction_id=introduction_id)


# --- National contacts ---------------------------------------------------------------------------


@shared_task(bind=True, max_retries=5, time_limit=120, soft_time_limit=110)
def national_contact_alert_task(
    self, countries: list[str] | None = None, sent_to: list[str] | None = None
) -> int:
    """Tell each active community manager which countries lack a national contact or a deputy
    (those of ``countries`` still lacking someone, or every gap when None: the weekly
    reminder of the beat schedule). A retry skips the managers in ``sent_to``, already told.
    Returns the number of e-mails sent."""
    from django.core.mail import get_connection
    from django_countries.fields import Country

    from .models import NationalContact
    from .selectors.directory import national_contact_gaps
    from .selectors.members import community_manager_emails

    gaps = [g for g in national_contact_gaps() if countries is None or g["country"] in countries]
    if not gaps:
        return 0
    managers = community_manager_emails()
    labels = dict(NationalContact.Role.choices)
    # Country names and role labels are translated when each e-mail is rendered.
    context = {
        "gaps": [
            {"country": Country(g["country"]), "missing": [labels[m] for m in g["missing"]]}
            for g in gaps
        ]
    }
    done = set(sent_to or ())
    sent = 0
    with get_connection() as connection:
        for email in managers:
            if email in done:
                continue
            try:
                email_send(
                    to=email,
                    template="community/email/contact_gaps",
                    context=context,
                    connection=connection,
                )
            except OSError as error:
                raise self.retry(
                    exc=error,
                    kwargs={"countries": countries, "sent_to": sorted(done)},
                    countdown=min(600, 30 * 2**self.request.retries),
                ) from error
            done.add(email)
            sent += 1
    return sent


# --- News ----------------------------------------------------------------------------------------


@shared_task(**RETRY, time_limit=3600, soft_time_limit=3500)
def news_email_task(news_id: int) -> dict:
    from .services.news import news_email

    return news_email(news_id=news_id)
