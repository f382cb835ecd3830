"""The survey builder, from the outside: coordinators and community managers write, preview,
test-send and publish surveys without the administration; a published survey's structure is
locked; bad input is refused per question type; only those who run surveys get in."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import RestrictedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, AuditLogEntry, Domain
from community.roles import Role
from ipup.models import Answer, Question, Section, Survey, SurveyInvitation
from ipup.services.builder import STRUCTURE_LOCKED
from tests.community.factories import UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions, submitted_response

LOCKED = str(STRUCTURE_LOCKED)


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


@pytest.fixture
def cybercrime(db):
    return Domain.objects.get(slug="cybercrime")


def _when(**delta) -> str:
    return timezone.localtime(timezone.now() + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


def _survey_data(**overrides) -> dict:
    data = {
        "title": "Priorities 2027",
        "kind": "needs",
        "introduction": "Tell us what slows your investigations down.",
        "opens_at": _when(hours=-1),
        "closes_at": _when(days=14),
        "audience_affiliations": ["lea"],
        "audience_countries": ["FR"],
        "weight_field": "1",
        "weight_management": "2",
        "weight_strategic": "3.5",
        "normalise_by_organisation": "on",
        "reminder_interval_days": "7",
        "max_reminders": "2",
    }
    return data | overrides


# Each type with the fields it needs, as the question form posts them.
QUESTIONS = {
    "rating": {
        "text": "How well do current tools serve you?",
        "scale_min": "1", "scale_max": "5",
        "scale_min_label": "Badly", "scale_max_label": "Very well",
        "required": "on",
    },
    "single": {"text": "Size of your unit?", "choices": "Under 10\n10 to 50\nOver 50"},
    "multiple": {"text": "Which data do you handle?", "choices": "Images\nChats\nLogs"},
    "ranking": {"text": "Rank these capabilities", "choices": "Speed\nAccuracy\nCost"},
    "text": {"text": "Anything else?", "help_text": "A sentence or two."},
    "needs": {"text": "How important is each challenge?", "scale_min": "1", "scale_max": "5"},
}  # fmt: skip


def _build(client, *, section_title="Your work", questions=QUESTIONS, needs=(), **survey):
    """Create a survey with one section and ``questions`` through the pages; the survey."""
    response = client.post(reverse("ipup:survey-create"), _survey_data(**survey))
    assert response.status_code == 302, response.context["form"].errors
    created = Survey.objects.latest("pk")
    assert response["Location"] == reverse("ipup:survey-build", args=[created.pk])
    client.post(reverse("ipup:section-create", args=[created.pk]), {"title": section_title})
    section = created.sections.get()
    for kind, data in questions.items():
        url = reverse("ipup:question-create", args=[created.pk]) + f"?kind={kind}"
        posted = data | {"section": section.pk}
        if kind == "needs":
            posted["needs"] = [need.pk for need in needs]
        response = client.post(url, posted)
        assert response.status_code == 302, (kind, response.context["form"].errors)
    return created


def test_a_coordinator_builds_previews_test_sends_and_publishes_every_question_type(
    client_for, coordinator, cybercrime, django_capture_on_commit_callbacks
):
    # given: the survey list, with its link to a new survey
    client = client_for(coordinator)
    officer = UserFactory(affiliation_type=AffiliationType.LEA, country="FR")
    UserFactory(affiliation_type=AffiliationType.LEA, country="DE")  # not in the audience
    needs = NeedFactory.create_batch(2)
    assert reverse("ipup:survey-create") in client.get(reverse("ipup:survey-list")).content.decode()

    # when: they build the survey with every type of question
    survey = _build(client, needs=needs, audience_domains=[cybercrime.pk])
    officer.domains.add(cybercrime)

    # then: the survey, its audience by label, its weights and its questions are stored
    survey.refresh_from_db()
    assert (survey.kind, survey.created_by, survey.published_at) == ("needs", coordinator, None)
    assert survey.audience_affiliations == ["lea"]
    assert [c.code for c in survey.audience_countries] == ["FR"]
    assert list(survey.audience_domains.all()) == [cybercrime]
    assert survey.role_weights == {"field": 1.0, "management": 2.0, "strategic": 3.5}
    questions = {q.kind: q for q in survey.questions.all()}
    assert set(questions) == set(QUESTIONS)
    assert questions["single"].choices == ["Under 10", "10 to 50", "Over 50"]
    assert (questions["rating"].scale_max_label, questions["rating"].required) == (
        "Very well",
        True,
    )
    assert set(questions["needs"].needs.all()) == set(needs)
    assert [q.position for q in survey.questions.order_by("position")] == [1, 2, 3, 4, 5, 6]
    builder = client.get(reverse("ipup:survey-build", args=[survey.pk])).content.decode()
    for data in QUESTIONS.values():
        assert data["text"] in builder

    # when: they preview it
    preview = client.get(reverse("ipup:survey-preview", args=[survey.pk]))

    # then: the respondents' page, every question, nothing to submit
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "ipup/survey_answer.html" in [t.name for t in preview.templates]
    assert "It cannot be submitted." in html
    for data in QUESTIONS.values():
        assert data["text"] in html
    assert needs[0].title in html
    assert "Very well" in html
    assert "Accuracy" in html
    assert 'value="submit"' not in html
    assert 'value="save"' not in html

    # when: they send themselves a test
    client.post(reverse("ipup:survey-test-send", args=[survey.pk]))

    # then: one e-mail to them, with the preview's link; no invitation counted
    (test,) = mail.outbox
    assert test.to == [coordinator.email]
    assert test.subject.startswith("[test]")
    assert "http://testserver" + reverse("ipup:survey-preview", args=[survey.pk]) in test.body
    assert not SurveyInvitation.objects.exists()
    mail.outbox.clear()

    # when: they publish it from the builder
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(reverse("ipup:survey-publish", args=[survey.pk]), follow=True)

    # then: published, the audience invited, every step audited
    assert "The survey is published" in published.content.decode()
    assert Survey.objects.get(pk=survey.pk).published_at is not None
    assert [m.to for m in mail.outbox] == [[officer.email]]
    actions = list(
        AuditLogEntry.objects.filter(target_id=str(survey.pk)).values_list("action", flat=True)
    )
    assert actions.count("survey.question_create") == len(QUESTIONS)
    assert {"survey.create", "survey.section_create", "survey.test_send", "survey.publish"} <= set(
        actions
    )


def test_a_community_manager_builds_a_community_survey_that_speaks_of_the_community(
    client_for, manager, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    member = UserFactory(affiliation_type=AffiliationType.RESEARCH, country="BE")
    questions = {"single": QUESTIONS["single"], "text": QUESTIONS["text"]}

    survey = _build(
        client, kind="community", title="How is the network doing?", questions=questions,
        audience_affiliations=["research"], audience_countries=[],
    )  # fmt: skip
    client.post(reverse("ipup:survey-test-send", args=[survey.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ipup:survey-publish", args=[survey.pk]))

    test, invitation = mail.outbox
    assert (test.to, invitation.to) == ([manager.email], [member.email])
    for message in (test, invitation):
        assert "How is the network doing?" in message.body
        assert "shape the network" in message.body
        assert "challenges" not in message.body
        assert "research" not in message.body
    assert Survey.objects.get(pk=survey.pk).kind == "community"


@pytest.fixture
def published(coordinator):
    """A published survey with a choice question, answered once."""
    survey = SurveyFactory()
    section = Section.objects.create(survey=survey, title="About you", position=1)
    question = Question.objects.create(
        survey=survey, section=section, kind="single", text="Size of your unit?",
        choices=["Small", "Large"], position=1,
    )  # fmt: skip
    submitted_response(survey, UserFactory(), [(question, None, "Small")])
    return survey


def test_a_published_surveys_structure_is_refused_with_a_clear_message(
    client_for, coordinator, published
):
    client = client_for(coordinator)
    question, section = published.questions.get(), published.sections.get()
    pk = published.pk

    attempts = [
        client.post(reverse("ipup:question-create", args=[pk]) + "?kind=text", {"text": "New?"}),
        client.post(reverse("ipup:question-delete", args=[pk, question.pk])),
        client.post(reverse("ipup:question-move", args=[pk, question.pk]), {"direction": "up"}),
        client.post(reverse("ipup:section-delete", args=[pk, section.pk])),
        client.post(reverse("ipup:section-create", args=[pk]), {"title": "More"}),
        client.post(
            reverse("ipup:question-edit", args=[pk, question.pk]),
            {"text": "Size of your unit?", "choices": "Small\nMedium\nLarge"},
        ),
        client.post(
            reverse("ipup:survey-edit", args=[pk]), {"title": "X", "closes_at": _when(days=30)}
        ),
    ]

    for response in attempts:
        page = response if response.status_code == 200 else client.get(response["Location"])
        assert LOCKED in page.content.decode()
    assert (published.questions.count(), published.sections.count()) == (1, 1)
    question.refresh_from_db()
    assert question.choices == ["Small", "Large"]
    assert Survey.objects.get(pk=pk).title == published.title
    assert Answer.objects.filter(question=question).count() == 1


def test_a_published_surveys_wording_can_still_be_fixed(client_for, coordinator, published):
    client = client_for(coordinator)
    question = published.questions.get()

    form = client.get(reverse("ipup:question-edit", args=[published.pk, question.pk]))
    client.post(
        reverse("ipup:question-edit", args=[published.pk, question.pk]),
        {"text": "Your unit's size (people)?", "help_text": "Roughly."},
    )
    client.post(
        reverse("ipup:survey-edit", args=[published.pk]),
        {"title": "Fixed title", "introduction": ""},
    )

    assert 'name="choices"' not in form.content.decode()
    question.refresh_from_db()
    assert (question.text, question.help_text, question.choices) == (
        "Your unit's size (people)?", "Roughly.", ["Small", "Large"],
    )  # fmt: skip
    assert Survey.objects.get(pk=published.pk).title == "Fixed title"
    assert AuditLogEntry.objects.filter(action="survey.question_update").exists()


def test_an_answered_question_is_never_deleted_with_its_answers(published):
    with pytest.raises(RestrictedError):
        published.questions.get().delete()
    with pytest.raises(RestrictedError):
        published.sections.get().delete()
    assert Answer.objects.count() == 1

    published.delete()  # the whole survey (administration) takes its answers with it

    assert not Answer.objects.exists()


def test_a_drafts_questions_are_reordered_and_deleted_from_the_builder(client_for, coordinator):
    client = client_for(coordinator)
    survey = _build(client, questions={k: QUESTIONS[k] for k in ("rating", "single", "text")})
    rating, single, text = survey.questions.order_by("position")

    client.post(reverse("ipup:question-move", args=[survey.pk, rating.pk]), {"direction": "down"})
    client.post(reverse("ipup:question-delete", args=[survey.pk, text.pk]))
    sideways = client.post(
        reverse("ipup:question-move", args=[survey.pk, single.pk]),
        {"direction": "left"},
        follow=True,
    )

    assert list(survey.questions.order_by("position")) == [single, rating]
    assert "Say whether to move it up or down." in sideways.content.decode()
    assert AuditLogEntry.objects.filter(action="survey.question_move").count() == 1
    assert AuditLogEntry.objects.filter(action="survey.question_delete").count() == 1


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("rating", {"scale_min": "5", "scale_max": "1"}, "The scale must end above where it starts."),
        ("rating", {"scale_min": "0", "scale_max": "20"}, "A scale has at most 10 steps"),
        ("rating", {"choices": "A\nB"}, "“Options” does not apply to a question of type “Rating scale”."),
        ("single", {"choices": "Only one"}, "Give at least two options."),
        ("multiple", {"choices": "A\nA"}, "Each option must be different."),
        ("ranking", {"choices": ""}, "This field is required."),
        ("text", {"scale_min": "1"}, "does not apply to a question of type “Free text”"),
        ("text", {"text": ""}, "This field is required."),
        ("needs", {"scale_min": "1", "scale_max": "5"}, "This field is required."),
        ("needs", {"scale_min": "1", "scale_max": "5", "needs": ["999999"]}, "Select a valid choice."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_per_question_type(client_for, coordinator, kind, data, message):
    client = client_for(coordinator)
    survey = _build(client, questions={})
    section = survey.sections.get()
    url = reverse("ipup:question-create", args=[survey.pk]) + f"?kind={kind}"

    response = client.post(url, {"text": "A question", "section": section.pk} | data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_a_need_the_author_may_not_see_cannot_be_rated(client_for, coordinator):
    client = client_for(coordinator)
    survey = _build(client, questions={})
    hidden = NeedFactory(tier="lea")  # the coordinator is not an LEA member
    url = reverse("ipup:question-create", args=[survey.pk]) + "?kind=needs"

    form = client.get(url).content.decode()
    response = client.post(
        url,
        QUESTIONS["needs"] | {"section": survey.sections.get().pk, "needs": [hidden.pk]},
    )

    assert hidden.title not in form
    assert "Select a valid choice." in response.content.decode()
    assert not Question.objects.exists()


def test_each_type_shows_only_the_fields_it_needs(client_for, coordinator):
    client = client_for(coordinator)
    survey = _build(client, questions={})
    url = reverse("ipup:question-create", args=[survey.pk])

    rating = client.get(url + "?kind=rating").content.decode()
    single = client.get(url + "?kind=single").content.decode()
    unknown = client.get(url + "?kind=essay", follow=True).content.decode()

    assert 'name="scale_min"' in rating
    assert 'name="choices"' not in rating
    assert 'name="choices"' in single
    assert 'name="scale_min"' not in single
    assert 'name="needs"' not in rating + single
    assert "Choose the type of the question first." in unknown


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"weight_strategic": "-1"}, "weight_strategic", "greater than or equal to 0"),
        ({"weight_management": "11"}, "weight_management", "less than or equal to 10"),
        ({"closes_at": _when(hours=-2)}, "closes_at", "The survey must close after it opens."),
        ({"audience_affiliations": ["police"]}, "audience_affiliations", "Select a valid choice."),
        ({"max_reminders": "50"}, "max_reminders", "less than or equal to 10"),
    ],
)
def test_bad_survey_settings_are_refused(client_for, coordinator, data, field, message):
    response = client_for(coordinator).post(reverse("ipup:survey-create"), _survey_data(**data))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Survey.objects.exists()


@pytest.mark.parametrize("role", ["lea_member", "researcher", "unverified_member"])
def test_those_who_do_not_run_surveys_get_404_everywhere(client_for, request, role, published):
    client = client_for(request.getfixturevalue(role))
    pk = published.pk
    question, section = published.questions.get(), published.sections.get()
    gets = [
        reverse("ipup:survey-create"),
        reverse("ipup:survey-edit", args=[pk]),
        reverse("ipup:survey-build", args=[pk]),
        reverse("ipup:survey-preview", args=[pk]),
        reverse("ipup:survey-results", args=[pk]),
        reverse("ipup:section-create", args=[pk]),
        reverse("ipup:question-edit", args=[pk, question.pk]),
    ]
    posts = [
        reverse("ipup:survey-test-send", args=[pk]),
        reverse("ipup:question-delete", args=[pk, question.pk]),
        reverse("ipup:section-move", args=[pk, section.pk]),
    ]

    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url).status_code == 404, url
    assert client.post(reverse("ipup:survey-create"), _survey_data()).status_code == 404
    assert Survey.objects.count() == 1
    assert not mail.outbox


def test_anonymous_visitors_are_sent_to_sign_in(client, published):
    response = client.get(reverse("ipup:survey-build", args=[published.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _queries(client, url) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_builder_costs_the_same_for_a_long_survey(
    client_for, coordinator, django_assert_max_num_queries
):
    client = client_for(coordinator)
    short, long = SurveyFactory(published_at=None), SurveyFactory(published_at=None)
    needs_questions(short, NeedFactory.create_batch(1))
    for _round in range(5):
        needs_questions(long, NeedFactory.create_batch(3))
    client.get(reverse("ipup:survey-list"))  # the member gate's first checks are remembered

    with django_assert_max_num_queries(12):
        small = _queries(client, reverse("ipup:survey-build", args=[short.pk]))
    assert _queries(client, reverse("ipup:survey-build", args=[long.pk])) == small


def test_the_audience_is_chosen_by_labels_and_the_weights_are_numbers(client_for, coordinator):
    html = client_for(coordinator).get(reverse("ipup:survey-create")).content.decode()

    for label in ("Law enforcement agency", "Strategic / top level", "Cybercrime", "France"):
        assert label in html
    assert re.search(r'<input type="number" name="weight_strategic"[^>]*min="0" max="10"', html)
