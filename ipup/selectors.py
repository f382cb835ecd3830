"""Reads of IPUP scoped to a user: surveys for those who run them, rates by segment."""

from django.db.models import Count, Q
from django_countries import countries

from community.models import AffiliationType, RoleLevel

from .models import Survey, SurveyInvitation

# Below this many invitees, an anonymous survey's response count for a segment is not shown:
# "1 invited from Malta, 1 answered" would say who answered.
ANONYMITY_THRESHOLD = 3

SEGMENTS = {
    "country": ("member__country", lambda code: countries.name(code)),
    "affiliation": ("member__affiliation_type", lambda v: AffiliationType(v).label),
    "role_level": ("member__role_level", lambda v: RoleLevel(v).label),
}


def survey_list_with_rates():
    return Survey.objects.annotate(
        invited=Count("invitations"),
        answered=Count("invitations", filter=Q(invitations__has_answered=True)),
    ).order_by("-opens_at", "-id")


def response_rates(survey: Survey) -> dict[str, list[dict]]:
    """Invited and answered per country, affiliation and role level (one query each)."""
    rates = {}
    for segment, (field, label) in SEGMENTS.items():
        rows = (
            SurveyInvitation.objects.filter(survey=survey)
            .values(field)
            .annotate(
                invited=Count("pk"),
                answered=Count("pk", filter=Q(has_answered=True)),
            )
            .order_by(field)
        )
        rates[segment] = [
            {
                "segment": label(row[field]) if row[field] else "",
                "invited": row["invited"],
                "answered": row["answered"],
                "rate": round(100 * row["answered"] / row["invited"]) if row["invited"] else 0,
                "hidden": survey.is_anonymous and row["invited"] < ANONYMITY_THRESHOLD,
            }
            for row in rows
        ]
    return rates


def response_rate_totals(surveys) -> list[dict]:
    """Invited, answered and rate of each survey (the community health dashboard)."""
    return [
        {
            "survey": survey,
            "invited": survey.invited,
            "answered": survey.answered,
            "rate": round(100 * survey.answered / survey.invited) if survey.invited else 0,
        }
        for survey in surveys
    ]
