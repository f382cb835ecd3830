"""Survey invitations and reminders: to the right audience, each e-mail at most once, resumable,
and safe from refused addresses."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, DeliveryStatus, Domain
from community.roles import Role
from community.services import forum
from ipup.models import Survey, SurveyInvitation, SurveyReminder
from ipup.services.needs import need_from_thread
from ipup.services.surveys import (
    invitations_create,
    invitations_send,
    reminders_send,
    survey_audience,
    survey_publish,
)
from ipup.tasks import survey_invitations_send_task
from tests.community.factories import RoomFactory, UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions
from tests.mail_backends import FlakyBackend

LINK = re.compile(r"http://testserver(/ipup/surveys/answer/[\w-]+/)")


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    FlakyBackend.refused, FlakyBackend.fail_after = set(), None
    yield FlakyBackend
    FlakyBackend.refused, FlakyBackend.fail_after = set(), None


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def _lea_officers(n):
    return UserFactory.create_batch(n, affiliation_type=AffiliationType.LEA)


def test_publishing_invites_exactly_the_audience_with_a_working_personal_link(
    django_capture_on_commit_callbacks, client, manager
):
    # given: LEA officers in France and Belgium, a researcher, an unverified and a suspended one
    french = UserFactory(affiliation_type=AffiliationType.LEA, country="FR")
    belgian = UserFactory(affiliation_type=AffiliationType.LEA, country="BE")
    UserFactory(affiliation_type=AffiliationType.RESEARCH, country="FR")
    UserFactory(affiliation_type=AffiliationType.LEA, country="FR", unverified=True)
    UserFactory(
        affiliation_type=AffiliationType.LEA,
        country="FR",
        suspended_until=timezone.now() + timedelta(days=1),
    )
    survey = SurveyFactory(
        published_at=None, audience_affiliations=["lea"], audience_countries=["FR", "BE"]
    )
    needs_questions(survey, NeedFactory.create_batch(2))

    # when: the coordinator publishes it
    with django_capture_on_commit_callbacks(execute=True):
        survey_publish(actor=manager, survey=survey)

    # then: the two verified LEA officers in good standing are invited, once each
    assert _recipients() == sorted([french.email, belgian.email])
    assert set(survey.invitations.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    link = LINK.search(mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200


def test_audience_by_role_level_domain_or_an_explicit_list(db):
    from community.models import Domain

    cyber = Domain.objects.get(slug="cybercrime")
    chief = UserFactory(affiliation_type=AffiliationType.LEA, role_level="strategic")
    chief.domains.add(cyber)
    officer = UserFactory(affiliation_type=AffiliationType.LEA, role_level="field")
    officer.domains.add(cyber)
    survey = SurveyFactory(audience_role_levels=["strategic"])
    survey.audience_domains.add(cyber)
    listed = SurveyFactory(audience_members=[officer], audience_role_levels=["strategic"])

    assert list(survey_audience(survey)) == [chief]
    # an explicit list replaces the criteria
    assert list(survey_audience(listed)) == [officer]


def test_only_survey_managers_publish(lea_member, researcher):
    survey = SurveyFactory(published_at=None)
    needs_questions(survey, NeedFactory.create_batch(1))

    for actor in (lea_member, researcher):
        with pytest.raises(PermissionDenied):
            survey_publish(actor=actor, survey=survey)
    assert Survey.objects.get(pk=survey.pk).published_at is None


def test_a_retried_send_emails_nobody_twice(db):
    _lea_officers(5)
    survey = SurveyFactory(audience_affiliations=["lea"])

    survey_invitations_send_task.delay(survey.pk)
    survey_invitations_send_task.delay(survey.pk)

    assert len(mail.outbox) == 5
    assert len(set(_recipients())) == 5


def test_a_send_interrupted_half_way_finishes_the_rest_when_restarted(db, flaky):
    officers = _lea_officers(7)
    survey = SurveyFactory(audience_affiliations=["lea"])

    # when: the mail server goes away after three e-mails
    flaky.fail_after = 3
    with pytest.raises(OSError, match="Connection"):
        invitations_send(survey_id=survey.pk)

    # then: three are recorded as sent, the rest still waiting
    assert len(mail.outbox) == 3
    assert survey.invitations.filter(status=DeliveryStatus.SENT).count() == 3
    assert survey.invitations.filter(status=DeliveryStatus.PENDING).count() == 4

    # when: the task is retried with the server back
    flaky.fail_after = None
    invitations_send(survey_id=survey.pk)

    # then: everyone has exactly one e-mail
    assert _recipients() == sorted(o.email for o in officers)


def test_a_refused_address_is_recorded_and_does_not_stop_the_others(db, flaky):
    good = _lea_officers(2)
    bad = UserFactory(affiliation_type=AffiliationType.LEA, email="gone@police.example")
    survey = SurveyFactory(audience_affiliations=["lea"])
    flaky.refused = {bad.email}

    counts = invitations_send(survey_id=survey.pk)

    assert counts == {"sent": 2, "failed": 1, "skipped": 0}
    assert _recipients() == sorted(o.email for o in good)
    failed = SurveyInvitation.objects.get(member=bad)
    assert failed.status == DeliveryStatus.FAILED
    assert "No such user" in failed.error


def test_members_invited_after_the_first_send_are_added_and_the_others_not_reinvited(db):
    _lea_officers(2)
    survey = SurveyFactory(audience_affiliations=["lea"])
    invitations_send(survey_id=survey.pk)
    newcomer = UserFactory(affiliation_type=AffiliationType.LEA)

    invitations_send(survey_id=survey.pk)

    assert len(mail.outbox) == 3
    assert mail.outbox[-1].to == [newcomer.email]


# --- Reminders ----------------------------------------------------------------------------------


def _sent_days_ago(survey, days):
    survey.invitations.update(sent_at=timezone.now() - timedelta(days=days))


def test_reminders_go_only_to_non_respondents_once_per_round(db):
    # given: three invitees a week after the invitations, one of whom answered
    officers = _lea_officers(3)
    survey = SurveyFactory(
        audience_affiliations=["lea"],
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() + timedelta(days=30),
        reminder_interval_days=7,
        max_reminders=2,
    )
    invitations_create(survey=survey)
    invitations_send(survey_id=survey.pk)
    _sent_days_ago(survey, 8)
    survey.invitations.filter(member=officers[0]).update(has_answered=True)
    mail.outbox.clear()

    # when: the reminder run happens, and is retried
    reminders_send(survey_id=survey.pk)
    reminders_send(survey_id=survey.pk)

    # then: the two non-respondents are reminded once
    assert _recipients() == sorted(o.email for o in officers[1:])
    assert "Reminder" in mail.outbox[0].subject
    assert SurveyReminder.objects.filter(round=1).count() == 2

    # when: a week later one more answered; the second round goes to the last one only
    mail.outbox.clear()
    survey.invitations.filter(member=officers[1]).update(has_answered=True)
    _sent_days_ago(survey, 15)
    reminders_send(survey_id=survey.pk)
    assert _recipients() == [officers[2].email]

    # and: never more than the survey's maximum
    mail.outbox.clear()
    _sent_days_ago(survey, 60)
    reminders_send(survey_id=survey.pk)
    assert mail.outbox == []


def test_no_reminder_before_the_interval_or_for_a_closed_survey(db):
    _lea_officers(1)
    survey = SurveyFactory(audience_affiliations=["lea"], reminder_interval_days=7)
    invitations_send(survey_id=survey.pk)
    mail.outbox.clear()
    _sent_days_ago(survey, 3)

    reminders_send(survey_id=survey.pk)
    assert mail.outbox == []

    _sent_days_ago(survey, 10)
    Survey.objects.filter(pk=survey.pk).update(closed_early_at=timezone.now())
    reminders_send(survey_id=survey.pk)
    assert mail.outbox == []


# --- Needs the audience may not see; members no longer in good standing --------------------------


def test_a_survey_rating_needs_its_audience_may_not_see_is_not_published(
    client_for, make_member, manager
):
    # given an LEA-only need, and a need from a private room whose members are two officers
    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])
    insiders = _lea_officers(2)
    UserFactory(affiliation_type=AffiliationType.RESEARCH)
    room = RoomFactory(tier="lea", is_private=True)
    for member in insiders:
        forum.room_grant(actor=manager, room=room, member=member)
    thread = forum.thread_create(actor=insiders[0], room=room, title="Informants", body="…")
    private_need = need_from_thread(actor=manager, thread=thread, title="Protecting informants",
                                    domains=Domain.objects.all()[:1])  # fmt: skip
    lea_need = NeedFactory(title="Covert interception", tier="lea")
    survey = SurveyFactory(published_at=None)  # everyone verified: LEA and the researcher
    needs_questions(survey, [lea_need, private_need, NeedFactory(title="Open data")])

    # when the coordinator (who sees neither need) publishes it
    response = client_for(coordinator).post(
        reverse("ipup:survey-publish", args=[survey.pk]), follow=True
    )

    # then it is refused, naming the needs (by number where the coordinator may not see them)
    html = response.content.decode()
    assert "Some members of this survey&#x27;s audience may not see these needs" in html
    assert f"need no. {lea_need.pk}" in html
    assert f"need no. {private_need.pk}" in html
    assert "Covert interception" not in html
    assert "Protecting informants" not in html
    assert "Open data" not in html
    assert Survey.objects.get(pk=survey.pk).published_at is None
    assert not SurveyInvitation.objects.exists()
    # a manager is told the titles; narrowed to the room's members, the survey goes out
    with pytest.raises(ValidationError, match="“Covert interception”, “Protecting informants”"):
        survey_publish(actor=manager, survey=survey)
    survey.audience_members.set(insiders)
    assert survey_publish(actor=manager, survey=survey).published_at is not None


@pytest.mark.parametrize(
    "change",
    [
        {"suspended_until": timezone.now() + timedelta(days=2)},
        {"is_active": False},
        {"deleted_at": timezone.now(), "is_active": False},
    ],
)
def test_a_suspended_removed_or_deleted_member_gets_no_invitation_or_reminder(db, change):
    stays, leaves = _lea_officers(2)
    survey = SurveyFactory(audience_affiliations=["lea"], reminder_interval_days=7)
    invitations_create(survey=survey)
    type(leaves).objects.filter(pk=leaves.pk).update(**change)

    invitations_send(survey_id=survey.pk)
    _sent_days_ago(survey, 8)
    reminders_send(survey_id=survey.pk)

    assert _recipients() == [stays.email, stays.email]
    assert SurveyInvitation.objects.get(member=leaves).status == DeliveryStatus.SKIPPED
    assert not SurveyReminder.objects.filter(invitation__member=leaves).exists()


@pytest.mark.parametrize(
    ("kind", "about", "not_about"),
    [
        ("needs", "which challenges matter most", "shape the network"),
        ("community", "shape the network", "challenges"),
        ("feedback", "what the event was worth to you", "challenges"),
    ],
)
def test_invitations_and_reminders_say_what_this_kind_of_survey_is_about(
    db, kind, about, not_about
):
    member = UserFactory(affiliation_type=AffiliationType.LEA)
    survey = SurveyFactory(kind=kind, audience_members=[member], reminder_interval_days=1)

    invitations_send(survey_id=survey.pk)
    SurveyInvitation.objects.update(sent_at=timezone.now() - timedelta(days=2))
    reminders_send(survey_id=survey.pk)

    invitation, reminder = mail.outbox
    assert about in " ".join(invitation.body.split())
    assert not_about not in invitation.body
    assert not_about not in reminder.body
    if kind != "needs":
        assert "research" not in invitation.body + reminder.body
