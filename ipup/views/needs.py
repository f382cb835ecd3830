"""The needs catalogue (SPEC §3.2)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.models import Domain, Thread
from community.visibility import access_thread
from ileanet.forms import form_errors_add

from ..forms import NeedFilterForm, NeedForm
from ..interest import project_presentations
from ..models import Need, ScreeningCandidate
from ..permissions import can_manage_needs
from ..selectors import need_pipeline
from ..services.needs import need_create, need_from_thread, need_status_change, need_update

PER_PAGE = 30


def _needs(user):
    return Need.objects.visible_to(user).prefetch_related(
        Prefetch("domains", queryset=Domain.objects.order_by("position"))
    )


def _need(user, pk) -> Need:
    need = _needs(user).filter(pk=pk).first()
    if need is None:
        raise Http404
    return need


@require_http_methods(["GET"])
def need_list(request):
    form = NeedFilterForm(request.GET or None)
    # Ranked needs first, most important first; those no survey has ranked yet after them.
    needs = _needs(request.user).order_by(F("priority_score").desc(nulls_last=True), "title")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            needs = needs.filter(
                Q(title__icontains=data["q"]) | Q(description__icontains=data["q"])
            )
        if data["domain"]:
            needs = needs.filter(domains=data["domain"])
        if data["status"]:
            needs = needs.filter(status=data["status"])
        if data["source"]:
            needs = needs.filter(source=data["source"])
        if data["answerable"]:
            needs = needs.filter(research_answerable=data["answerable"] == "yes")
    elif form.is_bound:
        needs = needs.none()
    return render(
        request,
        "ipup/need_list.html",
        {
            "form": form,
            "page": Paginator(needs, PER_PAGE).get_page(request.GET.get("page")),
            "can_manage": can_manage_needs(request.user),
        },
    )


def _presented(user, judged) -> list:
    """The screened projects that meet the need, fully or partly, with the events (those
    ``user`` may see) they were presented at (ipup.interest: a constant number of queries)."""
    matching = [
        candidate
        for candidate in judged
        if candidate.judgement
        in (ScreeningCandidate.Judgement.MEETS, ScreeningCandidate.Judgement.PARTIAL)
    ]
    presentations = project_presentations(user, [c.project_id for c in matching])
    return [{"project": c.project, "events": presentations.get(c.project_id, [])} for c in matching]


@require_http_methods(["GET"])
def need_detail(request, pk):
    need = _need(request.user, pk)
    # The discussion is shown only to who may open it: its title is not the need's to reveal.
    thread = (
        Thread.objects.visible_to(request.user).filter(pk=need.source_thread_id).first()
        if need.source_thread_id
        else None
    )
    manager = can_manage_needs(request.user)
    next_statuses = (
        [s for s in Need.Status if s != need.status and need.can_move_to(s)] if manager else []
    )
    pipeline = need_pipeline(need)
    return render(
        request,
        "ipup/need_detail.html",
        {
            "need": need,
            "thread": thread,
            "can_manage": manager,
            "next_statuses": next_statuses,
            "pipeline": pipeline,
            # Where the projects that answer the need were shown, and what LEAs made of them.
            "presentations": _presented(request.user, pipeline["judged"]),
        },
    )


@require_http_methods(["GET", "POST"])
def need_edit(request, pk=None, thread_id=None):
    if not can_manage_needs(request.user):
        raise Http404
    need = _need(request.user, pk) if pk else None
    thread = access_thread(request.user, thread_id) if thread_id else None
    # The title is left for the recorder to write (ipup.services.needs.need_from_thread).
    initial = {"domains": [thread.room.domain_id]} if thread and thread.room.domain_id else {}
    form = NeedForm(request.POST or None, instance=need, initial=initial, actor=request.user)
    if thread:
        for name in ("source", "tier"):
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            if need:
                need = need_update(actor=request.user, need=need, **fields)
            elif thread:
                need = need_from_thread(actor=request.user, thread=thread, **fields)
            else:
                need = need_create(actor=request.user, **fields)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The need is saved."))
            return redirect("ipup:need-detail", pk=need.pk)
    return render(request, "ipup/need_form.html", {"form": form, "need": need, "thread": thread})


@require_http_methods(["POST"])
def need_status(request, pk):
    if not can_manage_needs(request.user):
        raise Http404
    need = _need(request.user, pk)
    try:
        need_status_change(
            actor=request.user,
            need=need,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", "")[:500],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The need's status is changed."))
    return redirect("ipup:need-detail", pk=need.pk)
