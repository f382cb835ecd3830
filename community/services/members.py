"""Every write about members, invitations, applications, the charter and roles.

Each service takes the acting user explicitly, checks that the actor may do it, writes its audit
entry in the same transaction and starts e-mails only after commit.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ileanet import ratelimit

from ..audit import audit_log
from ..models import (
    AffiliationType,
    Charter,
    CharterAcceptance,
    Invitation,
    MembershipApplication,
    Organisation,
    User,
)
from ..roles import ADMIN_SITE_ROLES, Role, is_administrator, is_community_manager, roles_of
from ..selectors import CURRENT_CHARTER_CACHE_KEY
from ..selectors.members import invitation_list_open
from .onboarding import welcome_schedule
from .organisations import organisation_chosen


def _on_commit_delay(task, *args) -> None:
    transaction.on_commit(lambda: task.delay(*args))


# --- Invitations ----------------------------------------------------------------------------


def can_invite(user) -> bool:
    """Whether the member may invite at all (the navigation asks on every page: no query).
    ``invitations_left`` says how many they may send now."""
    return is_community_manager(user) or (
        user.is_affiliation_verified and user.invitation_quota > 0
    )


def invitations_left(member: User) -> int:
    """How many invitations a member may send now.

    ``invitation_quota`` counts the people a member may still bring in: it goes down when
    someone joins through their invitation (``invitation_redeem``), not when one is sent, and
    the invitations still waiting for an answer are held against it. So an invitation that
    expires unused is given back, and what the member sees of their quota is the same whether
    an address they tried was already a member or not (``invitation_create``)."""
    return max(
        0, member.invitation_quota - invitation_list_open().filter(invited_by=member).count()
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
    first_name: str = "",
    last_name: str = "",
) -> Invitation:
    """Invite someone by e-mail. Only community managers may vouch for the invitee's
    affiliation (``vetted``).

    A community manager is told when the address is already a member's or already has an open
    invitation. A member is not: the invitation form would otherwise tell anyone with an
    invitation to spare whether an address belongs to a member. For such an address the
    member's invitation is recorded (listed among theirs and held against their quota until it
    expires, like any unanswered invitation) but never sent, so neither the answer, nor their
    list, nor their quota differs; the audit log tells managers it was held. Members are also
    rate-limited (RATE_LIMITS["invite"])."""
    email = User.objects.normalize_email(email).strip().lower()
    manager = is_community_manager(actor)
    if not manager:
        actor = User.objects.select_for_update().get(pk=actor.pk)
        if not ratelimit.allow("invite", actor.pk, default="10/3600"):
            raise ValidationError(
                _("You have sent many invitations in a short time. Try again later."),
                code="rate_limited",
            )
        if not can_invite(actor) or invitations_left(actor) <= 0:
            raise PermissionDenied(_("You have no invitations left."))
        vetted = False
    is_member = User.objects.filter(email__iexact=email).exists()
    is_invited = invitation_list_open().filter(email__iexact=email).exists()
    if manager and is_member:
        raise ValidationError({"email": _("This person is already a member.")})
    if manager and is_invited:
        raise ValidationError({"email": _("An invitation to this address is still open.")})
    invitation = Invitation(
        email=email,
        invited_by=actor,
        message=message,
        affiliation_type=affiliation_type,
        affiliation_vetted=vetted and bool(affiliation_type),
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean(exclude=["token_hash"])
    invitation.save()
    held = is_member or is_invited
    audit_log(actor=actor, action="invitation.create", target=invitation, vetted=vetted,
              held=held)  # fmt: skip
    if not held:
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
    # Someone joined through this invitation: that is what a member's quota counts.
    User.objects.filter(pk=invitation.invited_by_id, invitation_quota__gt=0).update(
        invitation_quota=F("invitation_quota") - 1
    )
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
    """Store an application and tell the community managers. The organisation is one from the
    managed list or only a name (``organisation_name``): an applicant never adds to the list.

    A second application from an address whose first still waits is not stored (the pending
    one is returned): the applicant is answered the same, so the form tells nobody whether an
    address has applied, and the managers' queue holds each person once."""
    application = MembershipApplication(**fields)
    application.email = application.email.strip().lower()
    if application.organisation_id:
        application.organisation_name = ""
    # The one-pending-per-address constraint is the database's to enforce, below: validated
    # here, a duplicate would be an error, and the answer would differ.
    application.full_clean(validate_constraints=False)
    pending = (
        MembershipApplication.objects.select_for_update()
        .filter(email__iexact=application.email, status=MembershipApplication.Status.PENDING)
        .first()
    )
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # the same person, a moment earlier, in another request
        return MembershipApplication.objects.get(
            email__iexact=application.email, status=MembershipApplication.Status.PENDING
        )
    from ..tasks import application_notify_task

    _on_commit_delay(application_notify_task, application.pk)
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
    *,
    actor: User,
    application: MembershipApplication,
    organisation: Organisation | None,
    reason: str = "",
) -> MembershipApplication:
    """Approve: the applicant is e-mailed a personal invitation, with the affiliation vetted
    and the organisation the manager chose from the list or created (``organisation_chosen``)."""
    application = _application_for_decision(actor=actor, application=application)
    if organisation is None:
        raise ValidationError(
            {"organisation": _("Choose the applicant's organisation from the list, or add it.")}
        )
    organisation = organisation_chosen(actor=actor, organisation=organisation)
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
    audit_log(
        actor=actor,
        action="application.approve",
        target=application,
        reason=reason,
        organisation=str(organisation),
    )
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


