"""National contact points: naming them, the handover when one leaves (a country is never
left without a contact), and the alerts to community managers."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from community import tasks
from community.models import AffiliationType, AuditLogEntry, NationalContact
from community.roles import Role, roles_of
from community.selectors.directory import national_contact_gaps
from community.services.network import national_contact_assign, national_contact_leave
from community.tasks import national_contact_alert_task
from tests.community.factories import UserFactory

CONTACTS = reverse("community:national-contacts")


def _belgians(n):
    return UserFactory.create_batch(n, affiliation_type=AffiliationType.LEA, country="BE")


def _slots(country="BE"):
    return dict(
        NationalContact.objects.filter(country=country).values_list("role", "member__email")
    )


@pytest.fixture
def belgium(django_capture_on_commit_callbacks, manager):
    """Belgium with a contact and a deputy; the alerts of the set-up are cleared."""
    contact, deputy = _belgians(2)
    with django_capture_on_commit_callbacks(execute=True):
        national_contact_assign(actor=manager, country="BE", role="contact", member=contact)
        national_contact_assign(actor=manager, country="BE", role="deputy", member=deputy)
    mail.outbox.clear()
    return contact, deputy


def _alerts():
    return [m for m in mail.outbox if "national contact" in m.subject]


def test_naming_a_contact_gives_the_role_and_replacing_them_takes_it_back(
    django_capture_on_commit_callbacks, manager, belgium
):
    contact, _deputy = belgium
    successor = _belgians(1)[0]

    with django_capture_on_commit_callbacks(execute=True):
        national_contact_assign(actor=manager, country="BE", role="contact", member=successor)

    assert _slots()["contact"] == successor.email
    successor.refresh_from_db()
    contact.refresh_from_db()
    assert Role.NATIONAL_CONTACT.value in roles_of(successor)
    assert Role.NATIONAL_CONTACT.value not in roles_of(contact)
    assert AuditLogEntry.objects.filter(
        action="national_contact.assign", target_id=str(successor.pk)
    ).exists()
    assert _alerts() == []  # Belgium still has both


def test_when_the_contact_leaves_the_deputy_is_promoted_and_managers_alerted(
    django_capture_on_commit_callbacks, manager, belgium
):
    contact, deputy = belgium

    with django_capture_on_commit_callbacks(execute=True):
        national_contact_leave(actor=manager, member=contact)

    assert _slots() == {"contact": deputy.email}
    contact.refresh_from_db()
    assert Role.NATIONAL_CONTACT.value not in roles_of(contact)
    (alert,) = _alerts()
    assert alert.to == [manager.email]
    assert "Belgium: Deputy" in alert.body
    entry = AuditLogEntry.objects.get(action="national_contact.leave")
    assert entry.data["promoted_deputy"] == deputy.pk


def test_a_named_successor_takes_over_and_nothing_is_missing(
    django_capture_on_commit_callbacks, manager, belgium
):
    contact, deputy = belgium
    successor = _belgians(1)[0]

    with django_capture_on_commit_callbacks(execute=True):
        national_contact_leave(actor=manager, member=contact, successor=successor)

    assert _slots() == {"contact": successor.email, "deputy": deputy.email}
    assert _alerts() == []


def test_a_contact_without_deputy_or_successor_cannot_leave(
    manager, django_capture_on_commit_callbacks
):
    (contact,) = _belgians(1)
    with django_capture_on_commit_callbacks(execute=True):
        national_contact_assign(actor=manager, country="BE", role="contact", member=contact)

    with pytest.raises(ValidationError, match="left without a national contact"):
        national_contact_leave(actor=manager, member=contact)

    assert _slots() == {"contact": contact.email}


def test_a_deleted_account_empties_the_slot_and_alerts_managers(
    django_capture_on_commit_callbacks, manager
):
    (contact,) = _belgians(1)
    with django_capture_on_commit_callbacks(execute=True):
        national_contact_assign(actor=manager, country="BE", role="contact", member=contact)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        national_contact_leave(actor=contact, member=contact, force=True)

    assert _slots() == {}
    (alert,) = _alerts()
    assert "Belgium: Point of contact, Deputy" in alert.body


def test_a_contact_must_be_verified_and_of_that_country(manager):
    french = UserFactory(affiliation_type=AffiliationType.LEA, country="FR")
    unverified = UserFactory(country="BE", unverified=True)

    with pytest.raises(ValidationError, match="does not work in this country"):
        national_contact_assign(actor=manager, country="BE", role="contact", member=french)
    with pytest.raises(ValidationError, match="must be verified"):
        national_contact_assign(actor=manager, country="BE", role="contact", member=unverified)
    assert not NationalContact.objects.exists()


def test_the_weekly_check_tells_each_active_manager_every_country_lacking_someone(
    make_member, manager, belgium
):
    # given a second manager, a suspended one, and the Netherlands with a member but no contact
    other = make_member(AffiliationType.OTHER, roles=[Role.COMMUNITY_MANAGER], country="BE")
    make_member(
        AffiliationType.OTHER,
        roles=[Role.COMMUNITY_MANAGER],
        suspended_until=timezone.now() + timedelta(days=3),
    )
    UserFactory(country="NL")

    # when the beat schedule's weekly run comes
    sent = national_contact_alert_task.delay().get()

    # then each active manager gets their own e-mail; France is the managers' own country
    assert sent == 2
    assert national_contact_gaps() == [
        {"country": "FR", "missing": ["contact", "deputy"]},
        {"country": "NL", "missing": ["contact", "deputy"]},
    ]
    alerts = _alerts()
    assert sorted(a.to[0] for a in alerts) == sorted([manager.email, other.email])
    assert all(len(a.to) == 1 for a in alerts)
    assert "Netherlands: Point of contact, Deputy" in alerts[0].body
    assert "Belgium" not in alerts[0].body


def test_a_retried_alert_does_not_tell_a_manager_twice(make_member, manager, monkeypatch):
    # given two managers, and a mail server that fails once on the second e-mail
    make_member(AffiliationType.OTHER, roles=[Role.COMMUNITY_MANAGER])
    real_send, calls = tasks.email_send, []

    def flaky_send(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 2:
            raise ConnectionRefusedError
        real_send(**kwargs)

    monkeypatch.setattr(tasks, "email_send", flaky_send)

    # when the alert runs, fails, and runs again as the worker would retry it
    with pytest.raises(Retry) as retry:
        national_contact_alert_task.apply()
    retry.value.sig.apply()

    # then each manager got one e-mail
    assert len(calls) == 3
    assert sorted(m.to[0] for m in _alerts()) == sorted(set(calls))


def test_nothing_is_sent_when_every_country_is_covered(manager, belgium):
    manager.country = "BE"
    manager.save(update_fields=["country"])

    assert national_contact_alert_task.delay().get() == 0
    assert _alerts() == []


def test_a_leaving_deputy_without_successor_leaves_the_place_empty(
    django_capture_on_commit_callbacks, manager, belgium
):
    contact, deputy = belgium

    with django_capture_on_commit_callbacks(execute=True):
        national_contact_leave(actor=manager, member=deputy)

    assert _slots() == {"contact": contact.email}
    deputy.refresh_from_db()
    assert Role.NATIONAL_CONTACT.value not in roles_of(deputy)
    (alert,) = _alerts()
    assert "Belgium: Deputy" in alert.body


def test_a_successor_moving_from_another_country_leaves_a_gap_there_that_is_reported(
    django_capture_on_commit_callbacks, manager, belgium
):
    # given a Dutch deputy who has since moved to Belgium
    contact, deputy = belgium
    mover = UserFactory(affiliation_type=AffiliationType.LEA, country="NL")
    dutch = UserFactory(affiliation_type=AffiliationType.LEA, country="NL")
    with django_capture_on_commit_callbacks(execute=True):
        national_contact_assign(actor=manager, country="NL", role="contact", member=dutch)
        national_contact_assign(actor=manager, country="NL", role="deputy", member=mover)
    mover.country = "BE"
    mover.save(update_fields=["country"])
    mail.outbox.clear()

    # when they succeed the Belgian contact
    with django_capture_on_commit_callbacks(execute=True):
        national_contact_leave(actor=manager, member=contact, successor=mover)

    # then Belgium is complete and the managers hear that the Netherlands lack a deputy
    assert _slots() == {"contact": mover.email, "deputy": deputy.email}
    assert _slots("NL") == {"contact": dutch.email}
    (alert,) = _alerts()
    assert "Netherlands: Deputy" in alert.body
    assert "Belgium" not in alert.body


# --- Pages ----------------------------------------------------------------------------------------


def test_members_see_the_contacts_with_their_email(client_for, researcher, belgium):
    contact, deputy = belgium

    html = client_for(researcher).get(CONTACTS).content.decode()

    assert contact.email in html
    assert deputy.email in html
    assert "Hand over" not in html


def test_a_manager_names_and_hands_over_through_the_pages(
    django_capture_on_commit_callbacks, client_for, manager, belgium
):
    contact, _deputy = belgium
    successor = _belgians(1)[0]
    client = client_for(manager)

    with django_capture_on_commit_callbacks(execute=True):
        named = client.post(
            CONTACTS, {"country": "BE", "role": "deputy", "member": f"@{successor.handle}"}
        )
        handed = client.post(
            reverse("community:national-contact-handover", args=[contact.pk]), {"successor": ""}
        )

    assert named.status_code == 302
    assert handed.status_code == 302
    assert _slots() == {"contact": successor.email}  # the new deputy was promoted
    assert len(_alerts()) == 1  # Belgium now lacks a deputy


@pytest.mark.parametrize("role", ["lea_member", "researcher", "unverified_member"])
def test_only_managers_name_or_hand_over(client_for, request, role, belgium):
    contact, _deputy = belgium
    client = client_for(request.getfixturevalue(role))
    (someone,) = _belgians(1)

    named = client.post(CONTACTS, {"country": "BE", "role": "contact", "member": someone.email})
    handed = client.post(reverse("community:national-contact-handover", args=[contact.pk]))

    assert named.status_code == 404
    assert handed.status_code == 404
    assert _slots()["contact"] == contact.email


def test_bad_input_is_refused_with_a_clear_message(client_for, manager, belgium):
    contact, _deputy = belgium
    client = client_for(manager)

    unknown = client.post(CONTACTS, {"country": "BE", "role": "contact", "member": "nobody@x.org"})
    bad_role = client.post(CONTACTS, {"country": "BE", "role": "boss", "member": contact.email})
    wrong_country = client.post(
        CONTACTS, {"country": "FR", "role": "contact", "member": contact.email}
    )

    assert "No member with this e-mail address or handle." in unknown.content.decode()
    assert bad_role.context["form"].errors["role"]
    assert "does not work in this country" in wrong_country.content.decode()
    assert _slots()["contact"] == contact.email


def test_a_refused_handover_says_why_and_changes_nothing(client_for, manager, belgium):
    contact, deputy = belgium
    french = UserFactory(affiliation_type=AffiliationType.LEA, country="FR")
    client = client_for(manager)
    handover = reverse("community:national-contact-handover", args=[deputy.pk])

    unknown = client.post(handover, {"successor": "nobody@example.org"}, follow=True)
    abroad = client.post(handover, {"successor": french.email}, follow=True)
    client.post(handover, {"successor": ""})  # the deputy leaves: the contact is now alone
    alone = client.post(
        reverse("community:national-contact-handover", args=[contact.pk]), {}, follow=True
    )

    assert "No member with this e-mail address or handle." in unknown.content.decode()
    assert "does not work in this country" in abroad.content.decode()
    assert "left without a national contact" in alone.content.decode()
    assert _slots() == {"contact": contact.email}


@pytest.mark.parametrize("role", ["unverified_member", None])
def test_the_contacts_page_is_for_verified_members_only(client_for, request, role, belgium):
    contact, _deputy = belgium
    user = request.getfixturevalue(role) if role else None

    response = client_for(user).get(CONTACTS)

    assert response.status_code == (404 if user else 302)
    assert contact.email not in response.content.decode()


# --- Admin ----------------------------------------------------------------------------------------


def test_the_admin_names_through_the_service_and_replaces_the_holder(
    django_capture_on_commit_callbacks, client_for, manager, belgium
):
    contact, deputy = belgium
    (successor,) = _belgians(1)
    french = UserFactory(affiliation_type=AffiliationType.LEA, country="FR")
    client = client_for(manager)
    add = reverse("admin:community_nationalcontact_add")

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(add, {"country": "BE", "role": "contact", "member": french.pk})
        named = client.post(add, {"country": "BE", "role": "contact", "member": successor.pk})

    assert refused.status_code == 200
    assert "does not work in this country" in refused.content.decode()
    assert named.status_code == 302
    assert _slots() == {"contact": successor.email, "deputy": deputy.email}
    contact.refresh_from_db()
    assert Role.NATIONAL_CONTACT.value not in roles_of(contact)
    assert AuditLogEntry.objects.filter(
        action="national_contact.assign", target_id=str(successor.pk)
    ).exists()
    row = NationalContact.objects.get(country="BE", role="contact")
    assert (
        client.get(reverse("admin:community_nationalcontact_change", args=[row.pk])).status_code
        == 200
    )
    delete = client.post(
        reverse("admin:community_nationalcontact_delete", args=[row.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert _slots()["contact"] == successor.email


# --- A contact who leaves the network leaves the role in the same request (issue 11) --------------


def test_a_suspended_contact_is_replaced_by_the_deputy_in_the_same_request(
    client_for, django_capture_on_commit_callbacks, manager, belgium, researcher
):
    contact, deputy = belgium

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(
            reverse("community:member-sanction", args=[contact.pk]),
            {"kind": "suspend", "days": 30, "reason": "Inquiry"},
        )

    assert response.status_code == 302
    assert _slots() == {"contact": deputy.email}
    (alert,) = _alerts()
    assert "Belgium: Deputy" in alert.body
    page = client_for(researcher).get(CONTACTS).content.decode()
    assert deputy.email in page
    assert contact.email not in page
    assert AuditLogEntry.objects.get(action="national_contact.leave").data["forced"] is True


def test_a_removed_contact_without_deputy_leaves_a_gap_the_managers_are_told_about(
    client_for, django_capture_on_commit_callbacks, manager
):
    # Another Belgian stays: a country with nobody left is no gap to fill.
    contact, _colleague = _belgians(2)
    with django_capture_on_commit_callbacks(execute=True):
        national_contact_assign(actor=manager, country="BE", role="contact", member=contact)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(
            reverse("community:member-sanction", args=[contact.pk]),
            {"kind": "remove", "reason": "Left the police"},
        )

    assert response.status_code == 302
    assert _slots() == {}
    (alert,) = _alerts()
    assert "Belgium: Point of contact, Deputy" in alert.body
    contact.refresh_from_db()
    assert Role.NATIONAL_CONTACT.value not in roles_of(contact)


def test_a_contact_who_deletes_their_account_hands_over_to_the_deputy(
    django_capture_on_commit_callbacks, belgium
):
    from community.services.personal_data import account_delete

    contact, deputy = belgium

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(actor=contact, member=contact)

    assert _slots() == {"contact": deputy.email}
    assert len(_alerts()) == 1


# --- The national contact's country page (issue 11) ---------------------------------------------


COUNTRY_PAGE = reverse("community:country-page")


@pytest.fixture
def belgian_contact(django_capture_on_commit_callbacks, manager, make_member):
    """Belgium's contact, signed up as a member (charter accepted, second factor)."""
    contact = make_member(AffiliationType.LEA, country="BE")
    with django_capture_on_commit_callbacks(execute=True):
        national_contact_assign(actor=manager, country="BE", role="contact", member=contact)
    mail.outbox.clear()
    return contact


