"""The Knowledge Factory in a real browser (issue 15): a member submits an item, the knowledge
manager tags and publishes it from the review queue, a follower of the tag is notified and
finds the item in the one search box."""

import re

import pytest
from playwright.sync_api import expect

from community.models import AffiliationType
from community.roles import Role
from knowledge_factory.models import Item
from tests.e2e.conftest import signed_in_context
from tests.knowledge_factory.browse_helpers import make_item

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

TITLE = "Negotiating with ransomware gangs: a playbook for first responders"


def test_a_submitted_item_is_tagged_published_and_found_by_a_follower(
    browser, live_server, transactional_db, make_member
):
    # given a knowledge manager, an author, and an LEA officer who follows the tag "ransomware"
    # (from an item already published with it)
    manager = make_member(AffiliationType.LEA, roles=[Role.KNOWLEDGE_MANAGER],
                          email="knowledge@example.org", first_name="Karl")  # fmt: skip
    author = make_member(AffiliationType.RESEARCH, email="author@example.org", first_name="Rosa")
    follower = make_member(AffiliationType.LEA, email="lea@example.org", first_name="Luc")
    make_item(title="Ransomware trends in 2025", tags=["ransomware"], author=manager)

    context = signed_in_context(browser, live_server, follower, "en")
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Knowledge", exact=True).click()
    page.get_by_role("link", name="#ransomware").first.click()
    page.get_by_role("button", name="Follow the tag “ransomware”").click()
    expect(page.get_by_role("button", name="Unfollow the tag “ransomware”")).to_be_visible()
    context.close()

    # when the author submits an item from the Knowledge Factory's page
    context = signed_in_context(browser, live_server, author, "en")
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Knowledge", exact=True).click()
    page.get_by_role("button", name="Submit an item").click()
    page.get_by_label("Type").select_option("study")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("What to say, and not to say, in the first hour.")
    page.get_by_label("Access level").select_option("members")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted, waiting for review").first).to_be_visible()
    context.close()

    # and the knowledge manager opens it from the review queue, tags it and publishes it
    context = signed_in_context(browser, live_server, manager, "en")
    page = context.new_page()
    page.goto("/")
    page.locator(".nav-menu summary", has_text="Manage").click()
    page.get_by_role("link", name="Knowledge reviews").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name=re.compile("Edit")).first.click()
    page.get_by_label("Tags").fill("ransomware, incident response")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published").first).to_be_visible()
    context.close()
    item = Item.objects.get(title=TITLE)
    assert item.status == Item.Status.PUBLISHED
    assert sorted(item.tags.names()) == ["incident response", "ransomware"]

    # then the follower is told, opens the notification, and finds the item in the search box
    context = signed_in_context(browser, live_server, follower, "en")
    page = context.new_page()
    page.goto("/")
    page.locator(".nav-notifications").click()
    expect(page.locator("main")).to_contain_text(TITLE)
    page.get_by_label("Search ILEAnet").fill('"ransomware gangs" playbook')
    page.get_by_label("Search ILEAnet").press("Enter")
    results = page.locator("#results")
    expect(results).to_contain_text("Knowledge Factory")
    results.get_by_role("link", name=re.compile("Negotiating with ransomware")).first.click()
    expect(page.locator("h1")).to_contain_text(TITLE)
    context.close()
