"""Reads scoped to a user, split by sub-domain; import from here."""

from .forum import (
    first_unread_page,
    mention_candidates,
    post_page_for,
    post_page_number,
    room_list_for,
    subscription_mode,
    thread_page_for,
)
from .members import (
    CURRENT_CHARTER_CACHE_KEY,
    application_list_pending,
    charter_accepted,
    charter_current,
    charter_current_version,
    home_attention_for,
    invitation_by_token,
    invitation_list_sent_by,
    member_list_awaiting_verification,
    member_list_with_pending_change,
    mfa_enabled,
    mfa_required,
    mfa_types,
    onboarding_checklist_for,
)
from .organisations import organisation_list_with_counts

__all__ = [
    "CURRENT_CHARTER_CACHE_KEY",
    "application_list_pending",
    "charter_accepted",
    "charter_current",
    "charter_current_version",
    "first_unread_page",
    "home_attention_for",
    "invitation_by_token",
    "invitation_list_sent_by",
    "member_list_awaiting_verification",
    "member_list_with_pending_change",
    "mention_candidates",
    "mfa_enabled",
    "mfa_required",
    "mfa_types",
    "onboarding_checklist_for",
    "organisation_list_with_counts",
    "post_page_for",
    "post_page_number",
    "room_list_for",
    "subscription_mode",
    "thread_page_for",
]
