"""Exports: a survey's ranking as CSV (SPEC §3.4), its submitted responses as CSV or XLSX
(SPEC §3.3).

One row per submitted response; the respondent columns, then one column per question, or per
need for "rate each need" questions the reader may see (the visibility rule). An anonymous
survey promised its respondents that nothing leads from their answers to them: its export has
no name, e-mail or organisation, responses are numbered by row rather than by id, shuffled
within a day, and dated to the day.

Spreadsheets run a cell that starts with ``=`` (and ``+ - @``) as a formula, and the answers are
respondents' free text: CSV cells go through ``csv_safe``; XLSX cells that could be read as a
formula are stored as text.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import Workbook

from community.audit import csv_safe
from community.models import AffiliationType, RoleLevel

from .models import Need, Question, Response, Survey

FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    header: str
    question_id: int
    need_id: int | None = None


def ranking_csv(ranking: list[tuple]) -> str:
    """``ranking`` as ipup.ranking.survey_ranking returns it: one row per domain and need."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Domain"),
            _("Rank"),
            _("Need"),
            _("Raw score"),
            _("Weighted score"),
            _("Respondents"),
            _("Organisations"),
            _("Respondents without a verified organisation"),
        ]
    )
    for domain, rows in ranking:
        for row in rows:
            score = row.score
            cells = [domain.name, row.rank, row.need.title, round(score.raw, 4)]
            cells += [round(score.weighted, 4), score.respondents, score.organisations]
            cells.append(score.without_organisation)
            writer.writerow([csv_safe(cell) for cell in cells])
    return out.getvalue()


def _columns(survey: Survey, reader) -> list[Column]:
    needs = Need.objects.visible_to(reader).order_by("title")
    questions = Question.objects.filter(survey=survey).prefetch_related(
        Prefetch("needs", queryset=needs)
    )
    columns = []
    for question in questions:
        if question.kind == Question.Kind.NEED_IMPORTANCE:
            columns += [
                Column(f"{question.text}: {need.title}", question.pk, need.pk)
                for need in question.needs.all()
            ]
        else:
            columns.append(Column(question.text, question.pk))
    return columns


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


def _cell(value):
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def response_table(survey: Survey, *, reader) -> tuple[list[str], list[list]]:
    """``(headers, rows)`` of the survey's submitted responses, oldest first, with a column
    per need only for the needs ``reader`` may see. Cells are str, int, float, date or
    datetime; a question left unanswered is an empty string."""
    named = not survey.is_anonymous
    columns = _columns(survey, reader)
    headers = [_("Response"), _("Submitted at") if named else _("Submitted on")]
    # An anonymous survey's rows carry no segment: with one Belgian invitee, "Belgium" on a row
    # would name the respondent. The segments stay on the responses for the weighting only.
    if named:
        headers += [_("Role level"), _("Affiliation"), _("Country")]
        headers += [_("Organisation"), _("Name"), _("E-mail")]
    headers += [column.header for column in columns]
    responses = (
        Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
        .select_related("organisation", "invitation__member")
        .prefetch_related("answers")
        # (ids follow the order in which invitees first saved: not for an anonymous survey)
        .order_by("submitted_at", "pk" if named else "?")
    )
    rows = []
    for number, response in enumerate(responses, 1):
        row = [
            response.pk if named else number,
            response.submitted_at if named else timezone.localdate(response.submitted_at),
        ]
        if named:
            row += [
                _label(RoleLevel, response.role_level),
                _label(AffiliationType, response.affiliation_type),
                str(countries.name(response.country.code)) if response.country else "",
            ]
            member = response.invitation.member if response.invitation else None
            # A deleted account has been pseudonymised: its answers stay, its name goes.
            present = member is not None and member.deleted_at is None
            row += [
                response.organisation.name if response.organisation else "",
                member.get_full_name() if present else "",
                member.email if present else "",
            ]
        values = {(a.question_id, a.need_id): a.value for a in response.answers.all()}
        row += [_cell(values.get((c.question_id, c.need_id), "")) for c in columns]
        rows.append(row)
    return headers, rows


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if isinstance(value, datetime) else value


def responses_csv(survey: Survey, *, reader) -> str:
    headers, rows = response_table(survey, reader=reader)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow(
            [
                csv_safe(value.isoformat() if isinstance(value, date) else value)
                for value in map(_local, row)
            ]
        )
    return out.getvalue()


def responses_xlsx(survey: Survey, *, reader) -> bytes:
    headers, rows = response_table(survey, reader=reader)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Responses")[:31]
    for values in [headers, *rows]:
        sheet.append([_local(value) for value in values])
    for row in sheet.iter_rows():
        for cell in row:
            # openpyxl stores a string starting with "=" as a formula; keep every such cell a
            # string, and mark it so that editing it in Excel does not turn it into one either.
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
