"""Every write about members, invitations, applications, the charter and roles.

Each service takes the acting user explicitly, checks that the actor may do it, writes its audit
entry in the same transaction and starts e-mails only after commit.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import (
    Charter,
    CharterAcceptance,
    Invitation,
    MembershipApplication,
    Organisation,
    User,
)
from ..roles import ADMIN_SITE_ROLES, Role, is_community_manager, roles_of
from ..selectors import CURRENT_CHARTER_CACHE_KEY
from .onboarding import welcome_schedule


def _on_commit_delay(task, *args) -> None:
    transaction.on_commit(lambda: task.delay(*args))


# --- Invitations ----------------------------------------------------------------------------


def can_invite(user) -> bool:
    return is_community_manager(user) or (
        user.is_affiliation_verified and user.invitation_quota > 0
    )


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    email: str,
    message: str = "",
    affiliation_type: str = "",
    vetted: bool = False,
    organisation: Organisation | None = None,
) -> Invitation:
    """Invite someone by e-mail. Members spend one of their quota; only community managers
    may vouch for the invitee's affiliation (``vetted``)."""
    email = User.objects.normalize_email(email).strip().lower()
    manager = is_community_manager(actor)
    if not manager:
        actor = User.objects.select_for_update().get(pk=actor.pk)
        if not can_invite(actor):
            raise PermissionDenied(_("You have no invitations left."))
        vetted = False
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if Invitation.objects.filter(
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError({"email": _("An invitation to this address is still open.")})
    invitation = Invitation(
        email=email,
        invited_by=actor,
        message=message,
        affiliation_type=affiliation_type,
        affiliation_vetted=vetted and bool(affiliation_type),
        organisation=organisation,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean(exclude=["token_hash"])
    invitation.save()
    if not manager:
        actor.invitation_quota -= 1
        actor.save(update_fields=["invitation_quota"])
    audit_log(actor=actor, action="invitation.create", target=invitation, vetted=vetted)
    from ..tasks import invitation_send_task

    _on_commit_delay(invitation_send_task, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if not (is_community_manager(actor) or invitation.invited_by_id == actor.pk):
        raise PermissionDenied
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_log(actor=actor, action="invitation.revoke", target=invitation)


def invitation_check(invitation: Invitation | None) -> None:
    """Raise a ValidationError that tells the invitee, in plain words, why the link fails."""
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise ValidationError(
            _("This invitation has already been used. Sign in, or ask for a new invitation."),
            code="used",
        )
    if state == Invitation.State.REVOKED:
        raise ValidationError(_("This invitation was withdrawn."), code="revoked")
    if state == Invitation.State.EXPIRED:
        raise ValidationError(
            _("This invitation has expired. Ask the person who invited you for a new one."),
            code="expired",
        )


@transaction.atomic
def invitation_redeem(*, invitation_id: int, user: User) -> Invitation:
    """Bind a new account to its invitation (single use: the row is locked and re-checked)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
    invitation_check(invitation)
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(_("Sign up with the address the invitation was sent to."))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    fields = []
    if invitation.affiliation_type:
        user.affiliation_type = invitation.affiliation_type
        fields.append("affiliation_type")
    if invitation.organisation_id and not user.organisation_id:
        user.organisation = invitation.organisation
        fields.append("organisation")
    if invitation.affiliation_vetted and invitation.invited_by_id:
        user.affiliation_verified_at = timezone.now()
        user.affiliation_verified_by_id = invitation.invited_by_id
        fields += ["affiliation_verified_at", "affiliation_verified_by"]
    if fields:
        user.save(update_fields=fields)
    audit_log(actor=user, action="invitation.accept", target=invitation)
    return invitation


# --- Applications ---------------------------------------------------------------------------


@transaction.atomic
def application_submit(**fields) -> MembershipApplication:
    application = MembershipApplication(**fields)
    application.email = application.email.strip().lower()
    application.full_clean()
    application.save()
    return application


def _application_for_decision(*, actor: User, application: MembershipApplication):
    if not is_community_manager(actor):
        raise PermissionDenied
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != MembershipApplication.Status.PENDING:
        raise ValidationError(_("This application has already been decided."))
    return application


@transaction.atomic
def application_approve(
    *, actor: User, application: MembershipApplication, reason: str = ""
) -> MembershipApplication:
    """Approve: the applicant is e-mailed a personal invitation, with the affiliation vetted."""
    application = _application_for_decision(actor=actor, application=application)
    organisation, _created = Organisation.objects.get_or_create(
        name=application.organisation_name.strip(),
        country=application.country,
        defaults={"type": application.affiliation_type},
    )
    invitation = Invitation(
        email=application.email,
        invited_by=actor,
        affiliation_type=application.affiliation_type,
        affiliation_vetted=True,
        organisation=organisation,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.save()
    application.status = MembershipApplication.Status.APPROVED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.decision_reason = reason
    application.invitation = invitation
    application.save()
    audit_log(actor=actor, action="application.approve", target=application, reason=reason)
    from ..tasks import invitation_send_task

    _on_commit_delay(invitation_send_task, invitation.pk)
    return application


@transaction.atomic
def application_decline(
    *, actor: User, application: MembershipApplication, reason: str
) -> MembershipApplication:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the application is declined.")})
    application = _application_for_decision(actor=actor, application=application)
    application.status = MembershipApplication.Status.DECLINED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.decision_reason = reason.strip()
    application.full_clean()
    application.save()
    audit_log(actor=actor, action="application.decline", target=application, reason=reason)
    from ..tasks import application_declined_email_task

    _on_commit_delay(application_declined_email_task, application.pk)
    return application


# --- Members --------------------------------------------------------------------------------


@transaction.atomic
def affiliation_verify(*, actor: User, member: User, affiliation_type: str | None = None) -> User:
    if not (is_community_manager(actor) or actor.has_perm("community.verify_affiliation")):
        raise PermissionDenied
    member = User.objects.select_for_update().get(pk=member.pk)
    fields = ["affiliation_verified_at", "affiliation_verified_by"]
    if affiliation_type and affiliation_type != member.affiliation_type:
        member.affiliation_type = affiliation_type
        fields.append("affiliation_type")
    member.affiliation_verified_at = timezone.now()
    member.affiliation_verified_by = actor
    member.save(update_fields=fields)
    audit_log(
        actor=actor,
        action="member.verify_affiliation",
        target=member,
        affiliation=member.affiliation_type,
    )
    return member


@transaction.atomic
def role_grant(*, actor: User, member: User, role: Role) -> None:
    if not (actor.is_superuser or Role.ADMINISTRATOR.value in roles_of(actor)):
        raise PermissionDenied
    member.groups.add(Group.objects.get(name=Role(role).value))
    if role in ADMIN_SITE_ROLES and not member.is_staff:
        member.is_staff = True
        member.save(update_fields=["is_staff"])
    audit_log(actor=actor, action="role.grant", target=member, role=Role(role).value)


def profile_update(*, member: User, form) -> User:
    """Save a member's own profile from a validated ProfileForm bound to ``member``."""
    if form.instance.pk != member.pk:
        raise PermissionDenied
    with transaction.atomic():
        if form.preferences_saved and member.preferences_saved_at is None:
            form.instance.preferences_saved_at = timezone.now()
        return form.save()


# --- Charter --------------------------------------------------------------------------------


@transaction.atomic
def charter_publish(*, actor: User | None, title: str, body: str, summary: str = "") -> Charter:
    """A new version; every member accepts it again at their next request."""
    last = Charter.objects.select_for_update().order_by("-version").first()
    charter = Charter(
        version=(last.version + 1) if last else 1,
        title=title,
        body=body,
        summary_of_changes=summary,
        created_by=actor,
    )
    charter.full_clean()
    charter.save()
    audit_log(actor=actor, action="charter.publish", target=charter)
    transaction.on_commit(lambda: cache.delete(CURRENT_CHARTER_CACHE_KEY))
    return charter


@transaction.atomic
def charter_accept(*, user: User, charter: Charter) -> CharterAcceptance:
    acceptance, _created = CharterAcceptance.objects.get_or_create(user=user, charter=charter)
    if user.welcome_sent_at is None:
        # Accepting the charter is the last step of joining: the member is in, welcome them.
        welcome_schedule(member=user)
    return acceptance
