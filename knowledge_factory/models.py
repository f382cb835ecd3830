"""The Knowledge Factory (SPEC §5): the network's curated repository.

An item is submitted by any member and published by a knowledge manager, who may edit its
metadata and tags, ask for changes or reject it with a reason. Every step is kept in the item's
history (``ItemEvent``) and in the audit log. Who reads an item is decided by
``community.visibility.knowledge_item_filter`` from its access level (a tier, as rooms have):
public, all verified members, or LEA members only.

Search (``knowledge_factory.search`` and the global search) reads two stored, GIN-indexed
vectors kept by ``knowledge_factory.services.item_index``: ``search_vector`` (title A, summary
and tags B, body C) and ``title_vector`` (the title alone), so that a title match is found among
any number of body matches.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager

from community.tiers import Tier


class ItemType(models.TextChoices):
    ARTICLE = "article", _("Article")
    REPORT = "report", _("Report")
    STUDY = "study", _("Study")
    SOTA_REPORT = "sota_report", _("State-of-the-art report")
    DELIVERABLE = "deliverable", _("Project deliverable")
    NEWSLETTER = "newsletter", _("Newsletter")
    EVENT_REPORT = "event_report", _("Event report")
    LINK = "link", _("Link")


class AccessLevel(models.TextChoices):
    """The tiers an item may have (the values are ``community.tiers.Tier``'s)."""

    PUBLIC = Tier.PUBLIC.value, _("Public")
    MEMBERS = Tier.MEMBERS.value, _("All verified members")
    LEA = Tier.LEA.value, _("LEA members only")


class ItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        from community.visibility import knowledge_item_filter

        return self.filter(knowledge_item_filter(user))

    def published(self):
        return self.filter(status=Item.Status.PUBLISHED)


def item_file_path(instance, filename):
    return f"knowledge/{timezone.now():%Y/%m}/{filename}"


class Item(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, waiting for review")
        CHANGES_REQUESTED = "changes", _("Changes requested")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    type = models.CharField(_("type"), max_length=16, choices=ItemType.choices)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=2000)
    body = models.TextField(_("text"), blank=True, max_length=100_000)
    body_html = models.TextField(editable=False, blank=True)
    file = models.FileField(_("file"), upload_to=item_file_path, blank=True, max_length=300)
    source_url = models.URLField(_("source link"), blank=True, max_length=500)
    published_on = models.DateField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("When the work itself was published (not when it was added here)."),
    )
    domains = models.ManyToManyField(
        "community.Domain", verbose_name=_("domains"), blank=True, related_name="knowledge_items"
    )
    tags = TaggableManager(_("tags"), blank=True)
    tier = models.CharField(
        _("access level"), max_length=16, choices=AccessLevel.choices, default=AccessLevel.MEMBERS
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_items",
    )
    project = models.ForeignKey(
        "ipup.ResearchProject",
        verbose_name=_("related project"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_items",
    )
    need = models.ForeignKey(
        "ipup.Need",
        verbose_name=_("related need"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_items",
    )
    # A state-of-the-art study's final report is the item linked to its recommendation.
    sota_recommendation = models.OneToOneField(
        "ipup.SotaRecommendation",
        verbose_name=_("state-of-the-art study"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="final_report_item",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    # The knowledge manager's reason, shown to the author, for the last "changes" or "rejected".
    review_note = models.TextField(_("reviewer's note"), blank=True, max_length=4000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    search_vector = SearchVectorField(null=True, editable=False)
    title_vector = SearchVectorField(null=True, editable=False)
    # The year of the search's facet: the work's publication, else its publication here. Kept
    # by PostgreSQL (a generated column), so that the facet counts a column, not an expression.
    facet_year = models.GeneratedField(
        expression=Coalesce(ExtractYear("published_on"), ExtractYear("published_at")),
        output_field=models.IntegerField(null=True),
        db_persist=True,
    )

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-submitted_at", "-id"]
        verbose_name = _("Knowledge Factory item")
        verbose_name_plural = _("Knowledge Factory items")
        indexes = [
            GinIndex(fields=["search_vector"], name="kf_item_search"),
            GinIndex(fields=["title_vector"], name="kf_item_title_search"),
            models.Index(
                fields=["-published_at"],
                condition=Q(status="published"),
                name="kf_item_published",
            ),
            models.Index(fields=["status", "submitted_at"], name="kf_item_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="kf_published_has_date",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("knowledge_factory:item", args=[self.pk])

    @property
    def year(self):
        return (self.published_on or (self.published_at or self.submitted_at).date()).year


class ItemEvent(models.Model):
    """One step of an item's history: who did what, when, and why."""

    class Action(models.TextChoices):
        # What the history says after the member's name ("Rosa submitted"): its own context,
        # apart from the same English words used as labels elsewhere.
        SUBMITTED = "submitted", pgettext_lazy("knowledge history", "submitted")
        EDITED = "edited", pgettext_lazy("knowledge history", "edited")
        RESUBMITTED = "resubmitted", pgettext_lazy("knowledge history", "resubmitted")
        CHANGES_REQUESTED = "changes", pgettext_lazy("knowledge history", "asked for changes")
        REJECTED = "rejected", pgettext_lazy("knowledge history", "rejected")
        PUBLISHED = "published", pgettext_lazy("knowledge history", "published")
        UNPUBLISHED = "unpublished", pgettext_lazy("knowledge history", "unpublished")
        WITHDRAWN = "withdrawn", pgettext_lazy("knowledge history", "withdrew")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    note = models.TextField(_("note"), blank=True, max_length=4000)
    # Field name -> [before, after] for the fields an edit changed.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "created_at", "id"]
        verbose_name = _("item history entry")
        verbose_name_plural = _("item history")

    def __str__(self):
        return f"{self.item_id} {self.action}"


class Follow(models.Model):
    """A member follows a tag or a domain: each new published item with it that they may read
    notifies them (immediately or in their digest, as they chose)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_follows"
    )
    domain = models.ForeignKey(
        "community.Domain", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tag = models.ForeignKey(
        "taggit.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("followed tag or domain")
        verbose_name_plural = _("followed tags and domains")
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__isnull=False, tag__isnull=True)
                | Q(domain__isnull=True, tag__isnull=False),
                name="kf_follow_one_thing",
            ),
            models.UniqueConstraint(
                fields=["member", "domain"],
                condition=Q(domain__isnull=False),
                name="kf_follow_domain_once",
            ),
            models.UniqueConstraint(
                fields=["member", "tag"], condition=Q(tag__isnull=False), name="kf_follow_tag_once"
            ),
        ]

    def __str__(self):
        return f"{self.member_id} → {self.domain_id or self.tag_id}"


class ReaderFeed(models.Model):
    """The secret in the address of a member's personal Atom feed of new items (feed readers
    cannot sign in); a new one can be made at any time, which stops the old address."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("personal feed")
        verbose_name_plural = _("personal feeds")

    def __str__(self):
        return str(self.member_id)


class Newsletter(models.Model):
    """A periodic newsletter: the period's public and members' items (never LEA-only ones), with
    an introduction the knowledge manager writes, rendered to PDF (``ileanet.pdf``). Publishing
    it makes it an item of type "newsletter" (members' access level) with its PDF attached."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    introduction = models.TextField(
        pgettext_lazy("newsletter", "introduction"), blank=True, max_length=20_000
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    item = models.OneToOneField(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="newsletter"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end"], name="kf_newsletter_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="kf_newsletter_period_ordered",
            ),
        ]

    def __str__(self):
        return self.title


class CatalogueVersion(models.Model):
    """One row, given a new token in the same transaction as every write to items
    (``knowledge_factory.indexing.item_index``). The Knowledge Factory page's cached counts
    are keyed by it: once a change commits, no count made before it is read again."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self):
        return self.token
