"""What members chose to hide stays hidden outside the directory too: the thread page shows an
author's organisation by the directory's rule, and the profile form says who sees "hidden"."""

import pytest
from django.urls import reverse

from community.models import AffiliationType, NationalContact, Organisation, Room
from community.roles import Role
from community.services import forum
from community.tiers import Tier

pytestmark = pytest.mark.django_db

ORGANISATION = "Brigade of the North"


@pytest.fixture
def thread(make_member):
    """A thread by a Belgian officer who hides their profile but not their organisation."""
    room = Room.objects.create(name="Network cafe", slug="cafe", tier=Tier.MEMBERS)
    author = make_member(
        AffiliationType.LEA,
        email="discreet@example.be",
        country="BE",
        organisation=Organisation.objects.create(name=ORGANISATION, country="BE", type="lea"),
        profile_visibility="hidden",
        organisation_visibility="members",
    )
    return forum.thread_create(actor=author, room=room, title="Hello", body="Hello all")


def _page(client, thread) -> str:
    return client.get(reverse("community:thread-detail", args=[thread.pk])).content.decode()


@pytest.mark.parametrize("who", ["researcher", "lea_member", "industry_member"])
def test_a_hidden_profile_hides_the_organisation_on_the_thread_page(
    request, client_for, thread, who
):
    page = _page(client_for(request.getfixturevalue(who)), thread)

    assert "Hello all" in page
    assert ORGANISATION not in page


def test_those_the_directory_shows_it_to_see_it(client_for, thread, manager, make_member):
    contact = make_member(AffiliationType.LEA, email="contact@example.be", country="BE",
                          roles=[Role.NATIONAL_CONTACT])  # fmt: skip
    NationalContact.objects.create(country="BE", role="contact", member=contact)

    for member in (manager, contact, thread.author):
        assert ORGANISATION in _page(client_for(member), thread), member


def test_an_organisation_shown_to_members_is_shown_on_the_thread_page(client_for, thread,
                                                                       researcher):  # fmt: skip
    thread.author.profile_visibility = "members"
    thread.author.save(update_fields=["profile_visibility"])

    assert ORGANISATION in _page(client_for(researcher), thread)


def test_the_profile_form_says_who_sees_a_hidden_field(client_for, researcher):
    page = client_for(researcher).get(reverse("community:profile-edit")).content.decode()

    assert "Community managers only" not in page
    assert "Only community managers and your country&#x27;s national contacts" in page
    assert "national contacts see it whatever you choose" in page
