"""A community manager approves an application in a real browser; the applicant joins from the
e-mailed invitation; the manager then finds them in the directory, and the community health
dashboard has moved."""

import re

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from community import services
from community.models import AffiliationType, Organisation, User

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

APPLICANT = "nina.newcomer@forensics.example.eu"
PASSWORD = "Amber-lantern-orchard-77"


def _signed_in(browser, live_server, user) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def _figure(page: Page, selector: str) -> int:
    return int(page.locator(selector).inner_text().strip())


def _joined_this_month(page: Page) -> int:
    return int(page.locator("#members-per-month tbody tr").last.locator("td").first.inner_text())


def test_an_approved_applicant_joins_and_shows_in_the_directory_and_the_dashboard(
    browser, live_server, transactional_db, settings, manager, charter, mailoutbox
):
    settings.SITE_URL = live_server.url
    services.application_submit(
        email=APPLICANT,
        first_name="Nina",
        last_name="Newcomer",
        organisation_name="Baltic Forensics",
        country="EE",
        affiliation_type=AffiliationType.INDUSTRY,
        motivation="We build tools for digital forensics and want to hear what investigators need.",
    )

    # given: the dashboard shows one application to decide
    desk = _signed_in(browser, live_server, manager)
    desk.goto("/manage/dashboard/")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Community health")
    assert _figure(desk, "#pending-applications") == 1
    joined_before = _joined_this_month(desk)

    # when: the manager approves it, adding the organisation the applicant named (not listed)
    desk.goto("/manage/applications/")
    expect(desk.get_by_text("Nina Newcomer")).to_be_visible()
    desk.get_by_role("button", name="Choose the organisation and approve").click()
    expect(desk.get_by_label("New organisation: name")).to_have_value("Baltic Forensics")
    desk.get_by_role("button", name="Approve and invite").click()
    expect(desk.get_by_role("status")).to_contain_text("Approved")
    assert Organisation.objects.filter(name="Baltic Forensics", country="EE").exists()

    # then: the applicant receives an invitation and joins with it
    (invitation,) = [m for m in mailoutbox if m.to == [APPLICANT]]
    link = re.search(r"https?://\S+/invitations/\S+/", invitation.body).group(0)
    newcomer = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    newcomer.goto(link)
    newcomer.get_by_role("button", name="Create my account").click()
    expect(newcomer.get_by_label("Email")).to_have_value(APPLICANT)
    newcomer.get_by_label("First name").fill("Nina")
    newcomer.get_by_label("Last name").fill("Newcomer")
    newcomer.get_by_label("Country").select_option("EE")
    newcomer.get_by_label("Affiliation").select_option("industry")
    newcomer.get_by_label("Role level").select_option("management")
    newcomer.get_by_placeholder("Password", exact=True).fill(PASSWORD)
    newcomer.get_by_placeholder("Password (again)", exact=True).fill(PASSWORD)
    newcomer.get_by_role("button", name="Sign Up").click()
    expect(newcomer).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    confirmation = [m for m in mailoutbox if m.to == [APPLICANT]][-1]
    confirm = re.search(r"https?://\S+/accounts/confirm-email/[^/\s]+/", confirmation.body)
    newcomer.goto(confirm.group(0))
    newcomer.get_by_role("button", name="Confirm").click()
    newcomer.get_by_label("I have read and accept the charter").check()
    newcomer.get_by_role("button", name="Accept and continue").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Welcome, Nina")
    newcomer_user = User.objects.get(email=APPLICANT)
    assert newcomer_user.is_affiliation_verified
    assert newcomer_user.organisation.name == "Baltic Forensics"

    # then: the manager finds the new member in the directory
    desk.goto("/members/?q=Newcomer")
    row = desk.get_by_role("row").filter(has_text="Nina Newcomer")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Industry")
    expect(row).to_contain_text("Estonia")

    # and: the dashboard has moved: no application left, one more member this month
    desk.goto("/manage/dashboard/")
    assert _figure(desk, "#pending-applications") == 0
    assert _joined_this_month(desk) == joined_before + 1
