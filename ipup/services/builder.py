"""Writing surveys without the administration: settings, sections, questions, a test send.

Invitees answer the survey that was published: once it is, its structure is locked (no
question, section or option added, removed, retyped or moved; no change of audience, dates,
anonymity or weighting) and only its wording may be fixed — the survey's title and
introduction, a section's title and description, a question's text, help and scale labels.
Answers are never deleted with a question or section (``Answer.question`` is RESTRICT: only
deleting the whole survey, in the administration, takes its answers with it).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy

from community.audit import audit_log
from community.emails import email_send

from ..models import Need, Question, Section, Survey
from ..permissions import can_manage_surveys

STRUCTURE_LOCKED = gettext_lazy(
    "This survey is published: its structure is locked. Only its wording can still be fixed "
    "(titles, introduction, question text, help and scale labels)."
)
SURVEY_WORDING = frozenset({"title", "introduction"})
SECTION_WORDING = frozenset({"title", "description"})
QUESTION_WORDING = frozenset({"text", "help_text", "scale_min_label", "scale_max_label"})


def _require_manager(actor) -> None:
    if not can_manage_surveys(actor):
        raise PermissionDenied


def _require_draft(survey: Survey) -> None:
    if survey.published_at:
        raise ValidationError(STRUCTURE_LOCKED, code="locked")


def _apply(obj, fields: dict, wording: frozenset) -> list[str]:
    """Set ``fields`` on ``obj`` (many-to-many ones excepted) and return the names that
    changed; on a published survey, only wording may change."""
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    survey = obj if isinstance(obj, Survey) else obj.survey
    if survey.published_at and set(changed) - wording:
        raise ValidationError(STRUCTURE_LOCKED, code="locked")
    for name in changed:
        setattr(obj, name, fields[name])
    return changed


def _next_position(queryset) -> int:
    return (queryset.aggregate(last=Max("position"))["last"] or 0) + 1


def _move(siblings: list, item, direction: str) -> None:
    """Swap ``item`` with its neighbour up or down, numbering ``siblings`` 1, 2, 3… again."""
    if direction not in ("up", "down"):
        raise ValidationError(gettext_lazy("Say whether to move it up or down."), code="direction")
    index = [s.pk for s in siblings].index(item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, 1):
        sibling.position = position
    type(item).objects.bulk_update(siblings, ["position"])


# --- Surveys ------------------------------------------------------------------------------------


@transaction.atomic
def survey_create(*, actor, audience_domains=(), **fields) -> Survey:
    _require_manager(actor)
    survey = Survey(created_by=actor, **fields)
    survey.full_clean()
    survey.save()
    survey.audience_domains.set(audience_domains)
    audit_log(actor=actor, action="survey.create", target=survey, kind=survey.kind)
    return survey


@transaction.atomic
def survey_update(*, actor, survey: Survey, audience_domains=None, **fields) -> Survey:
    _require_manager(actor)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    changed = _apply(survey, fields, SURVEY_WORDING)
    if audience_domains is not None and set(audience_domains) != set(survey.audience_domains.all()):
        _require_draft(survey)
        survey.audience_domains.set(audience_domains)
        changed.append("audience_domains")
    # (its author may have left: a survey outlives the account that wrote it)
    survey.full_clean(exclude=["created_by"])
    survey.save()
    audit_log(actor=actor, action="survey.update", target=survey, fields=changed)
    return survey


def survey_test_send(*, actor, survey: Survey) -> None:
    """E-mail ``actor`` the invitation as its audience will receive it, with a link to the
    preview: no invitation row, so nothing is counted in the response rates."""
    _require_manager(actor)
    email_send(
        to=actor.email,
        template="ipup/email/survey_invitation",
        context={
            "survey": survey,
            "member": actor,
            "link": settings.SITE_URL + reverse("ipup:survey-preview", args=[survey.pk]),
            "test": True,
        },
    )
    audit_log(actor=actor, action="survey.test_send", target=survey)


# --- Sections -----------------------------------------------------------------------------------


@transaction.atomic
def section_create(*, actor, survey: Survey, title: str, description: str = "") -> Section:
    _require_manager(actor)
    _require_draft(survey)
    section = Section(
        survey=survey,
        title=title,
        description=description,
        position=_next_position(survey.sections.all()),
    )
    section.full_clean()
    section.save()
    audit_log(actor=actor, action="survey.section_create", target=survey, section=section.pk)
    return section


@transaction.atomic
def section_update(*, actor, section: Section, **fields) -> Section:
    _require_manager(actor)
    section = Section.objects.select_related("survey").get(pk=section.pk)
    changed = _apply(section, fields, SECTION_WORDING)
    section.full_clean()
    section.save()
    audit_log(
        actor=actor, action="survey.section_update", target=section.survey,
        section=section.pk, fields=changed,
    )  # fmt: skip
    return section


@transaction.atomic
def section_delete(*, actor, section: Section) -> None:
    """Delete a draft's section and its questions (a draft has no answers yet)."""
    _require_manager(actor)
    _require_draft(section.survey)
    audit_log(
        actor=actor, action="survey.section_delete", target=section.survey,
        section=section.pk, title=section.title,
    )  # fmt: skip
    section.questions.all().delete()
    section.delete()


