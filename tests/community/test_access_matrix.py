"""The access matrix: every role against every room tier (and a private room), through every
room-related URL. Allowed requests succeed; refused ones answer exactly like a missing object,
and no response a role gets — refused or not — carries the text of a room it may not see.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, Notification, Room
from community.roles import Role
from community.services import forum
from community.tiers import Tier

pytestmark = pytest.mark.django_db

ROOMS = {
    "public": (Tier.PUBLIC, False),
    "members": (Tier.MEMBERS, False),
    "lea": (Tier.LEA, False),
    "lea_industry": (Tier.LEA_INDUSTRY, False),
    "lea_research": (Tier.LEA_RESEARCH, False),
    "private": (Tier.LEA, True),
}
LEA_ROOMS = {"public", "members", "lea", "lea_industry", "lea_research"}
EXPECTED = {
    "anonymous": {"public"},
    "unverified": {"public"},
    "lea": LEA_ROOMS,
    "industry": {"public", "members", "lea_industry"},
    "research": {"public", "members", "lea_research"},
    "policy": {"public", "members"},
    "suspended": set(),
    "moderator": LEA_ROOMS,
    "private_member": LEA_ROOMS | {"private"},
    "manager": set(ROOMS),
    "admin": set(ROOMS),
}


def token(slug: str) -> str:
    """A word that appears only in that room's thread title and posts."""
    return f"zq{slug.replace('_', '')}word"


def room_name(slug: str) -> str:
    return f"Room [{slug}]"


def restricted_texts(slug: str) -> list[str]:
    """What must never reach someone who may not see the room (a search page echoes the query
    itself, so the bare word is not on this list; result counts are checked separately)."""
    t = token(slug)
    return [f"Title {t}", f"Opening {t}", f"Reply {t}", f"{t}.pdf", room_name(slug)]


@pytest.fixture
def world(make_member, manager):
    rooms, threads, posts, attachments = {}, {}, {}, {}
    for slug, (tier, private) in ROOMS.items():
        room = Room.objects.create(name=room_name(slug), slug=slug.replace("_", "-"), tier=tier,
                                   is_private=private)  # fmt: skip
        thread = forum.thread_create(actor=manager, room=room, title=f"Title {token(slug)}",
                                     body=f"Opening {token(slug)}")  # fmt: skip
        reply = forum.post_create(
            actor=manager,
            thread=thread,
            body=f"Reply {token(slug)}",
            files=[SimpleUploadedFile(f"{token(slug)}.pdf", b"%PDF-1.4 " + token(slug).encode())],
        )
        forum.post_edit(actor=manager, post=reply, body=f"Edited reply {token(slug)}")
        rooms[slug], threads[slug], posts[slug] = room, thread, reply
        attachments[slug] = reply.attachments.get()
    suspended = make_member(AffiliationType.LEA, email="suspended@example.org")
    suspended.suspended_until = timezone.now() + timedelta(days=2)
    suspended.save(update_fields=["suspended_until"])
    moderator = make_member(AffiliationType.LEA, email="moderator@example.org")
    assign_perm("community.moderate_room", moderator, rooms["lea"])
    private_member = make_member(AffiliationType.LEA, email="insider@example.org")
    assign_perm("community.access_room", private_member, rooms["private"])
    admin = make_member(AffiliationType.OTHER, roles=[Role.ADMINISTRATOR], email="root@example.org",
                        is_superuser=True)  # fmt: skip
    actors = {
        "anonymous": None,
        "unverified": make_member(AffiliationType.LEA, unverified=True, email="u@example.org"),
        "lea": make_member(AffiliationType.LEA, email="l@example.org"),
        "industry": make_member(AffiliationType.INDUSTRY, email="i@example.org"),
        "research": make_member(AffiliationType.RESEARCH, email="r@example.org"),
        "policy": make_member(AffiliationType.POLICY, email="p@example.org"),
        "suspended": suspended,
        "moderator": moderator,
        "private_member": private_member,
        "manager": manager,
        "admin": admin,
    }
    for actor in actors.values():
        if actor is None or actor == manager:
            continue
        for slug in ROOMS:  # a notification about every room's reply, for everyone
            Notification.objects.create(recipient=actor, kind="mention", post=posts[slug],
                                        actor=manager)  # fmt: skip
    return {"rooms": rooms, "threads": threads, "posts": posts, "attachments": attachments,
            "actors": actors}  # fmt: skip


