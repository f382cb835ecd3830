"""The member gate: a signed-in member reaches nothing but a few pages until they have accepted
the current charter and, where MFA is mandatory, set it up.

The outcome is remembered in the session (charter version accepted, MFA on), so a member in
good standing costs no query here; a new charter version changes the cached current version and
sends everyone back to the charter page at their next request.
"""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .selectors import charter_accepted, charter_current_version, mfa_enabled, mfa_required

SESSION_CHARTER = "community_charter_version"
SESSION_MFA = "community_mfa_ok"

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
)
# Reachable while MFA is being set up (allauth's MFA pages and the re-authentication step).
MFA_SETUP_OPEN = ("/accounts/2fa/", "/accounts/reauthenticate/", "/security/mfa-required/")


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
        version = charter_current_version()
        if version and request.session.get(SESSION_CHARTER) != version:
            if not charter_accepted(user=user, version=version):
                return _redirect(request, f"{reverse('community:charter')}?next={request.path}")
            request.session[SESSION_CHARTER] = version
        if not request.session.get(SESSION_MFA) and mfa_required(user):
            if not mfa_enabled(user):
                if request.path.startswith(MFA_SETUP_OPEN):
                    return None
                return _redirect(request, reverse("community:mfa-required"))
            request.session[SESSION_MFA] = True
        return None
