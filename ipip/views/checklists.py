"""The IPIP checklist pages (SPEC §4): a project's checklist, its PDF report and evidence files,
the coordinators' template versions and the comparison of projects."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.audit import csv_safe
from community.visibility import can_read_checklist
from ileanet.pdf import render_pdf
from ipup.models import ResearchProject
from ipup.permissions import can_manage_projects

from ..forms import ItemStateForm, PublishForm, TemplateItemForm
from ..models import ChecklistItem, ChecklistStage, ChecklistTemplate, ItemState
from ..selectors import SORT_COLUMNS, checklist_view_for, comparison_rows, template_items
from ..services.checklists import (
    can_write_checklist,
    checklist_adopt,
    item_state_update,
    template_draft_create,
    template_item_delete,
    template_item_move,
    template_item_save,
    template_publish,
)


def _project(user, pk) -> ResearchProject:
    """A project whose checklist ``user`` may see; 404 for both missing and forbidden."""
    project = get_object_or_404(ResearchProject.objects.defer("search_vector", "embedding"), pk=pk)
    if not can_read_checklist(user, project):
        raise Http404
    return project


def _state(user, pk, state_id, *, for_write=True) -> ItemState:
    project = _project(user, pk)
    if for_write and not can_write_checklist(user, project):
        raise Http404
    state = get_object_or_404(
        ItemState.objects.select_related("item__stage", "checklist"),
        pk=state_id,
        checklist__project=project,
    )
    state.checklist.project = project
    return state


def _require_coordinator(user) -> None:
    if not can_manage_projects(user):
        raise Http404


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_http_methods(["GET"])
def project_checklist(request, pk):
    project = _project(request.user, pk)
    view = checklist_view_for(project)
    return render(
        request,
        "ipip/checklist_project.html",
        {
            "project": project,
            "view": view,
            "can_write": can_write_checklist(request.user, project),
            "statuses": ItemState.Status.choices,
        },
    )


@require_http_methods(["POST"])
def project_checklist_adopt(request, pk):
    project = _project(request.user, pk)
    if not can_write_checklist(request.user, project):
        raise PermissionDenied
    try:
        checklist = checklist_adopt(actor=request.user, project=project)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("The project follows version %(n)d of the checklist.")
            % {"n": checklist.template.version},
        )
    return redirect("ipip:project-checklist", pk=project.pk)


@require_http_methods(["GET", "POST"])
def item_state_edit(request, pk, state_id):
    state = _state(request.user, pk, state_id)
    project = state.checklist.project
    if request.method == "POST":
        form = ItemStateForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item_state_update(actor=request.user, state=state, **data)
            except ValidationError as error:
                for field_name, problems in error.message_dict.items():
                    form.add_error(field_name if field_name in form.fields else None, problems)
            else:
                messages.success(request, _("Saved."))
                return redirect(_checklist_url(project, state))
    else:
        form = ItemStateForm(
            initial={
                "status": state.status,
                "owner": state.owner,
                "reason": state.reason,
                "evidence_note": state.evidence_note,
                "evidence_link": state.evidence_link,
                "date": state.date,
            }
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "ipip/checklist_item.html",
        {"project": project, "state": state, "form": form},
        status=status,
    )


def _checklist_url(project, state) -> str:
    return reverse("ipip:project-checklist", args=[project.pk]) + f"#item-{state.pk}"


@require_http_methods(["GET"])
def evidence_file(request, pk, state_id):
    # Evidence files are for the holders and coordinators only (community.visibility.can_read_checklist).
    state = _state(request.user, pk, state_id, for_write=True)
    if not state.evidence_file:
        raise Http404
    try:
        handle = state.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=state.evidence_file.name.rsplit("/", 1)[-1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET"])
def project_checklist_report(request, pk):
    project = _project(request.user, pk)
    view = checklist_view_for(project)
    if view.checklist is None:
        raise Http404
    pdf = render_pdf(
        "ipip/pdf/checklist_report.html", {"project": project, "view": view}, request=request
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ipip-checklist-{project.pk}.pdf"'
    return response


# --- Template versions (coordinators) --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checklist_template_list(request):
    _require_coordinator(request.user)
    if request.method == "POST":
        try:
            draft = template_draft_create(actor=request.user)
        except ValidationError as error:
            _errors(request, error)
        else:
            return redirect("ipip:checklist-template", pk=draft.pk)
        return redirect("ipip:checklist-templates")
    templates = ChecklistTemplate.objects.select_related("created_by")
    return render(
        request,
        "ipip/checklist_templates.html",
        {"templates": templates, "has_draft": any(t.published_at is None for t in templates)},
    )


@require_http_methods(["GET", "POST"])
def checklist_template(request, pk):
    _require_coordinator(request.user)
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    form = TemplateItemForm(prefix="new")
    publish_form = PublishForm()
    if request.method == "POST":
        action = request.POST.get("action")
        item = None
        if request.POST.get("item"):
            if not request.POST["item"].isdigit():
                raise Http404
            item = get_object_or_404(
                ChecklistItem.objects.select_related("stage"),
                pk=request.POST["item"],
                stage__template=template,
            )
        try:
            if action in ("up", "down") and item is not None:
                template_item_move(actor=request.user, item=item, up=action == "up")
            elif action == "delete" and item is not None:
                template_item_delete(actor=request.user, item=item)
            elif action == "publish":
                publish_form = PublishForm(request.POST)
                if publish_form.is_valid():
                    template_publish(
                        actor=request.user,
                        template=template,
                        note=publish_form.cleaned_data["note"],
                    )
                    messages.success(
                        request, _("Version %(n)d is published.") % {"n": template.version}
                    )
            elif action == "save":
                form = TemplateItemForm(
                    request.POST, prefix="new" if item is None else f"i{item.pk}"
                )
                if form.is_valid():
                    template_item_save(
                        actor=request.user,
                        template=template,
                        item=item,
                        stage_key=form.cleaned_data["stage"],
                        text=form.cleaned_data["text"],
                        topic=form.cleaned_data["topic"],
                        help_text=form.cleaned_data["help_text"],
                    )
                    return redirect("ipip:checklist-template", pk=template.pk)
                messages.error(request, _("Please correct the errors below."))
            else:
                raise Http404
        except ValidationError as error:
            _errors(request, error)
        if not (action == "save" and form.errors):
            return redirect("ipip:checklist-template", pk=template.pk)
    return render(
        request,
        "ipip/checklist_template.html",
        {
            "template": template,
            "stages": template_items(template),
            "form": form,
            "publish_form": publish_form,
            "stage_choices": ChecklistStage.Key.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Comparison (coordinators) ---------------------------------------------------------------


@require_http_methods(["GET"])
def checklist_comparison(request):
    _require_coordinator(request.user)
    sort = request.GET.get("sort", "project")
    rows = comparison_rows(sort=sort)
    stages = ChecklistStage.Key.choices
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="ipip-comparison.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [_("Project"), _("Version"), *[str(label) for _k, label in stages], _("Overall")]
        )
        for row in rows:
            writer.writerow(
                [
                    # Project names come from open data: never a formula in a spreadsheet.
                    csv_safe(row.project.acronym or row.project.title),
                    row.version,
                    *["" if row.stages.get(key) is None else row.stages[key] for key, _l in stages],
                    "" if row.overall is None else row.overall,
                ]
            )
        return response
    columns = [
        ("project", _("Project")),
        ("version", _("Version")),
        *stages,
        ("overall", _("Overall")),
    ]
    current = sort if sort.lstrip("-") in SORT_COLUMNS else "project"
    headers = [
        {
            "key": key,
            "label": label,
            "sort": f"-{key}" if current == key else key,
            "active": current.lstrip("-") == key,
            "descending": current == f"-{key}",
        }
        for key, label in columns
    ]
    chart = {
        "labels": [row.project.acronym or row.project.title for row in rows],
        "datasets": [
            {"label": str(label), "data": [row.stages.get(key) for row in rows]}
            for key, label in stages
        ],
    }
    return render(
        request,
        "ipip/checklist_comparison.html",
        {
            "rows": [
                {"row": row, "cells": [row.stages.get(key) for key, _l in stages]} for row in rows
            ],
            "headers": headers,
            "chart": chart,
            "sort": current,
        },
    )
