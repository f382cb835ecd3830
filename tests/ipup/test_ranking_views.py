"""The ranking page, applying a ranking to the needs, and the ranking's CSV and PDF exports,
on the hand-computed example of tests/ipup/test_ranking.py through real responses."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

import ileanet.pdf
from community.models import AffiliationType, AuditLogEntry, Domain, RoleLevel
from community.roles import Role
from community.tiers import Tier
from ipup.models import Need, Response, Survey
from tests.community.factories import OrganisationFactory, UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions, submitted_response

ENDPOINTS = ["survey-ranking", "survey-ranking-csv", "survey-ranking-pdf"]
EXPORTS = ["survey-ranking-csv", "survey-responses-csv", "survey-responses-xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


@pytest.fixture
def lea_coordinator(make_member):
    return make_member(AffiliationType.LEA, roles=[Role.IPUP_COORDINATOR])


def _respondents(count, *, organisation, role_level):
    return UserFactory.create_batch(
        count,
        affiliation_type=AffiliationType.LEA,
        organisation=organisation,
        role_level=role_level,
    )


@pytest.fixture
def example(db):
    """Ten field officers of one department rate X 5 and Y 1; one strategic-level respondent
    of a ministry rates X 1 and Y 5 (default weights 1/2/3, organisation normalisation on)."""
    survey = SurveyFactory(title="Cybercrime needs 2026")
    x = NeedFactory(title="Evidence exchange across borders", status=Need.Status.ANALYSED)
    y = NeedFactory(title="Detecting malicious drones", status=Need.Status.COLLECTED)
    rate, _comment = needs_questions(survey, [x, y])
    department = OrganisationFactory(name="Police department")
    ministry = OrganisationFactory(name="Ministry of the Interior")
    for officer in _respondents(10, organisation=department, role_level=RoleLevel.FIELD):
        submitted_response(survey, officer, [(rate, x, 5), (rate, y, 1)])
    (director,) = _respondents(1, organisation=ministry, role_level=RoleLevel.STRATEGIC)
    submitted_response(survey, director, [(rate, x, 1), (rate, y, 5)])
    return survey, x, y


@pytest.fixture
def rendered_pdfs(monkeypatch) -> list[str]:
    """The HTML of every PDF rendered during the test, in order."""
    rendered = []
    real = ileanet.pdf.html_to_pdf

    def spy(html, **kwargs):
        rendered.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(ileanet.pdf, "html_to_pdf", spy)
    return rendered


def _close(survey):
    Survey.objects.filter(pk=survey.pk).update(closed_early_at=timezone.now())


@pytest.mark.parametrize(
    ("role", "status"),
    [("lea_member", 404), ("researcher", 404), ("coordinator", 200), ("manager", 200)],
)
def test_only_those_who_run_surveys_see_the_ranking_and_its_exports(
    client_for, request, example, role, status
):
    survey, _x, _y = example
    client = client_for(request.getfixturevalue(role))

    for name in ENDPOINTS:
        assert client.get(reverse(f"ipup:{name}", args=[survey.pk])).status_code == status, name


def test_anonymous_visitors_are_sent_to_sign_in(client, example):
    survey, _x, _y = example

    for name in [*ENDPOINTS, "survey-ranking-apply"]:
        response = client.post(reverse(f"ipup:{name}", args=[survey.pk]))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login"))


def test_the_page_ranks_one_top_level_answer_above_ten_from_one_department(
    client_for, coordinator, example
):
    survey, x, y = example

    response = client_for(coordinator).get(reverse("ipup:survey-ranking", args=[survey.pk]))

    ((domain, rows),) = response.context["ranking"]
    assert domain.slug == "cybercrime"
    assert [(r.rank, r.need) for r in rows] == [(1, y), (2, x)]
    # weighted: Y = (10 x 0.1 x 1 + 3 x 5) / 4 = 4.0 ; X = (10 x 0.1 x 5 + 3 x 1) / 4 = 2.0
    assert [r.score.weighted for r in rows] == [pytest.approx(4.0), pytest.approx(2.0)]
    # raw averages would have put X first: 51/11 against 15/11
    assert [r.score.raw for r in rows] == [pytest.approx(15 / 11), pytest.approx(51 / 11)]
    assert [(r.score.respondents, r.score.organisations) for r in rows] == [(11, 2), (11, 2)]
    html = response.content.decode()
    assert "4.00" in html
    assert "1.36" in html
    assert "Organisation normalisation is on" in html
    assert "Strategic / top level: 3" in html
    assert 'id="ranking-charts"' in html
    assert "js/ranking.js" in html
    assert "<script>" not in html  # the CSP: data through json_script, code in a file


def test_the_page_explains_the_survey_s_own_weights(client_for, coordinator, example):
    survey, _x, _y = example
    Survey.objects.filter(pk=survey.pk).update(
        normalise_by_organisation=False, role_weights={"field": 1, "management": 1, "strategic": 5}
    )

    response = client_for(coordinator).get(reverse("ipup:survey-ranking", args=[survey.pk]))

    html = response.content.decode()
    assert "Organisation normalisation is off" in html
    assert "Strategic / top level: 5" in html
    ((_domain, rows),) = response.context["ranking"]
    # without normalisation the department's ten answers win: X = (50 + 5) / 15
    assert rows[0].score.weighted == pytest.approx(55 / 15)


@pytest.mark.parametrize("officers", [3, 30])
def test_the_page_s_queries_do_not_grow_with_the_responses(
    client_for, coordinator, django_assert_max_num_queries, officers
):
    survey = SurveyFactory()
    needs = NeedFactory.create_batch(3)
    rate, _comment = needs_questions(survey, needs)
    for officer in _respondents(officers, organisation=None, role_level=RoleLevel.FIELD):
        submitted_response(survey, officer, [(rate, need, 4) for need in needs])
    client = client_for(coordinator)

    # the request's own (session, member, charter, MFA, navigation) and six for the ranking
    with django_assert_max_num_queries(15):
        response = client.get(reverse("ipup:survey-ranking", args=[survey.pk]))

    assert response.status_code == 200
    assert response.context["respondents"] == officers


def test_a_need_the_reader_may_not_see_is_left_out_of_the_page_and_every_export(
    client_for, coordinator, lea_coordinator, example, rendered_pdfs
):
    # given an LEA-only need rated in the survey
    survey, x, _y = example
    secret = NeedFactory(title="Covert source handling", tier=Tier.LEA)
    rate = survey.questions.get(kind="needs")
    rate.needs.add(secret)
    submitted_response(
        survey, UserFactory(affiliation_type=AffiliationType.LEA), [(rate, secret, 5)]
    )

    # then a coordinator who is not an LEA member reads the ranking and the responses without
    # it; an LEA coordinator with it
    for reader, sees in ((coordinator, False), (lea_coordinator, True)):
        client = client_for(reader)
        page = client.get(reverse("ipup:survey-ranking", args=[survey.pk]))
        titles = {row.need.title for _domain, rows in page.context["ranking"] for row in rows}
        assert x.title in titles
        assert (secret.title in titles) is sees
        for name in [*EXPORTS, "survey-ranking-pdf", "survey-ranking", "survey-detail"]:
            rendered_pdfs.clear()
            response = client.get(reverse(f"ipup:{name}", args=[survey.pk]))
            assert response.status_code == 200, name
            text = rendered_pdfs[0] if rendered_pdfs else _text(response)
            assert (secret.title in text) is (sees and name != "survey-detail"), (reader, name)


def _text(response) -> str:
    if response["Content-Type"].startswith(XLSX):
        sheet = load_workbook(io.BytesIO(response.content)).active
        return repr(list(sheet.iter_rows(values_only=True)))
    return response.content.decode()


def test_the_csv_lists_each_domain_s_ranked_needs(client_for, coordinator, example):
    survey, x, y = example
    x.domains.add(Domain.objects.get(slug="terrorism"))

    response = client_for(coordinator).get(reverse("ipup:survey-ranking-csv", args=[survey.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="ranking-survey-{survey.pk}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cyber = Domain.objects.get(slug="cybercrime").name
    terror = Domain.objects.get(slug="terrorism").name
    assert rows[0] == [
        "Domain",
        "Rank",
        "Need",
        "Raw score",
        "Weighted score",
        "Respondents",
        "Organisations",
        "Respondents without a verified organisation",
    ]
    expected = [
        [cyber, "1", y.title, "1.3636", "4.0", "11", "2", "0"],
        [cyber, "2", x.title, "4.6364", "2.0", "11", "2", "0"],
        [terror, "1", x.title, "4.6364", "2.0", "11", "2", "0"],
    ]
    assert sorted(rows[1:]) == sorted(expected)


def test_a_need_title_cannot_become_a_spreadsheet_formula(client_for, coordinator, example):
    survey, x, _y = example
    Need.objects.filter(pk=x.pk).update(title='=HYPERLINK("http://evil.example","x")')

    response = client_for(coordinator).get(reverse("ipup:survey-ranking-csv", args=[survey.pk]))

    cells = [row[2] for row in csv.reader(io.StringIO(response.content.decode()))]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells


def test_the_pdf_is_a_titled_report_with_the_method_and_the_tables(
    client_for, coordinator, example, rendered_pdfs
):
    survey, x, y = example

    response = client_for(coordinator).get(reverse("ipup:survey-ranking-pdf", args=[survey.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="ranking-survey-{survey.pk}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    html = " ".join(rendered_pdfs[0].split())
    assert "<title> Prioritisation of the needs: Cybercrime needs 2026 </title>" in html
    assert "Organisation normalisation is on" in html
    assert html.index(y.title) < html.index(x.title)
    assert "4.00" in html


def test_applying_the_ranking_sets_priorities_and_moves_analysed_needs_on(
    client_for, coordinator, example
):
    # given a closed survey, X analysed and Y only collected
    survey, x, y = example
    _close(survey)

    # when the coordinator applies its ranking
    response = client_for(coordinator).post(
        reverse("ipup:survey-ranking-apply", args=[survey.pk]), follow=True
    )

    # then each need carries its weighted score; only the analysed one moves to prioritised
    assert "2 needs now carry this survey" in response.content.decode()
    x.refresh_from_db()
    y.refresh_from_db()
    assert (x.priority_score, x.prioritised_by, x.status) == (
        pytest.approx(2.0),
        survey,
        Need.Status.PRIORITISED,
    )
    assert (y.priority_score, y.prioritised_by, y.status) == (
        pytest.approx(4.0),
        survey,
        Need.Status.COLLECTED,
    )
    entry = AuditLogEntry.objects.get(action="survey.ranking_apply")
    assert (entry.actor, entry.target_id) == (coordinator, str(survey.pk))
    assert sorted(entry.data["needs"]) == sorted([x.pk, y.pk])
    assert entry.data["prioritised"] == [x.pk]


def test_an_open_survey_s_ranking_is_not_applied(client_for, coordinator, example):
    survey, x, _y = example

    response = client_for(coordinator).post(
        reverse("ipup:survey-ranking-apply", args=[survey.pk]), follow=True
    )

    assert "Close the survey before applying its ranking" in response.content.decode()
    x.refresh_from_db()
    assert (x.priority_score, x.status) == (None, Need.Status.ANALYSED)
    assert not AuditLogEntry.objects.filter(action="survey.ranking_apply").exists()


def test_a_survey_without_ratings_has_nothing_to_apply(client_for, coordinator):
    survey = SurveyFactory()
    _close(survey)

    response = client_for(coordinator).post(
        reverse("ipup:survey-ranking-apply", args=[survey.pk]), follow=True
    )

    assert "there is nothing to apply" in response.content.decode()
    assert "No submitted answer rates a need yet." in response.content.decode()


@pytest.mark.parametrize("role", ["lea_member", "researcher"])
def test_others_cannot_apply_a_ranking(client_for, request, example, role):
    survey, x, _y = example
    _close(survey)

    response = client_for(request.getfixturevalue(role)).post(
        reverse("ipup:survey-ranking-apply", args=[survey.pk])
    )

    assert response.status_code == 404
    x.refresh_from_db()
    assert x.priority_score is None


# --- Organisations: only verified ones weigh together (issue 10, point 6) -------------------------


def test_with_verified_organisations_only_the_ranking_is_the_hand_computed_one(
    client_for, coordinator, example
):
    survey, x, y = example

    page = client_for(coordinator).get(reverse("ipup:survey-ranking", args=[survey.pk]))

    ((_domain, rows),) = page.context["ranking"]
    assert [(r.need, r.score.weighted) for r in rows] == [
        (y, pytest.approx(4.0)), (x, pytest.approx(2.0)),
    ]  # fmt: skip
    assert [r.score.without_organisation for r in rows] == [0, 0]
    html = " ".join(page.content.decode().split())
    assert "Every submitted response came from a respondent with a verified organisation." in html


def test_respondents_without_a_verified_organisation_count_alone_and_are_counted(
    client_for, coordinator, example, rendered_pdfs
):
    # given two more field officers of the department, whose affiliation is not verified
    survey, x, _y = example
    rate = survey.questions.get(kind="needs")
    department = Response.objects.filter(survey=survey, role_level=RoleLevel.FIELD).first()
    for officer in UserFactory.create_batch(
        2, affiliation_type=AffiliationType.LEA, organisation=department.organisation,
        role_level=RoleLevel.FIELD, unverified=True,
    ):  # fmt: skip
        submitted_response(survey, officer, [(rate, x, 1)])
    client = client_for(coordinator)

    page = client.get(reverse("ipup:survey-ranking", args=[survey.pk]))
    exported = client.get(reverse("ipup:survey-ranking-csv", args=[survey.pk]))
    client.get(reverse("ipup:survey-ranking-pdf", args=[survey.pk]))

    # then each counts as an organisation of one, not as one more voice of the department:
    # X = (10 x 0.1 x 5 + 3 x 1 + 1 x 1 + 1 x 1) / (1 + 3 + 1 + 1)
    ((_domain, rows),) = page.context["ranking"]
    (row_x,) = [r for r in rows if r.need == x]
    assert row_x.score.weighted == pytest.approx(10 / 6)
    assert (row_x.score.respondents, row_x.score.without_organisation) == (13, 2)
    sentence = (
        "2 of the 13 submitted responses came from respondents without a verified organisation. "
        "Each of them counts as an organisation of one."
    )
    assert sentence in " ".join(page.content.decode().split())
    assert sentence in " ".join(rendered_pdfs[0].split())
    csv_rows = {r[2]: r for r in csv.reader(io.StringIO(exported.content.decode()))}
    assert csv_rows[x.title][-1] == "2"


def test_applying_a_ranking_changes_only_the_needs_the_coordinator_may_see(
    client_for, coordinator, example
):
    survey, x, _y = example
    secret = NeedFactory(title="Covert source handling", tier=Tier.LEA, status=Need.Status.ANALYSED)
    rate = survey.questions.get(kind="needs")
    rate.needs.add(secret)
    submitted_response(
        survey, UserFactory(affiliation_type=AffiliationType.LEA), [(rate, secret, 5)]
    )
    _close(survey)

    client_for(coordinator).post(reverse("ipup:survey-ranking-apply", args=[survey.pk]))

    secret.refresh_from_db()
    x.refresh_from_db()
    assert (secret.priority_score, secret.status) == (None, Need.Status.ANALYSED)
    assert x.status == Need.Status.PRIORITISED
    assert secret.pk not in AuditLogEntry.objects.get(action="survey.ranking_apply").data["needs"]
