"""Browser journeys: Playwright (sync API) driving Debian's chromium against ``live_server``.

Playwright cannot download its own browser here (only the package registries are reachable), so
the tests use ``/usr/bin/chromium``; ``make test`` installs it (scripts/system-deps.sh test).
"""

import os
from pathlib import Path

import pytest
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
