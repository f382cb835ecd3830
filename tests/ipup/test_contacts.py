"""Living contacts (SPEC §3.5, issue 12): stale points of contact are e-mailed a single-use,
expiring link once a round, the project stays flagged until its contacts confirm, and the
coordinators see and remind the stale ones."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, AuditLogEntry
from community.roles import Role
from ipup.models import ContactCheck, ProjectContact, ResearchProject
from ipup.services.contacts import contacts_round_start
from ipup.tasks import contacts_round_task
from tests.ipup.factories import ProjectContactFactory, ResearchProjectFactory
from tests.mail_backends import FlakyBackend

LINK = re.compile(r"http://testserver(/ipup/contacts/confirm/[\w-]+/)")
STALE_PAGE = reverse("ipup:stale-projects")


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    FlakyBackend.refused, FlakyBackend.fail_after = set(), None
    yield FlakyBackend
    FlakyBackend.refused, FlakyBackend.fail_after = set(), None


def _ago(days: int):
    return timezone.now() - timedelta(days=days)


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def _link_for(email: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [email]]
    return LINK.search(message.body).group(1)


def _stale_contact(**fields):
    """A contact last verified two years ago (past the default age of a year)."""
    return ProjectContactFactory(verified_at=_ago(730), **fields)


# --- The round ----------------------------------------------------------------------------------


def test_a_round_emails_each_stale_contact_once_and_flags_their_projects(db):
    # given: a contact never verified, one verified two years ago, one verified last month
    never = ProjectContactFactory()
    old = _stale_contact()
    fresh = ProjectContactFactory(verified_at=_ago(30))

    # when: the weekly task runs, and is retried
    contacts_round_task.delay()
    contacts_round_task.delay()

    # then: each stale contact has exactly one e-mail with a link, the fresh one none
    assert _recipients() == sorted([never.email, old.email])
    assert "/ipup/contacts/confirm/" in mail.outbox[0].body
    assert ContactCheck.objects.filter(status="sent").count() == 2
    stale = set(ResearchProject.objects.filter(contacts_stale_since__isnull=False))
    assert stale == {never.project, old.project}
    assert fresh.project.contacts_stale_since is None


def test_a_round_interrupted_half_way_resumes_without_duplicates(db, flaky):
    contacts = [_stale_contact() for _ in range(5)]

    # when: the mail server goes away after two e-mails
    flaky.fail_after = 2
    with pytest.raises(OSError, match="Connection"):
        contacts_round_start(today=timezone.localdate())

    # then: two checks are sent, three wait, none of the waiting ones holds a token
    assert len(mail.outbox) == 2
    assert ContactCheck.objects.filter(status="sent").count() == 2
    waiting = ContactCheck.objects.filter(status="pending")
    assert waiting.count() == 3
    assert not waiting.filter(token_hash__isnull=False).exists()

    # when: the task is retried (the next day even) with the server back
    flaky.fail_after = None
    contacts_round_start(today=timezone.localdate() + timedelta(days=1))

    # then: everyone has exactly one e-mail, and no second check was written
    assert _recipients() == sorted(c.email for c in contacts)
    assert ContactCheck.objects.count() == 5


def test_a_contact_is_asked_again_only_once_their_link_has_expired(db):
    contact = _stale_contact()
    today = timezone.localdate()
    contacts_round_start(today=today)

    # a week later, the link is still valid: no second e-mail
    contacts_round_start(today=today + timedelta(days=7))
    assert len(mail.outbox) == 1

    # once the link has expired, the next round asks again
    contacts_round_start(today=today + timedelta(days=settings.CONTACT_TOKEN_VALID_DAYS + 1))
    assert _recipients() == [contact.email, contact.email]


def test_a_contact_of_a_project_that_ended_ten_years_ago_is_still_asked(db):
    project = ResearchProjectFactory(
        programme="FP7-SECURITY", start_date=date(2011, 1, 1), end_date=date(2014, 12, 31)
    )
    contact = ProjectContactFactory(project=project, verified_at=_ago(3650))

    contacts_round_start(today=timezone.localdate())

    assert _recipients() == [contact.email]
    project.refresh_from_db()
    assert project.contacts_stale_since is not None


def test_a_refused_address_is_recorded_and_the_others_are_asked(db, flaky):
    good = _stale_contact()
    bad = _stale_contact(email="gone@project.example.eu")
    flaky.refused = {bad.email}

    counts = contacts_round_start(today=timezone.localdate())

    assert counts["sent"] == 1
    assert counts["failed"] == 1
    assert _recipients() == [good.email]
    failed = ContactCheck.objects.get(contact=bad)
    assert failed.status == "failed"
    assert "No such user" in failed.error


def test_the_round_is_scheduled_weekly():
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "ipup.tasks.contacts_round_task"
    )
    assert entry["schedule"].day_of_week == {2}


# --- The confirmation page ----------------------------------------------------------------------


@pytest.fixture
def asked(db):
    """A stale contact of a project, e-mailed by a round: (contact, the link's path)."""
    project = ResearchProjectFactory(acronym="ROXANNE", title="Real time network analysis")
    contact = _stale_contact(project=project, name="Ada Lovelace", phone="+32 2 555 01 02")
    contacts_round_start(today=timezone.localdate())
    return contact, _link_for(contact.email)


def test_the_confirmation_page_works_without_an_account(client, asked):
    contact, link = asked

    response = client.get(link)

    assert response.status_code == 200
    page = response.content.decode()
    assert "ROXANNE" in page
    assert contact.email in page
    assert "+32 2 555 01 02" in page


def test_still_valid_verifies_the_contact_and_clears_the_stale_flag(client, asked):
    contact, link = asked
    before = timezone.now()

    response = client.post(link, {"action": "confirm"})

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    contact.refresh_from_db()
    assert contact.verified_at >= before
    assert contact.project.contacts_stale_since is None
    assert ContactCheck.objects.get(contact=contact).answered_at is not None
    entry = AuditLogEntry.objects.get(action="project.contact_confirm")
    assert entry.actor is None
    assert entry.data == {"project": contact.project_id, "contact": contact.pk, "fields": []}


def test_a_link_works_once(client, asked):
    contact, link = asked
    client.post(link, {"action": "confirm"})
    verified_at = ProjectContact.objects.get(pk=contact.pk).verified_at

    again = client.post(link, {"action": "update", "name": "Someone Else", "email": "x@y.eu"})
    shown = client.get(link)

    assert again.status_code == 410
    assert shown.status_code == 410
    assert "already been used" in shown.content.decode()
    contact.refresh_from_db()
    assert contact.name == "Ada Lovelace"
    assert contact.verified_at == verified_at


def test_an_expired_link_is_refused_and_reveals_nothing(client, asked):
    contact, link = asked
    ContactCheck.objects.filter(contact=contact).update(expires_at=_ago(1))

    shown = client.get(link)
    posted = client.post(link, {"action": "confirm"})

    assert shown.status_code == posted.status_code == 410
    page = shown.content.decode()
    assert "expired" in page
    assert "ROXANNE" not in page
    assert contact.email not in page
    contact.refresh_from_db()
    assert contact.verified_at < _ago(700)
    assert ResearchProject.objects.get(pk=contact.project_id).contacts_stale_since is not None


@pytest.mark.parametrize("tamper", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), str.upper])
def test_a_tampered_link_is_not_found(client, asked, tamper):
    contact, link = asked
    token = link.rstrip("/").rsplit("/", 1)[1]

    response = client.get(reverse("ipup:contact-confirm", args=[tamper(token)]))
    posted = client.post(
        reverse("ipup:contact-confirm", args=[tamper(token)]), {"action": "confirm"}
    )

    assert response.status_code == posted.status_code == 404
    assert "ROXANNE" not in response.content.decode()
    assert ProjectContact.objects.get(pk=contact.pk).verified_at < _ago(700)