@transaction.atomic
def section_move(*, actor, section: Section, direction: str) -> None:
    _require_manager(actor)
    _require_draft(section.survey)
    siblings = list(Section.objects.select_for_update().filter(survey=section.survey_id))
    _move(siblings, section, direction)
    audit_log(
        actor=actor, action="survey.section_move", target=section.survey,
        section=section.pk, direction=direction,
    )  # fmt: skip


# --- Questions ----------------------------------------------------------------------------------


def _needs_check(actor, question: Question, needs) -> None:
    """A question may only be given needs its author may see (the visibility rule); those
    already in it stay. Whether the survey's audience may see them is checked on publishing."""
    kept = set(question.needs.values_list("pk", flat=True)) if question.pk else set()
    added = {need.pk for need in needs} - kept
    if added and Need.objects.visible_to(actor).filter(pk__in=added).count() != len(added):
        raise PermissionDenied


@transaction.atomic
def question_create(*, actor, section: Section, kind: str, needs=(), **fields) -> Question:
    _require_manager(actor)
    _require_draft(section.survey)
    question = Question(
        survey=section.survey,
        section=section,
        kind=kind,
        position=_next_position(section.questions.all()),
        **fields,
    )
    _needs_check(actor, question, needs)
    question.full_clean()
    question.save()
    question.needs.set(needs)
    audit_log(
        actor=actor, action="survey.question_create", target=section.survey,
        question=question.pk, kind=kind,
    )  # fmt: skip
    return question


@transaction.atomic
def question_update(*, actor, question: Question, needs=None, **fields) -> Question:
    _require_manager(actor)
    question = Question.objects.select_for_update().select_related("survey").get(pk=question.pk)
    if "section" in fields and fields["section"].survey_id != question.survey_id:
        raise PermissionDenied
    moved = "section" in fields and fields["section"] != question.section
    changed = _apply(question, fields, QUESTION_WORDING)
    if moved:
        question.position = _next_position(fields["section"].questions.all())
    if needs is not None and set(needs) != set(question.needs.all()):
        _require_draft(question.survey)
        _needs_check(actor, question, needs)
        question.needs.set(needs)
        changed.append("needs")
    question.full_clean()
    question.save()
    audit_log(
        actor=actor, action="survey.question_update", target=question.survey,
        question=question.pk, fields=changed,
    )  # fmt: skip
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    _require_manager(actor)
    _require_draft(question.survey)
    audit_log(
        actor=actor, action="survey.question_delete", target=question.survey,
        question=question.pk, text=question.text,
    )  # fmt: skip
    question.delete()


@transaction.atomic
def question_move(*, actor, question: Question, direction: str) -> None:
    _require_manager(actor)
    _require_draft(question.survey)
    siblings = list(
        Question.objects.select_for_update()
        .filter(section=question.section_id)
        .order_by("position", "id")
    )
    _move(siblings, question, direction)
    audit_log(
        actor=actor, action="survey.question_move", target=question.survey,
        question=question.pk, direction=direction,
    )  # fmt: skip
