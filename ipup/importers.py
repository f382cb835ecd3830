"""Readers of the research-project open data (SPEC §3.5): they turn a file into plain records
and a list of rejected rows with their reason, and write nothing (ipup.services.projects
does). Three formats, told apart by their content:

- the CORDIS project export: CSV (``;`` separators, quoted multi-line objectives, decimal
  commas) or JSON (a list of objects with the same keys);
- the CORDIS organisation file (``organization.csv``), for the consortia;
- the Open Security Data Europe export (``projects.json``).

A row that cannot be read (a bad date, no id, a broken quote) is rejected with its row number
or id and the reason; the others are still returned, so one bad line never stops an import.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

CORDIS_PROJECT_URL = "https://cordis.europa.eu/project/id/{}"
# CORDIS writes the EU's country codes; the platform stores ISO 3166 ones.
EU_TO_ISO_COUNTRY = {"EL": "GR", "UK": "GB"}
# An "ACRONYM - Title" name of the Open Security Data export: the part before the dash is an
# acronym only when it is short (a title may contain a dash too).
ACRONYM_NAME = re.compile(r"^(?P<acronym>[^\s].{0,30}?) - (?P<title>.+)$", re.DOTALL)


class Format:
    CORDIS = "cordis"
    ORGANISATIONS = "organisations"
    OPEN_SECURITY_DATA = "osd"


@dataclass
class ProjectRecord:
    source: str
    source_id: str
    title: str
    acronym: str = ""
    programme: str = ""
    call: str = ""
    topic: str = ""
    start_date: date | None = None
    end_date: date | None = None
    summary: str = ""
    objectives: str = ""
    source_url: str = ""
    total_cost: Decimal | None = None
    eu_contribution: Decimal | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class ParticipantRecord:
    project_source_id: str  # the CORDIS project id
    name: str
    country: str
    role: str
    activity_type: str = ""
    eu_contribution: Decimal | None = None
    website: str = ""


@dataclass
class Rejected:
    where: str  # "row 12" or "id 101165535"
    reason: str

    def __str__(self):
        return f"{self.where}: {self.reason}"


@dataclass
class ReadResult:
    format: str
    records: list = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class RowError(ValueError):
    pass


def _date(value, name: str, *, end: bool = False) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}", value):
        # Some national programmes give only the year: its first day to start, last to end.
        return date(int(value), 12, 31) if end else date(int(value), 1, 1)
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(
            _("bad date “%(value)s” in %(field)s") % {"value": value, "field": name}
        ) from None


def _decimal(value, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    try:
        # CORDIS writes decimal commas ("2494217,5").
        return Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise RowError(
            _("bad amount “%(value)s” in %(field)s") % {"value": value, "field": name}
        ) from None


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _check_dates(record: ProjectRecord) -> None:
    if record.start_date and record.end_date and record.end_date < record.start_date:
        raise RowError(_("the project ends before it starts"))


def detect_format(path: Path) -> str:
    """What ``path`` holds, from its first bytes: a JSON list or a CSV header."""
    with path.open(encoding="utf-8-sig") as handle:
        head = handle.read(4096)
    if head.lstrip().startswith("["):
        return Format.OPEN_SECURITY_DATA if '"foreign_id"' in head else Format.CORDIS
    header = head.splitlines()[0] if head else ""
    if "organisationID" in header:
        return Format.ORGANISATIONS
    if header.startswith("id;") or ";acronym;" in header:
        return Format.CORDIS
    raise RowError(_("not a CORDIS or Open Security Data file: %(name)s") % {"name": path.name})


def read(path: Path) -> ReadResult:
    kind = detect_format(path)
    if kind == Format.ORGANISATIONS:
        result = ReadResult(kind)
        for where, row in _csv_rows(path, result):
            _collect(result, where, lambda r=row: _participant(r))
        return result
    if kind == Format.OPEN_SECURITY_DATA:
        return _read_json(path, kind, _osd_project)
    if path.read_text(encoding="utf-8-sig", errors="replace").lstrip().startswith("["):
        return _read_json(path, kind, _cordis_project)
    result = ReadResult(kind)
    for where, row in _csv_rows(path, result):
        _collect(result, where, lambda r=row: _cordis_project(r))
    return result


def _collect(result: ReadResult, where: str, make) -> None:
    try:
        result.records.append(make())
    except RowError as error:
        result.rejected.append(Rejected(where, str(error)))


def _read_json(path: Path, kind: str, make) -> ReadResult:
    result = ReadResult(kind)
    try:
        rows = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        result.rejected.append(Rejected(path.name, _("not valid JSON: %s") % error))
        return result
    if not isinstance(rows, list):
        result.rejected.append(Rejected(path.name, _("a JSON list of projects was expected")))
        return result
    for index, row in enumerate(rows, start=1):
        ident = isinstance(row, dict) and (row.get("foreign_id") or row.get("id"))
        where = _("id %s") % ident if ident else _("item %d") % index
        if not isinstance(row, dict):
            result.rejected.append(Rejected(where, _("not an object")))
            continue
        _collect(result, where, lambda r=row: make(r))
    return result


# A CORDIS record starts with its numeric id; inside an unclosed quote, a line that starts so
# is the next record, not more of the broken field.
RECORD_START = re.compile(r"\d+;")


def _split_records(text: str) -> Iterator[tuple[int, list[str], str]]:
    """``(line number, fields, error)`` per record of a ``;``-separated CORDIS export.

    CORDIS files do not always double the quotes inside a quoted field ("used to "play
    around" with"), which the csv module reads as the end of the field. Here a quote closes a
    field only before a ``;`` or the end of a line; ``""`` is a quote; any other quote is text.
    An unclosed quote runs over lines until a line starts a new record: that record is
    reported broken and reading goes on from the new one."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        start, line, position = index, lines[index], 0
        fields, buffer, quoted, error = [], [], False, ""
        while True:
            if position >= len(line):
                if quoted:
                    if index + 1 < len(lines) and not RECORD_START.match(lines[index + 1]):
                        buffer.append("\n")
                        index += 1
                        line, position = lines[index], 0
                        continue
                    error = _("broken quote: a quoted field is never closed")
                fields.append("".join(buffer))
                break
            char = line[position]
            position += 1
            if quoted and char == '"':
                following = line[position : position + 1]
                if following == '"':
                    position += 1
                elif following in (";", ""):
                    quoted = False
                    continue
                buffer.append('"')
            elif quoted:
                buffer.append(char)
            elif char == ";":
                fields.append("".join(buffer))
                buffer = []
            elif char == '"' and not buffer:
                quoted = True
            else:
                buffer.append(char)
        index += 1
        yield start + 1, fields, error


