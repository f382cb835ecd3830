"""What a project holder writes for LEAs (SPEC §3.7): the Project ID card, the TELOS assessment
and the scenario, and their review by IPUP coordinators.

Each document is one row per project and kind, holding the holder's working draft. Submitting
freezes the draft into a numbered ``DocumentVersion`` (never changed afterwards); a coordinator
decides on that version — changes requested, with comments anchored to a part, or approved. The
approved version is the one shown to members and printed (ipup.pdfs); a later draft does not
replace it until it is approved in turn. Which parts and questions a document has is defined
once, in ``ipup.documents``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("Project ID card")
    TELOS = "telos", _("TELOS assessment")
    SCENARIO = "scenario", _("Scenario")


class ProjectDocumentQuerySet(models.QuerySet):
    def visible_to(self, user, *, drafts: bool = False):
        from community.visibility import project_document_filter

        return self.filter(project_document_filter(user, drafts=drafts))


class ProjectDocument(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        APPROVED = "approved", _("Approved")

    # States in which the holders may edit the draft (a submitted version waits for review).
    EDITABLE = (State.DRAFT, State.CHANGES_REQUESTED, State.APPROVED)

    project = models.ForeignKey(
        "ipup.ResearchProject", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=10, choices=DocumentKind.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    # The holders' working copy: {field key: value}, keys and limits from ipup.documents.
    draft = models.JSONField(default=dict, blank=True)
    draft_updated_at = models.DateTimeField(null=True, blank=True)
    draft_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    latest_version = models.ForeignKey(
        "ipup.DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    approved_version = models.ForeignKey(
        "ipup.DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProjectDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["project", "kind"]
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="project_document_once")
        ]

    def __str__(self):
        return f"{self.project} — {self.get_kind_display()}"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE


class DocumentVersion(models.Model):
    """A submitted version, frozen. The coordinator's decision is recorded on it."""

    class Decision(models.TextChoices):
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")

    document = models.ForeignKey(ProjectDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    review_note = models.TextField(_("note to the holders"), blank=True, max_length=4000)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_once"),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_at__isnull=False),
                name="document_decision_dated",
            ),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class ReviewComment(models.Model):
    """A reviewer's comment on one part of a submitted version (``part`` is a part key of
    ipup.documents, empty for the document as a whole)."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="comments")
    part = models.CharField(_("part"), max_length=40, blank=True)
    body = models.TextField(_("comment"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self):
        return f"{self.version} / {self.part or '—'}"


class ProjectPdf(models.Model):
    """A rendered PDF of a project's approved document (or of the pack of the three), kept until
    what it was rendered from changes: ``source_key`` names the approved versions it shows."""

    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("Project ID card")
        TELOS = "telos", _("TELOS assessment")
        SCENARIO = "scenario", _("Scenario")
        PACK = "pack", _("Presentation pack")

    project = models.ForeignKey(
        "ipup.ResearchProject", on_delete=models.CASCADE, related_name="pdfs"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_key = models.CharField(max_length=100)
    content = models.BinaryField()
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project PDF")
        verbose_name_plural = _("project PDFs")
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="project_pdf_once")]

    def __str__(self):
        return f"{self.project_id} {self.kind} ({self.source_key})"
