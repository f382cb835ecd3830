"""A member's notifications, a preview of their next e-mail digest, and the unsubscribe page
that e-mails link to.

Both lists come from ``community.services.notifications``, which re-applies the visibility rule
when they are read: a notification about a post the member can no longer open is not shown.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..emails import TEXT, unsubscribe_member_id, unsubscribe_url
from ..models import User
from ..services.notifications import (
    digest_context,
    email_notifications_stop,
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


@require_http_methods(["GET"])
def notification_open(request, notification_id):
    """Follow a notification that is not about a post: mark it read, go to its link — only
    while its target is still the member's to see."""
    notification = notification_list_for(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    link = notification.link
    # Links are paths written by our services; still, never send a member off the site.
    local = link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None)
    if notification.post_id or not local:
        raise Http404
    notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(link)


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
            **digest_context(request.user, notifications),
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe_url(request.user),
        },
        using=TEXT,
    )
    return render(
        request,
        "community/digest_preview.html",
        {"body": body, "count": len(notifications), "frequency": request.user.email_frequency},
    )


# The signed token in the address is the authorisation: the page needs no session, and mail
# clients send RFC 8058's one-click POST without cookies or a CSRF token. Showing the page
# (GET) changes nothing, so a link scanner that opens it unsubscribes nobody.
@login_not_required
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request, token):
    member_id = unsubscribe_member_id(token)
    member = member_id and User.objects.filter(pk=member_id, deleted_at__isnull=True).first()
    if not member:
        raise Http404
    if request.method == "POST":
        email_notifications_stop(member=member)
    return render(request, "community/email_unsubscribe.html", {"done": request.method == "POST"})
