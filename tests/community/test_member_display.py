"""How members appear on pages (issue 11): avatars with initials, and @mentions in posts linked to
the member's page only for a reader who may see that member."""

import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from community.domains import SEEDED_DOMAIN_NAMES
from community.models import AffiliationType, Domain, ProfileVisibility, User
from community.models import members as member_models
from community.services.forum import post_create, thread_create
from community.templatetags.members import link_mentions
from community.tiers import Tier
from tests.community.factories import RoomFactory

pytestmark = pytest.mark.django_db


def _thread_with(author, body, tier=Tier.MEMBERS):
    return thread_create(actor=author, room=RoomFactory(tier=tier), title="Hello", body=body)


def test_a_mention_links_to_the_member_page_for_a_reader_who_may_see_the_member(
    client_for, make_member, lea_member
):
    # given: a researcher mentions an officer who shows their profile to LEA members only
    officer = make_member(
        AffiliationType.LEA, first_name="Luc", last_name="Martin",
        profile_visibility=ProfileVisibility.LEA,
    )  # fmt: skip
    author = make_member(AffiliationType.RESEARCH)
    thread = _thread_with(author, f"Thanks @{officer.handle}, and @nobody-here too.")
    profile = reverse("community:member-detail", args=[officer.handle])

    # when: an LEA member and another researcher read the thread
    as_officer = client_for(lea_member).get(reverse("community:thread-detail", args=[thread.pk]))
    as_researcher = client_for(make_member(AffiliationType.RESEARCH)).get(
        reverse("community:thread-detail", args=[thread.pk])
    )

    # then: a link for the first only; plain text for the second and for the unknown handle
    assert f'<a href="{profile}" class="mention">@{officer.handle}</a>,' in as_officer.text
    assert profile not in as_researcher.text
    assert f"@{officer.handle}" in as_researcher.text
    assert "@nobody-here" in as_officer.text
    assert 'class="mention">@nobody-here' not in as_officer.text


def test_an_anonymous_reader_of_a_public_room_gets_no_member_links(client, make_member, manager):
    officer = make_member(AffiliationType.LEA)
    thread = _thread_with(manager, f"Welcome, ask @{officer.handle}.", tier=Tier.PUBLIC)

    response = client.get(reverse("community:thread-detail", args=[thread.pk]))

    assert response.status_code == 200
    assert reverse("community:member-detail", args=[officer.handle]) not in response.text


def test_a_mention_in_code_or_a_link_is_left_alone():
    urls = {"luc-martin": "/members/luc-martin/"}
    html = (
        '<p>@luc-martin. <code>@luc-martin</code> <a href="https://x.org/@luc-martin">'
        "@luc-martin</a> mail@luc-martin</p>"
    )

    linked = link_mentions(html, urls)

    assert linked == (
        '<p><a href="/members/luc-martin/" class="mention">@luc-martin</a>. '
        '<code>@luc-martin</code> <a href="https://x.org/@luc-martin">@luc-martin</a> '
        "mail@luc-martin</p>"
    )


def test_posts_the_directory_and_profiles_show_initials_avatars(client_for, make_member):
    reader = make_member(AffiliationType.RESEARCH)
    author = make_member(AffiliationType.RESEARCH, first_name="Rosa", last_name="Weber")
    thread = _thread_with(author, "Hello.")
    post_create(actor=reader, thread=thread, body="Welcome!")
    client = client_for(reader)

    pages = [
        client.get(reverse("community:thread-detail", args=[thread.pk])),
        client.get(reverse("community:member-directory")),
        client.get(reverse("community:member-detail", args=[author.handle])),
    ]

    for page in pages:
        assert page.status_code == 200
        assert 'aria-hidden="true">RW</span>' in page.text


def test_the_directory_shows_each_members_domains_in_the_readers_language(
    client_for, make_member, monkeypatch
):
    member = make_member(AffiliationType.RESEARCH, first_name="Rosa", last_name="Weber")
    member.domains.set(Domain.objects.filter(slug__in=["terrorism", "cybercrime"]))
    # A catalogue that knows the seeded names (French ones come with makemessages).
    catalogue = {name: f"[{name}]" for name in SEEDED_DOMAIN_NAMES}
    monkeypatch.setattr(member_models, "gettext", lambda text: catalogue.get(text, text))

    page = client_for(make_member()).get(reverse("community:member-directory"))

    row = page.text[page.text.index("Rosa Weber") :]
    row = row[: row.index("</tr>")]
    assert "[Terrorism]" in row
    assert "[Cybercrime]" in row


def test_the_seeded_domains_are_all_in_the_translatable_list():
    seeded = importlib.import_module("community.migrations.0002_seed_domains").DOMAINS

    assert [name for _slug, name, _kind, _description in seeded] == list(SEEDED_DOMAIN_NAMES)


def test_the_demo_members_have_domains_for_the_directory_to_show(db, charter):
    call_command("seed_demo", stdout=StringIO())

    assert User.objects.get(email="lea@example.org").domains.count() == 2
