"""Personal API tokens: a member creates and revokes their own (ileanet.api authenticates them).
Both are security events on the member's account."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import SecurityEvent
from ..models import ApiToken, User, hash_token, new_token
from ..roles import is_administrator
from .security import security_event_record

# A member scripts a few tools, not a fleet: more live keys only widen what a leak exposes.
API_TOKENS_PER_MEMBER = 10


@transaction.atomic
def api_token_create(*, actor: User, name: str, request=None) -> tuple[ApiToken, str]:
    """A new token for ``actor``; returns it and its key, which is never stored and so never
    shown again. The caller must hold a session that passed the member gate (second factor
    where it is mandatory): a token carries the session's standing to scripts."""
    # The member's row is locked so two concurrent creations cannot both pass the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= (
        API_TOKENS_PER_MEMBER
    ):
        raise ValidationError(
            _("You have %(count)d active tokens: revoke one before creating another.")
            % {"count": API_TOKENS_PER_MEMBER}
        )
    key = new_token()
    token = ApiToken(user=actor, name=name.strip(), key_hash=hash_token(key), prefix=key[:8])
    token.full_clean()
    token.save()
    security_event_record(
        request=request,
        action=SecurityEvent.TOKEN_CREATED,
        actor=actor,
        account=actor,
        token=token.prefix,
        name=token.name,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, request=None) -> ApiToken:
    """Revoke a token: its member's own, or any by an administrator (a suspected leak). A
    revoked token stays listed, with its date."""
    if token.user_id != actor.pk and not is_administrator(actor):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        security_event_record(
            request=request,
            action=SecurityEvent.TOKEN_REVOKED,
            actor=actor,
            account=token.user,
            token=token.prefix,
            name=token.name,
        )
    return token


def api_tokens_export(member: User) -> dict[str, list]:
    """For the member's data download: their tokens as listed on their page (never a key)."""
    rows = ApiToken.objects.filter(user=member).order_by("pk")
    return {
        "api_tokens.json": list(
            rows.values("name", "prefix", "created_at", "last_used_at", "revoked_at")
        )
    }


def api_tokens_erase(member: User) -> None:
    """At account deletion: the keys go with the account (authentication refuses a deleted
    account's key already; this leaves none behind)."""
    ApiToken.objects.filter(user=member).delete()
