from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from community.views import security as security_views

from . import views

admin.site.site_header = "ILEAnet administration"
admin.site.site_title = "ILEAnet admin"
# Every sign-in goes through allauth (password, second factor, rate limits): the admin's own
# password form never signs anyone in, and visitors reach the decorator, which sends them there.
admin.site.login = login_not_required(secure_admin_login(views.admin_login))

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Before allauth's own view of the same address, which removes the last key of a member
    # for whom MFA is mandatory.
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        security_views.webauthn_remove,
        name="mfa_remove_webauthn",
    ),
    path("accounts/", include("allauth.urls")),
    # Visitors choose their language before signing in too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/v1/", include("ileanet.api.urls")),
    path("ipup/", include("ipup.urls")),
    path("ipip/", include("ipip.urls")),
    path("knowledge/", include("knowledge_factory.urls")),
    path("", include("community.urls")),
]

if settings.BENCH_VIEWS:
    urlpatterns.append(path("bench/bare", views.bench_bare, name="bench-bare"))
