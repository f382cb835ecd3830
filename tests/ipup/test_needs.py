"""The needs catalogue: who sees which need, who records them, and the status workflow."""

import pytest
from django.urls import reverse

from community.models import AffiliationType, AuditLogEntry, Domain
from community.roles import Role
from community.services import forum
from ipup.models import Need
from tests.community.factories import RoomFactory
from tests.ipup.factories import NeedFactory

NEEDS = reverse("ipup:need-list")


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


def _titles(client, **params) -> set[str]:
    response = client.get(NEEDS, params)
    assert response.status_code == 200
    return {need.title for need in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("role", "sees"), [("lea_member", True), ("coordinator", True), ("researcher", False)]
)
def test_an_lea_only_need_is_seen_by_lea_members_and_coordinators_only(
    db, client_for, request, role, sees
):
    secret = NeedFactory(title="Covert drone interception", tier="lea")
    NeedFactory(title="Open data on border crossings")
    client = client_for(request.getfixturevalue(role))

    titles = _titles(client)
    detail = client.get(reverse("ipup:need-detail", args=[secret.pk]))

    assert "Open data on border crossings" in titles
    assert ("Covert drone interception" in titles) is sees
    assert detail.status_code == (200 if sees else 404)
    assert ("Covert drone" in client.get(NEEDS, {"q": "drone"}).content.decode()) is sees


def test_unverified_members_see_only_public_needs(client_for, unverified_member):
    NeedFactory(title="Members need", tier="members")
    NeedFactory(title="Public need", tier="public")

    assert _titles(client_for(unverified_member)) == {"Public need"}


def test_the_filters(client_for, lea_member):
    terror = Domain.objects.get(slug="terrorism")
    NeedFactory(title="A", domains=[terror], status="prioritised", source="desk")
    NeedFactory(title="B", research_answerable=False, out_of_scope_reason="training")
    client = client_for(lea_member)

    assert _titles(client, domain=terror.pk) == {"A"}
    assert _titles(client, status="prioritised") == {"A"}
    assert _titles(client, source="desk") == {"A"}
    assert _titles(client, answerable="no") == {"B"}
    assert _titles(client, q="b") == {"B"}


@pytest.mark.parametrize("role", ["lea_member", "researcher"])
def test_only_those_who_run_the_needs_analysis_record_or_move_needs(db, client_for, request, role):
    need = NeedFactory(status="collected")
    client = client_for(request.getfixturevalue(role))

    assert client.get(reverse("ipup:need-create")).status_code == 404
    assert client.post(reverse("ipup:need-create"), {"title": "x"}).status_code == 404
    moved = client.post(reverse("ipup:need-status", args=[need.pk]), {"status": "analysed"})
    assert moved.status_code == 404
    assert Need.objects.get(pk=need.pk).status == "collected"


def test_a_coordinator_records_a_need(client_for, coordinator):
    cyber = Domain.objects.get(slug="cybercrime")

    response = client_for(coordinator).post(
        reverse("ipup:need-create"),
        {"title": "Tracing ransomware payments", "domains": [cyber.pk], "source": "interview",
         "research_answerable": "on", "tier": "members"},
    )  # fmt: skip

    need = Need.objects.get()
    assert response["Location"] == reverse("ipup:need-detail", args=[need.pk])
    assert list(need.domains.all()) == [cyber]
    assert AuditLogEntry.objects.filter(action="need.create", actor=coordinator).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"domains": ["999999"]}, "Select a valid choice."),
        ({"research_answerable": ""}, "Say what answers this need instead of research."),
        ({"source": "rumour"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(client_for, coordinator, data, message):
    cyber = Domain.objects.get(slug="cybercrime")
    fields = {"title": "T", "domains": [cyber.pk], "source": "desk", "research_answerable": "on",
              "tier": "members"} | data  # fmt: skip

    response = client_for(coordinator).post(reverse("ipup:need-create"), fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Need.objects.exists()


def test_the_workflow_refuses_an_illegal_step(client_for, coordinator):
    need = NeedFactory(status="collected")
    client = client_for(coordinator)

    skipped = client.post(
        reverse("ipup:need-status", args=[need.pk]), {"status": "matched"}, follow=True
    )
    forward = client.post(reverse("ipup:need-status", args=[need.pk]), {"status": "analysed"})
    closed = client.post(reverse("ipup:need-status", args=[need.pk]), {"status": "closed"})

    assert "cannot go from" in skipped.content.decode()
    assert forward.status_code == closed.status_code == 302
    assert Need.objects.get(pk=need.pk).status == "closed"
    assert AuditLogEntry.objects.filter(action="need.status").count() == 2


def test_a_need_from_an_lea_discussion_keeps_the_link_and_stays_lea_only(
    client_for, manager, lea_member, researcher
):
    # (a community manager: they see every room; an IPUP coordinator sees the rooms of their tier)
    room = RoomFactory(tier="lea")
    thread = forum.thread_create(actor=lea_member, room=room, title="Encrypted phones", body="…")
    cyber = Domain.objects.get(slug="cybercrime")

    client_for(manager).post(
        reverse("ipup:need-from-thread", args=[thread.pk]),
        {
            "title": "Lawful access to encrypted phones",
            "domains": [cyber.pk],
            "research_answerable": "on",
        },
    )

    need = Need.objects.get()
    assert (need.source, need.source_thread, need.tier) == ("community", thread, "lea")
    page = client_for(lea_member).get(reverse("ipup:need-detail", args=[need.pk]))
    assert reverse("community:thread-detail", args=[thread.pk]) in page.content.decode()
    assert (
        client_for(researcher).get(reverse("ipup:need-detail", args=[need.pk])).status_code == 404
    )


def test_a_reader_who_cannot_open_the_thread_sees_neither_its_link_nor_its_title(
    client_for, coordinator, lea_member, researcher
):
    room = RoomFactory(tier="lea")
    thread = forum.thread_create(actor=lea_member, room=room, title="Informant handling", body="…")
    need = NeedFactory(title="Better informant protection", tier="members", source="community")
    need.source_thread = thread
    need.save()

    html = client_for(researcher).get(reverse("ipup:need-detail", args=[need.pk])).content.decode()

    assert "Better informant protection" in html
    assert "Informant handling" not in html
    assert reverse("community:thread-detail", args=[thread.pk]) not in html


def test_the_catalogue_costs_the_same_for_many_needs(
    client_for, lea_member, django_assert_max_num_queries
):
    client = client_for(lea_member)
    NeedFactory.create_batch(3)
    client.get(NEEDS)
    counts = []
    for n in (3, 30):
        NeedFactory.create_batch(n)
        with django_assert_max_num_queries(10) as captured:
            client.get(NEEDS)
        counts.append(len(captured))
    assert counts[0] == counts[1]
