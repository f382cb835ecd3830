"""Prioritisation (SPEC §3.4): needs ranked from the importance survey respondents gave them.

The method, in the words the ranking page uses:

1. Every submitted answer rates a need's importance on the survey's scale (1 to 5 by default).
   The **raw score** of a need is the plain average of those ratings.
2. Each respondent carries the **weight of their role level**, set per survey (by default
   field/operational 1, management 2, strategic/top level 3): a top-level respondent counts
   three times a field officer.
3. With **organisation normalisation** on (the default), each respondent's weight is divided
   by the number of respondents from their organisation who rated that need. All the ratings
   of one organisation then weigh together as much as one respondent of their average role
   level: ten answers from one department count as one voice, not ten. A respondent without
   a verified organisation counts as an organisation of one (the ranking says how many).
4. The **weighted score** is the weighted average of the ratings:
   ``sum(weight * rating) / sum(weight)``.

Needs are ranked per domain by weighted score (then by number of respondents, then by title).
A need in two domains appears in both lists. Only submitted responses count.
"""

from collections import defaultdict
from dataclasses import dataclass

from .models import DEFAULT_ROLE_WEIGHTS, Answer, Need, Question, Response, Survey

# The organisation key of a response (Response.organisation_key) from a verified organisation;
# any other key is a respondent counted as an organisation of their own.
ORGANISATION_KEY_PREFIX = "org:"


@dataclass(frozen=True)
class Rating:
    """One rating of one need by one respondent (a response)."""

    need_id: int
    response_id: int
    organisation_key: str
    role_level: str
    value: float


@dataclass
class Score:
    need_id: int
    raw: float
    weighted: float
    respondents: int
    organisations: int
    # Respondents counted as an organisation of one, having no verified organisation.
    without_organisation: int = 0


def role_weight(role_weights: dict, role_level: str) -> float:
    weight = role_weights.get(role_level, DEFAULT_ROLE_WEIGHTS.get(role_level, 1.0))
    return max(float(weight), 0.0)


def scores_compute(
    ratings: list[Rating], *, role_weights: dict, normalise_by_organisation: bool
) -> dict[int, Score]:
    """The raw and weighted score of each rated need (steps 1 to 4 of the module's method)."""
    by_need = defaultdict(list)
    for rating in ratings:
        by_need[rating.need_id].append(rating)
    scores = {}
    for need_id, need_ratings in by_need.items():
        raters_of = defaultdict(set)  # organisation -> the responses rating this need
        for rating in need_ratings:
            raters_of[rating.organisation_key].add(rating.response_id)
        total_weight = weighted_sum = 0.0
        for rating in need_ratings:
            weight = role_weight(role_weights, rating.role_level)
            if normalise_by_organisation:
                weight /= len(raters_of[rating.organisation_key])
            total_weight += weight
            weighted_sum += weight * rating.value
        raw = sum(r.value for r in need_ratings) / len(need_ratings)
        scores[need_id] = Score(
            need_id=need_id,
            raw=raw,
            weighted=weighted_sum / total_weight if total_weight else 0.0,
            respondents=len({r.response_id for r in need_ratings}),
            organisations=len({r.organisation_key for r in need_ratings}),
            without_organisation=len(
                {
                    r.response_id
                    for r in need_ratings
                    if not r.organisation_key.startswith(ORGANISATION_KEY_PREFIX)
                }
            ),
        )
    return scores


def survey_ratings(survey: Survey) -> list[Rating]:
    """Every importance rating of the survey's submitted responses (one query)."""
    rows = Answer.objects.filter(
        response__survey=survey,
        response__status=Response.Status.SUBMITTED,
        question__kind=Question.Kind.NEED_IMPORTANCE,
        need__isnull=False,
    ).values_list(
        "need_id", "response_id", "response__organisation_key", "response__role_level", "value"
    )
    return [
        Rating(need_id, response_id, org_key, role_level, float(value))
        for need_id, response_id, org_key, role_level, value in rows
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]


@dataclass
class RankedNeed:
    rank: int
    need: Need
    score: Score


def survey_ranking(survey: Survey, *, needs=None) -> list[tuple]:
    """``[(domain, [RankedNeed, …]), …]`` in domain order. ``needs`` is the queryset of needs
    the reader may see (the visibility rule); by default every need."""
    scores = scores_compute(
        survey_ratings(survey),
        role_weights=survey.role_weights or {},
        normalise_by_organisation=survey.normalise_by_organisation,
    )
    needs = (needs if needs is not None else Need.objects.all()).filter(pk__in=scores.keys())
    per_domain = defaultdict(list)
    domains = {}
    for need in needs.prefetch_related("domains"):
        for domain in need.domains.all():
            domains[domain.pk] = domain
            per_domain[domain.pk].append(need)
    ranking = []
    for domain in sorted(domains.values(), key=lambda d: (d.position, d.name)):
        ordered = sorted(
            per_domain[domain.pk],
            key=lambda n: (-scores[n.pk].weighted, -scores[n.pk].respondents, n.title),
        )
        ranking.append(
            (domain, [RankedNeed(i, need, scores[need.pk]) for i, need in enumerate(ordered, 1)])
        )
    return ranking
