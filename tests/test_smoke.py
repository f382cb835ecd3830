import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_member_in_good_standing_reaches_the_home_page(client_for, researcher):
    response = client_for(researcher).get(reverse("community:home"))

    assert response.status_code == 200
    assert b"Welcome" in response.content


def test_an_anonymous_visitor_gets_the_landing_page_and_members_pages_send_to_sign_in(client):
    landing = client.get(reverse("community:home"))
    profile = client.get(reverse("community:profile-edit"))

    assert landing.status_code == 200
    assert reverse("community:application-create").encode() in landing.content
    assert reverse("account_login").encode() in landing.content
    assert profile.status_code == 302
    assert profile["Location"].startswith(reverse("account_login"))


def test_every_page_names_the_favicon_and_it_is_there(client):
    page = client.get(reverse("community:home")).content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert (settings.BASE_DIR / "static" / "favicon.svg").read_text().startswith("<svg")
