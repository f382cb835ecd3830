"""Answering a survey: from the personal e-mailed link (no sign-in needed) or in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import selectors
from ..forms import SurveyAnswerForm
from ..models import SurveyInvitation
from ..services.responses import invitation_check, response_draft, response_save
from ..tokens import invitation_from_token, invitation_token

# A link that does not exist and one that is used up answer differently: the first with 404
# (nothing to say about it), the second with 410 and a sentence the respondent can act on.
STATUS_FOR = {"invalid": 404, "not_open": 403, "closed": 410, "answered": 410}


def sections_with_fields(survey, form):
    """``[(section, [(question, [bound fields])])]`` for the template."""
    by_question = {}
    for name in form.fields:
        by_question.setdefault(int(name.split("_")[1]), []).append(form[name])
    sections = []
    for section in survey.sections.all():
        questions = [(q, by_question.get(q.pk, [])) for q in section.questions.all()]
        sections.append((section, questions))
    return sections


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request, token):
    invitation = invitation_from_token(token)
    try:
        invitation_check(invitation, user=request.user)
    except ValidationError as error:
        return render(
            request,
            "ipup/survey_message.html",
            {"message": error.messages[0], "survey": getattr(invitation, "survey", None)},
            status=STATUS_FOR.get(error.code, 404),
        )
    survey, questions = selectors.survey_for_answering(invitation.survey, invitation.member)
    submitting = request.POST.get("action") == "submit"
    form = SurveyAnswerForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        submitting=submitting,
    )
    draft = response_draft(invitation)
    if request.method == "GET" and draft:
        form.initial_from(draft.answers.all())
    if request.method == "POST" and form.is_valid():
        try:
            response_save(invitation=invitation, form=form, submit=submitting)
        except ValidationError as error:
            return render(
                request,
                "ipup/survey_message.html",
                {"message": error.messages[0], "survey": survey},
                status=STATUS_FOR.get(error.code, 410),
            )
        if submitting:
            return render(request, "ipup/survey_thanks.html", {"survey": survey})
        messages.success(request, _("Your answers are saved. You can come back to them later."))
        return redirect(request.path)
    return render(
        request,
        "ipup/survey_answer.html",
        {
            "survey": survey,
            "invitation": invitation,
            "form": form,
            "sections": sections_with_fields(survey, form),
            "draft": draft,
        },
    )


@require_http_methods(["GET"])
def my_surveys(request):
    """The surveys the signed-in member is invited to, to answer in place."""
    invitations = (
        SurveyInvitation.objects.filter(member=request.user)
        .select_related("survey")
        .order_by("-survey__opens_at")[:50]
    )
    rows = [(inv, invitation_token(inv) if inv.survey.is_open else None) for inv in invitations]
    return render(request, "ipup/my_surveys.html", {"rows": rows})
