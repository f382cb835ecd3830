"""Screening a need against the research projects, and the studies recommended when none
answers it (SPEC §3.6). For those who manage needs, on needs they may see: any other need, or
any other member, gets a 404 (no telling a need exists)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ileanet.forms import form_errors_add

from .. import screening
from ..forms.screening import JudgementForm, SotaForm, SotaStatusForm
from ..models import Need, ResearchProject, ScreeningCandidate, SotaRecommendation
from ..permissions import can_manage_needs
from ..services.screening import candidate_judge, sota_recommend, sota_status_change
from .needs import _need


def _managed_need(user, pk) -> Need:
    if not can_manage_needs(user):
        raise Http404
    return _need(user, pk)


def _render(request, need, *, sota_form=None, status=200):
    recorded = list(
        ScreeningCandidate.objects.filter(need=need).select_related("project", "judged_by")
    )
    seen = {candidate.project_id for candidate in recorded}
    fresh = screening.screen_need(need, limit=screening.DEFAULT_LIMIT + len(seen))
    # A judged project keeps the scores it was proposed with; the words it matches are today's.
    terms = {candidate.project.pk: candidate.matching_terms for candidate in fresh}
    for candidate in recorded:
        candidate.matching_terms = terms.get(candidate.project_id, [])
    proposals = [c for c in fresh if c.project.pk not in seen][: screening.DEFAULT_LIMIT]
    recommendations = list(need.sota_recommendations.all())
    for recommendation in recommendations:
        recommendation.next_statuses = [
            status
            for status in SotaRecommendation.Status
            if status in recommendation.TRANSITIONS[recommendation.status]
        ]
    # issue 15: knowledge factory — a completed study's final report: a link to add it, or to
    # the item once there is one and the reader may open it (one query, only for completed
    # studies: only those have a report).
    from django.db.models import BooleanField, ExpressionWrapper

    from community.visibility import knowledge_item_filter
    from knowledge_factory.models import Item

    completed = [r for r in recommendations if r.status == SotaRecommendation.Status.COMPLETED]
    reports = {}
    if completed:
        readable = ExpressionWrapper(knowledge_item_filter(request.user), BooleanField())
        reports = {
            item.sota_recommendation_id: item
            for item in Item.objects.filter(sota_recommendation__in=completed)
            .annotate(readable=readable)
            .only("pk", "status", "sota_recommendation_id")
        }
    for recommendation in recommendations:
        report = reports.get(recommendation.pk)
        recommendation.report_item = report if report is not None and report.readable else None
        recommendation.report_addable = recommendation in completed and report is None
    none_meets = all(c.judgement != ScreeningCandidate.Judgement.MEETS for c in recorded)
    context = {
        "need": need,
        "recorded": recorded,
        "proposals": proposals,
        "recommendations": recommendations,
        "none_meets": none_meets,
        "sota_form": sota_form or SotaForm(),
        "judgement_choices": JudgementForm().fields["judgement"].choices,
        "weights": {name: round(weight * 100) for name, weight in screening.WEIGHTS.items()},
    }
    return render(request, "ipup/screening_need.html", context, status=status)


@require_http_methods(["GET"])
def need_screening(request, pk):
    return _render(request, _managed_need(request.user, pk))


@require_http_methods(["POST"])
def screening_judge(request, pk, project_id):
    need = _managed_need(request.user, pk)
    project = get_object_or_404(ResearchProject, pk=project_id)
    form = JudgementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a judgement (the note may stay empty)."))
        return redirect("ipup:need-screening", pk=need.pk)
    try:
        candidate_judge(actor=request.user, need=need, project=project, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Your judgement of %(project)s is recorded.") % {"project": project}
        )
    return redirect("ipup:need-screening", pk=need.pk)


@require_http_methods(["POST"])
def screening_sota(request, pk):
    need = _managed_need(request.user, pk)
    form = SotaForm(request.POST)
    if form.is_valid():
        try:
            sota_recommend(actor=request.user, need=need, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The study recommendation is recorded."))
            return redirect("ipup:need-screening", pk=need.pk)
    return _render(request, need, sota_form=form, status=400)


@require_http_methods(["POST"])
def screening_sota_status(request, pk, sota_id):
    need = _managed_need(request.user, pk)
    recommendation = get_object_or_404(SotaRecommendation, pk=sota_id, need=need)
    form = SotaStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("ipup:need-screening", pk=need.pk)
    try:
        sota_status_change(actor=request.user, recommendation=recommendation, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The study's status is changed."))
    return redirect("ipup:need-screening", pk=need.pk)