def _csv_rows(path: Path, result: ReadResult) -> Iterator[tuple[str, dict]]:
    """The rows of a CORDIS CSV as dicts, each with the line it starts on (the header is line
    1); a broken row is rejected with its reason and the others still come."""
    records = _split_records(path.read_text(encoding="utf-8-sig", errors="replace"))
    first = next(records, None)
    if first is None:
        result.rejected.append(Rejected(path.name, _("no header line")))
        return
    header = first[1]
    for line, values, error in records:
        where = _("line %d") % line
        if error:
            result.rejected.append(Rejected(where, error))
        elif not any(value.strip() for value in values):
            continue
        elif len(values) != len(header):
            result.rejected.append(
                Rejected(
                    where,
                    _(
                        "unreadable row (a broken quote?): %(found)d fields where the header has "
                        "%(expected)d"
                    )
                    % {"found": len(values), "expected": len(header)},
                )
            )
        else:
            yield where, dict(zip(header, values, strict=True))


def _cordis_project(row: dict) -> ProjectRecord:
    source_id = _text(row.get("id"))
    if not source_id:
        raise RowError(_("no project id"))
    title = _text(row.get("title"))
    if not title:
        raise RowError(_("no title"))
    record = ProjectRecord(
        source="cordis",
        source_id=source_id,
        title=title[:600],
        acronym=_text(row.get("acronym"))[:100],
        programme=_text(row.get("frameworkProgramme"))[:100],
        call=_text(row.get("masterCall") or row.get("subCall"))[:300],
        topic=_text(row.get("topics"))[:500],
        start_date=_date(row.get("startDate"), "startDate"),
        end_date=_date(row.get("endDate"), "endDate", end=True),
        objectives=_text(row.get("objective")),
        source_url=CORDIS_PROJECT_URL.format(source_id),
        total_cost=_decimal(row.get("totalCost"), "totalCost"),
        eu_contribution=_decimal(row.get("ecMaxContribution"), "ecMaxContribution"),
    )
    _check_dates(record)
    return record


