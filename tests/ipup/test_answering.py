"""Answering a survey from a personal link: single use, only for its invitee, drafts, and
every kind of bad input refused with nothing wrong stored."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType
from ipup.models import Answer, Need, Question, Response, Section
from ipup.services.responses import respondent_snapshot
from ipup.services.surveys import invitations_create
from ipup.tokens import invitation_token
from tests.community.factories import RoomFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions


@pytest.fixture
def survey_setup(db, lea_member):
    survey = SurveyFactory(audience_affiliations=[AffiliationType.LEA])
    needs = NeedFactory.create_batch(2)
    rate, comment = needs_questions(survey, needs)
    invitations_create(survey=survey)
    invitation = survey.invitations.get(member=lea_member)
    url = reverse("ipup:survey-answer", args=[invitation_token(invitation)])
    return survey, needs, rate, comment, invitation, url


def _answers(rate, comment, needs, values=(5, 3), text="More training data"):
    data = {f"q_{rate.pk}_n_{need.pk}": value for need, value in zip(needs, values, strict=True)}
    return data | {f"q_{comment.pk}": text}


def test_the_invitee_answers_without_signing_in_and_the_link_then_stops_working(
    client, survey_setup, lea_member
):
    _survey, needs, rate, comment, invitation, url = survey_setup

    page = client.get(url)
    submitted = client.post(url, _answers(rate, comment, needs) | {"action": "submit"})

    assert page.status_code == 200
    assert needs[0].title in page.content.decode()
    assert submitted.status_code == 200
    assert "Thank you" in submitted.content.decode()
    response = Response.objects.get(invitation=invitation)
    assert response.status == Response.Status.SUBMITTED
    assert response.role_level == lea_member.role_level
    assert response.organisation_key == f"org:{lea_member.organisation_id}"
    values = dict(Answer.objects.filter(need__isnull=False).values_list("need_id", "value"))
    assert values == {needs[0].pk: 5, needs[1].pk: 3}
    # a second use of the link is refused politely, and changes nothing
    again = client.post(url, _answers(rate, comment, needs, values=(1, 1)) | {"action": "submit"})
    assert again.status_code == 410
    assert "already answered" in again.content.decode()
    assert Response.objects.count() == 1
    values = dict(Answer.objects.filter(need__isnull=False).values_list("need_id", "value"))
    assert values == {needs[0].pk: 5, needs[1].pk: 3}


def test_a_link_works_only_for_its_invitee(client_for, survey_setup, make_member):
    *_, url = survey_setup
    other = make_member(AffiliationType.LEA)

    response = client_for(other).get(url)

    assert response.status_code == 404
    assert "sent to another member" in response.content.decode()


def test_the_invitee_signed_in_answers_in_place_from_their_survey_list(
    client_for, survey_setup, lea_member
):
    survey, *_ = survey_setup
    client = client_for(lea_member)

    page = client.get(reverse("ipup:my-surveys"))

    assert page.status_code == 200
    assert survey.title in page.content.decode()
    link = page.context["rows"][0][1]
    assert client.get(reverse("ipup:survey-answer", args=[link])).status_code == 200


@pytest.mark.parametrize(
    "token", ["", "abc", "1-" + "0" * 40, "999999-" + "a" * 40, "1" * 20 + "-" + "a" * 40]
)
def test_a_forged_or_malformed_link_is_not_found(client, survey_setup, token):
    response = client.get(f"/ipup/surveys/answer/{token}/")

    assert response.status_code == 404


def test_a_revoked_link_no_longer_works(client, survey_setup):
    *_, invitation, url = survey_setup
    invitation.token_key = "another-key"
    invitation.save(update_fields=["token_key"])

    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"closes_at": timezone.now() - timedelta(minutes=1)}, 410, "This survey is closed"),
        ({"closed_early_at": timezone.now()}, 410, "This survey is closed"),
        ({"opens_at": timezone.now() + timedelta(days=2)}, 403, "This survey opens on"),
    ],
)
def test_a_closed_or_not_yet_open_survey_refuses_politely(
    client, survey_setup, change, status, message
):
    survey, needs, rate, comment, _invitation, url = survey_setup
    survey.opens_at = min(survey.opens_at, timezone.now() - timedelta(days=3))
    for field, value in change.items():
        setattr(survey, field, value)
    survey.save()

    page = client.get(url)
    post = client.post(url, _answers(rate, comment, needs) | {"action": "submit"})

    assert page.status_code == status
    assert message in page.content.decode()
    assert post.status_code == status
    assert not Response.objects.exists()


def test_a_draft_is_saved_and_resumed_then_submitted(client, survey_setup):
    _survey, needs, rate, comment, invitation, url = survey_setup

    # when: half the answers are saved as a draft (a required question not finished)
    saved = client.post(url, {f"q_{rate.pk}_n_{needs[0].pk}": 4, "action": "save"})

    # then: stored as a draft, and shown again when the link is opened
    assert saved.status_code == 302
    response = Response.objects.get()
    assert response.status == Response.Status.DRAFT
    invitation.refresh_from_db()
    assert not invitation.has_answered
    resumed = client.get(url)
    assert resumed.context["form"].initial == {f"q_{rate.pk}_n_{needs[0].pk}": 4}
    assert "continuing the answers you saved" in resumed.content.decode()

    # when: submitted complete
    client.post(url, _answers(rate, comment, needs) | {"action": "submit"})

    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert Answer.objects.filter(response=response).count() == 3


# --- Bad input ----------------------------------------------------------------------------------


def test_a_missing_required_answer_is_refused_on_submit(client, survey_setup):
    _survey, needs, rate, comment, invitation, url = survey_setup

    response = client.post(
        url, {f"q_{rate.pk}_n_{needs[0].pk}": 5, f"q_{comment.pk}": "x", "action": "submit"}
    )

    assert response.status_code == 200
    assert "Every item of this question needs an answer." in response.content.decode()
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert not invitation.has_answered


@pytest.mark.parametrize("value", [0, 6, -1, "five", "3.5"])
def test_a_value_out_of_scale_is_refused(client, survey_setup, value):
    _survey, needs, rate, comment, _invitation, url = survey_setup
    data = _answers(rate, comment, needs) | {f"q_{rate.pk}_n_{needs[0].pk}": value}

    response = client.post(url, data | {"action": "save"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Answer.objects.exists()


def test_a_tampered_question_id_is_refused_and_nothing_is_stored(client, survey_setup):
    _survey, needs, rate, comment, _invitation, url = survey_setup
    other_survey = SurveyFactory()
    foreign = Question.objects.create(
        survey=other_survey,
        section=Section.objects.create(survey=other_survey, title="S"),
        kind=Question.Kind.TEXT,
        text="Elsewhere",
    )
    unrated_need = NeedFactory()

    for tampered in (f"q_{foreign.pk}", f"q_{rate.pk}_n_{unrated_need.pk}", "q_99999999"):
        data = _answers(rate, comment, needs) | {tampered: "1", "action": "submit"}
        response = client.post(url, data)

        assert response.status_code == 200
        assert "This form does not match the survey" in response.content.decode()
    assert not Response.objects.exists()


def test_a_ranking_must_give_each_item_its_own_position(client, lea_member):
    survey = SurveyFactory(audience_members=[lea_member])
    section = Section.objects.create(survey=survey, title="Order")
    ranking = Question.objects.create(
        survey=survey, section=section, kind=Question.Kind.RANKING, text="Rank",
        choices=["Drones", "Cameras", "Radios"],
    )  # fmt: skip
    invitations_create(survey=survey)
    url = reverse("ipup:survey-answer", args=[invitation_token(survey.invitations.get())])

    bad = client.post(url, {f"q_{ranking.pk}_r_0": 1, f"q_{ranking.pk}_r_1": 1,
                            f"q_{ranking.pk}_r_2": 2, "action": "submit"})  # fmt: skip
    good = client.post(url, {f"q_{ranking.pk}_r_0": 3, f"q_{ranking.pk}_r_1": 1,
                             f"q_{ranking.pk}_r_2": 2, "action": "submit"})  # fmt: skip

    assert "Give each item a different position" in bad.content.decode()
    assert good.status_code == 200
    assert Answer.objects.get().value == ["Cameras", "Radios", "Drones"]


def test_an_overlong_free_text_is_refused(client, survey_setup):
    _survey, needs, rate, comment, _invitation, url = survey_setup

    response = client.post(
        url, _answers(rate, comment, needs, text="x" * 5001) | {"action": "save"}
    )

    assert response.status_code == 200
    assert not Answer.objects.exists()


# --- The answer page and the visibility rule ----------------------------------------------------


def test_the_answer_page_shows_only_needs_the_invitee_may_see(client, survey_setup, lea_member):
    # given a need the invitee may not see slipped into the published survey (its room went
    # private after publishing, say)
    _survey, needs, rate, comment, _invitation, url = survey_setup
    secret = NeedFactory(title="Covert interception", tier="lea")
    Need.objects.filter(pk=secret.pk).update(room=RoomFactory(tier="lea", is_private=True))
    rate.needs.add(secret)

    page = client.get(url)
    tampered = client.post(
        url, _answers(rate, comment, needs) | {f"q_{rate.pk}_n_{secret.pk}": 5, "action": "submit"}
    )

    assert needs[0].title in page.content.decode()
    assert "Covert interception" not in page.content.decode()
    assert "This form does not match the survey" in tampered.content.decode()
    assert not Answer.objects.filter(need=secret).exists()
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"suspended_until": timezone.now() + timedelta(days=2)},
        {"is_active": False},
        {"deleted_at": timezone.now(), "is_active": False},
    ],
)
def test_the_link_of_a_suspended_removed_or_deleted_member_no_longer_works(
    client, survey_setup, lea_member, change
):
    _survey, needs, rate, comment, _invitation, url = survey_setup
    type(lea_member).objects.filter(pk=lea_member.pk).update(**change)

    page = client.get(url)
    post = client.post(url, _answers(rate, comment, needs) | {"action": "submit"})

    assert page.status_code == post.status_code == 404
    assert needs[0].title not in page.content.decode()
    assert not Response.objects.exists()


def test_only_a_verified_organisation_is_copied_onto_the_response(client, survey_setup, lea_member):
    # given the invitee's affiliation is no longer verified (it changed, and awaits a manager)
    _survey, needs, rate, comment, _invitation, url = survey_setup
    type(lea_member).objects.filter(pk=lea_member.pk).update(affiliation_verified_at=None)
    Need.objects.update(tier="public")  # (the members-tier needs are no longer theirs to read)

    client.post(url, _answers(rate, comment, needs) | {"action": "submit"})

    # then they count as an organisation of one, under a key that says nothing about them
    response = Response.objects.get()
    assert (response.organisation, response.affiliation_type) == (None, "")
    assert re.fullmatch(r"one:[0-9a-f]{16}", response.organisation_key)
    other = Response.objects.create(survey=response.survey, **respondent_snapshot(lea_member))
    assert other.organisation_key != response.organisation_key  # random, not from the member
