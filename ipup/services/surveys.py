"""Surveys: publishing, the audience, invitations and reminders (SPEC §3.3).

Sending is idempotent and resumable by construction: every invitee has one invitation row
(unique per survey and member) created before anything is sent, and each row's e-mail state is
committed with its e-mail (community.outbox). A retried, restarted or concurrent sending
finds the rows nobody has sent yet and sends those; a refused address is recorded, not fatal.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.audit import audit_log
from community.emails import email_send
from community.models import DeliveryStatus, User
from community.outbox import deliveries_send
from community.visibility import good_standing_filter, need_audience_filter

from ..models import Need, Survey, SurveyInvitation, SurveyReminder
from ..permissions import can_manage_surveys
from ..tokens import invitation_token
from .responses import anonymous_drafts_delete, invitation_check


def _require_manager(actor) -> None:
    if not can_manage_surveys(actor):
        raise PermissionDenied


def survey_audience(survey: Survey):
    """The members a survey is for: active, in good standing, affiliation verified; for an
    event's survey, its attendees; else the explicit list when there is one, else everyone
    matching every criterion that is set."""
    members = User.objects.filter(good_standing_filter(), affiliation_verified_at__isnull=False)
    if survey.showcase_id:
        # An event's feedback and next steps are asked of who was in the room (SPEC §3.8), and
        # read live from the attendance, never from a list copied at publishing: an attendee
        # marked afterwards is invited by the next sending and may use the short link, while a
        # member who registered and did not come never is (they would judge presentations they
        # did not see). Good standing and a verified affiliation still apply.
        return members.filter(
            event_registrations__showcase_id=survey.showcase_id,
            event_registrations__attended=True,
        )
    if survey.pk and survey.audience_members.exists():
        return members.filter(pk__in=survey.audience_members.values("pk"))
    if survey.audience_affiliations:
        members = members.filter(affiliation_type__in=survey.audience_affiliations)
    if survey.audience_countries:
        members = members.filter(country__in=[c.code for c in survey.audience_countries])
    if survey.audience_role_levels:
        members = members.filter(role_level__in=survey.audience_role_levels)
    if survey.pk and survey.audience_domains.exists():
        members = members.filter(domains__in=survey.audience_domains.all()).distinct()
    return members


def needs_beyond_audience(survey: Survey) -> list[Need]:
    """The needs ``survey`` asks to rate that some member of its audience may not see (the
    visibility rule read from the need's side: one query per need, when publishing)."""
    audience = survey_audience(survey)
    needs = Need.objects.filter(questions__survey=survey).distinct().select_related("room")
    return [need for need in needs if audience.exclude(need_audience_filter(need)).exists()]


def _needs_named_for(actor, needs: list[Need]) -> str:
    """The needs by title where ``actor`` may see them, else by number only."""
    visible = set(
        Need.objects.visible_to(actor)
        .filter(pk__in=[n.pk for n in needs])
        .values_list("pk", flat=True)
    )
    return ", ".join(
        f"“{need.title}”" if need.pk in visible else _("need no. %(id)s") % {"id": need.pk}
        for need in needs
    )


@transaction.atomic
def survey_publish(*, actor, survey: Survey) -> Survey:
    """Open the survey to its audience: the invitations go out now (or when it opens). A survey
    asking its audience to rate needs some of them may not see is refused: the answer page
    would show those members the titles of needs that are not theirs to read."""
    _require_manager(actor)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.published_at:
        raise ValidationError(_("This survey is already published."))
    if survey.closes_at <= timezone.now():
        raise ValidationError(_("This survey's closing date has passed."))
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before publishing."))
    beyond = needs_beyond_audience(survey)
    if beyond:
        raise ValidationError(
            _(
                "Some members of this survey's audience may not see these needs: %(needs)s. "
                "Take them out of the questions, or narrow the audience to those who may see them."
            )
            % {"needs": _needs_named_for(actor, beyond)}
        )
    survey.published_at = timezone.now()
    survey.save(update_fields=["published_at"])
    audit_log(actor=actor, action="survey.publish", target=survey)
    from ..tasks import survey_invitations_send_task

    transaction.on_commit(lambda: survey_invitations_send_task.delay(survey.pk))
    return survey


@transaction.atomic
def survey_close(*, actor, survey: Survey) -> Survey:
    _require_manager(actor)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state == Survey.State.CLOSED:
        raise ValidationError(_("This survey is already closed."))
    survey.closed_early_at = timezone.now()
    survey.save(update_fields=["closed_early_at"])
    anonymous_drafts_delete(survey=survey)
    audit_log(actor=actor, action="survey.close", target=survey)
    return survey


def invitations_create(*, survey: Survey) -> int:
    """One invitation row per member of the audience (a second call adds only newcomers)."""
    existing = SurveyInvitation.objects.filter(survey=survey).count()
    batch = []
    for member_id, email in survey_audience(survey).values_list("pk", "email").iterator():
        batch.append(SurveyInvitation(survey=survey, member_id=member_id, email=email))
        if len(batch) >= 1000:
            SurveyInvitation.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    SurveyInvitation.objects.bulk_create(batch, ignore_conflicts=True)
    return SurveyInvitation.objects.filter(survey=survey).count() - existing


def public_invitation_get(*, survey: Survey, member) -> SurveyInvitation | None:
    """``member``'s invitation to ``survey`` through its short link, created on first use, or
    None when they are not in its audience. Raises invitation_check's ValidationError when it
    cannot be answered now (not open, closed, already answered), creating nothing."""
    if not survey_audience(survey).filter(pk=member.pk).exists():
        return None
    invitation = SurveyInvitation.objects.filter(survey=survey, member=member).first()
    # Checked before the row exists: a closed survey's link does not add to its invited count.
    invitation_check(invitation or SurveyInvitation(survey=survey, member=member), user=member)
    if invitation is None:
        # Nothing to e-mail (they have the survey open): "skipped", so sending passes it by.
        invitation, _created = SurveyInvitation.objects.get_or_create(
            survey=survey,
            member=member,
            defaults={"email": member.email, "status": DeliveryStatus.SKIPPED},
        )
    return invitation


def short_url(survey: Survey) -> str:
    return settings.SITE_URL + reverse("ipup:survey-short", args=[survey.short_code])


def answer_url(invitation: SurveyInvitation) -> str:
    return settings.SITE_URL + reverse("ipup:survey-answer", args=[invitation_token(invitation)])


def _still_invited(invitation: SurveyInvitation) -> bool:
    """Whether the invitee is still to be e-mailed: not answered, and still a member in good
    standing (a suspended, removed or deleted member's link no longer works either)."""
    member = invitation.member
    return (
        invitation.survey.state in (Survey.State.OPEN, Survey.State.SCHEDULED)
        and not invitation.has_answered
        and member is not None
        and member.is_active
        and member.deleted_at is None
        and not member.is_suspended
    )


def _invitation_send(invitation: SurveyInvitation, connection) -> bool:
    if not _still_invited(invitation):
        return False
    email_send(
        to=invitation.email,
        template="ipup/email/survey_invitation",
        context={
            "survey": invitation.survey,
            "member": invitation.member,
            "link": answer_url(invitation),
        },
        connection=connection,
    )
    return True


def invitations_send(*, survey_id: int) -> dict:
    """Create the missing invitations and send every one not sent yet; safe to run again."""
    survey = Survey.objects.get(pk=survey_id)
    if survey.published_at is None or survey.state == Survey.State.CLOSED:
        return {"sent": 0, "failed": 0, "skipped": 0}
    Survey.objects.filter(pk=survey.pk, sending_started_at__isnull=True).update(
        sending_started_at=timezone.now()
    )
    invitations_create(survey=survey)
    pending = SurveyInvitation.objects.filter(survey=survey).select_related("survey", "member")
    counts = deliveries_send(pending, _invitation_send)
    Survey.objects.filter(pk=survey.pk).update(sending_finished_at=timezone.now())
    return counts


def sending_progress(survey: Survey) -> dict:
    """How far the invitations are (the progress bar while sending), in one query."""
    from django.db.models import Count

    rows = dict(
        SurveyInvitation.objects.filter(survey=survey)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    total = sum(rows.values())
    done = total - rows.get(DeliveryStatus.PENDING, 0)
    return {
        "total": total,
        "done": done,
        "sent": rows.get(DeliveryStatus.SENT, 0),
        "failed": rows.get(DeliveryStatus.FAILED, 0),
        "skipped": rows.get(DeliveryStatus.SKIPPED, 0),
        "percent": round(100 * done / total) if total else 0,
        "finished": survey.sending_finished_at is not None and done == total,
    }


# --- Reminders ----------------------------------------------------------------------------------


def reminders_due(*, survey: Survey, now=None):
    """Invitations owed their next reminder: e-mailed, unanswered, to a member in good
    standing, fewer reminders than the survey allows, and the interval passed since the
    invitation (and each reminder)."""
    now = now or timezone.now()
    interval = timedelta(days=survey.reminder_interval_days)
    return SurveyInvitation.objects.filter(
        good_standing_filter("member__"),
        survey=survey,
        status=DeliveryStatus.SENT,
        has_answered=False,
        reminders_sent__lt=survey.max_reminders,
        sent_at__lte=now - interval * (F("reminders_sent") + 1),
    )


def _reminder_send(reminder: SurveyReminder, connection) -> bool:
    invitation = reminder.invitation
    if not _still_invited(invitation) or invitation.survey.state != Survey.State.OPEN:
        return False
    email_send(
        to=invitation.email,
        template="ipup/email/survey_reminder",
        context={
            "survey": invitation.survey,
            "member": invitation.member,
            "link": answer_url(invitation),
        },
        connection=connection,
    )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(reminders_sent=F("reminders_sent") + 1)
    return True


def reminders_send(*, survey_id: int, now=None) -> dict:
    """Send the reminders that are due. A reminder row per invitation and round (unique) is
    created first, so a retried run reminds nobody twice in one round."""
    survey = Survey.objects.get(pk=survey_id)
    if survey.state != Survey.State.OPEN or survey.reminder_interval_days == 0:
        return {"sent": 0, "failed": 0, "skipped": 0}
    due = reminders_due(survey=survey, now=now).values_list("pk", "reminders_sent")
    SurveyReminder.objects.bulk_create(
        [SurveyReminder(invitation_id=pk, round=sent + 1) for pk, sent in due.iterator()],
        ignore_conflicts=True,
    )
    pending = SurveyReminder.objects.filter(invitation__survey=survey).select_related(
        "invitation__survey", "invitation__member"
    )
    return deliveries_send(pending, _reminder_send)


def open_surveys():
    now = timezone.now()
    return Survey.objects.filter(
        published_at__isnull=False,
        closed_early_at__isnull=True,
        opens_at__lte=now,
        closes_at__gt=now,
    )
