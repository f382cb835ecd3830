from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ileanet import ratelimit
from ileanet.forms import form_errors_add
from ileanet.markdown import render_markdown

from .. import selectors, services
from ..adapters import SESSION_INVITATION
from ..forms import (
    AffiliationChangeForm,
    ApplicationForm,
    ApprovalForm,
    ChangeDeclineForm,
    CharterAcceptForm,
    DeclineForm,
    InvitationForm,
    ManagerInvitationForm,
    MemberOrganisationForm,
    ProfileForm,
)
from ..middleware import SESSION_CHARTER
from ..models import MembershipApplication, NewsPost, User
from ..roles import is_community_manager
from .vetting import verification_context


def _require_manager(user):
    if not is_community_manager(user):
        raise Http404


def posted(request):
    """The form data of a POST, even an empty one (``request.POST or None`` would leave the
    form unbound): a POST with nothing chosen is an answer, and is validated as such."""
    return request.POST if request.method == "POST" else None


@login_not_required
@require_http_methods(["GET"])
def home(request):
    if not request.user.is_authenticated:
        # The landing page: what the network is, how to join, and what it says in public.
        return render(
            request,
            "community/landing.html",
            {
                "latest_news": NewsPost.objects.visible_to(request.user)[:3],
                "latest_threads": selectors.latest_threads_for(request.user),
            },
        )
    return render(
        request,
        "community/home.html",
        {
            "attention": selectors.home_attention_for(request.user),
            "checklist": selectors.onboarding_checklist_for(request.user),
            "latest_news": NewsPost.objects.visible_to(request.user)[:3],
            # issue 15: knowledge factory
            "knowledge": SimpleLazyObject(lambda: _knowledge_home(request.user)),
        },
    )


# issue 15: knowledge factory
def _knowledge_home(user) -> dict:
    """For reviewers, how many submissions they may read wait for review (one query, on the
    review queue's index); nothing to ask for other members."""
    from knowledge_factory.models import Item

    from ..visibility import can_review_knowledge, knowledge_item_filter

    if not can_review_knowledge(user):
        return {"reviewer": False}
    waiting = Item.objects.filter(knowledge_item_filter(user), status=Item.Status.SUBMITTED)
    return {"reviewer": True, "waiting": waiting.count()}


