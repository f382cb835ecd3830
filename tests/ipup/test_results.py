"""A survey's results page: per-question figures that match a hand-made count, only submitted
responses, free text named or not as the survey promised, needs under the visibility rule, and a
cost that does not grow with the survey."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType
from community.roles import Role
from ipup.models import Answer, Question, Response, Section, SurveyInvitation
from tests.community.factories import UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, submitted_response


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


def _survey(*, anonymous=False, needs=()):
    """A survey with one question of every type; the survey and its questions by kind."""
    survey = SurveyFactory(is_anonymous=anonymous)
    section = Section.objects.create(survey=survey, title="All types", position=1)
    questions = {}
    for position, (kind, extra) in enumerate(
        [
            ("rating", {}),
            ("single", {"choices": ["A", "B", "C"]}),
            ("multiple", {"choices": ["A", "B", "C"]}),
            ("ranking", {"choices": ["X", "Y", "Z"]}),
            ("text", {}),
            ("needs", {}),
        ],
        1,
    ):
        questions[kind] = Question.objects.create(
            survey=survey, section=section, kind=kind, text=f"The {kind} question",
            position=position, **extra,
        )  # fmt: skip
    questions["needs"].needs.set(needs)
    return survey, questions


def _answer(survey, q, n1, n2, respondents):
    """The hand-made example: four submitted responses (and a draft that must not count)."""
    rows = [
        {"rating": 1, "single": "A", "multiple": ["A", "B"], "ranking": ["X", "Y", "Z"],
         "text": "Faster tools", n1: 5, n2: 3},
        {"rating": 3, "single": "A", "multiple": ["B"], "ranking": ["Y", "X", "Z"],
         "text": "More training", n1: 4},
        {"rating": 3, "single": "B", "multiple": ["B", "C"], "ranking": ["X", "Z", "Y"],
         n1: 3, n2: 1},
        {"rating": 5, "multiple": ["C"]},
    ]  # fmt: skip
    for member, row in zip(respondents, rows, strict=True):
        answers = []
        for key, value in row.items():
            if key in (n1, n2):
                answers.append((q["needs"], key, value))
            else:
                answers.append((q[key], None, value))
        submitted_response(survey, member, answers)
    draft_invitation = SurveyInvitation.objects.create(
        survey=survey, member=UserFactory(), email="draft@example.org"
    )
    draft = Response.objects.create(survey=survey, invitation=draft_invitation)
    Answer.objects.create(response=draft, question=q["rating"], value=5)
    Answer.objects.create(response=draft, question=q["text"], value="Not submitted")


def test_the_results_match_a_hand_made_count(client_for, coordinator):
    # given: the hand-made example
    n1, n2 = NeedFactory(title="Decrypting phones"), NeedFactory(title="Tracing crypto")
    survey, q = _survey(needs=[n1, n2])
    respondents = [UserFactory(first_name=f"Ann{i}", last_name="Officer") for i in range(4)]
    _answer(survey, q, n1, n2, respondents)

    # when
    response = client_for(coordinator).get(reverse("ipup:survey-results", args=[survey.pk]))

    # then: four respondents, the draft ignored
    assert response.context["respondents"] == 4
    results = {r["question"].kind: r for r in response.context["questions"]}
    figures = {k: [(row["label"], row["count"], row.get("percent")) for row in r["rows"]]
               for k, r in results.items() if k in ("rating", "single", "multiple")}  # fmt: skip
    assert figures["rating"] == [
        ("1", 1, 25), ("2", 0, 0), ("3", 2, 50), ("4", 0, 0), ("5", 1, 25),
    ]  # fmt: skip
    assert results["rating"]["answered"] == 4
    assert results["rating"]["average"] == 3.0
    assert figures["single"] == [("A", 2, 67), ("B", 1, 33), ("C", 0, 0)]
    assert results["single"]["answered"] == 3
    assert figures["multiple"] == [("A", 1, 25), ("B", 3, 75), ("C", 2, 50)]
    ranking = [
        (row["label"], row["count"], round(row["average"], 2)) for row in results["ranking"]["rows"]
    ]
    assert ranking == [("X", 3, 1.33), ("Y", 3, 2.0), ("Z", 3, 2.67)]
    needs = [(row["label"], row["count"], row["average"]) for row in results["needs"]["rows"]]
    assert needs == [("Decrypting phones", 3, 4.0), ("Tracing crypto", 2, 2.0)]
    assert results["text"]["texts"] == [
        {"name": "Ann0 Officer", "text": "Faster tools"},
        {"name": "Ann1 Officer", "text": "More training"},
    ]
    html = response.content.decode()
    assert "4 submitted responses." in html
    assert "Not submitted" not in html
    assert re.search(r"<th scope=\"row\">A</th>\s*<td>2</td>\s*<td>67 %</td>", html)
    assert "average 3.00" in html
    assert "Ann0 Officer" in html


def test_the_charts_are_drawn_by_the_vendored_script_without_inline_code(client_for, coordinator):
    survey, _q = _survey(needs=[NeedFactory()])

    html = (
        client_for(coordinator)
        .get(reverse("ipup:survey-results", args=[survey.pk]))
        .content.decode()
    )

    assert "vendor/chart.js/chart.umd.min.js" in html
    assert "js/charts.js" in html
    # choice and scale questions (and needs) get a chart; free text and ranking do not
    assert html.count("<canvas data-chart=") == 4
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)


def test_an_anonymous_surveys_free_text_is_shown_without_who_wrote_it(client_for, coordinator):
    survey, q = _survey(anonymous=True)
    writer = UserFactory(first_name="Zelda", last_name="Unique")
    submitted_response(survey, writer, [(q["text"], None, "Too many logins")])

    response = client_for(coordinator).get(reverse("ipup:survey-results", args=[survey.pk]))

    html = response.content.decode()
    assert "Too many logins" in html
    assert "Zelda" not in html
    assert "Unique" not in html
    assert writer.email not in html


def test_needs_the_reader_may_not_see_are_left_out(client_for, coordinator):
    seen, hidden = NeedFactory(title="Seen need"), NeedFactory(title="LEA-only need", tier="lea")
    survey, q = _survey(needs=[seen, hidden])
    submitted_response(survey, UserFactory(), [(q["needs"], seen, 4), (q["needs"], hidden, 2)])

    response = client_for(coordinator).get(reverse("ipup:survey-results", args=[survey.pk]))

    results = {r["question"].kind: r for r in response.context["questions"]}
    assert [row["label"] for row in results["needs"]["rows"]] == ["Seen need"]
    assert "LEA-only need" not in response.content.decode()


def test_the_survey_page_links_to_its_results(client_for, coordinator):
    survey, _q = _survey()

    html = client_for(coordinator).get(reverse("ipup:survey-detail", args=[survey.pk])).content

    assert reverse("ipup:survey-results", args=[survey.pk]).encode() in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_results_cost_the_same_for_many_responses_and_questions(
    client_for, coordinator, django_assert_max_num_queries
):
    small, q_small = _survey(needs=NeedFactory.create_batch(1))
    large, q_large = _survey(needs=NeedFactory.create_batch(4))
    extra = Section.objects.create(survey=large, title="More", position=2)
    for i in range(6):
        Question.objects.create(
            survey=large, section=extra, kind="single", text=f"Q{i}", choices=["a", "b"], position=i
        )
    submitted_response(small, UserFactory(), [(q_small["rating"], None, 2)])
    for _i in range(12):
        submitted_response(
            large, UserFactory(), [(q_large["rating"], None, 4), (q_large["text"], None, "x")]
        )
    client = client_for(coordinator)
    client.get(reverse("ipup:survey-list"))  # the member gate's first checks are remembered

    with django_assert_max_num_queries(14):
        few = _queries(client, reverse("ipup:survey-results", args=[small.pk]))
    assert _queries(client, reverse("ipup:survey-results", args=[large.pk])) == few


def test_only_submitted_responses_count_even_when_none_is(client_for, coordinator):
    survey, q = _survey()
    invitation = SurveyInvitation.objects.create(survey=survey, member=UserFactory(), email="a@b.c")
    draft = Response.objects.create(survey=survey, invitation=invitation, started_at=timezone.now())
    Answer.objects.create(response=draft, question=q["single"], value="A")

    response = client_for(coordinator).get(reverse("ipup:survey-results", args=[survey.pk]))

    results = {r["question"].kind: r for r in response.context["questions"]}
    assert response.context["respondents"] == 0
    assert [row["count"] for row in results["single"]["rows"]] == [0, 0, 0]
    assert "No answer yet." in response.content.decode()
