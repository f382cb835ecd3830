"""The member directory, profiles and the network per country, as each viewer may see them
(community.visibility.member_filter decides; nothing here widens it)."""

from django.db.models import BooleanField, Case, Count, Prefetch, Q, Value, When
from django.utils import timezone
from django_countries import countries

from ..models import Domain, NationalContact, User
from ..visibility import member_filter


def _shown(viewer, field: str):
    return Case(
        When(member_filter(viewer, field), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def member_list_for(viewer, *, filters: dict | None = None):
    """Members ``viewer`` may see, each with ``email_shown`` and ``organisation_shown``;
    ``filters`` are a DirectoryFilterForm's cleaned data."""
    filters = filters or {}
    members = (
        User.objects.filter(member_filter(viewer))
        .select_related("organisation")
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("position")))
        .annotate(
            email_shown=_shown(viewer, "email"),
            organisation_shown=_shown(viewer, "organisation"),
        )
        .order_by("last_name", "first_name", "pk")
    )
    if filters.get("country"):
        members = members.filter(country=filters["country"])
    if filters.get("affiliation"):
        members = members.filter(
            affiliation_type=filters["affiliation"], affiliation_verified_at__isnull=False
        )
    if filters.get("domain"):
        members = members.filter(domains=filters["domain"])
    if filters.get("language"):
        members = members.filter(languages__contains=[filters["language"]])
    if filters.get("organisation"):
        # Only among members whose organisation the viewer may see: a hidden one is not
        # revealed by filtering on it.
        members = members.filter(
            member_filter(viewer, "organisation"),
            organisation__name__icontains=filters["organisation"],
        )
    if filters.get("awaiting_verification"):
        members = members.filter(affiliation_verified_at__isnull=True)
    if filters.get("q"):
        q = filters["q"]
        text = (
            Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(handle__icontains=q)
            | Q(bio__icontains=q)
            | (member_filter(viewer, "organisation") & Q(organisation__name__icontains=q))
        )
        members = members.filter(text)
    return members


def network_by_country(viewer) -> list[dict]:
    """Per country: members by verified affiliation (those ``viewer`` may see), and the
    country's national contact and deputy. Two queries."""
    counts = {}
    rows = (
        User.objects.filter(member_filter(viewer), affiliation_verified_at__isnull=False)
        .exclude(country="")
        .values("country", "affiliation_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["country"], {})[row["affiliation_type"]] = row["n"]
    contacts = {}
    for contact in NationalContact.objects.select_related("member__organisation"):
        contacts.setdefault(contact.country.code, {})[contact.role] = contact
    table = []
    for code in sorted(set(counts) | set(contacts), key=countries.name):
        by_affiliation = counts.get(code, {})
        table.append(
            {
                "country": code,
                "country_name": countries.name(code),
                "counts": by_affiliation,
                "total": sum(by_affiliation.values()),
                "contact": contacts.get(code, {}).get(NationalContact.Role.CONTACT),
                "deputy": contacts.get(code, {}).get(NationalContact.Role.DEPUTY),
            }
        )
    return table


def national_contact_gaps() -> list[dict]:
    """Countries lacking a national contact or a deputy, among those with an active verified
    member in good standing or with a national contact already: ``{"country", "missing"}``
    sorted by country code, ``missing`` being NationalContact.Role values. Two queries."""
    with_members = set(
        User.objects.filter(
            Q(suspended_until__isnull=True) | Q(suspended_until__lte=timezone.now()),
            is_active=True,
            deleted_at__isnull=True,
            affiliation_verified_at__isnull=False,
        )
        .exclude(country="")
        .values_list("country", flat=True)
        .distinct()
    )
    held = {}
    for country, role in NationalContact.objects.values_list("country", "role"):
        held.setdefault(country, set()).add(role)
    gaps = []
    for country in sorted(with_members | set(held)):
        missing = [
            role for role in NationalContact.Role.values if role not in held.get(country, ())
        ]
        if missing:
            gaps.append({"country": country, "missing": missing})
    return gaps
