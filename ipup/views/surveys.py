"""Running a survey: the coordinators' list, a survey's page with the sending progress,
publishing and closing, and the response rates by segment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import selectors
from ..models import Survey
from ..permissions import can_manage_surveys
from ..services.surveys import (
    sending_progress,
    short_url,
    survey_audience,
    survey_close,
    survey_publish,
)


def managed_survey(request, pk) -> Survey:
    if not can_manage_surveys(request.user):
        raise Http404
    return get_object_or_404(Survey, pk=pk)


@require_http_methods(["GET"])
def survey_list(request):
    if not can_manage_surveys(request.user):
        raise Http404
    surveys = selectors.response_rate_totals(selectors.survey_list_with_rates()[:100])
    return render(request, "ipup/survey_list.html", {"rows": surveys})


@require_http_methods(["GET"])
def survey_detail(request, pk):
    survey = managed_survey(request, pk)
    context = {"survey": survey, "progress": sending_progress(survey)}
    if request.htmx:
        return render(request, "ipup/survey_detail.html#progress", context)
    context |= {
        "audience_size": survey_audience(survey).count(),
        "rates": selectors.response_rates(survey),
        "question_count": survey.questions.count(),
        "short_url": short_url(survey),
    }
    return render(request, "ipup/survey_detail.html", context)


@require_http_methods(["POST"])
def survey_action(request, pk, action):
    survey = managed_survey(request, pk)
    services = {"publish": survey_publish, "close": survey_close}
    if action not in services:
        raise Http404
    try:
        services[action](actor=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = {
            "publish": _("The survey is published: the invitations are being sent."),
            "close": _("The survey is closed: its links no longer accept answers."),
        }
        messages.success(request, done[action])
    return redirect("ipup:survey-detail", pk=survey.pk)
