"""Layout and accessibility of the Knowledge Factory and the one search box (issue 15): at
1366 x 768 and 390 x 844, in English and French, no sideways scroll and no serious or critical
axe-core violation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, Domain
from community.roles import Role
from knowledge_factory.services.follows import follow_add
from knowledge_factory.services.items import item_publish, item_submit
from knowledge_factory.services.newsletters import newsletter_create
from tests.e2e.conftest import LOCALES, signed_in_context
from tests.e2e.test_layout import SCREENSHOTS, _check

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG_TAG = "interoperability-of-cross-border-radio-links"


@pytest.fixture
def knowledge(make_member):
    manager = make_member(AffiliationType.LEA, roles=[Role.KNOWLEDGE_MANAGER],
                          first_name="Karl", email="knowledge@example.org")  # fmt: skip
    author = make_member(AffiliationType.RESEARCH, first_name="Rosa", email="author@example.org")
    domain = Domain.objects.order_by("position").first()
    items = []
    for n, tier in enumerate(["public", "members", "lea"]):
        item = item_submit(
            actor=manager if tier == "lea" else author,
            type="report",
            title=f"Drone detection at public events, part {n + 1}",
            summary="Which detectors worked, at what range, and what they cost to run.",
            body="## Findings\n\nRadio-frequency detectors found **most** drones.",
            source_url="https://example.org/report",
            published_on=datetime.date(2025, 3, 1),
            domains=[domain],
            tags=["drones", "public events", LONG_TAG],
            tier=tier,
        )
        item_publish(actor=manager, item=item)
        items.append(item)
    waiting = item_submit(actor=author, type="study", title="A submission waiting for review",
                          summary="Still to be read.", tags=["drones"])  # fmt: skip
    follow_add(actor=author, tag="drones")
    today = timezone.localdate()
    newsletter = newsletter_create(actor=manager, period_start=today.replace(day=1),
                                   period_end=today)  # fmt: skip
    return {"manager": manager, "author": author, "item": items[0], "waiting": waiting,
            "newsletter": newsletter}  # fmt: skip


def test_knowledge_pages_fit_every_screen_and_pass_axe(browser, live_server, knowledge):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    item, waiting = knowledge["item"], knowledge["waiting"]
    pages = {
        "author": (knowledge["author"], {
            "kf-index": reverse("knowledge_factory:index") + "?q=drone",
            "kf-tag": reverse("knowledge_factory:index") + "?tag=drones",
            "kf-item": reverse("knowledge_factory:item", args=[item.pk]),
            "kf-submit": reverse("knowledge_factory:submit"),
            "kf-mine": reverse("knowledge_factory:my-items"),
            "kf-following": reverse("knowledge_factory:following"),
            "search": reverse("community:search") + "?q=drone",
        }),
        "knowledge-manager": (knowledge["manager"], {
            "kf-reviews": reverse("knowledge_factory:review-queue"),
            "kf-review": reverse("knowledge_factory:item", args=[waiting.pk]),
            "kf-edit": reverse("knowledge_factory:item-edit", args=[waiting.pk]),
            "kf-tags": reverse("knowledge_factory:tag-list"),
            "kf-newsletters": reverse("knowledge_factory:newsletter-list"),
            "kf-newsletter": reverse(
                "knowledge_factory:newsletter-edit", args=[knowledge["newsletter"].pk]
            ),
        }),
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