def room_urls(world, slug):
    room, thread, post = world["rooms"][slug], world["threads"][slug], world["posts"][slug]
    return {
        "room": reverse("community:room-detail", args=[room.slug]),
        "feed": reverse("community:room-feed", args=[room.slug]),
        "mentions": reverse("community:mention-autocomplete", args=[room.slug]) + "?q=a",
        "new-thread": reverse("community:thread-create", args=[room.slug]),
        "thread": reverse("community:thread-detail", args=[thread.pk]),
        "unread": reverse("community:thread-unread", args=[thread.pk]),
        "permalink": reverse("community:post-detail", args=[post.pk]),
        "history": reverse("community:post-history", args=[post.pk]),
        "edit": reverse("community:post-edit", args=[post.pk]),
        "flag": reverse("community:post-flag", args=[post.pk]),
        "attachment": reverse(
            "community:attachment-download", args=[world["attachments"][slug].pk]
        ),
        "moderate": reverse("community:thread-moderate", args=[thread.pk]),
        "room-edit": reverse("community:room-edit", args=[room.slug]),
    }


def missing_urls():
    return {
        "room": reverse("community:room-detail", args=["no-such-room"]),
        "feed": reverse("community:room-feed", args=["no-such-room"]),
        "mentions": reverse("community:mention-autocomplete", args=["no-such-room"]) + "?q=a",
        "new-thread": reverse("community:thread-create", args=["no-such-room"]),
        "thread": reverse("community:thread-detail", args=[999999]),
        "unread": reverse("community:thread-unread", args=[999999]),
        "permalink": reverse("community:post-detail", args=[999999]),
        "history": reverse("community:post-history", args=[999999]),
        "edit": reverse("community:post-edit", args=[999999]),
        "flag": reverse("community:post-flag", args=[999999]),
        "attachment": reverse("community:attachment-download", args=[999999]),
        "moderate": reverse("community:thread-moderate", args=[999999]),
        "room-edit": reverse("community:room-edit", args=["no-such-room"]),
    }


# Pages open to anonymous visitors (public rooms); the others need a signed-in member.
ANONYMOUS_READABLE = {"room", "feed", "thread", "permalink", "attachment"}
# Pages only moderators / community managers may open even in a room they see (the history of
# a post is also its author's, here a manager).
STAFF_ONLY = {"moderate", "room-edit", "edit", "history"}


def client_as(actor):
    client = Client()
    if actor is not None:
        client.force_login(actor)
    return client


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def assert_no_leak(role, response, what, text=None):
    text = (body_of(response) if text is None else text) + response.get("Location", "")
    for slug in set(ROOMS) - EXPECTED[role]:
        for restricted in restricted_texts(slug):
            assert restricted not in text, f"{role} got {restricted!r} through {what}"


