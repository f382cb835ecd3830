"""Browser journeys: Playwright (sync API) driving Debian's chromium against ``live_server``.

Playwright cannot download its own browser here (only the package registries are reachable), so
the tests use ``/usr/bin/chromium``; ``make test`` installs it (scripts/system-deps.sh test).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path(os.environ.get("ILEANET_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Generous: two cores shared by the xdist workers, the live server and the browser.
TIMEOUT_MS = 15_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module.

    Playwright's sync API keeps an asyncio event loop running in this thread, and Django refuses
    ORM calls from a thread with a running loop (SynchronousOnlyOperation): the test's own
    queries and pytest-django's database flush happen here while the browser is open. The
    override lasts only as long as the browser, so the rest of the suite keeps the check.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install chromium chromium-driver, or `make test` as root)."
        )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, with paths relative to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


LOCALES = {"en": "en-GB", "fr": "fr-FR"}


def signed_in_context(browser, live_server, user, language, **options):
    """A browser context signed in as ``user`` (a session made by the test client, which
    records a password and second-factor sign-in) and reading ``language``."""
    # bypass_csp: the page's policy (rightly) refuses the script axe is injected as.
    context = browser.new_context(
        base_url=live_server.url, locale=LOCALES[language], bypass_csp=True, **options
    )
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value,
             "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )  # fmt: skip
    return context
