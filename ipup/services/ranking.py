"""Applying a survey's ranking to the needs it rated (SPEC §3.4)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.audit import audit_log

from ..models import Need, Survey
from ..permissions import can_manage_surveys
from ..ranking import scores_compute, survey_ratings


@transaction.atomic
def ranking_apply(*, actor, survey: Survey) -> list[Need]:
    """Give every need the survey rated its weighted score as priority, and move those that
    were analysed on to prioritised. Only a closed survey's ranking is applied: answers still
    coming in would move it after the needs took it as settled. Applying again (after the
    weights were corrected, say) overwrites the scores; the status moves only once. Only the
    needs ``actor`` may see are changed (managing needs follows the visibility rule)."""
    if not can_manage_surveys(actor):
        raise PermissionDenied
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state != Survey.State.CLOSED:
        raise ValidationError(
            _("Close the survey before applying its ranking: new answers would still move it.")
        )
    # Every rated need, also one in no domain (which the per-domain page cannot list).
    scores = scores_compute(
        survey_ratings(survey),
        role_weights=survey.role_weights or {},
        normalise_by_organisation=survey.normalise_by_organisation,
    )
    if not scores:
        raise ValidationError(_("No submitted answer rates a need yet: there is nothing to apply."))
    needs = list(
        Need.objects.visible_to(actor).select_for_update().filter(pk__in=scores).order_by("pk")
    )
    now = timezone.now()
    moved = []
    for need in needs:
        need.priority_score = scores[need.pk].weighted
        need.prioritised_by = survey
        need.updated_at = now
        if need.status == Need.Status.ANALYSED:
            need.status = Need.Status.PRIORITISED
            moved.append(need.pk)
    Need.objects.bulk_update(needs, ["priority_score", "prioritised_by", "status", "updated_at"])
    audit_log(
        actor=actor,
        action="survey.ranking_apply",
        target=survey,
        needs=[need.pk for need in needs],
        prioritised=moved,
    )
    return needs
