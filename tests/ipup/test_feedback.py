"""An event's feedback survey and next-steps questionnaire (SPEC §3.8): sent to the attendees
only, answered from a short link or QR code, the response rate and interest scores shown to
the organisers, follow-up webinars proposed above the event's threshold."""

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import zxingcpp
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from community.models import AffiliationType, AuditLogEntry, Event
from community.roles import Role
from ipup.models import AgendaItem, EventRegistration, Question, ShowcaseEvent, Survey
from ipup.services.feedback import feedback_survey_create, next_steps_survey_create
from ipup.services.surveys import invitations_send, short_url
from tests.ipup.factories import ResearchProjectFactory


def showcase_make(*, projects, started=True, format="showcase", tier="members", **fields):
    """A showcase event (or webinar) with ``projects`` on its agenda."""
    starts = timezone.now() + (timedelta(hours=-2) if started else timedelta(days=3))
    event = Event.objects.create(
        title=fields.pop("title", "Border technologies showcase"),
        kind="webinar" if format == "webinar" else "showcase",
        tier=tier,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    showcase = ShowcaseEvent.objects.create(
        event=event,
        format=format,
        project=projects[0] if format == "webinar" else None,
        **fields,
    )
    for position, project in enumerate(projects, 1):
        AgendaItem.objects.create(showcase=showcase, project=project, position=position)
    return showcase


def register(showcase, member, *, attended=True):
    return EventRegistration.objects.create(
        showcase=showcase, member=member, category="lea", attended=attended
    )


def questions_of(survey, project):
    return {q.metric: q for q in Question.objects.filter(survey=survey, project=project)}


def respond(survey, member, rows):
    """A submitted response of ``member`` with ``rows`` = ``[(question, value)]``, through the
    invitation they already have if any (a named survey: the feedback's)."""
    from ipup.models import Answer, Response, SurveyInvitation
    from ipup.services.responses import respondent_snapshot

    invitation, _created = SurveyInvitation.objects.get_or_create(
        survey=survey, member=member, defaults={"email": member.email, "status": "sent"}
    )
    invitation.has_answered = True
    invitation.save(update_fields=["has_answered"])
    now = timezone.now()
    response = Response.objects.create(
        survey=survey, invitation=invitation, status=Response.Status.SUBMITTED,
        started_at=now, updated_at=now, submitted_at=now, **respondent_snapshot(member),
    )  # fmt: skip
    Answer.objects.bulk_create(Answer(response=response, question=q, value=v) for q, v in rows)
    return response


def answer(survey, member, by_project):
    """``member`` answers ``{project: {"relevance": 4, "colleagues": 0}}`` (a choice by its
    position: 0 yes, 1 maybe, 2 no) in one submitted response."""
    rows = []
    for project, values in by_project.items():
        questions = questions_of(survey, project)
        for metric, value in values.items():
            question = questions[metric]
            if question.kind == Question.Kind.SINGLE:
                value = question.choices[value]
            rows.append((question, value))
    return respond(survey, member, rows)


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


@pytest.fixture
def projects(db):
    return ResearchProjectFactory.create_batch(2)


@pytest.fixture
def showcase(projects):
    return showcase_make(projects=projects)


def _send(client, showcase):
    return client.post(reverse("ipup:showcase-feedback-send", args=[showcase.pk]))


# --- The audience ---------------------------------------------------------------------------


def test_the_feedback_survey_reaches_only_the_attendees(
    client_for, coordinator, make_member, showcase, django_capture_on_commit_callbacks
):
    # given
    attendee = make_member(AffiliationType.LEA, email="came@example.org")
    absent = make_member(AffiliationType.LEA, email="registered@example.org")
    late = make_member(AffiliationType.LEA, email="marked.late@example.org")
    stranger = make_member(AffiliationType.LEA, email="stranger@example.org")
    register(showcase, attendee)
    register(showcase, absent, attended=False)
    late_registration = register(showcase, late, attended=False)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client_for(coordinator), showcase)

    # then
    survey = Survey.objects.get(showcase=showcase)
    assert response.status_code == 302
    assert response["Location"] == reverse("ipup:showcase-detail", args=[showcase.pk])
    assert [m.to for m in mail.outbox] == [[attendee.email]]
    assert survey.is_open

    # when attendance is marked after publishing, the next sending invites them too
    late_registration.attended = True
    late_registration.save(update_fields=["attended"])
    invitations_send(survey_id=survey.pk)

    assert [m.to for m in mail.outbox] == [[attendee.email], [late.email]]
    link = reverse("ipup:survey-short", args=[survey.short_code])
    assert client_for(attendee).get(link).status_code == 302
    assert client_for(late).get(link).status_code == 302
    assert client_for(absent).get(link).status_code == 404
    assert client_for(stranger).get(link).status_code == 404


