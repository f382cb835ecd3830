"""Every action of every role, reached from the home page by clicking (issue 11, acceptance 1).

Each journey signs a role in on a laptop-sized screen, starts on the home page and, for each of
the role's actions, follows the header (its links, the "Manage" and profile menus), the home
page's attention boxes and the pages' own links until the action's page shows. ``page.goto``
only ever returns home: an action whose link goes missing from the templates fails here as a
dead end. One browser context per journey, one tab reused for every action.
"""

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from community.audit import audit_log
from community.models import (
    AffiliationType,
    Flag,
    MembershipApplication,
    NationalContact,
    Organisation,
    RoleLevel,
)
from community.roles import Role
from community.services.forum import post_create, thread_create
from ipup.models import SurveyInvitation
from tests.community.factories import RoomFactory
from tests.e2e.conftest import signed_in_context
from tests.ipup.factories import NeedFactory, SurveyFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
ROOM = "Cybercrime practitioners"
THREAD = "Ransomware triage at night"
SURVEY = "Needs survey 2027"


@pytest.fixture
def home_as(browser, live_server):
    """``home_as(user)``: a tab signed in as ``user`` (the layout test's session cookie; signing
    in through the form has its own journey), on the home page."""
    contexts = []

    def open_home(user):
        context = signed_in_context(browser, live_server, user, "en", viewport=LAPTOP)
        contexts.append(context)
        return _home(context.new_page())

    yield open_home
    for context in contexts:
        context.close()


@pytest.fixture
def network(make_member):
    """A room with a discussion between two LEA officers, a need and an open survey."""
    officer = make_member(AffiliationType.LEA, first_name="Olga", last_name="Officer")
    colleague = make_member(AffiliationType.LEA, first_name="Luc", last_name="Martin")
    room = RoomFactory(name=ROOM, slug="cyber", tier="members")
    thread = thread_create(actor=colleague, room=room, title=THREAD,
                           body="How do your night shifts triage ransomware reports?")  # fmt: skip
    reply = post_create(actor=colleague, thread=thread, body="We page the on-call analyst.")
    survey = SurveyFactory(title=SURVEY)
    NeedFactory(title="Faster triage of ransomware reports")
    return {"officer": officer, "colleague": colleague, "room": room, "reply": reply,
            "survey": survey}  # fmt: skip


def _home(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Welcome")).to_be_visible()
    return page


def _heading(page, name):
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def _header(page, link):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()


def _menu(page, summary, link):
    """Open one of the header's dropdowns (``summary`` is its label) and follow ``link``."""
    page.locator("header details > summary").filter(has_text=summary).click()
    page.locator("header details[open]").get_by_role("link", name=link, exact=True).click()


def _room(page):
    _header(page, "Rooms")
    page.get_by_role("link", name=ROOM, exact=True).click()
    _heading(page, ROOM)


def test_an_lea_member_reaches_each_of_their_actions(home_as, network):
    officer = network["officer"]
    SurveyInvitation.objects.create(survey=network["survey"], member=officer, email=officer.email)
    page = home_as(officer)

    # the thread unread in their rooms, its reply form, its room and a new thread there
    page.locator("#unread-threads").get_by_role("link", name=THREAD).click()
    _heading(page, THREAD)
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=ROOM).click()
    _heading(page, ROOM)
    page.get_by_role("button", name="New thread").click()
    _heading(page, "New thread")

    # a room and a thread from the list of rooms
    _room(_home(page))
    page.get_by_role("link", name=THREAD).click()
    _heading(page, THREAD)

    # search
    search = _home(page).get_by_role("searchbox", name="Search ILEAnet")
    search.fill("ransomware")
    search.press("Enter")
    _heading(page, "Search")
    expect(page.get_by_role("link", name=THREAD).first).to_be_visible()

    # the directory and a member's page
    _header(_home(page), "Members")
    _heading(page, "Member directory")
    page.get_by_role("link", name="Luc Martin").click()
    _heading(page, "Luc Martin")

    _header(_home(page), "Notifications")
    _heading(page, "Notifications")

    # the profile menu: profile, personal data, security, invitations
    _menu(_home(page), "Olga", "Profile")
    _heading(page, "Your profile")
    page.get_by_role("link", name="Your data: recent security activity").click()
    _heading(page, "Your data")
    _menu(_home(page), "Olga", "Security")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Authenticator App").first).to_be_visible()
    _menu(_home(page), "Olga", "Invite")
    _heading(page, "Invite someone")

    _header(_home(page), "Calendar")
    _heading(page, "Network calendar")

    # the survey waiting for them
    page = _home(page)
    page.locator("#surveys-waiting").get_by_role("link", name="Answer your surveys").click()
    _heading(page, "Your surveys")
    expect(page.get_by_role("row").filter(has_text=SURVEY)).to_be_visible()

    _header(_home(page), "Needs")
    _heading(page, "Challenges and needs")


