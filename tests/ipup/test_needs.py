"""The needs catalogue: who sees which need, who records them, and the status workflow."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from community.models import AffiliationType, AuditLogEntry, Domain
from community.roles import Role
from community.services import forum
from ipup.models import Need
from ipup.services.needs import need_create, need_from_thread, need_status_change, need_update
from tests.community.factories import RoomFactory
from tests.ipup.factories import NeedFactory

NEEDS = reverse("ipup:need-list")


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


@pytest.fixture
def lea_coordinator(make_member):
    return make_member(AffiliationType.LEA, roles=[Role.IPUP_COORDINATOR])


def _titles(client, **params) -> set[str]:
    response = client.get(NEEDS, params)
    assert response.status_code == 200
    return {need.title for need in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("lea_member", True),
        ("lea_coordinator", True),
        ("manager", True),
        # an IPUP coordinator reads needs by their own tier, like everyone else
        ("coordinator", False),
        ("researcher", False),
    ],
)
def test_an_lea_only_need_is_seen_by_lea_members_and_managers_only(
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
    assert (need.source, need.source_thread, need.room, need.tier) == (
        "community", thread, room, "lea",
    )  # fmt: skip
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


# --- The catalogue, more ------------------------------------------------------------------------


def test_ranked_needs_come_first_with_their_score(client_for, lea_member):
    NeedFactory(title="Not ranked yet")
    NeedFactory(title="Ranked second", priority_score=2.5)
    NeedFactory(title="Ranked first", priority_score=4.25)

    response = client_for(lea_member).get(NEEDS)

    titles = [need.title for need in response.context["page"].object_list]
    assert titles == ["Ranked first", "Ranked second", "Not ranked yet"]
    assert "4.25" in response.content.decode()


def test_an_unknown_domain_in_the_filters_is_a_clear_error_not_every_need(client_for, lea_member):
    NeedFactory(title="Anything")

    response = client_for(lea_member).get(NEEDS, {"domain": "999999"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_the_catalogue_is_for_signed_in_members(db, client):
    NeedFactory(title="Public need", tier="public")

    response = client.get(NEEDS)

    assert response.status_code == 302
    assert "Public need" not in response.content.decode()


@pytest.mark.parametrize(
    "role", ["lea_member", "industry_member", "researcher", "unverified_member"]
)
def test_outsiders_cannot_edit_a_need_or_record_one_from_a_thread(
    client_for, request, lea_member, role
):
    need = NeedFactory(title="Untouched", tier="public")
    thread = forum.thread_create(
        actor=lea_member, room=RoomFactory(tier="members"), title="Open talk", body="…"
    )
    client = client_for(request.getfixturevalue(role))

    edit = client.post(reverse("ipup:need-edit", args=[need.pk]), {"title": "Changed"})
    from_thread = client.get(reverse("ipup:need-from-thread", args=[thread.pk]))

    assert edit.status_code == from_thread.status_code == 404
    assert Need.objects.get(pk=need.pk).title == "Untouched"


def test_a_coordinator_edits_a_need_and_an_answerable_need_drops_its_reason(
    client_for, coordinator
):
    need = NeedFactory(research_answerable=False, out_of_scope_reason="training")
    cyber = Domain.objects.get(slug="cybercrime")

    response = client_for(coordinator).post(
        reverse("ipup:need-edit", args=[need.pk]),
        {"title": "Renamed", "domains": [cyber.pk], "source": "survey", "research_answerable": "on",
         "out_of_scope_reason": "training", "tier": "members"},
    )  # fmt: skip

    assert response.status_code == 302, response.context["form"].errors
    need.refresh_from_db()
    assert (need.title, need.research_answerable, need.out_of_scope_reason) == ("Renamed", True, "")
    entry = AuditLogEntry.objects.get(action="need.update")
    assert "title" in entry.data["changed"]


def test_the_status_form_offers_only_the_allowed_next_steps(client_for, coordinator):
    need = NeedFactory(status="screened")

    response = client_for(coordinator).get(reverse("ipup:need-detail", args=[need.pk]))

    offered = {status.value for status in response.context["next_statuses"]}
    assert offered == {"matched", "sota", "prioritised", "closed"}


def test_a_bad_status_is_refused_clearly_and_nothing_changes(client_for, coordinator):
    need = NeedFactory(status="collected")

    response = client_for(coordinator).post(
        reverse("ipup:need-status", args=[need.pk]), {"status": "rumour"}, follow=True
    )

    assert "“rumour” is not a status of a need." in response.content.decode()
    assert Need.objects.get(pk=need.pk).status == "collected"
    assert not AuditLogEntry.objects.filter(action="need.status").exists()


# --- The services -------------------------------------------------------------------------------


def test_an_illegal_transition_is_refused_by_the_service_and_nothing_changes(coordinator):
    need = NeedFactory(status="collected")

    with pytest.raises(ValidationError, match="cannot go from “Collected” to “Matched"):
        need_status_change(actor=coordinator, need=need, status="matched")
    with pytest.raises(ValidationError, match="cannot go from"):
        need_status_change(actor=coordinator, need=need, status="collected")

    assert Need.objects.get(pk=need.pk).status == "collected"
    assert not AuditLogEntry.objects.filter(action="need.status").exists()


def test_a_status_change_is_audited_with_its_reason(coordinator):
    need = NeedFactory(status="collected")

    need_status_change(actor=coordinator, need=need, status="analysed", reason="Workshop 3")

    entry = AuditLogEntry.objects.get(action="need.status")
    assert (entry.actor, entry.reason) == (coordinator, "Workshop 3")
    assert entry.data == {"previous": "collected", "new": "analysed"}


def test_an_out_of_scope_need_requires_its_reason(coordinator):
    cyber = Domain.objects.get(slug="cybercrime")

    with pytest.raises(ValidationError) as refused:
        need_create(
            actor=coordinator, title="More staff", domains=[cyber], source="interview",
            research_answerable=False,
        )  # fmt: skip
    need = need_create(
        actor=coordinator, title="More staff", domains=[cyber], source="interview",
        research_answerable=False, out_of_scope_reason="staffing",
    )  # fmt: skip

    assert "out_of_scope_reason" in refused.value.message_dict
    assert Need.objects.get() == need


def test_the_services_refuse_members_who_do_not_manage_needs(lea_member):
    need = NeedFactory(status="collected")

    with pytest.raises(PermissionDenied):
        need_status_change(actor=lea_member, need=need, status="analysed")
    with pytest.raises(PermissionDenied):
        need_update(actor=lea_member, need=need, title="Mine")

    assert Need.objects.get(pk=need.pk).title == need.title


@pytest.mark.parametrize(
    ("tier", "private"),
    [("lea", False), ("lea_research", False), ("members", False), ("members", True)],
)
def test_a_need_from_a_thread_takes_the_room_and_its_tier_and_a_title_of_its_own(
    manager, lea_member, tier, private
):
    terror = Domain.objects.get(slug="terrorism")
    room = RoomFactory(tier=tier, is_private=private, domain=terror)
    forum.room_grant(actor=manager, room=room, member=lea_member)
    thread = forum.thread_create(actor=lea_member, room=room, title="Soft targets", body="…")

    need = need_from_thread(actor=manager, thread=thread, title="Protecting crowded places")

    assert (need.title, need.tier, need.room, need.source, need.source_thread) == (
        "Protecting crowded places", tier, room, "community", thread,
    )  # fmt: skip
    assert list(need.domains.all()) == [terror]


def test_a_need_from_a_thread_without_a_title_is_refused(manager, lea_member):
    room = RoomFactory(tier="lea", is_private=True)
    forum.room_grant(actor=manager, room=room, member=lea_member)
    thread = forum.thread_create(actor=lea_member, room=room, title="Informants", body="…")

    with pytest.raises(ValidationError) as refused:
        need_from_thread(actor=manager, thread=thread, title="", domains=Domain.objects.all()[:1])

    assert "title" in refused.value.message_dict
    assert not Need.objects.exists()


def test_a_need_cannot_be_recorded_from_a_thread_its_recorder_cannot_see(coordinator, lea_member):
    # an IPUP coordinator (not an LEA member) does not see LEA-only rooms
    thread = forum.thread_create(
        actor=lea_member, room=RoomFactory(tier="lea"), title="Covert units", body="…"
    )

    with pytest.raises(Http404):
        need_from_thread(
            actor=coordinator, thread=thread, title="Covert", domains=Domain.objects.all()[:1]
        )

    assert not Need.objects.exists()


def test_the_thread_form_leaves_the_title_to_the_recorder_and_refuses_a_thread_out_of_sight(
    client_for, coordinator, lea_member
):
    cyber = Domain.objects.get(slug="cybercrime")
    visible = forum.thread_create(
        actor=lea_member, room=RoomFactory(tier="members", domain=cyber), title="Drone swarms",
        body="…",
    )  # fmt: skip
    hidden = forum.thread_create(
        actor=lea_member, room=RoomFactory(tier="lea"), title="Covert units", body="…"
    )
    client = client_for(coordinator)

    form = client.get(reverse("ipup:need-from-thread", args=[visible.pk]))
    untitled = client.post(
        reverse("ipup:need-from-thread", args=[visible.pk]),
        {"title": "", "domains": [cyber.pk], "research_answerable": "on"},
    )
    refused = client.post(
        reverse("ipup:need-from-thread", args=[hidden.pk]),
        {"title": "Covert units", "domains": [cyber.pk]},
    )

    assert form.context["form"]["title"].value() is None
    assert form.context["form"]["domains"].value() == [cyber.pk]
    assert "All verified members" in form.content.decode()
    assert untitled.status_code == 200
    assert "This field is required." in untitled.content.decode()
    assert refused.status_code == 404
    assert not Need.objects.exists()
