"""The periodic newsletter (issue 15, "Digest and newsletter", and acceptance 1 for the
newsletter PDF): what the PDF prints (the period's public and members' items, never an LEA-only
or unpublished one), who may download it, the monthly draft job, publishing as an item, and
bad input."""

import datetime
import io
import re

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, AuditLogEntry, Domain, Notification
from community.roles import Role
from knowledge_factory.indexing import item_index
from knowledge_factory.models import Item, Newsletter
from knowledge_factory.services.newsletters import (
    newsletter_create,
    newsletter_items,
    newsletter_pdf,
    newsletter_publish,
    newsletter_update,
    previous_month,
)
from knowledge_factory.tasks import newsletter_draft_task

pytestmark = pytest.mark.django_db

MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


@pytest.fixture
def knowledge_manager(make_member):
    return make_member(
        AffiliationType.RESEARCH, roles=[Role.KNOWLEDGE_MANAGER], email="km.news@example.org"
    )


def when(day: int, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 12, tzinfo=timezone.get_default_timezone())


def make_item(title, *, tier="public", status="published", at=None, type="report", **fields):
    at = at or when(10)
    item = Item.objects.create(
        type=type,
        title=title,
        summary=fields.pop("summary", f"Summary of {title}."),
        tier=tier,
        status=status,
        published_at=at if status == "published" else None,
        submitted_at=at,
        **fields,
    )
    item_index([item.pk])
    return item


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def march(knowledge_manager):
    """A March newsletter and the items around it."""
    domain = Domain.objects.order_by("pk").first()
    public = make_item("Alpha public report", tier="public")
    public.domains.add(domain)
    public.tags.add("drones")
    members = make_item("Bravo members study", tier="members", type="study", at=when(31))
    make_item("Charlie LEA-only secret", tier="lea")
    make_item("Delta unpublished draft", tier="public", status="submitted")
    make_item("Echo from April", tier="public", at=when(1, month=4))
    make_item("Foxtrot from February", tier="members", at=when(28, month=2))
    newsletter = newsletter_create(
        actor=knowledge_manager, period_start=MARCH[0], period_end=MARCH[1]
    )
    newsletter_update(
        actor=knowledge_manager,
        newsletter=newsletter,
        title=newsletter.title,
        introduction="Welcome, **readers** of the zulu issue.\n\nSecond paragraph.",
    )
    newsletter.refresh_from_db()
    return {"newsletter": newsletter, "public": public, "members": members, "domain": domain}


# --- What it prints ---------------------------------------------------------------------------


def test_the_pdf_prints_the_periods_public_and_members_items_only(march):
    # when
    text = text_of(newsletter_pdf(march["newsletter"]))
    # then
    assert "ILEAnet Knowledge Factory newsletter — March 2026" in text
    assert "Welcome, readers of the zulu issue." in text
    assert "Alpha public report" in text
    assert "Summary of Alpha public report." in text
    assert "Bravo members study" in text
    assert str(march["domain"]) in text
    assert "drones" in text
    assert f"http://testserver/knowledge/{march['public'].pk}/" in text
    assert "page 1 of" in text
    for absent in ("Charlie", "Delta", "Echo", "Foxtrot"):
        assert absent not in text


def test_items_are_grouped_by_type_and_earlier_newsletters_are_left_out(march):
    make_item("An earlier newsletter", type="newsletter", tier="members")
    groups = newsletter_items(march["newsletter"])
    assert [group["type"] for group in groups] == ["report", "study"]
    assert [item.title for item in groups[0]["items"]] == ["Alpha public report"]


def test_the_edit_page_previews_the_items(march, knowledge_manager, client_for):
    page = client_for(knowledge_manager).get(
        reverse("knowledge_factory:newsletter-edit", args=[march["newsletter"].pk])
    )
    assert page.status_code == 200
    assert "Alpha public report" in page.text
    assert "Bravo members study" in page.text
    assert "Charlie" not in page.text


# --- Who downloads it ------------------------------------------------------------------------


def pdf_status(client, newsletter) -> int:
    return client.get(reverse("knowledge_factory:newsletter-pdf", args=[newsletter.pk])).status_code


