"""Knowledge Factory pages: submitting an item, reading it, editing it, its file, the member's
own submissions and the knowledge managers' review queue and decisions (SPEC §5).

Who reads an item is ``access_knowledge_item`` (Http404 for missing and forbidden alike); who
writes and decides is asked of the services (knowledge_factory.services.items)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.visibility import (
    access_knowledge_item,
    can_edit_knowledge_item,
    can_review_knowledge,
    need_filter,
    project_filter,
)
from ileanet.forms import form_errors_add

from ..forms import ItemForm, ReviewForm, item_initial
from ..models import AccessLevel, Item, ItemEvent, ItemType
from ..selectors import related_items_for
from ..services.items import (
    can_review_item,
    item_publish,
    item_reject,
    item_request_changes,
    item_resubmit,
    item_submit,
    item_unpublish,
    item_update,
    item_withdraw,
    sota_recommendation_check,
)

PER_PAGE = 25


def _sota(request):
    """The study recommendation whose final report is being added (``?sota=<id>``), checked:
    a coordinator, a completed study on a need they read, not linked yet. Returns it and the
    reason it cannot be used (or "")."""
    from ipup.models import SotaRecommendation

    value = request.GET.get("sota", "")
    if not value:
        return None, ""
    recommendation = (
        SotaRecommendation.objects.filter(pk=int(value)).select_related("need").first()
        if value.isdigit() and len(value) < 10
        else None
    )
    if recommendation is None:
        raise Http404
    try:
        sota_recommendation_check(request.user, recommendation)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return recommendation, " ".join(error.messages)
    return recommendation, ""


@require_http_methods(["GET", "POST"])
def item_submit_page(request):
    user = request.user
    sota, refused = _sota(request)
    if refused:
        messages.error(request, refused)
        return redirect("ipup:need-screening", pk=sota.need_id)
    initial = {"type": ItemType.ARTICLE, "tier": AccessLevel.MEMBERS}
    if sota is not None:
        initial = {
            "type": ItemType.SOTA_REPORT,
            "title": sota.topic,
            "summary": sota.rationale[:2000],
            "need": sota.need_id,
            "source_url": sota.final_report_url,
            "tier": sota.need.tier,
        }
    form = ItemForm(request.POST or None, request.FILES or None, actor=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = item_submit(actor=user, sota_recommendation=sota, **form.values())
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("Your item is submitted: a knowledge manager will review it.")
            )
            return redirect("knowledge_factory:item", pk=item.pk)
    return render(
        request,
        "knowledge_factory/item_form.html",
        {"form": form, "item": None, "sota": sota},
        status=400 if form.is_bound and form.errors else 200,
    )


def _file_name(item) -> str:
    return item.file.name.rsplit("/", 1)[-1] if item.file else ""


def _item(user, pk) -> Item:
    item = access_knowledge_item(user, pk)
    return (
        Item.objects.filter(pk=item.pk)
        .select_related("author", "reviewed_by")
        .prefetch_related("domains", "tags")
        .get()
    )


def _detail(request, item, *, review_form=None, status=200):
    from ipup.models import Need, ResearchProject

    user = request.user
    is_author = user.is_authenticated and item.author_id == user.pk
    reviewer = can_review_item(user, item)
    project = need = None
    if item.project_id:
        project = (
            ResearchProject.objects.filter(project_filter(user), pk=item.project_id)
            .only("pk", "acronym", "title")
            .first()
        )
    if item.need_id:
        need = Need.objects.filter(need_filter(user), pk=item.need_id).only("pk", "title").first()
    context = {
        "item": item,
        "project": project,
        "need": need,
        "is_author": is_author,
        "reviewer": reviewer,
        "can_edit": user.is_authenticated and can_edit_knowledge_item(user, item),
        "related": related_items_for(user, item),
        "review_form": review_form or ReviewForm(),
        "file_name": _file_name(item),
    }
    if is_author or reviewer:
        events = list(item.events.select_related("actor"))
        for event in events:
            event.changed = [str(Item._meta.get_field(name).verbose_name) for name in event.changes]
        context["events"] = events
    return render(request, "knowledge_factory/item_detail.html", context, status=status)


@login_not_required
@require_http_methods(["GET"])
def item_detail(request, pk):
    return _detail(request, _item(request.user, pk))


@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    user = request.user
    item = _item(user, pk)
    if not can_edit_knowledge_item(user, item):
        raise Http404
    form = ItemForm(
        request.POST or None,
        request.FILES or None,
        actor=user,
        item=item,
        initial=item_initial(item),
    )
    resubmit = request.POST.get("action") == "resubmit"
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                item = item_update(actor=user, item=item, **form.values())
                if resubmit:
                    item = item_resubmit(actor=user, item=item)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            if resubmit:
                messages.success(request, _("Your item is sent back for review."))
            else:
                messages.success(request, _("The item is saved."))
            return redirect("knowledge_factory:item", pk=item.pk)
    return render(
        request,
        "knowledge_factory/item_form.html",
        {
            "form": form,
            "item": item,
            "file_name": _file_name(item),
            "can_resubmit": item.author_id == user.pk
            and item.status == Item.Status.CHANGES_REQUESTED,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_not_required
@require_http_methods(["GET"])
def item_file(request, pk):
    item = access_knowledge_item(request.user, pk)
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=_file_name(item))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


_DECISIONS = {
    "publish": (item_publish, None, _("The item is published.")),
    "changes": (item_request_changes, "note", _("The author is asked for changes.")),
    "reject": (item_reject, "reason", _("The item is rejected; the author is told why.")),
    "unpublish": (item_unpublish, "reason", _("The item is unpublished; the author is told why.")),
    "withdraw": (item_withdraw, "note", _("Your submission is withdrawn.")),
}


@require_http_methods(["POST"])
def item_review(request, pk):
    """A reviewer's decision (publish, ask for changes, reject, unpublish) or the author's
    withdrawal. The services decide who may; anyone else gets 404."""
    user = request.user
    item = _item(user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        service, argument, done = _DECISIONS[action]
        kwargs = {argument: form.cleaned_data["note"]} if argument else {}
        try:
            service(actor=user, item=item, **kwargs)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_error("note", [m for ms in error.message_dict.values() for m in ms])
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, str(done))
            if action == "withdraw":
                return redirect("knowledge_factory:my-items")
            if action in ("publish", "changes", "reject") and can_review_knowledge(user):
                return redirect("knowledge_factory:review-queue")
            return redirect("knowledge_factory:item", pk=item.pk)
    if not (can_review_item(user, item) or item.author_id == user.pk):
        raise Http404
    return _detail(request, item, review_form=form, status=400)


@require_http_methods(["GET"])
def my_items(request):
    items = (
        Item.objects.visible_to(request.user)
        .filter(author=request.user)
        .only(
            "pk",
            "type",
            "title",
            "status",
            "tier",
            "review_note",
            "submitted_at",
            "published_at",
            "updated_at",
        )
        .order_by("-submitted_at", "-pk")
    )
    return render(
        request,
        "knowledge_factory/my_items.html",
        {"page": Paginator(items, PER_PAGE).get_page(request.GET.get("page"))},
    )


@require_http_methods(["GET"])
def review_queue(request):
    """Submissions waiting for a decision that the reviewer may read, the longest waiting
    first; a resubmission is marked as such."""
    user = request.user
    if not can_review_knowledge(user):
        raise Http404
    readable = Item.objects.visible_to(user)
    counts = readable.aggregate(
        waiting=Count("pk", filter=Q(status=Item.Status.SUBMITTED)),
        changes=Count("pk", filter=Q(status=Item.Status.CHANGES_REQUESTED)),
    )
    resubmitted = ItemEvent.objects.filter(item=OuterRef("pk"), action=ItemEvent.Action.RESUBMITTED)
    items = (
        readable.filter(status=Item.Status.SUBMITTED)
        .select_related("author")
        .only(
            "pk",
            "type",
            "title",
            "tier",
            "submitted_at",
            "author__first_name",
            "author__last_name",
            "author__handle",
        )
        .annotate(resubmitted=Exists(resubmitted))
        .order_by("submitted_at", "pk")
    )
    return render(
        request,
        "knowledge_factory/review_queue.html",
        {"page": Paginator(items, PER_PAGE).get_page(request.GET.get("page")), "counts": counts},
    )
