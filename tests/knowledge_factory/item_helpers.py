"""Actors and helpers of the item tests (test_items, test_access_items, test_api): knowledge
managers with and without LEA affiliation, and items made through the services."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from community.models import AffiliationType
from community.roles import Role
from knowledge_factory.models import Item
from knowledge_factory.services.items import item_publish, item_submit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_knowledge_manager(make_member, *, lea: bool = False):
    """A knowledge manager (an LEA officer with ``lea``), from conftest's ``make_member``."""
    if lea:
        return make_member(
            AffiliationType.LEA, roles=[Role.KNOWLEDGE_MANAGER], email="km.lea@example.org"
        )
    return make_member(
        AffiliationType.RESEARCH, roles=[Role.KNOWLEDGE_MANAGER], email="km@example.org"
    )


def suspend(member):
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save(update_fields=["suspended_until"])


def submit(author, **fields) -> Item:
    values = {
        "type": "article",
        "title": "Drone detection at borders",
        "summary": "What works against small drones.",
        "body": "Some **findings**.",
        "tier": "members",
    }
    values.update(fields)
    return item_submit(actor=author, **values)


def published(author, reviewer, **fields) -> Item:
    return item_publish(actor=reviewer, item=submit(author, **fields))
