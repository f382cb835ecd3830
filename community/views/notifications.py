"""A member's notifications and a preview of their next e-mail digest.

Both lists come from ``community.services.notifications``, which re-applies the visibility rule
when they are read: a notification about a post the member can no longer open is not shown.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..services.notifications import (
    notification_list_for,
    notification_mark_read,
    notification_pending_for,
)

NOTIFICATIONS_PER_PAGE = 30
# As many as digest_send_task puts in one e-mail.
DIGEST_LIMIT = 200


@require_http_methods(["GET"])
def notification_list(request):
    page = Paginator(notification_list_for(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "community/notification_list.html", {"page": page})


@require_http_methods(["POST"])
def notification_read_all(request):
    notification_mark_read(user=request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("community:notification-list")


@require_http_methods(["GET"])
def digest_preview(request):
    """Exactly what the next digest e-mail would say, rendered with the e-mail's own template."""
    notifications = list(notification_pending_for(request.user)[:DIGEST_LIMIT])
    body = render_to_string(
        "community/email/digest_body.txt",
        {
            "member": request.user,
            "notifications": notifications,
            "period": request.user.email_frequency,
            "site_url": settings.SITE_URL,
        },
    )
    return render(
        request,
        "community/digest_preview.html",
        {"body": body, "count": len(notifications), "frequency": request.user.email_frequency},
    )