def test_a_draft_pdf_is_for_the_knowledge_and_community_managers_only(
    march, knowledge_manager, manager, researcher, lea_member, unverified_member, client_for
):
    newsletter = march["newsletter"]
    assert pdf_status(client_for(knowledge_manager), newsletter) == 200
    assert pdf_status(client_for(manager), newsletter) == 200
    for member in (researcher, lea_member, unverified_member):
        assert pdf_status(client_for(member), newsletter) == 404
    response = client_for(None).get(
        reverse("knowledge_factory:newsletter-pdf", args=[newsletter.pk])
    )
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_published_pdf_is_for_every_verified_member(
    march,
    knowledge_manager,
    researcher,
    lea_member,
    industry_member,
    unverified_member,
    client_for,
):
    newsletter = march["newsletter"]
    item = newsletter_publish(actor=knowledge_manager, newsletter=newsletter)
    for member in (researcher, lea_member, industry_member):
        response = client_for(member).get(
            reverse("knowledge_factory:newsletter-pdf", args=[newsletter.pk])
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        content = b"".join(response.streaming_content)
        item.file.open("rb")
        assert content == item.file.read()
        item.file.close()
    assert pdf_status(client_for(unverified_member), newsletter) == 404
    assert pdf_status(client_for(None), newsletter) == 302


def test_members_see_published_newsletters_only_in_the_list(
    march, knowledge_manager, researcher, client_for
):
    url = reverse("knowledge_factory:newsletter-list")
    assert march["newsletter"].title not in client_for(researcher).get(url).text
    newsletter_publish(actor=knowledge_manager, newsletter=march["newsletter"])
    page = client_for(researcher).get(url)
    assert march["newsletter"].title in page.text
    assert "Create the draft" not in page.text


def test_only_knowledge_managers_create_edit_and_publish(march, researcher, client_for):
    client = client_for(researcher)
    newsletter = march["newsletter"]
    created = client.post(
        reverse("knowledge_factory:newsletter-list"),
        {"period_start": "2026-01-01", "period_end": "2026-01-31"},
    )
    assert created.status_code == 404
    assert (
        client.get(reverse("knowledge_factory:newsletter-edit", args=[newsletter.pk])).status_code
        == 404
    )
    published = client.post(reverse("knowledge_factory:newsletter-publish", args=[newsletter.pk]))
    assert published.status_code == 404
    assert Newsletter.objects.count() == 1
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT
    with pytest.raises(PermissionDenied):
        newsletter_create(actor=researcher, period_start=MARCH[0], period_end=MARCH[1])


# --- Making and publishing -------------------------------------------------------------------


def test_the_manager_creates_and_edits_a_draft_through_the_pages(knowledge_manager, client_for):
    # given
    client = client_for(knowledge_manager)
    form = client.get(reverse("knowledge_factory:newsletter-list"))
    start, _end = previous_month(timezone.localdate())
    assert start.isoformat() in form.text
    # when
    response = client.post(
        reverse("knowledge_factory:newsletter-list"),
        {"period_start": "2026-01-01", "period_end": "2026-01-31", "title": ""},
    )
    newsletter = Newsletter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "knowledge_factory:newsletter-edit", args=[newsletter.pk]
    )
    saved = client.post(
        response["Location"], {"title": "January, in short", "introduction": "Hello *all*."}
    )
    # then
    assert saved.status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.title == "January, in short"
    assert newsletter.introduction == "Hello *all*."
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"knowledge.newsletter_create", "knowledge.newsletter_update"} <= actions


def test_the_default_title_names_the_month(knowledge_manager):
    newsletter = newsletter_create(
        actor=knowledge_manager,
        period_start=datetime.date(2026, 2, 1),
        period_end=datetime.date(2026, 2, 28),
    )
    assert newsletter.title == "ILEAnet Knowledge Factory newsletter — February 2026"