def test_a_contact_reaches_their_country_page_and_sees_its_members_and_applications(
    client_for, belgian_contact, make_member
):
    from community.models import MembershipApplication

    contact = belgian_contact
    colleague = make_member(AffiliationType.LEA, country="BE", first_name="Lotte")
    french = make_member(AffiliationType.LEA, country="FR", first_name="Amélie")
    for country, name in (("BE", "Wout"), ("FR", "Pierre")):
        MembershipApplication.objects.create(
            email=f"{name}@example.org", first_name=name, last_name="Applicant",
            country=country, affiliation_type="lea", organisation_name="Police",
            motivation="To share",
        )  # fmt: skip
    client = client_for(contact)

    contacts = client.get(CONTACTS).content.decode()
    page = client.get(COUNTRY_PAGE)

    assert COUNTRY_PAGE in contacts
    assert page.status_code == 200
    members = list(page.context["page"].object_list)
    assert colleague in members
    assert french not in members
    assert [a.first_name for a in page.context["applications"]] == ["Wout"]


@pytest.mark.parametrize("role", ["researcher", "lea_member"])
def test_only_national_contacts_have_a_country_page(client_for, request, role, belgian_contact):
    response = client_for(request.getfixturevalue(role)).get(COUNTRY_PAGE)

    assert response.status_code == 404


