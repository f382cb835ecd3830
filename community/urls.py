from django.urls import path

from .views import (
    api_tokens,
    dashboard,
    directory,
    forum,
    introductions,
    members,
    moderation,
    news,
    notifications,
    organisations,
    personal_data,
    vetting,
)

app_name = "community"

urlpatterns = [
    path("", members.home, name="home"),
    path("profile/", members.profile_edit, name="profile-edit"),
    path("charter/", members.charter, name="charter"),
    path("legal/", members.legal, name="legal"),
    path("data-management/", members.data_management, name="data-management"),
    path("security/mfa-required/", members.mfa_required, name="mfa-required"),
    path("join/", members.application_create, name="application-create"),
    path("invitations/new/", members.invitation_create, name="invitation-create"),
    path("invitations/<str:token>/", members.invitation_accept, name="invitation-accept"),
    # Invitations looked after, and the verification decisions (views/vetting.py)
    path("manage/invitations/", vetting.invitation_list, name="invitation-list"),
    path("manage/invitations/import/", vetting.invitation_import, name="invitation-import"),
    path("invitations/<int:pk>/resend/", vetting.invitation_resend, name="invitation-resend"),
    path("invitations/<int:pk>/revoke/", vetting.invitation_revoke, name="invitation-revoke"),
    path(
        "manage/verifications/<int:pk>/reject/",
        vetting.verification_message,
        {"kind": "reject"},
        name="verification-reject",
    ),
    path(
        "manage/verifications/<int:pk>/evidence/",
        vetting.verification_message,
        {"kind": "evidence"},
        name="verification-evidence",
    ),
    path("manage/applications/", members.application_list, name="application-list"),
    path(
        "manage/applications/<int:pk>/approve/",
        members.application_approve,
        name="application-approve",
    ),
    path(
        "manage/applications/<int:pk>/decline/",
        members.application_decline,
        name="application-decline",
    ),
    path("manage/verifications/", members.verification_list, name="verification-list"),
    path(
        "manage/verifications/<int:pk>/verify/",
        members.verification_verify,
        name="verification-verify",
    ),
    path(
        "manage/verifications/<int:pk>/change/",
        members.member_change_confirm,
        name="member-change-confirm",
    ),
    path(
        "manage/verifications/<int:pk>/change/decline/",
        members.member_change_decline,
        name="member-change-decline",
    ),
    # The managed list of organisations (views/organisations.py)
    path("manage/organisations/", organisations.organisation_list, name="organisation-list"),
    path(
        "manage/organisations/new/", organisations.organisation_create, name="organisation-create"
    ),
    path(
        "manage/organisations/<int:pk>/", organisations.organisation_edit, name="organisation-edit"
    ),
    path(
        "manage/organisations/<int:pk>/merge/",
        organisations.organisation_merge,
        name="organisation-merge",
    ),
    # Rooms, threads, posts, search and notifications (views/forum.py, views/notifications.py)
    path("rooms/", forum.room_list, name="room-list"),
    path("rooms/new/", moderation.room_create, name="room-create"),
    path("rooms/<slug:slug>/", forum.room_detail, name="room-detail"),
    path("rooms/<slug:slug>/subscribe/", forum.room_subscribe, name="room-subscribe"),
    path("rooms/<slug:slug>/new/", forum.thread_create, name="thread-create"),
    path("rooms/<slug:slug>/mentions/", forum.mention_autocomplete, name="mention-autocomplete"),
    path("rooms/<slug:slug>/feed/", forum.RoomFeed(), name="room-feed"),
    path("threads/<int:pk>/", forum.thread_detail, name="thread-detail"),
    path("threads/<int:pk>/unread/", forum.thread_unread, name="thread-unread"),
    path("threads/<int:pk>/subscribe/", forum.thread_subscribe, name="thread-subscribe"),
    path("threads/<int:pk>/reply/", forum.post_reply, name="post-reply"),
    path("posts/<int:pk>/", forum.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", forum.post_edit, name="post-edit"),
    path("posts/<int:pk>/history/", forum.post_history, name="post-history"),
    path("posts/<int:pk>/useful/", forum.post_useful, name="post-useful"),
    path("posts/<int:pk>/flag/", forum.post_flag, name="post-flag"),
    path("attachments/<int:pk>/", forum.attachment_download, name="attachment-download"),
    path("search/", forum.search, name="search"),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path(
        "notifications/<int:notification_id>/",
        notifications.notification_open,
        name="notification-open",
    ),
    path("notifications/read/", notifications.notification_read_all, name="notification-read-all"),
    path("notifications/digest/", notifications.digest_preview, name="digest-preview"),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.email_unsubscribe,
        name="email-unsubscribe",
    ),
    # Moderation, room management and the audit log (views/moderation.py)
    path("rooms/<slug:slug>/edit/", moderation.room_edit, name="room-edit"),
    path("threads/<int:pk>/moderate/", moderation.thread_moderate, name="thread-moderate"),
    path("posts/<int:pk>/hide/", moderation.post_hide, name="post-hide"),
    path("posts/<int:pk>/unhide/", moderation.post_unhide, name="post-unhide"),
    path("moderation/", moderation.moderation_queue, name="moderation-queue"),
    path("moderation/flags/<int:pk>/dismiss/", moderation.flag_dismiss, name="flag-dismiss"),
    path("manage/members/", moderation.member_moderation, name="member-moderation"),
    path("members/<int:pk>/sanction/", moderation.member_sanction, name="member-sanction"),
    path("members/<int:pk>/affiliation/", members.member_affiliation, name="member-affiliation"),
    path("audit/", moderation.audit_log_list, name="audit-log"),
    path("audit/export.csv", moderation.audit_log_export, name="audit-log-export"),
    # Introductions (views/introductions.py) come before "members/<handle>/", which would
    # take "connect" for a handle.
    path("members/connect/", introductions.member_connect, name="member-connect"),
    # Member directory, profiles, national contacts (views/directory.py)
    path("members/", directory.member_directory, name="member-directory"),
    path("members/countries/", directory.network_countries, name="network-countries"),
    path("members/<slug:handle>/", directory.member_detail, name="member-detail"),
    path("contacts/", directory.national_contacts, name="national-contacts"),
    path("contacts/my-country/", directory.country_page, name="country-page"),
    path(
        "contacts/<int:member_id>/handover/",
        directory.national_contact_handover,
        name="national-contact-handover",
    ),
    # News and the network calendar (views/news.py)
    path("news/", news.news_list, name="news-list"),
    path("news/new/", news.news_edit, name="news-create"),
    path("news/<int:pk>/", news.news_detail, name="news-detail"),
    path("news/<int:pk>/edit/", news.news_edit, name="news-edit"),
    path("calendar/", news.calendar, name="calendar"),
    path("calendar/new/", news.event_edit, name="event-create"),
    path("calendar/address/", news.calendar_token_renew_view, name="calendar-token-renew"),
    path("calendar/feed/<str:token>.ics", news.calendar_feed, name="calendar-feed"),
    path("calendar/<int:pk>/", news.event_detail, name="event-detail"),
    path("calendar/<int:pk>/edit/", news.event_edit, name="event-edit"),
    path("calendar/<int:pk>/cancel/", news.event_cancel_view, name="event-cancel"),
    path("calendar/<int:pk>/event.ics", news.event_ics, name="event-ics"),
    # Community health dashboard and personal data (views/dashboard.py, views/personal_data.py)
    path("manage/dashboard/", dashboard.dashboard, name="dashboard"),
    path("manage/dashboard/export.csv", dashboard.dashboard_export, name="dashboard-export"),
    path("profile/data/", personal_data.personal_data, name="personal-data"),
    path(
        "profile/data/export.zip",
        personal_data.personal_data_download,
        name="personal-data-export",
    ),
    path("profile/data/delete/", personal_data.account_delete_view, name="account-delete"),
    # Personal API tokens (views/api_tokens.py)
    path("profile/tokens/", api_tokens.api_token_list, name="api-tokens"),
    path(
        "profile/tokens/<int:pk>/revoke/",
        api_tokens.api_token_revoke_view,
        name="api-token-revoke",
    ),
    path("goodbye/", personal_data.account_deleted, name="account-deleted"),
]
