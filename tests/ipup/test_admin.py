"""The IPUP admin: every page opens, needs go through the services, coordinators author surveys,
and records of respondents keep anonymous surveys anonymous."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, AuditLogEntry, Domain, Event
from community.roles import Role
from ipup.demo import seed_needs_survey
from ipup.models import (
    Need,
    ProjectDocument,
    ProjectPdf,
    Question,
    Response,
    Section,
    ShowcaseEvent,
    Survey,
    SurveyInvitation,
)
from tests.community.factories import OrganisationFactory
from tests.ipup.factories import (
    NeedFactory,
    ProjectContactFactory,
    ResearchProjectFactory,
    SurveyFactory,
    needs_questions,
    submitted_response,
)

IPUP_MODELS = [model for model in admin.site._registry if model._meta.app_label == "ipup"]


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


def _url(model, view, *args):
    return reverse(f"admin:ipup_{model._meta.model_name}_{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("role", ["admin_user", "coordinator"])
def test_every_ipup_admin_page_opens(client_for, request, admin_user, role):
    # given: a row in every IPUP table (the demo survey, plus a reminder, a research project
    # with a consortium member, a claim, a holder and a contact asked to confirm)
    survey = seed_needs_survey(actor=admin_user)
    SurveyInvitation.objects.filter(survey=survey).first().reminders.create(round=1)
    project = ResearchProjectFactory()
    project.participants.create(organisation=OrganisationFactory(), role="coordinator")
    project.claims.create(member=admin_user, message="mine")
    assign_perm("ipup.hold_project", admin_user, project)
    ProjectContactFactory(project=project).checks.create(round=timezone.localdate())
    # and a screened need with a state-of-the-art study recommended
    need = Need.objects.visible_to(request.getfixturevalue(role)).first()
    need.screening_candidates.create(project=project, judgement="partial")
    need.sota_recommendations.create(topic="Drone detection", rationale="None meets", scope="EU")
    # and a reviewed document, a rendered PDF, a webinar with its agenda and a participant
    document = ProjectDocument.objects.create(project=project, kind="telos")
    version = document.versions.create(number=1, data={}, decision="approved",
                                       decided_at=timezone.now())  # fmt: skip
    version.comments.create(part="legal", body="Name the DPIA.")
    ProjectPdf.objects.create(project=project, kind="telos", source_key="v1", content=b"%PDF")
    start = timezone.now() + timedelta(days=2)
    event = Event.objects.create(title="Webinar", kind="webinar", starts_at=start,
                                 ends_at=start + timedelta(hours=1))  # fmt: skip
    webinar = ShowcaseEvent.objects.create(event=event, format="webinar", project=project)
    webinar.agenda.create(project=project)
    webinar.registrations.create(member=admin_user, category="lea")
    client = client_for(request.getfixturevalue(role))

    for model in IPUP_MODELS:
        model_admin = admin.site._registry[model]
        # when / then: the list, searched and filtered, the add form (or the refusal of one
        # where rows are records) and the change form of an existing row
        assert client.get(_url(model, "changelist")).status_code == 200, model
        if model_admin.search_fields:
            assert client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200, model
        add = client.get(_url(model, "add"))
        assert add.status_code == (200 if model in (Need, Survey, Section, Question) else 403)
        change = client.get(_url(model, "change", model._default_manager.first().pk))
        assert change.status_code == 200, model


def test_no_ipup_page_of_the_admin_opens_for_a_community_manager_or_a_member(
    client_for, manager, lea_member
):
    NeedFactory()

    assert client_for(manager).get(_url(Need, "changelist")).status_code == 403
    assert client_for(lea_member).get(_url(Need, "changelist")).status_code == 302


# --- Needs --------------------------------------------------------------------------------------


def _need_data(**changes):
    cyber = Domain.objects.get(slug="cybercrime")
    return {
        "title": "Decrypting seized phones", "description": "", "domains": [cyber.pk],
        "source": "desk", "policy_references": "", "research_answerable": "on",
        "out_of_scope_reason": "", "tier": "members",
    } | changes  # fmt: skip


def test_a_need_added_in_the_admin_is_written_by_the_service(client_for, coordinator):
    response = client_for(coordinator).post(_url(Need, "add"), _need_data())

    need = Need.objects.get()
    assert response.status_code == 302
    assert (need.title, need.tier, need.status, need.created_by) == (
        "Decrypting seized phones", "members", "collected", coordinator,
    )  # fmt: skip
    assert list(need.domains.values_list("slug", flat=True)) == ["cybercrime"]
    assert AuditLogEntry.objects.filter(action="need.create", actor=coordinator).exists()


def test_an_out_of_scope_need_without_its_reason_is_refused_in_the_admin(client_for, coordinator):
    response = client_for(coordinator).post(_url(Need, "add"), _need_data(research_answerable=""))

    assert response.status_code == 200
    assert "Say what answers this need instead of research." in response.content.decode()
    assert not Need.objects.exists()


def test_the_status_is_not_edited_in_the_admin_form(client_for, coordinator):
    need = NeedFactory(status="collected")

    client_for(coordinator).post(_url(Need, "change", need.pk), _need_data(status="matched"))

    need.refresh_from_db()
    assert (need.title, need.status) == ("Decrypting seized phones", "collected")
    assert AuditLogEntry.objects.filter(action="need.update").exists()


def test_mark_analysed_moves_what_may_move_and_says_why_the_rest_did_not(client_for, coordinator):
    collected = NeedFactory(title="Collected one", status="collected")
    matched = NeedFactory(title="Matched one", status="matched")

    response = client_for(coordinator).post(
        _url(Need, "changelist"),
        {"action": "mark_analysed", "_selected_action": [collected.pk, matched.pk]},
        follow=True,
    )

    assert Need.objects.get(pk=collected.pk).status == "analysed"
    assert Need.objects.get(pk=matched.pk).status == "matched"
    messages = " ".join(_messages(response))
    assert "Collected one: analysed" in messages
    assert "cannot go from “Matched to projects” to “Analysed”" in messages
    assert AuditLogEntry.objects.filter(action="need.status").count() == 1


# --- Surveys ------------------------------------------------------------------------------------


def _survey_data(*, sections=(), questions=()):
    start = timezone.localtime() + timedelta(days=1)
    data = {
        "title": "Border needs 2027", "kind": "needs", "introduction": "",
        "opens_at_0": start.date().isoformat(), "opens_at_1": "09:00:00",
        "closes_at_0": (start + timedelta(days=14)).date().isoformat(), "closes_at_1": "18:00:00",
        "closed_early_at_0": "", "closed_early_at_1": "", "audience_affiliations": "lea",
        "audience_role_levels": "", "audience_members": "",
        "role_weights": '{"field": 1, "management": 2, "strategic": 3}',
        "normalise_by_organisation": "on", "reminder_interval_days": "7", "max_reminders": "2",
    }  # fmt: skip
    for prefix, rows in (("sections", sections), ("questions", questions)):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        }  # fmt: skip
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{name}": value for name, value in row.items()}
    return data


def _question(**fields):
    return {
        "section": "", "position": "1", "kind": "rating", "text": "How useful?",
        "help_text": "", "scale_min": "1", "scale_max": "5", "scale_min_label": "",
        "scale_max_label": "", "choices": "",
    } | fields  # fmt: skip


def test_a_coordinator_authors_a_survey_with_its_questions_in_the_admin(client_for, coordinator):
    # given: two needs to be rated
    needs = NeedFactory.create_batch(2)

    # when: the survey is added with a section, a rating question and a "rate each need" one
    response = client_for(coordinator).post(
        _url(Survey, "add"),
        _survey_data(
            sections=[{"position": "1", "title": "Your unit", "description": ""}],
            questions=[
                _question(),
                _question(kind="needs", text="Rate each", needs=[n.pk for n in needs]),
            ],
        ),
    )

    # then: the questions are in the survey's section, the survey set from it
    assert response.status_code == 302, response.context["errors"]
    survey = Survey.objects.get()
    section = Section.objects.get(survey=survey)
    questions = Question.objects.filter(survey=survey).order_by("kind")
    assert [(q.kind, q.section) for q in questions] == [("needs", section), ("rating", section)]
    assert set(questions[0].needs.all()) == set(needs)
    assert survey.created_by == coordinator


def test_questions_added_without_a_section_get_one(client_for, coordinator):
    client_for(coordinator).post(_url(Survey, "add"), _survey_data(questions=[_question()]))

    question = Question.objects.get()
    assert question.survey == question.section.survey == Survey.objects.get()


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (_question(kind="single", choices="Only one"), "Give at least two options"),
        (_question(kind="ranking", choices="A,A"), "Each option must be different."),
        (_question(kind="needs"), "Choose the needs to be rated."),
        (_question(scale_min="5", scale_max="1"), "The scale must end above where it starts."),
    ],
)
def test_a_question_that_cannot_be_answered_is_refused(client_for, coordinator, question, message):
    response = client_for(coordinator).post(_url(Survey, "add"), _survey_data(questions=[question]))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Survey.objects.exists()
    assert not Question.objects.exists()


def test_the_publish_and_close_actions_go_through_the_services(
    client_for, coordinator, django_capture_on_commit_callbacks
):
    ready = SurveyFactory(title="Ready", published_at=None)
    needs_questions(ready, [NeedFactory()])
    empty = SurveyFactory(title="Empty", published_at=None)
    client = client_for(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(
            _url(Survey, "changelist"),
            {"action": "publish", "_selected_action": [ready.pk, empty.pk]},
            follow=True,
        )
    closed = client.post(
        _url(Survey, "changelist"), {"action": "close", "_selected_action": [ready.pk]}, follow=True
    )

    assert "Ready: published" in _messages(published)
    assert "Empty: Add at least one question before publishing." in _messages(published)
    assert "Ready: closed" in _messages(closed)
    ready.refresh_from_db()
    assert ready.published_at is not None
    assert ready.closed_early_at is not None
    assert Survey.objects.get(pk=empty.pk).published_at is None


# --- Records of who answered --------------------------------------------------------------------


@pytest.mark.parametrize("anonymous", [True, False])
def test_responses_of_an_anonymous_survey_do_not_say_who_answered(
    client_for, coordinator, lea_member, anonymous
):
    survey = SurveyFactory(is_anonymous=anonymous)
    rate, _comment = needs_questions(survey, [NeedFactory()])
    response = submitted_response(survey, lea_member, [(rate, rate.needs.get(), 4)])
    client = client_for(coordinator)

    listed = client.get(_url(Response, "changelist")).content.decode()
    opened = client.get(_url(Response, "change", response.pk)).content.decode()
    answers = client.get(reverse("admin:ipup_answer_changelist")).content.decode()

    assert (lea_member.email in listed) is not anonymous
    assert (lea_member.email in opened) is not anonymous
    assert response.organisation_key not in opened
    assert lea_member.email not in answers


def test_an_invitation_never_shows_what_its_link_is_made_from(client_for, coordinator, lea_member):
    survey = SurveyFactory()
    invitation = SurveyInvitation.objects.create(
        survey=survey, member=lea_member, email=lea_member.email
    )

    page = client_for(coordinator).get(_url(SurveyInvitation, "change", invitation.pk))

    assert lea_member.email in page.content.decode()
    assert invitation.token_key not in page.content.decode()


def test_a_published_survey_cannot_change_its_promise_of_anonymity(client_for, coordinator):
    survey = SurveyFactory(is_anonymous=True)
    needs_questions(survey, [NeedFactory()])

    page = client_for(coordinator).get(_url(Survey, "change", survey.pk))

    assert page.status_code == 200
    assert 'name="is_anonymous"' not in page.content.decode()
    draft = SurveyFactory(published_at=None)
    assert (
        'name="is_anonymous"'
        in client_for(coordinator).get(_url(Survey, "change", draft.pk)).content.decode()
    )


def test_a_published_surveys_structure_is_locked_in_the_admin_too(client_for, coordinator):
    survey = SurveyFactory()
    rate, _comment = needs_questions(survey, [NeedFactory()])

    html = client_for(coordinator).get(_url(Survey, "change", survey.pk)).content.decode()

    # the wording stays editable; the structure, the audience and the dates do not
    assert 'name="title"' in html
    assert f'name="questions-0-text" value="{rate.text}"' in html
    for locked in ("questions-0-kind", "questions-0-choices", "questions-0-DELETE",
                   "sections-0-DELETE", "audience_affiliations", "closes_at_0"):  # fmt: skip
        assert f'name="{locked}"' not in html, locked
    assert "questions-__prefix__" not in html  # no row to add
