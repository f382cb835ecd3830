"""Moderation and room management pages. Every object is reached through the visibility rule
and every action through a service (which checks the actor's right and writes the audit log);
a refused action answers 404, like an object that does not exist."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ileanet.forms import form_errors_add

from ..audit import SECURITY_PREFIX, csv_safe
from ..forms import (
    AuditFilterForm,
    MemberSearchForm,
    ReasonForm,
    RoomForm,
    RoomGrantForm,
    SanctionForm,
    ThreadModerationForm,
)
from ..models import AuditLogEntry, Flag, Room, User
from ..roles import Role, has_role, is_administrator, is_community_manager
from ..selectors.members import member_search
from ..services import forum as forum_services
from ..services import moderation as services
from ..visibility import (
    access_post,
    access_room,
    access_thread,
    can_moderate_room,
    visible_room_ids,
)
from .forum import _post_url

AUDIT_PAGE_SIZE = 50


def _refused(call):
    """Run a service call; a refusal is a 404 (nothing revealed), a ValidationError is returned
    for the form."""
    try:
        call()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return error
    return None


def _require_manager(user) -> None:
    if not is_community_manager(user):
        raise Http404


# --- Flags and posts ----------------------------------------------------------------------------


@require_http_methods(["GET"])
def moderation_queue(request):
    # Managers always reach it: it is where they start to find a member to act on.
    if not (is_community_manager(request.user) or visible_room_ids(request.user, moderated=True)):
        raise Http404
    return render(
        request,
        "community/moderation_queue.html",
        {"flags": services.moderation_queue_for(request.user)[:200], "form": ReasonForm()},
    )


@require_http_methods(["POST"])
def flag_dismiss(request, pk):
    flag = get_object_or_404(Flag, pk=pk, status=Flag.Status.OPEN)
    access_post(request.user, flag.post_id)
    error = _refused(lambda: services.flag_dismiss(actor=request.user, flag=flag))
    if error is None:
        messages.success(request, _("Flag dismissed."))
    return redirect("community:moderation-queue")


@require_http_methods(["GET", "POST"])
def post_hide(request, pk):
    post = access_post(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _refused(
            lambda: services.post_hide(
                actor=request.user, post=post, reason=form.cleaned_data["reason"]
            )
        )
        if error is None:
            messages.success(request, _("The post is hidden."))
            next_url = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                next_url, {request.get_host()}, require_https=request.is_secure()
            ):
                next_url = _post_url(request.user, post)
            return redirect(next_url)
        form_errors_add(form, error)
    elif request.method == "GET" and not can_moderate_room(request.user, post.thread.room):
        raise Http404
    return render(request, "community/post_hide.html", {"post": post, "form": form})


@require_http_methods(["POST"])
def post_unhide(request, pk):
    post = access_post(request.user, pk)
    _refused(lambda: services.post_unhide(actor=request.user, post=post))
    messages.success(request, _("The post is visible again."))
    return redirect(_post_url(request.user, post))


# --- Threads ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def thread_moderate(request, pk):
    user = request.user
    thread = access_thread(user, pk)
    if not can_moderate_room(user, thread.room):
        raise Http404
    rooms = Room.objects.filter(pk__in=visible_room_ids(user, moderated=True)).exclude(
        pk=thread.room_id
    )
    form = ThreadModerationForm(request.POST or None, rooms=rooms)
    if request.method == "POST" and form.is_valid():
        data, Action = form.cleaned_data, ThreadModerationForm.Action
        action, reason = data["action"], data.get("reason", "")
        confirmed = data["confirm_wider"]
        if action == Action.MERGE:
            target = access_thread(user, data["target"])
            call = lambda: services.thread_merge(  # noqa: E731
                actor=user, source=thread, target=target, reason=reason,
                widening_confirmed=confirmed,
            )  # fmt: skip
        elif action == Action.MOVE:
            call = lambda: services.thread_move(  # noqa: E731
                actor=user, thread=thread, room=data["room"], reason=reason,
                widening_confirmed=confirmed,
            )  # fmt: skip
        else:
            flags = {
                Action.LOCK: {"locked": True},
                Action.UNLOCK: {"locked": False},
                Action.PIN: {"pinned": True},
                Action.UNPIN: {"pinned": False},
            }[action]
            call = lambda: services.thread_set_state(  # noqa: E731
                actor=user, thread=thread, reason=reason, **flags
            )
        error = _refused(call)
        if error is None:
            messages.success(request, _("Done."))
            target_pk = data["target"] if action == Action.MERGE else thread.pk
            return redirect("community:thread-detail", pk=target_pk)
        form_errors_add(form, error)
    return render(request, "community/thread_moderate.html", {"thread": thread, "form": form})


# --- Rooms --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def room_create(request):
    _require_manager(request.user)
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        room = None

        def create():
            nonlocal room
            room = forum_services.room_create(actor=request.user, **form.cleaned_data)

        error = _refused(create)
        if error is None:
            messages.success(request, _("Room created."))
            return redirect("community:room-edit", slug=room.slug)
        form_errors_add(form, error)
    return render(request, "community/room_form.html", {"form": form, "room": None})


@require_http_methods(["GET", "POST"])
def room_edit(request, slug):
    """Managers edit the room and its members and moderators; a room's moderators may remove
    members from their private room."""
    user = request.user
    room = access_room(user, slug)
    manager = is_community_manager(user)
    if not (manager or can_moderate_room(user, room)):
        raise Http404
    form = RoomForm(instance=room) if manager else None
    grant_form = RoomGrantForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "update" and manager:
            form = RoomForm(request.POST, instance=Room.objects.get(pk=room.pk))
            if form.is_valid():
                error = _refused(
                    lambda: forum_services.room_update(actor=user, room=room, **form.cleaned_data)
                )
                if error is None:
                    messages.success(request, _("Room saved."))
                    return redirect("community:room-edit", slug=form.cleaned_data["slug"])
                form_errors_add(form, error)
        elif action == "grant" and manager:
            grant_form = RoomGrantForm(request.POST)
            if grant_form.is_valid():
                forum_services.room_grant(
                    actor=user,
                    room=room,
                    member=grant_form.cleaned_data["member"],
                    moderator=grant_form.cleaned_data["moderator"],
                )
                messages.success(request, _("Access granted."))
                return redirect("community:room-edit", slug=room.slug)
        elif action in ("revoke", "revoke-moderator"):
            member = get_object_or_404(User, pk=request.POST.get("member"))
            error = _refused(
                lambda: forum_services.room_revoke(
                    actor=user,
                    room=room,
                    member=member,
                    moderator=action == "revoke-moderator",
                    reason=request.POST.get("reason", ""),
                )
            )
            if error is None:
                messages.success(request, _("Access removed."))
            return redirect("community:room-edit", slug=room.slug)
        else:
            raise Http404
    grants = room.grants.select_related("user", "permission").order_by("user__last_name")
    return render(
        request,
        "community/room_form.html",
        {"form": form, "room": room, "grants": grants, "grant_form": grant_form},
    )


# --- Members ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def member_moderation(request):
    """Managers find the member to warn, suspend, reinstate or remove by name: the directory
    does not list suspended or removed members, and nobody should need to know an id."""
    _require_manager(request.user)
    form = MemberSearchForm(request.GET or None)
    members = member_search(form.cleaned_data["q"]) if form.is_valid() else None
    return render(request, "community/member_moderation.html", {"form": form, "members": members})


@require_http_methods(["GET", "POST"])
def member_sanction(request, pk):
    _require_manager(request.user)
    member = get_object_or_404(User, pk=pk)
    form = SanctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, Kind = form.cleaned_data, SanctionForm.Kind
        actor, reason = request.user, data.get("reason", "")
        call = {
            Kind.WARN: lambda: services.member_warn(actor=actor, member=member, reason=reason),
            Kind.SUSPEND: lambda: services.member_suspend(
                actor=actor, member=member, days=data["days"], reason=reason
            ),
            Kind.UNSUSPEND: lambda: services.member_unsuspend(
                actor=actor, member=member, reason=reason
            ),
            Kind.REMOVE: lambda: services.member_remove(actor=actor, member=member, reason=reason),
        }[data["kind"]]
        error = _refused(call)
        if error is None:
            # Warnings, suspensions and removals are e-mailed (services.moderation); lifting a
            # suspension is not: the member simply finds the platform open again.
            done = (
                _("The suspension is lifted.")
                if data["kind"] == Kind.UNSUSPEND
                else _("Done: the member has been told.")
            )
            messages.success(request, done)
            return redirect("community:member-sanction", pk=member.pk)
        form_errors_add(form, error)
    return render(
        request,
        "community/member_sanction.html",
        {
            "member": member,
            "form": form,
            "sanctions": member.sanctions.select_related("created_by"),
            # The services refuse it too (services.moderation._require_may_sanction).
            "may_sanction": is_administrator(request.user) or not is_administrator(member),
        },
    )


# --- Audit log ----------------------------------------------------------------------------------


def _audit_entries(request):
    # Security events (sign-ins, addresses, second factors) are the members' personal data:
    # administrators see them, other staff see the staff actions.
    security_events = has_role(request.user, Role.ADMINISTRATOR)
    form = AuditFilterForm(request.GET or None, security_events=security_events)
    entries = AuditLogEntry.objects.select_related("actor").order_by("-created_at", "-id")
    if not security_events:
        entries = entries.exclude(action__startswith=SECURITY_PREFIX)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("security"):
            entries = entries.filter(action__startswith=SECURITY_PREFIX)
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"])
        if data["actor"]:
            entries = entries.filter(actor__email__iexact=data["actor"])
        if data["since"]:
            entries = entries.filter(created_at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(created_at__date__lte=data["until"])
    return form, entries


@require_http_methods(["GET"])
def audit_log_list(request):
    _require_manager(request.user)
    form, entries = _audit_entries(request)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/audit_log.html",
        {"form": form, "page": page, "can_export": has_role(request.user, Role.ADMINISTRATOR)},
    )


@require_http_methods(["GET"])
def audit_log_export(request):
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise Http404
    _form, entries = _audit_entries(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "actor", "action", "target", "reason", "details"])
    for entry in entries.iterator(chunk_size=1000):
        row = [entry.created_at.isoformat(), entry.actor.email if entry.actor else "",
               entry.action, entry.target_repr, entry.reason, entry.data]  # fmt: skip
        writer.writerow([csv_safe(value) for value in row])
    return response
