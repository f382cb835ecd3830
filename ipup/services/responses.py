"""Answering a survey: one response per invitee, saved as a draft until submitted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, Response, Survey, SurveyInvitation


def invitation_check(invitation: SurveyInvitation | None, *, user=None) -> None:
    """Refuse, with a message the respondent can act on, a link that cannot be used now.
    ``user`` is the signed-in member, if any: a link works only for its own invitee."""
    if invitation is None:
        raise ValidationError(_("This survey link is not valid."), code="invalid")
    if user is not None and user.is_authenticated and invitation.member_id != user.pk:
        raise ValidationError(
            _("This survey link was sent to another member. Sign out to use it, or open yours."),
            code="invalid",
        )
    member = invitation.member
    if member is None or not member.is_active or member.deleted_at:
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
    if invitation.responded_at:
        raise ValidationError(
            _("You have already answered this survey. Thank you!"), code="answered"
        )


def response_draft(invitation: SurveyInvitation) -> Response | None:
    return (
        Response.objects.filter(invitation=invitation).prefetch_related("answers__question").first()
    )


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
        response, _created = Response.objects.get_or_create(
            invitation=invitation, defaults={"survey": invitation.survey}
        )
        response.answers.all().delete()
        Answer.objects.bulk_create(
            Answer(response=response, question=question, need=need, value=value)
            for question, need, value in form.answers()
        )
        fields = ["updated_at"]
        if submit:
            member = invitation.member
            response.status = Response.Status.SUBMITTED
            response.submitted_at = timezone.now()
            response.role_level = member.role_level
            response.affiliation_type = member.verified_affiliation or ""
            response.country = member.country
            response.organisation = member.organisation
            response.organisation_key = (
                f"org:{member.organisation_id}"
                if member.organisation_id
                else f"member:{invitation.pk}"
            )
            fields += [
                "status",
                "submitted_at",
                "role_level",
                "affiliation_type",
                "country",
                "organisation",
                "organisation_key",
            ]
            invitation.responded_at = response.submitted_at
            invitation.save(update_fields=["responded_at"])
        response.save(update_fields=fields)
    return response
