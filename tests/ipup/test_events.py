"""Showcase events and webinars (SPEC §3.8): creation, the agenda of approved projects only,
the pages for every role, attendance, query budgets."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, AuditLogEntry, Event
from community.roles import Role
from community.tiers import Tier
from ipup.models import (
    AgendaItem,
    AudienceCategory,
    DocumentKind,
    DocumentVersion,
    EventRegistration,
    ProjectDocument,
    ShowcaseEvent,
)
from ipup.services.events import (
    agenda_add,
    attendance_mark,
    registration_create,
    showcase_create,
)
from tests.ipup.factories import ResearchProjectFactory

pytestmark = pytest.mark.django_db

LEA = AudienceCategory.LEA_PRACTITIONER.value


def approve(project, kinds=tuple(DocumentKind.values)):
    """Give ``project`` an approved version of each document of ``kinds``."""
    now = timezone.now()
    for kind in kinds:
        document = ProjectDocument.objects.create(project=project, kind=kind, state="approved")
        version = DocumentVersion.objects.create(
            document=document, number=1, data={}, decision="approved", decided_at=now
        )
        document.latest_version = document.approved_version = version
        document.save(update_fields=["latest_version", "approved_version"])
    return project


def presentable(**fields):
    return approve(ResearchProjectFactory(**fields))


def showcase_for(actor, *, starts_in=timedelta(days=7), capacity=None, categories=(LEA,),
                 tier=Tier.MEMBERS, online_url="https://meet.example.eu/room-42",
                 **fields):  # fmt: skip
    starts = timezone.now() + starts_in
    return showcase_create(
        actor=actor,
        format=fields.pop("format", ShowcaseEvent.Format.SHOWCASE),
        project=fields.pop("project", None),
        capacity=capacity,
        categories=list(categories),
        registration_closes_at=fields.pop("registration_closes_at", None),
        title=fields.pop("title", "Showcase of results"),
        description="Projects present their results.",
        tier=tier,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        location="Brussels",
        online_url=online_url,
        **fields,
    )


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


def _detail(showcase):
    return reverse("ipup:showcase-detail", args=[showcase.pk])


def _form_data(**overrides):
    starts = timezone.now() + timedelta(days=10)
    data = {
        "format": "showcase",
        "title": "Autumn showcase",
        "tier": Tier.MEMBERS,
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Lyon",
        "online_url": "",
        "description": "",
        "categories": [LEA, AudienceCategory.PROCUREMENT.value],
        "capacity": "30",
        "registration_closes_at": "",
        "follow_up_threshold": "60",
    }
    data.update(overrides)
    return data


# --- Creation --------------------------------------------------------------------------------


def test_an_organiser_gives_an_event_only_an_audience_they_are_part_of(
    client_for, coordinator, lea_coordinator
):
    # Found by an attacker's pass: a coordinator outside the LEA tier made an LEA-only event
    # they could then neither see nor manage, and could link a follow-up to an event they may
    # not see (and so learn that it exists).
    lea_only = showcase_for(lea_coordinator, tier=Tier.LEA, title="LEA only")
    client = client_for(coordinator)

    refused_tier = client.post(reverse("ipup:showcase-create"), _form_data(tier=Tier.LEA))
    refused_link = client.post(
        reverse("ipup:showcase-create"), _form_data(follow_up_of=str(lea_only.pk))
    )

    assert "Choose an audience you are part of" in refused_tier.content.decode()
    assert "was not found" in refused_link.content.decode()
    assert list(ShowcaseEvent.objects.all()) == [lea_only]


def test_a_coordinator_creates_a_showcase_on_the_calendar(client_for, coordinator):
    response = client_for(coordinator).post(reverse("ipup:showcase-create"), _form_data())

    showcase = ShowcaseEvent.objects.get()
    assert response.status_code == 302
    assert response.url == _detail(showcase)
    assert showcase.event.kind == Event.Kind.SHOWCASE
    assert showcase.capacity == 30
    assert showcase.categories == [LEA, "procurement"]
    assert AuditLogEntry.objects.filter(action="showcase.create").exists()
    # on the calendar, linked to its page
    page = client_for(coordinator).get(reverse("community:event-detail", args=[showcase.event.pk]))
    assert _detail(showcase) in page.content.decode()


def test_a_webinar_puts_its_project_on_the_agenda(client_for, coordinator):
    project = presentable(acronym="WEBPRJ")

    client_for(coordinator).post(
        reverse("ipup:showcase-create"), _form_data(format="webinar", project=str(project.pk))
    )

    showcase = ShowcaseEvent.objects.get()
    assert showcase.event.kind == Event.Kind.WEBINAR
    assert list(showcase.agenda.values_list("project__acronym", flat=True)) == ["WEBPRJ"]


def test_the_form_is_prefilled_for_a_follow_up_webinar(client_for, coordinator):
    project = presentable(acronym="FOLLOW")
    earlier = showcase_for(coordinator)

    response = client_for(coordinator).get(
        reverse("ipup:showcase-create"),
        {"format": "webinar", "project": project.pk, "follow_up_of": earlier.pk},
    )

    html = response.content.decode()
    assert f'value="{project.pk}" selected' in html
    assert f'name="follow_up_of" value="{earlier.pk}"' in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2020-01-01T10:00"}, "The event must end after it starts."),
        ({"registration_closes_at": "2099-01-01T10:00"}, "Registration must close before"),
        ({"capacity": "0"}, "greater than or equal to 1"),
        ({"categories": []}, "This field is required"),
        ({"format": "webinar"}, "A webinar presents one project"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(client_for, coordinator, overrides, message):
    response = client_for(coordinator).post(
        reverse("ipup:showcase-create"), _form_data(**overrides)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()
    assert not ShowcaseEvent.objects.exists()


def test_the_service_refuses_dates_in_the_wrong_order(coordinator):
    from django.core.exceptions import ValidationError

    starts = timezone.now() + timedelta(days=2)

    with pytest.raises(ValidationError, match="end after it starts"):
        showcase_create(
            actor=coordinator, format="showcase", capacity=None, categories=[LEA], title="T",
            tier=Tier.MEMBERS, starts_at=starts, ends_at=starts - timedelta(days=1),
        )  # fmt: skip

    assert not Event.objects.exists()


def test_members_cannot_create_or_edit(client_for, lea_member, researcher, coordinator):
    showcase = showcase_for(coordinator)
    for member in (lea_member, researcher):
        client = client_for(member)
        assert client.get(reverse("ipup:showcase-create")).status_code == 404
        assert client.post(reverse("ipup:showcase-create"), _form_data()).status_code == 404
        edit = reverse("ipup:showcase-edit", args=[showcase.pk])
        assert client.post(edit, _form_data(title="Hijacked")).status_code == 404
    showcase.event.refresh_from_db()
    assert showcase.event.title == "Showcase of results"
    assert ShowcaseEvent.objects.count() == 1


def test_an_organiser_edits_and_more_places_promote_the_waiting_list(
    client_for, coordinator, lea_member, make_member
):
    showcase = showcase_for(coordinator, capacity=1)
    registration_create(member=lea_member, showcase=showcase, category=LEA)
    waiting = registration_create(
        member=make_member(AffiliationType.LEA), showcase=showcase, category=LEA
    )
    assert waiting.status == "waiting"

    data = _form_data(capacity="2", categories=[LEA])
    del data["format"]
    response = client_for(coordinator).post(reverse("ipup:showcase-edit", args=[showcase.pk]), data)

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "registered"


# --- The agenda: approved projects only ------------------------------------------------------


def test_a_project_missing_an_approved_telos_cannot_be_scheduled(coordinator):
    from django.core.exceptions import ValidationError

    showcase = showcase_for(coordinator)
    project = approve(
        ResearchProjectFactory(acronym="NOTELOS"),
        kinds=[DocumentKind.ID_CARD, DocumentKind.SCENARIO],
    )

    with pytest.raises(ValidationError) as error:
        agenda_add(actor=coordinator, showcase=showcase, project=project)

    assert "TELOS assessment not approved" in " ".join(error.value.messages)
    assert not AgendaItem.objects.exists()


def test_the_page_refuses_a_project_without_approved_telos(client_for, coordinator):
    showcase = showcase_for(coordinator)
    project = approve(
        ResearchProjectFactory(acronym="NOTELOS"),
        kinds=[DocumentKind.ID_CARD, DocumentKind.SCENARIO],
    )
    client = client_for(coordinator)

    response = client.post(
        reverse("ipup:showcase-agenda-add", args=[showcase.pk]),
        {"project": project.pk},
        follow=True,
    )

    assert "NOTELOS cannot be put on an agenda: TELOS assessment not approved." in (
        response.content.decode()
    )
    assert not AgendaItem.objects.exists()
    # the form offers only presentable projects
    ready = presentable(acronym="READY")
    html = client.get(_detail(showcase)).content.decode()
    assert f'<option value="{ready.pk}">READY' in html
    assert f'<option value="{project.pk}"' not in html


def test_an_organiser_builds_and_orders_the_agenda(client_for, coordinator, lea_member):
    showcase = showcase_for(coordinator)
    first, second = presentable(acronym="ALPHA"), presentable(acronym="BRAVO")
    client = client_for(coordinator)
    add = reverse("ipup:showcase-agenda-add", args=[showcase.pk])

    client.post(add, {"project": first.pk, "presenter": "Dr Alpha"})
    client.post(add, {"project": second.pk})
    again = client.post(add, {"project": second.pk}, follow=True)
    assert "already on the agenda" in again.content.decode()
    item = showcase.agenda.get(project=second)
    client.post(
        reverse("ipup:showcase-agenda-move", args=[showcase.pk, item.pk]), {"direction": "up"}
    )

    assert list(showcase.agenda.values_list("project__acronym", flat=True)) == ["BRAVO", "ALPHA"]
    # members read the agenda with links to the projects, but get no organiser tools
    html = client_for(lea_member).get(_detail(showcase)).content.decode()
    assert reverse("ipup:project-detail", args=[first.pk]) in html
    assert "Dr Alpha" in html
    assert "agenda/" not in html
    assert client_for(lea_member).post(add, {"project": first.pk}).status_code == 404
    remove = reverse("ipup:showcase-agenda-remove", args=[showcase.pk, item.pk])
    assert client_for(lea_member).post(remove).status_code == 404
    client.post(remove)
    assert list(showcase.agenda.values_list("project__acronym", flat=True)) == ["ALPHA"]


def test_a_webinar_presents_its_one_project_only(coordinator):
    from django.core.exceptions import ValidationError

    project, other = presentable(), presentable()
    webinar = showcase_for(coordinator, format="webinar", project=project)

    with pytest.raises(ValidationError, match="one project only"):
        agenda_add(actor=coordinator, showcase=webinar, project=other)
    assert webinar.agenda.count() == 1


# --- Who sees what ---------------------------------------------------------------------------


def test_an_event_of_another_tier_is_not_found(lea_coordinator, client_for, coordinator, industry_member,
                                               unverified_member, lea_member):  # fmt: skip
    showcase = showcase_for(lea_coordinator, tier=Tier.LEA, title="LEA only")

    for member in (industry_member, unverified_member):
        client = client_for(member)
        assert client.get(_detail(showcase)).status_code == 404
        assert "LEA only" not in client.get(reverse("ipup:showcase-list")).content.decode()
        register = reverse("ipup:showcase-register", args=[showcase.pk])
        assert client.post(register, {"category": LEA}).status_code == 404
    assert not EventRegistration.objects.exists()
    assert client_for(lea_member).get(_detail(showcase)).status_code == 200
    assert "LEA only" in client_for(lea_member).get(reverse("ipup:showcase-list")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, coordinator):
    showcase = showcase_for(coordinator, tier=Tier.PUBLIC)

    assert client.get(_detail(showcase)).status_code == 302
    assert client.get(reverse("ipup:showcase-list")).status_code == 302


def test_the_manage_menu_links_the_list_for_organisers_only(client_for, coordinator, lea_member):
    assert reverse("ipup:showcase-list") in client_for(coordinator).get("/").content.decode()
    assert reverse("ipup:showcase-create") in (
        client_for(coordinator).get(reverse("ipup:showcase-list")).content.decode()
    )
    listing = client_for(lea_member).get(reverse("ipup:showcase-list")).content.decode()
    assert reverse("ipup:showcase-create") not in listing


# --- Attendance ------------------------------------------------------------------------------


def _started(showcase):
    Event.objects.filter(pk=showcase.event_id).update(starts_at=timezone.now() - timedelta(hours=1))


def test_organisers_mark_attendance_of_registered_participants_only(
    client_for, coordinator, lea_member, researcher, make_member
):
    from django.core.exceptions import ValidationError

    showcase = showcase_for(coordinator, capacity=1)
    present = registration_create(member=lea_member, showcase=showcase, category=LEA)
    waiting = registration_create(
        member=make_member(AffiliationType.LEA), showcase=showcase, category=LEA
    )
    url = reverse("ipup:showcase-attendance", args=[showcase.pk])

    # before the event: refused
    with pytest.raises(ValidationError, match="once the event has started"):
        attendance_mark(actor=coordinator, showcase=showcase, registration_ids=[present.pk])
    _started(showcase)
    # the waiting list: refused, nothing stored
    response = client_for(coordinator).post(
        url, {"attended": [present.pk, waiting.pk]}, follow=True
    )
    assert "Only registered participants" in response.content.decode()
    assert not EventRegistration.objects.filter(attended=True).exists()
    # a member forging the form: 404, nothing stored
    assert client_for(lea_member).post(url, {"attended": [present.pk]}).status_code == 404
    assert not EventRegistration.objects.filter(attended=True).exists()
    # the organiser ticks the registered participant
    client_for(coordinator).post(url, {"attended": [present.pk]})
    present.refresh_from_db()
    assert present.attended
    assert present.attendance_marked_by == coordinator
    # and unticks
    client_for(coordinator).post(url, {})
    present.refresh_from_db()
    assert not present.attended


def test_a_registration_of_another_event_cannot_be_marked(client_for, coordinator, lea_member):
    showcase, other = showcase_for(coordinator), showcase_for(coordinator)
    elsewhere = registration_create(member=lea_member, showcase=other, category=LEA)
    _started(showcase)

    client_for(coordinator).post(
        reverse("ipup:showcase-attendance", args=[showcase.pk]), {"attended": [elsewhere.pk]}
    )

    elsewhere.refresh_from_db()
    assert not elsewhere.attended


# --- Query budgets ---------------------------------------------------------------------------


def _populate(coordinator, make_member, *, events, participants):
    showcases = []
    for index in range(events):
        showcase = showcase_for(coordinator, title=f"Event {index}", capacity=participants)
        for _ in range(2):
            agenda_add(actor=coordinator, showcase=showcase, project=presentable())
        for _ in range(participants):
            member = make_member(AffiliationType.LEA, mfa=False)
            registration_create(member=member, showcase=showcase, category=LEA)
        showcases.append(showcase)
    return showcases


@pytest.mark.parametrize("size", [1, 6])
def test_the_list_keeps_a_constant_query_count(
    client_for, coordinator, make_member, django_assert_max_num_queries, size
):
    _populate(coordinator, make_member, events=size, participants=2)
    client = client_for(coordinator)
    client.get(reverse("ipup:showcase-list"))  # session, caches

    with django_assert_max_num_queries(7):
        response = client.get(reverse("ipup:showcase-list"))

    assert response.content.decode().count("Event ") >= size


@pytest.mark.parametrize("size", [2, 12])
def test_the_page_with_participants_keeps_a_constant_query_count(
    client_for, coordinator, make_member, django_assert_max_num_queries, size
):
    (showcase,) = _populate(coordinator, make_member, events=1, participants=size)
    client = client_for(coordinator)
    client.get(_detail(showcase))

    with django_assert_max_num_queries(12):
        response = client.get(_detail(showcase))

    assert response.content.decode().count('name="attended"') == size


def test_every_organiser_door_is_closed_to_members(
    client_for, coordinator, lea_member, researcher, unverified_member
):
    showcase = showcase_for(coordinator, tier=Tier.PUBLIC)
    item = agenda_add(actor=coordinator, showcase=showcase, project=presentable())
    registration = registration_create(member=lea_member, showcase=showcase, category=LEA)
    _started(showcase)
    doors = [
        ("ipup:showcase-edit", [showcase.pk], {"title": "x"}),
        ("ipup:showcase-agenda-add", [showcase.pk], {"project": item.project_id}),
        ("ipup:showcase-agenda-remove", [showcase.pk, item.pk], {}),
        ("ipup:showcase-agenda-move", [showcase.pk, item.pk], {"direction": "down"}),
        ("ipup:showcase-attendance", [showcase.pk], {"attended": [registration.pk]}),
    ]

    for member in (lea_member, researcher, unverified_member):
        client = client_for(member)
        for name, args, data in doors:
            assert client.post(reverse(name, args=args), data).status_code == 404, (member, name)
    # someone without a registration has nothing to cancel
    unregister = reverse("ipup:showcase-unregister", args=[showcase.pk])
    assert client_for(researcher).post(unregister).status_code == 404

    registration.refresh_from_db()
    assert (registration.status, registration.attended) == ("registered", False)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


@pytest.fixture
def lea_coordinator(make_member):
    """An IPUP coordinator of the LEA tier: one gives an event only an audience one is part of."""
    from community.roles import Role

    return make_member(AffiliationType.LEA, roles=[Role.IPUP_COORDINATOR],
                       email="lea.coordinator@example.org")  # fmt: skip