def _refuse_own_vetting(*, actor: User, member: User) -> None:
    """Affiliation, role level and organisation decide what a member reads and how much their
    survey answers weigh: a manager does not vouch for their own (another manager does), nor
    decide on an administrator's (who answers to no one below them)."""
    if is_administrator(actor):
        return
    if actor.pk == member.pk:
        raise PermissionDenied(_("Another community manager must decide on your own profile."))
    if is_administrator(member):
        raise PermissionDenied(_("Only an administrator may change an administrator's account."))


@transaction.atomic
def affiliation_verify(
    *,
    actor: User,
    member: User,
    affiliation_type: str | None = None,
    organisation: Organisation | None = None,
) -> User:
    """Verify the member's affiliation, which also confirms the role level and organisation
    they gave. ``organisation`` (listed, or new: see ``organisation_chosen``) replaces theirs;
    without it, an organisation they named that is not listed waits among the changes to
    confirm, so the name is not lost."""
    if not (is_community_manager(actor) or actor.has_perm("community.verify_affiliation")):
        raise PermissionDenied
    _refuse_own_vetting(actor=actor, member=member)
    member = User.objects.select_for_update().get(pk=member.pk)
    fields = ["affiliation_verified_at", "affiliation_verified_by"]
    if affiliation_type and affiliation_type != member.affiliation_type:
        member.affiliation_type = affiliation_type
        fields.append("affiliation_type")
    if organisation is not None:
        member.organisation = organisation_chosen(actor=actor, organisation=organisation)
        member.unlisted_organisation = ""
        fields += ["organisation", "unlisted_organisation"]
    elif member.unlisted_organisation and member.pending_change_requested_at is None:
        member.pending_change_requested_at = timezone.now()
        fields.append("pending_change_requested_at")
    member.affiliation_verified_at = timezone.now()
    member.affiliation_verified_by = actor
    member.save(update_fields=fields)
    audit_log(
        actor=actor,
        action="member.verify_affiliation",
        target=member,
        affiliation=member.affiliation_type,
        role_level=member.role_level,
        organisation=str(member.organisation or ""),
    )
    from .vetting import verification_decision_record

    verification_decision_record(actor=actor, member=member, kind="verified")
    return member


