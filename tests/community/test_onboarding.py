"""Welcoming new members, their first-steps checklist, and introductions by managers."""

import pytest
from django.core import mail
from django.urls import reverse

from community.models import AuditLogEntry, Domain, MemberIntroduction, MessageTemplate
from community.services import forum
from community.services.members import charter_accept
from community.tasks import introduction_email_task, welcome_send_task
from tests.community.factories import RoomFactory

# --- Welcome ------------------------------------------------------------------------------------


def test_accepting_the_charter_for_the_first_time_sends_the_welcome_message_once(
    django_capture_on_commit_callbacks, make_member, charter
):
    # given: a new member who has not accepted the charter yet
    member = make_member(accept=False, first_name="Ada", email="ada@example.org")

    # when: they accept it (the last step of joining), and the task is retried
    with django_capture_on_commit_callbacks(execute=True):
        charter_accept(user=member, charter=charter)
    welcome_send_task.delay(member.pk)

    # then: one welcome e-mail, addressed by name, with the links of the first steps
    (message,) = mail.outbox
    assert message.to == ["ada@example.org"]
    assert "Ada" in message.subject
    assert "Dear Ada," in message.body
    assert reverse("community:profile-edit") in message.body
    assert "$" not in message.body
    member.refresh_from_db()
    assert member.welcome_sent_at is not None


def test_the_welcome_message_is_the_text_managers_edited(
    django_capture_on_commit_callbacks, make_member, charter
):
    template = MessageTemplate.objects.get(key="welcome")
    template.subject = "Bienvenue $first_name"
    template.body = "Bonjour $first_name, voir $rooms_url et $unknown_placeholder."
    template.save()
    member = make_member(accept=False, first_name="Jean")

    with django_capture_on_commit_callbacks(execute=True):
        charter_accept(user=member, charter=charter)

    (message,) = mail.outbox
    assert message.subject == "Bienvenue Jean"
    assert message.body.startswith("Bonjour Jean, voir http")
    assert reverse("community:room-list") in message.body
    # a typo in a placeholder shows as typed rather than failing the send
    assert "$unknown_placeholder" in message.body


def test_accepting_a_new_charter_version_does_not_welcome_a_member_again(
    django_capture_on_commit_callbacks, make_member, charter
):
    member = make_member(accept=False)
    with django_capture_on_commit_callbacks(execute=True):
        charter_accept(user=member, charter=charter)
    mail.outbox.clear()
    member.refresh_from_db()
    newer = type(charter).objects.create(version=2, title="v2", body="New rules")

    with django_capture_on_commit_callbacks(execute=True):
        charter_accept(user=member, charter=newer)

    assert mail.outbox == []


# --- Checklist ----------------------------------------------------------------------------------


def _steps(client):
    html = client.get(reverse("community:home")).content.decode()
    return {
        key: f'class="done" data-step="{key}"' in html
        for key in ("profile", "notifications", "rooms", "introduce")
        if f'data-step="{key}"' in html
    }


def test_the_checklist_follows_a_new_member_until_every_step_is_done(client_for, make_member):
    # given: a verified member who has done nothing yet
    member = make_member(bio="", languages=[])
    client = client_for(member)
    room = RoomFactory()
    domain = Domain.objects.first()

    # then: four steps to do
    assert _steps(client) == dict.fromkeys(
        ("profile", "notifications", "rooms", "introduce"), False
    )

    # when: they complete their profile and choose their e-mails
    client.post(
        reverse("community:profile-edit"),
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "country": "BE",
            "role_level": "field",
            "domains": [domain.pk],
            "languages": ["fr", "nl"],
            "bio": "Analyst in a cybercrime unit.",
            "email_frequency": "weekly",
        },
    )
    assert _steps(client) == {
        "profile": True,
        "notifications": True,
        "rooms": False,
        "introduce": False,
    }

    # when: they watch a room and post in it
    forum.subscription_set(user=member, mode="watch", room=room)
    forum.thread_create(actor=member, room=room, title="Hello", body="I work on ransomware.")

    # then: the checklist is gone
    html = client.get(reverse("community:home")).content.decode()
    assert "data-step=" not in html
    assert "Your first steps" not in html


