"""Vetting (SPEC §2.2): what community managers tell members about the verification of their
affiliation, and the invitations they look after (resent, revoked, or sent to a list).

Every decision is audited and e-mailed once (``verification_email_task``); a rejected member
keeps their account at the lowest tier, as before the verification, and is told why.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import Invitation, User, VerificationDecision
from ..roles import is_community_manager
from ..selectors.members import invitation_list_open
from .members import _on_commit_delay, _refuse_own_vetting, invitation_create

Kind = VerificationDecision.Kind


def verification_decision_record(
    *, actor: User, member: User, kind: str, message: str = ""
) -> VerificationDecision:
    """Record what the member is told and e-mail it once the transaction commits. Caller
    checked the actor's right and holds the member's row."""
    from ..tasks import verification_email_task

    decision = VerificationDecision.objects.create(
        member=member, kind=kind, message=message, decided_by=actor
    )
    _on_commit_delay(verification_email_task, decision.pk)
    return decision


def _member_to_vet(*, actor: User, member: User, message: str) -> tuple[User, str]:
    if not (is_community_manager(actor) or actor.has_perm("community.verify_affiliation")):
        raise PermissionDenied
    _refuse_own_vetting(actor=actor, member=member)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write the message the member will receive.")})
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.affiliation_verified_at is not None:
        raise ValidationError(_("This member's affiliation is already verified."))
    return member, message


@transaction.atomic
def affiliation_reject(*, actor: User, member: User, message: str) -> VerificationDecision:
    """Refuse to verify: the account stays open at the lowest tier (public rooms, no restricted
    content), leaves the verification queue, and the member is told why."""
    member, message = _member_to_vet(actor=actor, member=member, message=message)
    audit_log(actor=actor, action="member.verify_reject", target=member, reason=message)
    return verification_decision_record(
        actor=actor, member=member, kind=Kind.REJECTED, message=message
    )


@transaction.atomic
def evidence_request(*, actor: User, member: User, message: str) -> VerificationDecision:
    """Ask the member for evidence of their affiliation; they answer by replying to the e-mail
    (it goes to the manager who asked). The member stays in the queue."""
    member, message = _member_to_vet(actor=actor, member=member, message=message)
    audit_log(actor=actor, action="member.verify_evidence", target=member, reason=message)
    return verification_decision_record(
        actor=actor, member=member, kind=Kind.EVIDENCE, message=message
    )


# --- Invitations ------------------------------------------------------------------------------


def _require_may_handle(actor: User, invitation: Invitation) -> None:
    if not (is_community_manager(actor) or invitation.invited_by_id == actor.pk):
        raise PermissionDenied


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send a pending (or expired) invitation again with a new link: the old link stops working
    now, and the invitation is valid for another INVITATION_VALID_DAYS.

    An invitation a member made for an address that is a member's, or already invited, was
    held (``invitation_create``) and stays so: resending it sends nothing, and the member is
    answered the same."""
    _require_may_handle(actor, invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("Only an invitation still waiting for an answer can be resent."))
    held = (
        User.objects.filter(email__iexact=invitation.email).exists()
        or invitation_list_open()
        .filter(email__iexact=invitation.email)
        .exclude(pk=invitation.pk)
        .exists()
    )
    if held and is_community_manager(actor):
        raise ValidationError(
            _("This address is a member's, or has another open invitation: nothing was sent.")
        )
    invitation.token_hash, invitation.sent_at = None, None
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit_log(actor=actor, action="invitation.resend", target=invitation, held=held)
    if not held:
        from ..tasks import invitation_send_task

        _on_commit_delay(invitation_send_task, invitation.pk)
    return invitation


@transaction.atomic
def invitations_import(*, actor: User, rows: list[dict], message: str = "") -> list[Invitation]:
    """Invite every row of a checked list (``InvitationImportForm``) through
    ``invitation_create``, all or none: a row refused on the way (someone joined meanwhile)
    refuses the list, and the manager sees the preview again."""
    if not is_community_manager(actor):
        raise PermissionDenied
    invitations = []
    for row in rows:
        try:
            invitations.append(invitation_create(actor=actor, message=message, **row))
        except ValidationError as error:
            raise ValidationError(
                _("%(email)s: %(error)s")
                % {"email": row["email"], "error": " ".join(error.messages)}
            ) from None
    return invitations
