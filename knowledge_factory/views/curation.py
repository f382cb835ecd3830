"""Knowledge Factory pages: tag hygiene for knowledge managers (a 404 for everyone else).

The page lists the tags the manager may see (``knowledge_factory.services.tags``: a tag used
only on items they may not read is not shown, its name being content) with their use counts,
the unused ones and groups of near duplicates, each group with a merge form.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from taggit.models import Tag

from community.visibility import can_review_knowledge

from ..services import tags as services

PAGE_SIZE = 100


class TagFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name contains"), max_length=100, required=False)
    unused = forms.BooleanField(label=gettext_lazy("Unused only"), required=False)


class TagMergeForm(forms.Form):
    sources = forms.CharField(
        label=gettext_lazy("Merge these tags"),
        max_length=2000,
        help_text=gettext_lazy("Their names, separated by commas."),
    )
    target = forms.CharField(label=gettext_lazy("Into the tag"), max_length=100)


class TagRenameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("New name"), max_length=100)


def _require_knowledge_manager(user) -> None:
    if not can_review_knowledge(user):
        raise Http404


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@require_http_methods(["GET"])
def tag_list(request):
    _require_knowledge_manager(request.user)
    rows = services.tag_rows_for(request.user)
    duplicates = services.tag_near_duplicates(rows)
    filters = TagFilterForm(request.GET)
    shown = rows
    if filters.is_valid():
        if filters.cleaned_data["q"]:
            needle = filters.cleaned_data["q"].casefold()
            shown = [row for row in shown if needle in row.name.casefold()]
        if filters.cleaned_data["unused"]:
            shown = [row for row in shown if row.is_unused]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge_factory/tag_list.html",
        {
            "page": page,
            "count": len(rows),
            "filters": filters,
            "duplicates": duplicates,
            "deletable": sum(1 for row in rows if row.is_deletable),
            "merge_form": TagMergeForm(),
        },
    )


def _visible_tags_named(user, names: list[str]) -> list[Tag]:
    """The tags of these names ``user`` may see; unknown and hidden names are the same error.
    Spaces are not told apart ("Forensics " is found as "Forensics": it is how it looks)."""
    wanted = {" ".join(name.split()) for name in names if name.strip()}
    rows = [row for row in services.tag_rows_for(user) if " ".join(row.name.split()) in wanted]
    missing = wanted - {" ".join(row.name.split()) for row in rows}
    if missing:
        raise ValidationError(
            _("No tag is named %(names)s.")
            % {"names": ", ".join(f"“{n}”" for n in sorted(missing))}
        )
    return list(Tag.objects.filter(pk__in=[row.id for row in rows]))


@require_http_methods(["POST"])
def tag_merge(request):
    """Two ways in: a near-duplicate group's form (tag ids: ``target`` and ``source``) or the
    form by names (``sources``, comma-separated, and ``target``)."""
    _require_knowledge_manager(request.user)
    try:
        if "source" in request.POST:
            target_ids = _ids([request.POST.get("target", "")])
            if not target_ids:
                raise ValidationError(_("Choose the tag to keep."))
            target = Tag.objects.filter(pk=target_ids[0]).first()
            sources = list(Tag.objects.filter(pk__in=_ids(request.POST.getlist("source"))))
            if target is None:
                raise ValidationError(_("No such tag."))
        else:
            form = TagMergeForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            sources = _visible_tags_named(request.user, form.cleaned_data["sources"].split(","))
            [target] = _visible_tags_named(request.user, [form.cleaned_data["target"]])
        counts = services.tag_merge(actor=request.user, sources=sources, target=target)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "Merged into “%(name)s”: %(count)d use moved.",
                "Merged into “%(name)s”: %(count)d uses moved.",
                counts["moved"],
            )
            % {"name": target.name, "count": counts["moved"]},
        )
    return redirect("knowledge_factory:tag-list")


@require_http_methods(["GET", "POST"])
def tag_rename(request, pk):
    _require_knowledge_manager(request.user)
    rows = services.tag_rows_for(request.user, ids=[pk])
    if not rows:
        raise Http404
    row = rows[0]
    form = TagRenameForm(initial={"name": row.name})
    if request.method == "POST":
        form = TagRenameForm(request.POST)
        if form.is_valid():
            tag = Tag.objects.get(pk=row.id)
            try:
                services.tag_rename(actor=request.user, tag=tag, name=form.cleaned_data["name"])
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, _("The tag is renamed “%(name)s”.") % {"name": tag.name})
                return redirect("knowledge_factory:tag-list")
    return render(
        request,
        "knowledge_factory/tag_rename.html",
        {"tag": row, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["POST"])
def tag_delete_unused(request):
    """Every unused tag, or only the one of ``tag`` (a row's button)."""
    _require_knowledge_manager(request.user)
    only = _ids(request.POST.getlist("tag")) if "tag" in request.POST else None
    deleted = services.tag_delete_unused(actor=request.user, tag_ids=only)
    messages.success(
        request,
        ngettext("%(count)d unused tag deleted.", "%(count)d unused tags deleted.", deleted)
        % {"count": deleted},
    )
    return redirect("knowledge_factory:tag-list")
