"""Platform-level endpoints: health and the bench's bare reference view."""

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


def _check_database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")
    return "ok"


def _check_broker() -> str:
    if celery_app.conf.task_always_eager:
        return "in-process"
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """State of database, cache and broker: 200 when all answer, 503 otherwise. Errors are
    named, never detailed (no host names or credentials in a public response)."""
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("broker", _check_broker),
    ):
        try:
            checks[name] = check()
        except Exception:
            checks[name] = "down"
    healthy = "down" not in checks.values()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


@require_GET
def bench_bare(request):
    """The bench's reference: the full middleware stack and nothing else."""
    return HttpResponse("ok")


def admin_login(request, extra_context=None):
    """The admin's login page, behind allauth's ``secure_admin_login`` (ileanet/urls.py): that
    sends visitors to the sign-in page (password, second factor, rate limits) and refuses
    signed-in members who are not staff. Signed-in staff go to the admin index, as Django's
    form does for them on GET; its POST, which would sign in whoever's password it is given,
    is never run."""
    return redirect("admin:index")
