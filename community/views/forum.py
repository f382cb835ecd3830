"""Discussion pages: rooms, threads, posts, attachments, mentions, search and the room feed.

Every object is reached through an ``access_*`` helper or a ``visible_to`` queryset
(community.visibility): a room, thread, post or attachment the reader may not see answers 404
exactly like one that does not exist, on every page, redirect, partial and feed here. A service
refusing an action (PermissionDenied) answers 404 too, for the same reason.

Reading pages are open to anonymous visitors: the rule gives them the public rooms only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ileanet import ratelimit
from ileanet import search as search_engine
from ileanet.forms import form_errors_add
from ileanet.markdown import render_markdown

from .. import selectors
from ..forms import FlagForm, PostEditForm, ReplyForm, SearchForm, ThreadForm
from ..models import Post, Room, Subscription, User
from ..services import forum as forum_services
from ..services.moderation import flag_create
from ..services.notifications import notification_mark_read
from ..visibility import (
    access_attachment,
    access_post,
    access_room,
    access_thread,
    can_moderate_room,
    can_post_in_room,
    can_read_post_history,
    can_reply_in_thread,
    can_see_member_field,
)

FEED_SIZE = 30


def _thread_url(thread_id: int, page: int = 1, post_id: int | None = None) -> str:
    url = reverse("community:thread-detail", args=[thread_id])
    if page > 1:
        url += f"?page={page}"
    return url + (f"#post-{post_id}" if post_id else "#thread-end")


def _post_base() -> str:
    """The "/posts/" prefix: the thread page builds per-post links from it, never reversing each."""
    return reverse("community:post-detail", args=[0]).removesuffix("0/")


def _post_url(user, post: Post) -> str:
    return _thread_url(post.thread_id, selectors.post_page_number(user, post), post.pk)


def _wire_mentions(form, room: Room) -> None:
    """The message box asks for mention candidates as the member types (static/js/ileanet.js
    sends only the word after "@", never the text itself)."""
    form.fields["body"].widget.attrs.update(
        {
            "data-mentions": "mention-list",
            "hx-get": reverse("community:mention-autocomplete", args=[room.slug]),
            "hx-trigger": "keyup changed delay:300ms",
            "hx-target": "#mention-list",
            "hx-swap": "innerHTML",
        }
    )


def _subscription_form_mode(request) -> str | None:
    mode = request.POST.get("mode", "")
    if mode and mode not in Subscription.Mode.values:
        raise ValidationError(_("Unknown subscription mode."))
    return mode or None


def _subscription_response(request, *, url: str, mode: str | None, fallback: str):
    if request.htmx:
        return render(
            request, "community/includes/subscription.html", {"subscribe_url": url, "mode": mode}
        )
    messages.success(request, _("Your notification setting is saved."))
    return redirect(fallback)


# --- Rooms ------------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET"])
def room_list(request):
    return render(
        request, "community/room_list.html", {"rooms": selectors.room_list_for(request.user)}
    )


@login_not_required
@require_http_methods(["GET"])
def room_detail(request, slug):
    room = access_room(request.user, slug)
    page = selectors.thread_page_for(request.user, room, request.GET.get("page"))
    if request.htmx:
        return render(request, "community/room_detail.html#threads", {"room": room, "page": page})
    return render(
        request,
        "community/room_detail.html",
        {
            "room": room,
            "page": page,
            "can_post": can_post_in_room(request.user, room),
            # Its moderators and the managers (who moderate every room) reach its settings.
            "can_moderate": can_moderate_room(request.user, room),
            "subscription": selectors.subscription_mode(request.user, room=room),
        },
    )


@require_http_methods(["POST"])
def room_subscribe(request, slug):
    room = access_room(request.user, slug)
    try:
        mode = _subscription_form_mode(request)
    except ValidationError:
        return HttpResponseBadRequest()
    forum_services.subscription_set(user=request.user, mode=mode, room=room)
    url = reverse("community:room-detail", args=[room.slug])
    return _subscription_response(
        request, url=reverse("community:room-subscribe", args=[room.slug]), mode=mode, fallback=url
    )


@require_http_methods(["GET", "POST"])
def thread_create(request, slug):
    room = access_room(request.user, slug, for_write=True)
    form = ThreadForm(request.POST or None, request.FILES or None)
    _wire_mentions(form, room)
    if request.method == "POST" and form.is_valid():
        try:
            thread = forum_services.thread_create(
                actor=request.user,
                room=room,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("community:thread-detail", pk=thread.pk)
    return render(request, "community/thread_form.html", {"room": room, "form": form})


@require_http_methods(["GET"])
def mention_autocomplete(request, slug):
    """Suggestions for the message box: only for someone who may post in the room (anyone else
    gets the 404 of a missing room), and rate-limited, so it is no way to list the members."""
    room = access_room(request.user, slug, for_write=True)
    status, members = 200, []
    if ratelimit.allow("mention", request.user.pk, default="60/60"):
        members = list(selectors.mention_candidates(request.user, room, request.GET.get("q", "")))
    else:
        status = 429
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"results": [{"handle": m.handle, "name": m.get_full_name()} for m in members]},
            status=status,
        )
    return render(
        request, "community/includes/mention_list.html", {"members": members}, status=status
    )


class RoomFeed(Feed):
    """Atom feed of a room's latest posts for the reader of the session: the same rule as the
    pages (a room they cannot see is a 404, hidden posts never appear)."""

    feed_type = Atom1Feed
    # Anonymous readers get the public rooms' feeds, as on the pages; LoginRequiredMiddleware
    # reads this attribute on the view.
    login_required = False

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    def get_object(self, request, slug):
        room = access_room(request.user, slug)
        room.feed_reader = request.user
        return room

    def title(self, room):
        return room.name

    def subtitle(self, room):
        return room.description

    def link(self, room):
        return reverse("community:room-detail", args=[room.slug])

    def items(self, room):
        return (
            Post.objects.visible_to(room.feed_reader)
            .filter(thread__room=room, is_hidden=False)
            .select_related("thread", "author")
            .order_by("-created_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, post):
        return post.thread.title

    def item_description(self, post):
        return post.body_html

    def item_link(self, post):
        return reverse("community:post-detail", args=[post.pk])

    def item_pubdate(self, post):
        return post.created_at

    def item_updateddate(self, post):
        return post.edited_at or post.created_at

    def item_author_name(self, post):
        return post.author.get_full_name() if post.author else ""


# --- Threads ----------------------------------------------------------------------------------


def _organisation_shown(viewer, author) -> str:
    """An author's organisation as the member directory would show it to ``viewer`` (empty when
    hidden), from the author fields the thread page loads: no query per post."""
    if author is None or author.organisation_id is None:
        return ""
    return author.organisation.name if can_see_member_field(viewer, author, "organisation") else ""


@login_not_required
@require_http_methods(["GET"])
def thread_detail(request, pk):
    user = request.user
    thread = access_thread(user, pk)
    if thread.merged_into_id:
        # Only to a target the reader may see: otherwise the merged thread is simply gone.
        return redirect("community:thread-detail", pk=access_thread(user, thread.merged_into_id).pk)
    can_moderate = can_moderate_room(user, thread.room)
    page = selectors.post_page_for(user, thread, request.GET.get("page"), sees_hidden=can_moderate)
    posts = list(page.object_list)
    if user.is_authenticated and posts:
        forum_services.thread_read(user=user, thread=thread, up_to=posts[-1].created_at)
    for post in posts:
        post.author_organisation = _organisation_shown(user, post.author)
    # Once per page, never per post (reversing URLs per post costs more than the posts' HTML).
    context = {
        "room": thread.room,
        "thread": thread,
        "page": page,
        "post_base": _post_base(),
        "attachment_base": reverse("community:attachment-download", args=[0]).removesuffix("0/"),
        "reply_url": reverse("community:post-reply", args=[thread.pk]),
        "can_moderate": can_moderate,
        "can_reply": can_reply_in_thread(user, thread),
        "mention_urls": selectors.mention_urls_for(user, posts),
    }
    if request.htmx:
        return render(request, "community/thread_detail.html#posts", context)
    reply_form = None
    if context["can_reply"]:
        reply_form = ReplyForm()
        _wire_mentions(reply_form, thread.room)
    context |= {
        "reply_form": reply_form,
        "subscription": selectors.subscription_mode(user, thread=thread),
    }
    return render(request, "community/thread_detail.html", context)


@require_http_methods(["GET"])
def thread_unread(request, pk):
    thread = access_thread(request.user, pk)
    if thread.merged_into_id:
        thread = access_thread(request.user, thread.merged_into_id)
    page, post_id = selectors.first_unread_page(request.user, thread)
    return redirect(_thread_url(thread.pk, page, post_id))


@require_http_methods(["POST"])
def thread_subscribe(request, pk):
    thread = access_thread(request.user, pk)
    try:
        mode = _subscription_form_mode(request)
    except ValidationError:
        return HttpResponseBadRequest()
    forum_services.subscription_set(user=request.user, mode=mode, thread=thread)
    return _subscription_response(
        request,
        url=reverse("community:thread-subscribe", args=[thread.pk]),
        mode=mode,
        fallback=reverse("community:thread-detail", args=[thread.pk]),
    )


def _quoted(user, thread, value: str) -> str:
    """``> ``-quoted text of a post of this thread the reader may open (404 otherwise, like any
    other). Quoting from another thread is refused: it would copy a post into a room whose
    audience may be wider than the room it was written for."""
    if not value:
        return ""
    if not value.isdigit():
        raise Http404
    post = access_post(user, int(value))
    if post.thread_id != thread.pk:
        raise Http404
    return "\n".join(f"> {line}".rstrip() for line in post.body.splitlines()) + "\n\n"


@require_http_methods(["GET", "POST"])
def post_reply(request, pk):
    thread = access_thread(request.user, pk, for_write=True)
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                post = forum_services.post_create(
                    actor=request.user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                form_errors_add(form, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                return redirect(_post_url(request.user, post))
    else:
        form = ReplyForm(
            initial={"body": _quoted(request.user, thread, request.GET.get("quote", ""))}
        )
    _wire_mentions(form, thread.room)
    context = {"room": thread.room, "thread": thread, "reply_form": form, "can_reply": True}
    if request.htmx:
        return render(request, "community/thread_detail.html#reply-form", context)
    return render(request, "community/thread_form.html", context)


# --- Posts ------------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET"])
def post_detail(request, pk):
    post = access_post(request.user, pk)
    notification = request.GET.get("n", "")
    if request.user.is_authenticated and notification.isdigit():
        # Opened from the notification list: that notification is now read.
        notification_mark_read(user=request.user, notification_id=int(notification), post=post)
    return redirect(_post_url(request.user, post))


def _is_first_post(post: Post) -> bool:
    return not Post.objects.filter(
        thread_id=post.thread_id, created_at__lt=post.created_at
    ).exists()


@require_http_methods(["GET", "POST"])
def post_edit(request, pk):
    post = access_post(request.user, pk, for_edit=True)
    form = PostEditForm(
        request.POST or None,
        initial={"title": post.thread.title, "body": post.body},
        with_title=_is_first_post(post),
        with_reason=post.author_id != request.user.pk,
    )
    _wire_mentions(form, post.thread.room)
    if request.method == "POST" and form.is_valid():
        try:
            forum_services.post_edit(
                actor=request.user,
                post=post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The post is updated."))
            return redirect(_post_url(request.user, post))
    return render(request, "community/post_edit.html", {"post": post, "form": form})


@require_http_methods(["GET"])
def post_history(request, pk):
    """Earlier versions of a post, for its author and the room's moderators only: an edit is
    often made to take something back, and the room's audience should not read it anyway."""
    post = access_post(request.user, pk)
    if not can_read_post_history(request.user, post):
        raise Http404
    revisions = list(post.revisions.select_related("edited_by"))
    for revision in revisions:
        revision.body_html = render_markdown(revision.body) if revision.body else ""
    return render(request, "community/post_history.html", {"post": post, "revisions": revisions})