def test_an_unverified_attendee_is_not_asked(make_member, coordinator, showcase):
    unverified = make_member(AffiliationType.LEA, unverified=True)
    register(showcase, unverified)

    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    invitations_send(survey_id=survey.pk)

    assert mail.outbox == []


# --- The survey -----------------------------------------------------------------------------


def test_the_survey_asks_the_five_questions_about_each_project(coordinator, showcase, projects):
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)

    assert survey.kind == Survey.Kind.FEEDBACK
    assert survey.title == "Feedback: Border technologies showcase"
    assert (survey.public_link, survey.is_anonymous) == (True, False)
    assert survey.published_at is not None
    assert timedelta(days=13) < survey.closes_at - timezone.now() <= timedelta(days=14)
    assert survey.sections.count() == 2
    assert AuditLogEntry.objects.filter(action="showcase.survey_send", actor=coordinator).exists()
    for project in projects:
        questions = questions_of(survey, project)
        assert set(questions) == {
            "relevance", "effectiveness", "colleagues", "additions", "further_sessions",
        }  # fmt: skip
        assert [m for m, q in questions.items() if q.required] == ["relevance"]
        assert (questions["relevance"].kind, questions["relevance"].scale_max) == ("rating", 5)
        assert questions["colleagues"].choices == ["Yes", "Maybe", "No"]
        assert questions["additions"].kind == "text"


def test_sending_twice_gives_the_same_survey(client_for, coordinator, showcase):
    client = client_for(coordinator)

    _send(client, showcase)
    _send(client, showcase)

    assert Survey.objects.filter(showcase=showcase).count() == 1


def test_the_survey_cannot_be_sent_before_the_event_starts(client_for, coordinator, projects):
    showcase = showcase_make(projects=projects, started=False)

    response = _send(client_for(coordinator), showcase)

    assert response.status_code == 302
    assert not Survey.objects.exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The event has not started yet: its attendees can be asked once it has begun."
    ]


def test_an_event_without_presentations_has_nothing_to_ask(client_for, coordinator, projects):
    showcase = showcase_make(projects=[])

    response = _send(client_for(coordinator), showcase)

    assert not Survey.objects.exists()
    (message,) = get_messages(response.wsgi_request)
    assert "Nothing was presented" in str(message)


# --- Who may open the doors -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["lea_member", "researcher", "unverified_member", "attendee"])
def test_the_organisers_doors_do_not_exist_for_anyone_else(
    client_for, coordinator, make_member, request, role, showcase
):
    if role == "attendee":
        user = make_member(AffiliationType.LEA)
        register(showcase, user)
    else:
        user = request.getfixturevalue(role)
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    client = client_for(user)

    doors = [
        client.get(reverse("ipup:showcase-feedback", args=[showcase.pk])),
        client.get(reverse("ipup:showcase-feedback-rate", args=[showcase.pk])),
        client.post(reverse("ipup:showcase-feedback-send", args=[showcase.pk])),
        client.post(reverse("ipup:showcase-next-steps-send", args=[showcase.pk])),
        client.get(reverse("ipup:survey-qr-png", args=[survey.pk])),
    ]

    assert [d.status_code for d in doors] == [404] * 5
    assert Survey.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, showcase):
    response = client.get(reverse("ipup:showcase-feedback", args=[showcase.pk]))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_event_the_organiser_may_not_see_does_not_exist(client_for, coordinator, projects):
    # An LEA-only event is not on a (non-LEA) coordinator's calendar.
    showcase = showcase_make(projects=projects, tier="lea")

    response = client_for(coordinator).get(reverse("ipup:showcase-feedback", args=[showcase.pk]))

    assert response.status_code == 404