def staff_may_open(role, slug) -> bool:
    return role in ("manager", "admin") or (role == "moderator" and slug == "lea")


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_room_url_as_every_role(role, world):
    actor = world["actors"][role]
    client = client_as(actor)
    missing = {name: client.get(url) for name, url in missing_urls().items()}
    for slug in ROOMS:
        visible = slug in EXPECTED[role]
        for name, url in room_urls(world, slug).items():
            response = client.get(url)
            text = body_of(response)
            where = f"{name} of {slug}"
            assert_no_leak(role, response, where, text)
            if role == "suspended":
                assert response.status_code == 403, where
            elif actor is None and name not in ANONYMOUS_READABLE:
                assert response.status_code == 302, where
                assert response["Location"].startswith(reverse("account_login")), where
            elif not visible:
                # Indistinguishable from a room, thread, post or file that does not exist.
                assert response.status_code == missing[name].status_code == 404, where
            elif name in STAFF_ONLY:
                assert response.status_code == (200 if staff_may_open(role, slug) else 404), where
            elif name in ("new-thread", "mentions") and slug == "public":
                # The public room is for announcements by its moderators and the managers (and
                # mention suggestions are for those who may post).
                assert response.status_code == (200 if staff_may_open(role, slug) else 404), where
            else:
                assert response.status_code in (200, 302), where
                if name == "attachment":
                    assert response["Content-Disposition"].startswith("attachment"), where
                    assert token(slug) in text


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_lists_search_notifications_and_digests_hold_only_visible_rooms(role, world):
    actor = world["actors"][role]
    client = client_as(actor)
    pages = {"room list": client.get(reverse("community:room-list"))}
    if actor is not None:
        pages["notifications"] = client.get(reverse("community:notification-list"))
        pages["digest"] = client.get(reverse("community:digest-preview"))
        pages["home"] = client.get(reverse("community:home"))
        for slug in ROOMS:
            response = client.get(reverse("community:search"), {"q": token(slug)})
            pages[f"search {slug}"] = response
            if role != "suspended" and response.status_code == 200:
                results = response.context["results"]
                expected = 2 if slug in EXPECTED[role] else 0
                assert results.group("posts").count == expected, (role, slug)
                assert results.group("threads").count == expected // 2, (role, slug)
            scoped = client.get(reverse("community:search"),
                                {"q": token(slug), "room": world["rooms"][slug].slug})  # fmt: skip
            pages[f"scoped search {slug}"] = scoped
    for what, response in pages.items():
        assert_no_leak(role, response, what)
    if role not in ("suspended", "anonymous"):
        room_list = body_of(pages["room list"])
        for slug in ROOMS:
            assert (room_name(slug) in room_list) == (slug in EXPECTED[role]), (role, slug)


@pytest.mark.parametrize("role", ["lea", "industry", "research", "unverified", "moderator"])
def test_writes_in_rooms_one_cannot_moderate_or_see_change_nothing(role, world):
    client = client_as(world["actors"][role])
    for slug in ROOMS:
        post = world["posts"][slug]
        moderates = role == "moderator" and slug == "lea"
        hide = client.post(reverse("community:post-hide", args=[post.pk]), {"reason": "x"})
        if not moderates:
            assert hide.status_code == 404, slug
        if slug not in EXPECTED[role]:
            reply = client.post(reverse("community:post-reply", args=[post.thread_id]),
                                {"body": "intruder"})  # fmt: skip
            useful = client.post(reverse("community:post-useful", args=[post.pk]))
            flag = client.post(reverse("community:post-flag", args=[post.pk]), {"reason": "x"})
            assert (reply.status_code, useful.status_code, flag.status_code) == (404, 404, 404)
            assert not post.thread.posts.filter(body="intruder").exists()
        post.refresh_from_db()
        assert post.is_hidden == moderates


def test_manager_only_pages_answer_404_to_members(world):
    for role in ("lea", "industry", "moderator", "private_member"):
        client = client_as(world["actors"][role])
        for name in ("community:audit-log", "community:audit-log-export", "community:room-create"):
            assert client.get(reverse(name)).status_code == 404, (role, name)
    moderator_queue = client_as(world["actors"]["moderator"]).get(
        reverse("community:moderation-queue")
    )
    assert moderator_queue.status_code == 200
    assert (
        client_as(world["actors"]["lea"]).get(reverse("community:moderation-queue")).status_code
        == 404
    )


def test_a_member_demoted_from_manager_loses_the_private_room_at_the_next_request(world):
    manager = world["actors"]["manager"]
    client = client_as(manager)
    url = reverse("community:room-detail", args=["private"])
    assert client.get(url).status_code == 200

    manager.groups.remove(Group.objects.get(name=Role.COMMUNITY_MANAGER.value))

    response = client.get(url)
    assert response.status_code == 404
    assert token("private") not in body_of(response)


