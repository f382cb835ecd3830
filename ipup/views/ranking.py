"""The prioritisation of a survey's needs (SPEC §3.4): the ranking page, applying it to the
needs, and its CSV and PDF exports. For those who run surveys; everyone else gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from community.models import RoleLevel
from ileanet.pdf import render_pdf

from .. import exports
from ..models import Need, Question, Response, Survey
from ..permissions import can_manage_surveys, need_filter
from ..ranking import role_weight, survey_ranking
from ..services.ranking import ranking_apply


def survey_for_manager(request, pk) -> Survey:
    if not can_manage_surveys(request.user):
        raise Http404
    return get_object_or_404(Survey, pk=pk)


def attachment(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _ranking(request, survey):
    # Only the needs the reader may see: managers see every need today, but the ranking
    # should not be the one page that forgets the rule if that changes.
    return survey_ranking(survey, needs=Need.objects.filter(need_filter(request.user)))


def _context(request, survey: Survey) -> dict:
    """What the page and the PDF show: the ranking, the weights and the method's settings.
    A fixed number of queries, however many responses the survey has."""
    ranking = _ranking(request, survey)
    scale_max = Question.objects.filter(
        survey=survey, kind=Question.Kind.NEED_IMPORTANCE
    ).aggregate(top=Max("scale_max"))["top"]
    return {
        "survey": survey,
        "ranking": ranking,
        "weights": [
            (level.label, role_weight(survey.role_weights or {}, level.value))
            for level in RoleLevel
        ],
        "normalised": survey.normalise_by_organisation,
        "respondents": Response.objects.filter(
            survey=survey, status=Response.Status.SUBMITTED
        ).count(),
        "charts": {
            "max": scale_max or 5,
            "labels": {"raw": _("Raw score"), "weighted": _("Weighted score")},
            "domains": [
                {
                    "labels": [row.need.title for row in rows],
                    "raw": [round(row.score.raw, 2) for row in rows],
                    "weighted": [round(row.score.weighted, 2) for row in rows],
                }
                for _domain, rows in ranking
            ],
        },
        "can_apply": survey.state == Survey.State.CLOSED,
        "generated_at": timezone.now(),
    }


@require_http_methods(["GET"])
def survey_ranking_page(request, pk):
    survey = survey_for_manager(request, pk)
    return render(request, "ipup/ranking.html", _context(request, survey))


@require_http_methods(["POST"])
def survey_ranking_apply(request, pk):
    survey = survey_for_manager(request, pk)
    try:
        needs = ranking_apply(actor=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d need now carries this survey's priority.",
                "%(count)d needs now carry this survey's priority.",
                len(needs),
            )
            % {"count": len(needs)},
        )
    return redirect("ipup:survey-ranking", pk=survey.pk)


@require_http_methods(["GET"])
def survey_ranking_csv(request, pk):
    survey = survey_for_manager(request, pk)
    return attachment(
        exports.ranking_csv(_ranking(request, survey)),
        content_type="text/csv; charset=utf-8",
        filename=f"ranking-survey-{survey.pk}.csv",
    )


@require_http_methods(["GET"])
def survey_ranking_pdf(request, pk):
    survey = survey_for_manager(request, pk)
    pdf = render_pdf("ipup/ranking_pdf.html", _context(request, survey), request=request)
    return attachment(
        pdf, content_type="application/pdf", filename=f"ranking-survey-{survey.pk}.pdf"
    )