# --- Short link, QR code, response rate -----------------------------------------------------


def test_the_qr_code_decodes_to_the_short_link(client_for, coordinator, showcase):
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)

    response = client_for(coordinator).get(reverse("ipup:survey-qr-png", args=[survey.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [code.text for code in decoded] == [short_url(survey)]


def test_the_organiser_sees_link_qr_and_live_response_rate(
    client_for, coordinator, make_member, showcase, projects
):
    # given two attendees, one of whom answered
    first, second = make_member(AffiliationType.LEA), make_member(AffiliationType.LEA)
    register(showcase, first)
    register(showcase, second)
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    answer(survey, first, {projects[0]: {"relevance": 4}})
    client = client_for(coordinator)

    # when
    page = client.get(reverse("ipup:showcase-feedback", args=[showcase.pk])).content.decode()
    partial = client.get(
        reverse("ipup:showcase-feedback-rate", args=[showcase.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    # then
    rate_url = reverse("ipup:showcase-feedback-rate", args=[showcase.pk])
    assert short_url(survey) in page
    assert reverse("ipup:survey-qr", args=[survey.pk]) in page
    assert reverse("ipup:survey-qr-png", args=[survey.pk]) in page
    for html in (page, partial):
        assert "1 of 2 attendees answered (50 %)" in html
        assert f'hx-get="{rate_url}"' in html
        assert 'hx-trigger="every 10s"' in html
        assert '<progress value="1"' in html
    assert "<html" not in partial


def test_the_showcase_page_offers_the_organiser_to_send_the_survey(
    client_for, coordinator, showcase
):
    client = client_for(coordinator)
    url = reverse("ipup:showcase-detail", args=[showcase.pk])

    before = client.get(url).content.decode()
    _send(client, showcase)
    after = client.get(url).content.decode()

    assert reverse("ipup:showcase-feedback-send", args=[showcase.pk]) in before
    assert "Send the feedback survey" in before
    survey = Survey.objects.get(showcase=showcase)
    assert "Send the feedback survey" not in after
    assert short_url(survey) in after
    assert reverse("ipup:survey-qr-png", args=[survey.pk]) in after
    assert "0 of 0 attendees answered (0 %)" in after
    assert reverse("ipup:showcase-feedback", args=[showcase.pk]) in after


def test_an_attendee_finds_the_short_link_on_the_event_page(
    client_for, coordinator, make_member, showcase
):
    attendee, absent = make_member(AffiliationType.LEA), make_member(AffiliationType.LEA)
    register(showcase, attendee)
    register(showcase, absent, attended=False)
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    url = reverse("ipup:showcase-detail", args=[showcase.pk])

    attendee_page = client_for(attendee).get(url).content.decode()
    absent_page = client_for(absent).get(url).content.decode()

    assert "Give your feedback" in attendee_page
    assert short_url(survey) in attendee_page
    assert short_url(survey) not in absent_page
    assert "Send the feedback survey" not in attendee_page


# --- Interest and follow-ups ----------------------------------------------------------------


def _scored(coordinator, make_member, showcase, projects):
    """Two attendees: the first project is liked (score 92.5), the second is not (20)."""
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    high, low = projects
    for relevance in (5, 4):
        member = make_member(AffiliationType.LEA)
        register(showcase, member)
        answer(
            survey,
            member,
            {
                high: {"relevance": relevance, "colleagues": 0},
                low: {"relevance": 1, "colleagues": 1},
            },
        )
    return survey


def test_a_project_above_the_threshold_is_proposed_for_a_follow_up_webinar(
    client_for, coordinator, make_member, showcase, projects
):
    _scored(coordinator, make_member, showcase, projects)

    page = client_for(coordinator).get(reverse("ipup:showcase-feedback", args=[showcase.pk]))

    html = page.content.decode()
    assert html.count("proposed for a follow-up webinar") == 1
    links = [a for a in html.split('href="')[1:] if a.startswith(reverse("ipup:showcase-create"))]
    assert len(links) == 1
    query = parse_qs(urlparse(links[0].split('"')[0].replace("&amp;", "&")).query)
    assert query == {
        "format": ["webinar"],
        "project": [str(projects[0].pk)],
        "follow_up_of": [str(showcase.pk)],
    }
    assert "<strong>93</strong>" in html  # 92.5, rounded
    assert "<strong>20</strong>" in html
    assert "How the interest score is computed" in html


def test_the_threshold_is_the_events_own(client_for, coordinator, make_member, projects):
    showcase = showcase_make(projects=projects, follow_up_threshold=95)
    _scored(coordinator, make_member, showcase, projects)

    page = client_for(coordinator).get(reverse("ipup:showcase-feedback", args=[showcase.pk]))

    assert "proposed for a follow-up webinar" not in page.content.decode()


def test_the_feedback_page_costs_the_same_for_more_projects_and_answers(
    client_for, coordinator, make_member, django_assert_max_num_queries
):
    client = client_for(coordinator)
    for size in (2, 8):
        projects = ResearchProjectFactory.create_batch(size)
        showcase = showcase_make(projects=projects)
        survey = _scored(coordinator, make_member, showcase, projects[:2])
        everyone = make_member(AffiliationType.LEA)
        register(showcase, everyone)
        answer(survey, everyone, {p: {"relevance": 3, "further_sessions": 1} for p in projects})
        with django_assert_max_num_queries(15):
            response = client.get(reverse("ipup:showcase-feedback", args=[showcase.pk]))
        assert response.status_code == 200


# --- Next steps after a webinar -------------------------------------------------------------


def test_after_a_webinar_the_next_steps_are_asked_and_summarised(
    client_for, coordinator, make_member, projects, django_capture_on_commit_callbacks
):
    # given a webinar with two attendees
    webinar = showcase_make(projects=projects[:1], format="webinar", title="CLUE webinar")
    first, second = make_member(AffiliationType.LEA), make_member(AffiliationType.LEA)
    register(webinar, first)
    register(webinar, second)
    client = client_for(coordinator)

    # when the questionnaire is sent and answered
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ipup:showcase-next-steps-send", args=[webinar.pk]))
    survey = Survey.objects.get(showcase=webinar, kind=Survey.Kind.NEXT_STEPS)
    questions = questions_of(survey, projects[0])
    respond(
        survey,
        first,
        [(questions["procurement"], "Yes"), (questions["next_step"], "A pilot in 2027")],
    )
    respond(
        survey, second, [(questions["procurement"], "Maybe"), (questions["development"], "Yes")]
    )
    page = client.get(reverse("ipup:showcase-feedback", args=[webinar.pk])).content.decode()

    # then
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert set(questions) == {
        "commercialisation", "development", "standardisation", "procurement", "next_step",
    }  # fmt: skip
    assert "Would your organisation consider procuring it?" in page
    assert "Yes: <strong>1</strong>" in page.replace("\xa0", " ")
    assert "A pilot in 2027" in page
    assert "2 of 2 attendees answered" in page


def test_a_showcase_has_no_next_steps_questionnaire(coordinator, showcase):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="follows a webinar"):
        next_steps_survey_create(actor=coordinator, showcase=showcase)

    assert not Survey.objects.exists()


def test_only_organisers_send_surveys(lea_member, showcase):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        feedback_survey_create(actor=lea_member, showcase=showcase)
