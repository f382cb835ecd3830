"""Screening a need against the research projects (SPEC §3.6): the coordinator's judgements,
state-of-the-art study recommendations, and the project embeddings screening ranks with.

Judging and recommending are for those who manage needs, on needs they may see (the same check
as every need write, ipup.services.needs). They move the need along its workflow where the step
is the obvious one (a prioritised need that is judged is screened; one a project meets is
matched; one that gets a study is "SoTA recommended"), through need_status_change so the
transition rules and the audit entry are the same as when the status is moved by hand.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.audit import audit_log

from .. import embeddings, screening
from ..models import Need, ResearchProject, ScreeningCandidate, SotaRecommendation
from .needs import _require_manager, need_status_change

EMBED_BATCH = 500


def projects_embed(project_ids: Iterable[int]) -> int:
    """Compute and store the embeddings of these projects (idempotent: a retry writes the same
    vectors). Called by ipup.tasks.project_embeddings_task after an import or an edit."""
    ids = sorted(set(project_ids))
    done = 0
    for start in range(0, len(ids), EMBED_BATCH):
        projects = list(
            ResearchProject.objects.filter(pk__in=ids[start : start + EMBED_BATCH]).only(
                "pk", "title", "summary", "objectives"
            )
        )
        vectors = embeddings.embed([screening.project_text(project) for project in projects])
        for project, vector in zip(projects, vectors, strict=True):
            project.embedding = embeddings.to_bytes(vector)
            project.embedding_model = embeddings.MODEL_NAME
        ResearchProject.objects.bulk_update(projects, ["embedding", "embedding_model"])
        done += len(projects)
    return done


def _advance(*, actor, need: Need, status: str) -> None:
    """Move the need to ``status`` if that is one step from where it is; otherwise leave it (a
    need judged again after it was matched stays matched)."""
    if need.status != status and need.can_move_to(status) and status != Need.Status.CLOSED:
        need_status_change(actor=actor, need=need, status=status)
        need.status = status


@transaction.atomic
def candidate_judge(
    *, actor, need: Need, project: ResearchProject, judgement: str, note: str = ""
) -> ScreeningCandidate:
    """Record (or change) the coordinator's judgement of ``project`` for ``need``. The scores
    kept with it are recomputed here, never taken from the form."""
    _require_manager(actor, need)
    if judgement not in ScreeningCandidate.Judgement.values or not judgement:
        raise ValidationError({"judgement": [_("Choose a judgement.")]})
    candidate = (
        ScreeningCandidate.objects.select_for_update().filter(need=need, project=project).first()
    )
    if candidate is None:
        (scored,) = screening.screen_need(need, limit=1, project_ids=[project.pk]) or [None]
        candidate = ScreeningCandidate(need=need, project=project)
        if scored is not None:
            candidate.score = scored.score
            candidate.text_relevance = scored.text_relevance
            candidate.similarity = scored.similarity
            candidate.domain_overlap = scored.domain_overlap
    previous = candidate.judgement
    candidate.judgement = judgement
    candidate.note = note
    candidate.judged_by = actor
    candidate.judged_at = timezone.now()
    candidate.full_clean(exclude=["judged_by"])
    candidate.save()
    audit_log(
        actor=actor,
        action="need.candidate_judge",
        target=need,
        project=project.pk,
        previous=previous,
        judgement=judgement,
    )
    _advance(actor=actor, need=need, status=Need.Status.SCREENED)
    if judgement == ScreeningCandidate.Judgement.MEETS:
        _advance(actor=actor, need=need, status=Need.Status.MATCHED)
    return candidate


@transaction.atomic
def sota_recommend(
    *, actor, need: Need, topic: str, rationale: str, scope: str
) -> SotaRecommendation:
    """Recommend a state-of-the-art study for a need no screened project meets."""
    _require_manager(actor, need)
    if need.screening_candidates.filter(judgement=ScreeningCandidate.Judgement.MEETS).exists():
        raise ValidationError(
            _("A screened project meets this need: a study is recommended only when none does.")
        )
    recommendation = SotaRecommendation(
        need=need, topic=topic, rationale=rationale, scope=scope, created_by=actor
    )
    recommendation.full_clean(exclude=["created_by"])
    recommendation.save()
    audit_log(actor=actor, action="need.sota_recommend", target=need, sota=recommendation.pk)
    _advance(actor=actor, need=need, status=Need.Status.SCREENED)
    _advance(actor=actor, need=need, status=Need.Status.SOTA)
    return recommendation


@transaction.atomic
def sota_status_change(
    *, actor, recommendation: SotaRecommendation, status: str, final_report_url: str = ""
) -> SotaRecommendation:
    """Move a study one step along ``SotaRecommendation.TRANSITIONS``; a completed study has
    its final report's address."""
    _require_manager(actor, recommendation.need)
    recommendation = SotaRecommendation.objects.select_for_update().get(pk=recommendation.pk)
    if status not in recommendation.TRANSITIONS.get(recommendation.status, set()):
        label = dict(SotaRecommendation.Status.choices).get(status, status)
        raise ValidationError(
            _("A study cannot go from “%(current)s” to “%(next)s”.")
            % {"current": recommendation.get_status_display(), "next": label}
        )
    if final_report_url:
        URLValidator(schemes=["https", "http"])(final_report_url)
    elif status == SotaRecommendation.Status.COMPLETED:
        raise ValidationError(
            {"final_report_url": [_("Give the address of the study's final report.")]}
        )
    previous = recommendation.status
    recommendation.status = status
    recommendation.final_report_url = final_report_url or recommendation.final_report_url
    recommendation.save(update_fields=["status", "final_report_url", "updated_at"])
    audit_log(
        actor=actor,
        action="need.sota_status",
        target=recommendation.need,
        sota=recommendation.pk,
        previous=previous,
        new=status,
    )
    return recommendation
