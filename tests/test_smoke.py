import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_member_in_good_standing_reaches_the_home_page(client_for, researcher):
    response = client_for(researcher).get(reverse("community:home"))

    assert response.status_code == 200
    assert b"Welcome" in response.content


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("community:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
