"""The member's second factors, where allauth's own pages need our policy."""

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.webauthn.views import RemoveWebAuthnView
from django.contrib import messages
from django.shortcuts import redirect


class WebAuthnRemoveView(RemoveWebAuthnView):
    """allauth's removal of a security key. Unlike its TOTP deactivation, allauth does not ask
    the MFA adapter whether the key may go; a member for whom MFA is mandatory keeps one second
    factor (community.adapters.MFAAdapter)."""

    def form_valid(self, form):
        adapter = get_mfa_adapter()
        if not adapter.can_delete_authenticator(self.object):
            messages.error(self.request, adapter.error_messages["cannot_delete_authenticator"])
            return redirect("mfa_list_webauthn")
        return super().form_valid(form)


webauthn_remove = WebAuthnRemoveView.as_view()
