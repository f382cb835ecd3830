"""A survey's short link and its QR code (event rooms, webinar chats: SPEC §3.8).

The link is for signed-in members of the survey's audience only: it finds or creates their own
invitation and sends them on to its page, so they answer once, as if they had been e-mailed.
To anyone else it does not exist (404), like a survey they were never meant to see."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ..models import Survey
from ..qr import qr_png, qr_svg
from ..services.surveys import public_invitation_get, short_url
from ..tokens import invitation_token
from .answers import STATUS_FOR
from .surveys import managed_survey


@require_http_methods(["GET"])
def survey_short(request, code):
    survey = get_object_or_404(
        Survey, short_code=code, public_link=True, published_at__isnull=False
    )
    try:
        invitation = public_invitation_get(survey=survey, member=request.user)
    except ValidationError as error:
        return render(
            request,
            "ipup/survey_message.html",
            {"message": error.messages[0], "survey": survey},
            status=STATUS_FOR.get(error.code, 404),
        )
    if invitation is None:
        raise Http404
    return redirect("ipup:survey-answer", token=invitation_token(invitation))


@require_http_methods(["GET"])
def survey_qr(request, pk):
    survey = managed_survey(request, pk)
    if not survey.public_link:
        raise Http404
    response = HttpResponse(qr_svg(short_url(survey)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="survey-{survey.pk}-qr.svg"'
    return response


@require_http_methods(["GET"])
def survey_qr_png(request, pk):
    """The same QR code as a PNG, for slide tools and chats that do not take SVG."""
    survey = managed_survey(request, pk)
    if not survey.public_link:
        raise Http404
    response = HttpResponse(qr_png(short_url(survey)), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-qr.png"'
    return response
