"""The member gate (SPEC §2.1-2.2): current charter accepted, MFA where it is mandatory,
unverified members in the lowest tier, manager pages only for managers."""

import pytest
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from community.models import AffiliationType, AuditLogEntry, CharterAcceptance
from community.roles import Role
from community.services import charter_publish, forum
from community.tiers import tiers_for
from tests.community.factories import TEST_PASSWORD, RoomFactory, UserFactory
from tests.conftest import enable_totp, totp_code

pytestmark = pytest.mark.django_db

MFA_REQUIRED = reverse("community:mfa-required")

# Pages a member without the mandatory second factor must not reach.
GATED_URLS = [
    reverse("community:home"),
    reverse("community:profile-edit"),
    reverse("community:invitation-create"),
    reverse("community:application-create"),
    reverse("community:application-list"),
    reverse("community:verification-list"),
    reverse("community:invitation-accept", args=["some-token"]),
    reverse("admin:index"),
    reverse("admin:community_user_changelist"),
    reverse("account_email"),
    reverse("account_change_password"),
    "/no-such-page/",
]

# Pages that stay open so the member can set MFA up, read the rules, or leave.
OPEN_URLS = [
    reverse("community:mfa-required"),
    reverse("mfa_index"),
    reverse("account_logout"),
    reverse("community:charter"),
    reverse("community:legal"),
    reverse("community:data-management"),
]

NON_MANAGER_ROLES = [Role.KNOWLEDGE_MANAGER, Role.IPUP_COORDINATOR, Role.NATIONAL_CONTACT]


# --- Charter --------------------------------------------------------------------------------


def test_a_new_charter_version_must_be_accepted_again(
    django_capture_on_commit_callbacks, client_for, researcher, charter
):
    # given: a member who accepted v1 and is browsing (the gate has cached their standing)
    client = client_for(researcher)
    assert client.get(reverse("community:home")).status_code == 200

    # when: v2 is published
    with django_capture_on_commit_callbacks(execute=True):
        v2 = charter_publish(
            actor=None, title="Charter", body="New rules.", summary="Rule 3 is new."
        )

    # then: their next request goes to the charter page, which shows what changed
    for url in (reverse("community:home"), reverse("community:invitation-create")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('community:charter')}?next={url}"
    page = client.get(reverse("community:charter"))
    assert "Rule 3 is new." in page.content.decode()

    # when: they accept v2
    accepted = client.post(
        reverse("community:charter"),
        {"version": v2.version, "accept": "on", "next": reverse("community:home")},
    )

    # then: pages open again, and both acceptances are on record
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("community:home")
    assert client.get(reverse("community:home")).status_code == 200
    assert set(
        CharterAcceptance.objects.filter(user=researcher).values_list("charter__version", flat=True)
    ) == {charter.version, v2.version}


def test_accepting_a_version_that_is_no_longer_current_is_refused(
    django_capture_on_commit_callbacks, client_for, researcher, charter
):
    with django_capture_on_commit_callbacks(execute=True):
        v2 = charter_publish(actor=None, title="Charter", body="New rules.")
    client = client_for(researcher)

    response = client.post(
        reverse("community:charter"), {"version": charter.version, "accept": "on"}
    )

    assert response.status_code == 302
    assert not CharterAcceptance.objects.filter(user=researcher, charter=v2).exists()
    assert client.get(reverse("community:home")).status_code == 302


def test_a_member_who_never_accepted_the_charter_is_sent_to_it(client_for, make_member):
    member = make_member(AffiliationType.RESEARCH, accept=False)

    response = client_for(member).get(reverse("community:home"), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("community:charter"))


