"""An event's feedback, live response rate, interest scores, follow-up proposals and next steps
(SPEC §3.8), shown on the showcase page (ipup/includes/showcase_feedback.html) and on a page of
their own for the organisers.

Who sees what: the organisers (can_manage_events) everything; an attendee the link to give their
feedback; anyone else nothing. An event is found only among those the viewer may see on the
calendar, so a door answers 404 for a missing event, one not theirs to see, and (for the
organisers' doors) one they do not run.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.models import Event
from community.services.calendar import can_manage_events

from ..interest import interest_scores, next_steps_summaries
from ..models import AgendaItem, ShowcaseEvent, Survey
from ..services.feedback import (
    feedback_survey_create,
    feedback_surveys,
    next_steps_survey_create,
    response_rate,
)
from ..services.surveys import short_url

# The live counter asks again this often (seconds).
POLL_EVERY = 10


def access_showcase(user, pk, *, organiser: bool = False) -> ShowcaseEvent:
    showcase = (
        ShowcaseEvent.objects.select_related("event", "project")
        .filter(pk=pk, event__in=Event.objects.visible_to(user))
        .first()
    )
    if showcase is None or (organiser and not can_manage_events(user)):
        raise Http404
    return showcase


def follow_up_url(showcase: ShowcaseEvent, project_id: int) -> str:
    query = urlencode({"format": "webinar", "project": project_id, "follow_up_of": showcase.pk})
    return f"{reverse('ipup:showcase-create')}?{query}"


def _organiser_context(showcase: ShowcaseEvent, surveys: dict) -> dict:
    feedback = surveys.get(Survey.Kind.FEEDBACK)
    next_steps = surveys.get(Survey.Kind.NEXT_STEPS)
    context = {"feedback_survey": feedback, "next_steps_survey": next_steps}
    if feedback:
        items = AgendaItem.objects.filter(showcase=showcase).select_related("project")
        scores = interest_scores(showcase_ids=[showcase.pk])
        rows = []
        for item in items:
            interest = scores.get((showcase.pk, item.project_id))
            proposed = (
                interest is not None
                and interest.score is not None
                and interest.score >= showcase.follow_up_threshold
            )
            rows.append(
                {
                    "project": item.project,
                    "interest": interest,
                    "proposed": proposed,
                    "follow_up_url": follow_up_url(showcase, item.project_id) if proposed else "",
                }
            )
        context.update(
            rate=response_rate(feedback),
            feedback_link=short_url(feedback),
            scores=rows,
        )
    if next_steps:
        summaries = next_steps_summaries(showcase_ids=[showcase.pk])
        context.update(
            next_steps_link=short_url(next_steps),
            next_steps_rate=response_rate(next_steps),
            next_steps=summaries.get((showcase.pk, showcase.project_id)),
        )
    return context


def feedback_panel_context(*, showcase: ShowcaseEvent, user, can_manage=None, registration=None):
    """What the feedback part of the showcase page shows ``user``: everything to organisers,
    the short link to attendees once a survey is open, nothing to anyone else."""
    if can_manage is None:
        can_manage = can_manage_events(user)
    event = showcase.event
    context = {
        "showcase": showcase,
        "event": event,
        "can_manage": can_manage,
        "started": event.starts_at <= timezone.now() and not event.cancelled_at,
        "is_webinar": showcase.format == ShowcaseEvent.Format.WEBINAR,
        "poll_every": POLL_EVERY,
    }
    attended = registration is not None and registration.attended
    if not can_manage and not attended:
        return context
    surveys = feedback_surveys(showcase)
    if can_manage:
        context.update(_organiser_context(showcase, surveys))
    if attended:
        context["attendee_surveys"] = [
            {"survey": survey, "link": short_url(survey)}
            for survey in surveys.values()
            if survey.is_open
        ]
    return context


@require_http_methods(["GET"])
def showcase_feedback(request, pk):
    showcase = access_showcase(request.user, pk, organiser=True)
    context = feedback_panel_context(showcase=showcase, user=request.user, can_manage=True)
    context["standalone"] = True
    return render(request, "ipup/feedback_showcase.html", context)


@require_http_methods(["GET"])
def showcase_response_rate(request, pk):
    """The live counter (polled by htmx every POLL_EVERY seconds)."""
    showcase = access_showcase(request.user, pk, organiser=True)
    survey = feedback_surveys(showcase).get(Survey.Kind.FEEDBACK)
    if survey is None:
        raise Http404
    return render(
        request,
        "ipup/feedback_rate.html",
        {"showcase": showcase, "rate": response_rate(survey), "poll_every": POLL_EVERY},
    )


def _send(request, pk, create, done: str):
    showcase = access_showcase(request.user, pk, organiser=True)
    try:
        create(actor=request.user, showcase=showcase)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("ipup:showcase-detail", pk=showcase.pk)


@require_http_methods(["POST"])
def feedback_send(request, pk):
    return _send(
        request, pk, feedback_survey_create,
        _("The feedback survey is open: the attendees are being invited."),
    )  # fmt: skip


@require_http_methods(["POST"])
def next_steps_send(request, pk):
    return _send(
        request, pk, next_steps_survey_create,
        _("The next-steps questionnaire is open: the attendees are being invited."),
    )  # fmt: skip
