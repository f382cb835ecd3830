"""The API documentation page renders in a browser under the platform's own CSP (no bypass):
Swagger UI from drf-spectacular-sidecar, its initialiser as a file, no CDN, no violation."""

import pytest
from django.test import Client
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_reads_the_api_documentation(browser, live_server, researcher):
    # given a signed-in member's browser that enforces the CSP
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    client = Client()
    client.force_login(researcher)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    outside = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else outside.append(request.url)
        ),
    )
    # when
    page.goto("/api/v1/docs/")
    # then the operations of the schema are listed
    expect(page.get_by_text("/api/v1/needs/{need_pk}/candidates/").first).to_be_visible()
    assert not [text for text in messages if "Content Security Policy" in text], messages
    assert outside == []
    context.close()