@transaction.atomic
def affiliation_change(*, actor: User, member: User, affiliation_type: str, reason: str) -> User:
    """Change what a member is affiliated as. The verification vouched for the former
    affiliation only, so it is cleared: the member is treated as the lowest tier until a
    community manager verifies the new one (``affiliation_verify``, /manage/verifications/)."""
    if not is_community_manager(actor):
        raise PermissionDenied
    _refuse_own_vetting(actor=actor, member=member)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: it is recorded in the audit log.")})
    if affiliation_type not in AffiliationType.values:
        raise ValidationError({"affiliation_type": _("Choose an affiliation from the list.")})
    member = User.objects.select_for_update().get(pk=member.pk)
    if affiliation_type == member.affiliation_type:
        return member
    before = member.affiliation_type
    member.affiliation_type = affiliation_type
    member.affiliation_verified_at = member.affiliation_verified_by = None
    member.save(
        update_fields=["affiliation_type", "affiliation_verified_at", "affiliation_verified_by"]
    )
    audit_log(actor=actor, action="member.affiliation_change", target=member, reason=reason,
              affiliation=[before, affiliation_type])  # fmt: skip
    return member


def _require_administrator(actor: User) -> None:
    if not is_administrator(actor):
        raise PermissionDenied


@transaction.atomic
def role_grant(*, actor: User, member: User, role: Role) -> None:
    _require_administrator(actor)
    member.groups.add(Group.objects.get(name=Role(role).value))
    if role in ADMIN_SITE_ROLES and not member.is_staff:
        member.is_staff = True
        member.save(update_fields=["is_staff"])
    audit_log(actor=actor, action="role.grant", target=member, role=Role(role).value)


@transaction.atomic
def role_revoke(*, actor: User, member: User, role: Role) -> None:
    """Take a role away; the admin site closes with the last role that works there."""
    _require_administrator(actor)
    member = User.objects.select_for_update().get(pk=member.pk)
    member.groups.remove(Group.objects.get(name=Role(role).value))  # role_names follows
    site_roles = {r.value for r in ADMIN_SITE_ROLES}
    if member.is_staff and not member.is_superuser and not roles_of(member) & site_roles:
        member.is_staff = False
        member.save(update_fields=["is_staff"])
    audit_log(actor=actor, action="role.revoke", target=member, role=Role(role).value)


ACCESS_FLAGS = ("is_active", "is_staff", "is_superuser")


@transaction.atomic
def member_access_update(*, actor: User, member: User, permissions=None, **flags: bool) -> User:
    """Set an account's access flags (``ACCESS_FLAGS``) and, when given, its direct
    ``permissions``: administrators only, each change in the audit log. Roles go through
    ``role_grant`` / ``role_revoke``."""
    _require_administrator(actor)
    if set(flags) - set(ACCESS_FLAGS):
        raise TypeError(f"not access flags: {sorted(set(flags) - set(ACCESS_FLAGS))}")
    member = User.objects.select_for_update().get(pk=member.pk)
    changes = {}
    for name, value in flags.items():
        if getattr(member, name) != value:
            changes[name] = [getattr(member, name), value]
            setattr(member, name, value)
    if changes:
        member.save(update_fields=list(changes))
    if permissions is not None:
        before, after = set(member.user_permissions.all()), set(permissions)
        if before != after:
            member.user_permissions.set(after)
            changes["permissions"] = {
                "added": sorted(p.codename for p in after - before),
                "removed": sorted(p.codename for p in before - after),
            }
    if changes:
        audit_log(actor=actor, action="member.access_update", target=member, **changes)
    return member


# What a member's record in the admin lets staff change (``member_update``). Who the account is
# and what it may open is for administrators; the affiliation is changed by
# ``affiliation_change`` (which asks for a reason and for a new verification) and verified only
# by ``affiliation_verify``. Role level, organisation and country weigh in survey rankings: once
# the affiliation is verified, they change through ``member_change_confirm``.
ADMINISTRATOR_ONLY_FIELDS = frozenset(
    {*ACCESS_FLAGS, "email", "groups", "user_permissions", "affiliation_type"}
)
VERIFICATION_FIELDS = frozenset({"affiliation_verified_at", "affiliation_verified_by"})
VETTED_FIELDS = frozenset({"role_level", "organisation", "country"})
ADMIN_SITE_REASON = "Changed in the admin site."


