"""Challenges and needs of LEAs (SPEC §3.2): the first stage of the uptake process."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.tiers import Tier


class NeedQuerySet(models.QuerySet):
    def visible_to(self, user):
        from community.visibility import need_filter

        return self.filter(need_filter(user))


class Need(models.Model):
    class Source(models.TextChoices):
        DESK_RESEARCH = "desk", _("Desk research (top-down)")
        SURVEY = "survey", _("Survey (bottom-up)")
        INTERVIEW = "interview", _("Interview (bottom-up)")
        COMMUNITY = "community", _("Community discussion")

    class Status(models.TextChoices):
        COLLECTED = "collected", _("Collected")
        ANALYSED = "analysed", _("Analysed")
        PRIORITISED = "prioritised", _("Prioritised")
        SCREENED = "screened", _("Screened")
        MATCHED = "matched", _("Matched to projects")
        SOTA = "sota", _("State-of-the-art study recommended")
        CLOSED = "closed", _("Closed")

    class OutOfScope(models.TextChoices):
        TRAINING = "training", _("Training")
        EQUIPMENT = "equipment", _("Equipment")
        STAFFING = "staffing", _("Staffing")
        OTHER = "other", _("Other, not a research question")

    # The workflow (SPEC §3.2): each status and where it may go next. Closing is always possible.
    TRANSITIONS = {
        Status.COLLECTED: {Status.ANALYSED},
        Status.ANALYSED: {Status.PRIORITISED, Status.COLLECTED},
        Status.PRIORITISED: {Status.SCREENED, Status.ANALYSED},
        Status.SCREENED: {Status.MATCHED, Status.SOTA, Status.PRIORITISED},
        Status.MATCHED: {Status.SCREENED},
        Status.SOTA: {Status.SCREENED},
        Status.CLOSED: {Status.COLLECTED},
    }

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20_000)
    domains = models.ManyToManyField(
        "community.Domain", verbose_name=_("domains"), related_name="needs"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    policy_references = models.TextField(
        _("policy references"),
        blank=True,
        help_text=_("Strategies, action plans or reports the need comes from (desk research)."),
    )
    # A need raised in a discussion keeps its thread; the thread's title and link are shown only
    # to who may open the thread (it may move on to another room).
    source_thread = models.ForeignKey(
        "community.Thread",
        verbose_name=_("discussion it came from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
    )
    research_answerable = models.BooleanField(
        _("research can answer it"),
        default=True,
        help_text=_("Needs met by training, equipment or staffing are outside IPUP's scope."),
    )
    out_of_scope_reason = models.CharField(
        _("answered instead by"), max_length=10, choices=OutOfScope.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.COLLECTED
    )
    # The audience, as for rooms: a need from an LEA-only discussion stays LEA-only.
    tier = models.CharField(
        _("audience"), max_length=16, choices=Tier.choices, default=Tier.MEMBERS
    )
    # The room a need was recorded from narrows its audience to that room's, for good
    # (community.visibility.need_filter): a need from a private room stays with its members.
    # PROTECT, not SET_NULL: losing the room would silently widen the need to its whole tier, so
    # a room with needs cannot be deleted (rooms are archived, not deleted). The thread may go
    # (source_thread is SET_NULL) without changing who reads the need.
    room = models.ForeignKey(
        "community.Room",
        verbose_name=_("recorded from the room"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="needs",
    )
    # The weighted score of the last prioritisation it took part in (ipup.ranking).
    priority_score = models.FloatField(_("priority"), null=True, blank=True, editable=False)
    prioritised_by = models.ForeignKey(
        "ipup.Survey",
        verbose_name=_("prioritised by survey"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The global search (ileanet.search): title A, description B. A generated column, computed
    # by PostgreSQL on every write (the services, the admin, an import), so it is never stale
    # and no service has to remember to refresh it; the migration that added it filled it.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("challenge / need")
        verbose_name_plural = _("challenges and needs")
        indexes = [GinIndex(fields=["search_vector"], name="need_search")]
        constraints = [
            models.CheckConstraint(
                condition=Q(research_answerable=True, out_of_scope_reason="")
                | Q(research_answerable=False),
                name="need_scope_reason_only_when_out_of_scope",
            ),
        ]

    def __str__(self):
        return self.title

    def can_move_to(self, status: str) -> bool:
        return status == self.Status.CLOSED or status in self.TRANSITIONS.get(self.status, set())
