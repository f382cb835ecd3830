import pytest
from django.urls import reverse

from community.models import AffiliationType, Domain

pytestmark = pytest.mark.django_db


def test_a_member_edits_their_profile_and_visibility(client_for, researcher):
    domain, _created = Domain.objects.get_or_create(
        slug="cybercrime", defaults={"name": "Cybercrime"}
    )

    response = client_for(researcher).post(
        reverse("community:profile-edit"),
        {
            "first_name": "Rosa",
            "last_name": "Weber",
            "country": "AT",
            "role_level": "management",
            "domains": [domain.pk],
            "languages": ["de", "en"],
            "bio": "Digital forensics.",
            "profile_visibility": "lea",
            "email_visibility": "members",
            "organisation_visibility": "hidden",
        },
    )

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.country == "AT"
    assert researcher.languages == ["de", "en"]
    assert list(researcher.domains.all()) == [domain]
    assert researcher.profile_visibility == "lea"
    assert researcher.email_visibility == "members"
    assert researcher.organisation_visibility == "hidden"


def test_a_member_cannot_raise_their_own_affiliation(client_for, researcher):
    response = client_for(researcher).post(
        reverse("community:profile-edit"),
        {
            "first_name": "Rosa",
            "last_name": "Weber",
            "country": "AT",
            "role_level": "field",
            "profile_visibility": "members",
            "affiliation_type": AffiliationType.LEA,
            "organisation": "",
        },
    )

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.affiliation_type == AffiliationType.RESEARCH
    assert researcher.organisation is not None


def test_bad_profile_input_is_refused_and_nothing_changes(client_for, researcher):
    response = client_for(researcher).post(
        reverse("community:profile-edit"),
        {
            "first_name": "X",
            "country": "ZZ",
            "role_level": "general",
            "languages": ["xx"],
            "profile_visibility": "world",
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert {"country", "role_level", "languages", "profile_visibility"} <= set(form.errors)
    researcher.refresh_from_db()
    assert researcher.first_name != "X"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("community:profile-edit"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
