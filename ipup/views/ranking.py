"""The prioritisation of a survey's needs (SPEC §3.4): the ranking page, applying it to the
needs, and its CSV and PDF exports. For those who run surveys; everyone else gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from community.models import RoleLevel
from ileanet.pdf import render_pdf

from .. import exports
from ..models import Need, Question, Response, Survey
from ..ranking import ORGANISATION_KEY_PREFIX, role_weight, survey_ranking
from ..services.ranking import ranking_apply
from ..services.responses import anonymous_drafts_delete
from .surveys import managed_survey


def survey_for_manager(request, pk) -> Survey:
    """The survey, for those who run surveys (404 for anyone else). Its ranking and exports are
    read through here: a closed anonymous survey first loses any draft still linked to an
    invitee, should the periodic task not have run yet."""
    survey = managed_survey(request, pk)
    if survey.is_anonymous and survey.state == Survey.State.CLOSED:
        anonymous_drafts_delete(survey=survey)
    return survey


def attachment(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _ranking(request, survey):
    # Only the needs the reader may see (an IPUP coordinator reads needs by their own tier).
    return survey_ranking(survey, needs=Need.objects.visible_to(request.user))


def _context(request, survey: Survey) -> dict:
    """What the page and the PDF show: the ranking, the weights and the method's settings.
    A fixed number of queries, however many responses the survey has."""
    ranking = _ranking(request, survey)
    responses = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED).aggregate(
        respondents=Count("pk"),
        without_organisation=Count(
            "pk", filter=~Q(organisation_key__startswith=ORGANISATION_KEY_PREFIX)
        ),
    )
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
        "respondents": responses["respondents"],
        "without_organisation": responses["without_organisation"],
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
