"""The member's API tokens page (community.views.api_tokens): create (the key shown once),
list, revoke; only one's own tokens; only from a session that passed the second factor where
it is mandatory."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from community.models import ApiToken, AuditLogEntry, hash_token
from community.services.api_tokens import (
    API_TOKENS_PER_MEMBER,
    api_token_create,
    api_token_revoke,
)
from community.services.personal_data import account_delete
from tests.conftest import force_login_without_mfa

pytestmark = pytest.mark.django_db

URL = reverse("community:api-tokens")


def test_create_shows_the_key_once_and_lists_the_token(client_for, researcher):
    # given
    client = client_for(researcher)
    # when
    response = client.post(URL, {"name": "My script"})
    # then the key is on this page, and only its hash is stored
    assert response.status_code == 201
    token = ApiToken.objects.get(user=researcher)
    key = response.context["key"]
    assert token.key_hash == hash_token(key)
    assert key in response.content.decode()
    # and the list shows the token by name and prefix, never the key again
    page = client.get(URL).content.decode()
    assert "My script" in page
    assert token.prefix in page
    assert key not in page
    assert AuditLogEntry.objects.filter(action="security.token_created", actor=researcher).exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_bad_name_is_refused_and_nothing_is_stored(client_for, researcher, name):
    response = client_for(researcher).post(URL, {"name": name})

    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert response.context["key"] is None
    assert not ApiToken.objects.exists()


def test_at_most_ten_active_tokens(client_for, researcher):
    for index in range(API_TOKENS_PER_MEMBER):
        api_token_create(actor=researcher, name=f"t{index}")

    response = client_for(researcher).post(URL, {"name": "one more"})

    assert response.status_code == 400
    assert "revoke one" in response.content.decode()
    assert ApiToken.objects.filter(user=researcher).count() == API_TOKENS_PER_MEMBER


def test_revoke_keeps_the_token_listed_as_revoked(client_for, researcher):
    token, _key = api_token_create(actor=researcher, name="old script")
    client = client_for(researcher)

    response = client.post(reverse("community:api-token-revoke", args=[token.pk]), follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in response.content.decode()
    assert AuditLogEntry.objects.filter(action="security.token_revoked").count() == 1
    # Revoking again changes nothing and writes no second event.
    client.post(reverse("community:api-token-revoke", args=[token.pk]))
    assert AuditLogEntry.objects.filter(action="security.token_revoked").count() == 1


def test_another_members_token_is_404_and_not_listed(client_for, researcher, industry_member):
    token, _key = api_token_create(actor=industry_member, name="theirs")
    client = client_for(researcher)

    assert client.post(reverse("community:api-token-revoke", args=[token.pk])).status_code == 404
    assert "theirs" not in client.get(URL).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_is_post_only(client_for, researcher):
    token, _key = api_token_create(actor=researcher, name="script")

    response = client_for(researcher).get(reverse("community:api-token-revoke", args=[token.pk]))

    assert response.status_code == 405


def test_an_lea_session_without_its_second_factor_creates_no_token(client, lea_member):
    """MFA-mandatory members get tokens only after MFA: the member gate sends a password-only
    session to prove its second factor before this page, and nothing is created."""
    force_login_without_mfa(client, lea_member)

    page = client.get(URL)
    post = client.post(URL, {"name": "script"})

    for response in (page, post):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not ApiToken.objects.exists()


def test_an_lea_member_with_mfa_creates_a_token(client_for, lea_member):
    response = client_for(lea_member).post(URL, {"name": "script"})

    assert response.status_code == 201
    assert ApiToken.objects.filter(user=lea_member).count() == 1


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_is_linked_from_the_security_pages(client_for, researcher):
    for page in (reverse("mfa_index"), reverse("account_change_password")):
        assert URL in client_for(researcher).get(page).content.decode()


def test_the_list_costs_the_same_whatever_the_number_of_tokens(
    client_for, researcher, django_assert_max_num_queries
):
    client = client_for(researcher)
    for index in range(8):
        api_token_create(actor=researcher, name=f"t{index}")

    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def test_an_administrator_revokes_a_members_token_in_the_admin(client_for, admin_user, researcher):
    token, key = api_token_create(actor=researcher, name="leaked")

    response = client_for(admin_user).post(
        reverse("admin:community_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditLogEntry.objects.get(action="security.token_revoked")
    assert (event.actor, event.target_id) == (admin_user, str(researcher.pk))
    listing = client_for(admin_user).get(reverse("admin:community_apitoken_changelist"))
    assert key not in listing.content.decode()


def test_nobody_else_revokes_a_members_token(researcher, industry_member):
    token, _key = api_token_create(actor=researcher, name="mine")

    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=industry_member, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_are_in_the_data_download_without_their_key(client_for, researcher):
    _token, key = api_token_create(actor=researcher, name="my script")

    archive = zipfile.ZipFile(
        io.BytesIO(client_for(researcher).get(reverse("community:personal-data-export")).content)
    )

    rows = json.loads(archive.read("api_tokens.json"))
    assert [row["name"] for row in rows] == ["my script"]
    assert key not in json.dumps(rows)


def test_account_deletion_removes_the_tokens(researcher):
    api_token_create(actor=researcher, name="script")

    account_delete(actor=researcher, member=researcher)

    assert not ApiToken.objects.filter(user=researcher).exists()
