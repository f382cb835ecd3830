"""Personal survey links. The token is an HMAC of the invitation's id and its random key under
the site's secret key: nothing secret is stored, the same link can be repeated in reminders, and
changing ``token_key`` revokes a link."""

from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "ipup.survey-invitation"


def _signature(invitation_id: int, key: str) -> str:
    return salted_hmac(SALT, f"{invitation_id}:{key}", algorithm="sha256").hexdigest()[:40]


def invitation_token(invitation) -> str:
    return f"{invitation.pk}-{_signature(invitation.pk, invitation.token_key)}"


def invitation_from_token(token: str):
    """The invitation a token belongs to, or None for anything else (malformed, forged,
    revoked). Whether it may still be used (survey open, not answered yet) is the caller's."""
    from .models import SurveyInvitation

    pk, _, signature = (token or "").partition("-")
    if not pk.isdigit() or len(signature) != 40 or len(pk) > 12:
        return None
    invitation = (
        SurveyInvitation.objects.select_related("survey", "member").filter(pk=int(pk)).first()
    )
    if invitation is None:
        return None
    if not constant_time_compare(signature, _signature(invitation.pk, invitation.token_key)):
        return None
    return invitation
