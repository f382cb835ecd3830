"""Running a survey from its page: who may, publishing, the progress bar, closing, and the
response rates by segment."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType
from community.roles import Role
from ipup.models import Survey
from ipup.services.surveys import invitations_create
from tests.community.factories import UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


@pytest.fixture
def draft(db):
    survey = SurveyFactory(published_at=None, audience_affiliations=["lea"])
    needs_questions(survey, NeedFactory.create_batch(2))
    return survey


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("lea_member", 404),
        ("researcher", 404),
        ("unverified_member", 404),
        ("coordinator", 200),
        ("manager", 200),
        ("admin_user", 200),
    ],
)
def test_only_those_who_run_surveys_see_their_pages(client_for, request, draft, role, status):
    client = client_for(request.getfixturevalue(role))

    for url in (reverse("ipup:survey-list"), reverse("ipup:survey-detail", args=[draft.pk])):
        assert client.get(url).status_code == status, url
    publish = client.post(reverse("ipup:survey-publish", args=[draft.pk]))
    assert publish.status_code == (302 if status == 200 else 404)


def test_anonymous_visitors_are_sent_to_sign_in(client, draft):
    response = client.get(reverse("ipup:survey-detail", args=[draft.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_publishing_from_the_page_sends_the_invitations_and_shows_the_progress(
    django_capture_on_commit_callbacks, client_for, coordinator, draft
):
    officers = UserFactory.create_batch(3, affiliation_type=AffiliationType.LEA)
    client = client_for(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ipup:survey-publish", args=[draft.pk]), follow=True)

    assert "The survey is published" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in officers)
    progress = client.get(reverse("ipup:survey-detail", args=[draft.pk]), HTTP_HX_REQUEST="true")
    html = progress.content.decode()
    assert '<progress value="3"' in html
    assert "3 of 3 invitations handled (100 %)" in html
    assert "<h1>" not in html  # the partial only
    assert 'hx-trigger="every 2s"' not in html  # finished: no more polling


def test_the_progress_bar_polls_while_invitations_wait(client_for, coordinator, draft):
    UserFactory.create_batch(2, affiliation_type=AffiliationType.LEA)
    Survey.objects.filter(pk=draft.pk).update(published_at=timezone.now())
    invitations_create(survey=draft)

    html = client_for(coordinator).get(reverse("ipup:survey-detail", args=[draft.pk])).content

    assert b'hx-trigger="every 2s"' in html
    assert b"0 of 2 invitations handled" in html


def test_a_survey_without_questions_or_published_twice_is_refused_clearly(
    client_for, coordinator, draft
):
    client = client_for(coordinator)
    empty = SurveyFactory(published_at=None)

    no_questions = client.post(reverse("ipup:survey-publish", args=[empty.pk]), follow=True)
    client.post(reverse("ipup:survey-publish", args=[draft.pk]))
    twice = client.post(reverse("ipup:survey-publish", args=[draft.pk]), follow=True)

    assert "Add at least one question before publishing." in no_questions.content.decode()
    assert Survey.objects.get(pk=empty.pk).published_at is None
    assert "already published" in twice.content.decode()


def test_closing_stops_the_links(client_for, client, coordinator, lea_member):
    survey = SurveyFactory(audience_members=[lea_member])
    needs_questions(survey, NeedFactory.create_batch(1))
    invitations_create(survey=survey)
    from ipup.tokens import invitation_token

    link = reverse("ipup:survey-answer", args=[invitation_token(survey.invitations.get())])

    client_for(coordinator).post(reverse("ipup:survey-close", args=[survey.pk]))

    assert Survey.objects.get(pk=survey.pk).state == Survey.State.CLOSED
    assert client.get(link).status_code == 410


def test_response_rates_by_segment_hide_small_groups_of_an_anonymous_survey(
    client_for, coordinator
):
    # given: four French officers (two answered) and one Maltese (answered), anonymous survey
    french = UserFactory.create_batch(4, affiliation_type=AffiliationType.LEA, country="FR")
    maltese = UserFactory(affiliation_type=AffiliationType.LEA, country="MT")
    survey = SurveyFactory(audience_affiliations=["lea"], is_anonymous=True)
    invitations_create(survey=survey)
    answered = [french[0], french[1], maltese]
    survey.invitations.filter(member__in=answered).update(has_answered=True)

    response = client_for(coordinator).get(reverse("ipup:survey-detail", args=[survey.pk]))

    rates = {row["segment"]: row for row in response.context["rates"]["country"]}
    assert (rates["France"]["invited"], rates["France"]["answered"]) == (4, 2)
    assert rates["France"]["rate"] == 50
    assert not rates["France"]["hidden"]
    assert rates["Malta"]["hidden"]
    assert "2 (50 %)" in response.content.decode()


def test_the_survey_page_costs_the_same_for_many_invitees(
    client_for, coordinator, draft, django_assert_max_num_queries
):
    UserFactory.create_batch(30, affiliation_type=AffiliationType.LEA)
    Survey.objects.filter(pk=draft.pk).update(published_at=timezone.now())
    invitations_create(survey=draft)
    client = client_for(coordinator)
    client.get(reverse("ipup:survey-list"))  # the member gate's first checks are remembered

    with django_assert_max_num_queries(14):
        assert client.get(reverse("ipup:survey-detail", args=[draft.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("ipup:survey-list")).status_code == 200
