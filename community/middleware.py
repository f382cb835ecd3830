"""The member gate: a signed-in member reaches nothing but a few pages until this session has
passed the second factor (where MFA is mandatory) and the member has accepted the current
charter. And no page is kept by a browser or proxy cache.

Both outcomes are remembered in the session (when the second factor was checked, the charter
version accepted), so a member in good standing costs no query here; a new charter version
changes the cached current version, and a change of the member's second factors moves
``User.factors_changed_at``: either sends the session through the check again.
"""

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .selectors import charter_accepted, charter_current_version, mfa_required, mfa_types

SESSION_CHARTER = "community_charter_version"
# When this session last passed the second-factor check (seconds since the epoch).
SESSION_MFA = "community_mfa_checked_at"

# Reachable whatever the member's standing (sign-out, the charter itself, the legal pages).
ALWAYS_OPEN = (
    "/static/",
    "/healthz",
    "/accounts/logout/",
    "/accounts/confirm-email/",
    "/charter/",
    "/legal/",
    "/data-management/",
    "/i18n/",
    # An e-mail's unsubscribe link works whatever the standing of whoever is signed in.
    "/notifications/unsubscribe/",
    # So does a research project contact's confirmation link (ipup.views.contacts).
    "/ipup/contacts/confirm/",
)
# Reachable while MFA is being set up (allauth's MFA pages and the re-authentication step).
MFA_SETUP_OPEN = ("/accounts/2fa/", "/accounts/reauthenticate/", "/security/mfa-required/")
# Reachable by a session that has not passed the factors the member has: allauth's
# re-authentication with a second factor, and nothing else of the MFA pages (a session that only
# knows the password must not add or remove factors).
MFA_PROOF_OPEN = ("/accounts/2fa/reauthenticate/", "/accounts/2fa/webauthn/reauthenticate/")
SECOND_FACTORS = {Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN}
# Who may publish the charter may reach the admin while none is published (or nobody could).
CHARTER_PUBLISH_PERMISSION = "community.add_charter"


def _redirect(request, url):
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class MemberGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(ALWAYS_OPEN):
            response = self.gate(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def gate(self, request, user):
        if user.is_suspended:
            # Suspended members read nothing and post nothing (the visibility rule also gives
            # them no room); they may still sign out and read the legal pages.
            return render(request, "community/suspended.html", {"until": user.suspended_until},
                          status=403)  # fmt: skip
        setting_up = False
        if mfa_required(user) and not session_mfa_current(request, user):
            types = mfa_types(user)
            if types & SECOND_FACTORS:
                # A factor the account has and this session did not pass comes before anything.
                return self.second_factor_proof(request, types)
            setting_up = True
        # A newcomer reads and accepts the charter, then sets their second factor up.
        response = self.charter(request, user, setting_up=setting_up)
        if response is None and setting_up and not request.path.startswith(MFA_SETUP_OPEN):
            return _redirect(request, reverse("community:mfa-required"))
        return response

    def second_factor_proof(self, request, types):
        """The session skipped the member's second factor (a sign-in that did not ask for it)
        or passed it before the factors changed: allauth's re-authentication asks for it, then
        comes back here."""
        if request.path.startswith(MFA_PROOF_OPEN):
            return None
        messages.info(request, _("Confirm it is you with your second factor to continue."))
        view = "mfa_reauthenticate"
        if Authenticator.Type.TOTP not in types and Authenticator.Type.WEBAUTHN in types:
            view = "mfa_reauthenticate_webauthn"
        url = reverse(view)
        if request.method == "GET" and not getattr(request, "htmx", False):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return _redirect(request, url)

    def charter(self, request, user, *, setting_up: bool):
        version = charter_current_version()
        if version is None:
            # Nothing is agreed yet, so nothing opens; whoever may publish the charter reaches
            # the admin to do so (after setting up their second factor if they have none).
            can_publish = user.has_perm(CHARTER_PUBLISH_PERMISSION)
            publishing = ("/admin/", *MFA_SETUP_OPEN) if setting_up else ("/admin/",)
            if can_publish and request.path.startswith(publishing):
                return None
            return render(request, "community/charter_unpublished.html",
                          {"can_publish": can_publish}, status=503)  # fmt: skip
        if request.session.get(SESSION_CHARTER) != version:
            if not charter_accepted(user=user, version=version):
                return _redirect(request, f"{reverse('community:charter')}?next={request.path}")
            request.session[SESSION_CHARTER] = version
        return None


def session_mfa_current(request, user) -> bool:
    """Whether this session passed a second factor (allauth's authentication records: the
    sign-in's MFA step or a re-authentication with one) since the member's factors last changed.
    A passed check is remembered with its time, so the records are read again only once
    ``factors_changed_at`` moves past it."""
    changed = user.factors_changed_at.timestamp() if user.factors_changed_at else 0.0
    checked = request.session.get(SESSION_MFA)
    if isinstance(checked, float) and checked >= changed:
        return True
    proofs = [
        record.get("at", 0.0)
        for record in get_authentication_records(request, user)
        if record.get("method") == "mfa"
    ]
    if proofs and max(proofs) >= changed:
        request.session[SESSION_MFA] = time.time()
        return True
    return False


def session_mfa_keep(request, *, proved: bool = False) -> None:
    """This session changed the member's own factors: it keeps its standing if it had one
    (allauth made it re-authenticate first) or has just ``proved`` a new factor by setting it
    up; every other session of the member is checked again."""
    if proved or isinstance(request.session.get(SESSION_MFA), float):
        request.session[SESSION_MFA] = time.time()


class NoStoreMiddleware:
    """Pages may show restricted content (an LEA room, an attachment, an export, a personal
    link): no browser or shared cache keeps a copy. Static files never reach this middleware
    (WhiteNoise answers them before it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_store=True)
        return response
