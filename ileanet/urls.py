from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "ILEAnet administration"
admin.site.site_title = "ILEAnet admin"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ipup/", include("ipup.urls")),
    path("", include("community.urls")),
]

if settings.BENCH_VIEWS:
    urlpatterns.append(path("bench/bare", views.bench_bare, name="bench-bare"))
