from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("charter/", views.charter, name="charter"),
    path("legal/", views.legal, name="legal"),
    path("data-management/", views.data_management, name="data-management"),
    path("security/mfa-required/", views.mfa_required, name="mfa-required"),
    path("join/", views.application_create, name="application-create"),
    path("invitations/new/", views.invitation_create, name="invitation-create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("manage/applications/", views.application_list, name="application-list"),
    path(
        "manage/applications/<int:pk>/<str:decision>/",
        views.application_decide,
        name="application-decide",
    ),
    path("manage/verifications/", views.verification_list, name="verification-list"),
    path(
        "manage/verifications/<int:pk>/verify/",
        views.verification_verify,
        name="verification-verify",
    ),
]
