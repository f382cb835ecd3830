"""Audience tiers: the one place that says which tiers a member belongs to (SPEC §2.3).

Rooms, Knowledge Factory items and calendar events carry one of these tiers; their
``visible_to`` query methods ask ``tiers_for(user)`` and nothing else. An unverified affiliation
counts for nothing: until a community manager verifies it, the member is in the lowest tier and
sees only what the public sees.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models.members import AffiliationType


class Tier(models.TextChoices):
    LEA = "lea", _("LEA members only")
    LEA_INDUSTRY = "lea_industry", _("LEA and industry")
    LEA_RESEARCH = "lea_research", _("LEA and researchers")
    MEMBERS = "members", _("All verified members")
    PUBLIC = "public", _("Public")


_BY_AFFILIATION = {
    AffiliationType.LEA: {Tier.LEA, Tier.LEA_INDUSTRY, Tier.LEA_RESEARCH},
    AffiliationType.INDUSTRY: {Tier.LEA_INDUSTRY},
    AffiliationType.RESEARCH: {Tier.LEA_RESEARCH},
    AffiliationType.POLICY: set(),
    AffiliationType.OTHER: set(),
}


def tiers_for(user) -> frozenset[str]:
    """The tiers whose content ``user`` may read. Suspension and charter/MFA gates are applied
    before any view runs (community.middleware), so they are not repeated here."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset({Tier.PUBLIC})
    affiliation = user.verified_affiliation
    if affiliation is None:
        return frozenset({Tier.PUBLIC})
    return frozenset({Tier.PUBLIC, Tier.MEMBERS} | _BY_AFFILIATION[affiliation])


def is_lowest_tier(user) -> bool:
    return tiers_for(user) == {Tier.PUBLIC}


def affiliations_for_tier(tier: str) -> list[str]:
    """The verified affiliations whose members read ``tier`` (the inverse of ``tiers_for``)."""
    if tier in (Tier.PUBLIC, Tier.MEMBERS):
        return list(AffiliationType.values)
    return [affiliation for affiliation, tiers in _BY_AFFILIATION.items() if tier in tiers]
