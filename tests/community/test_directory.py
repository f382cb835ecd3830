"""The member directory and profiles: filters, search, and each member's privacy choices
as seen by every kind of viewer."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, Domain, NationalContact
from community.roles import Role
from tests.community.factories import OrganisationFactory, UserFactory

DIRECTORY = reverse("community:member-directory")


def _listed(client, **params) -> set[str]:
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    page = response.context.get("page")
    return {m.email for m in page.object_list} if page else set()


@pytest.fixture
def discreet(db):
    """An LEA officer who shows their profile to LEA members only, e-mail to nobody but
    managers, and organisation to LEA members."""
    return UserFactory(
        email="discreet@police.example",
        first_name="Dora",
        last_name="Discreet",
        affiliation_type=AffiliationType.LEA,
        country="BE",
        organisation=OrganisationFactory(name="Antwerp Cyber Unit", country="BE"),
        profile_visibility="lea",
        email_visibility="hidden",
        organisation_visibility="lea",
        bio="Undercover online investigations.",
    )


@pytest.fixture
def open_member(db):
    return UserFactory(
        email="open@research.example",
        first_name="Otto",
        last_name="Open",
        affiliation_type=AffiliationType.RESEARCH,
        country="DE",
        organisation=OrganisationFactory(name="Open Institute", country="DE"),
        email_visibility="members",
        organisation_visibility="members",
        languages=["de", "en"],
    )


# --- Who sees whom --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "sees_discreet"),
    [("lea_member", True), ("manager", True), ("researcher", False), ("industry_member", False)],
)
def test_a_profile_shown_to_lea_members_only(
    client_for, request, discreet, open_member, viewer, sees_discreet
):
    client = client_for(request.getfixturevalue(viewer))

    listed = _listed(client)
    profile = client.get(reverse("community:member-detail", args=[discreet.handle]))

    assert open_member.email in listed
    assert (discreet.email in listed) is sees_discreet
    assert profile.status_code == (200 if sees_discreet else 404)
    html = client.get(DIRECTORY, {"q": "Undercover"}).content.decode()
    assert ("Discreet" in html) is sees_discreet


@pytest.mark.parametrize(
    ("viewer", "sees_email", "sees_organisation"),
    [("lea_member", False, True), ("manager", True, True)],
)
def test_email_and_organisation_follow_the_members_choice(
    client_for, request, discreet, viewer, sees_email, sees_organisation
):
    client = client_for(request.getfixturevalue(viewer))

    listing = client.get(DIRECTORY).content.decode()
    profile = client.get(reverse("community:member-detail", args=[discreet.handle]))

    for html in (listing, profile.content.decode()):
        assert (discreet.email in html) is sees_email
        assert ("Antwerp Cyber Unit" in html) is sees_organisation


@pytest.mark.parametrize(
    ("viewer", "sees_email", "sees_organisation"),
    [
        ("researcher", False, False),
        ("industry_member", False, False),
        ("policy_member", False, False),
        ("lea_member", True, False),
        ("manager", True, True),
    ],
)
def test_each_field_is_shown_by_its_own_setting(
    db, client_for, request, viewer, sees_email, sees_organisation
):
    member = UserFactory(
        email="fieldwise@police.example",
        last_name="Fieldwise",
        affiliation_type=AffiliationType.LEA,
        organisation=OrganisationFactory(name="Quiet Unit", country="FR"),
        profile_visibility="members",
        email_visibility="lea",
        organisation_visibility="hidden",
    )
    client = client_for(request.getfixturevalue(viewer))

    listing = client.get(DIRECTORY, {"q": "Fieldwise"}).content.decode()
    profile = client.get(reverse("community:member-detail", args=[member.handle]))

    assert "Fieldwise" in listing
    assert profile.status_code == 200
    for html in (listing, profile.content.decode()):
        assert (member.email in html) is sees_email
        assert ("Quiet Unit" in html) is sees_organisation


def test_a_hidden_organisation_cannot_be_found_by_searching_or_filtering(
    client_for, researcher, make_member
):
    colleague = make_member(
        AffiliationType.LEA,
        organisation=OrganisationFactory(name="Secret Service Unit", country="FR"),
        organisation_visibility="lea",
    )
    client = client_for(researcher)

    by_search = client.get(DIRECTORY, {"q": "Secret Service"})
    by_filter = client.get(DIRECTORY, {"organisation": "Secret Service"})

    for response in (by_search, by_filter):
        assert colleague.email not in {m.email for m in response.context["page"].object_list}
        assert "Secret Service Unit" not in response.content.decode()
    # and an LEA colleague finds it
    assert colleague.email in _listed(client_for(colleague), organisation="Secret Service")


@pytest.mark.parametrize("viewer", ["unverified_member", "suspended"])
def test_unverified_and_suspended_members_see_nobody(
    client_for, request, make_member, viewer, open_member
):
    if viewer == "suspended":
        member = make_member(suspended_until=timezone.now() + timedelta(days=2))
    else:
        member = request.getfixturevalue(viewer)
    client = client_for(member)

    response = client.get(DIRECTORY)

    # the unverified see an explanation, the suspended the suspension page: nobody listed
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert "The directory opens once" in response.content.decode()
    assert open_member.email not in response.content.decode()
    assert "Open" not in response.content.decode()
    profile = client.get(reverse("community:member-detail", args=[open_member.handle]))
    assert profile.status_code in (403, 404)
    assert open_member.email not in profile.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (
        DIRECTORY,
        reverse("community:network-countries"),
        reverse("community:national-contacts"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_deleted_inactive_and_unverified_members_are_not_listed_for_members(
    client_for, researcher, open_member
):
    gone = UserFactory(email="gone@example.org", deleted_at=timezone.now(), is_active=False)
    inactive = UserFactory(email="inactive@example.org", is_active=False)
    unverified = UserFactory(email="new@example.org", unverified=True)

    listed = _listed(client_for(researcher))

    assert open_member.email in listed
    assert not {gone.email, inactive.email, unverified.email} & listed


def test_managers_see_members_awaiting_verification_but_never_deleted_or_inactive_ones(
    client_for, manager
):
    unverified = UserFactory(email="new@example.org", unverified=True)
    gone = UserFactory(email="gone@example.org", deleted_at=timezone.now(), is_active=False)
    inactive = UserFactory(email="inactive@example.org", is_active=False)
    client = client_for(manager)

    assert _listed(client, awaiting_verification="on") == {unverified.email}
    assert not {gone.email, inactive.email} & _listed(client)
    for member in (gone, inactive):
        profile = client.get(reverse("community:member-detail", args=[member.handle]))
        assert profile.status_code == 404


def test_a_national_contact_sees_every_member_of_their_country(client_for, make_member, discreet):
    contact = make_member(AffiliationType.RESEARCH, country="BE", roles=[Role.NATIONAL_CONTACT])
    NationalContact.objects.create(country="BE", role="contact", member=contact)
    hidden = UserFactory(country="BE", profile_visibility="hidden", email="hidden@example.be")
    elsewhere = UserFactory(country="NL", profile_visibility="hidden", email="hidden@example.nl")

    listed = _listed(client_for(contact))

    assert {discreet.email, hidden.email} <= listed
    assert elsewhere.email not in listed


# --- Filters --------------------------------------------------------------------------------------


def test_each_filter_narrows_the_directory(client_for, lea_member, discreet, open_member):
    cyber = Domain.objects.get(slug="cybercrime")
    open_member.domains.add(cyber)
    client = client_for(lea_member)

    assert _listed(client, country="BE") == {discreet.email}
    assert _listed(client, affiliation="research") == {open_member.email}
    assert _listed(client, domain=cyber.pk) == {open_member.email}
    assert _listed(client, language="de") == {open_member.email}
    assert _listed(client, organisation="antwerp") == {discreet.email}
    assert _listed(client, q="otto") == {open_member.email}


@pytest.mark.parametrize(
    "params", [{"country": "XX"}, {"domain": "999999"}, {"affiliation": "spy"}, {"language": "tlh"}]
)
def test_bad_filters_are_reported_not_crashed_on(client_for, lea_member, params):
    response = client_for(lea_member).get(DIRECTORY, params)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context.get("page") is None


def test_the_directory_costs_the_same_for_five_or_forty_members(
    client_for, lea_member, django_assert_max_num_queries
):
    cyber = Domain.objects.get(slug="cybercrime")
    client = client_for(lea_member)
    client.get(DIRECTORY)  # the member gate's first checks are remembered in the session
    counts = []
    for n in (5, 40):
        for member in UserFactory.create_batch(n):
            member.domains.add(cyber)
        with django_assert_max_num_queries(9) as captured:
            assert client.get(DIRECTORY).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- The network by country ---------------------------------------------------------------------------


def test_country_counts_include_only_members_the_viewer_may_see(
    client_for, researcher, lea_member, discreet, open_member, django_assert_max_num_queries
):
    NationalContact.objects.create(country="BE", role="contact", member=discreet)

    researcher_client = client_for(researcher)
    researcher_client.get(reverse("community:network-countries"))

    with django_assert_max_num_queries(10):
        as_researcher = researcher_client.get(reverse("community:network-countries"))
    as_lea = client_for(lea_member).get(reverse("community:network-countries"))

    rows = {row["country"]: row for row in as_researcher.context["rows"]}
    assert "lea" not in rows["BE"]["counts"]
    assert rows["DE"]["counts"] == {"research": 1}
    lea_rows = {row["country"]: row for row in as_lea.context["rows"]}
    assert lea_rows["BE"]["counts"] == {"lea": 1}
    assert lea_rows["BE"]["contact"].member == discreet