def test_without_a_published_charter_members_reach_only_the_open_pages(
    django_capture_on_commit_callbacks, client_for, db
):
    # given: no charter yet; a member, and an administrator who may publish it
    member = UserFactory()
    administrator = UserFactory(is_superuser=True, is_staff=True)
    enable_totp(administrator)
    client, admin = client_for(member), client_for(administrator)

    # then: the member reaches the open pages and, everywhere else, a page that says why
    for url in (reverse("community:home"), reverse("community:room-list"), "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "The charter is not published yet" in response.content.decode()
        assert "Publish the charter" not in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 503
    for url in OPEN_URLS[3:]:
        assert client.get(url).status_code == 200, url
    # the administrator is pointed to the admin, where the charter is published
    page = admin.get(reverse("community:home")).content.decode()
    assert reverse("admin:community_charter_add") in page
    assert admin.get(reverse("admin:community_charter_add")).status_code == 200

    # and an administrator without a second factor yet sets one up first
    newcomer = client_for(UserFactory(is_superuser=True, is_staff=True))
    assert newcomer.get(reverse("admin:index"))["Location"] == MFA_REQUIRED
    assert newcomer.get(MFA_REQUIRED).status_code == 200
    assert newcomer.get(reverse("community:home")).status_code == 503

    # when: it is published
    with django_capture_on_commit_callbacks(execute=True):
        charter_publish(actor=administrator, title="Charter", body="Be kind.")

    # then: the member is asked to accept it
    response = client.get(reverse("community:home"))
    assert response["Location"].startswith(reverse("community:charter"))


# --- Caches ---------------------------------------------------------------------------------


def test_pages_downloads_and_exports_are_kept_by_no_cache(
    client, client_for, lea_member, admin_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    room = RoomFactory(tier="lea")
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    thread = forum.thread_create(
        actor=lea_member, room=room, title="Plan", body="Restricted.", files=[upload]
    )
    officer = client_for(lea_member)

    responses = [
        officer.get(reverse("community:thread-detail", args=[thread.pk])),
        officer.get(
            reverse("community:attachment-download", args=[thread.posts.get().attachments.get().pk])
        ),
        client_for(admin_user).get(reverse("community:audit-log-export")),
        client.get(reverse("community:room-list")),
    ]

    for response in responses:
        assert response.status_code == 200
        assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}


# --- MFA ------------------------------------------------------------------------------------


def _assert_mfa_gate(client, user):
    for url in GATED_URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == MFA_REQUIRED, url
    for url in OPEN_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
    # the activation page is reachable (allauth first asks for the password again)
    activation = client.get(reverse("mfa_activate_totp"))
    assert activation.status_code == 302
    assert activation["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(activation["Location"]).status_code == 200


def test_an_lea_member_without_mfa_reaches_only_the_mfa_set_up(client_for, make_member):
    member = make_member(AffiliationType.LEA, mfa=False)
    client = client_for(member)

    _assert_mfa_gate(client, member)
    refused = client.post(reverse("community:invitation-create"), {"email": "x@example.org"})
    assert refused.status_code == 302
    assert refused["Location"] == MFA_REQUIRED
    assert not member.invitations_sent.exists()


def test_an_unverified_lea_member_without_mfa_is_blocked_too(client_for, make_member):
    member = make_member(AffiliationType.LEA, mfa=False, unverified=True)

    response = client_for(member).get(reverse("community:home"))

    assert response.status_code == 302
    assert response["Location"] == MFA_REQUIRED


@pytest.mark.parametrize("role", list(Role))
def test_a_staff_member_without_mfa_reaches_only_the_mfa_set_up(client_for, make_member, role):
    member = make_member(AffiliationType.RESEARCH, roles=[role], mfa=False)

    _assert_mfa_gate(client_for(member), member)


def test_an_industry_member_without_mfa_is_not_blocked(client_for, make_member):
    member = make_member(AffiliationType.INDUSTRY, mfa=False)
    client = client_for(member)

    assert client.get(reverse("community:home")).status_code == 200
    assert client.get(reverse("account_email")).status_code == 200
    # the MFA reminder page sends them home: nothing is required of them
    assert client.get(MFA_REQUIRED)["Location"] == reverse("community:home")


def test_an_htmx_request_is_redirected_with_a_header(client_for, make_member):
    member = make_member(AffiliationType.LEA, mfa=False)

    response = client_for(member).get(reverse("community:home"), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == MFA_REQUIRED


def test_a_factor_set_up_outside_the_session_is_proved_in_it_before_home(client_for, make_member):
    member = make_member(AffiliationType.LEA, mfa=False)
    client = client_for(member)
    assert client.get(reverse("community:home"))["Location"] == MFA_REQUIRED

    secret = enable_totp(member)

    proof = reverse("mfa_reauthenticate")
    assert client.get(reverse("community:home"))["Location"].startswith(proof)
    client.post(proof, {"code": totp_code(secret)})
    assert client.get(reverse("community:home")).status_code == 200
    assert client.get(MFA_REQUIRED)["Location"] == reverse("community:home")


def test_a_member_who_needs_mfa_cannot_delete_their_last_authenticator(client_for, lea_member):
    # given: an LEA member with TOTP, who has just confirmed their password
    client = client_for(lea_member)
    reauth = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert reauth.status_code == 302

    # when: they try to switch TOTP off
    response = client.post(reverse("mfa_deactivate_totp"))

    # then: refused, and the authenticator stays
    assert response.status_code == 200
    assert "You cannot deactivate two-factor authentication." in response.content.decode()
    assert Authenticator.objects.filter(user=lea_member, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("community:home")).status_code == 200


def test_the_mfa_adapter_allows_deleting_when_another_factor_remains_or_mfa_is_optional(
    make_member, lea_member
):
    adapter = get_mfa_adapter()
    totp = Authenticator.objects.get(user=lea_member, type=Authenticator.Type.TOTP)
    assert not adapter.can_delete_authenticator(totp)

    Authenticator.objects.create(user=lea_member, type=Authenticator.Type.WEBAUTHN, data={})
    assert adapter.can_delete_authenticator(totp)

    researcher = make_member(AffiliationType.RESEARCH, mfa=True)
    own = Authenticator.objects.get(user=researcher, type=Authenticator.Type.TOTP)
    assert adapter.can_delete_authenticator(own)


# --- Unverified members -----------------------------------------------------------------------


def test_an_unverified_member_is_in_the_lowest_tier_until_a_manager_verifies(
    client_for, unverified_member, manager
):
    # given: an unverified researcher
    assert tiers_for(unverified_member) == {"public"}
    home = client_for(unverified_member).get(reverse("community:home"))
    assert home.status_code == 200
    assert "not been verified" in home.content.decode()
    manager_client = client_for(manager)
    listed = manager_client.get(reverse("community:verification-list"))
    assert unverified_member.email in listed.content.decode()

    # when: a community manager verifies the affiliation
    response = manager_client.post(
        reverse("community:verification-verify", args=[unverified_member.pk])
    )

    # then: the member is in the members tier and their affiliation's tiers
    assert response.status_code == 302
    unverified_member.refresh_from_db()
    assert unverified_member.affiliation_verified_by == manager
    assert tiers_for(unverified_member) == {"public", "members", "lea_research"}
    home = client_for(unverified_member).get(reverse("community:home"))
    assert "not been verified" not in home.content.decode()
    assert AuditLogEntry.objects.filter(
        action="member.verify_affiliation",
        actor=manager,
        target_id=str(unverified_member.pk),
    ).exists()
    listed = manager_client.get(reverse("community:verification-list"))
    assert unverified_member.email not in listed.content.decode()


@pytest.mark.parametrize(
    ("affiliation", "tiers"),
    [
        (AffiliationType.LEA, {"public", "members", "lea", "lea_industry", "lea_research"}),
        (AffiliationType.INDUSTRY, {"public", "members", "lea_industry"}),
        (AffiliationType.POLICY, {"public", "members"}),
    ],
)
def test_verified_tiers_follow_the_affiliation(make_member, affiliation, tiers):
    unverified = make_member(affiliation, unverified=True)
    verified = make_member(affiliation)

    assert tiers_for(unverified) == {"public"}
    assert tiers_for(verified) == tiers


def test_a_suspended_member_and_an_anonymous_visitor_are_public_only(make_member):
    from django.contrib.auth.models import AnonymousUser

    member = make_member(AffiliationType.LEA, is_active=False)

    assert tiers_for(member) == {"public"}
    assert tiers_for(AnonymousUser()) == {"public"}


# --- Manager pages ----------------------------------------------------------------------------


@pytest.fixture(params=["lea", "researcher", "industry", "unverified", *NON_MANAGER_ROLES])
def non_manager(request, make_member):
    if request.param in NON_MANAGER_ROLES:
        return make_member(AffiliationType.RESEARCH, roles=[request.param])
    if request.param == "unverified":
        return make_member(AffiliationType.RESEARCH, unverified=True)
    return make_member(
        {
            "lea": AffiliationType.LEA,
            "researcher": AffiliationType.RESEARCH,
            "industry": AffiliationType.INDUSTRY,
        }[request.param]
    )


def test_manager_pages_are_not_found_for_everyone_else(client_for, non_manager, unverified_member):
    client = client_for(non_manager)

    for url in (reverse("community:application-list"), reverse("community:verification-list")):
        assert client.get(url).status_code == 404, url
    verify = client.post(reverse("community:verification-verify", args=[unverified_member.pk]))

    assert verify.status_code == 404
    unverified_member.refresh_from_db()
    assert not unverified_member.is_affiliation_verified
    assert not AuditLogEntry.objects.filter(action="member.verify_affiliation").exists()


def test_manager_pages_send_anonymous_visitors_to_sign_in(client, unverified_member):
    for url in (
        reverse("community:application-list"),
        reverse("community:verification-list"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    response = client.post(reverse("community:verification-verify", args=[unverified_member.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    unverified_member.refresh_from_db()
    assert not unverified_member.is_affiliation_verified


def test_managers_and_administrators_reach_the_manager_pages(client_for, manager, admin_user):
    for user in (manager, admin_user):
        client = client_for(user)
        for url in (reverse("community:application-list"), reverse("community:verification-list")):
            assert client.get(url).status_code == 200, (user, url)
