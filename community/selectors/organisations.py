"""Reads about the managed list of organisations."""

from django.db.models import Count, Q

from ..models import Organisation


def organisation_list_with_counts(*, name: str = "", country: str = ""):
    """Organisations, each with how many active members belong to it."""
    organisations = Organisation.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
    ).order_by("name", "country")
    if name:
        organisations = organisations.filter(name__icontains=name)
    if country:
        organisations = organisations.filter(country=country)
    return organisations