def _osd_project(row: dict) -> ProjectRecord:
    foreign_id = _text(row.get("foreign_id"))
    project_id = _text(row.get("projectId"))
    if not foreign_id:
        raise RowError(_("no project id"))
    name = _text(row.get("name"))
    if not name:
        raise RowError(_("no title"))
    match = ACRONYM_NAME.match(name)
    acronym, title = (match["acronym"], match["title"]) if match else ("", name)
    try:
        tags = json.loads(row.get("tags") or "[]")
    except json.JSONDecodeError:
        tags = []
    # A CORDIS project (its grant number as id) is the same project a CORDIS export names:
    # both land on one row whichever file is imported first.
    cordis = project_id.isdigit()
    record = ProjectRecord(
        source="cordis" if cordis else "osd",
        source_id=project_id if cordis else foreign_id,
        title=title.strip()[:600],
        acronym=acronym.strip()[:100],
        programme=_text(row.get("program"))[:100],
        call=_text(row.get("callName") or row.get("callId"))[:300],
        topic=" — ".join(
            part for part in (_text(row.get("topicCode")), _text(row.get("topicName"))) if part
        )[:500],
        start_date=_date(row.get("startDate"), "startDate"),
        end_date=_date(row.get("endDate"), "endDate", end=True),
        summary=_text(row.get("description")),
        source_url=_text(row.get("sourceUrl"))[:500],
        eu_contribution=_decimal(row.get("amount"), "amount"),
        tags=[str(tag)[:100] for tag in tags if tag] if isinstance(tags, list) else [],
    )
    _check_dates(record)
    return record


# CORDIS organisation roles and activity types, as the platform names them.
ROLES = {
    "coordinator": "coordinator",
    "participant": "participant",
    "partner": "partner",
    "thirdparty": "third_party",
    "associatedpartner": "associated",
}
# A public body (PUB) may be a police force, a ministry or a city: "other" until a community
# manager says which.
ACTIVITY_TYPES = {"HES": "research", "REC": "research", "PRC": "industry"}


def _participant(row: dict) -> ParticipantRecord:
    project_id = _text(row.get("projectID"))
    if not project_id:
        raise RowError(_("no project id"))
    name = _text(row.get("name"))
    if not name:
        raise RowError(_("no organisation name"))
    country = _text(row.get("country")).upper()
    country = EU_TO_ISO_COUNTRY.get(country, country)
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise RowError(_("bad country “%s”") % country)
    role = ROLES.get(_text(row.get("role")).lower().replace("_", ""))
    if role is None:
        raise RowError(_("unknown role “%s”") % _text(row.get("role")))
    return ParticipantRecord(
        project_source_id=project_id,
        name=name[:200],
        country=country,
        role=role,
        activity_type=ACTIVITY_TYPES.get(_text(row.get("activityType")), "other"),
        eu_contribution=_decimal(row.get("ecContribution"), "ecContribution"),
        website=_text(row.get("organizationURL"))[:200],
    )