@require_http_methods(["POST"])
def post_useful(request, pk):
    post = access_post(request.user, pk)
    error = ""
    try:
        post.marked_useful = forum_services.post_mark_useful(actor=request.user, post=post)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(_post_url(request.user, post))
    post.refresh_from_db(fields=["useful_count"])
    if error:
        post.marked_useful = False
    return render(
        request,
        "community/thread_detail.html#useful",
        {"post": post, "useful_error": error, "post_base": _post_base()},
    )


@require_http_methods(["GET", "POST"])
def post_flag(request, pk):
    post = access_post(request.user, pk)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_create(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors_add(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Thank you: the moderators will look at this post."))
            return redirect(_post_url(request.user, post))
    return render(request, "community/post_flag.html", {"post": post, "form": form})


@login_not_required
@require_http_methods(["GET"])
def attachment_download(request, pk):
    attachment = access_attachment(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Search -----------------------------------------------------------------------------------


def _post_filters(data, rooms) -> search_engine.PostFilters:
    """The posts' own filters. A room the reader cannot see, or an unknown author, gives no
    posts: the same answer as for a room or a handle that does not exist."""
    filters = search_engine.PostFilters(since=data["since"], until=data["until"])
    if data["room"]:
        filters.room = next((r for r in rooms if r.slug == data["room"]), None)
        filters.impossible |= filters.room is None
    if data["author"]:
        filters.author = User.objects.filter(handle__iexact=data["author"]).first()
        filters.impossible |= filters.author is None
    return filters


@require_http_methods(["GET"])
def search(request):
    """The one search box (ileanet.search): every kind grouped, or one kind (``?kind=``)
    paginated; the room, author and date filters narrow the posts."""
    data = request.GET.copy()
    truncated = len(data.get("q", "")) > search_engine.MAX_QUERY_LENGTH
    if truncated:  # a pasted essay is cut to its first words rather than refused
        data["q"] = " ".join(data["q"].split())[: search_engine.MAX_QUERY_LENGTH]
    kind = data.get("kind") if data.get("kind") in search_engine.KINDS else None
    rooms = list(Room.objects.visible_to(request.user).only("slug", "name"))
    form = SearchForm(data if request.GET else None, rooms=rooms)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        who = request.user.pk or request.META.get("REMOTE_ADDR", "")
        if not ratelimit.allow("search", who, default="30/60"):
            form.add_error(None, _("Too many searches in a minute. Wait a moment."))
            return render(request, "community/search.html", {"form": form}, status=429)
        results = search_engine.search(
            request.user,
            form.cleaned_data["q"],
            kind=kind,
            page=form.cleaned_data["page"] or 1,
            posts=_post_filters(form.cleaned_data, rooms),
        )
    if results is not None:
        results.truncated |= truncated
    context = {"form": form, "results": results, "kind": kind}
    if request.htmx:
        return render(request, "community/search.html#results", context)
    return render(request, "community/search.html", context)
