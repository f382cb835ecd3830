"""The research project database (SPEC §3.5, §3.6): EU security research projects, their
consortium and points of contact, the members who hold them, and the screening of needs
against them (candidate projects with a judgement, state-of-the-art study recommendations).

A project's public facts (from CORDIS and the other open-data sources) are read by every
signed-in member; its points of contact are personal data and are shown under the rule in
``ipup.permissions``. Who holds a project (may edit it) is a django-guardian grant on the
project (``hold_project``)."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from taggit.managers import TaggableManager


class ResearchProject(models.Model):
    class Source(models.TextChoices):
        CORDIS = "cordis", _("CORDIS")
        OPEN_SECURITY_DATA = "osd", _("Open Security Data Europe")
        MANUAL = "manual", _("Entered on the platform")

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        ONGOING = "ongoing", _("Ongoing")
        ENDED = "ended", _("Ended")

    # Where the row came from and its id there: a re-import updates the row, never duplicates it.
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_id = models.CharField(_("id at the source"), max_length=64)
    acronym = models.CharField(_("acronym"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=600)
    programme = models.CharField(_("programme"), max_length=100, blank=True)
    call = models.CharField(_("call"), max_length=300, blank=True)
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    domains = models.ManyToManyField(
        "community.Domain", verbose_name=_("domains"), blank=True, related_name="projects"
    )
    tags = TaggableManager(_("tags"), blank=True)
    website = models.URLField(_("website"), blank=True, max_length=500)
    source_url = models.URLField(_("page at the source"), blank=True, max_length=500)
    total_cost = models.DecimalField(
        _("total cost (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    eu_contribution = models.DecimalField(
        _("EU contribution (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Full-text search (weighted acronym/title, then summary/objectives), kept by the services.
    search_vector = SearchVectorField(null=True, editable=False)
    # The sentence embedding of title and objectives (float32 bytes) and the model that made it
    # (ipup.embeddings), computed by a Celery task on save and on import.
    embedding = models.BinaryField(null=True, editable=False)
    embedding_model = models.CharField(max_length=60, blank=True, editable=False)
    # Set while a point of contact is past the verification age and has not confirmed.
    contacts_stale_since = models.DateTimeField(
        _("contacts stale since"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-start_date", "acronym"]
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")
        permissions = [("hold_project", _("Holds the project (edits it)"))]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="project_once_per_source"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="project_search"),
            models.Index(fields=["programme"], name="project_programme"),
            models.Index(fields=["start_date", "end_date"], name="project_dates"),
        ]

    def __str__(self):
        return f"{self.acronym} — {self.title}" if self.acronym else self.title

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if self.start_date and today < self.start_date:
            return self.Status.UPCOMING
        if self.end_date and today > self.end_date:
            return self.Status.ENDED
        return self.Status.ONGOING

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label


class ProjectUserObjectPermission(UserObjectPermissionBase):
    """Guardian grants on projects with a real foreign key (project holders)."""

    content_object = models.ForeignKey(
        ResearchProject, on_delete=models.CASCADE, related_name="grants"
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("project grant")
        verbose_name_plural = _("project grants")


class ProjectParticipant(models.Model):
    """An organisation of the consortium (the managed organisations of community)."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PARTICIPANT = "participant", _("Participant")
        PARTNER = "partner", _("Partner")
        THIRD_PARTY = "third_party", _("Third party")
        ASSOCIATED = "associated", _("Associated partner")

    project = models.ForeignKey(
        ResearchProject, on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.CASCADE, related_name="project_roles"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    eu_contribution = models.DecimalField(
        _("EU contribution (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["project", "role", "organisation__name"]
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="participant_once_per_project"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class ProjectContact(models.Model):
    """A point of contact of a project. Their details rot once the project ends (SPEC §3.5):
    ``verified_at`` says when they last confirmed them (ipup.services.contacts)."""

    project = models.ForeignKey(ResearchProject, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    function = models.CharField(_("function"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "community.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["project", "name"]
        verbose_name = _("point of contact")
        verbose_name_plural = _("points of contact")

    def __str__(self):
        return f"{self.name} <{self.email}>"


class ContactCheck(models.Model):
    """One "are these details still right?" e-mail to one contact in one round. The unique row
    makes a retried round a no-op; only the token's hash is kept, and it works once, until
    ``expires_at``."""

    contact = models.ForeignKey(ProjectContact, on_delete=models.CASCADE, related_name="checks")
    round = models.DateField(_("round"))
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    status = models.CharField(
        max_length=8,
        choices=[("pending", _("waiting")), ("sent", _("sent")), ("failed", _("failed"))],
        default="pending",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-round", "contact"]
        verbose_name = _("contact check")
        verbose_name_plural = _("contact checks")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "round"], name="contact_checked_once_a_round"
            )
        ]

    def __str__(self):
        return f"{self.contact} {self.round:%Y-%m-%d}: {self.status}"


class ProjectClaim(models.Model):
    """A member asks to hold a project (their own project); an IPUP coordinator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    project = models.ForeignKey(ResearchProject, on_delete=models.CASCADE, related_name="claims")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_claims"
    )
    message = models.TextField(_("your role in the project"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("project claim")
        verbose_name_plural = _("project claims")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "member"],
                condition=Q(status="pending"),
                name="project_claim_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.member} → {self.project}"


class ScreeningCandidate(models.Model):
    """A project considered for a need (SPEC §3.6), with the scores that proposed it and the
    coordinator's judgement."""

    class Judgement(models.TextChoices):
        PENDING = "", _("Not judged yet")
        MEETS = "meets", _("Meets the need")
        PARTIAL = "partial", _("Partially meets the need")
        NOT_MET = "not_met", _("Does not meet the need")

    need = models.ForeignKey(
        "ipup.Need", on_delete=models.CASCADE, related_name="screening_candidates"
    )
    project = models.ForeignKey(
        ResearchProject, on_delete=models.CASCADE, related_name="screenings"
    )
    judgement = models.CharField(
        _("judgement"), max_length=8, choices=Judgement.choices, blank=True, default=""
    )
    note = models.TextField(_("note"), blank=True, max_length=4000)
    # The blend that proposed it and its parts (ipup.screening), kept as they were then.
    score = models.FloatField(_("score"), default=0.0)
    text_relevance = models.FloatField(default=0.0)
    similarity = models.FloatField(default=0.0)
    domain_overlap = models.FloatField(default=0.0)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    judged_at = models.DateTimeField(_("judged"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["need", "-score"]
        verbose_name = _("screening candidate")
        verbose_name_plural = _("screening candidates")
        constraints = [
            models.UniqueConstraint(fields=["need", "project"], name="candidate_once_per_need")
        ]

    def __str__(self):
        return f"{self.need} ↔ {self.project}"


class SotaRecommendation(models.Model):
    """When no project meets a need: a state-of-the-art study to commission (SPEC §3.6)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        TENDERING = "tendering", _("Tendering")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    TRANSITIONS = {
        Status.PROPOSED: {Status.TENDERING},
        Status.TENDERING: {Status.IN_PROGRESS, Status.PROPOSED},
        Status.IN_PROGRESS: {Status.COMPLETED},
        Status.COMPLETED: set(),
    }

    need = models.ForeignKey(
        "ipup.Need", on_delete=models.CASCADE, related_name="sota_recommendations"
    )
    topic = models.CharField(_("topic"), max_length=300)
    rationale = models.TextField(_("rationale"), max_length=10_000)
    scope = models.TextField(_("scope"), max_length=10_000)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    final_report_url = models.URLField(_("final report"), blank=True, max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["need", "-created_at"]
        verbose_name = _("state-of-the-art study recommendation")
        verbose_name_plural = _("state-of-the-art study recommendations")

    def __str__(self):
        return self.topic
