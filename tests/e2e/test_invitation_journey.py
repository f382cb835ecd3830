"""An invited LEA officer joins, in a real browser: from the invitation e-mail to the home page,
through sign-up, e-mail verification, the charter and the mandatory second factor (SPEC §2.2)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from community.models import CharterAcceptance, Invitation, User
from community.services import invitation_create
from tests.conftest import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

INVITEE = "ana.officer@police.example.eu"
PASSWORD = "Tulip-granite-harbour-42"


def _link_in(message, pattern: str) -> str:
    match = re.search(pattern, message.body)
    assert match, f"no link matching {pattern!r} in:\n{message.body}"
    return match.group(0)


def _activate_totp(page: Page) -> None:
    """Type the code an authenticator app would show for the secret on the page. A code read in
    the last instant of its 30-second window can be stale on arrival: then the page says so and
    the next window's code is typed (once; two stale codes in a row cannot happen)."""
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    for attempt in range(2):
        page.get_by_label("Authenticator code").fill(totp_code(secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Activate").click()
        if attempt == 0 and "/totp/activate/" in page.url:
            expect(page.get_by_text("Incorrect code.")).to_be_visible()
            continue
        return


def test_an_invited_lea_officer_joins_and_reaches_the_home_page(
    page: Page,
    live_server,
    transactional_db,
    settings,
    manager,
    charter,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    # The invitation e-mail carries absolute links: make them point at the live server.
    settings.SITE_URL = live_server.url

    # Given a community manager's vetted invitation to an LEA officer, e-mailed after commit
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=manager, email=INVITEE, affiliation_type="lea", vetted=True
        )
    assert [m.to for m in mailoutbox] == [[INVITEE]]
    invitation_link = _link_in(mailoutbox[0], r"https?://\S+/invitations/\S+/")
    assert invitation_link.startswith(live_server.url)

    # When the invitee opens the link from the e-mail
    page.goto(invitation_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("You are invited to join ILEAnet")
    page.get_by_role("button", name="Create my account").click()

    # Then allauth's sign-up form is open, with the invited address filled in
    expect(page).to_have_url(re.compile(r"/accounts/signup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    expect(page.get_by_label("Email")).to_have_value(INVITEE)
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Officer")
    page.get_by_label("Country").select_option("BE")
    page.get_by_label("Affiliation").select_option("lea")
    # their force is not in the list yet: they name it, for a community manager to add
    page.get_by_label("Your organisation's name, if it is not in the list").fill(
        "Police locale Example"
    )
    page.get_by_label("Role level").select_option("management")
    page.get_by_placeholder("Password", exact=True).fill(PASSWORD)
    page.get_by_placeholder("Password (again)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    # Then they are told to verify their address, and a second e-mail holds the link
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == [INVITEE]
    confirm_link = _link_in(mailoutbox[1], r"https?://\S+/accounts/confirm-email/[^/\s]+/")
    page.goto(confirm_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")
    page.get_by_role("button", name="Confirm").click()

    # Then, signed in, they must first accept the charter
    expect(page).to_have_url(re.compile(r"/charter/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(charter.title)
    accept = page.get_by_label("I have read and accept the charter")
    expect(accept).not_to_be_checked()
    accept.check()
    page.get_by_role("button", name="Accept and continue").click()

    # Then, being LEA, they must set up a second factor before anything else
    expect(page).to_have_url(re.compile(r"/security/mfa-required/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("status")).to_contain_text("you have accepted the charter")
    page.get_by_role("button", name="Use an authenticator app").click()

    # allauth asks for the password first: signing in by confirming the e-mail address does not
    # count as a recent authentication for its security pages
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("Confirm Access|Activate Authenticator App"))
    if heading.inner_text().strip() == "Confirm Access":
        expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate Authenticator App")
    _activate_totp(page)

    # allauth shows the recovery codes it generated with the authenticator; then on to home
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").first.click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ana")

    # And the database holds the new member, bound to the invitation, with charter and TOTP
    user = User.objects.get(email=INVITEE)
    assert (user.first_name, user.last_name, user.country.code) == ("Ana", "Officer", "BE")
    assert user.affiliation_type == "lea"
    # the manager vouched for the affiliation only: the level and organisation are asked for
    assert (user.role_level, user.pending_role_level) == ("field", "management")
    assert (user.organisation, user.unlisted_organisation) == (None, "Police locale Example")
    assert user.is_affiliation_verified
    assert user.affiliation_verified_by == manager
    assert user.emailaddress_set.get(email=INVITEE).verified
    invitation = Invitation.objects.get(pk=invitation.pk)
    assert invitation.state == Invitation.State.ACCEPTED
    assert invitation.accepted_by == user
    assert CharterAcceptance.objects.filter(user=user, charter=charter).exists()
    assert user.authenticator_set.filter(type=Authenticator.Type.TOTP).count() == 1
