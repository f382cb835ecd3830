"""The home page per role (what needs my attention, the latest discussions) and the landing page
for anonymous visitors — all read through the visibility rule."""

from datetime import timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, Flag, MembershipApplication, NationalContact, NewsPost
from community.roles import Role
from community.services.calendar import event_create
from community.services.forum import thread_create
from ipup.models import Need, Survey, SurveyInvitation
from tests.community.factories import RoomFactory
from tests.ipup.factories import NeedFactory, SurveyFactory

pytestmark = pytest.mark.django_db

HOME = reverse("community:home")
_applicants = count()


def _section(response, element_id: str) -> str:
    """The text of the home page from the element ``element_id`` to the end of its article."""
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</article>", start)]


def _figure(response, element_id: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    return html[html.index(">", start) + 1 : html.index("</", start)].strip()


def _application(country: str) -> MembershipApplication:
    return MembershipApplication.objects.create(
        email=f"applicant.{next(_applicants)}@example.org",
        first_name="Applicant",
        last_name=country,
        country=country,
        affiliation_type=AffiliationType.LEA,
        motivation="Joining.",
    )


def test_a_member_sees_unread_threads_surveys_and_events_of_their_reach_only(
    client_for, make_member, lea_member, manager
):
    # given: a thread in a room everyone verified sees, one in an LEA-only room, a survey the
    # researcher is invited to and one they answered, an event for members and one for LEA
    reader = make_member(AffiliationType.RESEARCH)
    open_room = RoomFactory(tier="members")
    lea_room = RoomFactory(tier="lea")
    thread_create(actor=lea_member, room=open_room, title="Drones at borders", body="Ideas?")
    thread_create(actor=lea_member, room=lea_room, title="Undercover tactics", body="Closed.")
    waiting = SurveyFactory(title="Community survey 2026")
    answered = SurveyFactory(title="Answered survey")
    SurveyInvitation.objects.create(survey=waiting, member=reader, email=reader.email)
    SurveyInvitation.objects.create(
        survey=answered, member=reader, email=reader.email, has_answered=True
    )
    start = timezone.now() + timedelta(days=3)
    event_create(actor=manager, title="Drone clinic", kind="workshop", tier="members",
                 starts_at=start, ends_at=start + timedelta(hours=2))  # fmt: skip
    event_create(actor=manager, title="LEA-only briefing", kind="workshop", tier="lea",
                 starts_at=start, ends_at=start + timedelta(hours=2))  # fmt: skip

    # when
    response = client_for(reader).get(HOME)

    # then
    html = response.content.decode()
    assert "Drones at borders" in _section(response, "unread-threads")
    assert "Undercover tactics" not in html
    assert "Community survey 2026" in _section(response, "surveys-waiting")
    assert "Answered survey" not in html
    assert "Drone clinic" in _section(response, "upcoming-events")
    assert "LEA-only briefing" not in html
    assert 'id="open-flags"' not in html
    assert 'id="pending-applications"' not in html


def test_the_latest_discussions_follow_the_visibility_rule(client_for, make_member, lea_member):
    researcher = make_member(AffiliationType.RESEARCH)
    thread_create(actor=lea_member, room=RoomFactory(tier="members"), title="Open talk", body="x")
    thread_create(actor=lea_member, room=RoomFactory(tier="lea"), title="Police only", body="x")

    as_researcher = client_for(researcher).get(HOME).content.decode()
    as_officer = client_for(lea_member).get(HOME).content.decode()

    latest = as_researcher[as_researcher.index('id="latest-title"') :]
    assert "Open talk" in latest
    assert "Police only" not in latest
    assert "Police only" in as_officer[as_officer.index('id="latest-title"') :]


def test_a_moderator_sees_the_open_flags_of_their_rooms(client_for, make_member, manager):
    author = make_member(AffiliationType.RESEARCH)
    thread = thread_create(actor=author, room=RoomFactory(), title="Flagged", body="Rude words")
    Flag.objects.create(post=thread.posts.get(), reporter=manager, reason="Insulting")
    Flag.objects.create(
        post=thread.posts.get(), reporter=manager, reason="Old", status=Flag.Status.DISMISSED
    )

    response = client_for(manager).get(HOME)

    assert _figure(response, "open-flags") == "1"
    assert reverse("community:moderation-queue") in response.content.decode()


def test_a_community_manager_sees_applications_and_countries_without_a_contact(
    client_for, manager, make_member
):
    _application("BE")
    make_member(AffiliationType.LEA, country="BE")

    response = client_for(manager).get(HOME)

    assert _figure(response, "pending-applications") == "1"
    # France (the manager's own country) and Belgium have verified members and no contact.
    assert _figure(response, "countries-without-contact") == "2"
    assert reverse("community:national-contacts") in response.content.decode()


def test_an_ipup_coordinator_sees_surveys_to_send_and_needs_to_analyse(client_for, make_member):
    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])
    SurveyFactory(published_at=None)
    SurveyFactory()
    NeedFactory(status=Need.Status.COLLECTED, tier="members")
    NeedFactory(status=Need.Status.ANALYSED, tier="members")

    response = client_for(coordinator).get(HOME)

    assert _figure(response, "surveys-to-send") == "1"
    assert _figure(response, "surveys-open") == "1"
    assert _figure(response, "needs-to-analyse") == "1"
    assert 'id="pending-applications"' not in response.content.decode()


