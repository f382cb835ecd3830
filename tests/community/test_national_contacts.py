"""National contact points: naming them, the handover when one leaves (a country is never
left without a contact), and the alerts to community managers."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from community.models import AffiliationType, AuditLogEntry, NationalContact
from community.roles import Role, roles_of
from community.services.network import (
    national_contact_assign,
    national_contact_gaps,
    national_contact_leave,
)
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


def test_the_weekly_check_lists_every_country_lacking_someone(manager, belgium):
    UserFactory(country="NL")

    sent = national_contact_alert_task.delay().get()

    # France is the manager's own country, with no contact either
    assert sent == 2
    assert national_contact_gaps() == [
        {"country": "FR", "missing": ["contact", "deputy"]},
        {"country": "NL", "missing": ["contact", "deputy"]},
    ]
    (alert,) = _alerts()
    assert "Netherlands" in alert.body
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
