"""The need's path (SPEC §3.9) carried to the events: where the projects that meet it were
shown, their interest score there and the next steps, for the events the reader may see."""

import pytest
from django.urls import reverse

from community.models import AffiliationType
from community.roles import Role
from ipup.models import ScreeningCandidate, Survey
from ipup.services.feedback import feedback_survey_create, next_steps_survey_create
from tests.ipup.factories import NeedFactory, ResearchProjectFactory
from tests.ipup.test_feedback import answer, questions_of, register, respond, showcase_make


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


def _judge(need, project, judgement):
    ScreeningCandidate.objects.create(need=need, project=project, judgement=judgement, score=1)


def _shown(coordinator, make_member, project, *, relevance, title, tier="members", webinar=False):
    """``project`` presented at an event, one attendee rating its relevance."""
    showcase = showcase_make(
        projects=[project], title=title, tier=tier, format="webinar" if webinar else "showcase"
    )
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    member = make_member(AffiliationType.LEA)
    register(showcase, member)
    answer(survey, member, {project: {"relevance": relevance}})
    return showcase, member


def _page(client, need):
    response = client.get(reverse("ipup:need-detail", args=[need.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_need_page_shows_where_matching_projects_were_presented(
    client_for, coordinator, make_member, researcher
):
    # given a need, a project meeting it shown at a showcase and at a webinar (with next
    # steps), one partly meeting it shown at an LEA-only event, one not meeting it
    need = NeedFactory(title="Drones over the border")
    meets, partly, not_met = ResearchProjectFactory.create_batch(3)
    _judge(need, meets, ScreeningCandidate.Judgement.MEETS)
    _judge(need, partly, ScreeningCandidate.Judgement.PARTIAL)
    _judge(need, not_met, ScreeningCandidate.Judgement.NOT_MET)
    _shown(coordinator, make_member, meets, relevance=5, title="Border showcase")
    webinar, attendee = _shown(
        coordinator, make_member, meets, relevance=3, title="Drone webinar", webinar=True
    )
    steps = next_steps_survey_create(actor=coordinator, showcase=webinar)
    respond(steps, attendee, [(questions_of(steps, meets)["next_step"], "Test it with our unit")])
    _shown(coordinator, make_member, partly, relevance=1, title="LEA-only demo", tier="lea")
    _shown(coordinator, make_member, not_met, relevance=5, title="Unrelated showcase")
    lea_reader = make_member(AffiliationType.LEA)

    # when
    for_lea = _page(client_for(lea_reader), need)
    for_researcher = _page(client_for(researcher), need)
    for_coordinator = _page(client_for(coordinator), need)

    # then the organisers see every score and the next steps
    assert "interest score 100 / 100 (1 respondent)" in for_coordinator
    assert "interest score 50 / 100 (1 respondent)" in for_coordinator
    assert "Test it with our unit" in for_coordinator
    # and the need's other readers the events, but not one respondent's score nor the
    # next-steps answers (named surveys, small audiences: found by an attacker's pass)
    assert "Border showcase" in for_lea
    assert "Drone webinar" in for_lea
    assert "LEA-only demo" in for_lea
    assert "interest score" not in for_lea.replace("How the interest score", "")
    assert "too few answers to show a score" in for_lea
    assert "Test it with our unit" not in for_lea
    assert "Unrelated showcase" not in for_lea
    assert "How the interest score is computed" in for_lea
    # the LEA-only event is not on a researcher's calendar, so not on their need page either
    assert "Border showcase" in for_researcher
    assert "LEA-only demo" not in for_researcher
    assert Survey.objects.filter(kind=Survey.Kind.NEXT_STEPS).count() == 1


def test_other_readers_see_a_score_once_three_answered(client_for, coordinator, make_member):
    need = NeedFactory(title="Drones over the border")
    project = ResearchProjectFactory()
    _judge(need, project, ScreeningCandidate.Judgement.MEETS)
    showcase = showcase_make(projects=[project], title="Border showcase")
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    for relevance in (5, 3, 1):
        member = make_member(AffiliationType.LEA)
        register(showcase, member)
        answer(survey, member, {project: {"relevance": relevance}})

    page = _page(client_for(make_member(AffiliationType.LEA)), need)

    assert "interest score 50 / 100 (3 respondents)" in page


def test_a_need_without_presented_projects_says_so(client_for, researcher):
    need = NeedFactory()

    assert "No project meeting this need has been shown at an event yet." in _page(
        client_for(researcher), need
    )


def test_the_need_page_costs_the_same_for_more_projects_and_events(
    client_for, coordinator, make_member, django_assert_max_num_queries
):
    client = client_for(coordinator)
    for size in (1, 4):
        need = NeedFactory()
        for n in range(size):
            project = ResearchProjectFactory()
            _judge(need, project, ScreeningCandidate.Judgement.MEETS)
            for m in range(2):
                _shown(coordinator, make_member, project, relevance=4, title=f"Event {n}.{m}")
        with django_assert_max_num_queries(16):
            page = _page(client, need)
        assert page.count("interest score 75 / 100") == 2 * size
