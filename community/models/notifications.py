"""In-app notifications and the e-mails built from them (SPEC §2.6).

A notification is one row per recipient per event (unique), and records when it was e-mailed,
so a retried task sends nothing twice. What a notification shows is re-checked against the
visibility rule whenever it is listed or sent: access lost after it was created means it is
not shown and not sent.

Forum notifications point at a post. Every other kind (review results, event reminders,
project alerts, Knowledge Factory items) points at a *target* — any model registered with
``community.visibility.notification_target`` — carries the subject it is shown with and a link,
and is made idempotent by its ``key`` (one row per recipient per key).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
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
        REVIEW = "review", _("review")
        EVENT = "event", _("event")
        PROJECT_ALERT = "project_alert", _("project alert")
        KNOWLEDGE = "knowledge", _("Knowledge Factory")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    post = models.ForeignKey(
        "community.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Every other kind: what it is about (shown only while the recipient may see it), the
    # words it is shown and e-mailed with, and where it leads.
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    subject = models.CharField(max_length=300, blank=True)
    link = models.CharField(max_length=500, blank=True)
    # What makes a non-forum notification happen once (e.g. "telos:12:v3:approved").
    key = models.CharField(max_length=120, blank=True)
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
            ),
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~Q(key=""),
                name="notification_once_per_key",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=False)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="notification_has_object",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(emailed_at__isnull=True, skipped_at__isnull=True),
                name="notification_unsent",
            )
        ]

    def __str__(self):
        return f"{self.recipient_id}: {self.get_kind_display()} ({self.post_id or self.key})"


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
