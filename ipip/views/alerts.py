"""Follows (SPEC §4.3): the member's follows page, and the follow button of a project page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from community.models import Domain

from ..services.alerts import (
    access_followable_project,
    can_follow,
    follow_domains_save,
    follow_project,
    followed_domain_ids,
    followed_projects_for,
    follows_default_applies,
    is_following,
    unfollow_project,
)


class FollowDomainsForm(forms.Form):
    domains = forms.ModelMultipleChoiceField(
        label=_("Domains you follow"),
        queryset=Domain.objects.order_by("position", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _follower(request):
    if not can_follow(request.user):
        raise Http404
    return request.user


@require_http_methods(["GET", "POST"])
def follows(request):
    member = _follower(request)
    form = FollowDomainsForm(
        request.POST if request.method == "POST" else None,
        initial={"domains": sorted(followed_domain_ids(member))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            follow_domains_save(actor=member, domains=form.cleaned_data["domains"])
        except (PermissionDenied, ValidationError) as error:
            form.add_error(None, error.messages[0] if hasattr(error, "messages") else str(error))
        else:
            messages.success(request, gettext("Your follows are saved."))
            return redirect("ipip:follows")
    return render(
        request,
        "ipip/follows.html",
        {
            "form": form,
            "projects": followed_projects_for(member),
            "lea_default": follows_default_applies(member),
        },
    )


@require_http_methods(["GET", "POST"])
def follow_project_toggle(request, pk):
    """GET: the button (a fragment for htmx, else a small page); POST ``action`` follow or
    unfollow, then back to the project page (or the follows page, ``next=follows``)."""
    member = _follower(request)
    project = access_followable_project(member, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "follow":
            follow_project(actor=member, project=project)
        elif action == "unfollow":
            unfollow_project(actor=member, project=project)
        else:
            return render(
                request,
                "ipip/follow_project.html",
                {
                    "project": project,
                    "following": is_following(member, project),
                    "error": gettext("Choose to follow or to stop following."),
                },
                status=400,
            )
        if request.htmx:
            return render(
                request,
                "ipip/follow_button.html",
                {"project": project, "following": action == "follow"},
            )
        if request.POST.get("next") == "follows":
            return redirect("ipip:follows")
        return redirect(reverse("ipup:project-detail", args=[project.pk]))
    context = {"project": project, "following": is_following(member, project)}
    if request.htmx:
        return render(request, "ipip/follow_button.html", context)
    return render(request, "ipip/follow_project.html", context)
