"""Showcase events and webinars (SPEC §3.8): the list, the organisers' form, the event's page
with its agenda, registration, participants and attendance. An event is seen by whoever sees
its calendar entry (``Event.objects.visible_to``); everyone else gets 404."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.models import Event
from community.services.calendar import can_manage_events
from community.visibility import can_see_event_link
from ileanet.forms import form_errors_add

from ..event_forms import EVENT_FIELDS, AgendaItemForm, RegistrationForm, ShowcaseForm
from ..models import (
    AgendaItem,
    AudienceCategory,
    DocumentKind,
    EventRegistration,
    ProjectDocument,
    ShowcaseEvent,
)
from ..models.events import categories_open_to
from ..services.documents import document_link
from ..services.events import (
    agenda_add,
    agenda_move,
    agenda_remove,
    attendance_mark,
    registration_cancel,
    registration_closed_reason,
    registration_create,
    showcase_create,
    showcase_update,
    waiting_position,
)

Status = EventRegistration.Status


def _showcases(user):
    return ShowcaseEvent.objects.filter(
        event__in=Event.objects.visible_to(user).values("pk")
    ).select_related("event", "project")


def _showcase(user, pk) -> ShowcaseEvent:
    showcase = _showcases(user).filter(pk=pk).first()
    if showcase is None:
        raise Http404
    return showcase


def _managed_showcase(user, pk) -> ShowcaseEvent:
    if not can_manage_events(user):
        raise Http404
    return _showcase(user, pk)


def _agenda_prefetch():
    return Prefetch(
        "agenda",
        queryset=AgendaItem.objects.select_related("project").defer(
            "project__search_vector",
            "project__embedding",
            "project__summary",
            "project__objectives",
        ),
    )


@require_http_methods(["GET"])
def showcase_list(request):
    now = timezone.now()
    showcases = (
        _showcases(request.user)
        .prefetch_related(_agenda_prefetch())
        .annotate(
            registered=Count("registrations", filter=Q(registrations__status=Status.REGISTERED)),
            waiting=Count("registrations", filter=Q(registrations__status=Status.WAITING)),
        )
    )
    upcoming = showcases.filter(event__ends_at__gte=now).order_by("event__starts_at", "pk")
    past = showcases.filter(event__ends_at__lt=now).order_by("-event__starts_at", "-pk")[:50]
    return render(
        request,
        "ipup/showcase_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "can_manage": can_manage_events(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def showcase_edit(request, pk=None):
    showcase = _managed_showcase(request.user, pk) if pk else None
    if not can_manage_events(request.user):
        raise Http404
    if showcase:
        initial = ShowcaseForm.initial_for(showcase)
    else:
        initial = {
            k: request.GET[k] for k in ("format", "project", "follow_up_of") if k in request.GET
        }
    form = ShowcaseForm(request.POST or None, initial=initial, showcase=showcase)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        event_fields = {name: data.pop(name) for name in EVENT_FIELDS}
        try:
            if showcase:
                showcase = showcase_update(
                    actor=request.user, showcase=showcase, **data, **event_fields
                )
            else:
                showcase = showcase_create(actor=request.user, **data, **event_fields)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("ipup:showcase-detail", pk=showcase.pk)
    return render(request, "ipup/showcase_form.html", {"form": form, "showcase": showcase})


def _document_links(user, agenda) -> dict[int, list]:
    """Each presented project's documents the viewer may read, as (name, link) pairs."""
    documents = (
        ProjectDocument.objects.visible_to(user)
        .filter(project_id__in=[item.project_id for item in agenda], approved_version__isnull=False)
        .only("pk", "project_id", "kind")
    )
    order = DocumentKind.values
    links: dict[int, list] = {}
    for document in sorted(documents, key=lambda d: order.index(d.kind)):
        links.setdefault(document.project_id, []).append(
            (document.get_kind_display(), document_link(document))
        )
    return links


