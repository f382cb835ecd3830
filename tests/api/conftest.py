"""Actors and data of the API tests: every role, a need of every audience (including one from
an LEA-only room and one from a private room), research projects and screening candidates."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from community.models import AffiliationType, Domain
from community.roles import Role
from community.services import forum
from community.services.api_tokens import api_token_create
from community.tiers import Tier
from ipup.models import ScreeningCandidate
from ipup.services.needs import need_from_thread
from tests.community.factories import RoomFactory
from tests.ipup.factories import NeedFactory, ResearchProjectFactory

ROLES = [
    "anonymous", "unverified", "industry", "researcher", "lea", "suspended", "manager",
    "coordinator",
]  # fmt: skip


@pytest.fixture
def actors(make_member, manager):
    suspended = make_member(AffiliationType.LEA, email="suspended@example.org")
    return {
        "anonymous": None,
        "unverified": make_member(AffiliationType.RESEARCH, unverified=True,
                                  email="unverified@example.org"),
        "industry": make_member(AffiliationType.INDUSTRY, email="industry@example.org"),
        "researcher": make_member(AffiliationType.RESEARCH, email="researcher@example.org"),
        "lea": make_member(AffiliationType.LEA, email="lea@example.org"),
        "suspended": suspended,
        "manager": manager,
        "coordinator": make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR],
                                   email="coordinator@example.org"),
    }  # fmt: skip


def suspend(member):
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save(update_fields=["suspended_until"])


@pytest.fixture
def world(actors, manager):
    """Needs of every tier, a need from an LEA-only room and one from a private room nobody
    among the actors belongs to, each with a screening candidate."""
    needs = {tier.value: NeedFactory(title=f"Need [{tier.value}]", tier=tier) for tier in Tier}
    rooms = {
        "lea_room": RoomFactory(tier=Tier.LEA),
        "private_room": RoomFactory(tier=Tier.MEMBERS, is_private=True, name="Backroom"),
    }
    for key, room in rooms.items():
        thread = forum.thread_create(actor=manager, room=room, title=f"Thread {key}", body="…")
        needs[key] = need_from_thread(
            actor=manager, thread=thread, title=f"Need from {key}", domains=Domain.objects.all()[:1]
        )
    projects = ResearchProjectFactory.create_batch(3)
    candidates = {
        key: ScreeningCandidate.objects.create(need=need, project=projects[0], score=0.5)
        for key, need in needs.items()
    }
    suspend(actors["suspended"])
    return {"needs": needs, "projects": projects, "candidates": candidates}


@pytest.fixture
def token_for():
    """``token_for(member)``: a new personal token's key for ``member``."""

    def make(member):
        return api_token_create(actor=member, name="script")[1]

    return make


def token_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")
