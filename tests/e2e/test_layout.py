"""Layout and accessibility of the main pages (issue 11): for a community manager and an LEA
member, in English and in French, at a laptop's 1366 x 768 and a phone's 390 x 844, each page is
photographed (into .data/screenshots/, which git ignores), never scrolls sideways, and axe-core
finds no serious or critical accessibility violation.

axe-core is vendored in static/vendor/axe-core/ and injected by the test only: no page of the
platform loads it. One browser context per role and language, one tab reused for every page.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType
from community.services.forum import post_create, thread_create
from community.tiers import Tier
from ipup.models import Need, Survey
from tests.community.factories import RoomFactory
from tests.e2e.conftest import LOCALES, signed_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / ".data" / "screenshots"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
BLOCKING = ("serious", "critical")
# On a laptop the links of the header stay on the brand's row (they used to overflow for staff).
WRAPPED_HEADER = """() => {
  const brand = document.querySelector('.nav-brand'), items = document.querySelector('.nav-items');
  return !!items && items.getBoundingClientRect().top >= brand.getBoundingClientRect().bottom;
}"""


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:5]}"
        for v in results
        if v["impact"] in BLOCKING
    ]


def _check(page, path, name, role, language) -> list[str]:
    """Every problem found on one page at both sizes (collected, so one run lists them all)."""
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(path)
        where = f"{role}/{language}/{size} {path}"
        if response.status != 200:
            problems.append(f"{where}: HTTP {response.status}")
            continue
        page.screenshot(path=SCREENSHOTS / f"{role}-{name}-{language}-{size}.png", full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            problems.append(f"{where}: scrolls sideways ({scroll}px > {inner}px)")
        if size == "desktop" and page.evaluate(WRAPPED_HEADER):
            problems.append(f"{where}: the header's links wrap below the brand")
        problems += [f"{where}: {v}" for v in _axe_violations(page)]
    return problems


@pytest.fixture
def network(make_member, manager):
    """A room with a discussion, needs and a draft survey to show."""
    officer = make_member(AffiliationType.LEA, email="officer@example.org",
                          first_name="Luc", last_name="Martin")  # fmt: skip
    room = RoomFactory(name="Cybercrime practitioners", slug="cyber", tier=Tier.MEMBERS)
    thread = thread_create(
        actor=officer, room=room, title="Ransomware triage at night",
        body="How do your **night shifts** triage ransomware reports?",
    )  # fmt: skip
    post_create(actor=manager, thread=thread, body=f"Good question @{officer.handle}.")
    Need.objects.create(
        title="Faster triage of ransomware reports", description="From the cyber room.",
        tier=Tier.MEMBERS, created_by=officer,
    )  # fmt: skip
    survey = Survey.objects.create(
        title="Community survey 2026", kind=Survey.Kind.COMMUNITY, created_by=manager,
        opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=15),
    )  # fmt: skip
    return {"officer": officer, "room": room, "thread": thread, "survey": survey}


def test_main_pages_fit_every_screen_and_pass_axe_in_english_and_french(
    browser, live_server, manager, network
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    common = {
        "home": reverse("community:home"),
        "room": reverse("community:room-detail", args=[network["room"].slug]),
        "thread": reverse("community:thread-detail", args=[network["thread"].pk]),
        "directory": reverse("community:member-directory"),
        "needs": reverse("ipup:need-list"),
        "security": reverse("mfa_index"),
    }
    pages = {
        "manager": (manager, common | {
            "surveys": reverse("ipup:survey-list"),
            "survey-builder": reverse("ipup:survey-build", args=[network["survey"].pk]),
        }),
        "lea": (network["officer"], common | {"surveys": reverse("ipup:my-surveys")}),
    }  # fmt: skip

    problems = []
    for role, (user, paths) in pages.items():
        for language in LOCALES:
            context = signed_in_context(browser, live_server, user, language)
            page = context.new_page()
            for name, path in paths.items():
                problems += _check(page, path, name, role, language)
            context.close()

    assert not problems, "\n".join(problems)


def test_the_landing_page_fits_a_phone_and_passes_axe(browser, live_server):
    problems = []
    for language in LOCALES:
        context = browser.new_context(
            base_url=live_server.url, locale=LOCALES[language], bypass_csp=True
        )
        problems += _check(context.new_page(), "/", "landing", "anonymous", language)
        problems += _check(context.new_page(), reverse("account_login"), "sign-in",
                           "anonymous", language)  # fmt: skip
        context.close()

    assert not problems, "\n".join(problems)


def test_the_sign_in_button_keeps_its_natural_width_on_a_laptop(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(reverse("account_login"))

    width = page.get_by_role("button", name="Sign In").bounding_box()["width"]

    assert width < 200


def test_the_first_steps_show_one_marker_each(browser, live_server, researcher):
    context = signed_in_context(browser, live_server, researcher, "en")
    page = context.new_page()
    page.goto(reverse("community:home"))

    markers = page.evaluate(
        """() => [...document.querySelectorAll('.checklist li')].map(li => [
            getComputedStyle(li).listStyleType, getComputedStyle(li, '::before').content])"""
    )
    context.close()

    assert markers
    assert all(bullet == "none" and drawn != "none" for bullet, drawn in markers), markers


def test_the_checker_reports_a_blocking_violation_when_there_is_one(browser):
    # Guards the harness itself: an axe that failed to load or run would find nothing anywhere.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')

    violations = _axe_violations(page)
    context.close()

    assert any(v.startswith("image-alt (critical)") for v in violations), violations


def test_the_phone_menu_opens_without_javascript(browser, live_server, researcher):
    context = signed_in_context(browser, live_server, researcher, "en", java_script_enabled=False)
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("community:home"))
    directory = page.get_by_role("link", name="Members", exact=True)
    assert not directory.is_visible()

    page.get_by_text("Menu", exact=True).click()
    page.locator(".nav-menu summary").filter(has_text=researcher.first_name).click()

    assert directory.is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    context.close()
