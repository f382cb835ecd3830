"""A survey's results, question by question (only submitted responses count)."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .. import selectors
from .surveys import managed_survey


@require_http_methods(["GET"])
def survey_results(request, pk):
    survey = managed_survey(request, pk)
    results = selectors.survey_results(survey, request.user)
    return render(request, "ipup/survey_results.html", {"survey": survey, **results})