# Members to mention, all named "Zz…": who can read which room, and who shows their profile to
# whom, differ. Each role's suggestions must be exactly those its own directory lists among the
# members who can read the room.
MENTIONABLE = {
    # name: (affiliation, verified, profile visibility, rooms the member reads)
    "lea": (AffiliationType.LEA, True, "members", LEA_ROOMS),
    "leahidden": (AffiliationType.LEA, True, "hidden", LEA_ROOMS),
    "leaonly": (AffiliationType.LEA, True, "lea", LEA_ROOMS),
    "industry": (AffiliationType.INDUSTRY, True, "members", EXPECTED["industry"]),
    "research": (AffiliationType.RESEARCH, True, "members", EXPECTED["research"]),
    "unverified": (AffiliationType.LEA, False, "members", EXPECTED["unverified"]),
    "insider": (AffiliationType.LEA, True, "members", EXPECTED["private_member"]),
}


def may_post(role, slug) -> bool:
    if slug not in EXPECTED[role] or role in ("anonymous", "suspended", "unverified"):
        return False
    return slug != "public" or staff_may_open(role, slug)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_mention_autocomplete_offers_only_members_the_directory_shows_and_the_room_admits(
    role, world, make_member
):
    mentionable = {}
    for name, (affiliation, verified, shown_to, _rooms) in MENTIONABLE.items():
        member = make_member(affiliation, unverified=not verified, first_name="Zz",
                             last_name=name, profile_visibility=shown_to,
                             email=f"zz.{name}@example.org")  # fmt: skip
        mentionable[name] = member
    assign_perm("community.access_room", mentionable["insider"], world["rooms"]["private"])
    actor = world["actors"][role]
    client = client_as(actor)
    directory = set()
    if actor is not None and role != "suspended":
        page = client.get(reverse("community:member-directory"), {"q": "zz"}).context.get("page")
        directory = {member.handle for member in page.object_list} if page else set()

    for slug, room in world["rooms"].items():
        url = reverse("community:mention-autocomplete", args=[room.slug])
        response = client.get(url, {"q": "zz"}, headers={"Accept": "application/json"})
        where = f"mentions of {slug}"
        assert_no_leak(role, response, where)
        if actor is None:
            assert response.status_code == 302, where
        elif role == "suspended":
            assert response.status_code == 403, where
        elif not may_post(role, slug):
            assert response.status_code == 404, where
        else:
            assert response.status_code == 200, where
            readers = {m.handle for n, m in mentionable.items() if slug in MENTIONABLE[n][3]}
            offered = {row["handle"] for row in response.json()["results"]}
            assert offered == directory & readers, where
            assert mentionable["insider" if slug == "private" else "lea"].handle in offered, where
            hidden = mentionable["leahidden"].handle
            assert (hidden in offered) == (role in ("manager", "admin") and slug != "private")


# --- IPUP: needs and survey pages (issue 10, point 4) --------------------------------------------
#
# A need of every room tier, and one recorded from the private room's thread; a survey rating
# them all, to which every member actor is invited (before any suspension), answered once.
# Needs follow the rooms' rule, so each role reads exactly the needs of the rooms it sees; an
# IPUP coordinator (affiliation "other") reads by their own tier, like any member.

NEED_EXPECTED = EXPECTED | {"coordinator": {"public", "members"}}
SURVEY_RUNNERS = {"coordinator", "manager", "admin"}


def need_title(slug: str) -> str:
    return f"Need {token(slug)}"


