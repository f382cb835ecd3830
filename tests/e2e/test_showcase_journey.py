"""Stage 3 of the uptake process in a real browser: a holder submits the TELOS assessment, a
coordinator asks for changes, the holder resubmits, the coordinator approves and schedules the
project at a webinar; an LEA member registers on a phone, attends, answers the feedback from the
short link, and the project's interest score moves."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.models import AffiliationType, Event
from community.roles import Role
from ipup.models import DocumentKind, Question, ShowcaseEvent
from ipup.services.documents import (
    document_draft_save,
    document_for,
    document_review,
    document_submit,
)
from ipup.services.projects import project_holder_grant
from tests.e2e.conftest import signed_in_context
from tests.ipup.factories import ResearchProjectFactory
from tests.ipup.test_documents import COMPLETE as ID_CARD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

TELOS_ANSWERS = {
    "technical_answer": "A working prototype that reads seized phones in the field.",
    "technical_measured": "Field trials with two border police units on 300 devices.",
    "economic_answer": "Two officer hours saved per seized device.",
    "economic_measured": "Timed against the current laboratory process during the pilot.",
    "legal_answer": "Processes personal data under the Law Enforcement Directive.",
    "legal_measured": "Reviewed by the consortium's ethics board.",
    "operational_answer": "Triage at the checkpoint instead of days later.",
    "operational_measured": "Feedback from 14 officers after the exercise.",
    "scheduling_answer": "Ready for procurement in 18 months.",
    "scheduling_measured": "Plan with committed partners and a funded follow-up.",
}


SCENARIO = {
    **{key: f"{key}: at the border checkpoint, by first-line officers." for key in
       ("when", "who", "where", "what", "how", "why", "would_explanation", "nature_basis")},
    "would": "yes",
    "presentation_formats": ["live_demo"],
    "nature": "real",
}  # fmt: skip


def _approved(project, holder, coordinator, kind):
    document = document_for(project, kind)
    data = ID_CARD if kind == DocumentKind.ID_CARD else SCENARIO
    document_draft_save(actor=holder, document=document, data=data)
    document_submit(actor=holder, document=document)
    document_review(actor=coordinator, document=document, decision="approved")


def _open_notification(page, text):
    page.get_by_role("link", name="Notifications").first.click()
    page.get_by_role("link", name=re.compile(re.escape(text))).first.click()


def test_from_telos_to_a_webinar_and_the_feedback_that_moves_the_interest_score(
    browser, live_server, transactional_db, make_member
):
    # given a project whose ID card and scenario are approved, held by a researcher
    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR],
                              email="coordinator@example.org", first_name="Carla")  # fmt: skip
    holder = make_member(AffiliationType.RESEARCH, email="holder@example.org", first_name="Rosa")
    officer = make_member(AffiliationType.LEA, email="officer@example.org", first_name="Luc")
    project = ResearchProjectFactory(acronym="FASTTRIAGE", title="Mobile triage of devices")
    project_holder_grant(actor=coordinator, project=project, member=holder)
    for kind in (DocumentKind.ID_CARD, DocumentKind.SCENARIO):
        _approved(project, holder, coordinator, kind)
    holder_context = signed_in_context(browser, live_server, holder, "en")
    coordinator_context = signed_in_context(browser, live_server, coordinator, "en")
    officer_context = signed_in_context(browser, live_server, officer, "en", **PHONE)
    holder_page = holder_context.new_page()
    coordinator_page = coordinator_context.new_page()
    phone = officer_context.new_page()

    # when the holder writes the TELOS assessment from "My projects" and submits it
    holder_page.goto("/")
    holder_page.locator(".nav-menu summary", has_text="Rosa").click()
    holder_page.get_by_role("link", name="My projects").click()
    holder_page.locator("li", has_text="TELOS assessment").get_by_role("link", name="Write").click()
    holder_page.get_by_label("Technology readiness level (1 to 9)").select_option("6")
    for name, text in TELOS_ANSWERS.items():
        holder_page.locator(f"[name={name}]").fill(text)
    holder_page.get_by_role("button", name="Submit for review").click()
    expect(holder_page.get_by_text("Submitted").first).to_be_visible()

    # and the coordinator, from their home page, asks for a change to the legal part
    coordinator_page.goto("/")
    coordinator_page.locator("#main").get_by_role("link", name="Document reviews").click()
    coordinator_page.get_by_role("link", name=re.compile("Review")).first.click()
    coordinator_page.locator("#comment-legal").fill("Name the data protection impact assessment.")
    coordinator_page.get_by_role("button", name="Request changes").click()

    # then the holder, told by a notification, sees the comment and resubmits
    holder_page.goto("/")
    _open_notification(holder_page, "changes requested")
    holder_page.get_by_role("button", name="Edit the draft").click()
    expect(holder_page.locator("#part-legal")).to_contain_text(
        "Name the data protection impact assessment."
    )
    holder_page.locator("[name=legal_measured]").fill(
        "Ethics board review and a DPIA by the Belgian partner's DPO."
    )
    holder_page.get_by_role("button", name="Submit for review").click()
    expect(holder_page.get_by_text("Resubmitted").first).to_be_visible()

    # and the coordinator, told of the resubmission, sees the change and approves
    coordinator_page.goto("/")
    _open_notification(coordinator_page, "resubmitted")
    expect(coordinator_page.locator("#part-legal ins").first).to_contain_text("DPIA")
    coordinator_page.get_by_role("button", name="Approve").click()

    # and schedules the project at a webinar
    coordinator_page.goto("/")
    coordinator_page.locator(".nav-menu summary", has_text="Manage").click()
    coordinator_page.get_by_role("navigation").get_by_role("link", name="Showcase events").click()
    coordinator_page.get_by_role("button", name="New event").click()
    coordinator_page.get_by_label("Format").select_option("webinar")
    coordinator_page.get_by_label("Project (webinar)").select_option(str(project.pk))
    coordinator_page.get_by_label("Title").fill("FASTTRIAGE for border police")
    start = timezone.localtime() + timedelta(days=2)
    coordinator_page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    coordinator_page.get_by_label("Ends").fill(
        (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    coordinator_page.get_by_label("Online link").fill("https://meet.example.org/fasttriage")
    coordinator_page.get_by_role("button", name=re.compile("Save")).click()
    expect(coordinator_page.get_by_text("The event is saved.")).to_be_visible()
    showcase = ShowcaseEvent.objects.get(project=project)

    # and an LEA officer, on a phone, finds it in the calendar and registers
    phone.goto("/")
    phone.get_by_text("Menu").click()
    phone.get_by_role("navigation").get_by_role("link", name="Calendar").click()
    phone.get_by_role("link", name="FASTTRIAGE for border police").click()
    phone.get_by_role("link", name="Agenda and registration").click()
    online = phone.locator("a[href='https://meet.example.org/fasttriage']")
    expect(online).to_have_count(0)
    phone.get_by_label("LEA practitioner").check()
    phone.get_by_role("button", name="Register").click()
    expect(phone.get_by_text("You are registered (as LEA practitioner).")).to_be_visible()
    expect(online).to_have_count(1)

    # the webinar takes place: the organiser marks the officer as present, sends the feedback
    Event.objects.filter(pk=showcase.event_id).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now()
    )
    coordinator_page.goto(f"/ipup/events/{showcase.pk}/")
    coordinator_page.get_by_label("Attended").check()
    coordinator_page.get_by_role("button", name="Save attendance").click()
    coordinator_page.get_by_role("button", name="Send the feedback survey").click()
    short_link = urlsplit(coordinator_page.locator(".feedback-link").inner_text().strip()).path
    assert re.fullmatch(r"/ipup/s/[\w-]+/", short_link)
    score = coordinator_page.locator("#feedback tr", has_text="FASTTRIAGE").locator("td").nth(1)
    expect(score).to_have_text("\N{EN DASH}")

    # and the officer answers from the short link on the phone
    phone.goto(short_link)
    relevance = Question.objects.get(survey__showcase=showcase, metric="relevance")
    phone.locator(f"#question-{relevance.pk} input[value='5']").check()
    colleagues = Question.objects.get(survey__showcase=showcase, metric="colleagues")
    phone.locator(f"#question-{colleagues.pk} input").first.check()
    phone.get_by_role("button", name="Submit my answers").click()
    expect(phone.get_by_text(re.compile("[Tt]hank"))).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # then the interest score of the project moves from nothing to a figure
    coordinator_page.goto(f"/ipup/events/{showcase.pk}/")
    expect(score).to_have_text("100")
    for context in (holder_context, coordinator_context, officer_context):
        context.close()
