"""MFA on every door (issue 10, point 1): the only way in is allauth's sign-in, and the member
gate asks that *this session* passed the second factor since the member's factors last
changed. The sign-ins here are the real pages (password, then a TOTP code)."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from community.models import AffiliationType, AuditLogEntry
from community.roles import Role
from tests.community.factories import TEST_PASSWORD, RoomFactory
from tests.conftest import force_login_without_mfa, totp_code

pytestmark = pytest.mark.django_db

MFA_PROOF = reverse("mfa_reauthenticate")

# Every staff role, and an LEA practitioner: MFA is mandatory for all of them.
MANDATORY = [
    "lea",
    Role.COMMUNITY_MANAGER,
    Role.KNOWLEDGE_MANAGER,
    Role.IPUP_COORDINATOR,
    Role.NATIONAL_CONTACT,
    Role.ADMINISTRATOR,
]


@pytest.fixture(params=MANDATORY, ids=str)
def member(request, make_member):
    """A member for whom MFA is mandatory, with a TOTP app (``member.totp_secret``)."""
    if request.param == "lea":
        return make_member(AffiliationType.LEA)
    return make_member(
        AffiliationType.OTHER,
        roles=[request.param],
        is_superuser=request.param == Role.ADMINISTRATOR,
    )


@pytest.fixture
def lea_room(db):
    return RoomFactory(name="Practitioners lounge", slug="lounge", tier="lea")


def restricted_urls(room):
    return [
        reverse("community:room-list"),
        reverse("community:room-detail", args=[room.slug]),
        reverse("admin:index"),
        # The home page is the public landing page to anonymous visitors; this one is not.
        reverse("community:notification-list"),
        reverse("community:profile-edit"),
    ]


def password_step(client, user, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def sign_in(client, user):
    """allauth's sign-in: the password, then the code of the member's TOTP app."""
    response = password_step(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": totp_code(user.totp_secret)})


def recovery_code(user) -> str:
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return codes.wrap().get_unused_codes()[0]


def confirm_password(client):
    """allauth asks for the password again before a change of factors."""
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302


def assert_sent_to_mfa_proof(client, url):
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith(MFA_PROOF), url


def webauthn_key(user, name="Yubikey"):
    """A security key on record, as the admin or allauth's add page would leave it."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": {}}
    )


# --- The admin's login form -----------------------------------------------------------------


def test_the_admin_login_form_signs_nobody_in(member, lea_room):
    client = Client()

    # when: the admin's login form is given the right e-mail address and password
    response = client.post(
        reverse("admin:login"),
        {"username": member.email, "password": TEST_PASSWORD, "next": reverse("admin:index")},
    )

    # then: it only sends them to the sign-in page; no session, no page, no room
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    rooms = client.get(reverse("community:room-list"))
    assert lea_room.name not in rooms.content.decode()
    assert client.get(reverse("community:room-detail", args=[lea_room.slug])).status_code == 404
    for url in restricted_urls(lea_room)[2:]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(
            (reverse("account_login"), reverse("admin:login"))
        ), url


def test_the_admin_login_form_tries_no_password(lea_member):
    # A wrong password and the right one get the same answer: nothing is checked there, so
    # guessing goes through the sign-in page and its rate limits or nowhere.
    answers = [
        Client().post(reverse("admin:login"), {"username": lea_member.email, "password": password})
        for password in ("wrong-password-123", TEST_PASSWORD)
    ]

    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, f"{reverse('account_login')}?next=%2Fadmin%2Flogin%2F")
    }
    assert not AuditLogEntry.objects.filter(action__startswith="security.").exists()


def test_signed_in_members_and_staff_at_the_admin_login(client_for, researcher, manager):
    # a member who is not staff is refused; staff go to the admin index
    assert client_for(researcher).get(reverse("admin:login")).status_code == 403
    staff = client_for(manager)
    response = staff.get(reverse("admin:login"))
    assert response["Location"] == reverse("admin:index")

    # and the form never signs a signed-in member in as someone else
    response = staff.post(
        reverse("admin:login"), {"username": researcher.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("admin:index")
    assert staff.session["_auth_user_id"] == str(manager.pk)


# --- A session that did not pass the second factor --------------------------------------------


def test_a_session_without_the_second_factor_reaches_only_its_verification(member, lea_room):
    # given: a session signed in with the password only (as the admin's form used to)
    client = Client()
    force_login_without_mfa(client, member)

    # then: every page sends it to allauth's second-factor step, the MFA pages included
    for url in [
        *restricted_urls(lea_room),
        reverse("mfa_index"),
        reverse("mfa_deactivate_totp"),
        reverse("mfa_add_webauthn"),
        reverse("account_email"),
    ]:
        assert_sent_to_mfa_proof(client, url)
    refused = client.post(reverse("community:invitation-create"), {"email": "x@example.org"})
    assert refused["Location"] == MFA_PROOF
    assert client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})[
        "Location"
    ].startswith(MFA_PROOF)
    assert client.get(MFA_PROOF).status_code == 200

    # when: it gives the code
    rooms = reverse("community:room-list")
    response = client.post(MFA_PROOF, {"code": totp_code(member.totp_secret), "next": rooms})

    # then: the platform opens
    assert response["Location"] == rooms
    assert client.get(rooms).status_code == 200
    assert client.get(reverse("community:home")).status_code == 200


def test_a_wrong_code_opens_nothing(lea_member, lea_room):
    client = Client()
    force_login_without_mfa(client, lea_member)

    response = client.post(MFA_PROOF, {"code": "000000"})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert_sent_to_mfa_proof(client, reverse("community:room-detail", args=[lea_room.slug]))


