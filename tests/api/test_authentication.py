"""Personal tokens on the API (ileanet.api.authentication, ileanet.api.permissions): refused
once revoked, or when the member is suspended, deactivated, deleted, has no second factor where
it is mandatory or has not accepted the current charter; last use written at most once a minute."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import ApiToken, AuditLogEntry, hash_token
from community.services.api_tokens import api_token_revoke
from tests.api.conftest import suspend, token_client
from tests.community.factories import CharterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs_url():
    return reverse("api:need-list")


def test_bearer_and_token_keywords_both_work(researcher, token_for, needs_url):
    key = token_for(researcher)

    assert token_client(key).get(needs_url).status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get(needs_url).status_code == 200


def test_only_the_hash_of_the_key_is_stored(researcher, token_for):
    key = token_for(researcher)

    token = ApiToken.objects.get(user=researcher)
    assert token.key_hash == hash_token(key)
    assert token.prefix == key[:8]
    assert not ApiToken.objects.filter(key_hash=key).exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer", "Bearer two parts", "Bearer " + "x" * 300, "Token \xff"],
)
def test_bad_tokens_are_401_and_say_nothing_more(header, needs_url):
    response = Client(HTTP_AUTHORIZATION=header).get(needs_url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working(researcher, token_for, needs_url):
    key = token_for(researcher)
    client = token_client(key)
    assert client.get(needs_url).status_code == 200

    api_token_revoke(actor=researcher, token=ApiToken.objects.get(user=researcher))

    response = client.get(needs_url)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked token."


def test_a_suspended_members_token_stops_working_and_works_again_after(
    lea_member, token_for, needs_url
):
    # given a token that works
    client = token_client(token_for(lea_member))
    assert client.get(needs_url).status_code == 200
    # when the member is suspended
    suspend(lea_member)
    # then the next call is refused, on every endpoint
    assert client.get(needs_url).status_code == 401
    assert client.get(reverse("api:project-list")).status_code == 401
    # and the suspension over, the token works again (it was not revoked)
    lea_member.suspended_until = timezone.now() - timedelta(minutes=1)
    lea_member.save(update_fields=["suspended_until"])
    assert client.get(needs_url).status_code == 200


def test_a_deactivated_or_deleted_members_token_is_refused(researcher, token_for, needs_url):
    client = token_client(token_for(researcher))
    researcher.is_active = False
    researcher.save(update_fields=["is_active"])

    assert client.get(needs_url).status_code == 401

    researcher.is_active = True
    researcher.deleted_at = timezone.now()
    researcher.save(update_fields=["is_active", "deleted_at"])
    assert client.get(needs_url).status_code == 401


def test_mfa_mandatory_member_without_a_second_factor_is_refused(lea_member, token_for, needs_url):
    client = token_client(token_for(lea_member))

    Authenticator.objects.filter(user=lea_member).delete()

    response = client.get(needs_url)
    assert response.status_code == 401
    assert "second factor" in response.json()["detail"]


def test_a_member_who_has_not_accepted_the_current_charter_gets_403(
    researcher, token_for, needs_url
):
    client = token_client(token_for(researcher))
    CharterFactory(version=2)

    response = client.get(needs_url)

    assert response.status_code == 403
    assert "charter" in response.json()["detail"]


def test_last_use_is_written_at_most_once_a_minute(researcher, token_for, needs_url):
    client = token_client(token_for(researcher))
    client.get(needs_url)
    token = ApiToken.objects.get(user=researcher)
    first = token.last_used_at
    assert first is not None

    client.get(needs_url)
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(needs_url)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_a_token_reads_no_page_of_the_site(researcher, token_for):
    """The token opens the API, not the web pages: those still ask for a signed-in session."""
    response = token_client(token_for(researcher)).get(reverse("community:profile-edit"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_token_events_are_security_events(researcher, token_for):
    token_for(researcher)
    api_token_revoke(actor=researcher, token=ApiToken.objects.get(user=researcher))

    actions = set(AuditLogEntry.objects.filter(actor=researcher).values_list("action", flat=True))
    assert {"security.token_created", "security.token_revoked"} <= actions
