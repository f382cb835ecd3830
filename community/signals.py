"""Receivers of allauth's and Django's authentication signals: every security event goes to the
audit log, and a change of a member's second factors sends their other sessions through the
member gate's check again. Connected in CommunityConfig.ready."""

from allauth.account import signals as account_signals
from allauth.core import context as allauth_context
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_delete, post_save

from .audit import SecurityEvent
from .middleware import SECOND_FACTORS, session_mfa_keep
from .models import User
from .services.security import factors_changed_mark, security_event_record


def _account_event(action):
    """A receiver for signals sent with ``request`` and ``user``: the member acted."""

    def receiver(sender, request, user, **kwargs):
        security_event_record(request=request, action=action, actor=user, account=user)

    return receiver


def _email_event(action):
    """A receiver for signals about one ``email_address`` (confirming names no ``user``)."""

    def receiver(sender, request, email_address, user=None, **kwargs):
        user = user or email_address.user
        security_event_record(
            request=request, action=action, actor=user, account=user, address=email_address.email
        )

    return receiver


def login_failed(sender, credentials, request=None, **kwargs):
    # Django has masked the password in ``credentials``; only the address is read. Whoever
    # typed it is not known: no actor.
    email = credentials.get("email") or ""
    account = User.objects.filter(email__iexact=email).first() if email else None
    security_event_record(
        request=request, action=SecurityEvent.LOGIN_FAILED, actor=None, account=account
    )


def mfa_failed(sender, request, user, **kwargs):
    # The password was right; whoever typed the wrong code is not known.
    security_event_record(
        request=request, action=SecurityEvent.MFA_FAILED, actor=None, account=user
    )


def authenticator_changed(sender, request, user, authenticator, **kwargs):
    """Added, removed or (recovery codes) regenerated, through allauth's pages."""
    action = {
        mfa_signals.authenticator_added: SecurityEvent.MFA_ADDED,
        mfa_signals.authenticator_removed: SecurityEvent.MFA_REMOVED,
        mfa_signals.authenticator_reset: SecurityEvent.RECOVERY_CODES_REGENERATED,
    }[kwargs["signal"]]
    # Setting up an app or a key also creates recovery codes, and removing the last one
    # deletes them: those follow the factor and are no event of their own.
    if authenticator.type in SECOND_FACTORS or action == SecurityEvent.RECOVERY_CODES_REGENERATED:
        security_event_record(
            request=request, action=action, actor=user, account=user, kind=authenticator.type
        )


def _factors_changed(authenticator, *, proved: bool) -> None:
    """Whatever the path (allauth's pages, the admin, account deletion), a factor that comes or
    goes sends the member's sessions through a new check; the session that made the change
    keeps its standing: allauth made it re-authenticate first, and setting a factor up
    ``proved`` it (a code from the app, the key's signature). Runs inside the request, before
    its session is saved (allauth's own signals wait for the commit)."""
    factors_changed_mark(user_id=authenticator.user_id)
    request = allauth_context.request
    member = getattr(request, "user", None)
    if member is not None and member.is_authenticated and member.pk == authenticator.user_id:
        session_mfa_keep(request, proved=proved)


def factor_saved(sender, instance, created, raw=False, **kwargs):
    # A factor merely used (its last-used time saved) changes nothing.
    if created and not raw:
        _factors_changed(instance, proved=instance.type in SECOND_FACTORS)


def factor_deleted(sender, instance, **kwargs):
    _factors_changed(instance, proved=False)


def email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    security_event_record(
        request=request,
        action=SecurityEvent.EMAIL_CHANGED,
        actor=user,
        account=user,
        address=to_email_address.email,
        previous_address=from_email_address.email if from_email_address else "",
    )


def connect() -> None:
    receivers = [
        (account_signals.user_logged_in, _account_event(SecurityEvent.LOGIN)),
        (account_signals.password_changed, _account_event(SecurityEvent.PASSWORD_CHANGED)),
        (account_signals.password_set, _account_event(SecurityEvent.PASSWORD_SET)),
        (account_signals.password_reset, _account_event(SecurityEvent.PASSWORD_RESET)),
        (account_signals.email_added, _email_event(SecurityEvent.EMAIL_ADDED)),
        (account_signals.email_removed, _email_event(SecurityEvent.EMAIL_REMOVED)),
        (account_signals.email_confirmed, _email_event(SecurityEvent.EMAIL_CONFIRMED)),
        (account_signals.email_changed, email_changed),
        (user_login_failed, login_failed),
        (mfa_signals.authentication_failed, mfa_failed),
        (mfa_signals.authenticator_added, authenticator_changed),
        (mfa_signals.authenticator_removed, authenticator_changed),
        (mfa_signals.authenticator_reset, authenticator_changed),
    ]
    for number, (signal, receiver) in enumerate(receivers):
        signal.connect(receiver, weak=False, dispatch_uid=f"community.security.{number}")
    post_save.connect(factor_saved, sender=Authenticator, dispatch_uid="community.factor-saved")
    post_delete.connect(
        factor_deleted, sender=Authenticator, dispatch_uid="community.factor-deleted"
    )
