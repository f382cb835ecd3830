"""Personal API tokens (community.models.ApiToken) as DRF authentication.

A token stands for its member only while the member may still use the platform: it is refused
once revoked, and whenever the account is deactivated, deleted or suspended, or MFA is mandatory
for the member and they have no second factor left. These are checked on every request, so a
suspension takes effect on the next call, not at the token's next renewal (there is none)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from community.models import ApiToken, hash_token
from community.selectors.members import mfa_enabled, mfa_required

KEYWORDS = (b"bearer", b"token")
LAST_USED_EVERY = timedelta(minutes=1)
# new_token() gives 43 characters; anything much longer is not ours and is not hashed.
KEY_MAX_LENGTH = 128


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>`` (or ``Token <key>``)."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2 or len(parts[1]) > KEY_MAX_LENGTH:
            raise exceptions.AuthenticationFailed(_("Malformed token header."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Malformed token header.")) from error
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        user = token.user
        if not user.is_active or user.deleted_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if user.is_suspended:
            raise exceptions.AuthenticationFailed(_("Your account is suspended."))
        if mfa_required(user) and not mfa_enabled(user):
            raise exceptions.AuthenticationFailed(
                _("Set up a second factor on the platform before using the API.")
            )
        self._touch(token)
        return user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to an unauthenticated request, naming the scheme.
        return 'Bearer realm="api"'

    @staticmethod
    def _touch(token: ApiToken) -> None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (drf-spectacular finds this by the class path)."""

    target_class = "ileanet.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _('A personal token, created on your account\'s "API tokens" page.')
            ),
        }
