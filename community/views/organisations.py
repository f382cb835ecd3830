"""The managed list of organisations: community managers list, add, edit and merge them."""

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ileanet.forms import form_errors_add

from .. import selectors, services
from ..forms import OrganisationFilterForm, OrganisationForm, OrganisationMergeForm
from ..models import Organisation
from .members import _require_manager, posted

ORGANISATIONS_PER_PAGE = 100


@require_http_methods(["GET"])
def organisation_list(request):
    _require_manager(request.user)
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisation_list_with_counts(
        name=filters.get("q", ""), country=filters.get("country", "")
    )
    page = Paginator(organisations, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/organisation_list.html",
        {"form": form, "page": page},
    )


@require_http_methods(["GET", "POST"])
def organisation_create(request):
    _require_manager(request.user)
    form = OrganisationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": organisation})
            return redirect("community:organisation-list")
    return render(request, "community/organisation_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    _require_manager(request.user)
    stored = get_object_or_404(Organisation, pk=pk)
    # A ModelForm writes the posted values onto its instance while validating: it gets a copy,
    # the service gets the values, and the page keeps showing the stored organisation.
    form = OrganisationForm(posted(request), instance=copy(stored))
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=stored, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": form.cleaned_data["name"]})
            return redirect("community:organisation-list")
    return render(
        request,
        "community/organisation_form.html",
        {
            "form": form,
            "organisation": stored,
            "merge_form": OrganisationMergeForm(source=stored),
        },
    )


@require_http_methods(["POST"])
def organisation_merge(request, pk):
    _require_manager(request.user)
    source = get_object_or_404(Organisation, pk=pk)
    form = OrganisationMergeForm(request.POST, source=source)
    if form.is_valid():
        try:
            target = services.organisation_merge(
                actor=request.user, source=source, target=form.cleaned_data["target"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("%(source)s is merged into %(target)s.") % {"source": source, "target": target},
            )
            return redirect("community:organisation-list")
    return render(
        request,
        "community/organisation_form.html",
        {"form": OrganisationForm(instance=source), "organisation": source, "merge_form": form},
    )
