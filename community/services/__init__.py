"""Every write of the community app, split by sub-domain; import from here."""

from .members import (
    affiliation_verify,
    application_approve,
    application_decline,
    application_submit,
    can_invite,
    charter_accept,
    charter_publish,
    invitation_check,
    invitation_create,
    invitation_redeem,
    invitation_revoke,
    profile_update,
    role_grant,
)

__all__ = [
    "affiliation_verify",
    "application_approve",
    "application_decline",
    "application_submit",
    "can_invite",
    "charter_accept",
    "charter_publish",
    "invitation_check",
    "invitation_create",
    "invitation_redeem",
    "invitation_revoke",
    "profile_update",
    "role_grant",
]