def test_publishing_makes_a_members_item_carrying_the_pdf(
    march, knowledge_manager, client_for, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(knowledge_manager).post(
            reverse("knowledge_factory:newsletter-publish", args=[march["newsletter"].pk])
        )
    # then
    newsletter = Newsletter.objects.get()
    item = newsletter.item
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    assert newsletter.status == Newsletter.Status.PUBLISHED
    assert newsletter.published_at is not None
    assert (item.type, item.tier, item.status) == ("newsletter", "members", "published")
    assert item.author == knowledge_manager
    assert item.title == newsletter.title
    assert item.summary == "Welcome, **readers** of the zulu issue."
    assert list(item.tags.names()) == ["newsletter"]  # who follows the tag is told
    assert re.search(r"/ileanet-newsletter-2026-03(_\w+)?\.pdf$", item.file.name)
    with item.file.open("rb") as handle:
        text = text_of(handle.read())
    assert "Alpha public report" in text
    assert "Charlie" not in text
    assert Item.objects.filter(pk=item.pk, search_vector__isnull=False).exists()
    assert len(callbacks) == 1  # the followers are told once it commits
    entry = AuditLogEntry.objects.get(action="knowledge.newsletter_publish")
    assert entry.data["item"] == item.pk


def test_a_published_newsletter_is_frozen(march, knowledge_manager, client_for):
    newsletter = march["newsletter"]
    newsletter_publish(actor=knowledge_manager, newsletter=newsletter)
    with pytest.raises(ValidationError):
        newsletter_update(
            actor=knowledge_manager, newsletter=newsletter, title="Other", introduction=""
        )
    with pytest.raises(ValidationError):
        newsletter_publish(actor=knowledge_manager, newsletter=newsletter)
    again = client_for(knowledge_manager).post(
        reverse("knowledge_factory:newsletter-publish", args=[newsletter.pk]), follow=True
    )
    assert "can no longer be changed" in again.text
    assert Item.objects.filter(type="newsletter").count() == 1


def test_an_introduction_less_newsletter_gets_a_default_summary(knowledge_manager):
    make_item("Alpha public report")
    newsletter = newsletter_create(
        actor=knowledge_manager, period_start=MARCH[0], period_end=MARCH[1]
    )
    item = newsletter_publish(actor=knowledge_manager, newsletter=newsletter)
    assert item.summary == "The Knowledge Factory's newsletter for March 2026: 1 new item."


# --- Bad input -------------------------------------------------------------------------------


def test_a_period_ending_before_it_starts_is_refused(knowledge_manager, client_for):
    response = client_for(knowledge_manager).post(
        reverse("knowledge_factory:newsletter-list"),
        {"period_start": "2026-03-31", "period_end": "2026-03-01"},
    )
    assert response.status_code == 400
    assert "The period must end on or after its first day." in response.text
    with pytest.raises(ValidationError) as error:
        newsletter_create(
            actor=knowledge_manager,
            period_start=datetime.date(2026, 3, 31),
            period_end=datetime.date(2026, 3, 1),
        )
    assert "period_end" in error.value.message_dict
    assert not Newsletter.objects.exists()


def test_a_second_newsletter_for_a_period_is_refused(march, knowledge_manager, client_for):
    response = client_for(knowledge_manager).post(
        reverse("knowledge_factory:newsletter-list"),
        {"period_start": "2026-03-01", "period_end": "2026-03-31"},
    )
    assert response.status_code == 400
    assert "There is already a newsletter for this period" in response.text
    assert Newsletter.objects.count() == 1


def test_bad_dates_and_an_empty_title_are_refused(march, knowledge_manager, client_for):
    client = client_for(knowledge_manager)
    response = client.post(
        reverse("knowledge_factory:newsletter-list"),
        {"period_start": "not a date", "period_end": ""},
    )
    assert response.status_code == 400
    edit = client.post(
        reverse("knowledge_factory:newsletter-edit", args=[march["newsletter"].pk]),
        {"title": "  ", "introduction": "x" * 20_001},
    )
    assert edit.status_code == 400
    assert 'aria-invalid="true"' in edit.text


# --- The monthly job -------------------------------------------------------------------------


def test_the_monthly_job_makes_one_draft_and_tells_the_knowledge_managers_once(
    knowledge_manager, researcher
):
    # when
    newsletter_draft_task()
    newsletter_draft_task()
    # then
    start, end = previous_month(timezone.localdate())
    newsletter = Newsletter.objects.get()
    assert (newsletter.period_start, newsletter.period_end) == (start, end)
    assert newsletter.status == Newsletter.Status.DRAFT
    notification = Notification.objects.get(kind=Notification.Kind.KNOWLEDGE)
    assert notification.recipient == knowledge_manager
    assert notification.link == reverse("knowledge_factory:newsletter-edit", args=[newsletter.pk])
    assert not Notification.objects.filter(recipient=researcher).exists()


def test_previous_month_is_the_whole_month_before():
    assert previous_month(datetime.date(2026, 1, 1)) == (
        datetime.date(2025, 12, 1),
        datetime.date(2025, 12, 31),
    )
    assert previous_month(datetime.date(2024, 3, 15)) == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 29),
    )


# --- Query budget ----------------------------------------------------------------------------


def test_the_list_runs_a_fixed_number_of_queries(
    knowledge_manager, client_for, django_assert_max_num_queries
):
    client = client_for(knowledge_manager)
    url = reverse("knowledge_factory:newsletter-list")
    client.get(url)
    counts = []
    for months in (2, 12):
        for month in range(1, months + 1):
            start = datetime.date(2024, month, 1)
            Newsletter.objects.get_or_create(
                period_start=start,
                period_end=start + datetime.timedelta(days=27),
                defaults={"title": f"N{month}"},
            )
        with django_assert_max_num_queries(20) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
