"""The holders' documents and their review (SPEC §3.7): drafts, submissions, the coordinators'
decisions, and who is told.

Only the project's holders write its documents; only IPUP coordinators (and community
managers) decide on them — a holder who is also a coordinator does not review their own
project. A submitted version is frozen; the document's state says where the review stands:
draft → submitted → changes requested → resubmitted → approved. An approved document may be
edited again: its approved version stays what members read and what is printed until a newer
version is approved.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.audit import audit_log
from community.models import Notification, User
from community.roles import Role
from community.services.notifications import notification_send
from community.visibility import can_review_project_documents, good_standing_filter

from .. import documents as schemas
from ..models import DocumentKind, DocumentVersion, ProjectDocument, ResearchProject, ReviewComment
from ..permissions import holds_project


def document_for(project: ResearchProject, kind: str) -> ProjectDocument:
    """The project's document of ``kind``, created (empty, or for the ID card filled from the
    project database) the first time it is asked for."""
    if kind not in DocumentKind.values:
        raise ValidationError(_("Unknown document."))
    document, _created = ProjectDocument.objects.get_or_create(
        project=project,
        kind=kind,
        defaults={"draft": schemas.initial_from_project(kind, project)},
    )
    return document


def can_write_document(user, document: ProjectDocument) -> bool:
    return holds_project(user, document.project)


def can_review_document(user, document: ProjectDocument) -> bool:
    return can_review_project_documents(user) and not holds_project(user, document.project)


def _locked(document: ProjectDocument) -> ProjectDocument:
    return ProjectDocument.objects.select_for_update().select_related("project").get(pk=document.pk)


def document_link(document: ProjectDocument) -> str:
    return reverse("ipup:document-detail", args=[document.project_id, document.kind])


@transaction.atomic
def document_draft_save(*, actor: User, document: ProjectDocument, data: dict,
                        partial: bool = False) -> ProjectDocument:  # fmt: skip
    """Save the holders' draft. ``partial`` keeps the answers ``data`` does not mention (the
    API's PATCH); otherwise ``data`` is the whole draft (the form). An incomplete draft is
    fine; a malformed answer is refused and nothing is saved."""
    document = _locked(document)
    if not can_write_document(actor, document):
        raise PermissionDenied
    if not document.is_editable:
        raise ValidationError(
            _("This document is being reviewed: it can be edited again once it is decided.")
        )
    merged = {**document.draft, **data} if partial else data
    document.draft = schemas.validate(document.kind, merged, submit=False)
    document.draft_updated_at, document.draft_updated_by = timezone.now(), actor
    document.save(update_fields=["draft", "draft_updated_at", "draft_updated_by"])
    audit_log(actor=actor, action="document.draft_save", target=document,
              fields=sorted(document.draft))  # fmt: skip
    return document


def _reviewers_for(document: ProjectDocument, previous: DocumentVersion | None):
    """Who is told of a submission: the reviewer who asked for the changes, on a resubmission
    (while they may still review it: they may have left the role or come to hold the
    project); otherwise every IPUP coordinator in good standing."""
    if previous is not None and previous.decided_by_id:
        reviewers = User.objects.filter(pk=previous.decided_by_id)
        eligible = [
            reviewer
            for reviewer in reviewers.filter(good_standing_filter())
            if can_review_document(reviewer, document)
        ]
        if eligible:
            return eligible
    reviewers = User.objects.filter(groups__name=Role.IPUP_COORDINATOR.value)
    return [
        reviewer
        for reviewer in reviewers.filter(good_standing_filter()).distinct()
        if can_review_document(reviewer, document)
    ]


def _holders_of(project: ResearchProject):
    from guardian.shortcuts import get_users_with_perms

    users = get_users_with_perms(
        project, only_with_perms_in=["hold_project"], with_superusers=False
    )
    return users.filter(good_standing_filter())


@transaction.atomic
def document_submit(*, actor: User, document: ProjectDocument) -> DocumentVersion:
    """Freeze the draft as the next version and ask the coordinators to review it. Every
    required question must be answered (the errors name them)."""
    document = _locked(document)
    if not can_write_document(actor, document):
        raise PermissionDenied
    if not document.is_editable:
        raise ValidationError(_("This version is already waiting for review."))
    data = schemas.validate(document.kind, document.draft, submit=True)
    previous = document.latest_version
    if previous is not None and previous.data == data and previous.decision:
        raise ValidationError(_("Nothing has changed since the last version."))
    version = DocumentVersion.objects.create(
        document=document,
        number=(previous.number + 1) if previous else 1,
        data=data,
        submitted_by=actor,
    )
    resubmission = document.state == ProjectDocument.State.CHANGES_REQUESTED
    document.state = (
        ProjectDocument.State.RESUBMITTED if resubmission else ProjectDocument.State.SUBMITTED
    )
    document.latest_version = version
    document.save(update_fields=["state", "latest_version"])
    audit_log(actor=actor, action="document.submit", target=document, version=version.number)
    project = document.project
    for reviewer in _reviewers_for(document, previous if resubmission else None):
        notification_send(
            recipient=reviewer,
            kind=Notification.Kind.REVIEW,
            target=document,
            actor=actor,
            subject=(
                _("%(document)s of %(project)s resubmitted for review (version %(number)d)")
                if resubmission
                else _("%(document)s of %(project)s submitted for review (version %(number)d)")
            )
            % {
                "document": document.get_kind_display(),
                "project": project.acronym or project.title[:80],
                "number": version.number,
            },
            link=reverse("ipup:document-review", args=[project.pk, document.kind]),
            key=f"document:{document.pk}:v{version.number}:submitted",
        )
    return version


@transaction.atomic
def document_review(*, actor: User, document: ProjectDocument, decision: str, note: str = "",
                    comments: list[tuple[str, str]] = ()) -> DocumentVersion:  # fmt: skip
    """Decide on the version waiting for review. Asking for changes needs at least one comment
    (on a part, or the note): the holders must be told what to change. ``comments`` are
    (part key or "", text) pairs."""
    document = _locked(document)
    if not can_review_document(actor, document):
        raise PermissionDenied
    version = document.latest_version
    waiting = (ProjectDocument.State.SUBMITTED, ProjectDocument.State.RESUBMITTED)
    if version is None or version.decision or document.state not in waiting:
        raise ValidationError(_("No version of this document is waiting for review."))
    if decision not in DocumentVersion.Decision.values:
        raise ValidationError(_("Choose a decision."))
    schema = schemas.schema_for(document.kind)
    cleaned = []
    for part, body in comments:
        body = (body or "").strip()
        if not body:
            continue
        if part and schema.part(part) is None:
            raise ValidationError(_("This document has no such part."))
        if len(body) > 4000:
            raise ValidationError(_("A comment may have at most 4000 characters."))
        cleaned.append((part, body))
    note = (note or "").strip()
    if len(note) > 4000:
        raise ValidationError(_("The note may have at most 4000 characters."))
    if decision == DocumentVersion.Decision.CHANGES_REQUESTED and not (cleaned or note):
        raise ValidationError(_("Say what should change: comment on a part or write a note."))
    ReviewComment.objects.bulk_create(
        ReviewComment(version=version, part=part, body=body, author=actor) for part, body in cleaned
    )
    version.decision, version.decided_by, version.decided_at = decision, actor, timezone.now()
    version.review_note = note
    version.save(update_fields=["decision", "decided_by", "decided_at", "review_note"])
    approved = decision == DocumentVersion.Decision.APPROVED
    document.state = (
        ProjectDocument.State.APPROVED if approved else ProjectDocument.State.CHANGES_REQUESTED
    )
    fields = ["state"]
    if approved:
        document.approved_version = version
        fields.append("approved_version")
    document.save(update_fields=fields)
    audit_log(actor=actor, action=f"document.{decision}", target=document,
              version=version.number, comments=len(cleaned))  # fmt: skip
    project = document.project
    for holder in _holders_of(project):
        notification_send(
            recipient=holder,
            kind=Notification.Kind.REVIEW,
            target=document,
            actor=actor,
            subject=(
                _("%(document)s of %(project)s approved (version %(number)d)")
                if approved
                else _("%(document)s of %(project)s: changes requested (version %(number)d)")
            )
            % {
                "document": document.get_kind_display(),
                "project": project.acronym or project.title[:80],
                "number": version.number,
            },
            link=document_link(document),
            key=f"document:{document.pk}:v{version.number}:{decision}",
        )
    if approved:
        from ..tasks import project_pdfs_render_task

        transaction.on_commit(lambda: project_pdfs_render_task.delay(project.pk))
    return version


def presentable_projects():
    """Projects whose three documents each have an approved version: the only ones that may be
    put on an event's agenda (SPEC §3.7: only approved material can be presented)."""
    return ResearchProject.objects.annotate(
        approved_documents=Count("documents", filter=Q(documents__approved_version__isnull=False))
    ).filter(approved_documents=len(DocumentKind.values))


def is_presentable(project: ResearchProject) -> bool:
    return presentable_projects().filter(pk=project.pk).exists()
