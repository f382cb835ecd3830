"""Community news and the network calendar (SPEC §2.7). Both carry an audience tier, read
through the same rule as rooms (community.visibility.audience_filter)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from community.tiers import Tier

from .members import AffiliationType, Domain, RoleLevel


class AudienceQuerySet(models.QuerySet):
    def visible_to(self, user):
        from community.visibility import audience_filter

        return self.filter(audience_filter(user))


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed (address refused)")
    SKIPPED = "skipped", _("skipped (no longer a recipient)")


class NewsPost(models.Model):
    class EmailTo(models.TextChoices):
        NOBODY = "nobody", _("Nobody: home page only")
        ALL = "all", _("Every member who can read it")
        SEGMENT = "segment", _("A segment of them")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), max_length=20_000)
    body_html = models.TextField(editable=False)
    tier = models.CharField(
        _("audience"), max_length=16, choices=Tier.choices, default=Tier.MEMBERS
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    email_to = models.CharField(
        _("e-mail it to"), max_length=8, choices=EmailTo.choices, default=EmailTo.NOBODY
    )
    # The segment (email_to=segment): each list, when not empty, narrows the recipients.
    segment_affiliations = ArrayField(
        models.CharField(max_length=12, choices=AffiliationType.choices),
        verbose_name=_("affiliations"),
        default=list,
        blank=True,
    )
    segment_countries = CountryField(_("countries"), multiple=True, blank=True)
    segment_role_levels = ArrayField(
        models.CharField(max_length=12, choices=RoleLevel.choices),
        verbose_name=_("role levels"),
        default=list,
        blank=True,
    )
    segment_domains = models.ManyToManyField(
        Domain, verbose_name=_("domains"), blank=True, related_name="+"
    )
    emailing_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailing_finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AudienceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    def __str__(self):
        return self.title


class NewsDelivery(models.Model):
    """One row per recipient of a news e-mail; its status is committed with the send, so a
    retried or restarted sending never e-mails anyone twice (community.outbox)."""

    news = models.ForeignKey(NewsPost, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("news e-mail")
        verbose_name_plural = _("news e-mails")
        constraints = [
            models.UniqueConstraint(fields=["news", "recipient"], name="news_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["news", "id"],
                condition=Q(status="pending"),
                name="news_delivery_pending",
            )
        ]

    def __str__(self):
        return f"{self.news_id} → {self.recipient_id}: {self.status}"


class Event(models.Model):
    """An event in the network calendar."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        CONTACTS_MEETING = "contacts", _("National contacts' meeting")
        WEBINAR = "webinar", _("Webinar")
        SHOWCASE = "showcase", _("Showcase event")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WORKSHOP)
    description = models.TextField(_("description (Markdown)"), blank=True, max_length=20_000)
    description_html = models.TextField(editable=False, blank=True)
    tier = models.CharField(
        _("audience"), max_length=16, choices=Tier.choices, default=Tier.MEMBERS
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Calendar apps compare SEQUENCE/LAST-MODIFIED to take an update.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = AudienceQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title
