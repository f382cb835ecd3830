"""An LEA officer posts in an LEA-only room; an industry member cannot find it; a flag reaches
the moderators, a community manager hides the post and the audit log shows it."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from community.models import AffiliationType, Post, Room
from community.tiers import Tier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "Checkpoint rotation zanzibar"


def as_member(browser, live_server, user):
    """A browser tab signed in as ``user`` (signing in through the form has its own journey)."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_lea_post_is_invisible_to_industry_and_a_flagged_post_is_hidden_and_audited(
    browser, live_server, make_member, manager
):
    # given an LEA-only room and four members
    Room.objects.create(name="Practitioners only", slug="practitioners", tier=Tier.LEA)
    officer = make_member(AffiliationType.LEA, email="officer@example.org")
    colleague = make_member(AffiliationType.LEA, email="colleague@example.org")
    vendor = make_member(AffiliationType.INDUSTRY, email="vendor@example.org")

    # when the officer starts a thread in the LEA room
    page = as_member(browser, live_server, officer)
    page.goto("/rooms/practitioners/")
    page.get_by_role("button", name="New thread").click()
    page.get_by_label("Title").fill(SECRET)
    page.get_by_label("Message").fill("Rotation plan for the **night shift** at the crossing.")
    page.get_by_role("button", name="Start the thread").click()
    expect(page.get_by_role("heading", name=SECRET)).to_be_visible()
    thread_url = page.url

    # then the industry member finds it nowhere
    other = as_member(browser, live_server, vendor)
    other.goto("/rooms/")
    expect(other.get_by_role("heading", name="Rooms")).to_be_visible()
    expect(other.get_by_text("Practitioners only")).to_have_count(0)
    other.goto("/search/?q=zanzibar")
    expect(other.get_by_text(SECRET)).to_have_count(0)
    response = other.goto(thread_url)
    assert response.status == 404
    expect(other.get_by_text(SECRET)).to_have_count(0)

    # when a colleague flags the post
    flagger = as_member(browser, live_server, colleague)
    flagger.goto(thread_url)
    flagger.get_by_role("link", name="Flag").first.click()
    flagger.get_by_label("What is wrong with this post?").fill("Operational details in clear")
    flagger.get_by_role("button", name="Send to the moderators").click()

    # then a community manager hides it from the moderation queue
    moderator = as_member(browser, live_server, manager)
    moderator.goto("/moderation/")
    expect(moderator.get_by_text("Operational details in clear")).to_be_visible()
    moderator.get_by_label("Reason (recorded in the audit log)").fill("Too operational")
    moderator.get_by_role("button", name="Hide the post").click()
    expect(moderator.get_by_text("No open flag in the rooms you moderate.")).to_be_visible()
    assert Post.objects.get(thread__title=SECRET).is_hidden

    # and the audit log shows who hid it and why
    moderator.goto("/audit/")
    row = moderator.get_by_role("row").filter(has_text="post.hide")
    expect(row).to_contain_text("Too operational")
    expect(row).to_contain_text(str(manager))