def test_a_room_moderator_reaches_the_flags_hides_and_unhides_and_the_room_settings(
    home_as, make_member, network
):
    moderator = make_member(AffiliationType.RESEARCH, first_name="Mona", last_name="Moderator")
    assign_perm("community.moderate_room", moderator, network["room"])
    Flag.objects.create(post=network["reply"], reporter=network["officer"],
                        reason="Names a suspect")  # fmt: skip
    page = home_as(moderator)

    # the open flags, from the home page and from the header
    expect(page.locator("#open-flags")).to_have_text("1")
    page.get_by_role("link", name="Moderation queue").click()
    _heading(page, "Flagged posts")
    _menu(_home(page), "Manage", "Moderation")
    expect(page.get_by_text("Names a suspect")).to_be_visible()

    # hide a post from its thread, then unhide it there
    _room(_home(page))
    page.get_by_role("link", name=THREAD).click()
    reply = page.locator(f"#post-{network['reply'].pk}")
    reply.get_by_role("link", name="Hide", exact=True).click()
    _heading(page, "Hide a post")
    page.get_by_label("Reason (recorded in the audit log)").fill("Names a suspect")
    page.get_by_role("button", name="Hide", exact=True).click()
    expect(reply.get_by_text("Hidden by a moderator: Names a suspect")).to_be_visible()
    reply.get_by_role("button", name="Unhide").click()
    expect(reply.get_by_role("link", name="Hide", exact=True)).to_be_visible()
    expect(reply.get_by_text("Hidden by a moderator")).to_have_count(0)

    # the settings of the room they moderate
    _room(_home(page))
    page.get_by_role("link", name="Room settings").click()
    _heading(page, ROOM)
    expect(page.get_by_role("heading", name="Members and moderators")).to_be_visible()


def test_a_community_manager_reaches_each_of_their_actions(home_as, make_member, manager, network):
    MembershipApplication.objects.create(
        email="ana@example.org", first_name="Ana", last_name="Applicant", country="FR",
        organisation=network["officer"].organisation, affiliation_type=AffiliationType.LEA,
        motivation="Joining.",
    )  # fmt: skip
    make_member(AffiliationType.RESEARCH, first_name="Una", last_name="Waiting", unverified=True)
    make_member(AffiliationType.LEA, first_name="Paul", last_name="Promoted",
                pending_role_level=RoleLevel.MANAGEMENT,
                pending_change_requested_at=timezone.now())  # fmt: skip
    Organisation.objects.create(name="Police nationale", country="FR", type="lea")
    page = home_as(manager)
    first_name = manager.first_name

    # applications: the approval page
    _menu(page, "Manage", "Applications")
    _heading(page, "Applications to decide")
    page.get_by_role("link", name="Approve with another organisation").click()
    _heading(page, "Approve Ana Applicant")

    # verifications: verify, ask for evidence, reject
    _menu(_home(page), "Manage", "Verifications")
    _heading(page, "Affiliations to verify")
    page.get_by_role("row").filter(has_text="Una Waiting").get_by_role(
        "link", name="Ask for evidence or reject"
    ).click()
    _heading(page, "Verify Una Waiting")
    for button in ("Verify", "Send the request", "Reject the verification"):
        expect(page.get_by_role("button", name=button, exact=True)).to_be_visible()

    # changes to confirm
    _home(page).get_by_role("link", name="Confirm role levels and organisations").click()
    page.get_by_role("row").filter(has_text="Paul Promoted").get_by_role(
        "link", name="Decide…"
    ).click()
    _heading(page, "Paul Promoted asks for a change")

    # invitations: the list and the CSV import
    _menu(_home(page), first_name, "Invite")
    _heading(page, "Invite someone")
    page.get_by_role("link", name="All invitations").click()
    _heading(page, "Invitations")
    page.get_by_role("link", name="Invite a list (CSV)").click()
    _heading(page, "Invite a list")

    # organisations: the list, adding one, merging one
    _menu(_home(page), "Manage", "Organisations")
    _heading(page, "Organisations")
    page.get_by_role("button", name="Add an organisation").click()
    _heading(page, "Add an organisation")
    _menu(_home(page), "Manage", "Organisations")
    page.get_by_role("link", name="Police nationale").click()
    _heading(page, "Police nationale")
    expect(page.get_by_role("button", name="Merge")).to_be_visible()

    # member moderation: find the member by name, then warn, suspend or remove
    _menu(_home(page), "Manage", "Moderation")
    page.get_by_role("link", name="Moderate a member").click()
    _heading(page, "Moderate a member")
    page.get_by_label("Name, handle or e-mail").fill("Martin")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Luc Martin").click()
    _heading(page, "Luc Martin")
    expect(page.get_by_role("button", name="Apply")).to_be_visible()

    _menu(_home(page), "Manage", "National contacts")
    _heading(page, "National contact points")

    # news and events
    _menu(_home(page), "Manage", "News")
    _heading(page, "Community news")
    page.get_by_role("link", name="Post news").click()
    _heading(page, "Post news")
    _header(_home(page), "Calendar")
    page.get_by_role("link", name="Add an event").click()
    _heading(page, "Add an event")

    _menu(_home(page), "Manage", "Health")
    _heading(page, "Community health")
    _menu(_home(page), "Manage", "Audit log")
    _heading(page, "Audit log")

    _header(_home(page), "Members")
    page.get_by_role("link", name="Connect two members").click()
    _heading(page, "Connect two members")

    _header(_home(page), "Rooms")
    page.get_by_role("button", name="New room").click()
    _heading(page, "New room")

    _menu(_home(page), "Manage", "Run surveys")
    page.get_by_role("button", name="New survey").click()
    _heading(page, "New survey")


