"""After a showcase event or webinar: the feedback survey and the next-steps questionnaire
(SPEC §3.8), built with the survey engine and sent to the event's attendees.

Both are ordinary surveys of the engine (builder services, publishing, invitations, short link),
tied to the event by ``Survey.showcase``: their audience is then its attendees
(ipup.services.surveys.survey_audience), and ipup.interest reads their answers.

They are *named*, not anonymous: what is asked is an opinion about a project, not about the
respondent, and a webinar has a handful of attendees, among whom anonymity would be nominal
(role level and organisation are kept even in anonymous surveys); named answers let the
organisers invite those who said they would take part in further sessions to the follow-up
webinar, and ask one of them what they meant.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.audit import audit_log
from community.services.calendar import can_manage_events

from ..interest import NEXT_STEP_TEXT
from ..models import AgendaItem, EventRegistration, ShowcaseEvent, Survey, SurveyInvitation
from .builder import question_create, section_create, survey_create
from .surveys import survey_publish

OPEN_FOR = timedelta(days=14)


def _yes_maybe_no() -> list[str]:
    # The order matters, not the words: ipup.interest reads yes / maybe / no by position.
    return [_("Yes"), _("Maybe"), _("No")]


def _require_organiser(actor) -> None:
    if not can_manage_events(actor):
        raise PermissionDenied


def _event_started(showcase: ShowcaseEvent) -> None:
    event = showcase.event
    if event.cancelled_at:
        raise ValidationError(_("This event was cancelled: there is nobody to ask."))
    if event.starts_at > timezone.now():
        raise ValidationError(
            _("The event has not started yet: its attendees can be asked once it has begun.")
        )


def _survey_of(showcase: ShowcaseEvent, kind: str) -> Survey | None:
    return Survey.objects.filter(showcase=showcase, kind=kind).order_by("pk").first()


def _new_survey(*, actor, showcase: ShowcaseEvent, kind: str, title: str, introduction: str):
    now = timezone.now()
    return survey_create(
        actor=actor,
        kind=kind,
        showcase=showcase,
        title=title[:200],
        introduction=introduction,
        opens_at=now,
        closes_at=now + OPEN_FOR,
        is_anonymous=False,
        public_link=True,
        # Attendees were there: one reminder is enough, and sooner than a needs survey's.
        reminder_interval_days=3,
        max_reminders=1,
    )


def _rating(*, actor, section, project, metric: str, text: str, required: bool) -> None:
    question_create(
        actor=actor, section=section, kind="rating", text=text, required=required,
        scale_min=1, scale_max=5, scale_min_label=_("Not at all"), scale_max_label=_("Very"),
        project=project, metric=metric,
    )  # fmt: skip


def _yes_maybe_no_question(*, actor, section, project, metric: str, text: str) -> None:
    question_create(
        actor=actor, section=section, kind="single", text=text, choices=_yes_maybe_no(),
        project=project, metric=metric,
    )  # fmt: skip


def _locked(showcase: ShowcaseEvent) -> ShowcaseEvent:
    # The row lock makes two organisers pressing the button at once create one survey.
    return (
        ShowcaseEvent.objects.select_for_update(of=("self",))
        .select_related("event", "project")
        .get(pk=showcase.pk)
    )


@transaction.atomic
def feedback_survey_create(*, actor, showcase: ShowcaseEvent) -> Survey:
    """Build and publish the event's feedback survey: one short section per presented project
    (relevance and effectiveness rated 1-5, three yes/maybe/no or free-text questions, only
    relevance required), open now for two weeks, with a short link and QR code. Asking again
    returns the survey already sent."""
    _require_organiser(actor)
    showcase = _locked(showcase)
    existing = _survey_of(showcase, Survey.Kind.FEEDBACK)
    if existing:
        return existing
    _event_started(showcase)
    items = list(AgendaItem.objects.filter(showcase=showcase).select_related("project"))
    if not items:
        raise ValidationError(_("Nothing was presented at this event: there is nothing to ask."))
    survey = _new_survey(
        actor=actor,
        showcase=showcase,
        kind=Survey.Kind.FEEDBACK,
        title=_("Feedback: %(event)s") % {"event": showcase.event.title},
        introduction=_(
            "Thank you for attending. A few taps per presentation (under a minute): only the "
            "first question of each is required. Your answers tell the projects and the "
            "network which results deserve a follow-up."
        ),
    )
    for item in items:
        project = item.project
        section = section_create(actor=actor, survey=survey, title=str(project))
        _rating(
            actor=actor, section=section, project=project, metric="relevance", required=True,
            text=_("How relevant is this solution for you in your role?"),
        )  # fmt: skip
        _rating(
            actor=actor, section=section, project=project, metric="effectiveness",
            required=False, text=_("How effective do you think it may be for your specific need?"),
        )  # fmt: skip
        _yes_maybe_no_question(
            actor=actor, section=section, project=project, metric="colleagues",
            text=_("Would colleagues in your organisation be interested?"),
        )  # fmt: skip
        question_create(
            actor=actor, section=section, kind="text", required=False, project=project,
            metric="additions", text=_("What else could be added to make it more effective?"),
        )  # fmt: skip
        _yes_maybe_no_question(
            actor=actor, section=section, project=project, metric="further_sessions",
            text=_("Would you or your colleagues take part in further sessions on it?"),
        )  # fmt: skip
    audit_log(actor=actor, action="showcase.survey_send", target=showcase, survey=survey.pk)
    return survey_publish(actor=actor, survey=survey)


@transaction.atomic
def next_steps_survey_create(*, actor, showcase: ShowcaseEvent) -> Survey:
    """After a webinar, ask its attendees which next steps they would take with its project
    (commercialisation, further development, standardisation, procurement) and publish it.
    Asking again returns the questionnaire already sent."""
    _require_organiser(actor)
    showcase = _locked(showcase)
    if showcase.format != ShowcaseEvent.Format.WEBINAR:
        raise ValidationError(_("The next-steps questionnaire follows a webinar on one project."))
    existing = _survey_of(showcase, Survey.Kind.NEXT_STEPS)
    if existing:
        return existing
    _event_started(showcase)
    project = showcase.project
    survey = _new_survey(
        actor=actor,
        showcase=showcase,
        kind=Survey.Kind.NEXT_STEPS,
        title=_("Next steps: %(event)s") % {"event": showcase.event.title},
        introduction=_(
            "What would your organisation do next with %(project)s? Four taps and, if you "
            "like, a sentence."
        )
        % {"project": project},
    )
    section = section_create(actor=actor, survey=survey, title=str(project))
    for metric, text in (
        ("commercialisation", _("Would your organisation be interested in it as a product or service on the market?")),
        ("development", _("Would your organisation take part in developing it further (requirements, tests, pilots)?")),
        ("standardisation", _("Should it be standardised at EU level?")),
        ("procurement", _("Would your organisation consider procuring it?")),
    ):  # fmt: skip
        _yes_maybe_no_question(
            actor=actor, section=section, project=project, metric=metric, text=text
        )
    question_create(
        actor=actor, section=section, kind="text", required=False, project=project,
        metric=NEXT_STEP_TEXT, text=_("What next step would you take with it?"),
    )  # fmt: skip
    audit_log(actor=actor, action="showcase.survey_send", target=showcase, survey=survey.pk)
    return survey_publish(actor=actor, survey=survey)


def feedback_surveys(showcase: ShowcaseEvent) -> dict:
    """The event's feedback and next-steps surveys by kind (one query)."""
    surveys = {}
    for survey in Survey.objects.filter(showcase=showcase).order_by("pk"):
        surveys.setdefault(survey.kind, survey)
    return surveys


def response_rate(survey: Survey) -> dict:
    """Answered / attendees, for the live counter (two queries)."""
    attendees = EventRegistration.objects.filter(
        showcase_id=survey.showcase_id, attended=True
    ).count()
    answered = SurveyInvitation.objects.filter(survey=survey, has_answered=True).count()
    return {
        "answered": answered,
        "attendees": attendees,
        "percent": round(100 * answered / attendees) if attendees else 0,
    }