def member_fields_locked(actor: User, member: User) -> frozenset[str]:
    """The fields of ``member`` that ``actor`` may not change through ``member_update``."""
    if is_administrator(actor):
        return VERIFICATION_FIELDS
    locked = VERIFICATION_FIELDS | ADMINISTRATOR_ONLY_FIELDS
    return locked | VETTED_FIELDS if member.is_affiliation_verified else locked


@transaction.atomic
def member_update(*, actor: User, member: User, **fields) -> User:
    """A staff edit of a member's record (the admin's user page). A field ``actor`` may not
    change (``member_fields_locked``) is refused whatever the form sent; affiliation, access
    and roles are handed to the services that own and audit them."""
    if not (is_community_manager(actor) or actor.has_perm("community.change_user")):
        raise PermissionDenied
    if is_administrator(member) and not is_administrator(actor):
        raise PermissionDenied(_("Only an administrator may change an administrator's account."))
    member = User.objects.select_for_update().get(pk=member.pk)
    refused = member_fields_locked(actor, member) & set(fields)
    if refused:
        raise PermissionDenied(_("Only an administrator may change: %(fields)s.")
                               % {"fields": ", ".join(sorted(refused))})  # fmt: skip
    affiliation = fields.pop("affiliation_type", None)
    groups = fields.pop("groups", None)
    permissions = fields.pop("user_permissions", None)
    access = {name: fields.pop(name) for name in ACCESS_FLAGS if name in fields}
    changed = sorted(name for name, value in fields.items() if getattr(member, name) != value)
    if changed:
        # The weighing facts are recorded with their values; other fields by name only.
        weights = {
            name: [str(getattr(member, name) or ""), str(fields[name] or "")]
            for name in VETTED_FIELDS.intersection(changed)
        }
        for name in changed:
            setattr(member, name, fields[name])
        member.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in changed])
        member.save(update_fields=changed)
        audit_log(actor=actor, action="member.update", target=member, fields=changed, **weights)
    if access or permissions is not None:
        member_access_update(actor=actor, member=member, permissions=permissions, **access)
    if groups is not None:
        wanted = {group.name for group in groups}
        held = set(member.groups.values_list("name", flat=True))
        for name in sorted(wanted - held):
            role_grant(actor=actor, member=member, role=Role(name))
        for name in sorted(held - wanted):
            role_revoke(actor=actor, member=member, role=Role(name))
    if affiliation is not None:
        affiliation_change(actor=actor, member=member, affiliation_type=affiliation,
                           reason=ADMIN_SITE_REASON)  # fmt: skip
    member.refresh_from_db()
    return member


def profile_update(*, member: User, form) -> User:
    """Save a member's own profile from a validated ProfileForm bound to ``member``; role level
    and organisation go through ``member_facts_declare``."""
    if form.instance.pk != member.pk:
        raise PermissionDenied
    with transaction.atomic():
        if form.preferences_saved and member.preferences_saved_at is None:
            form.instance.preferences_saved_at = timezone.now()
        form.save()
        return member_facts_declare(
            member=member,
            role_level=form.cleaned_data["role_level"],
            organisation=form.cleaned_data["organisation"],
            unlisted_organisation=form.cleaned_data["unlisted_organisation"],
        )


# Role level and organisation weigh in survey rankings (ipup.ranking): a top-level respondent
# counts more than a field officer, and an organisation's answers are averaged. They are the
# member's word until a community manager vouches for them.
PENDING_FIELDS = [
    "pending_role_level",
    "pending_organisation",
    "unlisted_organisation",
    "pending_change_requested_at",
]


