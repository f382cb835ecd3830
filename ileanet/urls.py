from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views

admin.site.site_header = "ILEAnet administration"
admin.site.site_title = "ILEAnet admin"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Visitors choose their language before signing in too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("ipup/", include("ipup.urls")),
    path("", include("community.urls")),
]

if settings.BENCH_VIEWS:
    urlpatterns.append(path("bench/bare", views.bench_bare, name="bench-bare"))