def test_the_stale_flag_clears_only_when_every_contact_has_confirmed(client, db):
    project = ResearchProjectFactory()
    first = _stale_contact(project=project)
    second = _stale_contact(project=project)
    ProjectContactFactory(project=project, verified_at=_ago(10))
    contacts_round_start(today=timezone.localdate())

    client.post(_link_for(first.email), {"action": "confirm"})
    project.refresh_from_db()
    assert project.contacts_stale_since is not None

    client.post(_link_for(second.email), {"action": "confirm"})
    project.refresh_from_db()
    assert project.contacts_stale_since is None


def test_updating_the_details_saves_them_and_audits_the_fields_not_the_values(client, asked):
    contact, link = asked

    response = client.post(
        link,
        {
            "action": "update",
            "name": "Grace Hopper",
            "email": "grace@newlab.example.eu",
            "phone": "+32 2 555 01 02",
            "function": "Scientific coordinator",
        },
    )

    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.function) == (
        "Grace Hopper",
        "grace@newlab.example.eu",
        "Scientific coordinator",
    )
    assert contact.verified_at > _ago(1)
    entry = AuditLogEntry.objects.get(action="project.contact_update")
    assert entry.data["fields"] == ["name", "email", "function"]
    assert "grace" not in str(entry.data).lower()


def test_an_update_with_bad_input_shows_errors_and_changes_nothing(client, asked):
    contact, link = asked

    response = client.post(
        link,
        {"action": "update", "name": "  ", "email": "not-an-address", "phone": "call me maybe"},
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"name", "email", "phone"}
    page = response.content.decode()
    assert "Ada Lovelace" in page  # the stored details, not the posted ones
    contact.refresh_from_db()
    assert contact.name == "Ada Lovelace"
    assert contact.verified_at < _ago(700)
    check = ContactCheck.objects.get(contact=contact)
    assert check.answered_at is None  # the link still works
    assert client.get(link).status_code == 200


def test_an_unknown_action_changes_nothing(client, asked):
    contact, link = asked

    response = client.post(link, {"action": "delete"})

    assert response.status_code == 400
    assert ContactCheck.objects.get(contact=contact).answered_at is None


