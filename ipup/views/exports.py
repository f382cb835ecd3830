"""A survey's responses, exported for those who run surveys (SPEC §3.3)."""

from django.views.decorators.http import require_http_methods

from .. import exports
from .ranking import attachment, survey_for_manager

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_http_methods(["GET"])
def survey_responses_csv(request, pk):
    survey = survey_for_manager(request, pk)
    return attachment(
        exports.responses_csv(survey, reader=request.user),
        content_type="text/csv; charset=utf-8",
        filename=f"responses-survey-{survey.pk}.csv",
    )


@require_http_methods(["GET"])
def survey_responses_xlsx(request, pk):
    survey = survey_for_manager(request, pk)
    return attachment(
        exports.responses_xlsx(survey, reader=request.user),
        content_type=XLSX,
        filename=f"responses-survey-{survey.pk}.xlsx",
    )