def test_a_member_with_a_security_key_only_is_sent_to_its_verification(make_member):
    member = make_member(AffiliationType.LEA, mfa=False)
    webauthn_key(member)
    client = Client()
    force_login_without_mfa(client, member)

    response = client.get(reverse("community:home"))

    assert response["Location"].startswith(reverse("mfa_reauthenticate_webauthn"))


# --- The real sign-in ---------------------------------------------------------------------------


def test_signing_in_with_password_and_code_opens_the_platform(member, lea_room):
    client = Client()

    # given: the password alone is not a sign-in
    assert password_step(client, member)["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("community:profile-edit"))["Location"].startswith(
        reverse("account_login")
    )

    # when: the code follows
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(member.totp_secret)})

    # then: the member is in, without any further check
    assert response.status_code == 302
    assert client.get(reverse("community:room-list")).status_code == 200
    assert client.get(reverse("community:home")).status_code == 200
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == (200 if member.is_staff else 302)
    if member.affiliation_type == AffiliationType.LEA:
        assert client.get(reverse("community:room-detail", args=[lea_room.slug])).status_code == 200


# --- Factors that change -------------------------------------------------------------------------


def test_new_recovery_codes_send_the_other_sessions_back_to_the_second_factor(lea_member, lea_room):
    # given: the member signed in on a laptop and on a phone
    laptop, phone = Client(), Client()
    sign_in(laptop, lea_member)
    phone.force_login(lea_member)
    room = reverse("community:room-detail", args=[lea_room.slug])
    assert laptop.get(room).status_code == phone.get(room).status_code == 200

    # when: the phone regenerates the recovery codes
    confirm_password(phone)
    assert phone.post(reverse("mfa_generate_recovery_codes")).status_code == 302

    # then: the phone keeps going, the laptop proves a factor again
    assert phone.get(room).status_code == 200
    assert_sent_to_mfa_proof(laptop, room)
    laptop.post(MFA_PROOF, {"code": recovery_code(lea_member)})
    assert laptop.get(room).status_code == 200


def test_a_factor_removed_in_one_session_sends_the_others_back(lea_member, lea_room):
    key = webauthn_key(lea_member)
    laptop, phone = Client(), Client()
    sign_in(laptop, lea_member)
    phone.force_login(lea_member)
    room = reverse("community:room-detail", args=[lea_room.slug])

    confirm_password(phone)
    response = phone.post(reverse("mfa_remove_webauthn", args=[key.pk]))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    assert phone.get(room).status_code == 200
    assert_sent_to_mfa_proof(laptop, room)


def test_a_factor_added_elsewhere_sends_every_older_session_back(lea_member, lea_room):
    # given: a session that passed the code
    client = Client()
    sign_in(client, lea_member)
    room = reverse("community:room-detail", args=[lea_room.slug])
    assert client.get(room).status_code == 200

    # when: a key is added outside this session (another device, the admin)
    webauthn_key(lea_member)

    # then: the session proves a factor again
    assert_sent_to_mfa_proof(client, room)
    client.post(MFA_PROOF, {"code": recovery_code(lea_member)})
    assert client.get(room).status_code == 200


def test_setting_up_totp_counts_as_this_sessions_second_factor(make_member, lea_room):
    # given: an LEA member without a second factor, signed in with the password
    member = make_member(AffiliationType.LEA, mfa=False)
    client, older = Client(), Client()
    force_login_without_mfa(older, member)
    assert password_step(client, member)["Location"] == reverse("community:home")
    assert client.get(reverse("community:home"))["Location"] == reverse("community:mfa-required")

    # when: they set up an authenticator app through allauth's page
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    # then: this session is in; an older one proves the new factor first
    assert response.status_code == 302
    assert client.get(reverse("community:room-detail", args=[lea_room.slug])).status_code == 200
    assert_sent_to_mfa_proof(older, reverse("community:home"))


# --- The last factor stays ---------------------------------------------------------------------


def test_the_last_security_key_of_an_lea_member_cannot_be_removed(client_for, make_member):
    # given: an LEA member whose only factor is a key (recovery codes do not count)
    member = make_member(AffiliationType.LEA, mfa=False)
    key = webauthn_key(member)
    Authenticator.objects.create(
        user=member, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00" * 20}
    )
    client = client_for(member)
    confirm_password(client)

    # when: they remove it through allauth's page
    response = client.post(reverse("mfa_remove_webauthn", args=[key.pk]), follow=True)

    # then: refused, the key stays
    assert "You cannot deactivate two-factor authentication." in response.content.decode()
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_with_two_factors_one_may_go_but_not_the_second(client_for, lea_member):
    key = webauthn_key(lea_member)
    client = client_for(lea_member)
    confirm_password(client)

    removed = client.post(reverse("mfa_remove_webauthn", args=[key.pk]))
    refused = client.post(reverse("mfa_deactivate_totp"))

    assert removed.status_code == 302
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    assert refused.status_code == 200
    assert "You cannot deactivate two-factor authentication." in refused.content.decode()
    assert Authenticator.objects.filter(user=lea_member, type=Authenticator.Type.TOTP).exists()


def test_a_member_for_whom_mfa_is_optional_may_remove_their_only_key(client_for, researcher):
    key = webauthn_key(researcher)
    client = client_for(researcher)
    confirm_password(client)

    response = client.post(reverse("mfa_remove_webauthn", args=[key.pk]))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=researcher).exists()
