"""django-allauth policy: no open sign-up (only with a valid invitation), invitee's address only,
and the invitation bound to the new account in the same transaction."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Invitation
from .selectors import mfa_required

SESSION_INVITATION = "community_invitation_id"


def session_invitation(request) -> Invitation | None:
    invitation_id = request.session.get(SESSION_INVITATION) if request else None
    if not invitation_id:
        return None
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    return invitation if invitation and invitation.is_usable else None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return session_invitation(request) is not None

    def clean_email(self, email):
        email = super().clean_email(email)
        invitation = session_invitation(self.request)
        if invitation is not None and invitation.email.lower() != email.lower():
            raise ValidationError(_("Sign up with the address the invitation was sent to."))
        return email

    def save_user(self, request, user, form, commit=True):
        from .services import invitation_redeem

        invitation = session_invitation(request)
        if invitation is None:
            raise ValidationError(_("Sign-up needs a valid invitation."))
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=True)
            invitation_redeem(invitation_id=invitation.pk, user=user)
        request.session.pop(SESSION_INVITATION, None)
        return user


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        """Members for whom MFA is mandatory cannot remove their last authenticator."""
        user = authenticator.user
        if not mfa_required(user):
            return True
        others = user.authenticator_set.exclude(pk=authenticator.pk).filter(
            type__in=[authenticator.Type.TOTP, authenticator.Type.WEBAUTHN]
        )
        return others.exists()
