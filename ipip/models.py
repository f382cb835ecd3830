"""The Project Intake Process (SPEC §4): checklists of good practice for the life of a research
project, their adoption per project, and the alerts that follow projects' milestones.

A checklist template is versioned: a published version is never edited (a change makes a new
version), so a project keeps the version it adopted. Items carry a ``key`` that stays the same
from one version to the next while the practice is the same: adopting a newer version carries
over the state of every item whose key it keeps.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChecklistTemplate(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("what changed"), blank=True, max_length=4000)
    # None while the version is a draft being edited; set once, when it is published.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self):
        return f"{self.title} v{self.version}"


class ChecklistStage(models.Model):
    class Key(models.TextChoices):
        IDEA = "idea", _("Before the project idea")
        BEFORE = "before", _("Before the start")
        DURING = "during", _("During the project")
        AFTER = "after", _("After the project")
        EU = "eu", _("EU-level recommendations")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(_("stage"), max_length=10, choices=Key.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("checklist stage")
        verbose_name_plural = _("checklist stages")
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="checklist_stage_once")
        ]

    def __str__(self):
        return self.get_key_display()


class ChecklistItem(models.Model):
    stage = models.ForeignKey(ChecklistStage, on_delete=models.CASCADE, related_name="items")
    # The same practice keeps its key across versions (its state carries over on adoption).
    key = models.SlugField(_("key"), max_length=80)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    text = models.CharField(_("practice"), max_length=500)
    help_text = models.TextField(_("how to do it"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage__position", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="checklist_item_key_once")
        ]

    def __str__(self):
        return self.text


class ProjectChecklist(models.Model):
    """A research project's adoption of one version of the checklist."""

    project = models.OneToOneField(
        "ipup.ResearchProject", on_delete=models.CASCADE, related_name="checklist"
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="adoptions"
    )
    adopted_at = models.DateTimeField(_("adopted"), default=timezone.now)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("project checklist")
        verbose_name_plural = _("project checklists")

    def __str__(self):
        return f"{self.project} — v{self.template.version}"


class ItemState(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    checklist = models.ForeignKey(ProjectChecklist, on_delete=models.CASCADE, related_name="states")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="states")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    reason = models.CharField(_("why it does not apply"), max_length=500, blank=True)
    evidence_note = models.TextField(_("evidence"), blank=True, max_length=4000)
    evidence_link = models.URLField(_("evidence link"), blank=True, max_length=500)
    evidence_file = models.FileField(
        _("evidence file"), upload_to="ipip/evidence/%Y/%m/", blank=True, max_length=300
    )
    date = models.DateField(_("date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["checklist", "item__stage__position", "item__position", "item_id"]
        verbose_name = _("checklist item state")
        verbose_name_plural = _("checklist item states")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item"], name="item_state_once"),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | ~Q(reason=""),
                name="not_applicable_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.checklist_id}/{self.item_id}: {self.status}"


class Follow(models.Model):
    """A member following a domain or a project, for alerts (SPEC §4.3)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    domain = models.ForeignKey(
        "community.Domain", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        "ipup.ResearchProject", on_delete=models.CASCADE, null=True, blank=True,
        related_name="followers",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__isnull=True, project__isnull=False)
                | Q(domain__isnull=False, project__isnull=True),
                name="follow_one_thing",
            ),
            models.UniqueConstraint(
                fields=["member", "domain"], condition=Q(domain__isnull=False),
                name="follow_domain_once",
            ),
            models.UniqueConstraint(
                fields=["member", "project"], condition=Q(project__isnull=False),
                name="follow_project_once",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.member_id} → {self.domain_id or self.project_id}"


class ProjectAlert(models.Model):
    """One milestone of one project (its start, mid-term, approaching end, or an after-project
    reminder to its holders), recorded once on the day it is due: the daily run creates the
    row before it notifies, so a second run the same day, or a run catching up after downtime,
    finds it and sends nothing twice."""

    class Kind(models.TextChoices):
        START = "start", _("Project starts")
        MIDTERM = "midterm", _("Project at mid-term")
        ENDING = "ending", _("Project approaching its end")
        AFTER = "after", _("After-project checklist reminder")

    project = models.ForeignKey(
        "ipup.ResearchProject", on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("alert"), max_length=10, choices=Kind.choices)
    due_on = models.DateField(_("due"))
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("project alert")
        verbose_name_plural = _("project alerts")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="project_alert_once")
        ]

    def __str__(self):
        return f"{self.project_id} {self.kind} {self.due_on}"


class AlertRun(models.Model):
    """The last day the daily alert task covered: the next run starts the day after."""

    day = models.DateField(unique=True)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("alert run")
        verbose_name_plural = _("alert runs")

    def __str__(self):
        return str(self.day)