@transaction.atomic
def member_facts_declare(
    *,
    member: User,
    role_level: str,
    organisation: Organisation | None,
    unlisted_organisation: str = "",
) -> User:
    """The role level and organisation a member gives for themselves (sign-up, profile).

    Before the affiliation is verified they are simply set: the verification confirms them.
    Afterwards they are only asked for: the weight a member's answers carry never changes
    before a community manager confirms (``member_change_confirm``). For a verified member an
    empty organisation asks for no change of organisation, and asking for what one already has
    withdraws the request."""
    member = User.objects.select_for_update().get(pk=member.pk)
    unlisted = "" if organisation else unlisted_organisation.strip()
    if not member.is_affiliation_verified:
        member.role_level = role_level
        member.organisation = organisation
        member.unlisted_organisation = unlisted
        member.save(update_fields=["role_level", "organisation", "unlisted_organisation"])
        return member
    asked = (
        role_level if role_level != member.role_level else "",
        organisation if organisation and organisation.pk != member.organisation_id else None,
        unlisted,
    )
    before = (member.pending_role_level, member.pending_organisation, member.unlisted_organisation)
    if asked == before:
        return member
    member.pending_role_level, member.pending_organisation, member.unlisted_organisation = asked
    member.pending_change_requested_at = timezone.now() if any(asked) else None
    member.save(update_fields=PENDING_FIELDS)
    audit_log(
        actor=member,
        action="member.change_request" if any(asked) else "member.change_withdraw",
        target=member,
        role_level=asked[0],
        organisation=str(asked[1] or asked[2]),
    )
    return member


def _pending_change_for_decision(*, actor: User, member: User) -> User:
    if not is_community_manager(actor):
        raise PermissionDenied
    _refuse_own_vetting(actor=actor, member=member)
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.pending_change_requested_at is None:
        raise ValidationError(_("This member has no change waiting: it was decided already."))
    return member


def _pending_clear(member: User) -> None:
    member.pending_role_level = member.unlisted_organisation = ""
    member.pending_organisation = member.pending_change_requested_at = None


@transaction.atomic
def member_change_confirm(
    *, actor: User, member: User, organisation: Organisation | None = None
) -> User:
    """Apply the role level and organisation a verified member asked for. ``organisation``
    (listed, or new: see ``organisation_chosen``) replaces the one asked for; it is required
    when the member named an organisation that is not listed."""
    member = _pending_change_for_decision(actor=actor, member=member)
    if organisation is None and member.unlisted_organisation:
        raise ValidationError(
            {
                "organisation": _(
                    "%(name)s is not listed: choose the organisation from the list, or add it."
                )
                % {"name": member.unlisted_organisation}
            }
        )
    changed = {}
    organisation = organisation_chosen(actor=actor, organisation=organisation)
    organisation = organisation or member.pending_organisation
    if organisation is not None and organisation.pk != member.organisation_id:
        changed["organisation"] = [str(member.organisation or ""), str(organisation)]
        member.organisation = organisation
    if member.pending_role_level and member.pending_role_level != member.role_level:
        changed["role_level"] = [member.role_level, member.pending_role_level]
        member.role_level = member.pending_role_level
    _pending_clear(member)
    member.save(update_fields=["role_level", "organisation", *PENDING_FIELDS])
    entry = audit_log(actor=actor, action="member.change_confirm", target=member, changed=changed)
    from ..tasks import member_change_email_task

    _on_commit_delay(member_change_email_task, entry.pk)
    return member


@transaction.atomic
def member_change_decline(*, actor: User, member: User, reason: str = "") -> User:
    """Refuse what a verified member asked for: their role level and organisation stay."""
    member = _pending_change_for_decision(actor=actor, member=member)
    asked = {
        "role_level": member.pending_role_level,
        "organisation": str(member.pending_organisation or member.unlisted_organisation),
    }
    _pending_clear(member)
    member.save(update_fields=PENDING_FIELDS)
    entry = audit_log(
        actor=actor,
        action="member.change_decline",
        target=member,
        reason=reason.strip(),
        asked=asked,
    )
    from ..tasks import member_change_email_task

    _on_commit_delay(member_change_email_task, entry.pk)
    return member


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