@require_http_methods(["GET"])
def showcase_detail(request, pk):
    showcase = _showcase(request.user, pk)
    event = showcase.event
    can_manage = can_manage_events(request.user)
    agenda = list(showcase.agenda.select_related("project").order_by("position", "id"))
    links = _document_links(request.user, agenda)
    for item in agenda:
        item.documents = links.get(item.project_id, [])
    registration = showcase.registrations.filter(member=request.user).first()
    context = {
        "showcase": showcase,
        "event": event,
        "can_manage": can_manage,
        "registration": registration,
        "waiting_position": waiting_position(registration) if registration else None,
        "agenda": agenda,
        "can_see_link": can_see_event_link(request.user, event),
        "closed_reason": registration_closed_reason(showcase)
        or (
            ""
            if set(showcase.categories) & categories_open_to(request.user)
            else _("This event is for audiences your verified affiliation does not belong to.")
        ),
        "started": timezone.now() >= event.starts_at,
        "registration_form": RegistrationForm(showcase=showcase, member=request.user),
    }
    if can_manage:
        participants = list(
            showcase.registrations.exclude(status=Status.CANCELLED)
            .select_related("member")
            .order_by("registered_at", "id")
        )
        registered = [r for r in participants if r.status == Status.REGISTERED]
        counts = Counter(r.category for r in registered)
        context |= {
            "participants": participants,
            "registered_count": len(registered),
            "waiting_count": len(participants) - len(registered),
            "attended_count": sum(r.attended for r in registered),
            "category_counts": [
                (label, counts.get(value, 0))
                for value, label in AudienceCategory.choices
                if value in showcase.categories
            ],
            "agenda_form": AgendaItemForm(),
        }
    return render(request, "ipup/showcase_detail.html", context)


@require_http_methods(["POST"])
def showcase_register(request, pk):
    showcase = _showcase(request.user, pk)
    form = RegistrationForm(request.POST, showcase=showcase, member=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose how you attend."))
        return redirect("ipup:showcase-detail", pk=showcase.pk)
    try:
        registration = registration_create(
            member=request.user, showcase=showcase, category=form.cleaned_data["category"]
        )
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.status == Status.WAITING:
            messages.warning(
                request,
                _("The event is full: you are on the waiting list (number %(n)s).")
                % {"n": waiting_position(registration)},
            )
        else:
            messages.success(request, _("You are registered."))
    return redirect("ipup:showcase-detail", pk=showcase.pk)


@require_http_methods(["POST"])
def showcase_unregister(request, pk):
    showcase = _showcase(request.user, pk)
    registration = showcase.registrations.filter(member=request.user).first()
    if registration is None:
        raise Http404
    try:
        registration_cancel(actor=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("ipup:showcase-detail", pk=showcase.pk)


@require_http_methods(["POST"])
def showcase_agenda_add(request, pk):
    showcase = _managed_showcase(request.user, pk)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            agenda_add(actor=request.user, showcase=showcase, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The presentation is on the agenda."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("ipup:showcase-detail", pk=showcase.pk)


def _agenda_item(showcase, item_id) -> AgendaItem:
    item = showcase.agenda.filter(pk=item_id).select_related("showcase").first()
    if item is None:
        raise Http404
    return item


@require_http_methods(["POST"])
def showcase_agenda_remove(request, pk, item_id):
    showcase = _managed_showcase(request.user, pk)
    try:
        agenda_remove(actor=request.user, item=_agenda_item(showcase, item_id))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The presentation is removed from the agenda."))
    return redirect("ipup:showcase-detail", pk=showcase.pk)


@require_http_methods(["POST"])
def showcase_agenda_move(request, pk, item_id):
    showcase = _managed_showcase(request.user, pk)
    agenda_move(
        actor=request.user,
        item=_agenda_item(showcase, item_id),
        up=request.POST.get("direction") != "down",
    )
    return redirect("ipup:showcase-detail", pk=showcase.pk)


@require_http_methods(["POST"])
def showcase_attendance(request, pk):
    """The participants table: the ticked registrations attended, the other registered ones
    did not."""
    showcase = _managed_showcase(request.user, pk)
    try:
        ticked = {int(value) for value in request.POST.getlist("attended")}
    except ValueError as error:
        raise Http404 from error
    try:
        with transaction.atomic():
            attendance_mark(actor=request.user, showcase=showcase, registration_ids=ticked)
            others = showcase.registrations.filter(status=Status.REGISTERED).exclude(pk__in=ticked)
            attendance_mark(
                actor=request.user,
                showcase=showcase,
                registration_ids=list(others.values_list("pk", flat=True)),
                attended=False,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Attendance is saved."))
    return redirect("ipup:showcase-detail", pk=showcase.pk)
