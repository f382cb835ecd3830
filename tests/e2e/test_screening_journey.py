"""An IPUP coordinator screens a need in a real browser: marks a project "partially meets",
recommends a state-of-the-art study for another need, and finds both on the needs' paths."""

import re

import pytest
from playwright.sync_api import expect

from community.models import AffiliationType
from community.roles import Role
from ipup.models import Need
from ipup.services.projects import project_search_vector_refresh
from ipup.services.screening import projects_embed
from tests.e2e.conftest import signed_in_context
from tests.ipup.factories import NeedFactory, ResearchProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_coordinator_screens_a_need_and_recommends_a_study_for_another(
    browser, live_server, transactional_db, make_member
):
    # given a prioritised need on firearms, another on drones, and projects to screen
    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])
    firearms = NeedFactory(
        title="Diversion of firearms into criminal hands",
        description="Legal guns leak into illicit trafficking.",
        status=Need.Status.PRIORITISED,
    )
    drones = NeedFactory(
        title="Neutralising drones over prisons",
        description="Drones drop phones and drugs into prison yards.",
        status=Need.Status.PRIORITISED,
    )
    divert = ResearchProjectFactory(
        acronym="DIVERT",
        title="Diversion of live-firing firearms in the EU",
        objectives="How legal guns are diverted into illicit trafficking.",
    )
    other = ResearchProjectFactory(acronym="SNOWWHITE", title="New trends in drug trafficking")
    ids = [divert.pk, other.pk]
    project_search_vector_refresh(ids)
    projects_embed(ids)
    context = signed_in_context(browser, live_server, coordinator, "en")
    page = context.new_page()

    # when the coordinator screens the firearms need from its page
    page.goto(f"/ipup/needs/{firearms.pk}/")
    page.get_by_role("link", name="Screen the research projects for this need").click()
    card = page.locator(f"#project-{divert.pk}")
    card.get_by_label("Partially meets the need").check()
    card.get_by_label("Note").fill("Legal market only, not conflict zones.")
    card.get_by_role("button", name="Record the judgement").click()
    expect(page.get_by_text("Your judgement of DIVERT")).to_be_visible()

    # and recommends a study for the drones need, which no project meets
    page.goto(f"/ipup/needs/{drones.pk}/screening/")
    page.get_by_label("Topic").fill("Counter-drone measures for prisons")
    page.get_by_label("Rationale").fill("No screened project addresses prisons.")
    page.get_by_label(re.compile("^Scope")).fill("EU prison services, 2027")
    page.get_by_role("button", name="Recommend the study").click()
    expect(page.get_by_text("The study recommendation is recorded.")).to_be_visible()

    # then each need's path shows what was decided
    page.goto(f"/ipup/needs/{firearms.pk}/")
    path = page.locator("#pipeline")
    expect(path).to_contain_text("DIVERT")
    expect(path).to_contain_text("Partially meets the need")
    page.goto(f"/ipup/needs/{drones.pk}/")
    expect(page.locator("#pipeline")).to_contain_text(
        "Counter-drone measures for prisons (Proposed)"
    )
    expect(page.get_by_text("State-of-the-art study recommended").first).to_be_visible()
    context.close()
