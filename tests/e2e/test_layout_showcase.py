"""Layout and accessibility of the stage-3 pages (issue 13): the holders' documents, the review
with its diff, the showcase pages with registration and feedback — at 1366 x 768 and 390 x 844,
in English and French, no sideways scroll and no serious or critical axe-core violation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, Event
from community.roles import Role
from ipip.services.checklists import checklist_adopt
from ipup.models import DocumentKind
from ipup.services.documents import (
    document_draft_save,
    document_for,
    document_review,
    document_submit,
)
from ipup.services.events import attendance_mark, registration_create, showcase_create
from ipup.services.feedback import feedback_survey_create
from ipup.services.projects import project_holder_grant
from tests.e2e.conftest import LOCALES, signed_in_context
from tests.e2e.test_layout import SCREENSHOTS, _check
from tests.e2e.test_showcase_journey import ID_CARD, SCENARIO, TELOS_ANSWERS
from tests.ipup.factories import ResearchProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TELOS = {**TELOS_ANSWERS, "technical_trl": 6}


def _submitted(project, holder, kind, data):
    document = document_for(project, kind)
    document_draft_save(actor=holder, document=document, data=data)
    document_submit(actor=holder, document=document)
    return document


@pytest.fixture
def stage_three(make_member):
    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR],
                              first_name="Carla", email="coordinator@example.org")  # fmt: skip
    holder = make_member(AffiliationType.RESEARCH, first_name="Rosa", email="holder@example.org")
    officer = make_member(AffiliationType.LEA, first_name="Luc", email="officer@example.org")
    project = ResearchProjectFactory(acronym="FASTTRIAGE", title="Mobile triage of seized devices")
    project_holder_grant(actor=coordinator, project=project, member=holder)
    for kind, data in ((DocumentKind.ID_CARD, ID_CARD), (DocumentKind.SCENARIO, SCENARIO),
                       (DocumentKind.TELOS, TELOS)):  # fmt: skip
        document = _submitted(project, holder, kind, data)
        document_review(actor=coordinator, document=document, decision="approved")
    # a second TELOS version waiting for review, so the review page shows a diff
    telos = document_for(project, DocumentKind.TELOS)
    document_draft_save(actor=holder, document=telos,
                        data={**TELOS, "legal_measured": "A DPIA by the partner's DPO."})  # fmt: skip
    document_submit(actor=holder, document=telos)
    start = timezone.now() + timedelta(days=1)
    webinar = showcase_create(
        actor=coordinator, format="webinar", project=project, capacity=30,
        categories=["lea", "procurement"], registration_closes_at=None, follow_up_threshold=60,
        title="FASTTRIAGE for border police", tier="members", starts_at=start,
        ends_at=start + timedelta(hours=1), location="", online_url="https://meet.example.org/x",
        description="A live demonstration.",
    )  # fmt: skip
    registration = registration_create(member=officer, showcase=webinar, category="lea")
    Event.objects.filter(pk=webinar.event_id).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now()
    )
    webinar.event.refresh_from_db()
    attendance_mark(actor=coordinator, showcase=webinar, registration_ids=[registration.pk])
    feedback_survey_create(actor=coordinator, showcase=webinar)
    checklist_adopt(actor=coordinator, project=project)
    return {"coordinator": coordinator, "holder": holder, "officer": officer,
            "project": project, "webinar": webinar}  # fmt: skip


def test_stage_three_pages_fit_every_screen_and_pass_axe(browser, live_server, stage_three):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    project, webinar = stage_three["project"], stage_three["webinar"]
    showcase = reverse("ipup:showcase-detail", args=[webinar.pk])
    pages = {
        "holder": (stage_three["holder"], {
            "my-projects": reverse("ipup:my-projects"),
            "scenario-edit": reverse("ipup:document-edit", args=[project.pk, "scenario"]),
            "telos": reverse("ipup:document-detail", args=[project.pk, "telos"]),
            "ipip": reverse("ipip:project-checklist", args=[project.pk]),
            "follows": reverse("ipip:follows"),
        }),
        "coordinator": (stage_three["coordinator"], {
            "reviews": reverse("ipup:document-reviews"),
            "telos-review": reverse("ipup:document-review", args=[project.pk, "telos"]),
            "events": reverse("ipup:showcase-list"),
            "event-new": reverse("ipup:showcase-create"),
            "webinar": showcase,
            "compare": reverse("ipip:checklist-comparison"),
            "checklist-versions": reverse("ipip:checklist-templates"),
        }),
        "lea": (stage_three["officer"], {
            "project": reverse("ipup:project-detail", args=[project.pk]),
            "id-card": reverse("ipup:document-detail", args=[project.pk, "id_card"]),
            "webinar": showcase,
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
