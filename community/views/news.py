"""Community news and the network calendar, with its iCalendar feeds."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..forms import EventForm, NewsForm
from ..ical import calendar_ics
from ..models import Event, NewsPost, User
from ..roles import is_community_manager
from ..services.calendar import (
    calendar_token_renew,
    can_manage_events,
    event_cancel,
    event_create,
    event_update,
)
from ..services.news import news_delivery_summary, news_publish, news_update
from ..visibility import can_see_event_link

PER_PAGE = 20
# What a personal calendar feed carries: events that ended in the last FEED_PAST and every
# later one, FEED_LIMIT at most (a calendar app fetches the feed every few hours).
FEED_PAST = timedelta(days=90)
FEED_LIMIT = 500


def _form_errors(form, error: ValidationError) -> None:
    form.add_error(None, error.messages)


# --- News ----------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def news_list(request):
    items = NewsPost.objects.visible_to(request.user).select_related("author")
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/news_list.html",
        {"page": page, "can_publish": is_community_manager(request.user)},
    )


def _visible_news(user, pk) -> NewsPost:
    news = NewsPost.objects.visible_to(user).select_related("author").filter(pk=pk).first()
    if news is None:
        raise Http404
    return news


# Public news is the network's public announcements (the landing page links it); the rest
# answers 404 to anonymous visitors through the same rule as to members.
@login_not_required
@require_http_methods(["GET"])
def news_detail(request, pk):
    news = _visible_news(request.user, pk)
    manager = is_community_manager(request.user)
    return render(
        request,
        "community/news_detail.html",
        {
            "news": news,
            "manager": manager,
            "deliveries": news_delivery_summary(news) if manager else None,
        },
    )


@require_http_methods(["GET", "POST"])
def news_edit(request, pk=None):
    if not is_community_manager(request.user):
        raise Http404
    news = _visible_news(request.user, pk) if pk else None
    form = NewsForm(request.POST or None, instance=news, editing=news is not None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if news:
                news = news_update(actor=request.user, news=news, **fields)
            else:
                news = news_publish(actor=request.user, **fields)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The news is published."))
            return redirect("community:news-detail", pk=news.pk)
    return render(request, "community/news_form.html", {"form": form, "news": news})


# --- Calendar ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def calendar(request):
    past = request.GET.get("past") == "1"
    events = Event.objects.visible_to(request.user).select_related("organiser")
    now = timezone.now()
    events = (
        events.filter(ends_at__lt=now).order_by("-starts_at")
        if past
        else events.filter(ends_at__gte=now)
    )
    feed_url = None
    if request.user.calendar_token:
        feed_url = settings.SITE_URL + reverse(
            "community:calendar-feed", args=[request.user.calendar_token]
        )
    return render(
        request,
        "community/calendar.html",
        {
            "page": Paginator(events, PER_PAGE).get_page(request.GET.get("page")),
            "past": past,
            "feed_url": feed_url,
            "can_manage": can_manage_events(request.user),
        },
    )


def _visible_event(user, pk) -> Event:
    event = Event.objects.visible_to(user).select_related("organiser").filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


@require_http_methods(["GET"])
def event_detail(request, pk):
    event = _visible_event(request.user, pk)
    # A showcase event or webinar (ipup) has its agenda and registration on its own page; its
    # online link is for its registered participants only (community.visibility).
    showcase = getattr(event, "showcase", None)
    return render(
        request,
        "community/event_detail.html",
        {
            "event": event,
            "showcase": showcase,
            "can_see_link": can_see_event_link(request.user, event),
            "can_manage": can_manage_events(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def event_edit(request, pk=None):
    if not can_manage_events(request.user):
        raise Http404
    event = _visible_event(request.user, pk) if pk else None
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            if event:
                event = event_update(actor=request.user, event=event, **form.cleaned_data)
            else:
                event = event_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("community:event-detail", pk=event.pk)
    return render(request, "community/event_form.html", {"form": form, "event": event})


@require_http_methods(["POST"])
def event_cancel_view(request, pk):
    if not can_manage_events(request.user):
        raise Http404
    event = _visible_event(request.user, pk)
    try:
        event_cancel(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event is cancelled; calendars will show it so."))
    return redirect("community:event-detail", pk=event.pk)


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET"])
def event_ics(request, pk):
    event = _visible_event(request.user, pk)
    return _ics_response(calendar_ics([event], name=event.title), f"event-{event.pk}.ics")


@login_not_required
@never_cache
@require_http_methods(["GET"])
def calendar_feed(request, token):
    """The member's personal feed, for calendar apps (which cannot sign in): the events its
    owner may see now, checked at every fetch."""
    owner = (
        User.objects.filter(calendar_token=token, is_active=True, deleted_at__isnull=True).first()
        if token and len(token) <= 64
        else None
    )
    if owner is None:
        raise Http404
    # Calendar apps want what is coming and what just happened, not the network's first
    # events: the window starts FEED_PAST ago and the cap keeps the nearest ones.
    since = timezone.now() - FEED_PAST
    events = (
        Event.objects.visible_to(owner)
        .filter(ends_at__gte=since)
        .order_by("starts_at")[:FEED_LIMIT]
    )
    return _ics_response(calendar_ics(events, name="ILEAnet"), "ileanet.ics")


@require_http_methods(["POST"])
def calendar_token_renew_view(request):
    calendar_token_renew(member=request.user)
    messages.success(request, _("Your calendar address is new; the previous one no longer works."))
    return redirect("community:calendar")