@pytest.mark.parametrize(
    "standing",
    [
        {},
        {"accept": False},
        {"suspended_until": timezone.now() + timedelta(days=3)},
        {"affiliation": AffiliationType.LEA, "mfa": False},
    ],
    ids=["good", "charter-not-accepted", "suspended", "mfa-not-set-up"],
)
def test_the_confirmation_page_works_for_a_signed_in_member_of_any_standing(
    make_member, client_for, asked, standing
):
    contact, link = asked
    member = make_member(**standing)

    client = client_for(member)

    assert client.get(link).status_code == 200
    assert client.post(link, {"action": "confirm"}).status_code == 200
    assert ProjectContact.objects.get(pk=contact.pk).verified_at > _ago(1)


# --- The coordinators' page ---------------------------------------------------------------------


def test_the_stale_projects_page_lists_each_contact_and_its_check(client_for, coordinator, flaky):
    project = ResearchProjectFactory(acronym="STALEPROJ")
    asked = _stale_contact(project=project, name="Asked Person")
    refused = _stale_contact(project=project, name="Refused Person", email="gone@x.eu")
    ProjectContactFactory(project=project, name="Fresh Person", verified_at=_ago(5))
    ProjectContactFactory(name="Elsewhere Person", verified_at=_ago(5))
    flaky.refused = {refused.email}
    contacts_round_start(today=timezone.localdate())

    response = client_for(coordinator).get(STALE_PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "STALEPROJ" in page
    assert "Elsewhere Person" not in page
    assert "e-mailed on" in page
    assert "address refused" in page
    assert "up to date" in page  # the fresh contact
    assert reverse("ipup:contact-remind", args=[asked.pk]) in page
    assert reverse("ipup:project-detail", args=[project.pk]) in page
    assert reverse("ipup:project-contacts", args=[project.pk]) in page


@pytest.mark.parametrize("who", ["lea_member", "researcher", "industry_member"])
def test_the_stale_projects_page_is_not_found_for_members(db, request, client_for, who):
    _stale_contact()
    contacts_round_start(today=timezone.localdate())
    member = request.getfixturevalue(who)

    assert client_for(member).get(STALE_PAGE).status_code == 404


def test_the_stale_projects_page_asks_a_visitor_to_sign_in(client, db):
    response = client.get(STALE_PAGE)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_stale_projects_page_costs_the_same_whatever_the_number_of_projects(
    client_for, coordinator, django_assert_max_num_queries
):
    def stale_projects(count):
        for _ in range(count):
            project = ResearchProjectFactory()
            _stale_contact(project=project)
            ProjectContactFactory(project=project)
        contacts_round_start(today=timezone.localdate())

    client = client_for(coordinator)
    stale_projects(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(STALE_PAGE).status_code == 200
    stale_projects(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(STALE_PAGE)
    assert response.content.decode().count('<article id="project-') == 22


def test_the_page_is_linked_from_the_manage_menu_and_the_home_page(client_for, coordinator):
    _stale_contact()
    contacts_round_start(today=timezone.localdate())

    page = client_for(coordinator).get(reverse("community:home")).content.decode()

    assert page.count(f'href="{STALE_PAGE}"') == 2
    assert re.search(r'id="stale-projects">\s*1\s*<', page)


def test_members_have_no_link_to_the_page(client_for, researcher):
    page = client_for(researcher).get(reverse("community:home")).content.decode()

    assert STALE_PAGE not in page


# --- Reminders ----------------------------------------------------------------------------------


def test_a_coordinator_reminds_a_contact_with_a_new_link_once_a_day(
    client_for, coordinator, django_capture_on_commit_callbacks
):
    contact = _stale_contact()
    # the weekly round asked them a while ago
    contacts_round_start(today=timezone.localdate() - timedelta(days=10))
    first_link = _link_for(contact.email)
    mail.outbox.clear()
    client = client_for(coordinator)
    remind = reverse("ipup:contact-remind", args=[contact.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind, {"page": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind)

    assert response.status_code == 302
    assert response["Location"] == f"{STALE_PAGE}?page=1"
    assert _recipients() == [contact.email]
    second_link = _link_for(contact.email)
    assert second_link != first_link
    follow = client.get(STALE_PAGE).content.decode()
    assert "already e-mailed today" in follow
    assert AuditLogEntry.objects.filter(action="project.contact_remind", actor=coordinator).count()

    # answering the new link closes the old one too
    client_for(None).post(second_link, {"action": "confirm"})
    assert client_for(None).get(first_link).status_code == 410


def test_a_contact_who_confirmed_is_not_reminded(client_for, coordinator):
    contact = ProjectContactFactory(verified_at=_ago(3))

    response = client_for(coordinator).post(
        reverse("ipup:contact-remind", args=[contact.pk]), follow=True
    )

    assert "confirmed their details recently" in response.content.decode()
    assert mail.outbox == []
    assert not ContactCheck.objects.exists()


def test_members_cannot_remind(client_for, researcher):
    contact = _stale_contact()

    response = client_for(researcher).post(reverse("ipup:contact-remind", args=[contact.pk]))

    assert response.status_code == 404
    assert mail.outbox == []
    assert not ContactCheck.objects.exists()