def test_a_contact_emails_news_to_their_country_only(
    client_for, django_capture_on_commit_callbacks, belgian_contact, make_member
):
    from community.models import NewsPost

    contact = belgian_contact
    belgian = make_member(AffiliationType.RESEARCH, country="BE")
    french = make_member(AffiliationType.RESEARCH, country="FR")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(contact).post(
            COUNTRY_PAGE, {"title": "Meeting in Brussels", "body": "On Monday", "tier": "members"}
        )

    assert response.status_code == 302
    news = NewsPost.objects.get()
    assert [c.code for c in news.segment_countries] == ["BE"]
    recipients = {address for message in mail.outbox for address in message.to}
    assert belgian.email in recipients
    assert french.email not in recipients
    assert AuditLogEntry.objects.get(action="news.publish").data["country"] == "BE"


def test_a_contact_cannot_publish_public_news(client_for, belgian_contact):
    from community.models import NewsPost

    contact = belgian_contact

    response = client_for(contact).post(
        COUNTRY_PAGE, {"title": "Hello world", "body": "x", "tier": "public"}
    )

    assert response.status_code == 200
    assert "tier" in response.context["form"].errors
    assert not NewsPost.objects.exists()


def test_the_country_page_costs_the_same_for_many_members(
    client_for, belgian_contact, make_member, django_assert_max_num_queries
):
    client = client_for(belgian_contact)
    for _ in range(3):
        make_member(AffiliationType.RESEARCH, country="BE")
    client.get(COUNTRY_PAGE)
    with django_assert_max_num_queries(30) as few:
        client.get(COUNTRY_PAGE)
    for _ in range(10):
        make_member(AffiliationType.RESEARCH, country="BE")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(COUNTRY_PAGE).status_code == 200
