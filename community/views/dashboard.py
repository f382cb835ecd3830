"""The community health dashboard for community managers, and its CSV export."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..audit import csv_safe
from ..roles import is_community_manager
from ..selectors.health import community_health


@require_http_methods(["GET"])
def dashboard(request):
    if not is_community_manager(request.user):
        raise Http404
    health = community_health(request.user)
    charts = {
        "members": {
            "type": "line",
            "labels": health["months"],
            "datasets": [
                {"label": _("joined"), "data": health["joined"]},
                {"label": _("active"), "data": health["active"]},
            ],
        },
        "rooms": {
            "type": "bar",
            "labels": [room["name"] for room in health["rooms"][:15]],
            "datasets": [
                {
                    "label": _("posts, last 30 days"),
                    "data": [r["posts_recent"] for r in health["rooms"][:15]],
                }
            ],
        },
    }
    return render(request, "community/dashboard.html", {"health": health, "charts": charts})


@require_http_methods(["GET"])
def dashboard_export(request):
    if not is_community_manager(request.user):
        raise Http404
    health = community_health(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="community-health.csv"'
    writer = csv.writer(response)
    writer.writerow([_("figure"), _("period or item"), _("value")])
    for month, joined, active in zip(
        health["months"], health["joined"], health["active"], strict=True
    ):
        writer.writerow([_("members joined"), month, joined])
        writer.writerow([_("active members"), month, active])
    for room in health["rooms"]:
        writer.writerow([_("posts, all time"), csv_safe(room["name"]), room["posts_total"]])
        writer.writerow([_("posts, last 30 days"), csv_safe(room["name"]), room["posts_recent"]])
    writer.writerow([_("unanswered threads"), "", health["unanswered_count"]])
    writer.writerow([_("pending applications"), "", health["pending_applications"]])
    writer.writerow([_("affiliations awaiting verification"), "", health["awaiting_verification"]])
    writer.writerow([_("open invitations"), "", health["open_invitations"]])
    for row in health["surveys"]:
        writer.writerow([_("survey response rate (%)"), csv_safe(row["survey"].title), row["rate"]])
    return response
