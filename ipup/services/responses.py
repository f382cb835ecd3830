"""Answering a survey: one response per invitee, saved as a draft until submitted.

An anonymous survey keeps nothing that leads from an answer to a person. While it is open, the
invitee's draft is found through their invitation (they may come back to it); on submission the
response is detached from the invitation, its times are kept to the day only, and a respondent
without a verified organisation gets a random key. The invitation then only knows that it was
answered, not when. The drafts still linked when the survey closes are deleted
(``anonymous_drafts_delete``: on closing, by a periodic task, and before any ranking or export
of a closed survey is read).
"""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, Response, Survey, SurveyInvitation
from ..ranking import ORGANISATION_KEY_PREFIX


def invitation_check(invitation: SurveyInvitation | None, *, user=None) -> None:
    """Refuse, with a message the respondent can act on, a link that cannot be used now.
    ``user`` is the signed-in member, if any: a link works only for its own invitee. The link
    of a suspended, removed or deleted member answers like one that does not exist."""
    if invitation is None:
        raise ValidationError(_("This survey link is not valid."), code="invalid")
    if user is not None and user.is_authenticated and invitation.member_id != user.pk:
        raise ValidationError(
            _("This survey link was sent to another member. Sign out to use it, or open yours."),
            code="invalid",
        )
    member = invitation.member
    if member is None or not member.is_active or member.deleted_at or member.is_suspended:
        raise ValidationError(_("This survey link is not valid."), code="invalid")
    state = invitation.survey.state
    if state == Survey.State.SCHEDULED:
        raise ValidationError(
            _("This survey opens on %(date)s. Your link will work from then on.")
            % {"date": timezone.localtime(invitation.survey.opens_at).strftime("%d %B %Y")},
            code="not_open",
        )
    if state != Survey.State.OPEN:
        raise ValidationError(
            _("This survey is closed. Thank you for your interest."), code="closed"
        )
    if invitation.has_answered:
        raise ValidationError(
            _("You have already answered this survey. Thank you!"), code="answered"
        )


def response_draft(invitation: SurveyInvitation) -> Response | None:
    return (
        Response.objects.filter(invitation=invitation).prefetch_related("answers__question").first()
    )


def respondent_snapshot(member) -> dict:
    """The respondent as the weighting sees them (ipup.ranking), copied onto the response when
    it is submitted. Only verified facts: the organisation counts when the member's affiliation
    is verified (organisations are set by community managers); a respondent without one counts
    as an organisation of one, under a random key that says nothing about who they are."""
    organisation = member.organisation if member.verified_affiliation else None
    return {
        "role_level": member.role_level,
        "affiliation_type": member.verified_affiliation or "",
        "country": member.country,
        "organisation": organisation,
        "organisation_key": (
            f"{ORGANISATION_KEY_PREFIX}{organisation.pk}"
            if organisation
            else f"one:{secrets.token_hex(8)}"
        ),
    }


def to_the_day(moment: datetime) -> datetime:
    """The start of ``moment``'s day: an anonymous response's times say nothing finer."""
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def response_save(*, invitation: SurveyInvitation, form, submit: bool) -> Response:
    """Store the answers of a validated SurveyAnswerForm (replacing those saved before) and,
    when ``submit``, close the response. The invitation row is locked: a double click or a
    second tab cannot submit twice, and nothing is stored once it is submitted."""
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("survey", "member__organisation")
            .get(pk=invitation.pk)
        )
        invitation_check(invitation)
        survey = invitation.survey
        response, _created = Response.objects.get_or_create(
            invitation=invitation, defaults={"survey": survey}
        )
        response.answers.all().delete()
        Answer.objects.bulk_create(
            Answer(response=response, question=question, need=need, value=value)
            for question, need, value in form.answers()
        )
        now = timezone.now()
        response.updated_at = now
        fields = ["updated_at"]
        if submit:
            snapshot = respondent_snapshot(invitation.member)
            for name, value in snapshot.items():
                setattr(response, name, value)
            response.status = Response.Status.SUBMITTED
            response.submitted_at = now
            fields += ["status", "submitted_at", *snapshot]
            if survey.is_anonymous:
                response.invitation = None
                response.started_at = response.updated_at = response.submitted_at = to_the_day(now)
                fields += ["invitation", "started_at"]
            invitation.has_answered = True
            invitation.save(update_fields=["has_answered"])
        response.save(update_fields=fields)
    return response


def anonymous_drafts_delete(*, survey: Survey | None = None) -> int:
    """Delete the unsubmitted drafts of closed anonymous surveys (of ``survey`` only, if given):
    they are the last rows linking an anonymous survey's answers to invitees, and answers
    never submitted count for nothing. Returns how many responses were deleted."""
    now = timezone.now()
    drafts = Response.objects.filter(
        Q(survey__closed_early_at__isnull=False) | Q(survey__closes_at__lte=now),
        survey__is_anonymous=True,
        survey__published_at__isnull=False,
        status=Response.Status.DRAFT,
    )
    if survey is not None:
        drafts = drafts.filter(survey=survey)
    _total, by_model = drafts.delete()
    return by_model.get(Response._meta.label, 0)
