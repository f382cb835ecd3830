"""The holders' documents (SPEC §3.7): the project page's section, reading a document, the
holders' form, the coordinators' review and their queue, and the holders' own projects.

Who reads what is the visibility rule (``ProjectDocument.objects.visible_to``): with
``drafts=True`` the holders and coordinators, who see states, versions and comments; without,
every member who may read the approved version. Who writes and who decides is asked of the
services' predicates (``can_write_document``, ``can_review_document``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.visibility import can_review_project_documents, held_by
from ileanet.forms import form_errors_add

from .. import documents as schemas
from ..forms.documents import DocumentForm, initial_for
from ..models import (
    DocumentKind,
    DocumentVersion,
    ProjectDocument,
    ResearchProject,
)
from ..permissions import holds_project
from ..services.documents import (
    can_review_document,
    can_write_document,
    document_draft_save,
    document_for,
    document_review,
    document_submit,
    is_presentable,
)

PER_PAGE = 25
WAITING = (ProjectDocument.State.SUBMITTED, ProjectDocument.State.RESUBMITTED)


def _access_document(user, project_id, kind, *, drafts: bool, for_write=False) -> ProjectDocument:
    """The project's document of ``kind`` if ``user`` may read it (``drafts``: as a holder or
    coordinator); Http404 for a missing and a forbidden one alike. A holder or coordinator
    opening a document nobody started gets it created empty (or filled from the project)."""
    if kind not in DocumentKind.values:
        raise Http404
    project = get_object_or_404(
        ResearchProject.objects.only("pk", "acronym", "title"), pk=project_id
    )
    reader = not for_write and can_review_project_documents(user)
    if drafts and (holds_project(user, project) or reader):
        document_for(project, kind)
    document = (
        ProjectDocument.objects.visible_to(user, drafts=drafts)
        .select_related("project", "latest_version", "approved_version")
        .filter(project=project, kind=kind)
        .first()
    )
    if document is None:
        raise Http404
    return document


def _latest_review(document) -> DocumentVersion | None:
    """The last decided version when it asked for changes: what the holders must act on."""
    version = (
        document.versions.exclude(decision="")
        .select_related("decided_by")
        .prefetch_related("comments")
        .first()
    )
    if version is None or version.decision != DocumentVersion.Decision.CHANGES_REQUESTED:
        return None
    return version


def _comments_by_part(version) -> dict[str, list]:
    by_part: dict[str, list] = {}
    for comment in version.comments.all() if version else ():
        by_part.setdefault(comment.part, []).append(comment)
    return by_part


def _rows_with_comments(kind, data, by_part) -> list[dict]:
    return [
        {**row, "comments": by_part.get(row["part"].key, [])} for row in schemas.rows(kind, data)
    ]


def project_documents_context(user, project) -> dict:
    """What the project page's "Presentation documents" section needs, in one query: every
    document with its state for holders and coordinators, the approved ones for the others."""
    holder = holds_project(user, project)
    privileged = holder or can_review_project_documents(user)
    documents = {
        document.kind: document
        for document in ProjectDocument.objects.visible_to(user, drafts=privileged).filter(
            project=project
        )
    }
    entries = [
        {"kind": kind, "label": label, "document": documents.get(kind)}
        for kind, label in DocumentKind.choices
        if privileged or kind in documents
    ]
    approved = [d for d in documents.values() if d.approved_version_id]
    return {
        "document_entries": entries,
        # The pack needs every document approved: all three visible and approved.
        "documents_pack_ready": len(approved) == len(DocumentKind.values),
        "documents_privileged": privileged,
        "documents_holder": holder,
        "documents_reviewer": privileged and not holder,
        "documents_waiting": WAITING,
    }


@require_http_methods(["GET"])
def document_detail(request, project_id, kind):
    user = request.user
    try:
        document, privileged = _access_document(user, project_id, kind, drafts=True), True
    except Http404:
        document, privileged = _access_document(user, project_id, kind, drafts=False), False
    approved = document.approved_version
    context = {
        "document": document,
        "project": document.project,
        "schema": schemas.schema_for(kind),
        "privileged": privileged,
        "approved_rows": schemas.rows(kind, approved.data) if approved else None,
        "pack_ready": bool(approved) and is_presentable(document.project),
    }
    if privileged:
        review = _latest_review(document)
        by_part = _comments_by_part(review)
        context.update(
            review=review,
            review_rows=_rows_with_comments(kind, review.data, by_part) if review else None,
            review_general=by_part.get("", []),
            versions=document.versions.select_related("submitted_by", "decided_by"),
            can_write=can_write_document(user, document),
            can_review=can_review_document(user, document) and document.state in WAITING,
        )
    return render(request, "ipup/document_detail.html", context)


@require_http_methods(["GET", "POST"])
def document_edit(request, project_id, kind):
    user = request.user
    document = _access_document(user, project_id, kind, drafts=True, for_write=True)
    if not can_write_document(user, document):
        raise Http404
    review = _latest_review(document)
    context = {
        "document": document,
        "project": document.project,
        "schema": schemas.schema_for(kind),
        "review": review,
        "comments": _comments_by_part(review),
    }
    if not document.is_editable:
        version = document.latest_version
        context["waiting_rows"] = schemas.rows(kind, version.data if version else document.draft)
        return render(request, "ipup/document_edit.html", context)
    form = DocumentForm(request.POST or None, kind=kind, initial=initial_for(document.draft))
    if request.method == "POST" and form.is_valid():
        submit, saved = request.POST.get("action") == "submit", False
        try:
            document = document_draft_save(actor=user, document=document, data=form.answers())
            saved = True
            if submit:
                version = document_submit(actor=user, document=document)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            if submit:
                messages.success(
                    request,
                    _("Version %(number)d is submitted: an IPUP coordinator will review it.")
                    % {"number": version.number},
                )
                return redirect("ipup:document-detail", project_id=document.project_id, kind=kind)
            messages.success(request, _("The draft is saved."))
            return redirect("ipup:document-edit", project_id=document.project_id, kind=kind)
        if saved:
            form.add_error(None, _("The draft is saved, but it is not submitted yet."))
    by_part = context["comments"]
    context.update(
        form=form,
        parts=[{**entry, "comments": by_part.get(entry["part"].key, [])} for entry in form.parts()],
        general_comments=by_part.get("", []),
    )
    return render(request, "ipup/document_edit.html", context)


def _review_parts(document, version, previous, typed):
    """Per part of the submitted version: its answers, what changed since the previous
    version, and the comment typed so far."""
    changes = {
        entry["part"].key: entry["changes"]
        for entry in schemas.diff(document.kind, previous.data if previous else {}, version.data)
    }
    return [
        {
            **row,
            "changes": changes.get(row["part"].key, []),
            "comment": typed.get(f"comment-{row['part'].key}", ""),
        }
        for row in schemas.rows(document.kind, version.data)
    ]


@require_http_methods(["GET", "POST"])
def document_review_page(request, project_id, kind):
    user = request.user
    document = _access_document(user, project_id, kind, drafts=True)
    if not can_review_document(user, document):
        raise Http404
    version = document.latest_version
    if document.state not in WAITING or version is None:
        messages.info(request, _("No version of this document is waiting for review."))
        return redirect("ipup:document-detail", project_id=document.project_id, kind=kind)
    errors = []
    if request.method == "POST":
        parts = [part.key for part in schemas.schema_for(kind).parts]
        try:
            document_review(
                actor=user,
                document=document,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
                comments=[(key, request.POST.get(f"comment-{key}", "")) for key in parts],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Your decision is recorded and the holders are told."))
            return redirect("ipup:document-reviews")
    previous = document.versions.filter(number__lt=version.number).first()
    return render(
        request,
        "ipup/document_review.html",
        {
            "document": document,
            "project": document.project,
            "version": version,
            "previous": previous,
            "parts": _review_parts(document, version, previous, request.POST),
            "note": request.POST.get("note", ""),
            "errors": errors,
        },
    )


@require_http_methods(["GET"])
def document_review_list(request):
    user = request.user
    if not can_review_project_documents(user):
        raise Http404
    documents = (
        ProjectDocument.objects.visible_to(user, drafts=True)
        .filter(state__in=WAITING)
        .select_related("project", "latest_version__submitted_by")
        .defer("draft", "latest_version__data", "project__search_vector", "project__embedding")
        .annotate(own=held_by(user))
        .order_by("latest_version__submitted_at", "pk")
    )
    return render(
        request,
        "ipup/document_reviews.html",
        {"page": Paginator(documents, PER_PAGE).get_page(request.GET.get("page"))},
    )


@require_http_methods(["GET"])
def my_projects(request):
    """The projects the member holds, with their documents' states."""
    projects = (
        ResearchProject.objects.filter(held_by(request.user, prefix=""))
        .only("pk", "acronym", "title")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=ProjectDocument.objects.visible_to(request.user, drafts=True).only(
                    "pk", "project_id", "kind", "state", "approved_version_id"
                ),
            )
        )
        .order_by("acronym", "title")
        .distinct()
    )
    rows = []
    for project in projects:
        documents = {document.kind: document for document in project.documents.all()}
        rows.append(
            {
                "project": project,
                "documents": [
                    {"kind": kind, "label": label, "document": documents.get(kind)}
                    for kind, label in DocumentKind.choices
                ],
            }
        )
    return render(request, "ipup/document_my_projects.html", {"rows": rows})
