"""``import_projects``: the real open data lands, a re-import updates, bad rows are reported
with their reason while the rest lands, the consortia come from the organisation file, and the
progress bar shows on a terminal only."""

import io
import json
import os
import pty
import select
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from community.models import AuditLogEntry, Organisation
from ipup.demo import DEMO_PROGRAMMES, PROJECTS_FILE, seed_projects
from ipup.models import ProjectParticipant, ResearchProject

DATA = Path(__file__).parent / "data"
CORDIS_SAMPLE = DATA / "cordis_project_sample.csv"
HEADER = CORDIS_SAMPLE.read_text(encoding="utf-8").splitlines()[0]


def _import(*paths, **options) -> str:
    out = io.StringIO()
    call_command("import_projects", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def _row(project_id, acronym, *, start="2022-01-01", end="2024-12-31", objective='"Text."'):
    values = {
        "id": project_id, "acronym": acronym, "status": "SIGNED", "title": f"{acronym} title",
        "startDate": start, "endDate": end, "totalCost": "1000,5", "ecMaxContribution": "900",
        "frameworkProgramme": "HORIZON", "masterCall": "HORIZON-CL3-2022-FCT-01",
        "topics": "HORIZON-CL3-2022-FCT-01-01", "objective": objective,
    }  # fmt: skip
    return ";".join(values.get(column, "") for column in HEADER.split(";"))


@pytest.mark.django_db
def test_the_open_security_data_export_imported_twice_gives_the_same_projects():
    expected = len(json.loads(PROJECTS_FILE.read_text(encoding="utf-8")))

    # when: the 2,803 real projects are imported, then imported again
    started = time.monotonic()
    first = _import(PROJECTS_FILE)
    second = _import(PROJECTS_FILE)
    elapsed = time.monotonic() - started

    # then: the same projects, updated the second time, none rejected, every one searchable
    assert expected == 2803
    assert f"{expected} created, 0 updated, 0 rejected" in first
    assert f"0 created, {expected} updated, 0 rejected" in second
    assert ResearchProject.objects.count() == expected
    assert not ResearchProject.objects.filter(search_vector__isnull=True).exists()
    assert elapsed < 60
    # a CORDIS project keeps its grant number as id (a CORDIS export lands on the same row),
    # its acronym is split from the name, its tags and obvious domains are kept
    cope = ResearchProject.objects.get(source="cordis", source_id="217854")
    assert (cope.acronym, cope.title) == ("COPE", "Common Operational Picture Exploitation")
    assert list(cope.tags.names()) == ["crisis management"]
    assert ResearchProject.objects.filter(domains__slug="cybercrime").exists()
    assert ResearchProject.objects.filter(title__icontains="border").filter(
        domains__slug="migration-border-management"
    )
    assert AuditLogEntry.objects.filter(action="project.import").count() == 2


@pytest.mark.django_db
def test_a_reimport_keeps_what_holders_wrote(tmp_path):
    # given: an imported project whose summary a holder rewrote
    path = tmp_path / "projects.csv"
    path.write_text(f"{HEADER}\n{_row('101', 'ONE', objective='Source text.')}\n")
    _import(path)
    ResearchProject.objects.filter(source_id="101").update(objectives="Holder's words.")

    # when: the source changes its facts and the file is imported again
    path.write_text(f"{HEADER}\n{_row('101', 'ONE-B', objective='New source text.')}\n")
    _import(path)

    # then: the source's facts are updated, the holder's text is kept
    project = ResearchProject.objects.get(source_id="101")
    assert (project.acronym, project.objectives) == ("ONE-B", "Holder's words.")


@pytest.mark.django_db
def test_the_cordis_sample_and_bad_rows_are_reported_while_the_rest_lands(tmp_path):
    # given: the real CORDIS sample (quoted multi-line objectives with undoubled quotes, decimal
    # commas) and a file with a bad date, a missing id, a broken quote and two good rows
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "\n".join(
            [
                HEADER,
                _row("201", "GOOD", objective='"Spans\ntwo lines, ""quoted"" words."'),
                _row("202", "BADDATE", start="2022-13-45"),
                _row("", "NOID"),
                _row("204", "BROKEN", objective='"An objective whose quote never closes'),
                _row("205", "LAST", end="2025-06-30"),
                _row("206", "BACKWARDS", start="2025-01-01", end="2020-01-01"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    # when
    out = _import(CORDIS_SAMPLE, broken)

    # then: the four sample projects and the two good rows land
    assert "6 created, 0 updated, 4 rejected" in out
    assert set(ResearchProject.objects.values_list("acronym", flat=True)) == {
        "TOY", "SUPA", "Democracy in Action", "WISESHIFT", "GOOD", "LAST",
    }  # fmt: skip
    supa = ResearchProject.objects.get(acronym="SUPA")
    assert supa.total_cost == Decimal("2494217.50")
    assert supa.source_url == "https://cordis.europa.eu/project/id/101177315"
    toy = ResearchProject.objects.get(acronym="TOY")
    assert 'used to "play around" with' in toy.objectives
    assert toy.objectives.endswith("trustworthiness of DL in society.")
    good = ResearchProject.objects.get(acronym="GOOD")
    assert good.objectives == 'Spans\ntwo lines, "quoted" words.'
    # and each rejected row is named with its line and reason
    assert "broken.csv, line 4: bad date “2022-13-45” in startDate" in out
    assert "broken.csv, line 5: no project id" in out
    assert "broken.csv, line 6: broken quote: a quoted field is never closed" in out
    assert "broken.csv, line 8: the project ends before it starts" in out


@pytest.mark.django_db
def test_the_cordis_json_export_and_the_organisation_file_give_the_consortium(tmp_path):
    # given: a project in CORDIS JSON and its organisations (one already listed, in another case)
    Organisation.objects.create(name="POLITIE NEDERLAND", country="NL", type="lea")
    projects = tmp_path / "project.json"
    projects.write_text(
        json.dumps(
            [
                {
                    "id": "301",
                    "acronym": "NET",
                    "title": "Network",
                    "startDate": "2021-01-01",
                    "endDate": "2023-01-01",
                    "frameworkProgramme": "H2020",
                    "objective": "x",
                    "totalCost": "10,5",
                },
                {"acronym": "NOID", "title": "No id"},
            ]
        )
    )
    organisations = tmp_path / "organization.csv"
    organisations.write_text(
        "projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;"
        "postCode;city;country;nutsCode;geolocation;organizationURL;contactForm;"
        "contentUpdateDate;rcn;order;role;ecContribution;netEcContribution;totalCost;"
        "endOfParticipation;active\n"
        "301;NET;1;;Politie Nederland;;false;PUB;;;;NL;;;;;;;1;coordinator;100,5;;;false;\n"
        "301;NET;2;;Hellenic Police;;false;PUB;;;;EL;;;;;;;2;participant;50;;;false;\n"
        "999;NONE;3;;Somewhere;;false;PRC;;;;FR;;;;;;;1;coordinator;;;;false;\n"
    )

    # when
    out = _import(projects, organisations=str(organisations))

    # then: the project, its consortium mapped to the listed organisations (Greece's EU code
    # read as GR), and the rows that could not land reported
    project = ResearchProject.objects.get(source_id="301")
    assert project.total_cost == Decimal("10.50")
    roles = {
        (p.organisation.name, p.organisation.country.code, p.role)
        for p in ProjectParticipant.objects.filter(project=project).select_related("organisation")
    }
    assert roles == {
        ("POLITIE NEDERLAND", "NL", "coordinator"),
        ("Hellenic Police", "GR", "participant"),
    }
    assert Organisation.objects.filter(name__iexact="politie nederland").count() == 1
    assert "1 created, 0 updated, 2 rejected, 2 consortium members" in out
    assert "item 2: no project id" in out
    assert "unknown project 999" in out

    # and a second run changes nothing
    _import(projects, organisations=str(organisations))
    assert ProjectParticipant.objects.count() == 2


@pytest.mark.django_db
def test_a_file_that_is_not_project_data_is_refused(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("name,age\nx,1\n")
    with pytest.raises(CommandError, match="not a CORDIS or Open Security Data file"):
        _import(path)
    with pytest.raises(CommandError, match="goes with --organisations"):
        _import(CORDIS_SAMPLE, organisations=str(CORDIS_SAMPLE))
    assert not ResearchProject.objects.exists()


def _stderr_of_import(path, stderr) -> None:
    call_command("import_projects", str(path), stdout=io.StringIO(), stderr=stderr)


@pytest.mark.django_db
def test_the_progress_bar_shows_on_a_terminal_only():
    # when: stderr is a pseudo-terminal
    main, secondary = pty.openpty()
    shown = b""
    with os.fdopen(secondary, "w", encoding="utf-8") as terminal:
        _stderr_of_import(CORDIS_SAMPLE, terminal)
        terminal.flush()
        # (read while the terminal is open: once closed, Linux answers EIO)
        while chunk := _read_available(main):
            shown += chunk
    os.close(main)
    # then: tqdm drew its bar, up to the four projects of the file
    assert b"4/4" in shown
    assert b"project/s" in shown

    # when: stderr is a file (a log)
    log = io.StringIO()
    _stderr_of_import(CORDIS_SAMPLE, log)
    # then: no bar
    assert log.getvalue() == ""


def _read_available(fd) -> bytes:
    ready, _, _ = select.select([fd], [], [], 0)
    return os.read(fd, 65536) if ready else b""


@pytest.mark.django_db
def test_the_demo_holds_the_real_h2020_and_fp7_security_projects():
    started = time.monotonic()
    count = seed_projects()
    seed_projects()
    assert time.monotonic() - started < 30
    assert count == ResearchProject.objects.count() == 712
    assert set(ResearchProject.objects.values_list("programme", flat=True)) == DEMO_PROGRAMMES


@pytest.mark.django_db
def test_two_sources_with_the_same_id_keep_their_own_tags():
    from ipup.importers import ProjectRecord
    from ipup.services.projects import projects_import

    # given: one batch with a CORDIS project and an open-security-data project sharing an id
    records = [
        ProjectRecord(source="cordis", source_id="4242", title="Cordis one", tags=["police"]),
        ProjectRecord(source="osd", source_id="4242", title="Open data one", tags=["borders"]),
    ]

    # when
    projects_import(records=records)

    # then: each project has its own tag, not the other's
    tags = {p.source: set(p.tags.names()) for p in ResearchProject.objects.filter(source_id="4242")}
    assert tags == {"cordis": {"police"}, "osd": {"borders"}}
