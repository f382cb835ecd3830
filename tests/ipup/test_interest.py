"""The interest score (ipup.interest) on a hand-computed example, its parts left out when nobody
answered them, and its cost."""

import pytest

from community.models import AffiliationType
from community.roles import Role
from ipup.interest import interest_scores
from ipup.models import Response
from ipup.services.feedback import feedback_survey_create
from tests.ipup.factories import ResearchProjectFactory
from tests.ipup.test_feedback import answer, register, showcase_make

YES, MAYBE, NO = 0, 1, 2


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


def _attendee(make_member, showcase):
    member = make_member(AffiliationType.LEA)
    register(showcase, member)
    return member


def test_the_score_on_a_hand_computed_example(coordinator, make_member):
    # given four respondents on project A, one on project B
    a, b = ResearchProjectFactory.create_batch(2)
    showcase = showcase_make(projects=[a, b])
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    given = [
        {a: {"relevance": 5, "effectiveness": 3, "colleagues": YES, "further_sessions": YES}},
        {a: {"relevance": 4, "effectiveness": 3, "colleagues": YES, "further_sessions": NO}},
        {a: {"relevance": 3, "colleagues": MAYBE, "additions": "Offline mode"}},
        {a: {"relevance": 4, "colleagues": NO}, b: {"relevance": 2}},
    ]
    for answers in given:
        answer(survey, _attendee(make_member, showcase), answers)
    # a draft counts for nothing
    draft = answer(
        survey, _attendee(make_member, showcase), {a: {"relevance": 1}, b: {"relevance": 1}}
    )
    Response.objects.filter(pk=draft.pk).update(status=Response.Status.DRAFT, submitted_at=None)

    # when
    scores = interest_scores(showcase_ids=[showcase.pk])

    # then
    # A: r = (mean 4 - 1) / 4 = 0.75; e = (3 - 1) / 4 = 0.5; c = (1 + 1 + 0.5 + 0) / 4 = 0.625;
    #    f = (1 + 0) / 2 = 0.5 → 100 * (0.3·0.75 + 0.3·0.5 + 0.2·0.625 + 0.2·0.5) = 60.
    score_a = scores[(showcase.pk, a.pk)]
    assert score_a.respondents == 4
    assert score_a.parts == pytest.approx(
        {"relevance": 0.75, "effectiveness": 0.5, "colleagues": 0.625, "further_sessions": 0.5}
    )
    assert (score_a.relevance_mean, score_a.effectiveness_mean) == (4, 3)
    assert score_a.score == 60.0
    # B: only relevance answered, r = (2 - 1) / 4 = 0.25, its weight renormalised: 25.
    score_b = scores[(showcase.pk, b.pk)]
    assert (score_b.respondents, score_b.score) == (1, 25.0)
    assert score_b.parts["effectiveness"] is None


def test_a_project_nobody_answered_about_has_no_score(coordinator):
    project = ResearchProjectFactory()
    showcase = showcase_make(projects=[project])
    feedback_survey_create(actor=coordinator, showcase=showcase)

    assert interest_scores(showcase_ids=[showcase.pk]) == {}


def test_scores_are_kept_apart_per_event(coordinator, make_member):
    project = ResearchProjectFactory()
    first, second = showcase_make(projects=[project]), showcase_make(projects=[project])
    for showcase, relevance in ((first, 5), (second, 1)):
        survey = feedback_survey_create(actor=coordinator, showcase=showcase)
        answer(survey, _attendee(make_member, showcase), {project: {"relevance": relevance}})

    scores = interest_scores(project_ids=[project.pk])

    assert scores[(first.pk, project.pk)].score == 100.0
    assert scores[(second.pk, project.pk)].score == 0.0


def test_the_scores_of_an_event_cost_one_query(coordinator, make_member, django_assert_num_queries):
    for size in (1, 5):
        projects = ResearchProjectFactory.create_batch(size)
        showcase = showcase_make(projects=projects)
        survey = feedback_survey_create(actor=coordinator, showcase=showcase)
        for _ in range(size):
            answer(
                survey,
                _attendee(make_member, showcase),
                {p: {"relevance": 4, "colleagues": YES} for p in projects},
            )
        with django_assert_num_queries(1):
            scores = interest_scores(showcase_ids=[showcase.pk])
        assert {s.respondents for s in scores.values()} == {size}
        assert len(scores) == size
