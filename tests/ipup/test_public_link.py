"""A survey's short link and QR code: signed-in members of the audience answer once through
it; nobody else learns it exists; the QR image is served to those who run the survey."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, DeliveryStatus
from community.roles import Role
from ipup.models import Response, Survey, SurveyInvitation
from ipup.qr import qr_svg
from ipup.services.surveys import invitations_send, short_url
from tests.community.factories import UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


@pytest.fixture
def survey(db):
    """An open event-feedback survey for LEA members, with a short link."""
    survey = SurveyFactory(kind="feedback", public_link=True, audience_affiliations=["lea"])
    needs_questions(survey, NeedFactory.create_batch(1), required=False)
    return survey


def _link(survey) -> str:
    return reverse("ipup:survey-short", args=[survey.short_code])


def test_a_member_of_the_audience_answers_once_through_the_short_link(
    client_for, lea_member, survey
):
    client = client_for(lea_member)

    opened = client.get(_link(survey))
    page = client.get(opened["Location"])
    client.post(opened["Location"], {"action": "submit"})
    again = client.get(_link(survey))

    assert opened.status_code == 302
    assert opened["Location"].startswith("/ipup/surveys/answer/")
    assert page.status_code == 200
    assert survey.title in page.content.decode()
    invitation = SurveyInvitation.objects.get(survey=survey)
    assert (invitation.member, invitation.status, invitation.has_answered) == (
        lea_member, DeliveryStatus.SKIPPED, True,
    )  # fmt: skip
    assert Response.objects.filter(survey=survey, status="submitted").count() == 1
    assert again.status_code == 410
    assert "already answered" in again.content.decode()


def test_the_link_leads_an_invited_member_to_their_own_invitation(client_for, lea_member, survey):
    invitation = SurveyInvitation.objects.create(
        survey=survey, member=lea_member, email=lea_member.email, status=DeliveryStatus.SENT
    )

    client_for(lea_member).get(_link(survey))

    assert list(SurveyInvitation.objects.filter(survey=survey)) == [invitation]


@pytest.mark.parametrize("role", ["researcher", "unverified_member", "coordinator"])
def test_the_link_does_not_exist_for_members_outside_the_audience(
    client_for, request, role, survey
):
    response = client_for(request.getfixturevalue(role)).get(_link(survey))

    assert response.status_code == 404
    assert not SurveyInvitation.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, survey):
    response = client.get(_link(survey))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not SurveyInvitation.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"public_link": False},
        {"published_at": None},
    ],
)
def test_no_link_without_the_option_or_before_publishing(client_for, lea_member, survey, change):
    Survey.objects.filter(pk=survey.pk).update(**change)

    assert client_for(lea_member).get(_link(survey)).status_code == 404
    assert client_for(lea_member).get("/ipup/s/not-a-code/").status_code == 404


def test_a_closed_surveys_link_says_so_and_invites_nobody(client_for, lea_member, survey):
    Survey.objects.filter(pk=survey.pk).update(closed_early_at=timezone.now())

    response = client_for(lea_member).get(_link(survey))

    assert response.status_code == 410
    assert "This survey is closed." in response.content.decode()
    assert not SurveyInvitation.objects.exists()


def test_a_member_who_came_by_the_link_is_not_emailed_as_well(client_for, lea_member, survey):
    other = UserFactory(affiliation_type=AffiliationType.LEA)
    client_for(lea_member).get(_link(survey))

    invitations_send(survey_id=survey.pk)

    assert [m.to for m in mail.outbox] == [[other.email]]


def test_the_survey_page_shows_the_short_link_and_its_qr_code(client_for, coordinator, survey):
    client = client_for(coordinator)

    page = client.get(reverse("ipup:survey-detail", args=[survey.pk])).content.decode()
    qr = client.get(reverse("ipup:survey-qr", args=[survey.pk]))

    assert short_url(survey) == f"http://testserver/ipup/s/{survey.short_code}/"
    assert short_url(survey) in page
    assert f'src="{reverse("ipup:survey-qr", args=[survey.pk])}"' in page
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content == qr_svg(short_url(survey))
    assert b"<svg" in qr.content
    assert b"<script" not in qr.content


def test_only_those_who_run_surveys_get_the_qr_code(client_for, lea_member, coordinator, survey):
    no_option = SurveyFactory(public_link=False)

    assert (
        client_for(lea_member).get(reverse("ipup:survey-qr", args=[survey.pk])).status_code == 404
    )
    assert (
        client_for(coordinator).get(reverse("ipup:survey-qr", args=[no_option.pk])).status_code
        == 404
    )


def test_the_option_is_set_from_the_builder(client_for, coordinator):
    opens = timezone.localtime(timezone.now())
    data = {
        "title": "Webinar feedback", "kind": "feedback", "public_link": "on",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "weight_field": "1", "weight_management": "1", "weight_strategic": "1",
        "reminder_interval_days": "0", "max_reminders": "0",
    }  # fmt: skip

    client_for(coordinator).post(reverse("ipup:survey-create"), data)

    survey = Survey.objects.get()
    assert survey.public_link
    assert len(survey.short_code) == 8
