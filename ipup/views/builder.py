"""The survey builder (no administration needed): a survey's settings, its sections and
questions, a preview as respondents see it, and a test e-mail to oneself. Every write goes
through ipup.services.builder, which also locks a published survey's structure."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import selectors
from ..forms import SurveyAnswerForm
from ..forms.builder import QuestionForm, SectionForm, SurveyForm
from ..models import Question, Section, Survey
from ..permissions import can_manage_surveys
from ..services import builder
from .answers import sections_with_fields
from .surveys import managed_survey


def _back_to_builder(request, survey, service, done, **kwargs):
    """Run a builder service from a button; a refusal (a locked survey) becomes a message."""
    try:
        service(actor=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("ipup:survey-build", pk=survey.pk)


@require_http_methods(["GET", "POST"])
def survey_edit(request, pk=None):
    if not can_manage_surveys(request.user):
        raise Http404
    survey = managed_survey(request, pk) if pk else Survey()
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        if survey.pk:
            survey = builder.survey_update(
                actor=request.user, survey=survey, **form.service_fields()
            )
        else:
            survey = builder.survey_create(actor=request.user, **form.service_fields())
        messages.success(request, _("The survey is saved."))
        return redirect("ipup:survey-build", pk=survey.pk)
    return render(request, "ipup/survey_form.html", {"form": form, "survey": survey})


@require_http_methods(["GET"])
def survey_build(request, pk):
    survey = managed_survey(request, pk)
    sections = survey.sections.prefetch_related(
        Prefetch("questions", queryset=Question.objects.prefetch_related("needs"))
    )
    return render(
        request,
        "ipup/survey_builder.html",
        {"survey": survey, "sections": sections, "kinds": Question.Kind.choices},
    )


@require_http_methods(["GET", "POST"])
def section_edit(request, pk, section_id=None):
    survey = managed_survey(request, pk)
    section = get_object_or_404(Section, pk=section_id, survey=survey) if section_id else None
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        try:
            if section:
                builder.section_update(actor=request.user, section=section, **form.cleaned_data)
            else:
                builder.section_create(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("ipup:survey-build", pk=survey.pk)
    return render(
        request, "ipup/section_form.html", {"form": form, "survey": survey, "section": section}
    )


@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question_id=None):
    """A question of the type chosen on the builder page (``?kind=``), or an existing one."""
    survey = managed_survey(request, pk)
    question = get_object_or_404(Question, pk=question_id, survey=survey) if question_id else None
    if question is None and survey.published_at:
        messages.error(request, builder.STRUCTURE_LOCKED)
        return redirect("ipup:survey-build", pk=survey.pk)
    kind = question.kind if question else request.GET.get("kind")
    if kind not in Question.Kind.values:
        messages.error(request, _("Choose the type of the question first."))
        return redirect("ipup:survey-build", pk=survey.pk)
    section = request.GET.get("section")
    form = QuestionForm(
        request.POST or None,
        instance=question,
        survey=survey,
        kind=kind,
        actor=request.user,
        initial={"section": section} if section else None,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            if question:
                builder.question_update(actor=request.user, question=question, **fields)
            else:
                builder.question_create(actor=request.user, kind=kind, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("ipup:survey-build", pk=survey.pk)
    return render(
        request,
        "ipup/question_form.html",
        {"form": form, "survey": survey, "question": question, "kind": Question.Kind(kind)},
    )


@require_http_methods(["POST"])
def section_action(request, pk, section_id, action):
    survey = managed_survey(request, pk)
    section = get_object_or_404(
        Section.objects.select_related("survey"), pk=section_id, survey=survey
    )
    if action == "delete":
        return _back_to_builder(
            request, survey, builder.section_delete, _("The section is deleted."), section=section
        )
    return _back_to_builder(
        request, survey, builder.section_move, _("The section is moved."),
        section=section, direction=request.POST.get("direction", ""),
    )  # fmt: skip


@require_http_methods(["POST"])
def question_action(request, pk, question_id, action):
    survey = managed_survey(request, pk)
    question = get_object_or_404(
        Question.objects.select_related("survey"), pk=question_id, survey=survey
    )
    if action == "delete":
        return _back_to_builder(
            request, survey, builder.question_delete, _("The question is deleted."),
            question=question,
        )  # fmt: skip
    return _back_to_builder(
        request, survey, builder.question_move, _("The question is moved."),
        question=question, direction=request.POST.get("direction", ""),
    )  # fmt: skip


@require_http_methods(["GET"])
def survey_preview(request, pk):
    """The answer page as a respondent sees it, not submittable. It shows the needs the
    previewing manager may see (the audience's own are checked when publishing)."""
    survey = managed_survey(request, pk)
    survey, questions = selectors.survey_for_answering(survey, request.user)
    form = SurveyAnswerForm(questions=questions)
    return render(
        request,
        "ipup/survey_answer.html",
        {
            "survey": survey,
            "form": form,
            "sections": sections_with_fields(survey, form),
            "preview": True,
        },
    )


@require_http_methods(["POST"])
def survey_test_send(request, pk):
    survey = managed_survey(request, pk)
    builder.survey_test_send(actor=request.user, survey=survey)
    messages.success(
        request,
        _("A test invitation is sent to %(email)s; its link opens the preview.")
        % {"email": request.user.email},
    )
    return redirect("ipup:survey-build", pk=survey.pk)
