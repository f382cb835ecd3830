"""Vetting pages for community managers: rejecting a verification or asking for evidence, and
the invitations (listed, resent, revoked, sent to a list). Members resend and revoke their own
invitations from the invitation page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ileanet.forms import form_errors_add

from ..forms import InvitationImportForm, MemberOrganisationForm, VerificationMessageForm
from ..models import Invitation, User
from ..roles import is_community_manager
from ..selectors.members import invitation_list_for_managers, verification_decisions_of
from ..services import invitation_revoke as invitation_revoke_service
from ..services import vetting as services
from .moderation import _require_manager

INVITATIONS_PER_PAGE = 50


def verification_context(member, *, form=None, reject_form=None, evidence_form=None) -> dict:
    """What the page deciding on a member's verification shows (views.members uses it too)."""
    return {
        "member": member,
        "form": form or MemberOrganisationForm(None, member=member),
        "reject_form": reject_form or VerificationMessageForm(prefix="reject"),
        "evidence_form": evidence_form or VerificationMessageForm(prefix="evidence"),
        "decisions": verification_decisions_of(member),
    }


@require_http_methods(["POST"])
def verification_message(request, pk, kind):
    """Reject the verification, or ask the member for evidence: a message they receive."""
    _require_manager(request.user)
    member = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    form = VerificationMessageForm(request.POST, prefix=kind)
    service = {"reject": services.affiliation_reject, "evidence": services.evidence_request}
    if form.is_valid():
        try:
            service[kind](actor=request.user, member=member, message=form.cleaned_data["message"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            done = {
                "reject": _("%(member)s is told their affiliation could not be verified."),
                "evidence": _("%(member)s is asked for evidence; their answer comes to you."),
            }
            messages.success(request, done[kind] % {"member": member})
            return redirect("community:verification-list")
    context = verification_context(member, **{f"{kind}_form": form})
    return render(request, "community/verification_form.html", context)


# --- Invitations ------------------------------------------------------------------------------


@require_http_methods(["GET"])
def invitation_list(request):
    _require_manager(request.user)
    show_all = request.GET.get("all") == "1"
    page = Paginator(
        invitation_list_for_managers(open_only=not show_all), INVITATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "community/invitation_list.html", {"page": page, "show_all": show_all})


def _back(request):
    """Managers come from the invitations list, members from their invitation page."""
    if is_community_manager(request.user) and request.POST.get("from") == "list":
        return redirect("community:invitation-list")
    return redirect("community:invitation-create")


@require_http_methods(["POST"])
def invitation_resend(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.invitation_resend(actor=request.user, invitation=invitation)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation is sent again; the previous link no longer works.")
        )
    return _back(request)


@require_http_methods(["POST"])
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitation_revoke_service(actor=request.user, invitation=invitation)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation is withdrawn: its link no longer works."))
    return _back(request)


@require_http_methods(["GET", "POST"])
def invitation_import(request):
    """Upload a CSV, see each line checked, then confirm: the lines without error are invited."""
    _require_manager(request.user)
    form = InvitationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and request.POST.get("confirm"):
        try:
            invitations = services.invitations_import(
                actor=request.user, rows=form.rows, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            count = len(invitations)
            messages.success(
                request,
                ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count)
                % {"count": count},
            )
            return redirect("community:invitation-list")
    preview = request.method == "POST" and bool(form.rows or form.row_errors)
    return render(request, "community/invitation_import.html", {"form": form, "preview": preview})
