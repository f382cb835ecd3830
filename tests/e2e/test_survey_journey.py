"""An LEA officer answers a needs survey from the e-mailed link, in a real browser, without
signing in; the IPUP coordinator sees the ranking of the needs move."""

import re

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from community.models import AffiliationType, Organisation
from community.roles import Role
from ipup.services.surveys import invitations_send
from tests.community.factories import UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions, submitted_response

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

DRONES = "Detecting drones at the border"
CRYPTO = "Tracing cryptocurrency flows"


def _signed_in(browser, live_server, user) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def _rank(page: Page, title: str) -> str:
    return page.get_by_role("row").filter(has_text=title).locator("td").first.inner_text().strip()


def test_an_officer_answers_from_the_emailed_link_and_the_ranking_moves(
    browser, live_server, transactional_db, settings, make_member, charter, mailoutbox
):
    settings.SITE_URL = live_server.url
    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])
    drones, crypto = NeedFactory(title=DRONES), NeedFactory(title=CRYPTO)

    # given: two field officers of one department already rated drones first
    department = Organisation.objects.create(name="Border Police Unit", country="FR", type="lea")
    officers = UserFactory.create_batch(
        2, affiliation_type="lea", role_level="field", organisation=department
    )
    chief = UserFactory(
        email="chief@polizei.example.de",
        first_name="Karin",
        affiliation_type="lea",
        role_level="strategic",
        country="DE",
        organisation=Organisation.objects.create(name="Federal Police", country="DE", type="lea"),
    )
    survey = SurveyFactory(title="Needs survey 2027", audience_members=[chief])
    rate, _comment = needs_questions(survey, [drones, crypto])
    for officer in officers:
        submitted_response(survey, officer, [(rate, drones, 5), (rate, crypto, 2)])
    desk = _signed_in(browser, live_server, coordinator)
    desk.goto(f"/ipup/surveys/{survey.pk}/ranking/")
    assert _rank(desk, DRONES) == "1"
    assert _rank(desk, CRYPTO) == "2"

    # when: the strategic-level chief gets the invitation and answers from its link
    invitations_send(survey_id=survey.pk)
    (invitation,) = [m for m in mailoutbox if m.to == [chief.email]]
    link = re.search(r"https?://\S+/ipup/surveys/answer/[\w-]+/", invitation.body).group(0)
    page = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs survey 2027")
    page.locator(f'input[name="q_{rate.pk}_n_{drones.pk}"][value="1"]').check()
    page.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_role("status").first).to_contain_text("Your answers are saved")
    expect(page.locator(f'input[name="q_{rate.pk}_n_{drones.pk}"][value="1"]')).to_be_checked()
    page.locator(f'input[name="q_{rate.pk}_n_{crypto.pk}"][value="5"]').check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    # then: the link is used up, and the coordinator's ranking has moved
    page.goto(link)
    expect(page.get_by_text("You have already answered this survey")).to_be_visible()
    desk.reload()
    assert _rank(desk, CRYPTO) == "1"
    assert _rank(desk, DRONES) == "2"
    # weighted: the department counts as one field voice (1), the chief as 3
    crypto_row = desk.get_by_role("row").filter(has_text=CRYPTO)
    expect(crypto_row).to_contain_text("4.25")