@require_http_methods(["GET", "POST"])
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        member = services.profile_update(member=request.user, form=form)
        messages.success(request, _("Your profile is saved."))
        if member.pending_change_requested_at:
            messages.info(
                request,
                _("Your new role level or organisation waits for a community manager's "
                  "confirmation."),
            )  # fmt: skip
        return redirect("community:profile-edit")
    return render(request, "community/profile_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def charter(request):
    current = selectors.charter_current()
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    accepted = (
        request.user.is_authenticated
        and current is not None
        and selectors.charter_accepted(user=request.user, version=current.version)
    )
    form = CharterAcceptForm(
        request.POST or None, initial={"version": getattr(current, "version", 0)}
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("account_login")
        if form.is_valid() and current and form.cleaned_data["version"] == current.version:
            services.charter_accept(user=request.user, charter=current)
            request.session[SESSION_CHARTER] = current.version
            messages.success(request, _("Thank you: you have accepted the charter."))
            return redirect(next_url or "community:home")
        if form.is_valid():
            messages.warning(request, _("The charter changed while you were reading it."))
            return redirect(request.path)
    return render(
        request,
        "community/charter.html",
        {
            "charter": current,
            "charter_html": render_markdown(current.body) if current else "",
            "accepted": accepted,
            "form": form,
            "next": next_url,
        },
    )


charter = login_not_required(charter)


@login_not_required
@require_http_methods(["GET"])
def legal(request):
    return render(request, "community/legal.html")


@login_not_required
@require_http_methods(["GET"])
def data_management(request):
    return render(request, "community/data_management.html")


@require_http_methods(["GET"])
def mfa_required(request):
    if not selectors.mfa_required(request.user) or selectors.mfa_enabled(request.user):
        return redirect("community:home")
    return render(request, "community/mfa_required.html")


@login_not_required
@require_http_methods(["GET"])
def invitation_accept(request, token):
    invitation = selectors.invitation_by_token(token)
    try:
        services.invitation_check(invitation)
    except ValidationError as error:
        status = 404 if error.code == "invalid" else 410
        return render(
            request,
            "community/invitation_invalid.html",
            {"error": error.messages[0]},
            status=status,
        )
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in."))
        return redirect("community:home")
    request.session[SESSION_INVITATION] = invitation.pk
    return render(request, "community/invitation_welcome.html", {"invitation": invitation})


@require_http_methods(["GET", "POST"])
def invitation_create(request):
    """Members get the same answer whatever the address (services.invitation_create says why);
    community managers are told when it is a member's or already invited."""
    manager = is_community_manager(request.user)
    if not services.can_invite(request.user):
        raise PermissionDenied(_("You have no invitations left."))
    form_class = ManagerInvitationForm if manager else InvitationForm
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            services.invitation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
            status = 429 if getattr(error, "code", None) == "rate_limited" else 200
        else:
            if manager:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
            else:
                messages.success(
                    request,
                    _("If %(email)s can be invited, we have sent the invitation.")
                    % {"email": email},
                )
            return redirect("community:invitation-create")
    return render(
        request,
        "community/invitation_form.html",
        {
            "form": form,
            "manager": manager,
            "left": None if manager else services.invitations_left(request.user),
            "sent": selectors.invitation_list_sent_by(request.user)[:50],
        },
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def application_create(request):
    if request.user.is_authenticated:
        return redirect("community:home")
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # Per address: the form is public, and each application e-mails the managers.
        client = get_account_adapter(request).get_client_ip(request)
        if ratelimit.allow("apply", client, default="5/3600"):
            services.application_submit(**form.cleaned_data)
            return render(request, "community/application_received.html")
        form.add_error(None, _("Many applications came from your network lately. Try again later."))
        status = 429
    return render(request, "community/application_form.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def application_list(request):
    _require_manager(request.user)
    return render(
        request,
        "community/application_list.html",
        {
            "applications": selectors.application_list_pending(),
            "decline_form": DeclineForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def application_approve(request, pk):
    """Approving names the organisation: chosen from the list, or added by the manager here."""
    _require_manager(request.user)
    application = get_object_or_404(
        MembershipApplication.objects.select_related("organisation"), pk=pk
    )
    if application.status != MembershipApplication.Status.PENDING:
        messages.error(request, _("This application has already been decided."))
        return redirect("community:application-list")
    form = ApprovalForm(posted(request), application=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_approve(
                actor=request.user,
                application=application,
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Approved: an invitation is on its way to the applicant."))
            return redirect("community:application-list")
    return render(
        request, "community/application_approve.html", {"application": application, "form": form}
    )


@require_http_methods(["POST"])
def application_decline(request, pk):
    _require_manager(request.user)
    application = get_object_or_404(MembershipApplication, pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the application is declined."))
        return redirect("community:application-list")
    try:
        services.application_decline(
            actor=request.user, application=application, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Declined: the applicant has been told why."))
    return redirect("community:application-list")


@require_http_methods(["GET"])
def verification_list(request):
    _require_manager(request.user)
    return render(
        request,
        "community/verification_list.html",
        {
            "members": selectors.member_list_awaiting_verification()[:200],
            "changes": selectors.member_list_with_pending_change()[:200],
        },
    )


@require_http_methods(["GET", "POST"])
def verification_verify(request, pk):
    """GET: the member's facts and the organisation to verify them with; POST: verify (the
    one-click form of the list posts nothing else, and the organisation stays)."""
    _require_manager(request.user)
    member = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    form = MemberOrganisationForm(posted(request), member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.affiliation_verify(
                actor=request.user, member=member, organisation=form.cleaned_data["organisation"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("%(member)s's affiliation is verified.") % {"member": member}
            )
            return redirect("community:verification-list")
    return render(
        request, "community/verification_form.html", verification_context(member, form=form)
    )


@require_http_methods(["GET", "POST"])
def member_change_confirm(request, pk):
    _require_manager(request.user)
    member = get_object_or_404(selectors.member_list_with_pending_change(), pk=pk)
    form = MemberOrganisationForm(posted(request), member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_change_confirm(
                actor=request.user, member=member, organisation=form.cleaned_data["organisation"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("%(member)s's change is confirmed.") % {"member": member})
            return redirect("community:verification-list")
    return render(
        request,
        "community/member_change_confirm.html",
        {"member": member, "form": form, "decline_form": ChangeDeclineForm()},
    )


@require_http_methods(["POST"])
def member_change_decline(request, pk):
    _require_manager(request.user)
    member = get_object_or_404(User, pk=pk)
    form = ChangeDeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect("community:member-change-confirm", pk=member.pk)
    try:
        services.member_change_decline(
            actor=request.user, member=member, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(member)s's change is declined.") % {"member": member})
    return redirect("community:verification-list")


@require_http_methods(["GET", "POST"])
def member_affiliation(request, pk):
    """A community manager corrects what a member is affiliated as: the change is audited and
    the member waits for a new verification (services.affiliation_change)."""
    _require_manager(request.user)
    member = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    form = AffiliationChangeForm(
        request.POST or None, initial={"affiliation_type": member.affiliation_type}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.affiliation_change(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("%(member)s's affiliation is changed; it now waits for verification.")
                % {"member": member},
            )
            return redirect("community:verification-list")
    return render(request, "community/member_affiliation.html", {"member": member, "form": form})
