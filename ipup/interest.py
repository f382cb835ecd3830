"""The interest score of a presented project (SPEC §3.8), read from an event's feedback survey.

For each project presented at a showcase or webinar, from the *submitted* answers to the
feedback questions about it (``Question.project`` and ``Question.metric``)::

    score = 100 * (0.3·r + 0.3·e + 0.2·c + 0.2·f)

- ``r``: the mean answer to "how relevant is this solution for you in your role?", rescaled
  from the question's scale (1-5) to 0-1: (mean - 1) / (5 - 1);
- ``e``: the same for "how effective may it be for your specific need?";
- ``c``: the share of "yes" to "would colleagues in your organisation be interested?", a
  "maybe" counting half;
- ``f``: the same for "would you or your colleagues take part in further sessions on it?".

A part nobody answered (all of these questions are optional but two) is left out and the
weights of the others renormalised: with only r and e answered, score = 100 * (0.3·r + 0.3·e)
/ 0.6. With no answer at all there is no score. The number of respondents (submitted responses
answering at least one of the project's questions) is always shown beside it, since a score
from three people says less than one from thirty.

Yes / maybe / no are read by their position in the question's options (first, second,
third), so a survey created in another language scores the same.

Everything here reads any number of events and projects in a constant number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from .models import AgendaItem, Answer, Response, Survey

WEIGHTS = {"relevance": 0.3, "effectiveness": 0.3, "colleagues": 0.2, "further_sessions": 0.2}
RATED = ("relevance", "effectiveness")
YES_MAYBE_NO = ("colleagues", "further_sessions")
# What an answer at each position of a yes / maybe / no question counts for.
CHOICE_CREDIT = (1.0, 0.5, 0.0)
NEXT_STEPS_METRICS = ("commercialisation", "development", "standardisation", "procurement")
NEXT_STEP_TEXT = "next_step"


@dataclass
class InterestScore:
    respondents: int = 0
    # Each part on 0-1 (None: nobody answered it).
    parts: dict = field(default_factory=dict)
    # The means as answered, on the rating scale, for the table.
    relevance_mean: float | None = None
    effectiveness_mean: float | None = None

    @property
    def score(self) -> float | None:
        answered = {name: value for name, value in self.parts.items() if value is not None}
        if not answered:
            return None
        weight = sum(WEIGHTS[name] for name in answered)
        return round(100 * sum(WEIGHTS[n] * v for n, v in answered.items()) / weight, 1)

    def part(self, name: str) -> float | None:
        return self.parts.get(name)

    @property
    def colleagues_percent(self):
        value = self.parts.get("colleagues")
        return None if value is None else round(100 * value)

    @property
    def further_sessions_percent(self):
        value = self.parts.get("further_sessions")
        return None if value is None else round(100 * value)


def _submitted_answers(kind: str, where: Q):
    return Answer.objects.filter(
        where,
        response__status=Response.Status.SUBMITTED,
        question__survey__kind=kind,
        question__survey__showcase__isnull=False,
        question__project__isnull=False,
    ).exclude(question__metric="")


def interest_scores(*, showcase_ids=None, project_ids=None) -> dict:
    """``{(showcase_id, project_id): InterestScore}`` for the projects with feedback at the
    given events and/or of the given projects, in one query."""
    where = Q()
    if showcase_ids is not None:
        where &= Q(question__survey__showcase_id__in=list(showcase_ids))
    if project_ids is not None:
        where &= Q(question__project_id__in=list(project_ids))
    rows = (
        _submitted_answers(Survey.Kind.FEEDBACK, where)
        .filter(question__metric__in=list(WEIGHTS))
        .values_list(
            "question__survey__showcase_id",
            "question__project_id",
            "question__metric",
            "question__scale_min",
            "question__scale_max",
            "question__choices",
            "value",
            "response_id",
        )
    )
    values = defaultdict(lambda: defaultdict(list))
    respondents = defaultdict(set)
    for showcase_id, project_id, metric, low, high, choices, value, response_id in rows:
        key = (showcase_id, project_id)
        if metric in RATED and isinstance(value, int) and high > low:
            values[key][metric].append(((value - low) / (high - low), value))
        elif metric in YES_MAYBE_NO and value in choices:
            position = choices.index(value)
            if position < len(CHOICE_CREDIT):
                values[key][metric].append((CHOICE_CREDIT[position], None))
        else:
            continue
        respondents[key].add(response_id)
    scores = {}
    for key, by_metric in values.items():
        score = InterestScore(respondents=len(respondents[key]))
        for metric in WEIGHTS:
            answers = by_metric.get(metric)
            score.parts[metric] = (
                sum(part for part, _raw in answers) / len(answers) if answers else None
            )
        for metric in RATED:
            answers = by_metric.get(metric)
            if answers:
                setattr(score, f"{metric}_mean", sum(raw for _p, raw in answers) / len(answers))
        scores[key] = score
    return scores


def next_steps_summaries(*, showcase_ids=None, project_ids=None) -> dict:
    """``{(showcase_id, project_id): {"metrics": [...], "texts": [...], "respondents": n}}``
    from the submitted next-steps answers, in one query. Each metric is ``{"question":
    text, "options": [(label, count), ...]}`` in the order of the question's options."""
    where = Q()
    if showcase_ids is not None:
        where &= Q(question__survey__showcase_id__in=list(showcase_ids))
    if project_ids is not None:
        where &= Q(question__project_id__in=list(project_ids))
    rows = (
        _submitted_answers(Survey.Kind.NEXT_STEPS, where)
        .order_by("question__position", "question_id", "response_id")
        .values_list(
            "question__survey__showcase_id",
            "question__project_id",
            "question_id",
            "question__metric",
            "question__text",
            "question__choices",
            "value",
            "response_id",
        )
    )
    summaries = {}
    for showcase_id, project_id, question_id, metric, text, choices, value, response_id in rows:
        summary = summaries.setdefault(
            (showcase_id, project_id), {"metrics": {}, "texts": [], "respondents": set()}
        )
        summary["respondents"].add(response_id)
        if metric == NEXT_STEP_TEXT:
            if isinstance(value, str) and value.strip():
                summary["texts"].append(value)
        elif metric in NEXT_STEPS_METRICS:
            counts = summary["metrics"].setdefault(
                question_id, {"question": text, "counts": dict.fromkeys(choices, 0)}
            )["counts"]
            if value in counts:
                counts[value] += 1
    for summary in summaries.values():
        summary["metrics"] = [
            {"question": m["question"], "options": list(m["counts"].items())}
            for m in summary["metrics"].values()
        ]
        summary["respondents"] = len(summary["respondents"])
    return summaries