def test_an_ipup_coordinator_sees_the_project_documents_waiting_for_review(client_for, make_member):
    from ipup.models import ProjectDocument
    from tests.ipup.factories import ResearchProjectFactory

    coordinator = make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])
    for state in ("submitted", "resubmitted", "changes_requested", "draft", "approved"):
        ProjectDocument.objects.create(project=ResearchProjectFactory(), kind="telos", state=state)

    response = client_for(coordinator).get(HOME)
    member_page = client_for(make_member(AffiliationType.LEA)).get(HOME).content.decode()

    assert _figure(response, "documents-to-review") == "2"
    assert reverse("ipup:document-reviews") in response.content.decode()
    assert 'id="documents-to-review"' not in member_page


def test_a_national_contact_sees_the_pending_items_of_their_country_only(client_for, make_member):
    contact = make_member(
        AffiliationType.LEA, roles=[Role.NATIONAL_CONTACT], country="BE", email="nc@example.be"
    )
    NationalContact.objects.create(country="BE", role="contact", member=contact)
    _application("BE")
    _application("DE")
    make_member(AffiliationType.LEA, country="BE", unverified=True)
    make_member(AffiliationType.LEA, country="DE", unverified=True)

    response = client_for(contact).get(HOME)

    assert "Belgium" in _section(response, "country-pending")
    assert reverse("community:country-page") in _section(response, "country-pending")
    assert _figure(response, "country-applications") == "1"
    assert _figure(response, "country-awaiting-verification") == "1"
    assert 'id="pending-applications"' not in response.content.decode()


def test_the_home_page_costs_the_same_for_a_small_and_a_larger_network(
    client_for, manager, lea_member, django_assert_max_num_queries
):
    def grow(n):
        room = RoomFactory()
        for i in range(n):
            thread = thread_create(actor=lea_member, room=room, title=f"T{n}-{i}", body="x")
            Flag.objects.create(post=thread.posts.get(), reporter=manager, reason="r")
            _application(["BE", "DE", "NL", "ES", "IT", "PT"][i % 6])
            survey = SurveyFactory()
            SurveyInvitation.objects.create(survey=survey, member=lea_member, email="x@x.org")

    client = client_for(lea_member)
    manager_client = client_for(manager)
    grow(1)
    client.get(HOME)
    manager_client.get(HOME)
    with django_assert_max_num_queries(30) as small:
        client.get(HOME)
    with django_assert_max_num_queries(40) as small_manager:
        manager_client.get(HOME)
    grow(6)
    with django_assert_max_num_queries(len(small)):
        client.get(HOME)
    with django_assert_max_num_queries(len(small_manager)):
        manager_client.get(HOME)


def test_an_anonymous_visitor_gets_public_announcements_only(client, manager, lea_member):
    public = RoomFactory(tier="public")
    thread_create(actor=manager, room=public, title="Call for practitioners", body="Join us.")
    thread_create(actor=lea_member, room=RoomFactory(tier="members"), title="Members' talk",
                  body="x")  # fmt: skip
    NewsPost.objects.create(title="Network launch", body="x", body_html="<p>x</p>", tier="public")
    NewsPost.objects.create(title="Members' news", body="x", body_html="<p>x</p>", tier="members")

    response = client.get(HOME)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Call for practitioners" in html
    assert "Network launch" in html
    assert "Members' talk" not in html
    assert "Members' news" not in html
    assert reverse("community:application-create") in html


def test_an_anonymous_visitor_reads_public_news_but_not_members_news(client):
    public = NewsPost.objects.create(title="Open", body="x", body_html="<p>x</p>", tier="public")
    members = NewsPost.objects.create(title="Shut", body="x", body_html="<p>x</p>", tier="members")

    assert client.get(reverse("community:news-detail", args=[public.pk])).status_code == 200
    assert client.get(reverse("community:news-detail", args=[members.pk])).status_code == 404


def test_the_survey_waiting_link_is_never_the_survey_of_someone_else(client_for, make_member):
    reader, other = make_member(), make_member()
    survey = SurveyFactory(title="Their survey")
    SurveyInvitation.objects.create(survey=survey, member=other, email=other.email)
    assert Survey.objects.count() == 1

    assert "Their survey" not in client_for(reader).get(HOME).content.decode()


def test_the_first_steps_need_no_colon_after_a_link_in_french(client_for, make_member):
    # French puts a (non-breaking) space before a colon, English none: a colon written in the
    # template after a translated link is wrong in one of the two languages.
    newcomer = make_member(AffiliationType.RESEARCH)
    client = client_for(newcomer)
    client.cookies["django_language"] = "fr"

    html = client.get(HOME).content.decode()

    assert 'data-step="profile"' in html
    assert "</a>:" not in html