@pytest.fixture
def need_world(world, make_member):
    from community.models import Domain
    from ipup.models import Need, SurveyInvitation
    from ipup.services.needs import need_from_thread
    from ipup.tokens import invitation_token
    from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions, submitted_response

    manager = world["actors"]["manager"]
    actors = world["actors"] | {
        "coordinator": make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR],
                                   email="coord@example.org"),
    }  # fmt: skip
    needs = {
        slug: NeedFactory(title=need_title(slug), tier=tier)
        for slug, (tier, private) in ROOMS.items()
        if not private
    }
    needs["private"] = need_from_thread(
        actor=manager, thread=world["threads"]["private"], title=need_title("private"),
        domains=Domain.objects.filter(slug="cybercrime"),
    )  # fmt: skip
    assert Need.objects.count() == len(ROOMS)
    survey = SurveyFactory(title="Matrix survey")
    rate, _comment = needs_questions(survey, list(needs.values()), required=False)
    respondent = make_member(AffiliationType.LEA, email="respondent@example.org")
    submitted_response(survey, respondent, [(rate, need, 3) for need in needs.values()])
    links = {}
    for role, actor in actors.items():
        if actor is not None:
            invitation = SurveyInvitation.objects.create(survey=survey, member=actor,
                                                         email=actor.email)  # fmt: skip
            links[role] = reverse("ipup:survey-answer", args=[invitation_token(invitation)])
    return {"actors": actors, "needs": needs, "survey": survey, "links": links}


def assert_needs(role, text, where, *, expected=None):
    expected = NEED_EXPECTED[role] if expected is None else expected
    for slug in ROOMS:
        assert (need_title(slug) in text) == (slug in expected), (role, slug, where)


@pytest.mark.parametrize("role", sorted(NEED_EXPECTED))
def test_needs_and_survey_pages_as_every_role(role, need_world):
    actor = need_world["actors"][role]
    client = client_as(actor)
    survey = need_world["survey"]
    listing = client.get(reverse("ipup:need-list"))
    pages = {
        "need detail": [
            client.get(reverse("ipup:need-detail", args=[n.pk]))
            for n in need_world["needs"].values()
        ],
        "survey list": client.get(reverse("ipup:survey-list")),
        "survey detail": client.get(reverse("ipup:survey-detail", args=[survey.pk])),
        "ranking": client.get(reverse("ipup:survey-ranking", args=[survey.pk])),
        "ranking csv": client.get(reverse("ipup:survey-ranking-csv", args=[survey.pk])),
        "responses csv": client.get(reverse("ipup:survey-responses-csv", args=[survey.pk])),
    }
    if actor is None:
        for response in [listing, *pages["need detail"]]:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        return
    if role == "suspended":
        assert listing.status_code == 403
        assert all(r.status_code == 403 for r in pages["need detail"])
        answer = client_as(None).get(need_world["links"][role])
        assert answer.status_code == 404
        assert_needs(role, body_of(answer), "answer page")
        return

    # the catalogue, each need's page, and a search for each need's title
    assert listing.status_code == 200
    assert_needs(role, body_of(listing), "need list")
    for slug, response in zip(need_world["needs"], pages["need detail"], strict=True):
        assert response.status_code == (200 if slug in NEED_EXPECTED[role] else 404), slug
        assert_needs(role, body_of(response), f"need {slug}", expected=NEED_EXPECTED[role] & {slug})
    for slug, need in need_world["needs"].items():
        found = client.get(reverse("ipup:need-list"), {"q": need.title}).context["page"]
        assert (need in found.object_list) == (slug in NEED_EXPECTED[role]), (role, slug)
    # the survey pages: for those who run surveys, the ranking and the responses with only the
    # needs they may read (the survey's own pages name none)
    runs = role in SURVEY_RUNNERS
    for what, response in pages.items():
        if what == "need detail":
            continue
        assert response.status_code == (200 if runs else 404), (role, what)
        names_needs = runs and what not in ("survey list", "survey detail")
        assert_needs(role, body_of(response), what,
                     expected=NEED_EXPECTED[role] if names_needs else set())  # fmt: skip
    # the answer page of the actor's own link, signed in: only the needs they may read
    answer = client.get(need_world["links"][role])
    assert answer.status_code == 200
    assert_needs(role, body_of(answer), "answer page")