# Below this many respondents, an event's interest score is shown to its organisers only.
MIN_RESPONDENTS_SHOWN = 3


def project_presentations(user, project_ids) -> dict:
    """``{project_id: [presentation, ...]}``: the showcase events and webinars each project was
    presented at that ``user`` may see (the calendar's visibility rule), newest first, each
    with its interest score and next-steps summary there — four queries whatever the numbers
    of projects and events."""
    from community.models import Event

    project_ids = list(project_ids)
    if not project_ids:
        return {}
    items = list(
        AgendaItem.objects.filter(
            project_id__in=project_ids,
            showcase__event__in=Event.objects.visible_to(user).filter(cancelled_at__isnull=True),
        )
        .select_related("showcase__event")
        .order_by("-showcase__event__starts_at", "id")
    )
    from community.services.calendar import can_manage_events

    showcase_ids = {item.showcase_id for item in items}
    scores = interest_scores(showcase_ids=showcase_ids, project_ids=project_ids)
    # Feedback surveys are named and a webinar's audience is small: outside the organisers,
    # a need's readers (industry among them) see an interest score only when enough people
    # answered for no one's ratings to show through, and never the next-steps answers, whose
    # free text may name an officer, a unit or a plan.
    organiser = can_manage_events(user)
    steps = (
        next_steps_summaries(showcase_ids=showcase_ids, project_ids=project_ids)
        if organiser
        else {}
    )
    presentations = defaultdict(list)
    for item in items:
        key = (item.showcase_id, item.project_id)
        interest = scores.get(key)
        too_few = not organiser and interest and interest.respondents < MIN_RESPONDENTS_SHOWN
        presentations[item.project_id].append(
            {
                "showcase": item.showcase,
                "event": item.showcase.event,
                "interest": None if too_few else interest,
                "too_few": too_few,
                "next_steps": steps.get(key),
            }
        )
    return dict(presentations)
