"""In-app notifications and the e-mails built from them (SPEC §2.6).

A notification is one row per recipient per event (unique), and records when it was e-mailed,
so a retried task sends nothing twice. What a notification shows is re-checked against the
visibility rule whenever it is listed or sent: access lost after it was created means it is
not shown and not sent.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("mentioned you")
        REPLY = "reply", _("replied in a thread you watch")
        NEW_THREAD = "new_thread", _("started a thread in a room you watch")
        MODERATION = "moderation", _("moderation of your post")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    post = models.ForeignKey("community.Post", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Set when the notification is dropped from e-mail (access lost, member chose "off").
    skipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "post"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(emailed_at__isnull=True, skipped_at__isnull=True),
                name="notification_unsent",
            )
        ]

    def __str__(self):
        return f"{self.recipient_id}: {self.get_kind_display()} ({self.post_id})"


class DigestRun(models.Model):
    """One digest e-mail per member per period: the unique row makes a retried run a no-op."""

    class Period(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    notification_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "period", "period_start"], name="digest_once_per_period"
            )
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.period} {self.period_start}"
