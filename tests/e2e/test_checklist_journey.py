"""IPIP in a real browser: a holder adopts the checklist, marks items done with evidence and
watches the progress bar move; a coordinator compares two projects."""

import re

import pytest
from playwright.sync_api import expect

from community.models import AffiliationType
from community.roles import Role
from ipip.models import ChecklistItem
from ipip.services.checklists import checklist_adopt
from ipup.services.projects import project_holder_grant
from tests.e2e.conftest import signed_in_context
from tests.ipup.factories import ResearchProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _progress(page, stage):
    return float(page.locator(f"#progress-{stage}").get_attribute("value"))


def test_a_holder_records_evidence_and_a_coordinator_compares_projects(
    browser, live_server, transactional_db, make_member
):
    # given two projects, one held by a researcher, the other already on the checklist
    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR],
                              email="coordinator@example.org", first_name="Carla")  # fmt: skip
    holder = make_member(AffiliationType.RESEARCH, email="holder@example.org", first_name="Rosa")
    mine = ResearchProjectFactory(acronym="FASTTRIAGE", title="Mobile triage of devices")
    other = ResearchProjectFactory(acronym="BORDERWATCH", title="Watching the green border")
    project_holder_grant(actor=coordinator, project=mine, member=holder)
    checklist_adopt(actor=coordinator, project=other)
    context = signed_in_context(browser, live_server, holder, "en")
    page = context.new_page()

    # when the holder goes from "My projects" to the project's IPIP checklist and adopts it
    page.goto("/")
    page.locator(".nav-menu summary", has_text="Rosa").click()
    page.get_by_role("link", name="My projects").click()
    page.get_by_role("link", name=re.compile("FASTTRIAGE")).first.click()
    page.get_by_role("link", name="IPIP checklist").click()
    page.get_by_role("button", name="Adopt the checklist").click()
    assert _progress(page, "before") == 0

    # and marks two practices of "Before the start" done, with evidence
    stage = page.locator("#stage-before")
    for index, evidence in enumerate(["Minutes of the needs workshop", "State-of-the-art report"]):
        item = stage.locator("details").nth(index)
        item.locator("summary").click()
        item.get_by_label("Status").select_option("done")
        item.get_by_label("Owner").fill("Rosa Weber")
        item.get_by_label("Evidence", exact=True).fill(evidence)
        item.get_by_role("button", name="Save").click()
        stage = page.locator("#stage-before")

    # then the stage's progress bar moves, and the evidence is shown
    items = ChecklistItem.objects.filter(stage__key="before", stage__template__version=1).count()
    expect(page.locator("#progress-before")).to_have_attribute(
        "value", re.compile(rf"^{round(200 / items)}(\.0)?$")
    )
    assert _progress(page, "overall") > 0
    expect(stage).to_contain_text("State-of-the-art report")
    context.close()

    # when a coordinator compares the projects from the Manage menu
    context = signed_in_context(browser, live_server, coordinator, "en")
    page = context.new_page()
    page.goto("/")
    page.locator(".nav-menu summary", has_text="Manage").click()
    page.get_by_role("link", name="Checklist comparison").click()

    # then both are listed, and sorting by the stage puts the one that moved first
    table = page.locator("table")
    expect(table).to_contain_text("FASTTRIAGE")
    expect(table).to_contain_text("BORDERWATCH")
    first_row = table.locator("tbody tr").first
    page.get_by_role("link", name="Before the start").click()
    expect(first_row).to_contain_text("BORDERWATCH")
    page.get_by_role("link", name="Before the start").click()
    expect(first_row).to_contain_text("FASTTRIAGE")
    context.close()
