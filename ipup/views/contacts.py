"""Living contacts: the page a project's point of contact reaches from the verification e-mail
(no account needed), and the coordinators' list of stale projects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..forms.contacts import ContactUpdateForm
from ..models import ProjectContact
from ..permissions import can_manage_projects
from ..services.contacts import (
    CONTACT_FIELDS,
    contact_check_for_token,
    contact_check_remind,
    contact_confirm,
    stale_projects,
    verification_cutoff,
)

# A link that never existed answers 404; one used or expired 410, with a sentence the visitor
# can act on. Neither names the project or the contact.
STATUS_FOR = {"invalid": 404, "used": 410, "expired": 410}
PROJECTS_PER_PAGE = 50


def _link_refused(request, error: ValidationError):
    return render(
        request,
        "ipup/contact_message.html",
        {"message": error.messages[0]},
        status=STATUS_FOR[error.code],
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def contact_confirm_page(request, token):
    try:
        check = contact_check_for_token(token)
    except ValidationError as error:
        return _link_refused(request, error)
    contact = check.contact
    action = request.POST.get("action")
    form = ContactUpdateForm(
        request.POST if action == "update" else None,
        initial={field: getattr(contact, field) for field in CONTACT_FIELDS},
    )
    status = 200
    if request.method == "POST":
        if action == "confirm" or (action == "update" and form.is_valid()):
            try:
                contact_confirm(
                    token=token,
                    still_valid=action == "confirm",
                    changes=form.cleaned_data if action == "update" else None,
                )
            except ValidationError as error:
                if getattr(error, "code", None) in STATUS_FOR:  # answered in another tab
                    return _link_refused(request, error)
                form.add_error(None, error.messages)
            else:
                return render(
                    request,
                    "ipup/contact_message.html",
                    {"message": _("Thank you: your details are confirmed."), "done": True},
                )
        status = 400
    return render(
        request,
        "ipup/contact_confirm.html",
        {"contact": contact, "project": contact.project, "form": form},
        status=status,
    )


@require_http_methods(["GET"])
def stale_project_list(request):
    if not can_manage_projects(request.user):
        raise Http404
    page = Paginator(stale_projects(), PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ipup/contact_stale_projects.html",
        {"page": page, "cutoff": verification_cutoff()},
    )


@require_http_methods(["POST"])
def contact_remind(request, pk):
    if not can_manage_projects(request.user):
        raise Http404
    contact = get_object_or_404(ProjectContact, pk=pk)
    try:
        contact_check_remind(actor=request.user, contact=contact, today=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("A new link is on its way to %(name)s.") % {"name": contact.name}
        )
    url = reverse("ipup:stale-projects")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)
