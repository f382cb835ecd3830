"""The member directory, profiles, the network per country and national contact points."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_countries.fields import Country

from ..forms import CountryNewsForm, DirectoryFilterForm, HandoverForm, NationalContactForm
from ..models import NationalContact, User
from ..roles import is_community_manager
from ..selectors.directory import member_list_for, network_by_country
from ..selectors.members import application_list_pending, member_list_awaiting_verification
from ..services.network import national_contact_assign, national_contact_leave
from ..services.news import country_news_publish
from ..visibility import (
    access_member,
    can_see_member_field,
    member_reach,
    national_contact_country,
)

MEMBERS_PER_PAGE = 50


@require_http_methods(["GET"])
def member_directory(request):
    manager = is_community_manager(request.user)
    form = DirectoryFilterForm(request.GET or None, manager=manager)
    context = {"form": form, "manager": manager, "can_browse": bool(member_reach(request.user))}
    if context["can_browse"] and (not form.is_bound or form.is_valid()):
        members = member_list_for(request.user, filters=form.cleaned_data if form.is_bound else {})
        context["page"] = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "community/directory.html", context)


@require_http_methods(["GET"])
def member_detail(request, handle):
    member = access_member(request.user, handle)
    return render(
        request,
        "community/member_detail.html",
        {
            "member": member,
            "email_shown": can_see_member_field(request.user, member, "email"),
            "organisation_shown": can_see_member_field(request.user, member, "organisation"),
            "manager": is_community_manager(request.user),
        },
    )


@require_http_methods(["GET"])
def network_countries(request):
    if not member_reach(request.user):
        raise Http404
    return render(
        request, "community/network_countries.html", {"rows": network_by_country(request.user)}
    )


@require_http_methods(["GET", "POST"])
def national_contacts(request):
    """Every member sees who to turn to in each country; managers name and replace them."""
    if not member_reach(request.user):
        raise Http404
    manager = is_community_manager(request.user)
    form = NationalContactForm(request.POST or None) if manager else None
    if request.method == "POST":
        if not manager:
            raise Http404
        if form.is_valid():
            try:
                national_contact_assign(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("The national contact is named."))
                return redirect("community:national-contacts")
    contacts = NationalContact.objects.select_related("member__organisation").order_by(
        "country", "role"
    )
    return render(
        request,
        "community/national_contacts.html",
        {
            "contacts": contacts,
            "form": form,
            "handover_form": HandoverForm(),
            "my_country": national_contact_country(request.user),
        },
    )


@require_http_methods(["POST"])
def national_contact_handover(request, member_id):
    if not is_community_manager(request.user):
        raise Http404
    member = get_object_or_404(User, pk=member_id, national_contact_roles__isnull=False)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("community:national-contacts")
    try:
        national_contact_leave(
            actor=request.user, member=member, successor=form.cleaned_data["successor"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The handover is done."))
    return redirect("community:national-contacts")


@require_http_methods(["GET", "POST"])
def country_page(request):
    """A national contact's (or deputy's) country: its members, as the directory shows them
    to the contact, the applications from it waiting for the managers, and news to its
    members."""
    country = national_contact_country(request.user)
    if not country:
        raise Http404
    form = CountryNewsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            news = country_news_publish(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The news is published and e-mailed to your country."))
            return redirect("community:news-detail", pk=news.pk)
    members = member_list_for(request.user, filters={"country": country})
    return render(
        request,
        "community/country_page.html",
        {
            "country": Country(code=country),
            "page": Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page")),
            "applications": application_list_pending().filter(country=country),
            "awaiting": member_list_awaiting_verification().filter(country=country)[:100],
            "form": form,
        },
    )
