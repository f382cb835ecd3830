from django.urls import path

from .views import members

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
    path("manage/applications/", members.application_list, name="application-list"),
    path(
        "manage/applications/<int:pk>/<str:decision>/",
        members.application_decide,
        name="application-decide",
    ),
    path("manage/verifications/", members.verification_list, name="verification-list"),
    path(
        "manage/verifications/<int:pk>/verify/",
        members.verification_verify,
        name="verification-verify",
    ),
    # Rooms, threads, posts, search and notifications (views/forum.py, views/notifications.py)
    # Moderation, room management and the audit log (views/moderation.py)
]