def test_an_ipup_coordinator_reaches_each_of_their_actions(home_as, make_member, network):
    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR],
                              first_name="Ines", last_name="Coordinator")  # fmt: skip
    page = home_as(coordinator)

    # surveys: the list, a new one, the builder of one, its results and ranking
    _menu(page, "Manage", "Run surveys")
    _heading(page, "Surveys")
    page.get_by_role("button", name="New survey").click()
    _heading(page, "New survey")
    _home(page).get_by_role("link", name="Remind or close").click()
    page.get_by_role("row").filter(has_text=SURVEY).get_by_role("link", name="Edit").click()
    _heading(page, SURVEY)
    expect(page.get_by_role("button", name="Send me a test e-mail")).to_be_visible()
    _menu(_home(page), "Manage", "Run surveys")
    page.get_by_role("link", name=SURVEY).click()
    _heading(page, SURVEY)
    page.get_by_role("link", name="Results, question by question").click()
    _heading(page, "Results, question by question")
    page.get_by_role("link", name=SURVEY).click()
    page.get_by_role("link", name="Ranking of the needs").click()
    _heading(page, "Prioritisation of the needs")

    # the needs catalogue, and recording a need
    _home(page).get_by_role("link", name="Needs catalogue").click()
    _heading(page, "Challenges and needs")
    _header(_home(page), "Needs")
    page.get_by_role("link", name="Record a need").click()
    _heading(page, "Record a need")


def test_a_national_contact_reaches_their_country_and_the_contact_points(home_as, make_member):
    contact = make_member(AffiliationType.LEA, roles=[Role.NATIONAL_CONTACT], country="FR",
                          first_name="Nadia", last_name="Contact")  # fmt: skip
    NationalContact.objects.create(country="FR", role=NationalContact.Role.CONTACT, member=contact)
    MembershipApplication.objects.create(
        email="ana@example.org", first_name="Ana", last_name="Applicant", country="FR",
        organisation_name="Gendarmerie", affiliation_type=AffiliationType.LEA,
        motivation="Joining.",
    )  # fmt: skip
    page = home_as(contact)

    page.locator("#country-pending").get_by_role("link", name="Your country's page").first.click()
    _heading(page, "France: your country")
    expect(page.get_by_text("Ana Applicant")).to_be_visible()

    _header(_home(page), "Members")
    page.get_by_role("link", name="National contact points").click()
    _heading(page, "National contact points")
    expect(page.get_by_role("row").filter(has_text="Nadia Contact")).to_be_visible()


def test_a_knowledge_manager_reaches_the_admin(home_as, make_member):
    page = home_as(make_member(AffiliationType.OTHER, roles=[Role.KNOWLEDGE_MANAGER]))

    _menu(page, "Manage", "Admin")

    _heading(page, "Site administration")


def test_an_administrator_filters_the_audit_log_on_security_and_reaches_the_admin(
    home_as, admin_user
):
    audit_log(actor=admin_user, action="security.login", target=admin_user)
    audit_log(actor=admin_user, action="room.create")
    page = home_as(admin_user)

    _menu(page, "Manage", "Audit log")
    page.get_by_label("Security events only").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="security.login")).to_be_visible()
    expect(page.get_by_role("cell", name="room.create")).to_have_count(0)

    _menu(_home(page), "Manage", "Admin")
    _heading(page, "Site administration")