def test_an_unverified_member_has_no_checklist_yet(client_for, unverified_member):
    html = client_for(unverified_member).get(reverse("community:home")).content.decode()

    assert "data-step=" not in html


def test_the_home_page_costs_the_same_with_the_checklist(
    client_for, make_member, django_assert_max_num_queries
):
    member = make_member(bio="")
    client = client_for(member)
    client.get(reverse("community:home"))

    # The unread-notification badge is one query even with no room to see: notifications
    # about events, documents and projects count too.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("community:home")).status_code == 200


# --- Connecting two members ---------------------------------------------------------------------


@pytest.fixture
def connect(django_capture_on_commit_callbacks, client_for):
    def post(actor, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(actor).post(reverse("community:member-connect"), data)

    return post


def test_a_manager_introduces_two_members_by_an_email_to_each(
    connect, manager, lea_member, researcher
):
    # when: the manager connects an LEA officer with a researcher
    response = connect(
        manager,
        member_a=lea_member.email,
        member_b=f"@{researcher.handle}",
        note="You both work on drone detection at borders.",
    )

    # then: each receives one e-mail presenting the other, and can reply to them directly
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    to_lea = next(m for m in mail.outbox if m.to == [lea_member.email])
    to_researcher = next(m for m in mail.outbox if m.to == [researcher.email])
    assert researcher.get_full_name() in to_lea.subject
    assert "drone detection" in to_lea.body
    assert researcher.email in to_lea.body
    assert to_lea.reply_to == [researcher.email]
    assert lea_member.get_full_name() in to_researcher.subject
    assert to_researcher.reply_to == [lea_member.email]

    # and: the introduction is recorded and audited; a retried task sends nothing more
    introduction = MemberIntroduction.objects.get()
    assert (introduction.member_a, introduction.member_b) == (lea_member, researcher)
    assert introduction.emailed_a_at
    assert introduction.emailed_b_at
    assert AuditLogEntry.objects.filter(action="member.introduce", actor=manager).exists()
    assert introduction_email_task.delay(introduction.pk).get() == 0
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"member_a": "nobody@example.org"}, "No member with this e-mail address or handle."),
        ({"member_b": "@no-such-handle"}, "No member with this e-mail address or handle."),
        ({"member_b": "SAME"}, "Choose two different members."),
        ({"note": ""}, "This field is required."),
    ],
)
def test_a_bad_introduction_is_refused_and_nothing_is_sent(
    connect, manager, lea_member, researcher, data, error
):
    fields = {"member_a": lea_member.email, "member_b": researcher.email, "note": "Meet."}
    fields |= {k: (lea_member.email if v == "SAME" else v) for k, v in data.items()}

    response = connect(manager, **fields)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not MemberIntroduction.objects.exists()
    assert mail.outbox == []


def test_a_suspended_member_cannot_be_introduced(connect, manager, lea_member, make_member):
    from datetime import timedelta

    from django.utils import timezone

    suspended = make_member(suspended_until=timezone.now() + timedelta(days=3))

    response = connect(manager, member_a=lea_member.email, member_b=suspended.email, note="Hi")

    assert response.status_code == 200
    assert "cannot be introduced" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["lea_member", "researcher", "unverified_member"])
def test_only_community_managers_connect_members(
    connect, request, role, lea_member, industry_member
):
    actor = request.getfixturevalue(role)

    form = connect(actor)  # an empty POST
    page = request.getfixturevalue("client_for")(actor).get(reverse("community:member-connect"))

    assert form.status_code == 404
    assert page.status_code == 404
    assert not MemberIntroduction.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("community:member-connect"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
