"""The research project database (SPEC §3.5): list and search, the project page, the holders'
edits, claims and the coordinators' grants."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.models import Domain, User
from community.selectors.directory import member_list_for
from ileanet.forms import form_errors_add

from ..forms.contacts import ContactUpdateForm
from ..forms.projects import MemberSearchForm, ProjectClaimForm, ProjectFilterForm, ProjectForm
from ..models import ProjectClaim, ProjectParticipant, ResearchProject
from ..permissions import (
    can_claim_project,
    can_edit_project,
    can_manage_projects,
    can_see_contact_details,
)
from ..selectors import project_list_for
from ..services.contacts import CONTACT_FIELDS
from ..services.projects import (
    project_claim_create,
    project_claim_decide,
    project_contact_remove,
    project_contact_save,
    project_holder_grant,
    project_holder_revoke,
    project_update,
)
from .documents import project_documents_context

PER_PAGE = 25


def _project(pk) -> ResearchProject:
    return get_object_or_404(
        ResearchProject.objects.defer("search_vector", "embedding").prefetch_related(
            Prefetch("domains", queryset=Domain.objects.order_by("position")), "tags"
        ),
        pk=pk,
    )


def _editable_project(user, pk) -> ResearchProject:
    """A project ``user`` may edit; 404 otherwise, as for one that does not exist."""
    project = _project(pk)
    if not can_edit_project(user, project):
        raise Http404
    return project


def _holders(project):
    return User.objects.filter(
        pk__in=project.grants.filter(permission__codename="hold_project").values("user_id")
    ).order_by("last_name", "first_name")


@require_http_methods(["GET"])
def project_list(request):
    form = ProjectFilterForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    projects = project_list_for(request.user, filters=form.cleaned_data if valid else {})
    if form.is_bound and not valid:
        projects = projects.none()
    return render(
        request,
        "ipup/project_list.html",
        {"form": form, "page": Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))},
    )


@require_http_methods(["GET"])
def project_detail(request, pk):
    project = _project(pk)
    manager = can_manage_projects(request.user)
    return render(
        request,
        "ipup/project_detail.html",
        {
            "project": project,
            "participants": ProjectParticipant.objects.filter(project=project).select_related(
                "organisation"
            ),
            "contacts": project.contacts.select_related("organisation"),
            "contact_details": can_see_contact_details(request.user, project),
            "can_edit": can_edit_project(request.user, project),
            "can_manage": manager,
            "can_claim": can_claim_project(request.user, project),
            "claimed": project.claims.filter(
                member=request.user, status=ProjectClaim.Status.PENDING
            ).exists(),
            "holders": _holders(project) if manager else None,
            "claims": (
                project.claims.filter(status=ProjectClaim.Status.PENDING).select_related("member")
                if manager
                else None
            ),
            **project_documents_context(request.user, project),
        },
    )


@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = _editable_project(request.user, pk)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project_update(
                actor=request.user,
                project=project,
                tags=data["tags"],
                domains=data["domains"],
                **{name: data[name] for name in ("summary", "objectives", "trl", "website")},
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("ipup:project-detail", pk=project.pk)
    return render(request, "ipup/project_form.html", {"form": form, "project": project})


@require_http_methods(["GET", "POST"])
def project_claim(request, pk):
    project = _project(pk)
    if not can_claim_project(request.user, project):
        raise Http404
    form = ProjectClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project_claim_create(
                actor=request.user, project=project, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your request is sent to the IPUP coordinators."))
            return redirect("ipup:project-detail", pk=project.pk)
    return render(request, "ipup/project_claim.html", {"form": form, "project": project})


@require_http_methods(["GET", "POST"])
def project_holders(request, pk):
    """Coordinators pick a member by name (among the members the directory shows them) to hold
    the project, or revoke a holder."""
    if not can_manage_projects(request.user):
        raise Http404
    project = _project(pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "grant":
            # Only a member the directory shows the coordinator can be picked.
            member = member_list_for(request.user).filter(pk=request.POST.get("member")).first()
        else:
            member = _holders(project).filter(pk=request.POST.get("member")).first()
        if member is None or action not in ("grant", "revoke"):
            messages.error(request, _("Choose a member from the list."))
            return redirect("ipup:project-holders", pk=project.pk)
        try:
            if action == "grant":
                project_holder_grant(actor=request.user, project=project, member=member)
            else:
                project_holder_revoke(actor=request.user, project=project, member=member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The project's holders are changed."))
        return redirect("ipup:project-holders", pk=project.pk)
    form = MemberSearchForm(request.GET or None)
    found = (
        member_list_for(request.user, filters={"q": form.cleaned_data["q"]})[:20]
        if form.is_bound and form.is_valid()
        else None
    )
    return render(
        request,
        "ipup/project_holders.html",
        {"project": project, "form": form, "found": found, "holders": _holders(project)},
    )


@require_http_methods(["GET"])
def project_claim_list(request):
    if not can_manage_projects(request.user):
        raise Http404
    claims = ProjectClaim.objects.filter(status=ProjectClaim.Status.PENDING).select_related(
        "project", "member"
    )
    return render(
        request,
        "ipup/project_claims.html",
        {"page": Paginator(claims, PER_PAGE).get_page(request.GET.get("page"))},
    )


@require_http_methods(["POST"])
def project_claim_decision(request, claim_id):
    if not can_manage_projects(request.user):
        raise Http404
    claim = get_object_or_404(ProjectClaim, pk=claim_id)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Approve or decline the claim."))
        return redirect("ipup:project-claims")
    try:
        project_claim_decide(
            actor=request.user,
            claim=claim,
            approve=decision == "approve",
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The claim is decided."))
    return redirect("ipup:project-claims")


@require_http_methods(["GET", "POST"])
def project_contacts(request, pk, contact_id=None):
    """Holders keep the points of contact: the list with a form to add one, or to correct the
    one named by ``contact_id``."""
    project = _editable_project(request.user, pk)
    contacts = project.contacts.order_by("name", "pk")
    contact = get_object_or_404(contacts, pk=contact_id) if contact_id else None
    initial = {name: getattr(contact, name) for name in CONTACT_FIELDS} if contact else None
    form = ContactUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project_contact_save(
                actor=request.user, project=project, contact=contact, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The point of contact is saved."))
            return redirect("ipup:project-contacts", pk=project.pk)
    return render(
        request,
        "ipup/project_contacts.html",
        {"project": project, "contacts": contacts, "contact": contact, "form": form},
    )


@require_http_methods(["POST"])
def project_contact_delete(request, pk, contact_id):
    project = _editable_project(request.user, pk)
    project_contact_remove(
        actor=request.user, contact=get_object_or_404(project.contacts, pk=contact_id)
    )
    messages.success(request, _("The point of contact is removed."))
    return redirect("ipup:project-contacts", pk=project.pk)
