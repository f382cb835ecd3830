"""Reads of IPUP scoped to a user: surveys for those who run them, rates by segment."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Prefetch, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from community.models import AffiliationType, Domain, RoleLevel
from community.search import CONFIG

from .models import (
    Answer,
    Need,
    ProjectParticipant,
    Question,
    ResearchProject,
    Response,
    ScreeningCandidate,
    Section,
    Survey,
    SurveyInvitation,
)

# Below this many invitees, an anonymous survey's response count for a segment is not shown:
# "1 invited from Malta, 1 answered" would say who answered.
ANONYMITY_THRESHOLD = 3

SEGMENTS = {
    "country": ("member__country", lambda code: countries.name(code)),
    "affiliation": ("member__affiliation_type", lambda v: AffiliationType(v).label),
    "role_level": ("member__role_level", lambda v: RoleLevel(v).label),
}


def survey_for_answering(survey: Survey, member) -> tuple[Survey, list[Question]]:
    """``survey`` with its sections and questions as ``member`` answers it (the answer page and
    its preview), and the questions in order. Only the needs ``member`` may see, though
    publishing checked the audience: members, rooms and needs change while a survey is open."""
    needs = Need.objects.visible_to(member).order_by("title")
    questions = Question.objects.prefetch_related(Prefetch("needs", queryset=needs))
    survey = Survey.objects.prefetch_related(
        Prefetch("sections", queryset=Section.objects.prefetch_related(
            Prefetch("questions", queryset=questions)
        ))
    ).get(pk=survey.pk)  # fmt: skip
    return survey, [q for s in survey.sections.all() for q in s.questions.all()]


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


def _percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def _chart(question: Question, labels: list, data: list, label: str) -> dict:
    return {
        "id": f"chart-{question.pk}",
        "type": "bar",
        "labels": labels,
        "datasets": [{"label": label, "data": data}],
    }


def _figures(question: Question, values: list) -> dict:
    """Counts and percentages of one question's answers (``values``: one per respondent who
    answered it). A percentage is of those who answered the question; for multiple choice
    they add up to more than 100."""
    answered = len(values)
    result = {"question": question, "answered": answered}
    if question.kind in (Question.Kind.RATING, Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if question.kind == Question.Kind.RATING:
            options = list(range(question.scale_min, question.scale_max + 1))
            counts = [values.count(option) for option in options]
            result["average"] = sum(values) / answered if answered else None
        elif question.kind == Question.Kind.SINGLE:
            options = question.choices
            counts = [values.count(option) for option in options]
        else:
            options = question.choices
            counts = [sum(option in value for value in values) for option in options]
        result["rows"] = [
            {"label": str(option), "count": count, "percent": _percent(count, answered)}
            for option, count in zip(options, counts, strict=True)
        ]
        result["chart"] = _chart(question, [str(o) for o in options], counts, _("Respondents"))
    elif question.kind == Question.Kind.RANKING:
        positions = {item: [] for item in question.choices}
        for value in values:
            for position, item in enumerate(value, 1):
                positions.setdefault(item, []).append(position)
        result["rows"] = sorted(
            (
                {"label": item, "count": len(p), "average": sum(p) / len(p) if p else None}
                for item, p in positions.items()
            ),
            key=lambda row: (row["average"] is None, row["average"] or 0),
        )
    return result


def survey_results(survey: Survey, user) -> dict:
    """Per-question figures of ``survey``'s submitted responses, as ``user`` may read them (a
    need's figures only if they may see the need). Free-text answers come with the
    respondent's name for a named survey, never for an anonymous one (whose responses have
    no invitation left anyway). Five queries, whatever the size of the survey."""
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    visible_needs = Need.objects.visible_to(user)
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related(Prefetch("needs", queryset=visible_needs.order_by("title")))
    )
    answers = Answer.objects.filter(response__in=submitted).filter(
        Q(need__isnull=True) | Q(need__in=visible_needs)
    )
    if survey.is_anonymous:
        rows = answers.values_list("question_id", "need_id", "value", Value(""))
    else:
        rows = answers.annotate(
            name=Concat(
                "response__invitation__member__first_name",
                Value(" "),
                "response__invitation__member__last_name",
            )
        ).values_list("question_id", "need_id", "value", "name")
    values, by_need, texts = {}, {}, {}
    for question_id, need_id, value, name in rows.order_by("response_id"):
        if need_id:
            by_need.setdefault((question_id, need_id), []).append(value)
        else:
            values.setdefault(question_id, []).append(value)
            texts.setdefault(question_id, []).append({"name": (name or "").strip(), "text": value})
    results = []
    for question in questions:
        if question.kind == Question.Kind.NEED_IMPORTANCE:
            needs = []
            for need in question.needs.all():
                ratings = by_need.get((question.pk, need.pk), [])
                average = sum(ratings) / len(ratings) if ratings else None
                needs.append({"label": need.title, "count": len(ratings), "average": average})
            result = {"question": question, "answered": None, "rows": needs}
            result["chart"] = _chart(
                question,
                [row["label"] for row in needs],
                [round(row["average"] or 0, 2) for row in needs],
                _("Average importance"),
            )
        else:
            result = _figures(question, values.get(question.pk, []))
            if question.kind == Question.Kind.TEXT:
                result["texts"] = texts.get(question.pk, [])
        results.append(result)
    return {"respondents": submitted.count(), "questions": results}


def project_list_for(user, *, filters: dict | None = None):
    """The research projects list (every signed-in member reads the open-data facts), with
    ``filters`` from a ProjectFilterForm: full-text search ranked (websearch syntax), else the
    newest first. The list columns only: no long texts, vectors or embeddings."""
    filters = filters or {}
    projects = ResearchProject.objects.defer(
        "summary", "objectives", "search_vector", "embedding"
    ).prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("position")))
    today = timezone.localdate()
    status = filters.get("status")
    if status == ResearchProject.Status.UPCOMING:
        projects = projects.filter(start_date__gt=today)
    elif status == ResearchProject.Status.ENDED:
        projects = projects.filter(end_date__lt=today)
    elif status == ResearchProject.Status.ONGOING:
        projects = projects.exclude(start_date__gt=today).exclude(end_date__lt=today)
    if filters.get("programme"):
        projects = projects.filter(programme=filters["programme"])
    if filters.get("domain"):
        projects = projects.filter(domains=filters["domain"])
    if filters.get("trl"):
        projects = projects.filter(trl=filters["trl"])
    if filters.get("year"):
        projects = projects.filter(start_date__year=filters["year"])
    if filters.get("country"):
        # A subquery, not a join: a project with two members in the country is listed once.
        members = ProjectParticipant.objects.filter(organisation__country=filters["country"])
        projects = projects.filter(pk__in=members.values("project_id"))
    if filters.get("q"):
        query = SearchQuery(filters["q"], search_type="websearch", config=CONFIG)
        return (
            projects.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "pk")
        )
    return projects.order_by(F("start_date").desc(nulls_last=True), "acronym", "pk")


def project_programmes() -> list[str]:
    return list(
        ResearchProject.objects.exclude(programme="")
        .order_by("programme")
        .values_list("programme", flat=True)
        .distinct()
    )


def need_pipeline(need: Need) -> dict:
    """The path of ``need`` after its ranking (SPEC §3.9): the projects judged for it and the
    studies recommended, in two queries whatever their number."""
    judged = (
        ScreeningCandidate.objects.filter(need=need)
        .exclude(judgement=ScreeningCandidate.Judgement.PENDING)
        .select_related("project")
        .order_by("-score")
    )
    return {"judged": list(judged), "recommendations": list(need.sota_recommendations.all())}
